// The demo's RabbitMQ side against the private node the CTest fixture started: the shop
// topology (declared twice), its policies read back, and the workload making the broker
// dead-letter for real. The x-death headers are read by hand from plain basic.get
// results, not by any parser of ours.
#include "demo/demosettings.h"
#include "demo/rabbittopology.h"
#include "demo/rabbitworkload.h"
#include "rabbitmq/amqpconnection.h"
#include "rabbitmq/managementclient.h"
#include "testprofiles.h"
#include "testrabbitnode.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QTest>

using namespace veltrix;
using namespace veltrix::demo;
using namespace std::chrono_literals;

class TestRabbitWorkload : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void managementPutsAndRemoves();
    void topologyIsIdempotent();
    void policiesReadBackAsSet();
    void workloadMakesTheBrokerDeadLetter();
    void workloadReconnectsWhenTheBrokerDropsIt();
    void startSaysWhatIsWrong();

private:
    std::unique_ptr<ManagementClient> api(const QString &password = QStringLiteral("guest"));
    QString shopUri(const QString &password = QStringLiteral("guest")) const;
    std::unique_ptr<AmqpConnection> connectShop();

    LocalRabbitNodeInfo m_node;
    const ShopTopologyOptions m_options {1000, 3}; // a short TTL: shipping expires fast
};

void TestRabbitWorkload::initTestCase()
{
    QString whyNot;
    const auto node = testRabbitNodeFromEnvironment(&whyNot);
    if (!node)
        QFAIL(qPrintable(whyNot));
    m_node = *node;
    auto removed = api()->remove(QStringLiteral("/api/vhosts/shop")); // an earlier run's
    QVERIFY2(removed.ok(), qPrintable(removed.error().describe()));
}

void TestRabbitWorkload::cleanupTestCase()
{
    if (m_node.managementPort == 0)
        return;
    auto removed = api()->remove(QStringLiteral("/api/vhosts/shop"));
    QVERIFY2(removed.ok(), qPrintable(removed.error().describe()));
}

std::unique_ptr<ManagementClient> TestRabbitWorkload::api(const QString &password)
{
    return std::make_unique<ManagementClient>(QStringLiteral("test"), QUrl(m_node.managementUrl()),
                                              QStringLiteral("guest"), password, 10s);
}

QString TestRabbitWorkload::shopUri(const QString &password) const
{
    return QStringLiteral("amqp://guest:%1@127.0.0.1:%2/shop").arg(password).arg(m_node.amqpPort);
}

std::unique_ptr<AmqpConnection> TestRabbitWorkload::connectShop()
{
    return test::openAmqp(shopUri());
}

void TestRabbitWorkload::managementPutsAndRemoves()
{
    QCOMPARE(ManagementClient::encodeSegment(QStringLiteral("/")), QStringLiteral("%2F"));
    QCOMPARE(ManagementClient::encodeSegment(QStringLiteral("a b/c")), QStringLiteral("a%20b%2Fc"));

    auto client = api();
    auto root = client->get(QStringLiteral("/api/vhosts/%2F"));
    QVERIFY2(root.ok(), qPrintable(root.error().describe()));
    QCOMPARE(root->object().value(QLatin1String("name")).toString(), QStringLiteral("/"));

    // A vhost name that needs encoding survives the round trip.
    const QString name = QStringLiteral("tst vhost/1");
    const QString path = QStringLiteral("/api/vhosts/") + ManagementClient::encodeSegment(name);
    auto created = client->put(path, {{QStringLiteral("description"), QStringLiteral("tst")}});
    QVERIFY2(created.ok(), qPrintable(created.error().describe()));
    QVERIFY(created->isEmpty()); // 201, no body
    auto replaced = client->put(path, {{QStringLiteral("description"), QStringLiteral("tst")}});
    QVERIFY(replaced.ok()); // 204 the second time
    auto read = client->get(path);
    QVERIFY2(read.ok(), qPrintable(read.error().describe()));
    QCOMPARE(read->object().value(QLatin1String("name")).toString(), name);
    QCOMPARE(read->object().value(QLatin1String("description")).toString(), QStringLiteral("tst"));

    // The broker's reason, not just "Bad Request".
    auto invalid = client->put(QStringLiteral("/api/policies/")
                                   + ManagementClient::encodeSegment(name) + QStringLiteral("/bad"),
                               {{QStringLiteral("pattern"), QStringLiteral(".*")},
                                {QStringLiteral("apply-to"), QStringLiteral("everything")},
                                {QStringLiteral("definition"), QJsonObject()}});
    QVERIFY(!invalid.ok());
    QVERIFY2(invalid.error().message.contains(QLatin1String("apply-to 'everything' unrecognised")),
             qPrintable(invalid.error().message));

    auto removed = client->remove(path);
    QVERIFY2(removed.ok(), qPrintable(removed.error().describe()));
    QVERIFY(removed.value());
    auto again = client->remove(path);
    QVERIFY(again.ok());
    QVERIFY(!again.value()); // nothing left to delete

    auto denied = api(QStringLiteral("wrong"))->put(path, {});
    QVERIFY(!denied.ok());
    QCOMPARE(denied.error().kind, BrokerError::Kind::AuthenticationFailed);
}

void TestRabbitWorkload::topologyIsIdempotent()
{
    auto client = api();
    auto endpoint = AmqpEndpoint::parse(m_node.amqpUri()); // vhost "/": the function uses "shop"
    QVERIFY(endpoint.ok());
    for (int round = 0; round < 2; ++round) {
        auto declared = declareShopTopology(*client, endpoint.value(), m_options);
        QVERIFY2(declared.ok(), qPrintable(declared.error().describe()));
    }

    // Queues with their types and the policy the broker applies to each. The management
    // statistics catch up with new queues within a few seconds.
    const QMap<QString, QPair<QString, QString>> expected {
        {names::OrdersQueue, {QStringLiteral("classic"), QStringLiteral("shop-dead-letter")}},
        {names::PaymentsQueue, {QStringLiteral("quorum"), QStringLiteral("shop-payments-quorum")}},
        {names::ShippingQueue, {QStringLiteral("classic"), QStringLiteral("shop-shipping-ttl")}},
        {names::OrdersDlq, {QStringLiteral("classic"), QString()}},
        {names::PaymentsDlq, {QStringLiteral("classic"), QString()}},
        {names::ShippingDlq, {QStringLiteral("classic"), QString()}},
        {names::PricingRpcQueue, {QStringLiteral("classic"), QString()}},
    };
    QMap<QString, QPair<QString, QString>> actual;
    const auto readQueues = [&] {
        actual.clear();
        auto queues = client->get(QStringLiteral("/api/queues/shop?columns=name,type,policy"));
        for (const QJsonValue &q : queues ? queues->array() : QJsonArray())
            actual.insert(
                q[QLatin1String("name")].toString(),
                {q[QLatin1String("type")].toString(), q[QLatin1String("policy")].toString()});
        return actual == expected;
    };
    QTRY_VERIFY2_WITH_TIMEOUT(readQueues(),
                              qPrintable(QStringList(actual.keys()).join(QLatin1Char(','))), 15000);

    auto bindings = client->get(QStringLiteral("/api/bindings/shop"));
    QVERIFY(bindings.ok());
    QStringList routes;
    for (const QJsonValue &b : bindings->array()) {
        if (b[QLatin1String("source")].toString().isEmpty())
            continue; // the default exchange's implicit bindings
        routes << QStringLiteral("%1 %2 %3")
                      .arg(b[QLatin1String("source")].toString(),
                           b[QLatin1String("routing_key")].toString(),
                           b[QLatin1String("destination")].toString());
    }
    routes.sort();
    QCOMPARE(routes,
             QStringList({
                 QStringLiteral("shop order.* orders.process"),
                 QStringLiteral("shop payment.* payments.process"),
                 QStringLiteral("shop shipping.* shipping.process"),
                 QStringLiteral("shop.dlx order.# orders.dlq"),
                 QStringLiteral("shop.dlx payment.# payments.dlq"),
                 QStringLiteral("shop.dlx shipping.# shipping.dlq"),
             }));
    auto exchanges = client->get(QStringLiteral("/api/exchanges/shop/shop.dlx"));
    QVERIFY(exchanges.ok());
    QCOMPARE(exchanges->object().value(QLatin1String("type")).toString(), QStringLiteral("topic"));
    QVERIFY(exchanges->object().value(QLatin1String("durable")).toBool());
}

void TestRabbitWorkload::policiesReadBackAsSet()
{
    auto read = api()->get(QStringLiteral("/api/policies/shop"));
    QVERIFY2(read.ok(), qPrintable(read.error().describe()));
    QMap<QString, QJsonObject> byName;
    for (const QJsonValue &p : read->array())
        byName.insert(p[QLatin1String("name")].toString(), p.toObject());

    const QList<ShopPolicy> set = shopPolicies(m_options);
    QCOMPARE(byName.size(), set.size());
    for (const ShopPolicy &policy : set) {
        QVERIFY2(byName.contains(policy.name), qPrintable(policy.name));
        QJsonObject back = byName.value(policy.name);
        QCOMPARE(back.take(QLatin1String("vhost")).toString(), QStringLiteral("shop"));
        back.remove(QLatin1String("name"));
        QCOMPARE(back, policy.toJson());
    }
    // And what they say, spelled out: DLX everywhere, the TTL and the delivery limit.
    const auto definition = [&byName](const char *name) {
        return byName.value(QString::fromLatin1(name))
            .value(QLatin1String("definition"))
            .toObject();
    };
    QCOMPARE(definition("shop-dead-letter"),
             QJsonObject({{QStringLiteral("dead-letter-exchange"), QStringLiteral("shop.dlx")}}));
    QCOMPARE(definition("shop-shipping-ttl"),
             QJsonObject({{QStringLiteral("dead-letter-exchange"), QStringLiteral("shop.dlx")},
                          {QStringLiteral("message-ttl"), 1000}}));
    QCOMPARE(definition("shop-payments-quorum"),
             QJsonObject({{QStringLiteral("dead-letter-exchange"), QStringLiteral("shop.dlx")},
                          {QStringLiteral("delivery-limit"), 3}}));
    QVERIFY(
        byName.value(QStringLiteral("shop-shipping-ttl")).value(QLatin1String("priority")).toInt()
        > byName.value(QStringLiteral("shop-dead-letter"))
              .value(QLatin1String("priority"))
              .toInt());
}

// The first message of a queue, put back where it was (reject with requeue).
static std::optional<AmqpMessage> peek(AmqpConnection &amqp, const QString &queue)
{
    auto got = amqp.get(queue);
    if (!got.ok() || !got->has_value())
        return std::nullopt;
    const AmqpMessage message = *got.value();
    amqp.reject(message.deliveryTag, true);
    return message;
}

static QVariantMap firstDeath(const AmqpMessage &message)
{
    const QVariantList deaths
        = message.properties.headers.value(QStringLiteral("x-death")).toList();
    return deaths.isEmpty() ? QVariantMap() : deaths.first().toMap();
}

void TestRabbitWorkload::workloadMakesTheBrokerDeadLetter()
{
    auto amqp = connectShop();
    QVERIFY(amqp);
    DemoSettings settings;
    settings.messagesPerSecond = 300; // 120 msg/s on RabbitMQ
    settings.poisonShare = 0.05;
    settings.transientShare = 0.05;
    settings.randomSeed = 7;
    RabbitWorkload workload(shopUri(), settings, m_options.paymentsDeliveryLimit);
    auto started = workload.start();
    QVERIFY2(started.ok(), qPrintable(started.error().describe()));

    QMap<QString, AmqpMessage> dead;
    const auto collect = [&] {
        for (const QString &queue : {names::OrdersDlq, names::PaymentsDlq, names::ShippingDlq}) {
            if (dead.contains(queue))
                continue;
            if (auto message = peek(*amqp, queue))
                dead.insert(queue, *message);
        }
        return dead.size() == 3
            && workload.stats().value(QLatin1String("rpc_replies")).toInteger() >= 10;
    };
    QTRY_VERIFY2_WITH_TIMEOUT(collect(), QJsonDocument(workload.stats()).toJson().constData(),
                              30000);

    QElapsedTimer clock;
    clock.start();
    workload.stop();
    QVERIFY2(clock.elapsed() < 5000, qPrintable(QString::number(clock.elapsed())));
    workload.stop(); // idempotent

    // Rejected by the order service (requeue=false): x-death names the queue it died in.
    const QVariantMap rejected = firstDeath(dead.value(names::OrdersDlq));
    QCOMPARE(rejected.value(QStringLiteral("reason")).toString(), QStringLiteral("rejected"));
    QCOMPARE(rejected.value(QStringLiteral("queue")).toString(), QStringLiteral("orders.process"));
    QCOMPARE(rejected.value(QStringLiteral("exchange")).toString(), QStringLiteral("shop"));
    QVERIFY(rejected.value(QStringLiteral("count")).toLongLong() >= 1);
    QCOMPARE(rejected.value(QStringLiteral("routing-keys")).toList().value(0).toString(),
             QStringLiteral("order.created"));
    QCOMPARE(dead.value(names::OrdersDlq).routingKey, QStringLiteral("order.created"));
    QVERIFY(
        QJsonDocument::fromJson(dead.value(names::OrdersDlq).body)[QLatin1String("fail")].toString()
        == QLatin1String("poison"));
    QCOMPARE(dead.value(names::OrdersDlq).properties.contentType,
             QStringLiteral("application/json"));
    QVERIFY(!dead.value(names::OrdersDlq).properties.messageId.isEmpty());
    QVERIFY(dead.value(names::OrdersDlq).properties.timestamp > 0);
    QVERIFY(dead.value(names::OrdersDlq).properties.headers.contains(QStringLiteral("sent_at_ms")));

    // Requeued by the payment service until the quorum queue's delivery-limit.
    const QVariantMap limited = firstDeath(dead.value(names::PaymentsDlq));
    QCOMPARE(limited.value(QStringLiteral("reason")).toString(), QStringLiteral("delivery_limit"));
    QCOMPARE(limited.value(QStringLiteral("queue")).toString(), QStringLiteral("payments.process"));
    QCOMPARE(limited.value(QStringLiteral("exchange")).toString(), QStringLiteral("shop"));
    QVERIFY(limited.value(QStringLiteral("count")).toLongLong() >= 1);
    QVERIFY(QJsonDocument::fromJson(dead.value(names::PaymentsDlq).body)[QLatin1String("fail")]
                .toString()
            == QLatin1String("poison"));

    // Never consumed: expired after the policy's TTL.
    const QVariantMap expired = firstDeath(dead.value(names::ShippingDlq));
    QCOMPARE(expired.value(QStringLiteral("reason")).toString(), QStringLiteral("expired"));
    QCOMPARE(expired.value(QStringLiteral("queue")).toString(), QStringLiteral("shipping.process"));
    QCOMPARE(expired.value(QStringLiteral("exchange")).toString(), QStringLiteral("shop"));

    const QJsonObject stats = workload.stats();
    qInfo("stats: %s", QJsonDocument(stats).toJson(QJsonDocument::Compact).constData());
    const auto count
        = [&stats](const char *key) { return stats.value(QLatin1String(key)).toInteger(); };
    QVERIFY(count("published") > 100);
    QCOMPARE(count("produced"), count("published"));
    QVERIFY(count("processed") > 0);
    QVERIFY(count("retried") > 0); // transient failures and poison payments, requeued
    QVERIFY(count("dead_lettered") > 0);
    QVERIFY(count("rejected") >= count("dead_lettered") + count("retried"));
    QVERIFY(count("expiring") > 0);
    // Replies are counted only when their correlation id matches the call's.
    QVERIFY(count("rpc_replies") >= 10);
    QVERIFY(count("rpc_requests") >= count("rpc_replies"));
    QVERIFY(count("rpc_requests") - count("rpc_replies") - count("rpc_timeouts")
            <= 1); // stopped mid-call
    QVERIFY(stats.value(QLatin1String("rpc_p50_ms")).toDouble() > 0);
    QCOMPARE(count("errors"), 0);
}

void TestRabbitWorkload::workloadReconnectsWhenTheBrokerDropsIt()
{
    DemoSettings settings;
    settings.messagesPerSecond = 100;
    RabbitWorkload workload(shopUri(), settings, m_options.paymentsDeliveryLimit);
    QVERIFY(workload.start().ok());
    auto client = api();

    // The broker closes every connection of the shop (as on a node restart or an
    // operator's "force close"): each thread reconnects and carries on.
    QStringList connections;
    const auto listConnections = [&] {
        connections.clear();
        auto listed = client->get(QStringLiteral("/api/connections?columns=name,vhost"));
        for (const QJsonValue &c : listed ? listed->array() : QJsonArray())
            if (c[QLatin1String("vhost")].toString() == QLatin1String("shop"))
                connections << c[QLatin1String("name")].toString();
        return connections.size() == 5;
    };
    QTRY_VERIFY2_WITH_TIMEOUT(listConnections(), qPrintable(connections.join(QLatin1Char(','))),
                              15000);
    QTRY_VERIFY_WITH_TIMEOUT(workload.stats().value(QLatin1String("rpc_replies")).toInteger() > 0,
                             10000);
    for (const QString &name : connections) {
        auto closed = client->remove(QStringLiteral("/api/connections/")
                                     + ManagementClient::encodeSegment(name));
        QVERIFY2(closed.ok(), qPrintable(closed.error().describe()));
    }
    QTRY_VERIFY2_WITH_TIMEOUT(workload.stats().value(QLatin1String("reconnects")).toInteger() >= 5,
                              QJsonDocument(workload.stats()).toJson().constData(), 15000);
    const qint64 replies = workload.stats().value(QLatin1String("rpc_replies")).toInteger();
    const qint64 published = workload.stats().value(QLatin1String("published")).toInteger();
    QTRY_VERIFY_WITH_TIMEOUT(
        workload.stats().value(QLatin1String("rpc_replies")).toInteger() > replies + 3, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(
        workload.stats().value(QLatin1String("published")).toInteger() > published + 20, 10000);
    const QJsonObject stats = workload.stats();
    QVERIFY(stats.value(QLatin1String("errors")).toInteger() >= 5);
    QVERIFY2(stats.value(QLatin1String("last_error")).toString().contains(QLatin1String("320")),
             qPrintable(stats.value(QLatin1String("last_error")).toString()));

    QElapsedTimer clock;
    clock.start();
    workload.stop();
    QVERIFY2(clock.elapsed() < 5000, qPrintable(QString::number(clock.elapsed())));
}

void TestRabbitWorkload::startSaysWhatIsWrong()
{
    RabbitWorkload wrongPassword(shopUri(QStringLiteral("wrong")), DemoSettings());
    auto refused = wrongPassword.start();
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error().kind, BrokerError::Kind::AuthenticationFailed);

    RabbitWorkload noVhost(
        QStringLiteral("amqp://guest:guest@127.0.0.1:%1/no-such-vhost").arg(m_node.amqpPort),
        DemoSettings());
    auto missing = noVhost.start();
    QVERIFY(!missing.ok());
    QCOMPARE(missing.error().kind, BrokerError::Kind::VhostMissing);

    RabbitWorkload garbage(QStringLiteral("http://nowhere"), DemoSettings());
    QVERIFY(!garbage.start().ok());
    garbage.stop(); // never started: nothing to do
}

QTEST_GUILESS_MAIN(TestRabbitWorkload)
#include "tst_rabbitworkload.moc"
