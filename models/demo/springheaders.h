#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace veltrix::demo {

// The dead-letter and retry headers real services write, byte for byte, so the demo's
// topics carry every convention the console later parses. Sources (verified):
//  - Spring Kafka 3.x KafkaHeaders, DeadLetterPublishingRecoverer (DLPR),
//    retrytopic.DeadLetterPublishingRecovererFactory, RetryTopicHeaders, ErrorHandlingUtils
//  - Apache Kafka Connect runtime.errors.DeadLetterQueueReporter

struct KafkaHeader
{
    QByteArray name;
    QByteArray value; // a null QByteArray is a null header value
    friend bool operator==(const KafkaHeader &, const KafkaHeader &) = default;
};
using KafkaHeaderList = QList<KafkaHeader>;

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
inline constexpr char ConnectTaskId[] = "__connect.errors.task.id";
inline constexpr char ConnectStage[] = "__connect.errors.stage";
inline constexpr char ConnectClassName[] = "__connect.errors.class.name";
inline constexpr char ConnectExceptionClassName[] = "__connect.errors.exception.class.name";
inline constexpr char ConnectExceptionMessage[] = "__connect.errors.exception.message";
inline constexpr char ConnectExceptionStacktrace[] = "__connect.errors.exception.stacktrace";
} // namespace headers

// The consumed record that failed, as the recoverer sees it.
struct FailedRecord
{
    QString topic;
    qint32 partition = 0;
    qint64 offset = 0;
    qint64 timestamp = 0; // ms since the epoch
    QString timestampType = QStringLiteral("CreateTime"); // Java TimestampType.toString()
    QByteArray key;
    QString consumerGroup;
    KafkaHeaderList headers; // the record's own headers: every recoverer copies them along
};

// The exception Spring's recoverer receives: the thrown wrapper (for a listener that is
// ListenerExecutionFailedException) and its root cause, which Spring >= 3.0.7 finds by
// skipping nested ListenerExecutionFailedException / TimestampedException.
struct JavaException
{
    QString fqcn;
    QString message; // the wrapper's own message (Spring 6 no longer appends the cause's)
    QString causeFqcn; // empty: no cause
    QString causeMessage;
    QString stackTrace; // what Throwable.printStackTrace() prints, see javaStackTrace()
};

// One throwable of a cause chain, for javaStackTrace().
struct JavaThrowable
{
    QString fqcn;
    QString message; // null: Throwable.toString() prints the class name alone
    QStringList frames; // "com.shop.Foo.bar(Foo.java:42)"
};

// Throwable.printStackTrace() layout: "fqcn: message", "\tat frame" lines, then each cause
// as "Caused by: ..." with the frames it shares with its enclosing trace folded into
// "\t... n more". chain[0] is the outermost exception.
QString javaStackTrace(const QList<JavaThrowable> &chain);

// The exception Spring's recoverer receives when the @KafkaListener method `listenerMethod`
// (as Method.toGenericString() prints it) throws `root` (its frames: the application's).
// MessagingMessageListenerAdapter wraps it in ListenerExecutionFailedException("Listener
// method '...' threw exception"); under @RetryableTopic KafkaBackoffAwareMessageListenerAdapter
// adds TimestampedException("Exception thrown at <failedAt>") and the container's
// decorateException() LEFE("Listener failed"). The stack trace is that chain's.
JavaException springListenerFailure(const QString &listenerMethod, const JavaThrowable &root,
                                    bool retryableTopic, qint64 failedAtMs);

// The exception-message header text, as DLPR.buildMessage() (Spring Kafka >= 3.0.7) builds
// it: "message; causeMessage" when there is a distinct root cause.
QString springExceptionMessage(const JavaException &error);

// Blocking DefaultErrorHandler + DeadLetterPublishingRecoverer: the record's headers, then
// kafka_dlt-exception-*, then kafka_dlt-original-* (appended on every publication).
KafkaHeaderList blockingRecovererDltHeaders(const FailedRecord &record, const JavaException &error);

// @RetryableTopic forwarding from `record` (main topic or a retry topic) to the next topic.
// Like Spring: exception headers replace earlier ones, kafka_original-* are written once
// (by the first hop) and kept, and retry_topic-original-timestamp / -attempts /
// -backoff-timestamp are appended per hop (retainAllRetryHeaderValues, the default), with
// attempts = retryTopicAttempts(record.headers) + 1 and backoff = failedAtMs + delayMs.
KafkaHeaderList retryableTopicForwardHeaders(const FailedRecord &record, const JavaException &error,
                                             qint64 failedAtMs, qint64 delayMs);
// A hop to orders-retry-N: forwarding with the retry topic's backoff.
KafkaHeaderList retryTopicHeaders(const FailedRecord &record, const JavaException &error,
                                  qint64 failedAtMs, qint64 backoffMs);
// The last hop, to the -dlt topic: Spring's DLT destination has no delay.
KafkaHeaderList retryableTopicDltHeaders(const FailedRecord &record, const JavaException &error,
                                         qint64 failedAtMs);

// Kafka Connect sink with errors.tolerance=all and a DLQ with context headers.
struct ConnectError
{
    QString connectorName;
    int taskId = 0;
    QString stage; // Connect's Stage enum name: VALUE_CONVERTER, TASK_PUT, ...
    QString executingClass; // e.g. org.apache.kafka.connect.json.JsonConverter
    QString exceptionFqcn;
    QString message;
    QString stackTrace;
};
KafkaHeaderList connectDlqHeaders(const FailedRecord &record, const ConnectError &error);

// Lookups with Kafka's lastHeader() semantics.
std::optional<QByteArray> lastHeader(const KafkaHeaderList &list, QByteArrayView name);
// Spring's getAttempts(): the last retry_topic-attempts as a 4-byte (or legacy 1-byte) int
// in 1..32767; 1 when absent or malformed.
int retryTopicAttempts(const KafkaHeaderList &list);
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

} // namespace veltrix::demo
