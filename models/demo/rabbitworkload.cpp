#include "rabbitworkload.h"

#include "rabbitmq/amqpconnection.h"
#include "rabbitmq/amqpendpoint.h"

#include <QDateTime>
#include <QDeadlineTimer>
#include <QJsonDocument>
#include <QThread>
#include <QUuid>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <random>
#include <set>

namespace veltrix::demo {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

// Every broker call of a thread is bounded by this, so stop() stays within a few seconds.
constexpr auto CallTimeout = 2s;
// How long a consumer waits for a delivery before it looks at the stop flag again.
constexpr auto PollInterval = 200ms;
constexpr auto FirstBackoff = 250ms;
constexpr auto MaxBackoff = 5s;
constexpr auto RpcInterval = 200ms;
constexpr auto RpcTimeout = 2s;
constexpr std::size_t RttSamples = 512; // the percentiles describe the last ~100 s of calls

const QString DirectReplyTo = QStringLiteral("amq.rabbitmq.reply-to");
const QString Poison = QStringLiteral("poison");
const QString Transient = QStringLiteral("transient");

} // namespace

struct RabbitWorkloadState
{
    AmqpEndpoint endpoint;
    DemoSettings settings;
    int paymentsDeliveryLimit = 3;

    std::atomic<bool> stopping {false};
    std::mutex mutex; // guards everything below that is not atomic
    std::condition_variable wake; // stop() wakes sleeping threads at once
    std::set<AmqpConnection *> live; // for interrupt(); a thread unregisters before deleting
    QString lastError;
    std::vector<double> rttMs;
    std::size_t rttNext = 0;

    std::atomic<qint64> published {0}, processed {0}, retried {0}, rejected {0}, deadLettered {0},
        expiring {0}, rpcRequests {0}, rpcReplies {0}, rpcTimeouts {0}, reconnects {0}, errors {0};

    // False when woken by stop().
    bool sleepUntil(Clock::time_point until)
    {
        std::unique_lock lock(mutex);
        return !wake.wait_until(lock, until, [this] { return stopping.load(); });
    }
    bool sleepFor(Clock::duration duration) { return sleepUntil(Clock::now() + duration); }

    void fail(const BrokerError &error)
    {
        ++errors;
        const std::lock_guard lock(mutex);
        lastError = error.describe();
    }

    void addRtt(double ms)
    {
        const std::lock_guard lock(mutex);
        if (rttMs.size() < RttSamples)
            rttMs.push_back(ms);
        else
            rttMs[rttNext] = ms;
        rttNext = (rttNext + 1) % RttSamples;
    }

    std::mt19937 randomFor(unsigned stream) const
    {
        const unsigned seed = settings.randomSeed
            ? settings.randomSeed
            : static_cast<unsigned>(Clock::now().time_since_epoch().count());
        return std::mt19937(seed + stream * 7919u);
    }
};

namespace {

using Session = std::function<Result<bool>(AmqpConnection &, RabbitWorkloadState &)>;

// Connects, runs the session until it fails or the workload stops, and connects again
// with exponential backoff: what a service does when its broker restarts.
void runWithReconnect(RabbitWorkloadState &state, const QString &name, const Session &session)
{
    auto backoff = std::chrono::duration_cast<Clock::duration>(FirstBackoff);
    bool connectedBefore = false;
    while (!state.stopping) {
        auto opened = AmqpConnection::open(name, state.endpoint, CallTimeout);
        if (!opened) {
            state.fail(opened.error());
            if (!state.sleepFor(backoff))
                break;
            backoff = std::min<Clock::duration>(backoff * 2, MaxBackoff);
            continue;
        }
        if (connectedBefore)
            ++state.reconnects;
        connectedBefore = true;
        std::unique_ptr<AmqpConnection> connection = std::move(opened).value();
        {
            const std::lock_guard lock(state.mutex);
            state.live.insert(connection.get());
        }
        const auto began = Clock::now();
        const Result<bool> ended = session(*connection, state);
        {
            const std::lock_guard lock(state.mutex);
            state.live.erase(connection.get());
        }
        connection.reset();
        if (ended || state.stopping)
            break;
        state.fail(ended.error());
        if (Clock::now() - began > 10s)
            backoff = FirstBackoff; // it worked for a while: this is a new outage
        if (!state.sleepFor(backoff))
            break;
        backoff = std::min<Clock::duration>(backoff * 2, MaxBackoff);
    }
}

struct Event
{
    QString routingKey;
    QByteArray body;
    AmqpMessageProperties properties;
};

// One shop event. "fail" tells the consumer how to behave, so the share of poison and
// transient messages is decided once, here, like a bad payload from an upstream service.
Event makeEvent(std::mt19937 &random, const DemoSettings &settings, qint64 sequence)
{
    std::uniform_real_distribution<double> unit(0, 1);
    const double kind = unit(random);
    const double fate = unit(random);
    const QString fail = fate < settings.poisonShare            ? Poison
        : fate < settings.poisonShare + settings.transientShare ? Transient
                                                                : QStringLiteral("none");
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const double amount = std::round(unit(random) * 40000 + 500) / 100;
    const QString orderId = QStringLiteral("ord-%1").arg(100000 + sequence);

    Event event;
    QJsonObject body {{QStringLiteral("orderId"), orderId},
                      {QStringLiteral("fail"), fail},
                      {QStringLiteral("createdAt"), now.toString(Qt::ISODateWithMs)}};
    if (kind < 0.5) {
        event.routingKey = QStringLiteral("order.created");
        body.insert(QStringLiteral("customerId"),
                    QStringLiteral("cust-%1").arg(random() % 5000, 4, 10, QLatin1Char('0')));
        body.insert(QStringLiteral("items"), int(random() % 5) + 1);
        body.insert(QStringLiteral("amount"), amount);
    } else if (kind < 0.9) {
        event.routingKey = QStringLiteral("payment.authorized");
        body.insert(QStringLiteral("paymentId"), QStringLiteral("pay-%1").arg(200000 + sequence));
        body.insert(QStringLiteral("amount"), amount);
        body.insert(QStringLiteral("currency"), QStringLiteral("EUR"));
    } else {
        event.routingKey = QStringLiteral("shipping.requested");
        body.insert(QStringLiteral("shipmentId"), QStringLiteral("shp-%1").arg(300000 + sequence));
        body.insert(QStringLiteral("carrier"),
                    random() % 2 ? QStringLiteral("DHL") : QStringLiteral("UPS"));
    }
    body.insert(QStringLiteral("event"), event.routingKey);
    event.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    event.properties.messageId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    event.properties.contentType = QStringLiteral("application/json");
    event.properties.deliveryMode = 2;
    event.properties.timestamp = now.toSecsSinceEpoch();
    // The AMQP timestamp has whole seconds; latency needs milliseconds.
    event.properties.headers.insert(QStringLiteral("sent_at_ms"), now.toMSecsSinceEpoch());
    return event;
}

// Paced by the clock, not by sleeps adding up: message n is due at n / rate seconds, and
// each batch waits for the broker's confirms before it counts as published.
Result<bool> publishEvents(AmqpConnection &amqp, RabbitWorkloadState &state)
{
    if (auto ok = amqp.selectConfirms(); !ok)
        return ok;
    const double rate = state.settings.messagesPerSecond * RabbitWorkload::RabbitShare;
    if (rate <= 0) {
        while (state.sleepFor(1s)) { }
        return true;
    }
    std::mt19937 random = state.randomFor(1);
    const auto began = Clock::now();
    qint64 sent = 0;
    while (!state.stopping) {
        const double elapsed = std::chrono::duration<double>(Clock::now() - began).count();
        qint64 due = qint64(elapsed * rate) + 1 - sent;
        // After a stall (the broker blocked us), do not flood it with a second's backlog.
        const qint64 maxBurst = std::max<qint64>(1, qint64(rate / 5));
        if (due > maxBurst) {
            sent += due - maxBurst;
            due = maxBurst;
        }
        for (qint64 i = 0; i < due; ++i) {
            const Event event = makeEvent(random, state.settings, state.published.load() + i);
            if (auto ok
                = amqp.publish(names::ShopExchange, event.routingKey, event.body, event.properties);
                !ok)
                return ok;
            if (event.routingKey.startsWith(QLatin1String("shipping.")))
                ++state.expiring;
        }
        if (due > 0) {
            sent += due;
            auto confirmed = amqp.waitForConfirms(CallTimeout);
            if (!confirmed)
                return confirmed.error();
            if (!confirmed.value())
                state.fail(BrokerError::make(BrokerError::Kind::Other,
                                             QStringLiteral("the broker refused a shop event")));
            state.published += due;
        }
        const auto nextDue = began
            + std::chrono::duration_cast<Clock::duration>(
                                 std::chrono::duration<double>(double(sent) / rate));
        if (!state.sleepUntil(nextDue))
            break;
    }
    return true;
}

QString failOf(const AmqpMessage &message)
{
    QJsonParseError error;
    const QJsonDocument json = QJsonDocument::fromJson(message.body, &error);
    if (error.error != QJsonParseError::NoError || !json.isObject())
        return Poison; // a payload no version of the service can read
    return json.object().value(QLatin1String("fail")).toString();
}

// Consumes a queue with manual acks until the workload stops, handing every delivery
// to handle(), which acks or rejects it.
template<typename Handler>
Result<bool> consumeUntilStopped(AmqpConnection &amqp, const RabbitWorkloadState &state,
                                 const QString &queue, int prefetch, Handler handle)
{
    if (auto ok = amqp.setPrefetch(prefetch); !ok)
        return ok;
    if (auto ok = amqp.consume(queue, AmqpConnection::AckMode::Manual); !ok)
        return ok.error();
    while (!state.stopping) {
        auto next = amqp.nextDelivery(PollInterval);
        if (!next)
            return next.error();
        if (!next->has_value())
            continue;
        if (auto ok = handle(*next.value()); !ok)
            return ok;
    }
    return true;
}

// orders.process (classic) and payments.process (quorum). Poison on the classic queue is
// rejected without requeue and the broker dead-letters it. On the quorum queue it is
// requeued every time, as a service that never gives up would, until the queue's
// delivery-limit dead-letters it. Transient failures succeed on the redelivery.
Result<bool> consumeWork(AmqpConnection &amqp, RabbitWorkloadState &state, const QString &queue,
                         bool quorum)
{
    return consumeUntilStopped(
        amqp, state, queue, 50, [&](const AmqpMessage &message) -> Result<bool> {
            const QString fail = failOf(message);
            Result<bool> done = true;
            if (fail == Poison && !quorum) {
                done = amqp.reject(message.deliveryTag, false);
                ++state.deadLettered;
            } else if (fail == Poison) {
                // x-delivery-count counts earlier returns (absent on the first delivery). 3.10
                // dead-letters on the return after the one that made it reach the limit: with
                // limit 3 a message is delivered 4 times, the last with x-delivery-count 3.
                const qint64 returns
                    = message.properties.headers.value(QStringLiteral("x-delivery-count"))
                          .toLongLong();
                done = amqp.reject(message.deliveryTag, true);
                if (returns >= state.paymentsDeliveryLimit)
                    ++state.deadLettered;
                else
                    ++state.retried;
            } else if (fail == Transient && !message.redelivered) {
                done = amqp.reject(message.deliveryTag, true);
                ++state.retried;
            } else {
                if (auto ok = amqp.ack(message.deliveryTag); !ok)
                    return ok;
                ++state.processed;
                return true;
            }
            ++state.rejected;
            return done;
        });
}

// The pricing service: answers each request on its reply-to with the request's
// correlation id, as any RPC server over AMQP does.
Result<bool> servePricing(AmqpConnection &amqp, RabbitWorkloadState &state)
{
    return consumeUntilStopped(
        amqp, state, names::PricingRpcQueue, 20, [&](const AmqpMessage &request) -> Result<bool> {
            if (request.properties.replyTo.isEmpty()) {
                // Nobody to answer; pricing.rpc has no dead-letter exchange, so it is dropped.
                if (auto ok = amqp.reject(request.deliveryTag, false); !ok)
                    return ok;
                ++state.rejected;
                return true;
            }
            const QJsonObject asked = QJsonDocument::fromJson(request.body).object();
            const int quantity = std::max(1, asked.value(QLatin1String("quantity")).toInt());
            const double unitPrice
                = 4.99 + double(qHash(asked.value(QLatin1String("sku")).toString()) % 9000) / 100;
            const QJsonObject answer {{QStringLiteral("sku"), asked.value(QLatin1String("sku"))},
                                      {QStringLiteral("quantity"), quantity},
                                      {QStringLiteral("unitPrice"), unitPrice},
                                      {QStringLiteral("total"), unitPrice * quantity},
                                      {QStringLiteral("currency"), QStringLiteral("EUR")}};
            AmqpMessageProperties properties;
            properties.correlationId = request.properties.correlationId;
            properties.contentType = QStringLiteral("application/json");
            properties.deliveryMode = 1; // a reply is worthless after a restart
            if (auto ok
                = amqp.publish(QString(), request.properties.replyTo,
                               QJsonDocument(answer).toJson(QJsonDocument::Compact), properties);
                !ok)
                return ok;
            if (auto ok = amqp.ack(request.deliveryTag); !ok)
                return ok;
            ++state.processed;
            return true;
        });
}

// The checkout asking for prices every 200 ms over direct reply-to: the client consumes
// the pseudo-queue amq.rabbitmq.reply-to (no-ack, on the channel it publishes on, before
// it publishes) and the broker routes the server's reply straight to it.
Result<bool> callPricing(AmqpConnection &amqp, RabbitWorkloadState &state)
{
    if (auto ok = amqp.consume(DirectReplyTo, AmqpConnection::AckMode::Auto); !ok)
        return ok.error();
    std::mt19937 random = state.randomFor(2);
    auto nextCall = Clock::now();
    for (qint64 call = 1; state.sleepUntil(nextCall); ++call) {
        nextCall = std::max(nextCall + RpcInterval, Clock::now());
        AmqpMessageProperties properties;
        properties.correlationId
            = QStringLiteral("price-%1-%2").arg(call).arg(random(), 8, 16, QLatin1Char('0'));
        properties.replyTo = DirectReplyTo;
        properties.contentType = QStringLiteral("application/json");
        properties.deliveryMode = 1;
        // A request nobody answers in time is worthless: let the broker drop it.
        properties.expiration = QString::number(std::chrono::milliseconds(RpcTimeout).count());
        const QJsonObject request {
            {QStringLiteral("sku"),
             QStringLiteral("SKU-%1").arg(random() % 500, 4, 10, QLatin1Char('0'))},
            {QStringLiteral("quantity"), int(random() % 4) + 1}};
        const auto sentAt = Clock::now();
        if (auto ok
            = amqp.publish(QString(), names::PricingRpcQueue,
                           QJsonDocument(request).toJson(QJsonDocument::Compact), properties);
            !ok)
            return ok;
        ++state.rpcRequests;
        const auto deadline = sentAt + RpcTimeout;
        for (;;) {
            const auto wait = std::min<Clock::duration>(deadline - Clock::now(), PollInterval);
            auto reply = amqp.nextDelivery(
                std::max(0ms, std::chrono::ceil<std::chrono::milliseconds>(wait)));
            if (!reply)
                return reply.error();
            // A reply to an earlier call that timed out is late, not an answer to this one.
            if (reply->has_value()
                && reply.value()->properties.correlationId == properties.correlationId) {
                ++state.rpcReplies;
                state.addRtt(
                    std::chrono::duration<double, std::milli>(Clock::now() - sentAt).count());
                break;
            }
            if (Clock::now() >= deadline) {
                ++state.rpcTimeouts;
                break;
            }
            if (state.stopping)
                return true;
        }
    }
    return true;
}

} // namespace

RabbitWorkload::RabbitWorkload(QString amqpUriForVhostShop, DemoSettings settings,
                               int paymentsDeliveryLimit)
    : m_uri(std::move(amqpUriForVhostShop))
    , m_settings(settings)
    , m_paymentsDeliveryLimit(paymentsDeliveryLimit)
{ }

RabbitWorkload::~RabbitWorkload()
{
    stop();
}

Result<bool> RabbitWorkload::start()
{
    if (!m_threads.empty())
        return true;
    auto endpoint = AmqpEndpoint::parse(m_uri);
    if (!endpoint)
        return endpoint.error();
    if (auto probe
        = AmqpConnection::open(QStringLiteral("shop-rabbit"), endpoint.value(), CallTimeout);
        !probe)
        return probe.error();

    m_state = std::make_shared<RabbitWorkloadState>();
    m_state->endpoint = endpoint.value();
    m_state->settings = m_settings;
    m_state->paymentsDeliveryLimit = m_paymentsDeliveryLimit;
    const std::pair<QString, Session> roles[] = {
        {QStringLiteral("shop-publisher"), publishEvents},
        {QStringLiteral("order-service"),
         [](AmqpConnection &amqp, RabbitWorkloadState &state) {
             return consumeWork(amqp, state, names::OrdersQueue, false);
         }},
        {QStringLiteral("payment-service"),
         [](AmqpConnection &amqp, RabbitWorkloadState &state) {
             return consumeWork(amqp, state, names::PaymentsQueue, true);
         }},
        {QStringLiteral("pricing-service"), servePricing},
        {QStringLiteral("checkout-pricing-client"), callPricing},
    };
    for (const auto &[name, session] : roles) {
        std::shared_ptr<RabbitWorkloadState> state = m_state;
        std::unique_ptr<QThread> thread(QThread::create(
            [state, name = name, session = session] { runWithReconnect(*state, name, session); }));
        thread->setObjectName(QStringLiteral("rabbit-") + name);
        thread->start();
        m_threads.push_back(std::move(thread));
    }
    return true;
}

void RabbitWorkload::stop()
{
    if (m_threads.empty())
        return;
    {
        const std::lock_guard lock(m_state->mutex);
        m_state->stopping = true;
    }
    m_state->wake.notify_all();
    // Threads notice the flag within a poll interval and close politely. One stuck in a
    // broker call (a broker that stopped reading) gets its socket shut down instead.
    const QDeadlineTimer polite(3000);
    bool allDone = true;
    for (const auto &thread : m_threads)
        allDone = thread->wait(polite) && allDone;
    if (!allDone) {
        const std::lock_guard lock(m_state->mutex);
        for (AmqpConnection *connection : m_state->live)
            connection->interrupt();
    }
    // Bounded: after interrupt() no call blocks, and connecting is bounded by CallTimeout.
    for (const auto &thread : m_threads)
        thread->wait();
    m_threads.clear();
}

QJsonObject RabbitWorkload::stats() const
{
    if (!m_state)
        return {};
    const RabbitWorkloadState &s = *m_state;
    std::vector<double> rtt;
    QString lastError;
    {
        const std::lock_guard lock(m_state->mutex);
        rtt = s.rttMs;
        lastError = s.lastError;
    }
    const auto percentile = [&rtt](double p) {
        if (rtt.empty())
            return 0.0;
        const auto nth = rtt.begin() + std::ptrdiff_t(p * double(rtt.size() - 1));
        std::nth_element(rtt.begin(), nth, rtt.end());
        return std::round(*nth * 100) / 100;
    };
    return {{QStringLiteral("produced"), s.published.load()},
            {QStringLiteral("published"), s.published.load()},
            {QStringLiteral("processed"), s.processed.load()},
            {QStringLiteral("retried"), s.retried.load()},
            {QStringLiteral("rejected"), s.rejected.load()},
            {QStringLiteral("dead_lettered"), s.deadLettered.load()},
            {QStringLiteral("expiring"), s.expiring.load()},
            {QStringLiteral("rpc_requests"), s.rpcRequests.load()},
            {QStringLiteral("rpc_replies"), s.rpcReplies.load()},
            {QStringLiteral("rpc_timeouts"), s.rpcTimeouts.load()},
            {QStringLiteral("rpc_p50_ms"), percentile(0.5)},
            {QStringLiteral("rpc_p99_ms"), percentile(0.99)},
            {QStringLiteral("reconnects"), s.reconnects.load()},
            {QStringLiteral("errors"), s.errors.load()},
            {QStringLiteral("last_error"), lastError}};
}

} // namespace veltrix::demo
