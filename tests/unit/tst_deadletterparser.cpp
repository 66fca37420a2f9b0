// Dead-letter metadata into one DeadLetter: Spring Kafka's two recoverer families and Kafka
// Connect's headers (built by the demo's writers, which copy Spring's and Connect's, and by
// hand from bytes), RabbitMQ's x-death tables as they come off the wire, and malformed
// metadata of every kind, which must become warnings and never a crash.
#include "deadletter/deadletterparser.h"
#include "deadletter/springkafkaheaders.h"
#include "deadletter/xdeathparser.h"
#include "demo/springheaders.h"
#include "rabbitmq/amqptable.h"

#include <QTest>

using namespace veltrix;
using namespace veltrix::demo;
using namespace Qt::StringLiterals;

namespace {

QByteArray hex(const char *text)
{
    return QByteArray::fromHex(text);
}

QDateTime ms(qint64 msSinceEpoch)
{
    return QDateTime::fromMSecsSinceEpoch(msSinceEpoch, Qt::UTC);
}

QDateTime secs(qint64 secsSinceEpoch)
{
    return QDateTime::fromSecsSinceEpoch(secsSinceEpoch, Qt::UTC);
}

const QDateTime RecordTime = ms(1700000009000); // the dead-letter record's own timestamp

// Field by field, so that a failure names the field.
void compareLetters(const DeadLetter &actual, const DeadLetter &expected)
{
    QCOMPARE(deadLetterConventionName(actual.convention),
             deadLetterConventionName(expected.convention));
    QCOMPARE(actual.originalDestination, expected.originalDestination);
    QCOMPARE(actual.originalPartition, expected.originalPartition);
    QCOMPARE(actual.originalOffset, expected.originalOffset);
    QCOMPARE(actual.originalTimestamp, expected.originalTimestamp);
    QCOMPARE(actual.originalConsumerGroup, expected.originalConsumerGroup);
    QCOMPARE(actual.originalExchange, expected.originalExchange);
    QCOMPARE(actual.originalRoutingKeys, expected.originalRoutingKeys);
    QCOMPARE(actual.reason, expected.reason);
    QCOMPARE(actual.exceptionClass, expected.exceptionClass);
    QCOMPARE(actual.exceptionMessage, expected.exceptionMessage);
    QCOMPARE(actual.stackTrace, expected.stackTrace);
    QCOMPARE(actual.connectorName, expected.connectorName);
    QCOMPARE(actual.connectTaskId, expected.connectTaskId);
    QCOMPARE(actual.attempts, expected.attempts);
    QCOMPARE(actual.firstFailedAt, expected.firstFailedAt);
    QCOMPARE(actual.lastFailedAt, expected.lastFailedAt);
    QCOMPARE(actual.deaths.size(), expected.deaths.size());
    for (qsizetype i = 0; i < actual.deaths.size(); ++i) {
        const XDeathEntry &a = actual.deaths.at(i);
        const XDeathEntry &e = expected.deaths.at(i);
        QCOMPARE(a.count, e.count);
        QCOMPARE(a.reason, e.reason);
        QCOMPARE(a.queue, e.queue);
        QCOMPARE(a.exchange, e.exchange);
        QCOMPARE(a.routingKeys, e.routingKeys);
        QCOMPARE(a.time, e.time);
    }
    QCOMPARE(actual.warnings, expected.warnings);
    QVERIFY(actual == expected); // nothing the comparisons above missed
}

// ---- Kafka ---------------------------------------------------------------------------

FailedRecord ordersRecord()
{
    FailedRecord r;
    r.topic = u"orders"_s;
    r.partition = 5;
    r.offset = (qint64(1) << 40) + 1;
    r.timestamp = 1700000000000;
    r.key = "ORD-0100042";
    r.consumerGroup = u"order-service"_s;
    r.headers = {{"content-type", "application/json"}};
    return r;
}

JavaThrowable rootCause()
{
    return {u"com.shop.orders.InvalidOrderException"_s,
            u"Order ORD-0100042 rejected: customer CUST-0042 is blocked"_s,
            {u"com.shop.orders.OrderService.place(OrderService.java:88)"_s,
             u"com.shop.orders.OrderListener.onOrder(OrderListener.java:31)"_s}};
}

const QString ListenerMethod = u"public void com.shop.orders.OrderListener.onOrder("
                               "org.apache.kafka.clients.consumer.ConsumerRecord<java.lang."
                               "String, java.lang.String>)"_s;

// A consumed copy of a produced record: what the next hop's consumer sees.
FailedRecord consumedFrom(const KafkaHeaderList &headers, const QString &topic, qint64 offset)
{
    FailedRecord r = ordersRecord();
    r.topic = topic;
    r.partition = 0;
    r.offset = offset;
    r.timestamp = 1700000001000 + offset;
    r.consumerGroup = topic + u"-group"_s;
    r.headers = headers;
    return r;
}

// What every Spring row expects from ordersRecord() failing with rootCause().
DeadLetter springExpectation(DeadLetterConvention convention, const JavaException &error)
{
    DeadLetter d;
    d.convention = convention;
    d.originalDestination = u"orders"_s;
    d.originalPartition = 5;
    d.originalOffset = (qint64(1) << 40) + 1;
    d.originalTimestamp = ms(1700000000000);
    d.originalConsumerGroup = u"order-service"_s;
    d.exceptionClass = u"com.shop.orders.InvalidOrderException"_s; // the root cause
    d.exceptionMessage = springExceptionMessage(error);
    d.stackTrace = error.stackTrace;
    d.lastFailedAt = RecordTime;
    return d;
}

ConnectError connectError()
{
    return {u"inventory-jdbc-sink"_s,
            3,
            u"VALUE_CONVERTER"_s,
            u"org.apache.kafka.connect.json.JsonConverter"_s,
            u"org.apache.kafka.connect.errors.DataException"_s,
            u"Converting byte[] to Kafka Connect data failed due to serialization error: "_s,
            u"org.apache.kafka.connect.errors.DataException: Converting byte[] ...\n"
            "\tat org.apache.kafka.connect.json.JsonConverter.toConnectData(JsonConverter.java:"
            "333)\n"_s};
}

DeadLetter connectExpectation()
{
    const ConnectError error = connectError();
    DeadLetter d;
    d.convention = DeadLetterConvention::KafkaConnect;
    d.originalDestination = u"inventory"_s;
    d.originalPartition = 5;
    d.originalOffset = (qint64(1) << 40) + 1;
    d.connectorName = error.connectorName;
    d.connectTaskId = 3;
    d.reason = u"VALUE_CONVERTER"_s;
    d.exceptionClass = error.exceptionFqcn;
    d.exceptionMessage = error.message;
    d.stackTrace = error.stackTrace;
    d.lastFailedAt = RecordTime;
    return d;
}

KafkaHeaderList connectHeaders()
{
    FailedRecord record = ordersRecord();
    record.topic = u"inventory"_s;
    return connectDlqHeaders(record, connectError());
}

// Spring's blocking DLPR headers written by hand, byte for byte.
KafkaHeaderList handWrittenBlocking()
{
    return {{"content-type", "application/json"},
            {"kafka_dlt-exception-fqcn",
             "org.springframework.kafka.listener.ListenerExecutionFailedException"},
            {"kafka_dlt-exception-cause-fqcn", "com.shop.payments.CardDeclinedException"},
            {"kafka_dlt-exception-message", "Listener failed; Card declined (code 51)"},
            {"kafka_dlt-exception-stacktrace", "ListenerExecutionFailedException: ...\n"},
            {"kafka_dlt-original-topic", "payments"},
            {"kafka_dlt-original-partition", hex("00000002")},
            {"kafka_dlt-original-offset", hex("000000000000002a")},
            {"kafka_dlt-original-timestamp", hex("0000018bcfe56800")},
            {"kafka_dlt-original-timestamp-type", "CreateTime"},
            {"kafka_dlt-original-consumer-group", "payment-service"}};
}

DeadLetter handWrittenBlockingExpectation()
{
    DeadLetter d;
    d.convention = DeadLetterConvention::SpringBlocking;
    d.originalDestination = u"payments"_s;
    d.originalPartition = 2;
    d.originalOffset = 42;
    d.originalTimestamp = ms(1700000000000);
    d.originalConsumerGroup = u"payment-service"_s;
    d.exceptionClass = u"com.shop.payments.CardDeclinedException"_s;
    d.exceptionMessage = u"Listener failed; Card declined (code 51)"_s;
    d.stackTrace = u"ListenerExecutionFailedException: ...\n"_s;
    d.reason = u"listener failed"_s;
    d.lastFailedAt = RecordTime;
    return d;
}

KafkaHeaderList handWrittenRetryable(const QByteArray &attempts)
{
    return {{"kafka_exception-fqcn",
             "org.springframework.kafka.listener.ListenerExecutionFailedException"},
            {"kafka_exception-message", "Listener failed; stock 0 for SKU-7"},
            {"kafka_original-topic", "inventory"},
            {"kafka_original-partition", hex("00000000")},
            {"kafka_original-offset", hex("0000000000000007")},
            {"retry_topic-original-timestamp", hex("018bcfe56800")}, // BigInteger
            {"retry_topic-attempts", attempts},
            {"retry_topic-backoff-timestamp", hex("018bcfe57bd8")}};
}

DeadLetter handWrittenRetryableExpectation(int attempts)
{
    DeadLetter d;
    d.convention = DeadLetterConvention::SpringRetryable;
    d.originalDestination = u"inventory"_s;
    d.originalPartition = 0;
    d.originalOffset = 7;
    // No kafka_original-timestamp: retry_topic-original-timestamp says the same.
    d.originalTimestamp = ms(1700000000000);
    // No cause header: the fqcn is all there is.
    d.exceptionClass = u"org.springframework.kafka.listener.ListenerExecutionFailedException"_s;
    d.exceptionMessage = u"Listener failed; stock 0 for SKU-7"_s;
    d.reason = u"retries exhausted"_s;
    d.attempts = attempts;
    d.lastFailedAt = RecordTime;
    if (attempts == 1)
        d.firstFailedAt = RecordTime;
    return d;
}

// ---- RabbitMQ ------------------------------------------------------------------------

// Through rabbitmq-c's wire encoding and back, as a browsed message's headers arrive:
// RabbitMQ 3.10 writes count as a signed long ('l'), names as long strings ('S'), time as
// a timestamp ('T') and routing-keys as an array ('A') of long strings.
QVariantMap overTheWire(const QVariantMap &headers)
{
    AmqpTableBuilder builder(headers);
    amqp_table_t table = builder.table();
    QByteArray buffer(1 << 20, '\0');
    size_t written = 0;
    if (amqp_encode_table({size_t(buffer.size()), buffer.data()}, &table, &written)
        != AMQP_STATUS_OK)
        qFatal("amqp_encode_table failed");
    amqp_pool_t pool;
    init_amqp_pool(&pool, 4096);
    amqp_table_t decoded;
    size_t read = 0;
    if (amqp_decode_table({written, buffer.data()}, &pool, &decoded, &read) != AMQP_STATUS_OK)
        qFatal("amqp_decode_table failed");
    QVariantMap map = amqpTableToVariantMap(decoded);
    empty_amqp_pool(&pool);
    return map;
}

QVariantMap xDeathEntry(qint64 count, const QString &reason, const QString &queue,
                        const QString &exchange, const QStringList &routingKeys, qint64 time)
{
    QVariantList keys;
    for (const QString &k : routingKeys)
        keys.append(k);
    return {{u"count"_s, count},       {u"reason"_s, reason},     {u"queue"_s, queue},
            {u"exchange"_s, exchange}, {u"routing-keys"_s, keys}, {u"time"_s, secs(time)}};
}

XDeathEntry entry(qint64 count, const QString &reason, const QString &queue,
                  const QString &exchange, const QStringList &routingKeys, qint64 time)
{
    return {count, reason, queue, exchange, routingKeys, secs(time)};
}

QVariantMap firstDeath(const QString &queue, const QString &reason, const QString &exchange)
{
    return {{u"x-first-death-queue"_s, queue},
            {u"x-first-death-reason"_s, reason},
            {u"x-first-death-exchange"_s, exchange}};
}

QVariantMap merged(QVariantMap a, const QVariantMap &b)
{
    a.insert(b);
    return a;
}

constexpr qint64 T0 = 1700000000; // seconds: AMQP timestamps have no milliseconds

// A message published to exchange "shop" with routing key order.created (and CC audit),
// rejected (requeue=false) by the consumer of classic queue "orders".
QVariantMap rejectedHeaders()
{
    return merged({{u"x-death"_s,
                    QVariantList {xDeathEntry(1, u"rejected"_s, u"orders"_s, u"shop"_s,
                                              {u"order.created"_s, u"audit"_s}, T0)}}},
                  firstDeath(u"orders"_s, u"rejected"_s, u"shop"_s));
}

DeadLetter rabbitExpectation(const QString &queue, const QString &reason, const QString &exchange,
                             const QStringList &routingKeys, const QList<XDeathEntry> &deaths,
                             int attempts, qint64 first, qint64 last)
{
    DeadLetter d;
    d.convention = DeadLetterConvention::RabbitXDeath;
    d.originalDestination = queue;
    d.reason = reason;
    d.originalExchange = exchange;
    d.originalRoutingKeys = routingKeys;
    d.deaths = deaths;
    d.attempts = attempts;
    d.firstFailedAt = first >= 0 ? secs(first) : QDateTime();
    d.lastFailedAt = last >= 0 ? secs(last) : QDateTime();
    return d;
}

DeadLetter rejectedExpectation()
{
    return rabbitExpectation(
        u"orders"_s, u"rejected"_s, u"shop"_s, {u"order.created"_s, u"audit"_s},
        {entry(1, u"rejected"_s, u"orders"_s, u"shop"_s, {u"order.created"_s, u"audit"_s}, T0)}, 1,
        T0, T0);
}

// The retry ladder: orders rejects, orders.retry holds it for a TTL and dead-letters it
// back, three rejections in all. x-death keeps one entry per (queue, reason), most recent
// first; a repeated death raises the count and keeps the entry's first time.
QVariantMap ladderDeaths()
{
    return {{u"x-death"_s,
             QVariantList {
                 xDeathEntry(3, u"rejected"_s, u"orders"_s, u"shop"_s, {u"order.created"_s}, T0),
                 xDeathEntry(2, u"expired"_s, u"orders.retry"_s, u"orders.dlx"_s,
                             {u"orders.retry"_s}, T0 + 5)}}};
}

QList<XDeathEntry> ladderEntries()
{
    return {
        entry(3, u"rejected"_s, u"orders"_s, u"shop"_s, {u"order.created"_s}, T0),
        entry(2, u"expired"_s, u"orders.retry"_s, u"orders.dlx"_s, {u"orders.retry"_s}, T0 + 5)};
}

} // namespace

Q_DECLARE_METATYPE(veltrix::DeadLetter)

class TestDeadLetterParser : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void conventionNames();
    void kafka_data();
    void kafka();
    void kafkaMalformed_data();
    void kafkaMalformed();
    void rabbit_data();
    void rabbit();
    void rabbitMalformed_data();
    void rabbitMalformed();
    void rabbitWarningsAreBounded();
    void rabbitSurvivesOddValues();
};

void TestDeadLetterParser::conventionNames()
{
    QCOMPARE(deadLetterConventionName(DeadLetterConvention::None), u"none"_s);
    QCOMPARE(deadLetterConventionName(DeadLetterConvention::RabbitXDeath), u"x-death"_s);
    QCOMPARE(deadLetterConventionName(DeadLetterConvention::SpringBlocking), u"spring-dlt"_s);
    QCOMPARE(deadLetterConventionName(DeadLetterConvention::SpringRetryable),
             u"spring-retryable"_s);
    QCOMPARE(deadLetterConventionName(DeadLetterConvention::KafkaConnect), u"kafka-connect"_s);
}

void TestDeadLetterParser::kafka_data()
{
    QTest::addColumn<KafkaHeaderList>("headers");
    QTest::addColumn<QDateTime>("recordTimestamp");
    QTest::addColumn<DeadLetter>("expected");

    {
        const JavaException error = springListenerFailure(ListenerMethod, rootCause(), false, 0);
        DeadLetter d = springExpectation(DeadLetterConvention::SpringBlocking, error);
        d.reason = u"listener failed"_s;
        QTest::newRow("spring blocking, demo writer")
            << blockingRecovererDltHeaders(ordersRecord(), error) << RecordTime << d;

        // Dead-lettered again from the DLT: the originals are appended once more and the
        // last ones (the latest failure's) win, like Kafka's lastHeader().
        const KafkaHeaderList once = blockingRecovererDltHeaders(ordersRecord(), error);
        const KafkaHeaderList twice
            = blockingRecovererDltHeaders(consumedFrom(once, u"orders-dlt"_s, 9), error);
        d.originalDestination = u"orders-dlt"_s;
        d.originalPartition = 0;
        d.originalOffset = 9;
        d.originalTimestamp = ms(1700000001009);
        d.originalConsumerGroup = u"orders-dlt-group"_s;
        QTest::newRow("spring blocking, dead-lettered twice") << twice << RecordTime << d;
    }
    {
        // orders -> orders-retry-0 -> orders-retry-1 -> orders-dlt: three failures,
        // retry_topic-attempts 2, 3, 4 (each hop writes the next attempt's number).
        const qint64 failedAt = 1700000005000;
        const JavaException error
            = springListenerFailure(ListenerMethod, rootCause(), true, failedAt);
        const KafkaHeaderList hop1 = retryTopicHeaders(ordersRecord(), error, failedAt, 1000);
        const KafkaHeaderList hop2 = retryTopicHeaders(consumedFrom(hop1, u"orders-retry-0"_s, 17),
                                                       error, failedAt + 1500, 2000);
        const KafkaHeaderList dlt = retryableTopicDltHeaders(
            consumedFrom(hop2, u"orders-retry-1"_s, 23), error, failedAt + 4000);
        DeadLetter d = springExpectation(DeadLetterConvention::SpringRetryable, error);
        d.reason = u"retries exhausted"_s;
        d.attempts = 3;
        QTest::newRow("spring retryable, three hops, demo writer") << dlt << RecordTime << d;

        // A fatal exception goes straight to the DLT: one failure, so the DLT record's
        // time is the first failure's too.
        d.attempts = 1;
        d.firstFailedAt = RecordTime;
        QTest::newRow("spring retryable, straight to DLT")
            << retryableTopicDltHeaders(ordersRecord(), error, failedAt) << RecordTime << d;
    }
    {
        QTest::newRow("connect, demo writer")
            << connectHeaders() << RecordTime << connectExpectation();
        ConnectError noException = connectError();
        noException.exceptionFqcn.clear(); // Connect writes no exception headers then
        FailedRecord record = ordersRecord();
        record.topic = u"inventory"_s;
        DeadLetter d = connectExpectation();
        d.exceptionClass.clear();
        d.exceptionMessage.clear();
        d.stackTrace.clear();
        QTest::newRow("connect without an exception")
            << connectDlqHeaders(record, noException) << RecordTime << d;
    }

    QTest::newRow("spring blocking, hand-written bytes")
        << handWrittenBlocking() << RecordTime << handWrittenBlockingExpectation();
    {
        KafkaHeaderList headers = handWrittenBlocking();
        headers.removeIf(
            [](const KafkaHeader &h) { return h.name == "kafka_dlt-exception-cause-fqcn"; });
        DeadLetter d = handWrittenBlockingExpectation();
        d.exceptionClass = u"org.springframework.kafka.listener.ListenerExecutionFailedException"_s;
        QTest::newRow("spring blocking without a cause header") << headers << RecordTime << d;
    }
    QTest::newRow("spring retryable, hand-written, 4-byte attempts")
        << handWrittenRetryable(hex("00000004")) << RecordTime
        << handWrittenRetryableExpectation(3);
    QTest::newRow("spring retryable, legacy 1-byte attempts")
        << handWrittenRetryable(hex("02")) << RecordTime << handWrittenRetryableExpectation(1);
    {
        KafkaHeaderList headers = handWrittenRetryable(hex("00000002"));
        headers.append({"retry_topic-attempts", hex("00000003")});
        headers.append({"retry_topic-attempts", hex("00000006")}); // the last one counts
        QTest::newRow("spring retryable, repeated attempts headers")
            << headers << RecordTime << handWrittenRetryableExpectation(5);
    }
    {
        KafkaHeaderList headers = handWrittenRetryable(hex("00000003"));
        headers.removeIf([](const KafkaHeader &h) { return h.name == "retry_topic-attempts"; });
        QTest::newRow("spring retryable without attempts")
            << headers << RecordTime << handWrittenRetryableExpectation(-1);
    }
    {
        const KafkaHeaderList headers {{"__connect.errors.topic", "customers"},
                                       {"__connect.errors.partition", "12"},
                                       {"__connect.errors.offset", "9007199254740993"},
                                       {"__connect.errors.connector.name", "crm-sink"},
                                       {"__connect.errors.task.id", "1"},
                                       {"__connect.errors.stage", "TASK_PUT"},
                                       {"__connect.errors.class.name", "io.crm.SinkTask"},
                                       {"__connect.errors.exception.class.name",
                                        "org.apache.kafka.connect.errors.ConnectException"},
                                       {"__connect.errors.exception.message", "HTTP 503"},
                                       {"__connect.errors.exception.stacktrace", "trace"}};
        DeadLetter d;
        d.convention = DeadLetterConvention::KafkaConnect;
        d.originalDestination = u"customers"_s;
        d.originalPartition = 12;
        d.originalOffset = 9007199254740993;
        d.connectorName = u"crm-sink"_s;
        d.connectTaskId = 1;
        d.reason = u"TASK_PUT"_s;
        d.exceptionClass = u"org.apache.kafka.connect.errors.ConnectException"_s;
        d.exceptionMessage = u"HTTP 503"_s;
        d.stackTrace = u"trace"_s;
        d.lastFailedAt = RecordTime;
        QTest::newRow("connect, hand-written") << headers << RecordTime << d;
    }
    {
        // A Spring consumer of a Connect DLQ fails and dead-letters the record again: its
        // headers come last and describe the latest failure.
        KafkaHeaderList headers = connectHeaders();
        headers.append(handWrittenBlocking().mid(1));
        QTest::newRow("connect, then spring")
            << headers << RecordTime << handWrittenBlockingExpectation();
        // And a Connect sink reading a Spring DLT: Connect's headers are the latest.
        headers = handWrittenBlocking();
        headers.append(connectHeaders().mid(1));
        QTest::newRow("spring, then connect") << headers << RecordTime << connectExpectation();
        // Retry topics, then the blocking recoverer of the DLT's own listener.
        headers = handWrittenRetryable(hex("00000004"));
        headers.append(handWrittenBlocking().mid(1));
        QTest::newRow("retryable, then blocking")
            << headers << RecordTime << handWrittenBlockingExpectation();
    }
    {
        DeadLetter none;
        QTest::newRow("no dead-letter headers")
            << KafkaHeaderList {{"content-type", "application/json"}, {"traceparent", "00-ab"}}
            << RecordTime << none;
        QTest::newRow("no headers at all") << KafkaHeaderList {} << QDateTime() << none;
        // Kafka headers may have null values; those are absent.
        QTest::newRow("null values only")
            << KafkaHeaderList {{"kafka_dlt-original-topic", QByteArray()},
                                {"__connect.errors.topic", QByteArray()}}
            << RecordTime << none;
    }
    {
        KafkaHeaderList headers = handWrittenBlocking();
        headers.append({"kafka_dlt-exception-message", QByteArray()}); // the last one: null
        DeadLetter d = handWrittenBlockingExpectation();
        d.exceptionMessage.clear();
        QTest::newRow("null last value is absent") << headers << RecordTime << d;
        d = handWrittenBlockingExpectation();
        d.lastFailedAt = QDateTime();
        QTest::newRow("record without timestamp") << handWrittenBlocking() << QDateTime() << d;
    }
}

void TestDeadLetterParser::kafka()
{
    QFETCH(KafkaHeaderList, headers);
    QFETCH(QDateTime, recordTimestamp);
    QFETCH(DeadLetter, expected);
    compareLetters(parseKafkaDeadLetter(headers, recordTimestamp), expected);
}

void TestDeadLetterParser::kafkaMalformed_data()
{
    QTest::addColumn<KafkaHeaderList>("headers");
    QTest::addColumn<DeadLetter>("expected");

    const auto blocking = [](const char *name, const QByteArray &value) {
        KafkaHeaderList headers = handWrittenBlocking();
        headers.append({name, value});
        return headers;
    };
    const auto expectBlocking = [](const QString &warning, auto change) {
        DeadLetter d = handWrittenBlockingExpectation();
        change(d);
        d.warnings = {warning};
        return d;
    };
    QTest::newRow("3-byte partition")
        << blocking("kafka_dlt-original-partition", hex("000002"))
        << expectBlocking(
               u"kafka_dlt-original-partition: expected a 4-byte big-endian int, got 3 bytes"_s,
               [](DeadLetter &d) { d.originalPartition = -1; });
    QTest::newRow("empty partition")
        << blocking("kafka_dlt-original-partition", QByteArray(""))
        << expectBlocking(
               u"kafka_dlt-original-partition: expected a 4-byte big-endian int, got 0 bytes"_s,
               [](DeadLetter &d) { d.originalPartition = -1; });
    QTest::newRow("negative partition")
        << blocking("kafka_dlt-original-partition", hex("ffffffff"))
        << expectBlocking(u"kafka_dlt-original-partition: -1 is out of range"_s,
                          [](DeadLetter &d) { d.originalPartition = -1; });
    QTest::newRow("4-byte offset")
        << blocking("kafka_dlt-original-offset", hex("0000002a"))
        << expectBlocking(
               u"kafka_dlt-original-offset: expected an 8-byte big-endian long, got 4 bytes"_s,
               [](DeadLetter &d) { d.originalOffset = -1; });
    QTest::newRow("1-byte timestamp")
        << blocking("kafka_dlt-original-timestamp", hex("01"))
        << expectBlocking(
               u"kafka_dlt-original-timestamp: expected an 8-byte big-endian long, got 1 byte"_s,
               [](DeadLetter &d) { d.originalTimestamp = QDateTime(); });
    QTest::newRow("timestamp far out")
        << blocking("kafka_dlt-original-timestamp", hex("7fffffffffffffff"))
        << expectBlocking(
               u"kafka_dlt-original-timestamp: timestamp 9223372036854775807 ms is out of range"_s,
               [](DeadLetter &d) { d.originalTimestamp = QDateTime(); });
    QTest::newRow("invalid UTF-8 topic")
        << blocking("kafka_dlt-original-topic", QByteArray("pay\xff\xfe"))
        << expectBlocking(u"kafka_dlt-original-topic: not valid UTF-8 text (5 bytes)"_s,
                          [](DeadLetter &d) { d.originalDestination.clear(); });
    QTest::newRow("invalid UTF-8 cause falls back to the fqcn")
        << blocking("kafka_dlt-exception-cause-fqcn", QByteArray("com.\xc3"))
        << expectBlocking(
               u"kafka_dlt-exception-cause-fqcn: not valid UTF-8 text (5 bytes)"_s,
               [](DeadLetter &d) {
                   d.exceptionClass
                       = u"org.springframework.kafka.listener.ListenerExecutionFailedException"_s;
               });
    {
        // Kafka's NO_TIMESTAMP is not a problem, just no timestamp.
        DeadLetter d = handWrittenBlockingExpectation();
        d.originalTimestamp = QDateTime();
        QTest::newRow("timestamp -1")
            << blocking("kafka_dlt-original-timestamp", hex("ffffffffffffffff")) << d;
    }

    const auto retryable = [](const QString &warning) {
        DeadLetter d = handWrittenRetryableExpectation(-1);
        d.warnings = {warning};
        return d;
    };
    QTest::newRow("2-byte attempts")
        << handWrittenRetryable(hex("0003"))
        << retryable(u"retry_topic-attempts: expected a 4-byte big-endian int (or "
                     "Spring < 2.8's single byte), got 2 bytes"_s);
    QTest::newRow("zero attempts")
        << handWrittenRetryable(hex("00000000"))
        << retryable(u"retry_topic-attempts: 0 is out of range (1..32767)"_s);
    QTest::newRow("attempts beyond Spring's cap")
        << handWrittenRetryable(hex("00010000"))
        << retryable(u"retry_topic-attempts: 65536 is out of range (1..32767)"_s);
    {
        KafkaHeaderList headers = handWrittenRetryable(hex("00000002"));
        headers.append({"retry_topic-original-timestamp", hex("000000018bcfe56800")});
        DeadLetter d = handWrittenRetryableExpectation(1);
        d.originalTimestamp = QDateTime();
        d.warnings = {u"retry_topic-original-timestamp: expected a 1..8-byte Java BigInteger, "
                      "got 9 bytes"_s};
        QTest::newRow("9-byte BigInteger timestamp") << headers << d;
    }

    const auto connect = [](const char *name, const QByteArray &value) {
        KafkaHeaderList headers = connectHeaders();
        headers.append({name, value});
        return headers;
    };
    const auto expectConnect = [](const QString &warning, auto change) {
        DeadLetter d = connectExpectation();
        change(d);
        d.warnings = {warning};
        return d;
    };
    QTest::newRow("connect offset not a number")
        << connect("__connect.errors.offset", "12a")
        << expectConnect(u"__connect.errors.offset: expected a decimal number, got \"12a\""_s,
                         [](DeadLetter &d) { d.originalOffset = -1; });
    QTest::newRow("connect offset too large")
        << connect("__connect.errors.offset", "99999999999999999999")
        << expectConnect(u"__connect.errors.offset: expected a decimal number, got "
                         "\"99999999999999999999\""_s,
                         [](DeadLetter &d) { d.originalOffset = -1; });
    QTest::newRow("connect partition with blanks")
        << connect("__connect.errors.partition", " 5")
        << expectConnect(u"__connect.errors.partition: expected a decimal number, got \" 5\""_s,
                         [](DeadLetter &d) { d.originalPartition = -1; });
    QTest::newRow("connect partition binary")
        << connect("__connect.errors.partition", hex("00000005"))
        << expectConnect(u"__connect.errors.partition: expected a decimal number, got "
                         "\"\uFFFD\uFFFD\uFFFD\uFFFD\""_s,
                         [](DeadLetter &d) { d.originalPartition = -1; });
    QTest::newRow("connect partition beyond int")
        << connect("__connect.errors.partition", "2147483648")
        << expectConnect(u"__connect.errors.partition: 2147483648 is out of range"_s,
                         [](DeadLetter &d) { d.originalPartition = -1; });
    QTest::newRow("connect negative task id")
        << connect("__connect.errors.task.id", "-1")
        << expectConnect(u"__connect.errors.task.id: -1 is out of range"_s,
                         [](DeadLetter &d) { d.connectTaskId = -1; });
    QTest::newRow("connect stage invalid UTF-8")
        << connect("__connect.errors.stage", "\xc0\xaf")
        << expectConnect(u"__connect.errors.stage: not valid UTF-8 text (2 bytes)"_s,
                         [](DeadLetter &d) { d.reason.clear(); });
    {
        // Several problems at once: each is named, the rest still parses.
        KafkaHeaderList headers = handWrittenBlocking();
        headers.append({"kafka_dlt-original-partition", hex("02")});
        headers.append({"kafka_dlt-original-offset", hex("2a")});
        headers.append(KafkaHeader {"kafka_dlt-exception-message", "\xff"});
        DeadLetter d = handWrittenBlockingExpectation();
        d.originalPartition = -1;
        d.originalOffset = -1;
        d.exceptionMessage.clear();
        d.warnings
            = {u"kafka_dlt-original-partition: expected a 4-byte big-endian int, got 1 byte"_s,
               u"kafka_dlt-original-offset: expected an 8-byte big-endian long, got 1 byte"_s,
               u"kafka_dlt-exception-message: not valid UTF-8 text (1 byte)"_s};
        QTest::newRow("several problems") << headers << d;
    }
}

void TestDeadLetterParser::kafkaMalformed()
{
    QFETCH(KafkaHeaderList, headers);
    QFETCH(DeadLetter, expected);
    compareLetters(parseKafkaDeadLetter(headers, RecordTime), expected);
}

void TestDeadLetterParser::rabbit_data()
{
    QTest::addColumn<QVariantMap>("headers");
    QTest::addColumn<DeadLetter>("expected");

    QTest::newRow("rejected") << rejectedHeaders() << rejectedExpectation();
    {
        // Per-message TTL on a queue reached through the default exchange: RabbitMQ adds
        // original-expiration to the entry and drops the expiration property.
        QVariantMap death = xDeathEntry(1, u"expired"_s, u"payments.wait"_s, QString(),
                                        {u"payments.wait"_s}, T0 + 60);
        death.insert(u"original-expiration"_s, u"5000"_s);
        const QVariantMap headers = merged({{u"x-death"_s, QVariantList {death}}},
                                           firstDeath(u"payments.wait"_s, u"expired"_s, QString()));
        QTest::newRow("expired") << headers
                                 << rabbitExpectation(
                                        u"payments.wait"_s, u"expired"_s, QString(),
                                        {u"payments.wait"_s},
                                        {entry(1, u"expired"_s, u"payments.wait"_s, QString(),
                                               {u"payments.wait"_s}, T0 + 60)},
                                        1, T0 + 60, T0 + 60);
    }
    {
        // A quorum queue's delivery-limit; x-delivery-count travels along and says how many
        // times it was delivered, not how many times it died.
        QVariantMap headers
            = merged({{u"x-death"_s,
                       QVariantList {xDeathEntry(1, u"delivery_limit"_s, u"inventory"_s, u"shop"_s,
                                                 {u"inventory.reserve"_s}, T0 + 7)}}},
                     firstDeath(u"inventory"_s, u"delivery_limit"_s, u"shop"_s));
        headers.insert(u"x-delivery-count"_s, 5);
        QTest::newRow("delivery_limit")
            << headers
            << rabbitExpectation(u"inventory"_s, u"delivery_limit"_s, u"shop"_s,
                                 {u"inventory.reserve"_s},
                                 {entry(1, u"delivery_limit"_s, u"inventory"_s, u"shop"_s,
                                        {u"inventory.reserve"_s}, T0 + 7)},
                                 1, T0 + 7, T0 + 7);
    }
    const DeadLetter ladder
        = rabbitExpectation(u"orders"_s, u"rejected"_s, u"shop"_s, {u"order.created"_s},
                            ladderEntries(), 5, T0, T0 + 5);
    QTest::newRow("retry ladder") << merged(ladderDeaths(),
                                            firstDeath(u"orders"_s, u"rejected"_s, u"shop"_s))
                                  << ladder;
    {
        QVariantMap headers
            = merged(ladderDeaths(), firstDeath(u"orders"_s, u"rejected"_s, u"shop"_s));
        headers.insert(u"x-last-death-queue"_s, u"orders"_s);
        headers.insert(u"x-last-death-reason"_s, u"rejected"_s);
        headers.insert(u"x-last-death-exchange"_s, u"shop"_s);
        QTest::newRow("retry ladder, RabbitMQ 3.13 x-last-death") << headers << ladder;
    }
    {
        // x-first-death-* gone (a republisher kept only x-death): the oldest entry is the
        // first death.
        DeadLetter d = rabbitExpectation(u"orders.retry"_s, u"expired"_s, u"orders.dlx"_s,
                                         {u"orders.retry"_s}, ladderEntries(), 5, T0, T0 + 5);
        QTest::newRow("no x-first-death") << ladderDeaths() << d;
    }
    {
        // x-first-death-* names an entry in the middle: its routing keys are the original.
        QVariantMap headers = ladderDeaths();
        QVariantList deaths = headers.value(u"x-death"_s).toList();
        deaths.append(
            xDeathEntry(1, u"maxlen"_s, u"archive"_s, u"archive.x"_s, {u"archive"_s}, T0 - 100));
        headers.insert(u"x-death"_s, deaths);
        headers.insert(firstDeath(u"orders"_s, u"rejected"_s, u"shop"_s));
        QList<XDeathEntry> entries = ladderEntries();
        entries.append(
            entry(1, u"maxlen"_s, u"archive"_s, u"archive.x"_s, {u"archive"_s}, T0 - 100));
        QTest::newRow("first death in the middle")
            << headers
            << rabbitExpectation(u"orders"_s, u"rejected"_s, u"shop"_s, {u"order.created"_s},
                                 entries, 6, T0 - 100, T0 + 5);
    }
    QTest::newRow("only x-last-death")
        << QVariantMap {{u"x-last-death-queue"_s, u"orders"_s},
                        {u"x-last-death-reason"_s, u"expired"_s},
                        {u"x-last-death-exchange"_s, u"shop"_s}}
        << rabbitExpectation(u"orders"_s, u"expired"_s, u"shop"_s, {}, {}, -1, -1, -1);
    QTest::newRow("not a dead letter")
        << QVariantMap {{u"content-type"_s, u"application/json"_s}, {u"x-retries"_s, 3}}
        << DeadLetter();
    QTest::newRow("no headers") << QVariantMap() << DeadLetter();
}

void TestDeadLetterParser::rabbit()
{
    QFETCH(QVariantMap, headers);
    QFETCH(DeadLetter, expected);
    compareLetters(parseRabbitDeadLetter(overTheWire(headers)), expected);
}

void TestDeadLetterParser::rabbitMalformed_data()
{
    QTest::addColumn<QVariantMap>("headers");
    QTest::addColumn<DeadLetter>("expected");

    const QVariantMap good = xDeathEntry(1, u"rejected"_s, u"orders"_s, u"shop"_s,
                                         {u"order.created"_s, u"audit"_s}, T0);
    const auto withEntry = [&](const QString &key, const QVariant &value) {
        QVariantMap bad = good;
        if (value.isValid())
            bad.insert(key, value);
        else
            bad.remove(key);
        return merged({{u"x-death"_s, QVariantList {bad}}},
                      firstDeath(u"orders"_s, u"rejected"_s, u"shop"_s));
    };
    const auto expect = [](const QStringList &warnings, auto change) {
        DeadLetter d = rejectedExpectation();
        change(d);
        d.warnings = warnings;
        return d;
    };

    QTest::newRow("x-death is text")
        << merged({{u"x-death"_s, u"rejected"_s}},
                  firstDeath(u"orders"_s, u"rejected"_s, u"shop"_s))
        << expect({u"x-death: expected a list, got text"_s}, [](DeadLetter &d) {
               d.deaths.clear();
               d.originalRoutingKeys.clear();
               d.attempts = -1;
               d.firstFailedAt = d.lastFailedAt = QDateTime();
           });
    QTest::newRow("entry not a table")
        << merged({{u"x-death"_s, QVariantList {42, good}}},
                  firstDeath(u"orders"_s, u"rejected"_s, u"shop"_s))
        << expect({u"x-death[0]: expected a table, got a number"_s}, [](DeadLetter &) {});
    {
        QVariantMap second = good;
        second.insert(u"queue"_s, u"orders.retry"_s);
        second.insert(u"count"_s, u"3"_s);
        DeadLetter d
            = expect({u"x-death[1].count: expected a number, got text"_s}, [](DeadLetter &) {});
        XDeathEntry e = d.deaths.first();
        e.queue = u"orders.retry"_s;
        e.count = 0;
        d.deaths.append(e);
        d.attempts = 2; // an entry with an unreadable count still stands for one death
        QTest::newRow("count is text") << merged({{u"x-death"_s, QVariantList {good, second}}},
                                                 firstDeath(u"orders"_s, u"rejected"_s, u"shop"_s))
                                       << d;
    }
    QTest::newRow("count is zero")
        << withEntry(u"count"_s, 0)
        << expect({u"x-death[0].count: expected a count of at least 1, got 0"_s},
                  [](DeadLetter &d) { d.deaths[0].count = 0; });
    QTest::newRow("count is fractional")
        << withEntry(u"count"_s, 1.5)
        << expect({u"x-death[0].count: expected a number, got a fractional number"_s},
                  [](DeadLetter &d) { d.deaths[0].count = 0; });
    QTest::newRow("count missing")
        << withEntry(u"count"_s, QVariant())
        << expect({u"x-death[0].count: missing"_s}, [](DeadLetter &d) { d.deaths[0].count = 0; });
    QTest::newRow("time is a number")
        << withEntry(u"time"_s, T0)
        << expect({u"x-death[0].time: expected a timestamp, got a number"_s}, [](DeadLetter &d) {
               d.deaths[0].time = QDateTime();
               d.firstFailedAt = d.lastFailedAt = QDateTime();
           });
    QTest::newRow("routing-keys is text")
        << withEntry(u"routing-keys"_s, u"order.created"_s)
        << expect({u"x-death[0].routing-keys: expected a list, got text"_s}, [](DeadLetter &d) {
               d.deaths[0].routingKeys.clear();
               d.originalRoutingKeys.clear();
           });
    QTest::newRow("routing key is a number")
        << withEntry(u"routing-keys"_s, QVariantList {u"order.created"_s, 7})
        << expect({u"x-death[0].routing-keys[1]: expected text, got a number"_s},
                  [](DeadLetter &d) {
                      d.deaths[0].routingKeys = {u"order.created"_s};
                      d.originalRoutingKeys = {u"order.created"_s};
                  });
    QTest::newRow("queue is not UTF-8")
        << withEntry(u"queue"_s, QByteArray("or\xff\xfe"))
        << expect({u"x-death[0].queue: not valid UTF-8 text (4 bytes)"_s},
                  [](DeadLetter &d) { d.deaths[0].queue.clear(); });
    QTest::newRow("reason is a table")
        << withEntry(u"reason"_s, QVariantMap {{u"a"_s, 1}})
        << expect({u"x-death[0].reason: expected text, got a table"_s},
                  [](DeadLetter &d) { d.deaths[0].reason.clear(); });
    {
        QVariantMap headers = rejectedHeaders();
        headers.insert(u"x-first-death-queue"_s, 17);
        headers.insert(u"x-first-death-exchange"_s, QVariantList {});
        // The entry stands in for what x-first-death-* fail to say.
        QTest::newRow("x-first-death mistyped")
            << headers
            << expect({u"x-first-death-queue: expected text, got a number"_s,
                       u"x-first-death-exchange: expected text, got a list"_s},
                      [](DeadLetter &) {});
    }
}

void TestDeadLetterParser::rabbitMalformed()
{
    QFETCH(QVariantMap, headers);
    QFETCH(DeadLetter, expected);
    compareLetters(parseRabbitDeadLetter(overTheWire(headers)), expected);
}

void TestDeadLetterParser::rabbitWarningsAreBounded()
{
    QVariantList entries;
    for (int i = 0; i < 100; ++i)
        entries.append(i);
    const DeadLetter d = parseRabbitDeadLetter(overTheWire({{u"x-death"_s, entries}}));
    QCOMPARE(d.convention, DeadLetterConvention::RabbitXDeath);
    QCOMPARE(d.warnings.size(), qsizetype(ParseWarnings::MaxWarnings + 1));
    QCOMPARE(d.warnings.first(), u"x-death[0]: expected a table, got a number"_s);
    QCOMPARE(d.warnings.last(), u"... and 68 more problems"_s);
    QVERIFY(d.deaths.isEmpty());
    QCOMPARE(d.attempts, -1);
}

void TestDeadLetterParser::rabbitSurvivesOddValues()
{
    // Values amqpTableToVariantMap() can produce but RabbitMQ never writes here; none may
    // crash, each is reported.
    const QVariantList odd {QVariant(),         true,           1.5,
                            QByteArray("\xff"), qulonglong(-1), QVariantList {QVariantList {}},
                            QVariantMap {},     secs(0)};
    for (const QVariant &value : odd) {
        QVariantMap entryMap;
        for (const QString &key :
             {u"count"_s, u"reason"_s, u"queue"_s, u"exchange"_s, u"routing-keys"_s, u"time"_s})
            entryMap.insert(key, value);
        const QVariantMap headers {{u"x-death"_s, QVariantList {entryMap, value}},
                                   {u"x-first-death-queue"_s, value},
                                   {u"x-last-death-reason"_s, value}};
        const DeadLetter d = parseRabbitDeadLetter(headers);
        QCOMPARE(d.convention, DeadLetterConvention::RabbitXDeath);
        QVERIFY2(!d.warnings.isEmpty(), qPrintable(describeVariantKind(value)));
        // The second item is an entry only when it is a table (an empty one).
        const int entries = value.typeId() == QMetaType::QVariantMap ? 2 : 1;
        QCOMPARE(d.deaths.size(), qsizetype(entries));
        QCOMPARE(d.attempts, entries);
    }
    // Huge counts saturate instead of overflowing.
    QVariantMap big
        = xDeathEntry(std::numeric_limits<qint64>::max(), u"rejected"_s, u"q"_s, u"x"_s, {}, T0);
    const DeadLetter d = parseRabbitDeadLetter({{u"x-death"_s, QVariantList {big, big}}});
    QCOMPARE(d.attempts, std::numeric_limits<int>::max());
    QVERIFY(d.warnings.isEmpty());
}

QTEST_GUILESS_MAIN(TestDeadLetterParser)
#include "tst_deadletterparser.moc"
