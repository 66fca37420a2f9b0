// The statistics parsers behind the dashboards, on answers shaped like the real ones
// (the same files seed fuzz_brokerstats) and on broken ones.
#include "kafka/kafkastatistics.h"
#include "rabbitmq/queuerates.h"

#include <QFile>
#include <QJsonDocument>
#include <QTest>

using namespace veltrix;
using namespace Qt::StringLiterals;

namespace {

QByteArray seed(const QString &name)
{
    QFile file(QStringLiteral(VELTRIX_BROKERSTATS_SEEDS) + u'/' + name);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read the seed %s", qPrintable(file.fileName()));
    return file.readAll();
}

} // namespace

class TestProbeParsers : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void kafkaStatisticsGiveRoundTripsPerBrokerInMilliseconds();
    void kafkaStatisticsThatAreNotStatisticsAreErrors_data();
    void kafkaStatisticsThatAreNotStatisticsAreErrors();
    void kafkaStatisticsWithOddFieldsStillParse();
    void queueRatesGiveDepthAndRatesPerQueue();
    void queueRatesThatAreNotAQueueListAreErrors();
};

void TestProbeParsers::kafkaStatisticsGiveRoundTripsPerBrokerInMilliseconds()
{
    const auto brokers = parseKafkaStatistics(seed(u"kafka-statistics.json"_s));
    QVERIFY2(brokers.ok(), qPrintable(brokers.error().describe()));
    // The bootstrap placeholder (nodeid -1) and broker 3 (no round trip yet) are left out;
    // the rest come sorted by node id, µs turned into ms.
    QCOMPARE(brokers.value().size(), 2);
    const BrokerLatency &one = brokers.value().at(0);
    const BrokerLatency &two = brokers.value().at(1);
    QCOMPARE(one.broker, u"1"_s);
    QCOMPARE(two.broker, u"2"_s);
    QCOMPARE(one.rttP50, 0.811);
    QCOMPARE(one.rttP99, 2.899);
    QCOMPARE(one.queueP50, 0.014);
    QCOMPARE(two.rttP50, 1.503);
    QCOMPARE(two.rttP99, 51.199);
    QCOMPARE(two.queueP99, 0.095);
}

void TestProbeParsers::kafkaStatisticsThatAreNotStatisticsAreErrors_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("says");
    QTest::newRow("empty") << QByteArray() << u"not a JSON object"_s;
    QTest::newRow("truncated") << seed(u"kafka-statistics.json"_s).left(300)
                               << u"not a JSON object"_s;
    QTest::newRow("array") << QByteArray("[1,2]") << u"not a JSON object"_s;
    QTest::newRow("no brokers") << QByteArray(R"({"name":"rdkafka#producer-1"})")
                                << u"no \"brokers\""_s;
    QTest::newRow("brokers not an object")
        << QByteArray(R"({"brokers":[]})") << u"no \"brokers\""_s;
}

void TestProbeParsers::kafkaStatisticsThatAreNotStatisticsAreErrors()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, says);
    const auto brokers = parseKafkaStatistics(json);
    QVERIFY(!brokers.ok());
    QCOMPARE(brokers.error().kind, BrokerError::Kind::Protocol);
    QVERIFY2(brokers.error().describe().contains(says), qPrintable(brokers.error().describe()));
}

void TestProbeParsers::kafkaStatisticsWithOddFieldsStillParse()
{
    // Wrong types inside one broker cost that broker, not the whole answer.
    const auto brokers = parseKafkaStatistics(
        R"({"brokers":{"a":"text","b":{"nodeid":"7","rtt":{"cnt":3}},
            "c":{"nodeid":4,"rtt":{"cnt":2,"p50":"fast","p99":2000}}}})");
    QVERIFY(brokers.ok());
    QCOMPARE(brokers.value().size(), 1);
    QCOMPARE(brokers.value().first().broker, u"4"_s);
    QCOMPARE(brokers.value().first().rttP50, 0.0);
    QCOMPARE(brokers.value().first().rttP99, 2.0);
}

void TestProbeParsers::queueRatesGiveDepthAndRatesPerQueue()
{
    const auto queues = parseQueueRates(QJsonDocument::fromJson(seed(u"management-queues.json"_s)));
    QVERIFY2(queues.ok(), qPrintable(queues.error().describe()));
    QCOMPARE(queues.value().size(), 4);
    const QueueRates &orders = queues.value().at(0);
    QCOMPARE(orders.vhost, u"shop"_s);
    QCOMPARE(orders.queue, u"orders.process"_s);
    QCOMPARE(orders.messages, qint64(12));
    QCOMPARE(orders.publish, 51.4);
    QCOMPARE(orders.deliver, 50.0);
    QCOMPARE(orders.ack, 48.2);
    QCOMPARE(orders.redeliver, 1.6);
    // What retries it: the policy, the lower of argument and policy limits, a DLX in force.
    QCOMPARE(orders.policy, u"shop-retry"_s);
    QCOMPARE(orders.deliveryLimit.value_or(-1), 4);
    QVERIFY(orders.deadLetters);
    QVERIFY(!queues.value().at(1).deadLetters);
    // No traffic yet: no message_stats, all rates zero, depth still known.
    const QueueRates &dlq = queues.value().at(1);
    QCOMPARE(dlq.messages, qint64(3));
    QCOMPARE(dlq.publish, 0.0);
    QCOMPARE(queues.value().at(3).messages, qint64(-1)); // depth not reported yet: unknown
}

void TestProbeParsers::queueRatesThatAreNotAQueueListAreErrors()
{
    const auto object = parseQueueRates(QJsonDocument::fromJson(R"({"error":"not_authorised"})"));
    QVERIFY(!object.ok());
    QVERIFY(object.error().describe().contains(u"not a JSON array"_s));
    const auto mixed = parseQueueRates(QJsonDocument::fromJson(R"([{"name":"a"}, 3])"));
    QVERIFY(!mixed.ok());
    QVERIFY(mixed.error().describe().contains(u"non-object"_s));
    const auto nameless
        = parseQueueRates(QJsonDocument::fromJson(R"([{"vhost":"/","messages":4}])"));
    QVERIFY(nameless.ok());
    QVERIFY(nameless.value().isEmpty()); // nothing to call it by: left out
}

QTEST_GUILESS_MAIN(TestProbeParsers)
#include "tst_probeparsers.moc"
