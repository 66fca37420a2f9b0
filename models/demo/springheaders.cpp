#include "springheaders.h"

#include <QDateTime>

namespace veltrix::demo {

namespace {

void add(KafkaHeaderList &list, const char *name, QByteArray value)
{
    list.append({QByteArray(name), std::move(value)});
}

void add(KafkaHeaderList &list, const char *name, const QString &value)
{
    // Java's String.getBytes(UTF_8); a null Java string becomes a null header value.
    add(list, name, value.isNull() ? QByteArray() : value.toUtf8());
}

bool has(const KafkaHeaderList &list, const char *name)
{
    return lastHeader(list, QByteArrayView(name)).has_value();
}

// DLPR.appendOrReplace() with stripPreviousExceptionHeaders (the default since 2.7.9):
// earlier values of the header go, the new one is appended at the end.
void replace(KafkaHeaderList &list, const char *name, const QString &value)
{
    list.removeIf([name](const KafkaHeader &h) { return h.name == name; });
    add(list, name, value);
}

struct SpringNames
{
    const char *exceptionFqcn, *exceptionCauseFqcn, *exceptionMessage, *exceptionStacktrace;
    const char *topic, *partition, *offset, *timestamp, *timestampType, *consumerGroup;
};

constexpr SpringNames DltNames {
    headers::DltExceptionFqcn,         headers::DltExceptionCauseFqcn,
    headers::DltExceptionMessage,      headers::DltExceptionStacktrace,
    headers::DltOriginalTopic,         headers::DltOriginalPartition,
    headers::DltOriginalOffset,        headers::DltOriginalTimestamp,
    headers::DltOriginalTimestampType, headers::DltOriginalConsumerGroup};

constexpr SpringNames RetryableNames {
    headers::ExceptionFqcn,        headers::ExceptionCauseFqcn, headers::ExceptionMessage,
    headers::ExceptionStacktrace,  headers::OriginalTopic,      headers::OriginalPartition,
    headers::OriginalOffset,       headers::OriginalTimestamp,  headers::OriginalTimestampType,
    headers::OriginalConsumerGroup};

// DLPR.accept(): copy of the record's headers, addExceptionInfoHeaders(), then
// maybeAddOriginalHeaders(). appendOriginal is false under @RetryableTopic, so the first
// hop's kafka_original-* survive every later hop.
KafkaHeaderList springRecovererHeaders(const FailedRecord &record, const JavaException &error,
                                       const SpringNames &names, bool appendOriginal)
{
    KafkaHeaderList list = record.headers;
    replace(list, names.exceptionFqcn, error.fqcn);
    // ErrorHandlingUtils.findRootCause() returns the exception itself when nothing wraps
    // it, and DLPR writes the cause header unconditionally.
    replace(list, names.exceptionCauseFqcn,
            error.causeFqcn.isEmpty() ? error.fqcn : error.causeFqcn);
    const QString message = springExceptionMessage(error);
    if (!message.isNull())
        replace(list, names.exceptionMessage, message);
    replace(list, names.exceptionStacktrace, error.stackTrace);

    const auto maybeAdd = [&](const char *name, QByteArray value) {
        if (appendOriginal || !has(list, name))
            add(list, name, std::move(value));
    };
    maybeAdd(names.topic, record.topic.toUtf8());
    maybeAdd(names.partition, bigEndian32(record.partition));
    maybeAdd(names.offset, bigEndian64(record.offset));
    maybeAdd(names.timestamp, bigEndian64(record.timestamp));
    maybeAdd(names.timestampType, record.timestampType.toUtf8());
    // Only a ListenerExecutionFailedException carries the group id.
    if (!record.consumerGroup.isEmpty())
        maybeAdd(names.consumerGroup, record.consumerGroup.toUtf8());
    return list;
}

} // namespace

QString javaStackTrace(const QList<JavaThrowable> &chain)
{
    QString text;
    const QStringList *enclosing = nullptr;
    for (const JavaThrowable &t : chain) {
        if (enclosing)
            text += QStringLiteral("Caused by: ");
        text += t.fqcn;
        if (!t.message.isNull())
            text += QStringLiteral(": ") + t.message;
        text += u'\n';
        // Throwable.printEnclosedStackTrace(): trailing frames shared with the enclosing
        // trace are printed once, as "... n more".
        qsizetype common = 0;
        if (enclosing) {
            while (common < t.frames.size() && common < enclosing->size()
                   && t.frames.at(t.frames.size() - 1 - common)
                       == enclosing->at(enclosing->size() - 1 - common))
                ++common;
        }
        for (qsizetype i = 0; i < t.frames.size() - common; ++i)
            text += QStringLiteral("\tat ") + t.frames.at(i) + u'\n';
        if (common > 0)
            text += QStringLiteral("\t... %1 more\n").arg(common);
        enclosing = &t.frames;
    }
    return text;
}

JavaException springListenerFailure(const QString &listenerMethod, const JavaThrowable &root,
                                    bool retryableTopic, qint64 failedAtMs)
{
    const auto spring = [](const char *frame) -> QString { // not a dangling QStringBuilder
        return QStringLiteral("org.springframework.kafka.listener.") + QLatin1String(frame);
    };
    const QStringList container {
        spring("KafkaMessageListenerContainer$ListenerConsumer.doInvokeRecordListener("
               "KafkaMessageListenerContainer.java:2807)"),
        spring("KafkaMessageListenerContainer$ListenerConsumer.run("
               "KafkaMessageListenerContainer.java:1247)"),
        QStringLiteral("java.base/java.lang.Thread.run(Thread.java:840)")};
    QStringList adapter = container;
    if (retryableTopic)
        adapter.prepend(spring("adapter.KafkaBackoffAwareMessageListenerAdapter.onMessage("
                               "KafkaBackoffAwareMessageListenerAdapter.java:102)"));
    adapter.prepend(spring("adapter.RecordMessagingMessageListenerAdapter.onMessage("
                           "RecordMessagingMessageListenerAdapter.java:85)"));
    const QString lefe = spring("ListenerExecutionFailedException");
    const JavaThrowable listenerFailure {
        lefe, QStringLiteral("Listener method '%1' threw exception").arg(listenerMethod),
        QStringList {spring("adapter.MessagingMessageListenerAdapter.invokeHandler("
                            "MessagingMessageListenerAdapter.java:429)")}
            + adapter};
    const JavaThrowable cause {
        root.fqcn, root.message,
        root.frames
            + QStringList {QStringLiteral(
                               "java.base/java.lang.reflect.Method.invoke(Method.java:580)"),
                           spring("adapter.MessagingMessageListenerAdapter.invokeHandler("
                                  "MessagingMessageListenerAdapter.java:375)")}
            + adapter};
    if (!retryableTopic)
        return {lefe, listenerFailure.message, root.fqcn, root.message,
                javaStackTrace({listenerFailure, cause})};
    const JavaThrowable timestamped {
        spring("TimestampedException"),
        QStringLiteral("Exception thrown at ")
            + QDateTime::fromMSecsSinceEpoch(failedAtMs, Qt::UTC).toString(Qt::ISODateWithMs),
        adapter.mid(1)};
    const JavaThrowable outer {
        lefe, QStringLiteral("Listener failed"),
        QStringList {spring("KafkaMessageListenerContainer$ListenerConsumer."
                            "decorateException(KafkaMessageListenerContainer."
                            "java:3010)")}
            + container};
    return {lefe, outer.message, root.fqcn, root.message,
            javaStackTrace({outer, timestamped, listenerFailure, cause})};
}

QString springExceptionMessage(const JavaException &error)
{
    if (error.causeFqcn.isEmpty())
        return error.message;
    QString message = error.message;
    if (!message.isNull())
        message += QStringLiteral("; ");
    if (!error.causeMessage.isNull())
        message = message.isNull() ? error.causeMessage : message + error.causeMessage;
    return message;
}

KafkaHeaderList blockingRecovererDltHeaders(const FailedRecord &record, const JavaException &error)
{
    return springRecovererHeaders(record, error, DltNames, true);
}

KafkaHeaderList retryableTopicForwardHeaders(const FailedRecord &record, const JavaException &error,
                                             qint64 failedAtMs, qint64 delayMs)
{
    KafkaHeaderList list = springRecovererHeaders(record, error, RetryableNames, false);
    // DeadLetterPublishingRecovererFactory.addHeaders(): the original timestamp is the
    // first hop's header value, else the record's timestamp as a BigInteger.
    QByteArray originalTimestamp = javaBigIntegerBytes(record.timestamp);
    if (const auto existing = lastHeader(record.headers, headers::RetryOriginalTimestamp);
        existing && !existing->isEmpty() && existing->size() <= 8)
        originalTimestamp = *existing;
    add(list, headers::RetryOriginalTimestamp, originalTimestamp);
    add(list, headers::RetryAttempts, bigEndian32(retryTopicAttempts(record.headers) + 1));
    add(list, headers::RetryBackoffTimestamp, javaBigIntegerBytes(failedAtMs + delayMs));
    return list;
}

KafkaHeaderList retryTopicHeaders(const FailedRecord &record, const JavaException &error,
                                  qint64 failedAtMs, qint64 backoffMs)
{
    return retryableTopicForwardHeaders(record, error, failedAtMs, backoffMs);
}

KafkaHeaderList retryableTopicDltHeaders(const FailedRecord &record, const JavaException &error,
                                         qint64 failedAtMs)
{
    return retryableTopicForwardHeaders(record, error, failedAtMs, 0);
}

KafkaHeaderList connectDlqHeaders(const FailedRecord &record, const ConnectError &error)
{
    // DeadLetterQueueReporter.populateContextHeaders(): everything as UTF-8 text, appended
    // to the record's own headers.
    KafkaHeaderList list = record.headers;
    add(list, headers::ConnectTopic, record.topic);
    add(list, headers::ConnectPartition, QString::number(record.partition));
    add(list, headers::ConnectOffset, QString::number(record.offset));
    add(list, headers::ConnectConnectorName, error.connectorName);
    add(list, headers::ConnectTaskId, QString::number(error.taskId));
    add(list, headers::ConnectStage, error.stage);
    add(list, headers::ConnectClassName, error.executingClass);
    if (!error.exceptionFqcn.isEmpty()) {
        add(list, headers::ConnectExceptionClassName, error.exceptionFqcn);
        add(list, headers::ConnectExceptionMessage, error.message);
        add(list, headers::ConnectExceptionStacktrace, error.stackTrace);
    }
    return list;
}

} // namespace veltrix::demo
