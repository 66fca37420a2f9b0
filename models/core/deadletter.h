#pragma once

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

namespace veltrix {

// Which convention a dead letter's metadata follows. A message can carry several (a
// Connect DLQ record re-dead-lettered by a Spring consumer); the parser picks the one
// that describes the latest failure and keeps every raw header regardless.
enum class DeadLetterConvention {
    None, // no dead-letter metadata found
    RabbitXDeath, // x-death / x-first-death-* / x-last-death-*
    SpringBlocking, // kafka_dlt-original-* / kafka_dlt-exception-* (DeadLetterPublishingRecoverer)
    SpringRetryable, // kafka_original-* / kafka_exception-* / retry_topic-* (@RetryableTopic)
    KafkaConnect, // __connect.errors.*
};
QString deadLetterConventionName(DeadLetterConvention convention); // "x-death", "spring-dlt", ...

// One entry of RabbitMQ's x-death array: one (queue, reason) pair the message died at.
struct XDeathEntry
{
    qint64 count = 0;
    QString reason; // rejected, expired, maxlen, delivery_limit
    QString queue;
    QString exchange;
    QStringList routingKeys;
    QDateTime time; // invalid when absent
    friend bool operator==(const XDeathEntry &, const XDeathEntry &) = default;
};

// What a dead letter says about why it died and where it came from, in one shape for
// every convention. Fields a convention does not record stay empty / -1 / invalid.
struct DeadLetter
{
    DeadLetterConvention convention = DeadLetterConvention::None;

    // Where the message was headed when it failed: the Kafka topic, or the RabbitMQ
    // queue it first died in (x-first-death-queue).
    QString originalDestination;
    // Kafka
    int originalPartition = -1;
    qint64 originalOffset = -1;
    QDateTime originalTimestamp; // the failed record's own timestamp
    QString originalConsumerGroup;
    // RabbitMQ: how it was first published (x-first-death-exchange / routing-keys)
    QString originalExchange;
    QStringList originalRoutingKeys;

    QString reason; // RabbitMQ: rejected/expired/maxlen/delivery_limit; Connect: the stage;
                    // Spring: "retries exhausted" (@RetryableTopic) or "listener failed"
                    // (the blocking recoverer)
    QString exceptionClass; // the root cause's class when the convention records it
    QString exceptionMessage;
    QString stackTrace;
    QString connectorName; // Kafka Connect: connector and task
    int connectTaskId = -1;

    // Failed deliveries; -1: not recorded. RabbitMQ: the x-death counts summed; Spring
    // @RetryableTopic: retry_topic-attempts - 1 (Spring writes attempts + 1 per hop).
    int attempts = -1;
    QDateTime firstFailedAt; // invalid: not recorded
    QDateTime lastFailedAt;

    QList<XDeathEntry> deaths; // RabbitMQ, most recent first as the broker keeps them

    // Metadata that was present but malformed ("x-death[1].count: expected a number, got
    // text"); the raw headers are still shown. Empty when everything parsed.
    QStringList warnings;

    bool isDeadLetter() const { return convention != DeadLetterConvention::None; }
    friend bool operator==(const DeadLetter &, const DeadLetter &) = default;
};

} // namespace veltrix
