#include "kafkatopiclayout.h"

#include "kafkaadmin.h"
#include "kafkahandle.h"

#include <algorithm>

namespace veltrix::kafka {

Result<QList<TopicOffsets>> readTopicLayout(KafkaHandle *kafka, std::chrono::milliseconds timeout)
{
    const rd_kafka_metadata_t *raw = nullptr;
    const rd_kafka_resp_err_t err
        = rd_kafka_metadata(kafka->get(), 1 /* all topics */, nullptr, &raw, toMs(timeout));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        return kafka->errorFor(err, QStringLiteral("metadata request"));
    const MetadataPtr metadata(raw);

    QList<TopicOffsets> topics;
    topics.reserve(metadata->topic_cnt);
    for (int i = 0; i < metadata->topic_cnt; ++i) {
        const rd_kafka_metadata_topic_t &t = metadata->topics[i];
        if (t.err != RD_KAFKA_RESP_ERR_NO_ERROR && t.partition_cnt == 0)
            continue; // e.g. a topic being deleted: nothing to measure
        TopicOffsets topic;
        topic.name = QString::fromUtf8(t.topic);
        // librdkafka 2.0.2's metadata does not say which topics are internal; Kafka's own
        // are the "__" ones, as in KafkaClusterClient.
        topic.internal = topic.name.startsWith(QLatin1String("__"));
        topic.partitions.reserve(t.partition_cnt);
        for (int j = 0; j < t.partition_cnt; ++j) {
            const rd_kafka_metadata_partition_t &p = t.partitions[j];
            TopicPartitionOffsets offsets;
            offsets.partition = p.id;
            offsets.leader = p.leader; // -1 when the partition has none
            offsets.replicas = QList<int>(p.replicas, p.replicas + p.replica_cnt);
            offsets.isr = QList<int>(p.isrs, p.isrs + p.isr_cnt);
            topic.partitions.append(std::move(offsets));
        }
        std::sort(topic.partitions.begin(), topic.partitions.end(),
                  [](const auto &a, const auto &b) { return a.partition < b.partition; });
        topics.append(std::move(topic));
    }
    std::sort(topics.begin(), topics.end(),
              [](const TopicOffsets &a, const TopicOffsets &b) { return a.name < b.name; });
    return topics;
}

QHash<TopicPartition, qint64> listOffsets(rd_kafka_t *rk, const QList<TopicOffsets> &topics,
                                          int64_t kind, std::chrono::milliseconds timeout)
{
    PartitionListPtr list(rd_kafka_topic_partition_list_new(0));
    for (const TopicOffsets &topic : topics) {
        const QByteArray name = topic.name.toUtf8();
        for (const TopicPartitionOffsets &p : topic.partitions)
            if (p.leader >= 0) // librdkafka would wait out the timeout for a leader
                rd_kafka_topic_partition_list_add(list.get(), name.constData(), p.partition)->offset
                    = kind;
    }
    QHash<TopicPartition, qint64> found;
    if (list->cnt == 0)
        return found;
    // A partial answer (some leaders down) still fills what came back; the rest stay -1
    // and the evaluator flags them as unavailable.
    rd_kafka_offsets_for_times(rk, list.get(), toMs(timeout));
    found.reserve(list->cnt);
    for (int i = 0; i < list->cnt; ++i) {
        const rd_kafka_topic_partition_t &p = list->elems[i];
        if (p.err == RD_KAFKA_RESP_ERR_NO_ERROR && p.offset >= 0)
            found.insert({QString::fromUtf8(p.topic), p.partition}, p.offset);
    }
    return found;
}

} // namespace veltrix::kafka
