// AmqpConnection beyond basic.get, against the private node the CTest fixture started:
// exchanges and bindings, consumers with prefetch, publisher confirms and returns,
// direct reply-to, and every wait bounded by its timeout.
#include "rabbitmq/amqpconnection.h"
#include "testprofiles.h"
#include "testrabbitnode.h"

#include <QElapsedTimer>
#include <QTest>

#include <thread>

using namespace veltrix;
using namespace std::chrono_literals;

class TestAmqpConsume : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void topicExchangeRoutesByBindingKey();
    void consumerHonoursPrefetchAndRedelivers();
    void cancelStopsDeliveries();
    void nextDeliveryTimesOut();
    void confirmsAckEveryPublish();
    void mandatoryUnroutableIsReturned();
    void deliveriesWaitWhileConfirming();
    void channelErrorLeavesConnectionUsable();
    void deletedQueueCancelsConsumer();
    void directReplyToRoundTrip();
    void interruptUnblocksAnotherThread();

private:
    std::unique_ptr<AmqpConnection> connect(std::chrono::milliseconds timeout = 5s);
    LocalRabbitNodeInfo m_node;
};

void TestAmqpConsume::initTestCase()
{
    QString whyNot;
    const auto node = testRabbitNodeFromEnvironment(&whyNot);
    if (!node)
        QFAIL(qPrintable(whyNot));
    m_node = *node;
}

std::unique_ptr<AmqpConnection> TestAmqpConsume::connect(std::chrono::milliseconds timeout)
{
    return test::openAmqp(m_node.amqpUri(), timeout);
}

// A fresh, empty, durable queue.
static bool freshQueue(AmqpConnection &amqp, const QString &name, const QVariantMap &args = {})
{
    amqp.deleteQueue(name);
    return amqp.declareQueue(name, true, args).ok();
}

void TestAmqpConsume::topicExchangeRoutesByBindingKey()
{
    auto amqp = connect();
    QVERIFY(amqp);
    const QString exchange = QStringLiteral("tst.consume.topic");
    const QString queue = QStringLiteral("tst.consume.orders");
    QVERIFY(amqp->declareExchange(exchange, QStringLiteral("topic"), true).ok());
    QVERIFY(amqp->declareExchange(exchange, QStringLiteral("topic"), true).ok()); // idempotent
    QVERIFY(freshQueue(*amqp, queue));
    QVERIFY(amqp->bindQueue(queue, exchange, QStringLiteral("order.*")).ok());

    QVERIFY(amqp->publish(exchange, QStringLiteral("order.created"), "a").ok());
    QVERIFY(amqp->publish(exchange, QStringLiteral("payment.created"), "b").ok());
    QVERIFY(amqp->publish(exchange, QStringLiteral("order.created.late"), "c").ok());
    QVERIFY(amqp->publish(exchange, QStringLiteral("order.paid"), "d").ok());

    QStringList got;
    for (;;) {
        auto message = amqp->get(queue);
        QVERIFY2(message.ok(), qPrintable(message.error().describe()));
        if (!message->has_value())
            break;
        got << QString::fromUtf8(message.value()->body);
        QCOMPARE(message.value()->exchange, exchange);
        QVERIFY(amqp->ack(message.value()->deliveryTag).ok());
    }
    QCOMPARE(got, QStringList({QStringLiteral("a"), QStringLiteral("d")}));

    // Redeclaring as another type is refused, in words, and the channel comes back.
    auto wrongType = amqp->declareExchange(exchange, QStringLiteral("direct"), true);
    QVERIFY(!wrongType.ok());
    QVERIFY2(wrongType.error().message.contains(QLatin1String("406")),
             qPrintable(wrongType.error().message));
    QVERIFY(amqp->deleteQueue(queue).ok());
}

void TestAmqpConsume::consumerHonoursPrefetchAndRedelivers()
{
    auto amqp = connect();
    QVERIFY(amqp);
    const QString queue = QStringLiteral("tst.consume.prefetch");
    QVERIFY(freshQueue(*amqp, queue));
    for (int i = 0; i < 20; ++i) {
        AmqpMessageProperties props;
        props.messageId = QStringLiteral("m-%1").arg(i);
        props.timestamp = 1700000000 + i;
        props.expiration = QStringLiteral("60000");
        QVERIFY(amqp->publish(QString(), queue, QByteArray::number(i), props).ok());
    }
    QVERIFY(amqp->setPrefetch(5).ok());
    auto tag
        = amqp->consume(queue, AmqpConnection::AckMode::Manual, QStringLiteral("tst-consumer"));
    QVERIFY2(tag.ok(), qPrintable(tag.error().describe()));
    QCOMPARE(tag.value(), QStringLiteral("tst-consumer"));

    // Five unacknowledged deliveries, then the broker waits for acks.
    QList<AmqpMessage> held;
    for (int i = 0; i < 5; ++i) {
        auto next = amqp->nextDelivery(2s);
        QVERIFY2(next.ok(), qPrintable(next.error().describe()));
        QVERIFY(next->has_value());
        const AmqpMessage &m = *next.value();
        QCOMPARE(m.body, QByteArray::number(i));
        QCOMPARE(m.consumerTag, QStringLiteral("tst-consumer"));
        QCOMPARE(m.routingKey, queue);
        QVERIFY(!m.redelivered);
        QCOMPARE(m.properties.messageId, QStringLiteral("m-%1").arg(i));
        QCOMPARE(m.properties.timestamp, qint64(1700000000 + i));
        QCOMPARE(m.properties.expiration, QStringLiteral("60000"));
        held << m;
    }
    auto sixth = amqp->nextDelivery(300ms);
    QVERIFY(sixth.ok());
    QVERIFY2(!sixth->has_value(), "prefetch 5 let a sixth delivery through");

    // Requeue the first: it comes back marked redelivered once a slot is free.
    QVERIFY(amqp->reject(held.at(0).deliveryTag, true).ok());
    auto again = amqp->nextDelivery(2s);
    QVERIFY(again.ok() && again->has_value());
    QCOMPARE(again.value()->body, QByteArray("0"));
    QVERIFY(again.value()->redelivered);
    QVERIFY(amqp->ack(again.value()->deliveryTag).ok());
    for (int i = 1; i < 5; ++i)
        QVERIFY(amqp->ack(held.at(i).deliveryTag).ok());

    int rest = 0;
    for (;;) {
        auto next = amqp->nextDelivery(500ms);
        QVERIFY(next.ok());
        if (!next->has_value())
            break;
        QVERIFY(amqp->ack(next.value()->deliveryTag).ok());
        ++rest;
    }
    QCOMPARE(rest, 15);
    QVERIFY(amqp->cancel(tag.value()).ok());
    QVERIFY(amqp->deleteQueue(queue).ok());
}

void TestAmqpConsume::cancelStopsDeliveries()
{
    auto amqp = connect();
    QVERIFY(amqp);
    const QString queue = QStringLiteral("tst.consume.cancel");
    QVERIFY(freshQueue(*amqp, queue));
    auto tag = amqp->consume(queue, AmqpConnection::AckMode::Auto);
    QVERIFY(tag.ok());
    QVERIFY(tag->startsWith(QLatin1String("amq.ctag-"))); // the broker named it
    QVERIFY(amqp->publish(QString(), queue, "first").ok());
    auto first = amqp->nextDelivery(2s);
    QVERIFY(first.ok() && first->has_value());
    QCOMPARE(first.value()->body, QByteArray("first"));

    QVERIFY(amqp->cancel(tag.value()).ok());
    QVERIFY(amqp->publish(QString(), queue, "second").ok());
    auto none = amqp->nextDelivery(300ms);
    QVERIFY(none.ok());
    QVERIFY(!none->has_value());
    auto left = amqp->get(queue); // still in the queue, where cancel left it
    QVERIFY(left.ok() && left->has_value());
    QCOMPARE(left.value()->body, QByteArray("second"));
    QVERIFY(amqp->ack(left.value()->deliveryTag).ok());
    QVERIFY(amqp->deleteQueue(queue).ok());
}

void TestAmqpConsume::nextDeliveryTimesOut()
{
    auto amqp = connect();
    QVERIFY(amqp);
    QElapsedTimer clock;
    clock.start();
    auto none = amqp->nextDelivery(250ms);
    const qint64 waited = clock.elapsed();
    QVERIFY(none.ok());
    QVERIFY(!none->has_value());
    QVERIFY2(waited >= 200 && waited < 1500, qPrintable(QString::number(waited)));

    clock.restart();
    auto poll = amqp->nextDelivery(0ms);
    QVERIFY(poll.ok() && !poll->has_value());
    QVERIFY(clock.elapsed() < 200);
}

void TestAmqpConsume::confirmsAckEveryPublish()
{
    auto amqp = connect();
    QVERIFY(amqp);
    const QString queue = QStringLiteral("tst.consume.confirms");
    QVERIFY(freshQueue(*amqp, queue));
    auto notYet = amqp->waitForConfirms(1s);
    QVERIFY(!notYet.ok());
    QCOMPARE(notYet.error().kind, BrokerError::Kind::Configuration);

    auto one = amqp->publishConfirmed(QString(), queue, "one");
    QVERIFY2(one.ok(), qPrintable(one.error().describe()));
    QCOMPARE(one.value(), AmqpConfirm::Acked);

    for (int i = 0; i < 500; ++i)
        QVERIFY(amqp->publish(QString(), queue, QByteArray::number(i)).ok());
    QCOMPARE(amqp->unconfirmedCount(), 500);
    auto all = amqp->waitForConfirms(5s);
    QVERIFY2(all.ok(), qPrintable(all.error().describe()));
    QVERIFY(all.value());
    QCOMPARE(amqp->unconfirmedCount(), 0);
    auto nothingLeft = amqp->waitForConfirms(0ms); // nothing in flight: true at once
    QVERIFY(nothingLeft.ok() && nothingLeft.value());
    QVERIFY(amqp->deleteQueue(queue).ok());
}

void TestAmqpConsume::mandatoryUnroutableIsReturned()
{
    auto amqp = connect();
    QVERIFY(amqp);
    const QString exchange = QStringLiteral("tst.consume.nowhere");
    QVERIFY(amqp->declareExchange(exchange, QStringLiteral("topic"), false).ok());
    AmqpMessageProperties props;
    props.messageId = QStringLiteral("lost-1");
    auto returned
        = amqp->publishConfirmed(exchange, QStringLiteral("no.binding"), "lost", props, true);
    QVERIFY2(returned.ok(), qPrintable(returned.error().describe()));
    QCOMPARE(returned.value(), AmqpConfirm::Returned);
    const QList<AmqpMessage> back = amqp->takeReturned();
    QCOMPARE(back.size(), 1);
    QCOMPARE(back.first().replyCode, 312); // NO_ROUTE
    QCOMPARE(back.first().replyText, QStringLiteral("NO_ROUTE"));
    QCOMPARE(back.first().routingKey, QStringLiteral("no.binding"));
    QCOMPARE(back.first().body, QByteArray("lost"));
    QCOMPARE(back.first().properties.messageId, QStringLiteral("lost-1"));
    QVERIFY(amqp->takeReturned().isEmpty());

    // Without mandatory the broker drops it silently and acks.
    auto dropped = amqp->publishConfirmed(exchange, QStringLiteral("no.binding"), "gone");
    QVERIFY(dropped.ok());
    QCOMPARE(dropped.value(), AmqpConfirm::Acked);

    // A batch with one returned message is not "all taken".
    QVERIFY(amqp->publish(exchange, QStringLiteral("no.binding"), "x", {}, true).ok());
    QVERIFY(amqp->publish(exchange, QStringLiteral("no.binding"), "y").ok());
    auto batch = amqp->waitForConfirms(5s);
    QVERIFY(batch.ok());
    QVERIFY(!batch.value());
    QCOMPARE(amqp->takeReturned().size(), 1);
}

void TestAmqpConsume::deliveriesWaitWhileConfirming()
{
    // One channel that consumes and publishes with confirms: deliveries that arrive while
    // we wait for an ack must not be lost.
    auto amqp = connect();
    QVERIFY(amqp);
    const QString queue = QStringLiteral("tst.consume.loopback");
    QVERIFY(freshQueue(*amqp, queue));
    QVERIFY(amqp->consume(queue, AmqpConnection::AckMode::Manual).ok());
    for (int i = 0; i < 50; ++i) {
        auto confirm = amqp->publishConfirmed(QString(), queue, QByteArray::number(i));
        QVERIFY2(confirm.ok(), qPrintable(confirm.error().describe()));
        QCOMPARE(confirm.value(), AmqpConfirm::Acked);
    }
    for (int i = 0; i < 50; ++i) {
        auto next = amqp->nextDelivery(2s);
        QVERIFY(next.ok() && next->has_value());
        QCOMPARE(next.value()->body, QByteArray::number(i));
        QVERIFY(amqp->ack(next.value()->deliveryTag).ok());
    }
    QVERIFY(amqp->deleteQueue(queue).ok());
}

void TestAmqpConsume::channelErrorLeavesConnectionUsable()
{
    auto amqp = connect();
    QVERIFY(amqp);
    QVERIFY(amqp->selectConfirms().ok());
    // Publishing to a missing exchange: the broker closes the channel (404), which we
    // only see while waiting for the confirm.
    auto missing
        = amqp->publishConfirmed(QStringLiteral("tst.no-such-exchange"), QStringLiteral("k"), "x");
    QVERIFY(!missing.ok());
    QVERIFY2(missing.error().message.contains(QLatin1String("404")),
             qPrintable(missing.error().message));
    QCOMPARE(amqp->unconfirmedCount(), 0); // the old channel's publishes are forgotten

    auto missingQueue
        = amqp->consume(QStringLiteral("tst.no-such-queue"), AmqpConnection::AckMode::Manual);
    QVERIFY(!missingQueue.ok());
    QVERIFY(missingQueue.error().message.contains(QLatin1String("404")));

    const QString queue = QStringLiteral("tst.consume.after-error");
    QVERIFY(freshQueue(*amqp, queue));
    auto ok = amqp->publishConfirmed(QString(), queue, "still works");
    QVERIFY2(ok.ok(), qPrintable(ok.error().describe()));
    QCOMPARE(ok.value(), AmqpConfirm::Acked);
    QVERIFY(amqp->deleteQueue(queue).ok());
}

void TestAmqpConsume::deletedQueueCancelsConsumer()
{
    auto consumer = connect();
    auto admin = connect();
    QVERIFY(consumer && admin);
    const QString queue = QStringLiteral("tst.consume.deleted");
    QVERIFY(freshQueue(*admin, queue));
    auto tag = consumer->consume(queue, AmqpConnection::AckMode::Manual);
    QVERIFY(tag.ok());
    QVERIFY(admin->deleteQueue(queue).ok());
    auto next = consumer->nextDelivery(2s);
    QVERIFY(!next.ok());
    QVERIFY2(next.error().message.contains(tag.value()), qPrintable(next.error().message));
    QVERIFY(next.error().message.contains(QLatin1String("cancelled")));
    // The connection stays usable.
    QVERIFY(freshQueue(*consumer, queue));
    QVERIFY(consumer->deleteQueue(queue).ok());
}

void TestAmqpConsume::directReplyToRoundTrip()
{
    auto server = connect();
    auto client = connect();
    QVERIFY(server && client);
    const QString queue = QStringLiteral("tst.consume.rpc");
    QVERIFY(freshQueue(*server, queue));
    QVERIFY(server->consume(queue, AmqpConnection::AckMode::Manual).ok());
    // Direct reply-to: consume the pseudo-queue, no-ack, before publishing on this channel.
    const QString replyTo = QStringLiteral("amq.rabbitmq.reply-to");
    QVERIFY(client->consume(replyTo, AmqpConnection::AckMode::Auto).ok());

    for (int i = 0; i < 10; ++i) {
        AmqpMessageProperties props;
        props.replyTo = replyTo;
        props.correlationId = QStringLiteral("call-%1").arg(i);
        QVERIFY(client->publish(QString(), queue, QByteArray::number(i * i), props).ok());

        auto request = server->nextDelivery(2s);
        QVERIFY(request.ok() && request->has_value());
        const AmqpMessage &r = *request.value();
        // The broker rewrote reply-to to a routable name for this client's channel.
        QVERIFY2(r.properties.replyTo.startsWith(replyTo + QLatin1Char('.')),
                 qPrintable(r.properties.replyTo));
        QCOMPARE(r.properties.correlationId, props.correlationId);
        AmqpMessageProperties answer;
        answer.correlationId = r.properties.correlationId;
        QVERIFY(server->publish(QString(), r.properties.replyTo, "re:" + r.body, answer).ok());
        QVERIFY(server->ack(r.deliveryTag).ok());

        auto reply = client->nextDelivery(2s);
        QVERIFY2(reply.ok(), qPrintable(reply.error().describe()));
        QVERIFY(reply->has_value());
        QCOMPARE(reply.value()->properties.correlationId, props.correlationId);
        QCOMPARE(reply.value()->body, QByteArray("re:" + QByteArray::number(i * i)));
    }
    QVERIFY(server->deleteQueue(queue).ok());
}

void TestAmqpConsume::interruptUnblocksAnotherThread()
{
    auto amqp = connect();
    QVERIFY(amqp);
    QVERIFY(
        amqp->consume(QStringLiteral("amq.rabbitmq.reply-to"), AmqpConnection::AckMode::Auto).ok());
    QElapsedTimer clock;
    clock.start();
    std::thread stopper([&amqp] {
        std::this_thread::sleep_for(200ms);
        amqp->interrupt();
    });
    auto next = amqp->nextDelivery(10s);
    stopper.join();
    QVERIFY(!next.ok());
    QCOMPARE(next.error().kind, BrokerError::Kind::Unreachable);
    QVERIFY2(clock.elapsed() < 2000, qPrintable(QString::number(clock.elapsed())));
    // A broken connection says so at once and is destroyed without waiting.
    clock.restart();
    QVERIFY(!amqp->nextDelivery(5s).ok());
    amqp.reset();
    QVERIFY(clock.elapsed() < 1000);
}

QTEST_GUILESS_MAIN(TestAmqpConsume)
#include "tst_amqpconsume.moc"
