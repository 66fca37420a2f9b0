#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>

namespace veltrix {

// Reads the lines appended to the audit log since it was made (or last asked): how the
// exporter counts redrives and retry changes made by the console and veltrixctl alike.
class AuditFollower
{
public:
    explicit AuditFollower(QString path);
    QList<QJsonObject> readNew();

private:
    QString m_path;
    qint64 m_offset = 0;
    QByteArray m_partial; // a line still being written
};

} // namespace veltrix
