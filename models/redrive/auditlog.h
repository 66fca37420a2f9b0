#pragma once

#include "core/result.h"

#include <QJsonObject>
#include <QString>

namespace veltrix {

// The append-only record of everything that changed (or could have changed) a broker:
// one JSON object per line in $XDG_DATA_HOME/veltrix/audit.jsonl (VELTRIX_AUDIT_LOG
// overrides the path). Each line is written with one write() on an O_APPEND file, so the
// console and veltrixctl running at once never interleave lines.
class AuditLog
{
public:
    explicit AuditLog(QString path = defaultPath());
    static QString defaultPath();
    const QString &path() const { return m_path; }

    // Adds "time" (UTC, ms) and "user" when the record has none. An error says why the
    // line could not be written; callers that change a broker refuse to start then.
    Result<bool> append(QJsonObject record) const;

    static QString currentUser();

private:
    QString m_path;
};

} // namespace veltrix
