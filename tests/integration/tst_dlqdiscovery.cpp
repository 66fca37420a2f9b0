// Finding DLQs and reading them the way `veltrixctl dlq` and the Dead letters tab do, on
// real brokers: the mock Kafka cluster over TCP and the private RabbitMQ node. Dead
// letters are made by the real mechanisms (a consumer's reject, Spring's and Connect's
// headers) and read back through the same code as the console.
#include "deadletter/dlqreader.h"
#include "deadletter/dlqscanner.h"
#include "demo/springheaders.h"
#include "rabbitmq/managementclient.h"
#include "testkafka.h"
#include "testprofiles.h"
#include "testrabbitnode.h"

#include <QTest>

using namespace veltrix;
using namespace Qt::StringLiterals;

namespace {

constexpr auto Timeout = std::chrono::seconds(5);
const QString Work = u"dlqdisc.work"_s;
const QString Dlx = u"dlqdisc.dlx"_s;
const QString Parking = u"dlqdisc.parking"_s; // a DLQ by its binding only
const QString Named = u"dlqdisc.named.dlq"_s; // a DLQ by its name only
const qint64 T0 = 1'760'000'000'000; // record timestamps, ms

demo::FailedRecord failed(const QString &topic, int partition, qint64 offset)
{
    demo::FailedRecord record;
    record.topic = topic;
    record.partition = partition;
    record.offset = offset;
    record.timestamp = T0 - 60'000;
    record.key = "order-" + QByteArray::number(offset);
    record.consumerGroup = u"order-service"_s;
    return record;
}

demo::JavaException timeoutFailure(int orderNumber)
{
    demo::JavaThrowable root {u"java.util.concurrent.TimeoutException"_s,
                              u"order %1 timed out after 30000 ms"_s.arg(orderNumber),
                              {u"com.shop.OrderService.handle(OrderService.java:42)"_s}};
    return demo::springListenerFailure(u"public void com.shop.OrderListener.on(java.lang.String)"_s,
                                       root, true, T0);
}

} // namespace

class TestDlqDiscovery : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void kafkaDlqsAreListedWithDepthAndInflow();
    void kafkaShowMergesPartitionsOldestFirstAndParsesSpring();
    void kafkaShowStartsAtAnOffsetATimeOrOnePartition();
    void rabbitDlqsAreFoundByBindingAndName();
    void rabbitShowReadsRejectedMessagesAndPutsThemBack();
    void unreachableClustersSayWhy();

private:
    void rejectInto(int count);
    std::unique_ptr<MockKafkaCluster> m_mock;
    ClusterProfile m_kafka;
    ClusterProfile m_rabbit;
    LocalRabbitNodeInfo m_node;
};

void TestDlqDiscovery::initTestCase()
{
    auto mock = test::startMockKafka({u"orders"_s}, 3);
    QVERIFY2(mock.ok(), qPrintable(mock.error().describe()));
    m_mock = std::move(mock).value();
    QVERIFY(m_mock->createTopic(u"orders-dlt"_s, 3, 1).ok());
    QVERIFY(m_mock->createTopic(u"payments.DLT"_s, 1, 1).ok());
    m_kafka = test::kafkaProfile(u"k"_s, m_mock->bootstrapServers());

    // orders-dlt: @RetryableTopic dead letters, timestamps interleaved across partitions:
    // record i lands on partition i % 3 at T0 + i seconds.
    QList<test::TestRecord> records;
    for (int i = 0; i < 30; ++i) {
        test::TestRecord r;
        r.partition = i % 3;
        r.key = "order-" + QByteArray::number(i);
        r.value = R"({"order":)" + QByteArray::number(i) + "}";
        r.timestamp = T0 + i * 1000;
        r.headers = demo::retryableTopicDltHeaders(failed(u"orders"_s, i % 3, 100 + i),
                                                   timeoutFailure(1000 + i), T0 + i * 1000);
        records.append(r);
    }
    auto produced = test::produceRecords(m_kafka, u"orders-dlt"_s, records);
    QVERIFY2(produced.ok(), qPrintable(produced.error().describe()));
    produced = test::produceCounts(m_kafka, u"payments.DLT"_s, {4});
    QVERIFY2(produced.ok(), qPrintable(produced.error().describe()));
    produced = test::produceCounts(m_kafka, u"orders"_s, {5, 5, 5});
    QVERIFY2(produced.ok(), qPrintable(produced.error().describe()));

    QString whyNot;
    const auto node = testRabbitNodeFromEnvironment(&whyNot);
    if (!node)
        QFAIL(qPrintable(whyNot));
    m_node = *node;
    m_rabbit = test::rabbitProfile(u"r"_s, m_node);
    auto amqp = test::openAmqp(m_rabbit.amqpUri);
    QVERIFY(amqp);
    for (const QString &queue : {Work, Parking, Named})
        QVERIFY(amqp->deleteQueue(queue).ok()); // an earlier run's
    QVERIFY(amqp->declareExchange(Dlx, u"fanout"_s, true).ok());
    QVERIFY(amqp->declareQueue(Work, true, {{u"x-dead-letter-exchange"_s, Dlx}}).ok());
    QVERIFY(amqp->declareQueue(Parking, true).ok());
    QVERIFY(amqp->bindQueue(Parking, Dlx, QString()).ok());
    QVERIFY(amqp->declareQueue(Named, true).ok());
    QVERIFY(amqp->publish(QString(), Named, "parked by hand").ok());
    rejectInto(5);
}

void TestDlqDiscovery::cleanupTestCase()
{
    if (auto amqp = test::openAmqp(m_rabbit.amqpUri))
        for (const QString &queue : {Work, Parking, Named})
            amqp->deleteQueue(queue);
}

// A consumer rejects without requeue: RabbitMQ dead-letters through the DLX.
void TestDlqDiscovery::rejectInto(int count)
{
    auto amqp = test::openAmqp(m_rabbit.amqpUri);
    QVERIFY(amqp);
    for (int i = 0; i < count; ++i) {
        AmqpMessageProperties properties;
        properties.messageId = u"work-%1"_s.arg(i);
        QVERIFY(amqp->publish(QString(), Work, "job " + QByteArray::number(i), properties).ok());
    }
    for (int i = 0; i < count; ++i) {
        auto got = amqp->get(Work);
        QVERIFY(got.ok() && got.value());
        QVERIFY(amqp->reject(got.value()->deliveryTag, false).ok());
    }
}

void TestDlqDiscovery::kafkaDlqsAreListedWithDepthAndInflow()
{
    DlqScanner scanner(m_kafka, Timeout);
    DlqListing first = scanner.scan();
    QVERIFY2(first.error.isEmpty(), qPrintable(first.error));
    QStringList sources;
    for (const DlqInfo &info : first.queues)
        sources << info.source.toString() + u'=' + QString::number(info.depth);
    sources.sort();
    QCOMPARE(sources, (QStringList {u"kafka:k/orders-dlt=30"_s, u"kafka:k/payments.DLT=4"_s}));
    QCOMPARE(first.queues[0].partitions, 3);
    QCOMPARE(first.queues[0].inflowPerSecond, -1.0);

    // 60 more dead letters: the next scan sees them arrive.
    QVERIFY(test::produceCounts(m_kafka, u"payments.DLT"_s, {60}).ok());
    const DlqListing second = scanner.scan();
    QVERIFY2(second.error.isEmpty(), qPrintable(second.error));
    const auto payments
        = std::find_if(second.queues.begin(), second.queues.end(),
                       [](const DlqInfo &i) { return i.source.name == u"payments.DLT"; });
    QVERIFY(payments != second.queues.end());
    QCOMPARE(payments->depth, 64);
    QVERIFY2(payments->inflowPerSecond > 0, qPrintable(QString::number(payments->inflowPerSecond)));

    // A profile's own patterns replace the defaults.
    ClusterProfile narrow = m_kafka;
    narrow.deadLetterPatterns = QStringList {u"orders*"_s};
    const DlqListing custom = DlqScanner(narrow, Timeout).scan();
    QStringList names;
    for (const DlqInfo &info : custom.queues)
        names << info.source.name;
    names.sort();
    QCOMPARE(names, (QStringList {u"orders"_s, u"orders-dlt"_s}));
}

void TestDlqDiscovery::kafkaShowMergesPartitionsOldestFirstAndParsesSpring()
{
    DlqReadOptions options;
    options.limit = 7;
    const auto read
        = readDlq(m_kafka, {ClusterKind::Kafka, u"k"_s, {}, u"orders-dlt"_s}, options, Timeout);
    QVERIFY2(read.ok(), qPrintable(read.error().describe()));
    QCOMPARE(read->depth, 30);
    QCOMPARE(read->messages.size(), 7);
    for (int i = 0; i < 7; ++i) {
        const BrowsedMessage &m = read->messages[i];
        // Oldest first across partitions: record i of the production order.
        QCOMPARE(m.timestamp.toMSecsSinceEpoch(), T0 + i * 1000);
        QCOMPARE(m.partition, i % 3);
        QCOMPARE(m.offset, i / 3);
        QCOMPARE(m.id, u"%1:%2"_s.arg(i % 3).arg(i / 3));
        QCOMPARE(*m.key, "order-" + QByteArray::number(i));
        const DeadLetter &dl = m.deadLetter;
        QCOMPARE(dl.convention, DeadLetterConvention::SpringRetryable);
        QCOMPARE(dl.originalDestination, u"orders"_s);
        QCOMPARE(dl.originalPartition, i % 3);
        QCOMPARE(dl.originalOffset, 100 + i);
        QCOMPARE(dl.originalConsumerGroup, u"order-service"_s);
        QCOMPARE(dl.exceptionClass, u"java.util.concurrent.TimeoutException"_s);
        QVERIFY2(dl.exceptionMessage.contains(u"order %1 timed out"_s.arg(1000 + i)),
                 qPrintable(dl.exceptionMessage));
        QCOMPARE(dl.lastFailedAt, m.timestamp);
        QVERIFY(dl.warnings.isEmpty());
    }
}

void TestDlqDiscovery::kafkaShowStartsAtAnOffsetATimeOrOnePartition()
{
    const DlqSource source {ClusterKind::Kafka, u"k"_s, {}, u"orders-dlt"_s};
    DlqReadOptions options;
    options.limit = 100;
    options.partition = 2;
    auto read = readDlq(m_kafka, source, options, Timeout);
    QVERIFY2(read.ok(), qPrintable(read.error().describe()));
    QCOMPARE(read->messages.size(), 10);
    QVERIFY(std::all_of(read->messages.begin(), read->messages.end(),
                        [](const BrowsedMessage &m) { return m.partition == 2; }));

    options.partition.reset();
    options.offset = 8; // the last two of each partition
    read = readDlq(m_kafka, source, options, Timeout);
    QVERIFY(read.ok());
    QCOMPARE(read->messages.size(), 6);
    QCOMPARE(read->messages.first().timestamp.toMSecsSinceEpoch(), T0 + 24 * 1000);

    options.offset = 0;
    options.since = QDateTime::fromMSecsSinceEpoch(T0 + 25'500, Qt::UTC);
    options.limit = 2;
    read = readDlq(m_kafka, source, options, Timeout);
    QVERIFY(read.ok());
    QCOMPARE(read->messages.size(), 2);
    QCOMPARE(read->messages[0].timestamp.toMSecsSinceEpoch(), T0 + 26'000);
    QCOMPARE(read->messages[1].timestamp.toMSecsSinceEpoch(), T0 + 27'000);

    options = {};
    options.partition = 7;
    read = readDlq(m_kafka, source, options, Timeout);
    QVERIFY(!read.ok());
    QVERIFY2(read.error().describe().contains(u"no partition 7"_s),
             qPrintable(read.error().describe()));
}

void TestDlqDiscovery::rabbitDlqsAreFoundByBindingAndName()
{
    DlqScanner scanner(m_rabbit, Timeout);
    // The management API's message counts trail the queues by a few seconds.
    DlqListing listing;
    const auto find = [&](const QString &name) -> const DlqInfo * {
        for (const DlqInfo &info : listing.queues)
            if (info.source.name == name)
                return &info;
        return nullptr;
    };
    QTRY_VERIFY_WITH_TIMEOUT(
        (listing = scanner.scan(),
         find(Parking) && find(Parking)->depth == 5 && find(Named) && find(Named)->depth == 1),
        20000);
    QVERIFY2(listing.error.isEmpty(), qPrintable(listing.error));
    QCOMPARE(find(Parking)->why, u"bound to dead-letter exchange "_s + Dlx);
    QCOMPARE(find(Parking)->source.toString(), u"rabbitmq:r/%2F/"_s + Parking);
    QCOMPARE(find(Parking)->queueType, u"classic"_s);
    QCOMPARE(find(Named)->why, u"name matches *.dlq"_s);
    QVERIFY(!find(Work)); // the work queue names a DLX; it is not one
}

void TestDlqDiscovery::rabbitShowReadsRejectedMessagesAndPutsThemBack()
{
    const DlqSource source {ClusterKind::RabbitMq, u"r"_s, u"/"_s, Parking};
    DlqReadOptions options;
    options.limit = 3;
    options.offset = 1;
    const auto read = readDlq(m_rabbit, source, options, Timeout);
    QVERIFY2(read.ok(), qPrintable(read.error().describe()));
    QCOMPARE(read->messages.size(), 3);
    for (int i = 0; i < 3; ++i) {
        const BrowsedMessage &m = read->messages[i];
        QCOMPARE(m.id, u"work-%1"_s.arg(i + 1));
        QCOMPARE(m.payload, "job " + QByteArray::number(i + 1));
        QCOMPARE(m.deadLetter.convention, DeadLetterConvention::RabbitXDeath);
        QCOMPARE(m.deadLetter.originalDestination, Work);
        QCOMPARE(m.deadLetter.reason, u"rejected"_s);
        QCOMPARE(m.deadLetter.attempts, 1);
        QCOMPARE(m.deadLetter.deaths.size(), 1);
    }
    QVERIFY2(read->notes.join(u' ').contains(u"redelivered"_s), qPrintable(read->notes.join(u' ')));

    // Everything is still there, in order.
    auto amqp = test::openAmqp(m_rabbit.amqpUri);
    QVERIFY(amqp);
    QStringList ids;
    QList<quint64> tags;
    while (true) {
        auto got = amqp->get(Parking);
        QVERIFY(got.ok());
        if (!got.value())
            break;
        ids << got.value()->properties.messageId;
        tags << got.value()->deliveryTag;
    }
    for (const quint64 tag : tags)
        QVERIFY(amqp->reject(tag, true).ok());
    QCOMPARE(ids, (QStringList {u"work-0"_s, u"work-1"_s, u"work-2"_s, u"work-3"_s, u"work-4"_s}));
}

void TestDlqDiscovery::unreachableClustersSayWhy()
{
    const ClusterProfile deadKafka = test::kafkaProfile(u"dead-k"_s, test::deadEndpoint());
    const DlqListing listing = DlqScanner(deadKafka, std::chrono::seconds(2)).scan();
    QVERIFY(!listing.error.isEmpty());
    QVERIFY2(listing.error.contains(u"dead-k"_s), qPrintable(listing.error));

    ClusterProfile deadRabbit = m_rabbit;
    deadRabbit.name = u"dead-r"_s;
    deadRabbit.managementUrl = u"http://"_s + test::deadEndpoint();
    const DlqListing rabbit = DlqScanner(deadRabbit, std::chrono::seconds(2)).scan();
    QVERIFY(!rabbit.error.isEmpty());

    const auto read
        = readDlq(m_kafka, {ClusterKind::RabbitMq, u"k"_s, u"/"_s, u"q"_s}, {}, Timeout);
    QVERIFY(!read.ok()); // a Kafka profile cannot hold a queue
    QVERIFY2(read.error().describe().contains(u"not rabbitmq"_s),
             qPrintable(read.error().describe()));
}

QTEST_GUILESS_MAIN(TestDlqDiscovery)
#include "tst_dlqdiscovery.moc"
