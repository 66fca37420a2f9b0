// The demo's dead-letter headers, byte for byte as Spring Kafka 3.x and Kafka Connect
// write them: names, Java's big-endian and BigInteger encodings (deadletter/
// springkafkaheaders.h), and how the headers accumulate as a record hops through
// @RetryableTopic's retry topics.
#include "deadletter/springkafkaheaders.h"
#include "demo/springheaders.h"

#include <QTest>

#include <algorithm>
#include <limits>

using namespace veltrix;
using namespace veltrix::demo;
using namespace Qt::StringLiterals;

namespace {

QByteArray hex(const char *text)
{
    return QByteArray::fromHex(text);
}

QByteArrayList namesOf(const KafkaHeaderList &list)
{
    QByteArrayList names;
    for (const KafkaHeader &h : list)
        names.append(h.name);
    return names;
}

int countOf(const KafkaHeaderList &list, const char *name)
{
    return static_cast<int>(std::count_if(list.cbegin(), list.cend(),
                                          [&](const KafkaHeader &h) { return h.name == name; }));
}

QList<QByteArray> valuesOf(const KafkaHeaderList &list, const char *name)
{
    QList<QByteArray> values;
    for (const KafkaHeader &h : list) {
        if (h.name == name)
            values.append(h.value);
    }
    return values;
}

FailedRecord ordersRecord()
{
    FailedRecord r;
    r.topic = QStringLiteral("orders");
    r.partition = 5;
    r.offset = (qint64(1) << 40) + 1;
    r.timestamp = 1700000000000;
    r.key = "ORD-0100042";
    r.consumerGroup = QStringLiteral("order-service");
    r.headers = {{"content-type", "application/json"}};
    return r;
}

JavaException listenerFailure()
{
    return {QStringLiteral("org.springframework.kafka.listener.ListenerExecutionFailedException"),
            QStringLiteral("Listener failed"),
            QStringLiteral("com.shop.orders.InvalidOrderException"),
            QStringLiteral("Order ORD-0100042 rejected: customer CUST-0042 is blocked"),
            QStringLiteral("trace")};
}

// A consumed copy of a produced record: what the next hop's consumer sees.
FailedRecord consumedFrom(const KafkaHeaderList &headers, const QString &topic, qint64 offset)
{
    FailedRecord r = ordersRecord();
    r.topic = topic;
    r.offset = offset;
    r.timestamp = 1700000001000 + offset;
    r.consumerGroup = topic == QLatin1String("orders-retry-0")
        ? QStringLiteral("order-service-retry-0")
        : QStringLiteral("order-service-retry-1");
    r.headers = headers;
    return r;
}

} // namespace

class TestSpringHeaders : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void bigEndian32_data();
    void bigEndian32();
    void bigEndian64_data();
    void bigEndian64();
    void javaBigInteger_data();
    void javaBigInteger();
    void decodersRejectWrongSizes();
    void blockingRecovererWritesDltHeaders();
    void blockingRecovererAppendsOriginalsEachTime();
    void retryableTopicChainAccumulatesLikeSpring();
    void retryTopicAttemptsReadsLikeSpring_data();
    void retryTopicAttemptsReadsLikeSpring();
    void exceptionMessageJoinsRootCause_data();
    void exceptionMessageJoinsRootCause();
    void connectDlqHeadersAreText();
    void stackTraceFoldsCommonFrames();
};

void TestSpringHeaders::bigEndian32_data()
{
    QTest::addColumn<qint32>("value");
    QTest::addColumn<QByteArray>("bytes");
    QTest::newRow("partition 5") << 5 << hex("00000005");
    QTest::newRow("zero") << 0 << hex("00000000");
    QTest::newRow("0x01020304") << 0x01020304 << hex("01020304");
    QTest::newRow("-1") << -1 << hex("ffffffff");
    QTest::newRow("int max") << std::numeric_limits<qint32>::max() << hex("7fffffff");
    QTest::newRow("int min") << std::numeric_limits<qint32>::min() << hex("80000000");
}

void TestSpringHeaders::bigEndian32()
{
    QFETCH(qint32, value);
    QFETCH(QByteArray, bytes);
    QCOMPARE(veltrix::bigEndian32(value), bytes);
    QCOMPARE(fromBigEndian32(bytes), std::optional<qint32>(value));
}

void TestSpringHeaders::bigEndian64_data()
{
    QTest::addColumn<qint64>("value");
    QTest::addColumn<QByteArray>("bytes");
    QTest::newRow("2^40+1") << (qint64(1) << 40) + 1 << hex("0000010000000001");
    QTest::newRow("offset 7") << qint64(7) << hex("0000000000000007");
    QTest::newRow("timestamp") << qint64(1700000000000) << hex("0000018bcfe56800");
    QTest::newRow("-1") << qint64(-1) << hex("ffffffffffffffff");
    QTest::newRow("long max") << std::numeric_limits<qint64>::max() << hex("7fffffffffffffff");
    QTest::newRow("long min") << std::numeric_limits<qint64>::min() << hex("8000000000000000");
}

void TestSpringHeaders::bigEndian64()
{
    QFETCH(qint64, value);
    QFETCH(QByteArray, bytes);
    QCOMPARE(veltrix::bigEndian64(value), bytes);
    QCOMPARE(fromBigEndian64(bytes), std::optional<qint64>(value));
}

void TestSpringHeaders::javaBigInteger_data()
{
    // Expected bytes are what java.math.BigInteger.valueOf(v).toByteArray() returns.
    QTest::addColumn<qint64>("value");
    QTest::addColumn<QByteArray>("bytes");
    QTest::newRow("0") << qint64(0) << hex("00");
    QTest::newRow("127") << qint64(127) << hex("7f");
    QTest::newRow("128") << qint64(128) << hex("0080");
    QTest::newRow("255") << qint64(255) << hex("00ff");
    QTest::newRow("-1") << qint64(-1) << hex("ff");
    QTest::newRow("-128") << qint64(-128) << hex("80");
    QTest::newRow("-129") << qint64(-129) << hex("ff7f");
    QTest::newRow("epoch ms 2023") << qint64(1700000000000) << hex("018bcfe56800");
    QTest::newRow("long max") << std::numeric_limits<qint64>::max() << hex("7fffffffffffffff");
    QTest::newRow("long min") << std::numeric_limits<qint64>::min() << hex("8000000000000000");
}

void TestSpringHeaders::javaBigInteger()
{
    QFETCH(qint64, value);
    QFETCH(QByteArray, bytes);
    QCOMPARE(javaBigIntegerBytes(value), bytes);
    QCOMPARE(fromJavaBigIntegerBytes(bytes), std::optional<qint64>(value));
}

void TestSpringHeaders::decodersRejectWrongSizes()
{
    QVERIFY(!fromBigEndian32(hex("000005")));
    QVERIFY(!fromBigEndian32(hex("0000000005")));
    QVERIFY(!fromBigEndian64(hex("00000005")));
    QVERIFY(!fromJavaBigIntegerBytes(QByteArray()));
    QVERIFY(!fromJavaBigIntegerBytes(hex("000000000000000001")));
}

void TestSpringHeaders::blockingRecovererWritesDltHeaders()
{
    FailedRecord record = ordersRecord();
    record.topic = QStringLiteral("payments");
    record.consumerGroup = QStringLiteral("payment-service");
    const JavaException error {
        QStringLiteral("org.springframework.kafka.listener.ListenerExecutionFailedException"),
        QStringLiteral("Listener method 'public void com.shop.payments.PaymentListener.onPayment("
                       "org.apache.kafka.clients.consumer.ConsumerRecord<java.lang.String, "
                       "java.lang.String>)' threw exception"),
        QStringLiteral("com.shop.payments.CardDeclinedException"),
        QStringLiteral("Card declined for payment PAY-500042 (issuer response code 51)"),
        QStringLiteral("stack")};
    const KafkaHeaderList headers = blockingRecovererDltHeaders(record, error);

    // DLPR order: the record's headers, exception info, then the original record's.
    const QByteArrayList expected {"content-type",
                                   "kafka_dlt-exception-fqcn",
                                   "kafka_dlt-exception-cause-fqcn",
                                   "kafka_dlt-exception-message",
                                   "kafka_dlt-exception-stacktrace",
                                   "kafka_dlt-original-topic",
                                   "kafka_dlt-original-partition",
                                   "kafka_dlt-original-offset",
                                   "kafka_dlt-original-timestamp",
                                   "kafka_dlt-original-timestamp-type",
                                   "kafka_dlt-original-consumer-group"};
    QCOMPARE(namesOf(headers), expected);
    QCOMPARE(*lastHeader(headers, "kafka_dlt-original-topic"), QByteArray("payments"));
    QCOMPARE(*lastHeader(headers, "kafka_dlt-original-partition"), hex("00000005"));
    QCOMPARE(*lastHeader(headers, "kafka_dlt-original-offset"), hex("0000010000000001"));
    QCOMPARE(*lastHeader(headers, "kafka_dlt-original-timestamp"), hex("0000018bcfe56800"));
    QCOMPARE(*lastHeader(headers, "kafka_dlt-original-timestamp-type"), QByteArray("CreateTime"));
    QCOMPARE(*lastHeader(headers, "kafka_dlt-original-consumer-group"),
             QByteArray("payment-service"));
    QCOMPARE(*lastHeader(headers, "kafka_dlt-exception-cause-fqcn"),
             QByteArray("com.shop.payments.CardDeclinedException"));
    QCOMPARE(*lastHeader(headers, "kafka_dlt-exception-message"),
             (error.message + QStringLiteral("; ") + error.causeMessage).toUtf8());
}

void TestSpringHeaders::blockingRecovererAppendsOriginalsEachTime()
{
    // appendOriginalHeaders defaults to true: a record dead-lettered twice carries two sets
    // of originals, but exception headers are replaced (stripPreviousExceptionHeaders).
    FailedRecord record = ordersRecord();
    record.headers = blockingRecovererDltHeaders(record, listenerFailure());
    const KafkaHeaderList again = blockingRecovererDltHeaders(record, listenerFailure());
    QCOMPARE(countOf(again, headers::DltOriginalTopic), 2);
    QCOMPARE(countOf(again, headers::DltExceptionFqcn), 1);
    QCOMPARE(countOf(again, headers::DltExceptionStacktrace), 1);
}

void TestSpringHeaders::retryableTopicChainAccumulatesLikeSpring()
{
    const JavaException error = listenerFailure();
    const qint64 failedAt = 1700000005000;
    // orders → orders-retry-0 (1 s) → orders-retry-1 (2 s) → orders-dlt.
    const KafkaHeaderList hop1 = retryTopicHeaders(ordersRecord(), error, failedAt, 1000);
    const KafkaHeaderList hop2 = retryTopicHeaders(
        consumedFrom(hop1, QStringLiteral("orders-retry-0"), 17), error, failedAt + 1500, 2000);
    const KafkaHeaderList dlt = retryableTopicDltHeaders(
        consumedFrom(hop2, QStringLiteral("orders-retry-1"), 23), error, failedAt + 4000);

    // DLPR order on the first hop: exception info, originals, then the factory's retry
    // headers (its headersFunction runs last).
    const QByteArrayList firstHop {"content-type",
                                   "kafka_exception-fqcn",
                                   "kafka_exception-cause-fqcn",
                                   "kafka_exception-message",
                                   "kafka_exception-stacktrace",
                                   "kafka_original-topic",
                                   "kafka_original-partition",
                                   "kafka_original-offset",
                                   "kafka_original-timestamp",
                                   "kafka_original-timestamp-type",
                                   "kafka_original-consumer-group",
                                   "retry_topic-original-timestamp",
                                   "retry_topic-attempts",
                                   "retry_topic-backoff-timestamp"};
    QCOMPARE(namesOf(hop1), firstHop);

    // The first hop's originals survive (appendOriginalHeaders=false) ...
    for (const char *name : {headers::OriginalTopic, headers::OriginalPartition,
                             headers::OriginalOffset, headers::OriginalTimestamp,
                             headers::OriginalTimestampType, headers::OriginalConsumerGroup})
        QCOMPARE(countOf(dlt, name), 1);
    QCOMPARE(*lastHeader(dlt, headers::OriginalTopic), QByteArray("orders"));
    QCOMPARE(*lastHeader(dlt, headers::OriginalPartition), hex("00000005"));
    QCOMPARE(*lastHeader(dlt, headers::OriginalOffset), hex("0000010000000001"));
    QCOMPARE(*lastHeader(dlt, headers::OriginalConsumerGroup), QByteArray("order-service"));
    // ... exception headers are replaced, never repeated ...
    for (const char *name : {headers::ExceptionFqcn, headers::ExceptionCauseFqcn,
                             headers::ExceptionMessage, headers::ExceptionStacktrace})
        QCOMPARE(countOf(dlt, name), 1);
    QCOMPARE(
        *lastHeader(dlt, headers::ExceptionMessage),
        QByteArray("Listener failed; Order ORD-0100042 rejected: customer CUST-0042 is blocked"));
    // ... and no kafka_dlt-* names appear under @RetryableTopic.
    for (const QByteArray &name : namesOf(dlt))
        QVERIFY2(!name.startsWith("kafka_dlt-"), name.constData());

    // Retry headers: one per hop (retainAllRetryHeaderValues), attempts as 4-byte ints.
    QCOMPARE(valuesOf(dlt, headers::RetryAttempts),
             (QList<QByteArray> {hex("00000002"), hex("00000003"), hex("00000004")}));
    QCOMPARE(retryTopicAttempts(dlt), 4);
    const QByteArray original = javaBigIntegerBytes(1700000000000);
    QCOMPARE(valuesOf(dlt, headers::RetryOriginalTimestamp),
             (QList<QByteArray> {original, original, original}));
    QCOMPARE(valuesOf(dlt, headers::RetryBackoffTimestamp),
             (QList<QByteArray> {javaBigIntegerBytes(failedAt + 1000),
                                 javaBigIntegerBytes(failedAt + 1500 + 2000),
                                 javaBigIntegerBytes(failedAt + 4000)}));
    QCOMPARE(retryTopicBackoffTimestamp(hop1), std::optional<qint64>(failedAt + 1000));
    // The record's own headers travel along, first.
    QCOMPARE(dlt.first(), (KafkaHeader {"content-type", "application/json"}));
}

void TestSpringHeaders::retryTopicAttemptsReadsLikeSpring_data()
{
    QTest::addColumn<KafkaHeaderList>("headers");
    QTest::addColumn<int>("attempts");
    QTest::newRow("absent") << KafkaHeaderList {} << 1;
    QTest::newRow("4-byte") << KafkaHeaderList {{"retry_topic-attempts", hex("00000003")}} << 3;
    QTest::newRow("legacy 1-byte") << KafkaHeaderList {{"retry_topic-attempts", hex("02")}} << 2;
    QTest::newRow("last wins") << KafkaHeaderList {{"retry_topic-attempts", hex("00000002")},
                                                   {"retry_topic-attempts", hex("00000003")}}
                               << 3;
    QTest::newRow("bad size") << KafkaHeaderList {{"retry_topic-attempts", hex("0003")}} << 1;
    QTest::newRow("out of range") << KafkaHeaderList {{"retry_topic-attempts", hex("00010000")}}
                                  << 1;
}

void TestSpringHeaders::retryTopicAttemptsReadsLikeSpring()
{
    QFETCH(KafkaHeaderList, headers);
    QFETCH(int, attempts);
    QCOMPARE(retryTopicAttempts(headers), attempts);
}

void TestSpringHeaders::exceptionMessageJoinsRootCause_data()
{
    QTest::addColumn<QString>("message");
    QTest::addColumn<QString>("causeFqcn");
    QTest::addColumn<QString>("causeMessage");
    QTest::addColumn<QString>("expected");
    QTest::newRow("wrapped") << u"Listener failed"_s << u"a.B"_s << u"boom 42"_s
                             << u"Listener failed; boom 42"_s;
    QTest::newRow("no cause") << u"boom"_s << QString() << QString() << u"boom"_s;
    QTest::newRow("cause without message")
        << u"Listener failed"_s << u"a.B"_s << QString() << u"Listener failed; "_s;
    QTest::newRow("wrapper without message") << QString() << u"a.B"_s << u"boom"_s << u"boom"_s;
}

void TestSpringHeaders::exceptionMessageJoinsRootCause()
{
    QFETCH(QString, message);
    QFETCH(QString, causeFqcn);
    QFETCH(QString, causeMessage);
    QFETCH(QString, expected);
    QCOMPARE(springExceptionMessage({u"x.Y"_s, message, causeFqcn, causeMessage, {}}), expected);
}

void TestSpringHeaders::connectDlqHeadersAreText()
{
    FailedRecord record = ordersRecord();
    record.topic = QStringLiteral("inventory");
    const ConnectError error {QStringLiteral("inventory-jdbc-sink"),
                              0,
                              QStringLiteral("VALUE_CONVERTER"),
                              QStringLiteral("org.apache.kafka.connect.json.JsonConverter"),
                              QStringLiteral("org.apache.kafka.connect.errors.DataException"),
                              QStringLiteral("Converting byte[] to Kafka Connect data failed"),
                              QStringLiteral("trace")};
    const KafkaHeaderList headers = connectDlqHeaders(record, error);
    const QByteArrayList expected {"content-type",
                                   "__connect.errors.topic",
                                   "__connect.errors.partition",
                                   "__connect.errors.offset",
                                   "__connect.errors.connector.name",
                                   "__connect.errors.task.id",
                                   "__connect.errors.stage",
                                   "__connect.errors.class.name",
                                   "__connect.errors.exception.class.name",
                                   "__connect.errors.exception.message",
                                   "__connect.errors.exception.stacktrace"};
    QCOMPARE(namesOf(headers), expected);
    QCOMPARE(*lastHeader(headers, headers::ConnectTopic), QByteArray("inventory"));
    QCOMPARE(*lastHeader(headers, headers::ConnectPartition), QByteArray("5"));
    QCOMPARE(*lastHeader(headers, headers::ConnectOffset), QByteArray("1099511627777"));
    QCOMPARE(*lastHeader(headers, headers::ConnectTaskId), QByteArray("0"));
    QCOMPARE(*lastHeader(headers, headers::ConnectStage), QByteArray("VALUE_CONVERTER"));
}

void TestSpringHeaders::stackTraceFoldsCommonFrames()
{
    const QStringList tail {u"c.Run.loop(Run.java:9)"_s,
                            u"java.base/java.lang.Thread.run(Thread.java:840)"_s};
    const QString trace = javaStackTrace(
        {{u"a.Wrapper"_s, u"Listener failed"_s,
          QStringList {u"a.Wrapper.wrap(Wrapper.java:3)"_s} + tail},
         {u"b.Root"_s, QString(), QStringList {u"b.Root.fail(Root.java:7)"_s} + tail}});
    QCOMPARE(trace,
             u"a.Wrapper: Listener failed\n"
             "\tat a.Wrapper.wrap(Wrapper.java:3)\n"
             "\tat c.Run.loop(Run.java:9)\n"
             "\tat java.base/java.lang.Thread.run(Thread.java:840)\n"
             "Caused by: b.Root\n"
             "\tat b.Root.fail(Root.java:7)\n"
             "\t... 2 more\n"_s);
}

QTEST_GUILESS_MAIN(TestSpringHeaders)
#include "tst_springheaders.moc"
