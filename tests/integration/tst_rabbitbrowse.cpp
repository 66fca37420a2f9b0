// RabbitQueueBrowser against the private node the CTest fixture started, in a vhost of its
// own: browsing classic and quorum queues gives back every message it read, in place;
// quorum delivery-limits are respected; streams page by offset; errors are typed and fast.
// The queue contents are checked afterwards with plain basic.get, not with the browser.
#include "rabbitmq/amqpconnection.h"
#include "rabbitmq/managementclient.h"
#include "rabbitmq/rabbitqueuebrowser.h"
#include "testprofiles.h"
#include "testrabbitnode.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QTest>

#include <atomic>
#include <thread>

using namespace veltrix;
using namespace std::chrono_literals;

namespace {

const QString kVhost = QStringLiteral("tst-browse");

QString idOf(int i)
{
    return QStringLiteral("dl-%1").arg(i, 5, 10, QLatin1Char('0'));
}

QByteArray payloadOf(int i)
{
    return "payload " + QByteArray::number(i) + " " + QByteArray(i % 37, 'x');
}

// Bytes that are not UTF-8, so the header must come back as bytes, not text.
QByteArray binaryOf(int i)
{
    return QByteArray::fromHex("00ff80fe") + QByteArray::number(i);
}

// What a basic.get drain finds, in order.
struct Drained
{
    QStringList ids;
    QList<bool> redelivered;
    QList<AmqpMessage> messages;
};

} // namespace

class TestRabbitBrowse : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void classicDlqSurvivesRepeatedBrowsing();
    void quorumRequeueGoesToTheBackWithoutALimit();
    void quorumQueueSurvivesRepeatedBrowsing();
    void quorumDeliveryLimitStopsBrowsing();
    void quorumWithoutDeadLetterExchangeSaysDropped();
    void deliveryLimitFromPolicy();
    void streamPagesByOffset();
    void propertiesSurviveBrowsing();
    void bigPayloadIsCutAndKept();
    void missingQueueVhostAndBrokerAreTypedAndFast();
    void otherConsumersAreNamed();
    void interruptReturnsEverything();

private:
    std::unique_ptr<AmqpConnection> connect();
    RabbitQueueBrowser browser() const;
    bool publishNumbered(AmqpConnection &amqp, const QString &queue, int count);
    qint64 ready(const QString &queue);
    Drained drain(const QString &queue);
    void checkPage(const RabbitBrowseResult &result, qint64 offset, int limit, int total,
                   bool redelivered);

    LocalRabbitNodeInfo m_node;
    ClusterProfile m_profile;
};

void TestRabbitBrowse::initTestCase()
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

void TestRabbitBrowse::cleanupTestCase()
{
    if (m_node.managementPort != 0)
        deleteTestVhost(m_node, kVhost);
}

std::unique_ptr<AmqpConnection> TestRabbitBrowse::connect()
{
    return test::openAmqp(testAmqpUri(m_node, kVhost), 10s);
}

RabbitQueueBrowser TestRabbitBrowse::browser() const
{
    return RabbitQueueBrowser(m_profile, 10s);
}

// Messages i = 0..count-1 with message-id idOf(i), payloadOf(i) and headers seq = i and a
// binary value, all confirmed by the broker.
bool TestRabbitBrowse::publishNumbered(AmqpConnection &amqp, const QString &queue, int count)
{
    if (!amqp.selectConfirms())
        return false;
    for (int i = 0; i < count; ++i) {
        AmqpMessageProperties props;
        props.messageId = idOf(i);
        props.contentType = QStringLiteral("text/plain");
        props.headers = {{QStringLiteral("seq"), qint64(i)}, {QStringLiteral("bin"), binaryOf(i)}};
        if (!amqp.publish(QString(), queue, payloadOf(i), props))
            return false;
    }
    auto confirmed = amqp.waitForConfirms(60s);
    return confirmed.ok() && confirmed.value();
}

qint64 TestRabbitBrowse::ready(const QString &queue)
{
    auto amqp = connect();
    if (!amqp)
        return -1;
    auto counts = amqp->inspectQueue(queue);
    return counts ? counts->messages : -1;
}

Drained TestRabbitBrowse::drain(const QString &queue)
{
    Drained out;
    auto amqp = connect();
    if (!amqp)
        return out;
    for (;;) {
        auto message = amqp->get(queue);
        if (!message || !message->has_value())
            break;
        out.ids << message.value()->properties.messageId;
        out.redelivered << message.value()->redelivered;
        out.messages << *message.value();
        if (!amqp->ack(message.value()->deliveryTag))
            break;
    }
    return out;
}

// The page [offset, offset + limit) of a queue filled by publishNumbered(total), exactly.
void TestRabbitBrowse::checkPage(const RabbitBrowseResult &result, qint64 offset, int limit,
                                 int total, bool redelivered)
{
    const qint64 end = std::min<qint64>(offset + limit, total);
    QCOMPARE(result.messages.size(), end - offset);
    for (qint64 p = offset; p < end; ++p) {
        const BrowsedMessage &m = result.messages.at(p - offset);
        const int i = int(p);
        QCOMPARE(m.id, idOf(i));
        QCOMPARE(m.position, p);
        QCOMPARE(m.payload, payloadOf(i));
        QCOMPARE(m.payloadSize, payloadOf(i).size());
        QCOMPARE(m.amqpHeaders.value(QStringLiteral("seq")).toLongLong(), qint64(i));
        QCOMPARE(m.amqpHeaders.value(QStringLiteral("bin")).toByteArray(), binaryOf(i));
        QCOMPARE(m.amqpHeaders.value(QStringLiteral("bin")).typeId(), int(QMetaType::QByteArray));
        QCOMPARE(m.amqpProperties.value(QStringLiteral("message_id")).toString(), idOf(i));
        QCOMPARE(m.amqpProperties.value(QStringLiteral("content_type")).toString(),
                 QStringLiteral("text/plain"));
        QCOMPARE(m.amqpProperties.value(QStringLiteral("routing_key")).toString(),
                 result.queue.name);
        QCOMPARE(m.amqpProperties.value(QStringLiteral("redelivered")).toBool(), redelivered);
        QVERIFY(!m.deadLetter.isDeadLetter());
    }
}

void TestRabbitBrowse::classicDlqSurvivesRepeatedBrowsing()
{
    const QString queue = QStringLiteral("orders.dlq");
    const int total = 10000;
    auto amqp = connect();
    QVERIFY(amqp);
    QVERIFY(amqp->declareQueue(queue, true).ok());
    QVERIFY(publishNumbered(*amqp, queue, total));

    auto b = browser();
    auto facts = b.facts(kVhost, queue);
    QVERIFY2(facts.ok(), qPrintable(facts.error().describe()));
    QCOMPARE(facts->type, QStringLiteral("classic"));
    QCOMPARE(facts->messages, qint64(total));
    QVERIFY(!facts->deliveryLimit);

    struct Page
    {
        qint64 offset;
        int limit;
    };
    // First page, the middle, the last full page, a page running off the end, everything.
    const Page pages[] = {{0, 100}, {5000, 100}, {9900, 100}, {9950, 100}, {0, total}};
    qint64 readSoFar = 0; // messages before this position have been read (and redelivered)
    for (const Page &page : pages) {
        RabbitBrowseOptions options;
        options.offset = page.offset;
        options.limit = page.limit;
        QElapsedTimer clock;
        clock.start();
        auto result = b.browse(kVhost, queue, options);
        const qint64 ms = clock.elapsed();
        QVERIFY2(result.ok(), qPrintable(result.error().describe()));
        qDebug("classic: browsing %d messages at offset %lld of %d took %lld ms", page.limit,
               page.offset, total, ms);
        const qint64 end = std::min<qint64>(page.offset + page.limit, total);
        QCOMPARE(result->returned, end); // the skipped head is read too
        QVERIFY(result->markedRedelivered);
        QVERIFY(!result->stoppedForSafety);
        QCOMPARE(result->highestDeliveryCount, -1);
        // Only the pages at and after what earlier browses read are still unmarked.
        checkPage(result.value(), page.offset, page.limit, total, page.offset < readSoFar);
        if (QTest::currentTestFailed())
            return;
        readSoFar = std::max(readSoFar, end);
        // Given back before browse() returned, not eventually.
        QCOMPARE(ready(queue), qint64(total));
    }

    // RabbitMQ puts requeued messages of a classic queue back where they were: the drain
    // finds every message once, in publication order, all marked redelivered.
    const Drained drained = drain(queue);
    QCOMPARE(drained.ids.size(), total);
    for (int i = 0; i < total; ++i) {
        QCOMPARE(drained.ids.at(i), idOf(i));
        QVERIFY(drained.redelivered.at(i));
        QCOMPARE(drained.messages.at(i).body, payloadOf(i));
    }
    QVERIFY(amqp->deleteQueue(queue).ok());
}

// What the quorum browsing strategy rests on, pinned as the broker behaves: without a
// delivery-limit a returned message goes to the back of a quorum queue.
void TestRabbitBrowse::quorumRequeueGoesToTheBackWithoutALimit()
{
    const QString queue = QStringLiteral("raw.quorum");
    auto amqp = connect();
    QVERIFY(amqp);
    QVERIFY(amqp->declareQueue(queue, true,
                               {{QStringLiteral("x-queue-type"), QStringLiteral("quorum")}})
                .ok());
    QVERIFY(publishNumbered(*amqp, queue, 6));
    quint64 last = 0;
    for (int i = 0; i < 2; ++i) {
        auto got = amqp->get(queue);
        QVERIFY(got.ok() && got->has_value());
        last = got.value()->deliveryTag;
    }
    QVERIFY(amqp->nack(last, true, true).ok());
    QTRY_COMPARE(ready(queue), qint64(6));
    const QStringList expected {idOf(2), idOf(3), idOf(4), idOf(5), idOf(0), idOf(1)};
    QCOMPARE(drain(queue).ids, expected);
    QVERIFY(amqp->deleteQueue(queue).ok());
}

void TestRabbitBrowse::quorumQueueSurvivesRepeatedBrowsing()
{
    const QString queue = QStringLiteral("payments.dlq");
    const int total = 2000;
    auto amqp = connect();
    QVERIFY(amqp);
    QVERIFY(amqp->declareQueue(queue, true,
                               {{QStringLiteral("x-queue-type"), QStringLiteral("quorum")}})
                .ok());
    QVERIFY(publishNumbered(*amqp, queue, total));

    auto b = browser();
    struct Page
    {
        qint64 offset;
        int limit;
    };
    const Page pages[] = {{0, 100}, {1000, 100}, {1900, 100}, {0, total}, {0, 100}};
    int browses = 0;
    for (const Page &page : pages) {
        RabbitBrowseOptions options;
        options.offset = page.offset;
        options.limit = page.limit;
        QElapsedTimer clock;
        clock.start();
        auto result = b.browse(kVhost, queue, options);
        QVERIFY2(result.ok(), qPrintable(result.error().describe()));
        qDebug("quorum: browsing %d messages at offset %lld of %d took %lld ms", page.limit,
               page.offset, total, clock.elapsed());
        QCOMPARE(result->queue.type, QStringLiteral("quorum"));
        QVERIFY(!result->queue.deliveryLimit);
        // The whole queue is read and returned each time, so it keeps its order.
        QCOMPARE(result->returned, qint64(total));
        QCOMPARE(result->highestDeliveryCount, browses);
        checkPage(result.value(), page.offset, page.limit, total, browses > 0);
        if (QTest::currentTestFailed())
            return;
        for (const BrowsedMessage &m : result->messages)
            QCOMPARE(m.amqpProperties.value(QStringLiteral("delivery_count")).toInt(), browses);
        ++browses;
        QCOMPARE(ready(queue), qint64(total));
    }

    const Drained drained = drain(queue);
    QCOMPARE(drained.ids.size(), total);
    for (int i = 0; i < total; ++i) {
        QCOMPARE(drained.ids.at(i), idOf(i));
        QCOMPARE(drained.messages.at(i)
                     .properties.headers.value(QStringLiteral("x-delivery-count"))
                     .toInt(),
                 browses);
    }
    QVERIFY(amqp->deleteQueue(queue).ok());
}

void TestRabbitBrowse::quorumDeliveryLimitStopsBrowsing()
{
    const QString queue = QStringLiteral("limited.dlq");
    const QString dlx = QStringLiteral("limited.dlx");
    const QString dead = QStringLiteral("limited.dead");
    const int total = 5;
    auto amqp = connect();
    QVERIFY(amqp);
    QVERIFY(amqp->declareExchange(dlx, QStringLiteral("fanout"), true).ok());
    QVERIFY(amqp->declareQueue(dead, true).ok());
    QVERIFY(amqp->bindQueue(dead, dlx, QString()).ok());
    QVERIFY(amqp->declareQueue(queue, true,
                               {{QStringLiteral("x-queue-type"), QStringLiteral("quorum")},
                                {QStringLiteral("x-delivery-limit"), 3},
                                {QStringLiteral("x-dead-letter-exchange"), dlx}})
                .ok());
    QVERIFY(publishNumbered(*amqp, queue, total));

    auto b = browser();
    auto facts = b.facts(kVhost, queue);
    QVERIFY2(facts.ok(), qPrintable(facts.error().describe()));
    QCOMPARE(facts->deliveryLimit, std::optional<int>(3));
    QCOMPARE(facts->deliveryLimitSource, QStringLiteral("queue argument"));
    QCOMPARE(facts->deadLetterExchange, dlx);

    // Counts 0 and 1 leave room; the browse that reads count 2 leaves the head at 3, the
    // limit, and stops right after it.
    RabbitBrowseOptions options;
    options.limit = 10;
    int browses = 0;
    std::optional<RabbitBrowseResult> stopped;
    while (!stopped && browses < 10) {
        auto result = b.browse(kVhost, queue, options);
        QVERIFY2(result.ok(), qPrintable(result.error().describe()));
        ++browses;
        if (result->stoppedForSafety)
            stopped = result.value();
        else
            QCOMPARE(result->messages.size(), total);
    }
    QVERIFY(stopped);
    QCOMPARE(browses, 3);
    QCOMPARE(stopped->messages.size(), 1);
    QCOMPARE(stopped->returned, qint64(1));
    QCOMPARE(stopped->highestDeliveryCount, 2);
    QCOMPARE(stopped->messages.at(0).amqpProperties.value(QStringLiteral("delivery_count")).toInt(),
             2);
    const QString note = stopped->safetyNote;
    qDebug("%s", qPrintable(note));
    QVERIFY2(note.contains(idOf(0)), qPrintable(note));
    QVERIFY2(note.contains(QLatin1String("delivery-limit is 3 (queue argument)")),
             qPrintable(note));
    QVERIFY2(note.contains(QLatin1String("x-delivery-count was 2")), qPrintable(note));
    QVERIFY2(note.contains(dlx), qPrintable(note));
    QVERIFY2(note.contains(QLatin1String("--insist")), qPrintable(note));
    // Nothing was dead-lettered and nothing is missing.
    QCOMPARE(ready(dead), qint64(0));
    QTRY_COMPARE(ready(queue), qint64(total));

    // Browsing again would read the head at the limit: refused before reading anything.
    auto refused = b.browse(kVhost, queue, options);
    QVERIFY2(refused.ok(), qPrintable(refused.error().describe()));
    QVERIFY(refused->stoppedForSafety);
    QCOMPARE(refused->returned, qint64(0));
    QVERIFY(refused->messages.isEmpty());
    QVERIFY(!refused->markedRedelivered);
    QVERIFY2(refused->safetyNote.contains(QLatin1String("Nothing was read")),
             qPrintable(refused->safetyNote));
    QCOMPARE(ready(dead), qint64(0));

    // A read-only profile never insists: refused in the core, before anything is read.
    options.insist = true;
    ClusterProfile readOnly = m_profile;
    readOnly.readOnly = true;
    RabbitQueueBrowser guarded(readOnly, 10s);
    auto denied = guarded.browse(kVhost, queue, options);
    QVERIFY(!denied.ok());
    QCOMPARE(denied.error().kind, BrokerError::Kind::AccessDenied);
    QVERIFY2(denied.error().describe().contains(QLatin1String("read-only")),
             qPrintable(denied.error().describe()));
    QCOMPARE(ready(dead), qint64(0));
    QCOMPARE(ready(queue), qint64(total));

    // Insisting reads past the margin, and this is the price: the head was delivered for
    // the fourth time (count 3 = the limit), so its return dead-letters it.
    auto insisted = b.browse(kVhost, queue, options);
    QVERIFY2(insisted.ok(), qPrintable(insisted.error().describe()));
    QVERIFY(!insisted->stoppedForSafety);
    QCOMPARE(insisted->messages.size(), total);
    QCOMPARE(insisted->highestDeliveryCount, 3);
    QVERIFY2(insisted->safetyNote.contains(QLatin1String("dead-letters it to exchange")),
             qPrintable(insisted->safetyNote));
    QVERIFY2(insisted->safetyNote.contains(idOf(0)), qPrintable(insisted->safetyNote));
    QTRY_COMPARE(ready(dead), qint64(1));
    QTRY_COMPARE(ready(queue), qint64(total - 1));
    const Drained died = drain(dead);
    QCOMPARE(died.ids, QStringList {idOf(0)});
    const QVariantList deaths
        = died.messages.at(0).properties.headers.value(QStringLiteral("x-death")).toList();
    QCOMPARE(deaths.size(), 1);
    QCOMPARE(deaths.at(0).toMap().value(QStringLiteral("reason")).toString(),
             QStringLiteral("delivery_limit"));
    QStringList rest;
    for (int i = 1; i < total; ++i)
        rest << idOf(i);
    QCOMPARE(drain(queue).ids, rest);
    for (const QString &name : {queue, dead})
        QVERIFY(amqp->deleteQueue(name).ok());
}

void TestRabbitBrowse::quorumWithoutDeadLetterExchangeSaysDropped()
{
    const QString queue = QStringLiteral("nodlx.dlq");
    auto amqp = connect();
    QVERIFY(amqp);
    QVERIFY(amqp->declareQueue(queue, true,
                               {{QStringLiteral("x-queue-type"), QStringLiteral("quorum")},
                                {QStringLiteral("x-delivery-limit"), 1}})
                .ok());
    QVERIFY(publishNumbered(*amqp, queue, 3));
    auto b = browser();
    RabbitBrowseOptions options;
    // Limit 1: the first read leaves no further safe read, so it is also the last.
    auto result = b.browse(kVhost, queue, options);
    QVERIFY2(result.ok(), qPrintable(result.error().describe()));
    QVERIFY(result->stoppedForSafety);
    QCOMPARE(result->messages.size(), 1);
    QVERIFY(result->queue.deadLetterExchange.isEmpty());
    QVERIFY2(result->safetyNote.contains(QLatin1String("DROPS it")),
             qPrintable(result->safetyNote));
    QTRY_COMPARE(ready(queue), qint64(3));
    QVERIFY(amqp->deleteQueue(queue).ok());
}

void TestRabbitBrowse::deliveryLimitFromPolicy()
{
    const QString queue = QStringLiteral("policed.dlq");
    auto api
        = std::make_unique<ManagementClient>(QStringLiteral("test"), QUrl(m_node.managementUrl()),
                                             QStringLiteral("guest"), QStringLiteral("guest"), 10s);
    const QString policy
        = QStringLiteral("/api/policies/%1/dlq-limit").arg(ManagementClient::encodeSegment(kVhost));
    auto put = api->put(
        policy,
        {{QStringLiteral("pattern"), QStringLiteral("^policed\\.")},
         {QStringLiteral("apply-to"), QStringLiteral("queues")},
         {QStringLiteral("definition"),
          QJsonObject {{QStringLiteral("delivery-limit"), 7},
                       {QStringLiteral("dead-letter-exchange"), QStringLiteral("policy.dlx")}}}});
    QVERIFY2(put.ok(), qPrintable(put.error().describe()));
    auto amqp = connect();
    QVERIFY(amqp);
    QVERIFY(amqp->declareQueue(queue, true,
                               {{QStringLiteral("x-queue-type"), QStringLiteral("quorum")}})
                .ok());
    auto b = browser();
    // The management API shows a queue's policy with its next statistics, seconds later.
    QTRY_VERIFY_WITH_TIMEOUT(
        b.facts(kVhost, queue).ok() && b.facts(kVhost, queue)->deliveryLimit == 7, 20000);
    auto facts = b.facts(kVhost, queue);
    QCOMPARE(facts->deliveryLimitSource, QStringLiteral("policy dlq-limit"));
    QCOMPARE(facts->deadLetterExchange, QStringLiteral("policy.dlx"));

    // A smaller queue argument wins (3.10 takes the minimum), and the argument's DLX wins.
    const QString argued = QStringLiteral("policed.argued");
    QVERIFY(amqp->declareQueue(argued, true,
                               {{QStringLiteral("x-queue-type"), QStringLiteral("quorum")},
                                {QStringLiteral("x-delivery-limit"), 2},
                                {QStringLiteral("x-dead-letter-exchange"), QString()}})
                .ok());
    const QString argPath = QStringLiteral("/api/queues/%1/policed.argued")
                                .arg(ManagementClient::encodeSegment(kVhost));
    QTRY_VERIFY_WITH_TIMEOUT(api->get(argPath).ok()
                                 && api->get(argPath)->object().value(QLatin1String("policy"))
                                     == QLatin1String("dlq-limit"),
                             20000);
    auto argFacts = b.facts(kVhost, argued);
    QVERIFY2(argFacts.ok(), qPrintable(argFacts.error().describe()));
    QCOMPARE(argFacts->deliveryLimit, std::optional<int>(2));
    QCOMPARE(argFacts->deliveryLimitSource, QStringLiteral("queue argument"));
    QCOMPARE(argFacts->deadLetterExchange, QStringLiteral("amq.default"));
    QVERIFY(api->remove(policy).ok());
    for (const QString &name : {queue, argued})
        QVERIFY(amqp->deleteQueue(name).ok());
}

void TestRabbitBrowse::streamPagesByOffset()
{
    const QString queue = QStringLiteral("audit.stream");
    const int total = 50;
    auto amqp = connect();
    QVERIFY(amqp);
    amqp->deleteQueue(queue);
    QVERIFY(amqp->declareQueue(queue, true,
                               {{QStringLiteral("x-queue-type"), QStringLiteral("stream")}})
                .ok());
    // Published in one burst, so chunks hold many messages and a page starts mid-chunk.
    QVERIFY(publishNumbered(*amqp, queue, total));

    auto b = browser();
    struct Page
    {
        qint64 offset;
        int limit;
        int expected;
    };
    const Page pages[] = {{0, 10, 10}, {23, 10, 10}, {45, 10, 5}, {0, 100, 50}, {60, 10, 0}};
    for (int round = 0; round < 2; ++round) { // reading changes nothing: same answers again
        for (const Page &page : pages) {
            RabbitBrowseOptions options;
            options.offset = page.offset;
            options.limit = page.limit;
            QElapsedTimer clock;
            clock.start();
            auto result = b.browse(kVhost, queue, options);
            QVERIFY2(result.ok(), qPrintable(result.error().describe()));
            QVERIFY2(clock.elapsed() < 5000, qPrintable(QString::number(clock.elapsed())));
            QCOMPARE(result->queue.type, QStringLiteral("stream"));
            QCOMPARE(result->messages.size(), page.expected);
            QVERIFY(!result->markedRedelivered);
            QCOMPARE(result->returned, qint64(0));
            for (int k = 0; k < page.expected; ++k) {
                const BrowsedMessage &m = result->messages.at(k);
                const int i = int(page.offset) + k;
                QCOMPARE(m.offset, qint64(i));
                QCOMPARE(m.id, QStringLiteral("@%1").arg(i));
                QCOMPARE(m.payload, payloadOf(i));
                QCOMPARE(m.amqpProperties.value(QStringLiteral("message_id")).toString(), idOf(i));
                QCOMPARE(m.amqpHeaders.value(QStringLiteral("bin")).toByteArray(), binaryOf(i));
            }
        }
    }
    QVERIFY(amqp->deleteQueue(queue).ok());
}

void TestRabbitBrowse::propertiesSurviveBrowsing()
{
    const QString queue = QStringLiteral("props.dlq");
    auto amqp = connect();
    QVERIFY(amqp);
    QVERIFY(amqp->declareQueue(queue, true).ok());
    AmqpMessageProperties props;
    props.contentType = QStringLiteral("application/json");
    props.contentEncoding = QStringLiteral("gzip");
    props.messageId = QStringLiteral("order-42");
    props.correlationId = QStringLiteral("corr-7");
    props.replyTo = QStringLiteral("replies");
    props.type = QStringLiteral("OrderPlaced");
    props.appId = QStringLiteral("checkout");
    props.userId = QStringLiteral("guest");
    props.priority = 5;
    props.deliveryMode = 2;
    props.expiration = QStringLiteral("3600000");
    props.timestamp = 1700000000;
    const QByteArray binary = QByteArray::fromHex("00ff7f80c3");
    props.headers
        = {{QStringLiteral("binary"), binary},
           {QStringLiteral("text"), QStringLiteral("grüße")},
           {QStringLiteral("number"), qint64(1) << 40},
           {QStringLiteral("flag"), true},
           {QStringLiteral("nested"), QVariantMap {{QStringLiteral("k"), QStringLiteral("v")}}},
           {QStringLiteral("list"), QVariantList {qint64(1), QStringLiteral("two")}}};
    QVERIFY(amqp->publishConfirmed(QString(), queue, "{\"order\":42}", props).ok());

    auto b = browser();
    auto result = b.browse(kVhost, queue, {});
    QVERIFY2(result.ok(), qPrintable(result.error().describe()));
    QCOMPARE(result->messages.size(), 1);
    const BrowsedMessage &m = result->messages.at(0);
    QCOMPARE(m.id, QStringLiteral("order-42"));
    QCOMPARE(m.timestamp, QDateTime::fromSecsSinceEpoch(1700000000, Qt::UTC));
    const QVariantMap expected {
        {QStringLiteral("content_type"), props.contentType},
        {QStringLiteral("content_encoding"), props.contentEncoding},
        {QStringLiteral("message_id"), props.messageId},
        {QStringLiteral("correlation_id"), props.correlationId},
        {QStringLiteral("reply_to"), props.replyTo},
        {QStringLiteral("type"), props.type},
        {QStringLiteral("app_id"), props.appId},
        {QStringLiteral("user_id"), props.userId},
        {QStringLiteral("priority"), 5},
        {QStringLiteral("delivery_mode"), 2},
        {QStringLiteral("expiration"), props.expiration},
        {QStringLiteral("exchange"), QString()},
        {QStringLiteral("routing_key"), queue},
        {QStringLiteral("redelivered"), false},
    };
    QCOMPARE(m.amqpProperties, expected);
    QCOMPARE(m.amqpHeaders, props.headers);

    // Read back with basic.get: the broker kept every property and header.
    const Drained drained = drain(queue);
    QCOMPARE(drained.messages.size(), 1);
    const AmqpMessage &back = drained.messages.at(0);
    QVERIFY(back.redelivered);
    QCOMPARE(back.body, QByteArray("{\"order\":42}"));
    QCOMPARE(back.properties.contentType, props.contentType);
    QCOMPARE(back.properties.contentEncoding, props.contentEncoding);
    QCOMPARE(back.properties.messageId, props.messageId);
    QCOMPARE(back.properties.correlationId, props.correlationId);
    QCOMPARE(back.properties.replyTo, props.replyTo);
    QCOMPARE(back.properties.type, props.type);
    QCOMPARE(back.properties.appId, props.appId);
    QCOMPARE(back.properties.userId, props.userId);
    QCOMPARE(back.properties.priority, props.priority);
    QCOMPARE(back.properties.deliveryMode, props.deliveryMode);
    QCOMPARE(back.properties.expiration, props.expiration);
    QCOMPARE(back.properties.timestamp, props.timestamp);
    QCOMPARE(back.properties.headers, props.headers);
    QCOMPARE(back.properties.headers.value(QStringLiteral("binary")).typeId(),
             int(QMetaType::QByteArray));
    QVERIFY(amqp->deleteQueue(queue).ok());
}

void TestRabbitBrowse::bigPayloadIsCutAndKept()
{
    const QString queue = QStringLiteral("big.dlq");
    auto amqp = connect();
    QVERIFY(amqp);
    QVERIFY(amqp->declareQueue(queue, true).ok());
    QByteArray big(5 * 1024 * 1024, '\0');
    for (qsizetype i = 0; i < big.size(); ++i)
        big[i] = char((i * 131) % 251);
    QVERIFY(amqp->publishConfirmed(QString(), queue, big).ok());
    QVERIFY(amqp->publishConfirmed(QString(), queue, "small").ok());

    auto b = browser();
    RabbitBrowseOptions options; // 1 MiB cap by default
    auto result = b.browse(kVhost, queue, options);
    QVERIFY2(result.ok(), qPrintable(result.error().describe()));
    QCOMPARE(result->messages.size(), 2);
    const BrowsedMessage &m = result->messages.at(0);
    QCOMPARE(m.id, QStringLiteral("#0"));
    QCOMPARE(m.payload.size(), qsizetype(1 << 20));
    QCOMPARE(m.payloadSize, big.size());
    QVERIFY(m.payloadTruncated());
    QCOMPARE(m.payload, big.left(1 << 20));
    QCOMPARE(result->messages.at(1).id, QStringLiteral("#1"));
    QVERIFY(!result->messages.at(1).payloadTruncated());

    const Drained drained = drain(queue);
    QCOMPARE(drained.messages.size(), 2);
    QCOMPARE(drained.messages.at(0).body, big);
    QCOMPARE(drained.messages.at(1).body, QByteArray("small"));
    QVERIFY(amqp->deleteQueue(queue).ok());
}

void TestRabbitBrowse::missingQueueVhostAndBrokerAreTypedAndFast()
{
    auto b = browser();
    QElapsedTimer clock;
    clock.start();
    auto noQueue = b.browse(kVhost, QStringLiteral("no.such.queue"), {});
    QVERIFY(!noQueue.ok());
    QCOMPARE(noQueue.error().kind, BrokerError::Kind::Other);
    QVERIFY2(noQueue.error().message.contains(QLatin1String("\"no.such.queue\" does not exist")),
             qPrintable(noQueue.error().message));
    QVERIFY2(clock.elapsed() < 2000, qPrintable(QString::number(clock.elapsed())));
    // The same browser (and connection) still works afterwards.
    auto amqp = connect();
    QVERIFY(amqp);
    QVERIFY(amqp->declareQueue(QStringLiteral("after.error"), true).ok());
    QVERIFY(b.facts(kVhost, QStringLiteral("after.error")).ok());
    QVERIFY(amqp->deleteQueue(QStringLiteral("after.error")).ok());

    clock.restart();
    auto noVhost = b.facts(QStringLiteral("no-such-vhost"), QStringLiteral("q"));
    QVERIFY(!noVhost.ok());
    QCOMPARE(noVhost.error().kind, BrokerError::Kind::VhostMissing);
    QVERIFY2(noVhost.error().message.contains(QLatin1String("no-such-vhost")),
             qPrintable(noVhost.error().message));
    QVERIFY2(clock.elapsed() < 2000, qPrintable(QString::number(clock.elapsed())));

    ClusterProfile down = m_profile;
    down.amqpUri = QStringLiteral("amqp://guest:guest@%1/%2F").arg(test::deadEndpoint());
    RabbitQueueBrowser unreachable(down, 3s);
    clock.restart();
    auto noBroker = unreachable.browse(kVhost, QStringLiteral("q"), {});
    QVERIFY(!noBroker.ok());
    QCOMPARE(noBroker.error().kind, BrokerError::Kind::Unreachable);
    QVERIFY2(clock.elapsed() < 2000, qPrintable(QString::number(clock.elapsed())));

    ClusterProfile noApi = m_profile;
    noApi.managementUrl.clear();
    RabbitQueueBrowser blind(noApi, 3s);
    auto noManagement = blind.browse(kVhost, QStringLiteral("q"), {});
    QVERIFY(!noManagement.ok());
    QCOMPARE(noManagement.error().kind, BrokerError::Kind::Configuration);
}

// Messages held by another consumer cannot be seen; the note says so. Behind a single
// active consumer nothing can be: refused at once instead of waiting.
void TestRabbitBrowse::otherConsumersAreNamed()
{
    const QString queue = QStringLiteral("busy.dlq");
    const QString sac = QStringLiteral("sac.dlq");
    auto amqp = connect();
    QVERIFY(amqp);
    QVERIFY(amqp->declareQueue(queue, true).ok());
    QVERIFY(
        amqp->declareQueue(sac, true, {{QStringLiteral("x-single-active-consumer"), true}}).ok());
    QVERIFY(publishNumbered(*amqp, queue, 5));
    auto other = connect();
    QVERIFY(other);
    QVERIFY(other->setPrefetch(1).ok());
    QVERIFY(other->consume(queue, AmqpConnection::AckMode::Manual).ok());
    QVERIFY(other->consume(sac, AmqpConnection::AckMode::Manual).ok());
    auto held = other->nextDelivery(5s);
    QVERIFY(held.ok() && held->has_value());
    QCOMPARE(held.value()->properties.messageId, idOf(0));

    auto b = browser();
    auto result = b.browse(kVhost, queue, {});
    QVERIFY2(result.ok(), qPrintable(result.error().describe()));
    QCOMPARE(result->messages.size(), 4);
    QCOMPARE(result->messages.at(0).id, idOf(1));
    QVERIFY2(result->safetyNote.contains(QLatin1String("Another consumer is on this queue")),
             qPrintable(result->safetyNote));
    QVERIFY(!result->stoppedForSafety);

    QElapsedTimer clock;
    clock.start();
    auto behind = b.browse(kVhost, sac, {});
    QVERIFY(!behind.ok());
    QCOMPARE(behind.error().kind, BrokerError::Kind::Unsupported);
    QVERIFY2(clock.elapsed() < 2000, qPrintable(QString::number(clock.elapsed())));

    other.reset(); // its held message goes back too
    QTRY_COMPARE(ready(queue), qint64(5));
    for (const QString &name : {queue, sac})
        QVERIFY(amqp->deleteQueue(name).ok());
}

// Interrupted mid-read from another thread: browse() fails at once and the broker has
// every message back, none dead-lettered.
void TestRabbitBrowse::interruptReturnsEverything()
{
    const QString queue = QStringLiteral("slow.dlq");
    const int total = 1500;
    auto amqp = connect();
    QVERIFY(amqp);
    // A delivery-limit makes the browser read one basic.get at a time: slow enough to stop.
    QVERIFY(amqp->declareQueue(queue, true,
                               {{QStringLiteral("x-queue-type"), QStringLiteral("quorum")},
                                {QStringLiteral("x-delivery-limit"), 100}})
                .ok());
    QVERIFY(publishNumbered(*amqp, queue, total));

    std::atomic<RabbitQueueBrowser *> running {nullptr};
    std::atomic<bool> interruptDone {false};
    std::optional<Result<RabbitBrowseResult>> outcome;
    qint64 afterInterruptMs = -1;
    QElapsedTimer sinceInterrupt;
    std::thread worker([&] {
        RabbitQueueBrowser b(m_profile, 10s);
        running = &b;
        RabbitBrowseOptions options;
        options.limit = total;
        outcome = b.browse(kVhost, queue, options);
        afterInterruptMs = interruptDone ? sinceInterrupt.elapsed() : -1;
        // The main thread may still be inside interrupt(); wait before destroying b.
        const QDeadlineTimer deadline(10000);
        while (!interruptDone && !deadline.hasExpired())
            std::this_thread::yield();
        running = nullptr;
    });
    // Interrupt once the browser holds some messages.
    const QDeadlineTimer deadline(10000);
    while (!deadline.hasExpired() && !(running && ready(queue) < total - 10))
        QTest::qWait(10);
    QVERIFY(running);
    sinceInterrupt.start();
    running.load()->interrupt();
    interruptDone = true;
    worker.join();

    QVERIFY(outcome);
    QVERIFY(!outcome->ok());
    QVERIFY2(outcome->error().message.contains(QLatin1String("interrupted")),
             qPrintable(outcome->error().describe()));
    QVERIFY2(afterInterruptMs >= 0 && afterInterruptMs < 2000,
             qPrintable(QString::number(afterInterruptMs)));
    QTRY_COMPARE_WITH_TIMEOUT(ready(queue), qint64(total), 10000);
    const Drained drained = drain(queue);
    QCOMPARE(drained.ids.size(), total);
    QSet<QString> unique(drained.ids.cbegin(), drained.ids.cend());
    QCOMPARE(unique.size(), total);
    QVERIFY(amqp->deleteQueue(queue).ok());
}

QTEST_GUILESS_MAIN(TestRabbitBrowse)
#include "tst_rabbitbrowse.moc"
