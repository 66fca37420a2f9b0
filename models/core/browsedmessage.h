#pragma once

#include "deadletter.h"
#include "kafkaheader.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QVariantMap>

#include <optional>

namespace veltrix {

// One message read from a DLQ / DLT without consuming it, broker-neutral.
struct BrowsedMessage
{
    // Kafka: "<partition>:<offset>"; RabbitMQ: the message-id property, else
    // "#<position>"; streams: "@<offset>".
    QString id;
    int partition = -1; // Kafka
    qint64 offset = -1; // Kafka and RabbitMQ streams
    qint64 position = -1; // RabbitMQ classic/quorum: 0-based place in the queue when read

    std::optional<QByteArray> key; // Kafka; nullopt: a null key
    QDateTime timestamp; // Kafka record timestamp; AMQP timestamp property; invalid: none
    QByteArray payload; // at most the browse's payload cap
    qint64 payloadSize = 0; // the whole payload's size
    bool payloadTruncated() const { return payload.size() < payloadSize; }

    KafkaHeaderList kafkaHeaders; // Kafka record headers, in order
    QVariantMap amqpHeaders; // AMQP headers table, typed as amqpTableToVariantMap() gives it
    // AMQP properties and delivery facts: content_type, content_encoding, message_id,
    // correlation_id, reply_to, type, app_id, user_id, priority, delivery_mode, expiration,
    // exchange, routing_key, redelivered, delivery_count (quorum x-delivery-count).
    QVariantMap amqpProperties;

    DeadLetter deadLetter;
    // Fields the profile's masking replaced in this copy (payload, headers): such a copy
    // is for looking at, never for publishing back.
    int maskedFields = 0;

    // The time the table shows and filters by: the message's own, else when it died (an
    // AMQP message often carries no timestamp property).
    QDateTime shownTime() const
    {
        return timestamp.isValid() ? timestamp : deadLetter.lastFailedAt;
    }
};

using BrowsedMessageList = QList<BrowsedMessage>;

} // namespace veltrix

Q_DECLARE_METATYPE(veltrix::BrowsedMessage)
