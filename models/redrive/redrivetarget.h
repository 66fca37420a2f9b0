#pragma once

#include "core/browsedmessage.h"
#include "core/kafkaheader.h"
#include "rabbitmq/amqpconnection.h"
#include "redriverequest.h"

#include <QDateTime>
#include <QString>

#include <optional>

namespace veltrix {

// Where one message is published: a Kafka topic, or a RabbitMQ exchange and routing key
// (the default exchange "" with the queue's name delivers to exactly that queue).
struct RedriveTarget
{
    QString topic;
    QString exchange;
    QString routingKey;
    // "topic orders", "queue orders", "exchange shop/order.created": the report's key.
    QString describe() const;
    bool operator==(const RedriveTarget &) const = default;
};

struct TargetResolution
{
    std::optional<RedriveTarget> target;
    QString why; // no target: why not, in words
};

// Where `message`, read from `source`, goes for `destination`. The original destination
// of a RabbitMQ dead letter is the queue whose consumer gave up on it (the latest
// "rejected" or "delivery_limit" death), published through the default exchange so it
// reaches that queue alone and not every queue bound to the original exchange again.
// Without dead-letter metadata, or when it names the DLQ itself, there is no target.
TargetResolution resolveRedriveTarget(const BrowsedMessage &message, const DlqSource &source,
                                      const RedriveDestination &destination);

inline const QString RedrivenAtHeader = QStringLiteral("x-veltrix-redriven-at");
inline const QString RedriveCountHeader = QStringLiteral("x-veltrix-redrive-count");
inline const QString PreviousDeathHeader = QStringLiteral("x-veltrix-previous-death");

// The properties a redriven RabbitMQ message is published with: the original's (content
// type, ids, priority, delivery mode, timestamp, headers...) plus when it was redriven and
// how often, with the dead-letter history handled as asked. user_id is dropped: the broker
// refuses a publish whose user_id is not the connection's user.
AmqpMessageProperties redriveProperties(const AmqpMessageProperties &original, DeathHistory history,
                                        const QDateTime &now);
// The same for a Kafka record's headers: all kept, in order, the two redrive headers
// replaced at the end.
KafkaHeaderList redriveKafkaHeaders(const KafkaHeaderList &original, const QDateTime &now);

} // namespace veltrix
