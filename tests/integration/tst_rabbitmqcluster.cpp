// RabbitMQ against the private node the CTest fixture started: AMQP round trip with
// properties and headers, topology from the management API, and errors in words.
#include "rabbitmq/amqpconnection.h"
#include "rabbitmq/rabbitclusterclient.h"
#include "testprofiles.h"
#include "testrabbitnode.h"

#include <QElapsedTimer>
#include <QTest>

using namespace veltrix;

class TestRabbitMqCluster : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void publishesAndReadsBack();
    void probeReportsVersion();
    void topologyListsQueuesWithTypes();
    void wrongPasswordSaysSo_data();
    void wrongPasswordSaysSo();

private:
    std::unique_ptr<AmqpConnection> connect();
    LocalRabbitNodeInfo m_node;
};

void TestRabbitMqCluster::initTestCase()
{
    QString whyNot;
    const auto node = testRabbitNodeFromEnvironment(&whyNot);
    if (!node)
        QFAIL(qPrintable(whyNot));
    m_node = *node;
}

std::unique_ptr<AmqpConnection> TestRabbitMqCluster::connect()
{
    return test::openAmqp(m_node.amqpUri());
}

void TestRabbitMqCluster::publishesAndReadsBack()
{
    auto amqp = connect();
    QVERIFY(amqp);
    const QString queue = QStringLiteral("tst.roundtrip");
    amqp->deleteQueue(queue);
    QVERIFY(amqp->declareQueue(queue, true).ok());

    constexpr int Count = 100;
    const QByteArray binary("\x00\xff\x10 binary", 10);
    for (int i = 0; i < Count; ++i) {
        AmqpMessageProperties props;
        props.messageId = QStringLiteral("msg-%1").arg(i);
        props.contentType = QStringLiteral("application/json");
        props.correlationId = QStringLiteral("corr-%1").arg(i);
        props.priority = 3;
        props.headers
            = {{QStringLiteral("attempt"), i},
               {QStringLiteral("raw"), binary},
               {QStringLiteral("nested"), QVariantMap {{QStringLiteral("k"), QStringLiteral("v")}}},
               {QStringLiteral("list"), QVariantList {1, QStringLiteral("two")}}};
        const QByteArray body = QStringLiteral("{\"order\": %1}").arg(i).toUtf8();
        QVERIFY(amqp->publish(QString(), queue, body, props).ok());
    }

    for (int i = 0; i < Count; ++i) {
        auto got = amqp->get(queue);
        QVERIFY2(got.ok(), qPrintable(got.error().describe()));
        QVERIFY2(got->has_value(), qPrintable(QStringLiteral("message %1 missing").arg(i)));
        const AmqpMessage &m = *got.value();
        QCOMPARE(m.body, QStringLiteral("{\"order\": %1}").arg(i).toUtf8());
        QCOMPARE(m.routingKey, queue);
        QCOMPARE(m.properties.messageId, QStringLiteral("msg-%1").arg(i));
        QCOMPARE(m.properties.correlationId, QStringLiteral("corr-%1").arg(i));
        QCOMPARE(m.properties.contentType, QStringLiteral("application/json"));
        QCOMPARE(m.properties.priority, 3);
        QCOMPARE(m.properties.deliveryMode, 2);
        QCOMPARE(m.properties.headers.value(QStringLiteral("attempt")).toLongLong(), qint64(i));
        QCOMPARE(m.properties.headers.value(QStringLiteral("raw")).toByteArray(), binary);
        QCOMPARE(m.properties.headers.value(QStringLiteral("nested"))
                     .toMap()
                     .value(QStringLiteral("k"))
                     .toString(),
                 QStringLiteral("v"));
        QCOMPARE(m.properties.headers.value(QStringLiteral("list")).toList().size(), 2);
        QVERIFY(amqp->ack(m.deliveryTag).ok());
    }
    auto empty = amqp->get(queue);
    QVERIFY(empty.ok());
    QVERIFY(!empty->has_value());
    QVERIFY(amqp->deleteQueue(queue).ok());
}

void TestRabbitMqCluster::probeReportsVersion()
{
    RabbitClusterClient client(test::rabbitProfile(QStringLiteral("rabbit"), m_node),
                               std::chrono::seconds(5));
    const ClusterCheck check = client.probe();
    QVERIFY2(check.reachable, qPrintable(check.error));
    QVERIFY2(check.serverVersion.startsWith(QLatin1String("3.")), qPrintable(check.serverVersion));
    QCOMPARE(check.brokerCount, 1);
    QVERIFY2(check.notes.isEmpty(), qPrintable(check.notes.join(QLatin1Char('\n'))));
}

void TestRabbitMqCluster::topologyListsQueuesWithTypes()
{
    auto amqp = connect();
    QVERIFY(amqp);
    QVERIFY(amqp->declareQueue(QStringLiteral("tst.classic"), true).ok());
    QVERIFY(amqp->declareQueue(QStringLiteral("tst.quorum"), true,
                               {{QStringLiteral("x-queue-type"), QStringLiteral("quorum")}})
                .ok());

    RabbitClusterClient client(test::rabbitProfile(QStringLiteral("rabbit"), m_node),
                               std::chrono::seconds(5));
    auto topology = client.fetchTopology();
    QVERIFY2(topology.ok(), qPrintable(topology.error().describe()));
    QVERIFY(topology->serverVersion.startsWith(QLatin1String("3.")));
    const auto root
        = std::find_if(topology->vhosts.begin(), topology->vhosts.end(),
                       [](const RabbitVhostInfo &v) { return v.name == QLatin1String("/"); });
    QVERIFY(root != topology->vhosts.end());
    QMap<QString, QString> types;
    for (const RabbitQueueInfo &q : root->queues)
        types.insert(q.name, q.type);
    QCOMPARE(types.value(QStringLiteral("tst.classic")), QStringLiteral("classic"));
    QCOMPARE(types.value(QStringLiteral("tst.quorum")), QStringLiteral("quorum"));

    QVERIFY(amqp->deleteQueue(QStringLiteral("tst.classic")).ok());
    QVERIFY(amqp->deleteQueue(QStringLiteral("tst.quorum")).ok());
}

void TestRabbitMqCluster::wrongPasswordSaysSo_data()
{
    QTest::addColumn<QString>("uri");
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("mentions");
    const QString hostPort = QStringLiteral("127.0.0.1:%1").arg(m_node.amqpPort);
    QTest::newRow("wrong password")
        << QStringLiteral("amqp://guest:s3cr3t-wrong@%1/%2F").arg(hostPort)
        << QStringLiteral("authentication_failed") << QStringLiteral("guest");
    QTest::newRow("unknown user") << QStringLiteral("amqp://nobody:pw@%1/%2F").arg(hostPort)
                                  << QStringLiteral("authentication_failed")
                                  << QStringLiteral("nobody");
    QTest::newRow("missing vhost")
        << QStringLiteral("amqp://guest:guest@%1/no-such-vhost").arg(hostPort)
        << QStringLiteral("vhost_missing") << QStringLiteral("no-such-vhost");
    QTest::newRow("nothing listening")
        << QStringLiteral("amqp://guest:guest@%1/%2F").arg(test::deadEndpoint())
        << QStringLiteral("unreachable") << QStringLiteral("cannot reach");
}

void TestRabbitMqCluster::wrongPasswordSaysSo()
{
    QFETCH(QString, uri);
    QFETCH(QString, kind);
    QFETCH(QString, mentions);
    ClusterProfile profile = test::rabbitProfile(QStringLiteral("rabbit"), m_node);
    profile.amqpUri = uri;
    RabbitClusterClient client(profile, std::chrono::seconds(5));
    QElapsedTimer clock;
    clock.start();
    const ClusterCheck check = client.probe();
    QVERIFY(!check.reachable);
    QVERIFY2(clock.elapsed() < 10000, qPrintable(QString::number(clock.elapsed())));
    QCOMPARE(check.errorKind, kind);
    QVERIFY2(check.error.contains(mentions), qPrintable(check.error));
    QVERIFY2(!check.error.contains(QLatin1String("s3cr3t")), "the password leaked into the error");
}

QTEST_GUILESS_MAIN(TestRabbitMqCluster)
#include "tst_rabbitmqcluster.moc"
