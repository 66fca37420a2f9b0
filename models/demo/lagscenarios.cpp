#include "lagscenarios.h"

#include "demosettings.h"
#include "kafka/kafkaadmin.h"
#include "kafka/kafkahandle.h"

#include <librdkafka/rdkafka.h>

#include <memory>

namespace veltrix::demo {

using kafka::PartitionListPtr;
using kafka::toMs;

LagScenarios::LagScenarios(ClusterProfile profile)
    : m_profile(std::move(profile))
{ }

Result<bool> LagScenarios::setUp(std::chrono::milliseconds timeout)
{
    if (auto ok = commitPaymentsEnd(timeout); !ok)
        return ok;
    return fillAuditLog(timeout);
}

Result<bool> LagScenarios::commitPaymentsEnd(std::chrono::milliseconds timeout)
{
    auto handle = KafkaHandle::create(m_profile, RD_KAFKA_PRODUCER);
    if (!handle)
        return handle.error();
    rd_kafka_t *rk = handle.value()->get();
    const QByteArray topic = names::PaymentsTopic.toUtf8();
    const rd_kafka_metadata_t *raw = nullptr;
    std::unique_ptr<rd_kafka_topic_t, decltype(&rd_kafka_topic_destroy)> rkt(
        rd_kafka_topic_new(rk, topic.constData(), nullptr), rd_kafka_topic_destroy);
    if (const auto err = rd_kafka_metadata(rk, 0, rkt.get(), &raw, toMs(timeout)); err)
        return handle.value()->errorFor(err,
                                        QStringLiteral("metadata of %1").arg(names::PaymentsTopic));
    const kafka::MetadataPtr metadata(raw);
    const int partitions = metadata->topic_cnt == 1 ? metadata->topics[0].partition_cnt : 0;

    PartitionListPtr offsets(rd_kafka_topic_partition_list_new(partitions));
    for (int p = 0; p < partitions; ++p) {
        int64_t low = 0, high = 0;
        if (const auto err = rd_kafka_query_watermark_offsets(rk, topic.constData(), p, &low, &high,
                                                              toMs(timeout));
            err)
            return handle.value()->errorFor(err, QStringLiteral("log end of payments"));
        rd_kafka_topic_partition_list_add(offsets.get(), topic.constData(), p)->offset = high;
    }
    return commitOffsetsWithoutJoining(m_profile, names::FraudCheckGroup, offsets.get());
}

Result<bool> LagScenarios::fillAuditLog(std::chrono::milliseconds timeout)
{
    const QByteArray topic = names::AuditLogTopic.toUtf8();
    PartitionListPtr start(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_list_add(start.get(), topic.constData(), 0)->offset = 0;
    if (auto ok = commitOffsetsWithoutJoining(m_profile, names::AuditArchiverGroup, start.get());
        !ok)
        return ok;

    // One record per request (no batching), so the broker can drop the oldest ones.
    auto handle
        = KafkaHandle::create(m_profile, RD_KAFKA_PRODUCER,
                              {{QStringLiteral("linger.ms"), QStringLiteral("0")},
                               {QStringLiteral("batch.num.messages"), QStringLiteral("1")},
                               {QStringLiteral("message.max.bytes"), QStringLiteral("1000000")}});
    if (!handle)
        return handle.error();
    rd_kafka_t *rk = handle.value()->get();
    QByteArray record(AuditRecordBytes, 'a');
    for (int i = 0; i < AuditRecordCount; ++i) {
        record.replace(0, 8, QByteArray::number(i).rightJustified(8, '0'));
        const auto err
            = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic.constData()), RD_KAFKA_V_PARTITION(0),
                                RD_KAFKA_V_VALUE(record.data(), static_cast<size_t>(record.size())),
                                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        if (err)
            return handle.value()->errorFor(err, QStringLiteral("producing to audit-log"));
        rd_kafka_poll(rk, 0);
    }
    if (const auto err = rd_kafka_flush(rk, toMs(timeout)); err)
        return handle.value()->errorFor(err, QStringLiteral("flushing audit-log"));
    return true;
}

} // namespace veltrix::demo
