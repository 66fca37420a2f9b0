#include "dlqpurge.h"

#include "kafka/kafkaadmin.h"
#include "kafka/kafkahandle.h"
#include "rabbitmq/amqpconnection.h"
#include "topicwatermarks.h"

#include <QJsonObject>

namespace veltrix {

using namespace Qt::StringLiterals;

namespace {

using Kind = BrokerError::Kind;

} // namespace

DlqPurge::DlqPurge(ClusterProfile profile, std::chrono::milliseconds timeout, AuditLog audit)
    : m_profile(std::move(profile))
    , m_timeout(timeout)
    , m_audit(std::move(audit))
{ }

Result<bool> DlqPurge::record(const DlqSource &source, const QString &outcome, qint64 messages,
                              const QString &error)
{
    QJsonObject line {{u"action"_s, u"dlq.purge"_s},
                      {u"profile"_s, m_profile.name},
                      {u"source"_s, source.toString()},
                      {u"outcome"_s, outcome},
                      {u"messages"_s, messages}};
    if (!error.isEmpty())
        line.insert(u"error"_s, error);
    return m_audit.append(line);
}

Result<PurgeOutcome> DlqPurge::run(const DlqSource &source, bool dryRun)
{
    if (!dryRun && m_profile.readOnly)
        return BrokerError::make(Kind::Configuration,
                                 u"profile \"%1\" is read-only: purging %2 is refused (a dry run "
                                 "is allowed)"_s.arg(m_profile.name, source.toString()));
    // The count first, always: it is the dry run's answer and the audit line's promise.
    const Result<qint64> counted
        = source.kind == ClusterKind::RabbitMq ? rabbit(source, true) : kafka(source, true);
    if (!counted)
        return counted.error();
    if (dryRun) {
        record(source, u"dry-run"_s, counted.value());
        return PurgeOutcome {source, true, counted.value()};
    }
    // No line in the log, no purge.
    if (auto logged = record(source, u"started"_s, counted.value()); !logged)
        return logged.error();
    const Result<qint64> removed
        = source.kind == ClusterKind::RabbitMq ? rabbit(source, false) : kafka(source, false);
    record(source, removed ? u"purged"_s : u"failed"_s, removed ? removed.value() : 0,
           removed ? QString() : removed.error().describe());
    if (!removed)
        return removed.error();
    return PurgeOutcome {source, false, removed.value()};
}

Result<qint64> DlqPurge::rabbit(const DlqSource &source, bool dryRun)
{
    auto endpoint = AmqpEndpoint::forProfile(m_profile);
    if (!endpoint)
        return endpoint.error();
    endpoint.value().vhost = source.vhost; // the source's, whatever vhost the URI names
    auto amqp = AmqpConnection::open(m_profile.name, endpoint.value(), m_timeout);
    if (!amqp)
        return amqp.error();
    if (dryRun) {
        auto counts = amqp.value()->inspectQueue(source.name);
        if (!counts)
            return counts.error();
        return counts->messages;
    }
    return amqp.value()->purgeQueue(source.name);
}

Result<qint64> DlqPurge::kafka(const DlqSource &source, bool dryRun)
{
    auto handle = KafkaHandle::create(m_profile, RD_KAFKA_PRODUCER);
    if (!handle)
        return handle.error();
    KafkaHandle &kafka = *handle.value();
    auto marks = topicWatermarks(kafka, source.name, m_timeout);
    if (!marks)
        return marks.error();
    qint64 total = 0;
    for (const auto &[low, high] : marks.value())
        total += std::max<qint64>(0, high - low);
    if (dryRun || total == 0)
        return total;

    const QByteArray topic = source.name.toUtf8();
    kafka::PartitionListPtr offsets(rd_kafka_topic_partition_list_new(int(marks->size())));
    for (int p = 0; p < marks->size(); ++p)
        rd_kafka_topic_partition_list_add(offsets.get(), topic.constData(), p)->offset
            = marks.value()[p].second;
    rd_kafka_DeleteRecords_t *request = rd_kafka_DeleteRecords_new(offsets.get());
    const kafka::QueuePtr queue(rd_kafka_queue_new(kafka.get()));
    const kafka::OptionsPtr options
        = kafka::adminOptions(kafka.get(), RD_KAFKA_ADMIN_OP_DELETERECORDS, m_timeout);
    rd_kafka_DeleteRecords(kafka.get(), &request, 1, options.get(), queue.get());
    rd_kafka_DeleteRecords_destroy(request);
    const kafka::EventPtr event(
        rd_kafka_queue_poll(queue.get(), kafka::toMs(m_timeout + kafka::AdminGrace)));
    if (!event)
        return BrokerError::make(Kind::Timeout,
                                 u"%1: deleting the records of %2 got no answer in time"_s.arg(
                                     m_profile.name, source.name));
    if (const auto err = rd_kafka_event_error(event.get()))
        return kafka.errorFor(err, u"deleting the records of %1"_s.arg(source.name));
    const rd_kafka_topic_partition_list_t *result
        = rd_kafka_DeleteRecords_result_offsets(rd_kafka_event_DeleteRecords_result(event.get()));
    for (int i = 0; result && i < result->cnt; ++i) {
        if (result->elems[i].err)
            return kafka.errorFor(result->elems[i].err,
                                  u"deleting the records of %1 [%2]"_s.arg(source.name)
                                      .arg(result->elems[i].partition));
    }
    return total;
}

} // namespace veltrix
