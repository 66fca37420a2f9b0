#include "testkafka.h"

#include "kafka/kafkahandle.h"

namespace veltrix::test {

Result<bool> produceCounts(const ClusterProfile &profile, const QString &topic,
                           const QList<int> &counts)
{
    auto producer = KafkaHandle::create(profile, RD_KAFKA_PRODUCER);
    if (!producer)
        return producer.error();
    rd_kafka_t *rk = producer.value()->get();
    const QByteArray name = topic.toUtf8();
    for (int p = 0; p < counts.size(); ++p) {
        for (int i = 0; i < counts[p]; ++i) {
            QByteArray value = QByteArray("record-") + QByteArray::number(i);
            const rd_kafka_resp_err_t err = rd_kafka_producev(
                rk, RD_KAFKA_V_TOPIC(name.constData()), RD_KAFKA_V_PARTITION(p),
                RD_KAFKA_V_VALUE(value.data(), static_cast<size_t>(value.size())),
                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
            if (err)
                return producer.value()->errorFor(err, QStringLiteral("producing to ") + topic);
        }
    }
    if (const auto err = rd_kafka_flush(rk, 15000); err)
        return producer.value()->errorFor(err, QStringLiteral("flushing ") + topic);
    return true;
}

Result<bool> commitOffsets(const ClusterProfile &profile, const QString &group,
                           const QString &topic, const QList<QPair<int, qint64>> &offsets)
{
    auto consumer
        = KafkaHandle::create(profile, RD_KAFKA_CONSUMER,
                              {{QStringLiteral("group.id"), group},
                               {QStringLiteral("enable.auto.commit"), QStringLiteral("false")}});
    if (!consumer)
        return consumer.error();
    const QByteArray name = topic.toUtf8();
    rd_kafka_topic_partition_list_t *list
        = rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size()));
    for (const auto &[partition, offset] : offsets)
        rd_kafka_topic_partition_list_add(list, name.constData(), partition)->offset = offset;
    const rd_kafka_resp_err_t err = rd_kafka_commit(consumer.value()->get(), list, 0 /* sync */);
    rd_kafka_topic_partition_list_destroy(list);
    if (err)
        return consumer.value()->errorFor(err, QStringLiteral("committing for ") + group);
    return true;
}

} // namespace veltrix::test
