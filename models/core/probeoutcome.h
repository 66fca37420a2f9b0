#pragma once

#include <QList>
#include <QMetaType>
#include <QString>

#include <optional>

namespace veltrix {

enum class ProbeKind {
    KafkaEndToEnd, // produce -> consume through the probe topic
    RabbitPublishConsume, // publish -> consume through a temporary exclusive queue
    RabbitPublishConfirm, // publish -> publisher confirm
    RabbitRequestReply, // request -> response round trip over direct reply-to
};

// "kafka_e2e", "publish_consume", "publish_confirm", "request_reply": the CLI's "kind".
QString probeKindName(ProbeKind kind);
// "Kafka end-to-end", "publish→consume", ...: for legends.
QString probeKindTitle(ProbeKind kind);

// One probe message, resolved: it came back in time (latency) or it did not (expired).
struct ProbeOutcome
{
    ProbeKind kind = ProbeKind::KafkaEndToEnd;
    // Which path it measured within the kind: Kafka "partition 3" with broker 2 (the
    // partition's leader when it was sent); RabbitMQ empty.
    int partition = -1;
    int broker = -1;
    double sentAt = 0; // seconds since the epoch
    std::optional<double> latencyMs; // nullopt: not back within the deadline
};

// librdkafka's own view of one broker (from its statistics), milliseconds.
struct BrokerLatency
{
    QString broker; // the node id, "1"
    double rttP50 = 0; // request round trip
    double rttP99 = 0;
    double queueP50 = 0; // time requests waited in librdkafka's output queue ("outbuf_latency")
    double queueP99 = 0;
};

// RabbitMQ management's rates for one queue (messages per second) and its depth.
struct QueueRates
{
    QString vhost;
    QString queue;
    qint64 messages = -1;
    double publish = 0;
    double deliver = 0; // deliver_get
    double ack = 0;
    double redeliver = 0;
    // What retries the queue: the policy in force, its quorum delivery-limit and whether
    // it dead-letters (for the dashboards' retries panel).
    QString policy;
    std::optional<int> deliveryLimit;
    bool deadLetters = false;
};

// What one probe step gathered.
struct ProbeTick
{
    QList<ProbeOutcome> outcomes;
    QList<BrokerLatency> brokers; // Kafka: when a statistics interval ended in the step
    int sent = 0; // probe messages sent in the step
};

} // namespace veltrix

Q_DECLARE_METATYPE(veltrix::ProbeTick)
