// Messages dead-lettered by RabbitMQ itself (consumer rejects, TTL expiry, a quorum queue's
// delivery-limit, a retry ladder through two queues), read back from their DLQs with
// RabbitQueueBrowser, and every parsed DeadLetter field checked against what the test did.
// Runs in a vhost of its own on the node the CTest fixture started.
#include "rabbitmq/amqpconnection.h"
#include "rabbitmq/rabbitqueuebrowser.h"
#include "testprofiles.h"
#include "testrabbitnode.h"

#include <QDeadlineTimer>
#include <QTest>

using namespace veltrix;
using namespace std::chrono_literals;

namespace {

const QString kVhost = QStringLiteral("tst-deadletter");

// The broker writes x-death times in whole seconds.
QDateTime floorToSecond(const QDateTime &time)
{
    return QDateTime::fromSecsSinceEpoch(time.toSecsSinceEpoch(), Qt::UTC);
}

} // namespace

class TestRabbitDeadLetter : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void consumerRejectDeadLetters();
    void ttlExpiryDeadLetters();
    void quorumDeliveryLimitDeadLetters();
    void retryLadderRecordsEveryDeath();

private:
    std::unique_ptr<AmqpConnection> connect();
    // Gets one message from `queue` and rejects it without requeue: a consumer giving up.
    bool rejectOne(AmqpConnection &amqp, const QString &queue);
    std::optional<BrowsedMessageList> browseAll(const QString &queue, int expected);
    void checkTimeInWindow(const QDateTime &time);

    LocalRabbitNodeInfo m_node;
    ClusterProfile m_profile;
    QDateTime m_started; // this test function's window: [m_started, now]
};

void TestRabbitDeadLetter::initTestCase()
{
    QString whyNot;
    const auto node = testRabbitNodeFromEnvironment(&whyNot);
    if (!node)
        QFAIL(qPrintable(whyNot));
    m_node = *node;
    m_profile = test::rabbitProfile(QStringLiteral("local"), m_node);
    auto vhost = freshTestVhost(m_node, kVhost);
    QVERIFY2(vhost.ok(), qPrintable(vhost.error().describe()));
}

void TestRabbitDeadLetter::cleanupTestCase()
{
    if (m_node.managementPort != 0)
        deleteTestVhost(m_node, kVhost);
}

void TestRabbitDeadLetter::init()
{
    m_started = floorToSecond(QDateTime::currentDateTimeUtc());
}

std::unique_ptr<AmqpConnection> TestRabbitDeadLetter::connect()
{
    return test::openAmqp(testAmqpUri(m_node, kVhost), 10s);
}

bool TestRabbitDeadLetter::rejectOne(AmqpConnection &amqp, const QString &queue)
{
    auto message = amqp.get(queue);
    if (!message || !message->has_value())
        return false;
    return amqp.reject(message.value()->deliveryTag, false).ok();
}

// The DLQ's messages once `expected` of them have arrived (dead-lettering is asynchronous).
std::optional<BrowsedMessageList> TestRabbitDeadLetter::browseAll(const QString &queue,
                                                                  int expected)
{
    RabbitQueueBrowser browser(m_profile, 10s);
    const QDeadlineTimer deadline(10000);
    for (;;) {
        auto result = browser.browse(kVhost, queue, {});
        if (!result) {
            qWarning("%s", qPrintable(result.error().describe()));
            return std::nullopt;
        }
        if (result->messages.size() >= expected || deadline.hasExpired())
            return result->messages;
        QTest::qWait(50);
    }
}

void TestRabbitDeadLetter::checkTimeInWindow(const QDateTime &time)
{
    QVERIFY(time.isValid());
    QVERIFY2(time >= m_started, qPrintable(time.toString(Qt::ISODate)));
    QVERIFY2(time <= QDateTime::currentDateTimeUtc(), qPrintable(time.toString(Qt::ISODate)));
}

void TestRabbitDeadLetter::consumerRejectDeadLetters()
{
    auto amqp = connect();
    QVERIFY(amqp);
    const QString orders = QStringLiteral("orders");
    const QString work = QStringLiteral("orders.work");
    const QString dlx = QStringLiteral("orders.dlx");
    const QString dlq = QStringLiteral("orders.dlq");
    QVERIFY(amqp->declareExchange(orders, QStringLiteral("direct"), true).ok());
    QVERIFY(amqp->declareExchange(dlx, QStringLiteral("direct"), true).ok());
    QVERIFY(amqp->declareQueue(dlq, true).ok());
    QVERIFY(amqp->bindQueue(dlq, dlx, QStringLiteral("parked")).ok());
    QVERIFY(amqp->declareQueue(
                    work, true,
                    {{QStringLiteral("x-dead-letter-exchange"), dlx},
                     {QStringLiteral("x-dead-letter-routing-key"), QStringLiteral("parked")}})
                .ok());
    QVERIFY(amqp->bindQueue(work, orders, QStringLiteral("order.created")).ok());
    AmqpMessageProperties props;
    props.messageId = QStringLiteral("order-1");
    QVERIFY(
        amqp->publishConfirmed(orders, QStringLiteral("order.created"), "{\"id\":1}", props).ok());
    QVERIFY(rejectOne(*amqp, work));

    const auto messages = browseAll(dlq, 1);
    QVERIFY(messages);
    QCOMPARE(messages->size(), 1);
    const BrowsedMessage &m = messages->at(0);
    QCOMPARE(m.id, QStringLiteral("order-1"));
    QCOMPARE(m.payload, QByteArray("{\"id\":1}"));
    // Dead-lettering republished it to the DLX with the dead-letter routing key.
    QCOMPARE(m.amqpProperties.value(QStringLiteral("exchange")).toString(), dlx);
    QCOMPARE(m.amqpProperties.value(QStringLiteral("routing_key")).toString(),
             QStringLiteral("parked"));

    const DeadLetter &dl = m.deadLetter;
    QCOMPARE(dl.convention, DeadLetterConvention::RabbitXDeath);
    QVERIFY2(dl.warnings.isEmpty(), qPrintable(dl.warnings.join(QLatin1String("; "))));
    QCOMPARE(dl.deaths.size(), 1);
    const XDeathEntry &death = dl.deaths.at(0);
    QCOMPARE(death.count, qint64(1));
    QCOMPARE(death.reason, QStringLiteral("rejected"));
    QCOMPARE(death.queue, work);
    QCOMPARE(death.exchange, orders);
    QCOMPARE(death.routingKeys, QStringList {QStringLiteral("order.created")});
    checkTimeInWindow(death.time);
    QCOMPARE(dl.originalDestination, work);
    QCOMPARE(dl.originalExchange, orders);
    QCOMPARE(dl.originalRoutingKeys, QStringList {QStringLiteral("order.created")});
    QCOMPARE(dl.reason, QStringLiteral("rejected"));
    QCOMPARE(dl.attempts, 1);
    QCOMPARE(dl.firstFailedAt, death.time);
    QCOMPARE(dl.lastFailedAt, death.time);
    // The raw headers the parse came from are all still there.
    QCOMPARE(m.amqpHeaders.value(QStringLiteral("x-first-death-queue")).toString(), work);
    QCOMPARE(m.amqpHeaders.value(QStringLiteral("x-first-death-reason")).toString(),
             QStringLiteral("rejected"));
    QCOMPARE(m.amqpHeaders.value(QStringLiteral("x-first-death-exchange")).toString(), orders);
}

void TestRabbitDeadLetter::ttlExpiryDeadLetters()
{
    auto amqp = connect();
    QVERIFY(amqp);
    const QString queueTtl = QStringLiteral("shipping.ttl"); // x-message-ttl on the queue
    const QString messageTtl = QStringLiteral("shipping.hold"); // expiration on the message
    const QString dlx = QStringLiteral("shipping.dlx");
    const QString dlq = QStringLiteral("shipping.dlq");
    QVERIFY(amqp->declareExchange(dlx, QStringLiteral("fanout"), true).ok());
    QVERIFY(amqp->declareQueue(dlq, true).ok());
    QVERIFY(amqp->bindQueue(dlq, dlx, QString()).ok());
    QVERIFY(amqp->declareQueue(queueTtl, true,
                               {{QStringLiteral("x-message-ttl"), 50},
                                {QStringLiteral("x-dead-letter-exchange"), dlx}})
                .ok());
    QVERIFY(amqp->declareQueue(messageTtl, true, {{QStringLiteral("x-dead-letter-exchange"), dlx}})
                .ok());
    AmqpMessageProperties props;
    props.messageId = QStringLiteral("by-queue");
    QVERIFY(amqp->publishConfirmed(QString(), queueTtl, "a", props).ok());
    props.messageId = QStringLiteral("by-message");
    props.expiration = QStringLiteral("50");
    QVERIFY(amqp->publishConfirmed(QString(), messageTtl, "b", props).ok());

    const auto messages = browseAll(dlq, 2);
    QVERIFY(messages);
    QCOMPARE(messages->size(), 2);
    for (const BrowsedMessage &m : *messages) {
        const QString origin = m.id == QLatin1String("by-queue") ? queueTtl : messageTtl;
        QVERIFY2(m.id == QLatin1String("by-queue") || m.id == QLatin1String("by-message"),
                 qPrintable(m.id));
        const DeadLetter &dl = m.deadLetter;
        QCOMPARE(dl.convention, DeadLetterConvention::RabbitXDeath);
        QVERIFY2(dl.warnings.isEmpty(), qPrintable(dl.warnings.join(QLatin1String("; "))));
        QCOMPARE(dl.deaths.size(), 1);
        const XDeathEntry &death = dl.deaths.at(0);
        QCOMPARE(death.count, qint64(1));
        QCOMPARE(death.reason, QStringLiteral("expired"));
        QCOMPARE(death.queue, origin);
        QCOMPARE(death.exchange, QString()); // published to the default exchange
        QCOMPARE(death.routingKeys, QStringList {origin});
        checkTimeInWindow(death.time);
        QCOMPARE(dl.reason, QStringLiteral("expired"));
        QCOMPARE(dl.originalDestination, origin);
        QCOMPARE(dl.originalExchange, QString());
        QCOMPARE(dl.originalRoutingKeys, QStringList {origin});
        QCOMPARE(dl.attempts, 1);
        QCOMPARE(dl.firstFailedAt, death.time);
        QCOMPARE(dl.lastFailedAt, death.time);
        // The broker moves a per-message TTL out of the properties into the x-death entry,
        // so the dead letter does not expire again in the DLQ.
        const QVariantMap raw
            = m.amqpHeaders.value(QStringLiteral("x-death")).toList().value(0).toMap();
        if (origin == messageTtl) {
            QVERIFY(!m.amqpProperties.contains(QStringLiteral("expiration")));
            QCOMPARE(raw.value(QStringLiteral("original-expiration")).toString(),
                     QStringLiteral("50"));
        } else {
            QVERIFY(!raw.contains(QStringLiteral("original-expiration")));
        }
    }
}

void TestRabbitDeadLetter::quorumDeliveryLimitDeadLetters()
{
    auto amqp = connect();
    QVERIFY(amqp);
    const QString work = QStringLiteral("payments.process");
    const QString dlx = QStringLiteral("payments.dlx");
    const QString dlq = QStringLiteral("payments.dlq");
    QVERIFY(amqp->declareExchange(dlx, QStringLiteral("fanout"), true).ok());
    QVERIFY(amqp->declareQueue(dlq, true).ok());
    QVERIFY(amqp->bindQueue(dlq, dlx, QString()).ok());
    QVERIFY(amqp->declareQueue(work, true,
                               {{QStringLiteral("x-queue-type"), QStringLiteral("quorum")},
                                {QStringLiteral("x-delivery-limit"), 1},
                                {QStringLiteral("x-dead-letter-exchange"), dlx}})
                .ok());
    AmqpMessageProperties props;
    props.messageId = QStringLiteral("payment-9");
    QVERIFY(amqp->publishConfirmed(QString(), work, "pay", props).ok());
    // Limit 1: two deliveries (x-delivery-count 0 and 1); the second return exceeds it.
    std::optional<AmqpMessage> got;
    const auto fetch = [&] {
        auto message = amqp->get(work);
        if (message && message->has_value())
            got = *message.value();
        return got.has_value();
    };
    for (int delivery = 0; delivery < 2; ++delivery) {
        got.reset();
        // A quorum queue applies a return asynchronously: poll until it is back.
        QTRY_VERIFY(fetch());
        QCOMPARE(got->properties.headers.value(QStringLiteral("x-delivery-count")).toInt(),
                 delivery);
        QVERIFY(amqp->nack(got->deliveryTag, false, true).ok());
    }

    const auto messages = browseAll(dlq, 1);
    QVERIFY(messages);
    QCOMPARE(messages->size(), 1);
    const BrowsedMessage &m = messages->at(0);
    QCOMPARE(m.id, QStringLiteral("payment-9"));
    const DeadLetter &dl = m.deadLetter;
    QCOMPARE(dl.convention, DeadLetterConvention::RabbitXDeath);
    QVERIFY2(dl.warnings.isEmpty(), qPrintable(dl.warnings.join(QLatin1String("; "))));
    QCOMPARE(dl.deaths.size(), 1);
    const XDeathEntry &death = dl.deaths.at(0);
    QCOMPARE(death.count, qint64(1));
    QCOMPARE(death.reason, QStringLiteral("delivery_limit"));
    QCOMPARE(death.queue, work);
    QCOMPARE(death.exchange, QString());
    QCOMPARE(death.routingKeys, QStringList {work});
    checkTimeInWindow(death.time);
    QCOMPARE(dl.reason, QStringLiteral("delivery_limit"));
    QCOMPARE(dl.originalDestination, work);
    QCOMPARE(dl.attempts, 1);
    QCOMPARE(dl.firstFailedAt, death.time);
    QCOMPARE(dl.lastFailedAt, death.time);
    QCOMPARE(amqp->inspectQueue(work).value().messages, qint64(0));
}

// A retry ladder: the work queue dead-letters a failure to a delay queue whose TTL
// dead-letters it back; the second failure goes to the DLQ. Two queues, two reasons, one
// of them twice.
void TestRabbitDeadLetter::retryLadderRecordsEveryDeath()
{
    auto amqp = connect();
    QVERIFY(amqp);
    const QString tasks = QStringLiteral("tasks"); // where producers publish
    const QString ladder = QStringLiteral("tasks.ladder"); // the work queue's DLX
    const QString work = QStringLiteral("tasks.work");
    const QString delay = QStringLiteral("tasks.delay");
    const QString dlq = QStringLiteral("tasks.dlq");
    const QString firstKey = QStringLiteral("task");
    const QString retryKey = QStringLiteral("task.retry");
    for (const QString &exchange : {tasks, ladder})
        QVERIFY(amqp->declareExchange(exchange, QStringLiteral("direct"), true).ok());
    QVERIFY(
        amqp->declareQueue(work, true, {{QStringLiteral("x-dead-letter-exchange"), ladder}}).ok());
    QVERIFY(amqp->bindQueue(work, tasks, firstKey).ok());
    QVERIFY(amqp->bindQueue(work, tasks, retryKey).ok());
    // The delay queue sends expired messages back under the retry key...
    QVERIFY(amqp->declareQueue(delay, true,
                               {{QStringLiteral("x-message-ttl"), 100},
                                {QStringLiteral("x-dead-letter-exchange"), tasks},
                                {QStringLiteral("x-dead-letter-routing-key"), retryKey}})
                .ok());
    QVERIFY(amqp->bindQueue(delay, ladder, firstKey).ok());
    // ...so the ladder routes a second failure (under that key) to the DLQ.
    QVERIFY(amqp->declareQueue(dlq, true).ok());
    QVERIFY(amqp->bindQueue(dlq, ladder, retryKey).ok());

    AmqpMessageProperties props;
    props.messageId = QStringLiteral("task-3");
    QVERIFY(amqp->publishConfirmed(tasks, firstKey, "work", props).ok());
    QVERIFY(rejectOne(*amqp, work));
    // Back from the delay queue after its TTL.
    QTRY_COMPARE(amqp->inspectQueue(work).value().messages, qint64(1));
    QVERIFY(rejectOne(*amqp, work));

    const auto messages = browseAll(dlq, 1);
    QVERIFY(messages);
    QCOMPARE(messages->size(), 1);
    const BrowsedMessage &m = messages->at(0);
    QCOMPARE(m.id, QStringLiteral("task-3"));
    const DeadLetter &dl = m.deadLetter;
    QCOMPARE(dl.convention, DeadLetterConvention::RabbitXDeath);
    QVERIFY2(dl.warnings.isEmpty(), qPrintable(dl.warnings.join(QLatin1String("; "))));
    // Most recent first: the work queue's entry counts both rejections.
    QCOMPARE(dl.deaths.size(), 2);
    const XDeathEntry &rejected = dl.deaths.at(0);
    const XDeathEntry &expired = dl.deaths.at(1);
    QCOMPARE(rejected.reason, QStringLiteral("rejected"));
    QCOMPARE(rejected.queue, work);
    QCOMPARE(rejected.count, qint64(2));
    QCOMPARE(expired.reason, QStringLiteral("expired"));
    QCOMPARE(expired.queue, delay);
    QCOMPARE(expired.count, qint64(1));
    QCOMPARE(expired.exchange, ladder);
    QCOMPARE(expired.routingKeys, QStringList {firstKey});
    checkTimeInWindow(rejected.time);
    checkTimeInWindow(expired.time);
    // A repeated (queue, reason) death only raises the count and moves the entry to the
    // front: exchange, routing keys and time stay those of the first rejection.
    QCOMPARE(rejected.exchange, tasks);
    QCOMPARE(rejected.routingKeys, QStringList {firstKey});
    QVERIFY(rejected.time <= expired.time);

    // Where it first died, and how it had been published then.
    QCOMPARE(dl.originalDestination, work);
    QCOMPARE(dl.originalExchange, tasks);
    QCOMPARE(dl.originalRoutingKeys, QStringList {firstKey});
    QCOMPARE(dl.reason, QStringLiteral("rejected"));
    QCOMPARE(dl.attempts, 3);
    QVERIFY(dl.firstFailedAt.isValid());
    QVERIFY(dl.lastFailedAt.isValid());
    QVERIFY(dl.firstFailedAt <= dl.lastFailedAt);
    QCOMPARE(dl.firstFailedAt, rejected.time);
    QCOMPARE(dl.lastFailedAt, expired.time);
    checkTimeInWindow(dl.firstFailedAt);
    checkTimeInWindow(dl.lastFailedAt);
    QCOMPARE(m.amqpHeaders.value(QStringLiteral("x-first-death-queue")).toString(), work);
    QCOMPARE(m.amqpHeaders.value(QStringLiteral("x-first-death-exchange")).toString(), tasks);
    QCOMPARE(m.amqpProperties.value(QStringLiteral("routing_key")).toString(), retryKey);
}

QTEST_GUILESS_MAIN(TestRabbitDeadLetter)
#include "tst_rabbitdeadletter.moc"
