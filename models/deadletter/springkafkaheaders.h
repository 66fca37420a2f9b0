#pragma once

#include "core/kafkaheader.h"

#include <QByteArray>
#include <QByteArrayView>

#include <optional>

namespace veltrix {

// The dead-letter and retry header names Spring Kafka and Kafka Connect write, and
// readers for Java's binary encodings of their values. Sources (verified):
//  - Spring Kafka 3.x KafkaHeaders, DeadLetterPublishingRecoverer (DLPR),
//    retrytopic.DeadLetterPublishingRecovererFactory, RetryTopicHeaders
//  - Apache Kafka Connect runtime.errors.DeadLetterQueueReporter
namespace headers {
// Blocking DefaultErrorHandler + DeadLetterPublishingRecoverer (KafkaHeaders.DLT_*).
inline constexpr char DltOriginalTopic[] = "kafka_dlt-original-topic";
inline constexpr char DltOriginalPartition[] = "kafka_dlt-original-partition"; // int, 4 bytes BE
inline constexpr char DltOriginalOffset[] = "kafka_dlt-original-offset"; // long, 8 bytes BE
inline constexpr char DltOriginalTimestamp[] = "kafka_dlt-original-timestamp"; // long, 8 bytes BE
inline constexpr char DltOriginalTimestampType[] = "kafka_dlt-original-timestamp-type";
inline constexpr char DltOriginalConsumerGroup[] = "kafka_dlt-original-consumer-group";
inline constexpr char DltExceptionFqcn[] = "kafka_dlt-exception-fqcn";
inline constexpr char DltExceptionCauseFqcn[] = "kafka_dlt-exception-cause-fqcn";
inline constexpr char DltExceptionMessage[] = "kafka_dlt-exception-message";
inline constexpr char DltExceptionStacktrace[] = "kafka_dlt-exception-stacktrace";
// @RetryableTopic: its recoverer factory swaps in KafkaHeaders.ORIGINAL_* / EXCEPTION_*.
inline constexpr char OriginalTopic[] = "kafka_original-topic";
inline constexpr char OriginalPartition[] = "kafka_original-partition";
inline constexpr char OriginalOffset[] = "kafka_original-offset";
inline constexpr char OriginalTimestamp[] = "kafka_original-timestamp";
inline constexpr char OriginalTimestampType[] = "kafka_original-timestamp-type";
inline constexpr char OriginalConsumerGroup[] = "kafka_original-consumer-group";
inline constexpr char ExceptionFqcn[] = "kafka_exception-fqcn";
inline constexpr char ExceptionCauseFqcn[] = "kafka_exception-cause-fqcn";
inline constexpr char ExceptionMessage[] = "kafka_exception-message";
inline constexpr char ExceptionStacktrace[] = "kafka_exception-stacktrace";
// RetryTopicHeaders.
inline constexpr char RetryAttempts[] = "retry_topic-attempts"; // int, 4 bytes BE
inline constexpr char RetryBackoffTimestamp[] = "retry_topic-backoff-timestamp"; // BigInteger
inline constexpr char RetryOriginalTimestamp[] = "retry_topic-original-timestamp"; // BigInteger
// Kafka Connect DeadLetterQueueReporter (errors.deadletterqueue.context.headers.enable).
inline constexpr char ConnectTopic[] = "__connect.errors.topic";
inline constexpr char ConnectPartition[] = "__connect.errors.partition"; // decimal text
inline constexpr char ConnectOffset[] = "__connect.errors.offset"; // decimal text
inline constexpr char ConnectConnectorName[] = "__connect.errors.connector.name";
inline constexpr char ConnectTaskId[] = "__connect.errors.task.id"; // decimal text
inline constexpr char ConnectStage[] = "__connect.errors.stage";
inline constexpr char ConnectClassName[] = "__connect.errors.class.name";
inline constexpr char ConnectExceptionClassName[] = "__connect.errors.exception.class.name";
inline constexpr char ConnectExceptionMessage[] = "__connect.errors.exception.message";
inline constexpr char ConnectExceptionStacktrace[] = "__connect.errors.exception.stacktrace";
} // namespace headers

// Lookups with Kafka's lastHeader() semantics: the value of the last header of that name
// (a null QByteArray when that header's value is null).
std::optional<QByteArray> lastHeader(const KafkaHeaderList &list, QByteArrayView name);
// Spring's getAttempts(): the last retry_topic-attempts as a 4-byte (or legacy 1-byte) int
// in 1..32767; 1 when absent or malformed.
int retryTopicAttempts(const KafkaHeaderList &list);
inline constexpr int RetryTopicAttemptsHardCap = 32767; // Spring's Short.MAX_VALUE
// The last retry_topic-backoff-timestamp (ms since the epoch), when present and valid.
std::optional<qint64> retryTopicBackoffTimestamp(const KafkaHeaderList &list);

// Java's ByteBuffer.putInt / putLong: fixed-size big-endian two's complement.
QByteArray bigEndian32(qint32 value);
QByteArray bigEndian64(qint64 value);
std::optional<qint32> fromBigEndian32(QByteArrayView bytes); // exactly 4 bytes
std::optional<qint64> fromBigEndian64(QByteArrayView bytes); // exactly 8 bytes
// Java's BigInteger.valueOf(v).toByteArray(): minimal big-endian two's complement (1..8
// bytes), which Spring uses for the retry_topic timestamps.
QByteArray javaBigIntegerBytes(qint64 value);
std::optional<qint64> fromJavaBigIntegerBytes(QByteArrayView bytes); // 1..8 bytes

} // namespace veltrix
