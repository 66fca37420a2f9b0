#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace veltrix {

// One line of the audit log, with the facts every kind of change has pulled out.
struct AuditEntry
{
    QDateTime time;
    QString user;
    QString profile;
    QString action; // "dlq.purge", "redrive.start", "retry.policy", ...
    QString outcome; // "dry-run", "started", "applied", "failed", "completed", ...
    QString subject; // what it changed: a DLQ, a queue, a group
    QJsonObject record; // the whole line
};

struct AuditTail
{
    QList<AuditEntry> entries; // oldest first
    int unreadableLines = 0; // not JSON objects (a torn last line, an edit by hand)
    bool truncated = false; // older lines exist before the part read
};

// The JSON objects among audit log lines; blank lines are skipped, anything else is counted
// in *unreadable.
QList<QJsonObject> parseAuditLines(const QByteArray &lines, int *unreadable = nullptr);

// Reads the newest part of an audit log (at most maxBytes from its end): a log that grew
// for years still opens at once. A missing log is an empty one.
Result<AuditTail> readAuditTail(const QString &path, qint64 maxBytes = 4 * 1024 * 1024);

} // namespace veltrix
