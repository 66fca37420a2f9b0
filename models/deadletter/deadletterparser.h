#pragma once

#include "core/deadletter.h"
#include "core/kafkaheader.h"

#include <QDateTime>
#include <QVariantMap>

namespace veltrix {

// Reads the dead-letter conventions out of broker-supplied headers. Never throws or
// crashes on malformed input: what cannot be parsed becomes a DeadLetter warning.

// Kafka record headers: Spring Kafka (both recoverer families) and Kafka Connect.
// recordTimestamp is the dead-letter record's own timestamp, the time it was published
// to the DLT: the last failure when the convention records no better one.
DeadLetter parseKafkaDeadLetter(const KafkaHeaderList &headers, const QDateTime &recordTimestamp);

// AMQP headers table (amqpTableToVariantMap()): x-death and x-first-death-* /
// x-last-death-*.
DeadLetter parseRabbitDeadLetter(const QVariantMap &headers);

} // namespace veltrix
