#include "auditreader.h"

#include <QFile>
#include <QJsonDocument>

namespace veltrix {

using namespace Qt::StringLiterals;

namespace {

QString subjectOf(const QJsonObject &record)
{
    const QJsonObject plan = record.value(u"plan"_s).toObject();
    for (const QString &key : {u"source"_s, u"queue"_s, u"group"_s})
        if (const QString text = record.value(key).toString(); !text.isEmpty())
            return text;
    if (const QString queue = plan.value(u"queue"_s).toString(); !queue.isEmpty())
        return plan.value(u"vhost"_s).toString().isEmpty()
            ? queue
            : plan.value(u"vhost"_s).toString() + u'/' + queue;
    if (const QString group = plan.value(u"group"_s).toString(); !group.isEmpty())
        return plan.value(u"topic"_s).toString().isEmpty()
            ? u"group "_s + group
            : u"group %1 on %2"_s.arg(group, plan.value(u"topic"_s).toString());
    return plan.value(u"policy"_s).toObject().value(u"name"_s).toString();
}

} // namespace

QList<QJsonObject> parseAuditLines(const QByteArray &lines, int *unreadable)
{
    QList<QJsonObject> out;
    for (const QByteArray &line : lines.split('\n')) {
        if (line.trimmed().isEmpty())
            continue;
        const QJsonDocument document = QJsonDocument::fromJson(line);
        if (document.isObject())
            out << document.object();
        else if (unreadable)
            ++*unreadable;
    }
    return out;
}

Result<AuditTail> readAuditTail(const QString &path, qint64 maxBytes)
{
    AuditTail tail;
    QFile file(path);
    if (!file.exists())
        return tail;
    if (!file.open(QIODevice::ReadOnly))
        return BrokerError::make(
            BrokerError::Kind::Configuration,
            u"cannot read the audit log %1: %2"_s.arg(path, file.errorString()));
    const qint64 size = file.size();
    if (size > maxBytes) {
        file.seek(size - maxBytes);
        tail.truncated = true;
    }
    QByteArray bytes = file.read(maxBytes);
    if (tail.truncated) // the first line is cut: start at the next whole one
        bytes = bytes.mid(bytes.indexOf('\n') + 1);
    for (const QJsonObject &record : parseAuditLines(bytes, &tail.unreadableLines)) {
        AuditEntry entry;
        entry.time = QDateTime::fromString(record.value(u"time"_s).toString(), Qt::ISODateWithMs);
        entry.user = record.value(u"user"_s).toString();
        entry.profile = record.value(u"profile"_s).toString();
        entry.action = record.value(u"action"_s).toString(record.value(u"event"_s).toString());
        entry.outcome = record.value(u"outcome"_s).toString();
        if (entry.outcome.isEmpty() && record.value(u"dry_run"_s).toBool())
            entry.outcome = u"dry-run"_s;
        entry.subject = subjectOf(record);
        entry.record = record;
        tail.entries << entry;
    }
    return tail;
}

} // namespace veltrix
