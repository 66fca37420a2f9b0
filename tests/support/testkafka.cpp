#include "testkafka.h"

#include "kafka/kafkahandle.h"

namespace veltrix::test {

Result<bool> produceCounts(const ClusterProfile &profile, const QString &topic,
                           const QList<int> &counts, const ProduceOptions &options)
{
    QMap<int, int> countsByPartition;
    for (int p = 0; p < counts.size(); ++p)
        countsByPartition.insert(p, counts[p]);
    return producePartitionCounts(profile, topic, countsByPartition, options);
}

Result<bool> producePartitionCounts(const ClusterProfile &profile, const QString &topic,
                                    const QMap<int, int> &countsByPartition,
                                    const ProduceOptions &options)
{
    auto producer = KafkaHandle::create(profile, RD_KAFKA_PRODUCER, options.producerProperties);
    if (!producer)
        return producer.error();
    rd_kafka_t *rk = producer.value()->get();
    const QByteArray name = topic.toUtf8();
    for (auto it = countsByPartition.cbegin(); it != countsByPartition.cend(); ++it) {
        const int partition = it.key();
        for (int i = 0; i < it.value(); ++i) {
            QByteArray value = options.valueSize >= 0
                ? QByteArray(options.valueSize, 'v')
                : QByteArray("record-") + QByteArray::number(i);
            const qint64 timestamp
                = options.timestampBase >= 0 ? options.timestampBase + partition * 1000 + i : 0;
            rd_kafka_resp_err_t err;
            // A full local queue only means "deliver some first": wait for room.
            while ((err = rd_kafka_producev(
                        rk, RD_KAFKA_V_TOPIC(name.constData()), RD_KAFKA_V_PARTITION(partition),
                        RD_KAFKA_V_VALUE(value.data(), static_cast<size_t>(value.size())),
                        RD_KAFKA_V_TIMESTAMP(timestamp), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                        RD_KAFKA_V_END))
                   == RD_KAFKA_RESP_ERR__QUEUE_FULL)
                rd_kafka_poll(rk, 50);
            if (err)
                return producer.value()->errorFor(err, QStringLiteral("producing to ") + topic);
        }
    }
    if (const auto err = rd_kafka_flush(rk, static_cast<int>(options.flushTimeout.count())); err)
        return producer.value()->errorFor(err, QStringLiteral("flushing ") + topic);
    return true;
}

Result<bool> produceRecords(const ClusterProfile &profile, const QString &topic,
                            const QList<TestRecord> &records,
                            const QMap<QString, QString> &producerProperties,
                            std::chrono::milliseconds flushTimeout)
{
    auto producer = KafkaHandle::create(profile, RD_KAFKA_PRODUCER, producerProperties);
    if (!producer)
        return producer.error();
    rd_kafka_t *rk = producer.value()->get();
    const QByteArray name = topic.toUtf8();
    for (const TestRecord &record : records) {
        rd_kafka_headers_t *headers
            = rd_kafka_headers_new(static_cast<size_t>(record.headers.size()));
        for (const KafkaHeader &header : record.headers)
            rd_kafka_header_add(headers, header.name.constData(), header.name.size(),
                                header.value.isNull() ? nullptr : header.value.constData(),
                                header.value.size());
        const char *key = record.key ? record.key->constData() : nullptr;
        const size_t keySize = record.key ? static_cast<size_t>(record.key->size()) : 0;
        rd_kafka_resp_err_t err;
        // A full local queue only means "deliver some first": wait for room.
        while (
            (err = rd_kafka_producev(
                 rk, RD_KAFKA_V_TOPIC(name.constData()), RD_KAFKA_V_PARTITION(record.partition),
                 RD_KAFKA_V_KEY(key, keySize),
                 RD_KAFKA_V_VALUE(
                     record.value.isNull() ? nullptr : const_cast<char *>(record.value.constData()),
                     static_cast<size_t>(record.value.size())),
                 RD_KAFKA_V_TIMESTAMP(record.timestamp), RD_KAFKA_V_HEADERS(headers),
                 RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END))
            == RD_KAFKA_RESP_ERR__QUEUE_FULL)
            rd_kafka_poll(rk, 50);
        if (err) {
            rd_kafka_headers_destroy(headers); // producev took them only on success
            return producer.value()->errorFor(err, QStringLiteral("producing to ") + topic);
        }
    }
    if (const auto err = rd_kafka_flush(rk, static_cast<int>(flushTimeout.count())); err)
        return producer.value()->errorFor(err, QStringLiteral("flushing ") + topic);
    return true;
}

Result<bool> commitOffsets(const ClusterProfile &profile, const QString &group,
                           const QHash<TopicPartition, qint64> &offsets)
{
    rd_kafka_topic_partition_list_t *list
        = rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size()));
    for (auto it = offsets.cbegin(); it != offsets.cend(); ++it)
        rd_kafka_topic_partition_list_add(list, it.key().topic.toUtf8().constData(),
                                          it.key().partition)
            ->offset
            = it.value();
    auto committed = commitOffsetsWithoutJoining(profile, group, list);
    rd_kafka_topic_partition_list_destroy(list);
    return committed;
}

Result<bool> commitOffsets(const ClusterProfile &profile, const QString &group,
                           const QString &topic, const QList<QPair<int, qint64>> &offsets)
{
    QHash<TopicPartition, qint64> byPartition;
    for (const auto &[partition, offset] : offsets)
        byPartition.insert({topic, partition}, offset);
    return commitOffsets(profile, group, byPartition);
}

QList<qint64> committedOffsets(const ClusterProfile &profile, const QString &group,
                               const QString &topic, int partitions)
{
    // Read with a bare consumer of the group (never joining it), not with the code under test.
    auto consumer
        = KafkaHandle::create(profile, RD_KAFKA_CONSUMER,
                              {{QStringLiteral("group.id"), group},
                               {QStringLiteral("enable.auto.commit"), QStringLiteral("false")}});
    if (!consumer)
        return {};
    const QByteArray name = topic.toUtf8();
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(partitions);
    for (int p = 0; p < partitions; ++p)
        rd_kafka_topic_partition_list_add(list, name.constData(), p);
    QList<qint64> out;
    if (!rd_kafka_committed(consumer.value()->get(), list, 10000)) {
        for (int i = 0; i < list->cnt; ++i)
            out << (list->elems[i].offset >= 0 ? qint64(list->elems[i].offset) : qint64(-1));
    }
    rd_kafka_topic_partition_list_destroy(list);
    return out;
}

} // namespace veltrix::test
