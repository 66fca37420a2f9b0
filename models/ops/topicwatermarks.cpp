#include "topicwatermarks.h"

#include "kafka/kafkaadmin.h"
#include "kafka/kafkahandle.h"

namespace veltrix {

using namespace Qt::StringLiterals;

Result<QList<std::pair<qint64, qint64>>> topicWatermarks(KafkaHandle &kafka, const QString &topic,
                                                         std::chrono::milliseconds timeout)
{
    const QByteArray name = topic.toUtf8();
    rd_kafka_topic_t *handle = rd_kafka_topic_new(kafka.get(), name.constData(), nullptr);
    const rd_kafka_metadata_t *raw = nullptr;
    const rd_kafka_resp_err_t err
        = rd_kafka_metadata(kafka.get(), 0, handle, &raw, kafka::toMs(timeout));
    rd_kafka_topic_destroy(handle);
    if (err)
        return kafka.errorFor(err, u"reading topic %1"_s.arg(topic));
    const kafka::MetadataPtr metadata(raw);
    if (metadata->topic_cnt != 1 || metadata->topics[0].err
        || metadata->topics[0].partition_cnt == 0)
        return BrokerError::make(BrokerError::Kind::Other,
                                 u"%1: no topic \"%2\""_s.arg(kafka.clusterName(), topic));
    QList<std::pair<qint64, qint64>> out(metadata->topics[0].partition_cnt);
    for (int i = 0; i < metadata->topics[0].partition_cnt; ++i) {
        const int partition = metadata->topics[0].partitions[i].id;
        if (partition < 0 || partition >= out.size())
            continue;
        int64_t low = 0, high = 0;
        if (const auto e = rd_kafka_query_watermark_offsets(
                kafka.get(), name.constData(), partition, &low, &high, kafka::toMs(timeout)))
            return kafka.errorFor(e, u"reading the offsets of %1 [%2]"_s.arg(topic).arg(partition));
        out[partition] = {low, high};
    }
    return out;
}

} // namespace veltrix
