#include "kafkatopiccreator.h"

#include "kafkahandle.h"

namespace veltrix {

using namespace Qt::StringLiterals;

Result<bool> createKafkaTopic(KafkaHandle &handle, const QString &topicName, int partitions,
                              int replicationFactor, const QList<QPair<QString, QString>> &configs,
                              std::chrono::milliseconds timeout)
{
    char errstr[256];
    const QByteArray name = topicName.toUtf8();
    rd_kafka_NewTopic_t *topic = rd_kafka_NewTopic_new(name.constData(), partitions,
                                                       replicationFactor, errstr, sizeof errstr);
    if (!topic)
        return BrokerError::make(BrokerError::Kind::Configuration, QString::fromUtf8(errstr));
    for (const auto &[key, value] : configs)
        rd_kafka_NewTopic_set_config(topic, key.toUtf8().constData(), value.toUtf8().constData());
    rd_kafka_queue_t *queue = rd_kafka_queue_new(handle.get());
    rd_kafka_CreateTopics(handle.get(), &topic, 1, nullptr, queue);
    rd_kafka_event_t *event = rd_kafka_queue_poll(queue, int(timeout.count()));
    rd_kafka_NewTopic_destroy(topic);
    Result<bool> outcome = true;
    if (!event) {
        outcome = BrokerError::make(
            BrokerError::Kind::Timeout,
            u"%1: creating topic %2 timed out"_s.arg(handle.clusterName(), topicName));
    } else if (const rd_kafka_CreateTopics_result_t *result
               = rd_kafka_event_CreateTopics_result(event)) {
        size_t count = 0;
        const rd_kafka_topic_result_t **topics
            = rd_kafka_CreateTopics_result_topics(result, &count);
        const rd_kafka_resp_err_t err
            = count == 1 ? rd_kafka_topic_result_error(topics[0]) : rd_kafka_event_error(event);
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS
            && err != RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE
            && err != RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION)
            outcome = BrokerError::make(
                BrokerError::Kind::AccessDenied,
                u"%1: cannot create topic %2: %3"_s.arg(handle.clusterName(), topicName,
                                                        QString::fromUtf8(rd_kafka_err2str(err))));
    }
    if (event)
        rd_kafka_event_destroy(event);
    rd_kafka_queue_destroy(queue);
    return outcome;
}

} // namespace veltrix
