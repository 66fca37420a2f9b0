// Kafka against librdkafka's mock cluster, over TCP: produce/consume round trip,
// metadata, the ListGroups fallback, and errors in words for dead or misconfigured
// clusters.
#include "kafka/kafkaclusterclient.h"
#include "kafka/kafkahandle.h"
#include "kafka/mockkafkacluster.h"
#include "session/sessionmanager.h"
#include "testkafka.h"
#include "testprofiles.h"

#include <librdkafka/rdkafka.h>

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

using namespace veltrix;

class TestKafkaCluster : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void producesAndConsumes();
    void readsTopology();
    void fallsBackToProfileGroupsWhenListGroupsIsUnsupported();
    void deadClusterFailsFastWithReason();
    void badPropertyIsAConfigurationError();
    void sessionPublishesStatusAndTopology();
    void consumerCloseIsBoundedWhenTheBrokersAreGone();

private:
    std::unique_ptr<MockKafkaCluster> m_mock;
};

void TestKafkaCluster::initTestCase()
{
    auto mock = MockKafkaCluster::start(3);
    QVERIFY2(mock.ok(), qPrintable(mock.error().describe()));
    m_mock = std::move(mock).value();
    QVERIFY(m_mock->createTopic(QStringLiteral("orders"), 6, 3).ok());
    QVERIFY(m_mock->createTopic(QStringLiteral("payments"), 3, 1).ok());
}

void TestKafkaCluster::producesAndConsumes()
{
    const ClusterProfile profile
        = test::kafkaProfile(QStringLiteral("mock"), m_mock->bootstrapServers());
    auto producer = KafkaHandle::create(profile, RD_KAFKA_PRODUCER);
    QVERIFY2(producer.ok(), qPrintable(producer.error().describe()));
    constexpr int Count = 300;
    for (int i = 0; i < Count; ++i) {
        const QByteArray payload = QByteArray("order-") + QByteArray::number(i);
        const rd_kafka_resp_err_t err = rd_kafka_producev(
            producer.value()->get(), RD_KAFKA_V_TOPIC("orders"), RD_KAFKA_V_PARTITION(i % 6),
            RD_KAFKA_V_VALUE(const_cast<char *>(payload.constData()),
                             static_cast<size_t>(payload.size())),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        QCOMPARE(err, RD_KAFKA_RESP_ERR_NO_ERROR);
    }
    QCOMPARE(rd_kafka_flush(producer.value()->get(), 10000), RD_KAFKA_RESP_ERR_NO_ERROR);

    auto consumer
        = KafkaHandle::create(profile, RD_KAFKA_CONSUMER,
                              {{QStringLiteral("group.id"), QStringLiteral("tst-roundtrip")},
                               {QStringLiteral("enable.auto.commit"), QStringLiteral("false")}});
    QVERIFY2(consumer.ok(), qPrintable(consumer.error().describe()));
    rd_kafka_t *rk = consumer.value()->get();
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *assignment = rd_kafka_topic_partition_list_new(6);
    for (int p = 0; p < 6; ++p)
        rd_kafka_topic_partition_list_add(assignment, "orders", p)->offset
            = RD_KAFKA_OFFSET_BEGINNING;
    QCOMPARE(rd_kafka_assign(rk, assignment), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_topic_partition_list_destroy(assignment);

    QSet<QByteArray> seen;
    QElapsedTimer clock;
    clock.start();
    while (seen.size() < Count && clock.elapsed() < 20000) {
        rd_kafka_message_t *msg = rd_kafka_consumer_poll(rk, 200);
        if (!msg)
            continue;
        if (!msg->err)
            seen.insert(QByteArray(static_cast<const char *>(msg->payload),
                                   static_cast<qsizetype>(msg->len)));
        rd_kafka_message_destroy(msg);
    }
    rd_kafka_consumer_close(rk);
    QCOMPARE(seen.size(), Count);
    QVERIFY(seen.contains("order-0"));
    QVERIFY(seen.contains("order-299"));
}

void TestKafkaCluster::readsTopology()
{
    KafkaClusterClient client(
        test::kafkaProfile(QStringLiteral("mock"), m_mock->bootstrapServers()),
        std::chrono::seconds(5));
    auto topology = client.fetchTopology();
    QVERIFY2(topology.ok(), qPrintable(topology.error().describe()));
    QCOMPARE(topology->brokers.size(), 3);
    QVERIFY(!topology->clusterId.isEmpty());
    QMap<QString, int> partitions;
    for (const auto &topic : topology->topics)
        partitions.insert(topic.name, topic.partitionCount);
    QCOMPARE(partitions.value(QStringLiteral("orders")), 6);
    QCOMPARE(partitions.value(QStringLiteral("payments")), 3);
    // Sorted, so the tree can merge refreshes row by row.
    for (qsizetype i = 1; i < topology->topics.size(); ++i)
        QVERIFY(topology->topics[i - 1].name < topology->topics[i].name);
}

void TestKafkaCluster::fallsBackToProfileGroupsWhenListGroupsIsUnsupported()
{
    KafkaClusterClient client(
        test::kafkaProfile(QStringLiteral("mock"), m_mock->bootstrapServers(),
                           {QStringLiteral("billing"), QStringLiteral("shipping")}),
        std::chrono::seconds(5));
    auto topology = client.fetchTopology();
    QVERIFY2(topology.ok(), qPrintable(topology.error().describe()));
    QCOMPARE(topology->groups.size(), 2);
    QCOMPARE(topology->groups.at(0).name, QStringLiteral("billing"));
    QVERIFY2(topology->groupsNote.contains(QLatin1String("do not support ListGroups")),
             qPrintable(topology->groupsNote));
}

void TestKafkaCluster::deadClusterFailsFastWithReason()
{
    const QString dead = test::deadEndpoint();
    KafkaClusterClient client(test::kafkaProfile(QStringLiteral("gone"), dead),
                              std::chrono::seconds(3));
    QElapsedTimer clock;
    clock.start();
    const ClusterCheck check = client.probe();
    QVERIFY(!check.reachable);
    QVERIFY2(clock.elapsed() < 8000, qPrintable(QString::number(clock.elapsed())));
    QVERIFY2(check.errorKind == QLatin1String("unreachable")
                 || check.errorKind == QLatin1String("timeout"),
             qPrintable(check.errorKind));
    QVERIFY2(check.error.contains(dead), qPrintable(check.error));
    QVERIFY2(check.error.startsWith(QLatin1String("gone: ")), qPrintable(check.error));
}

void TestKafkaCluster::badPropertyIsAConfigurationError()
{
    ClusterProfile profile = test::kafkaProfile(QStringLiteral("typo"), m_mock->bootstrapServers());
    profile.properties.insert(QStringLiteral("sasl.mechanismz"), QStringLiteral("PLAIN"));
    KafkaClusterClient client(profile, std::chrono::seconds(3));
    const ClusterCheck check = client.probe();
    QVERIFY(!check.reachable);
    QCOMPARE(check.errorKind, QStringLiteral("configuration"));
    QVERIFY2(check.error.contains(QLatin1String("sasl.mechanismz")), qPrintable(check.error));
}

void TestKafkaCluster::sessionPublishesStatusAndTopology()
{
    SessionManager sessions;
    QSignalSpy topologies(&sessions, &SessionManager::topologyAvailable);
    QSignalSpy statuses(&sessions, &SessionManager::statusChanged);
    QSignalSpy reported(&sessions, &SessionManager::allSessionsReported);
    sessions.open({test::kafkaProfile(QStringLiteral("mock"), m_mock->bootstrapServers()),
                   test::kafkaProfile(QStringLiteral("gone"), test::deadEndpoint())});
    QVERIFY(reported.wait(20000));
    QCOMPARE(topologies.size(), 1);
    const auto topology = topologies.first().first().value<ClusterTopology>();
    QCOMPARE(topology.clusterName, QStringLiteral("mock"));

    QMap<QString, ConnectionStatus::State> last;
    for (const auto &args : std::as_const(statuses)) {
        const auto status = args.first().value<ConnectionStatus>();
        last.insert(status.clusterName, status.state);
    }
    QCOMPARE(last.value(QStringLiteral("mock")), ConnectionStatus::State::Connected);
    QCOMPARE(last.value(QStringLiteral("gone")), ConnectionStatus::State::Failed);
}

// A group member whose coordinator vanished, with offsets still to commit: librdkafka's
// own close waits for ever and the destroy waits out the session (the demo hung on stop
// when its broker process died first).
void TestKafkaCluster::consumerCloseIsBoundedWhenTheBrokersAreGone()
{
    auto mock = MockKafkaCluster::start(1);
    QVERIFY2(mock.ok(), qPrintable(mock.error().describe()));
    QVERIFY(mock.value()->createTopic(QStringLiteral("t"), 2, 1).ok());
    const ClusterProfile profile
        = test::kafkaProfile(QStringLiteral("closing"), mock.value()->bootstrapServers());
    QVERIFY(test::produceCounts(profile, QStringLiteral("t"), {5, 5}).ok());
    // Each join uses its own group, so one member's leaving never holds up the next join.
    auto joinGroup = [&](const QString &group) -> std::unique_ptr<KafkaHandle> {
        auto consumer = KafkaHandle::create(
            profile, RD_KAFKA_CONSUMER,
            {{QStringLiteral("group.id"), group},
             // As the demo's consumers: with the broker gone, the destroy waits this out.
             {QStringLiteral("session.timeout.ms"), QStringLiteral("6000")},
             {QStringLiteral("auto.offset.reset"), QStringLiteral("earliest")},
             // Consumed offsets stay uncommitted until the close, which must commit them.
             {QStringLiteral("auto.commit.interval.ms"), QStringLiteral("600000")}});
        if (!consumer)
            return nullptr;
        rd_kafka_t *rk = consumer.value()->get();
        rd_kafka_poll_set_consumer(rk);
        rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(topics, "t", RD_KAFKA_PARTITION_UA);
        rd_kafka_subscribe(rk, topics);
        rd_kafka_topic_partition_list_destroy(topics);
        QElapsedTimer waited;
        waited.start();
        int consumed = 0;
        while (waited.elapsed() < 30000 && consumed < 10) {
            if (rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100)) {
                consumed += m->err ? 0 : 1;
                rd_kafka_message_destroy(m);
            }
        }
        if (consumed == 10)
            return std::move(consumer).value();
        return nullptr;
    };

    // With the broker there, the close finishes.
    auto member = joinGroup(QStringLiteral("tst-close-up"));
    QVERIFY2(member, "the consumer never consumed the records");
    QVERIFY(member->closeConsumer(std::chrono::seconds(20)));
    member.reset();

    // With the broker gone, it gives up after the bound, and destroying the handle does
    // not try to close again.
    member = joinGroup(QStringLiteral("tst-close-down"));
    QVERIFY2(member, "the consumer never consumed the records");
    QVERIFY(mock.value()->setBrokerUp(1, false).ok());
    QElapsedTimer clock;
    clock.start();
    const bool closed = member->closeConsumer(std::chrono::seconds(2));
    const qint64 closeMs = clock.elapsed();
    member.reset();
    qInfo("close with the broker gone: %s after %lld ms, destroyed after %lld ms",
          closed ? "closed" : "gave up", closeMs, clock.elapsed());
    QVERIFY2(!closed && closeMs < 4000, "the close did not give up at its bound");
    QVERIFY2(clock.elapsed() < 15000, "destroying a consumer without its broker hung");
}

QTEST_GUILESS_MAIN(TestKafkaCluster)
#include "tst_kafkacluster.moc"
