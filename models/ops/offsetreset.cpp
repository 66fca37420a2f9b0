#include "offsetreset.h"

#include "kafka/kafkaadmin.h"
#include "kafka/kafkahandle.h"
#include "kafka/kafkatopicbrowser.h"
#include "topicwatermarks.h"

#include <QDateTime>
#include <QJsonArray>
#include <QTimeZone>

namespace veltrix {

using namespace Qt::StringLiterals;

namespace {
using Kind = BrokerError::Kind;
}

std::optional<OffsetResetTarget> OffsetResetTarget::parse(const QString &text, QString *why)
{
    const QString t = text.trimmed();
    if (t == u"earliest")
        return OffsetResetTarget {Kind::Earliest, 0};
    if (t == u"latest")
        return OffsetResetTarget {Kind::Latest, 0};
    if (t.startsWith(u"offset:")) {
        bool ok = false;
        const qint64 offset = t.mid(7).toLongLong(&ok);
        if (ok && offset >= 0)
            return OffsetResetTarget {Kind::Offset, offset};
        *why = u"\"%1\": an offset is a whole number ≥ 0, like offset:42"_s.arg(t);
        return std::nullopt;
    }
    const QDateTime time = QDateTime::fromString(t, Qt::ISODateWithMs);
    if (time.isValid() && (t.endsWith(u'Z') || t.contains(u'+') || t.lastIndexOf(u'-') > 10))
        return OffsetResetTarget {Kind::Timestamp, time.toMSecsSinceEpoch()};
    *why = time.isValid()
        ? u"\"%1\": give the time zone, like 2026-12-07T10:00:00Z"_s.arg(t)
        : u"\"%1\" is not earliest, latest, offset:N or an ISO 8601 time"_s.arg(t);
    return std::nullopt;
}

QString OffsetResetTarget::toString() const
{
    switch (kind) {
    case Kind::Earliest:
        return u"earliest"_s;
    case Kind::Latest:
        return u"latest"_s;
    case Kind::Offset:
        return u"offset:%1"_s.arg(value);
    case Kind::Timestamp:
        break;
    }
    return QDateTime::fromMSecsSinceEpoch(value, Qt::UTC).toString(Qt::ISODateWithMs);
}

QJsonObject OffsetResetPlan::toJson() const
{
    QJsonArray rows;
    for (const Partition &p : partitions)
        rows.append(
            QJsonObject {{u"partition"_s, p.partition},
                         {u"current"_s, p.current < 0 ? QJsonValue() : QJsonValue(p.current)},
                         {u"next"_s, p.next}});
    return {{u"group"_s, group},
            {u"topic"_s, topic},
            {u"to"_s, target.toString()},
            {u"partitions"_s, rows},
            {u"notes"_s, QJsonArray::fromStringList(notes)}};
}

OffsetReset::OffsetReset(ClusterProfile profile, std::chrono::milliseconds timeout, AuditLog audit)
    : m_profile(std::move(profile))
    , m_timeout(timeout)
    , m_audit(std::move(audit))
{ }

Result<OffsetResetPlan> OffsetReset::plan(const QString &group, const QString &topic,
                                          const OffsetResetTarget &target)
{
    // A consumer handle that never subscribes: it reads the group's commits, joins nothing.
    auto handle
        = KafkaHandle::create(m_profile, RD_KAFKA_CONSUMER,
                              {{u"group.id"_s, group}, {u"enable.auto.commit"_s, u"false"_s}});
    if (!handle)
        return handle.error();
    KafkaHandle &kafka = *handle.value();
    auto marks = topicWatermarks(kafka, topic, m_timeout);
    if (!marks)
        return marks.error();

    const QByteArray name = topic.toUtf8();
    const int count = int(marks->size());
    kafka::PartitionListPtr committed(rd_kafka_topic_partition_list_new(count));
    for (int p = 0; p < count; ++p)
        rd_kafka_topic_partition_list_add(committed.get(), name.constData(), p);
    if (const auto err = rd_kafka_committed(kafka.get(), committed.get(), kafka::toMs(m_timeout)))
        return kafka.errorFor(err, u"reading the offsets group %1 committed"_s.arg(group));
    // The browser's lookup reads the records where a broker cannot look a time up.
    QMap<int, qint64> atTime;
    if (target.kind == OffsetResetTarget::Kind::Timestamp) {
        auto browser = KafkaTopicBrowser::open(m_profile, topic, m_timeout);
        if (!browser)
            return browser.error();
        auto found = browser.value()->offsetsForTime(
            QDateTime::fromMSecsSinceEpoch(target.value, Qt::UTC));
        if (!found)
            return found.error();
        atTime = found.value();
    }

    OffsetResetPlan plan {group, topic, target, {}, {}};
    for (int p = 0; p < count; ++p) {
        const auto [low, high] = marks.value()[p];
        OffsetResetPlan::Partition row;
        row.partition = p;
        const qint64 current = committed->elems[p].offset;
        row.current = current >= 0 ? current : -1;
        switch (target.kind) {
        case OffsetResetTarget::Kind::Earliest:
            row.next = low;
            break;
        case OffsetResetTarget::Kind::Latest:
            row.next = high;
            break;
        case OffsetResetTarget::Kind::Offset:
            row.next = std::clamp(target.value, low, high);
            if (row.next != target.value)
                plan.notes << u"partition %1 holds offsets %2 to %3: offset %4 becomes %5"_s.arg(p)
                                  .arg(low)
                                  .arg(high)
                                  .arg(target.value)
                                  .arg(row.next);
            break;
        case OffsetResetTarget::Kind::Timestamp:
            // No record at or after the time: the end, where new records will come.
            row.next = atTime.value(p, high);
            break;
        }
        plan.partitions << row;
    }
    return plan;
}

Result<bool> OffsetReset::record(const OffsetResetPlan &plan, const QString &outcome,
                                 const QString &error)
{
    QJsonObject line {{u"action"_s, u"offsets.reset"_s},
                      {u"profile"_s, m_profile.name},
                      {u"plan"_s, plan.toJson()},
                      {u"outcome"_s, outcome}};
    if (!error.isEmpty())
        line.insert(u"error"_s, error);
    return m_audit.append(line);
}

void OffsetReset::recordDryRun(const OffsetResetPlan &plan)
{
    record(plan, u"dry-run"_s);
}

Result<OffsetResetPlan> OffsetReset::apply(const OffsetResetPlan &plan)
{
    if (m_profile.readOnly)
        return BrokerError::make(
            Kind::Configuration,
            u"profile \"%1\" is read-only: resetting the offsets of group %2 "
            "is refused (a dry run is allowed)"_s.arg(m_profile.name, plan.group));
    if (auto logged = record(plan, u"started"_s); !logged)
        return logged.error();
    const QByteArray topic = plan.topic.toUtf8();
    kafka::PartitionListPtr offsets(rd_kafka_topic_partition_list_new(int(plan.partitions.size())));
    for (const OffsetResetPlan::Partition &row : plan.partitions)
        rd_kafka_topic_partition_list_add(offsets.get(), topic.constData(), row.partition)->offset
            = row.next;
    Result<bool> committed = commitOffsetsWithoutJoining(m_profile, plan.group, offsets.get());
    if (!committed) {
        BrokerError error = committed.error();
        if (error.message.contains(u"member"_s, Qt::CaseInsensitive)
            || error.message.contains(u"generation"_s, Qt::CaseInsensitive)
            || error.message.contains(u"rebalanc"_s, Qt::CaseInsensitive))
            error.hint
                = u"group %1 has active members: stop its consumers, then reset"_s.arg(plan.group);
        record(plan, u"failed"_s, error.describe());
        return error;
    }
    record(plan, u"applied"_s);
    return plan;
}

} // namespace veltrix
