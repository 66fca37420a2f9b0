#include "kafkadlqfinder.h"

#include "kafka/kafkahandle.h"
#include "kafka/kafkatopiclayout.h"

namespace veltrix {

using namespace Qt::StringLiterals;

QList<DlqInfo> findKafkaDlqs(const QString &clusterName, const QList<TopicOffsets> &topics,
                             const QStringList &patterns)
{
    QList<DlqInfo> found;
    for (const TopicOffsets &topic : topics) {
        const QString pattern = matchingDeadLetterPattern(topic.name, patterns);
        if (topic.internal || pattern.isEmpty())
            continue;
        DlqInfo info;
        info.source = {ClusterKind::Kafka, clusterName, {}, topic.name};
        info.retry = topic.name.contains(u"retry"_s);
        info.why = u"name matches "_s + pattern;
        info.partitions = int(topic.partitions.size());
        qint64 depth = 0, arrived = 0;
        bool complete = true;
        for (const TopicPartitionOffsets &p : topic.partitions) {
            if (p.startOffset < 0 || p.endOffset < 0) {
                complete = false; // no leader: a partial sum would read as a drop in depth
                continue;
            }
            depth += p.endOffset - p.startOffset;
            arrived += p.endOffset;
        }
        info.depth = complete ? depth : -1;
        info.arrivedTotal = complete ? arrived : -1;
        found.append(info);
    }
    return found;
}

Result<QList<DlqInfo>> fetchKafkaDlqs(KafkaHandle &kafka, const QStringList &patterns,
                                      std::chrono::milliseconds timeout)
{
    auto layout = kafka::readTopicLayout(&kafka, timeout);
    if (!layout)
        return layout.error();
    QList<TopicOffsets> topics;
    for (TopicOffsets &topic : layout.value())
        if (!topic.internal && !matchingDeadLetterPattern(topic.name, patterns).isEmpty())
            topics.append(std::move(topic));
    const auto starts = kafka::listOffsets(kafka.get(), topics, RD_KAFKA_OFFSET_BEGINNING, timeout);
    const auto ends = kafka::listOffsets(kafka.get(), topics, RD_KAFKA_OFFSET_END, timeout);
    for (TopicOffsets &topic : topics) {
        for (TopicPartitionOffsets &p : topic.partitions) {
            const TopicPartition key {topic.name, p.partition};
            p.startOffset = starts.value(key, -1);
            p.endOffset = ends.value(key, -1);
        }
    }
    return findKafkaDlqs(kafka.clusterName(), topics, patterns);
}

} // namespace veltrix
