#pragma once

#include "core/kafkaheader.h"
#include "deadletter/springkafkaheaders.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace veltrix::demo {

// The dead-letter and retry headers real services write, byte for byte, so the demo's
// topics carry every convention the console later parses. Sources (verified):
//  - Spring Kafka 3.x KafkaHeaders, DeadLetterPublishingRecoverer (DLPR),
//    retrytopic.DeadLetterPublishingRecovererFactory, RetryTopicHeaders, ErrorHandlingUtils
//  - Apache Kafka Connect runtime.errors.DeadLetterQueueReporter
// The header names (veltrix::headers) and the readers of Java's encodings live in
// deadletter/springkafkaheaders.h, next to the parser that reads them back.

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

} // namespace veltrix::demo
