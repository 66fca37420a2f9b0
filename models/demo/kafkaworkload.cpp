#include "kafkaworkload.h"

#include "kafka/kafkahandle.h"
#include "kafkaclients.h"
#include "retrypolicybook.h"
#include "springheaders.h"

#include <librdkafka/rdkafka.h>

#include <QDateTime>
#include <QJsonDocument>
#include <QUuid>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>

namespace veltrix::demo {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
using namespace Qt::Literals::StringLiterals;

struct KafkaWorkload::Counters
{
    std::atomic<qint64> produced = 0, processed = 0, retried = 0, errors = 0;
    std::atomic<qint64> ordersDlt = 0, paymentsDlt = 0, inventoryDlt = 0;
    std::atomic<qint64> analyticsProcessed = 0;
    std::atomic<double> analyticsRate = 0;
    mutable std::mutex lastErrorMutex;
    QString lastError; // the latest failure in words, so a count never comes unexplained

    void noteError(const QString &what)
    {
        ++errors;
        std::lock_guard lock(lastErrorMutex);
        lastError = what;
    }
};

namespace {

using Counters = KafkaWorkload::Counters;
using Producer = WorkloadProducer;
using Consumer = WorkloadConsumer;

// What the worker threads share: counters and a stop signal they can wait on.
struct Env
{
    Counters &counters;
    RetryPolicyBook &policies;
    const std::atomic<bool> &stopping;
    std::mutex &mutex;
    std::condition_variable &wake;

    bool running() const { return !stopping.load(); }
    // Sleeps until `deadline`; false when stop() cut the wait short.
    bool waitUntil(Clock::time_point deadline)
    {
        std::unique_lock lock(mutex);
        return !wake.wait_until(lock, deadline, [this] { return stopping.load(); });
    }
};

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

Clock::time_point inMs(qint64 ms)
{
    return Clock::now() + std::chrono::milliseconds(std::max<qint64>(ms, 0));
}

// FNV-1a: a hash that is the same in every process, so each worker derives the same
// per-record choices (how often a transient record fails, which error it shows).
quint32 stableHash(QByteArrayView bytes)
{
    quint32 h = 2166136261u;
    for (const char c : bytes)
        h = (h ^ static_cast<quint8>(c)) * 16777619u;
    return h;
}

// The producer's verdict on a record, read back from its payload.
struct Verdict
{
    QJsonObject event;
    bool poison = false;
    int failures = 0; // failed attempts before success; poison: every attempt
    quint32 hash = 0;
    bool failsAttempt(int attempt) const { return poison || attempt <= failures; }
};

Verdict verdictOf(const rd_kafka_message_t *m)
{
    Verdict v;
    v.event = QJsonDocument::fromJson(payloadOf(m)).object();
    v.hash = stableHash(v.event.value(u"event_id").toString().toUtf8());
    const QString fail = v.event.value(u"fail").toString();
    v.poison = fail == u"poison";
    if (fail == u"transient")
        v.failures = 1 + static_cast<int>(v.hash % 2); // succeeds on the 1st or 2nd retry
    return v;
}

QString field(const Verdict &v, QStringView name)
{
    const QJsonValue value = v.event.value(name);
    return value.isDouble() ? QString::number(value.toDouble(), 'f', 2) : value.toString();
}

// --- What the services throw. Frames are illustrative; the wrapping, "Caused by:" and
// "... n more" are what Spring and Java really produce (see springListenerFailure()).

const QString OrderListener = u"public void com.shop.orders.OrderListener.onOrder("
                              "org.apache.kafka.clients.consumer.ConsumerRecord<java.lang.String, "
                              "java.lang.String>)"_s;
const QString PaymentListener
    = u"public void com.shop.payments.PaymentListener.onPayment("
      "org.apache.kafka.clients.consumer.ConsumerRecord<java.lang.String, "
      "java.lang.String>)"_s;

JavaException orderFailure(const Verdict &v, const rd_kafka_message_t *m)
{
    const QString order = field(v, u"order_id"), customer = field(v, u"customer");
    QString fqcn = u"com.shop.orders.InvalidOrderException"_s, message;
    if (!v.poison) {
        fqcn = u"com.shop.orders.StockServiceUnavailableException"_s;
        message = u"Stock service returned HTTP 503 while reserving order %1 (partition %2)"_s
                      .arg(order)
                      .arg(m->partition);
    } else if (v.hash % 2) {
        message = u"Order %1 rejected: customer %2 is blocked"_s.arg(order, customer);
    } else {
        message = u"Order %1 rejected: amount %2 EUR exceeds the credit limit of customer %3"_s.arg(
            order, field(v, u"amount"), customer);
    }
    return springListenerFailure(
        OrderListener,
        {fqcn,
         message,
         {u"com.shop.orders.OrderService.place(OrderService.java:88)"_s,
          u"com.shop.orders.OrderListener.onOrder(OrderListener.java:34)"_s}},
        true, nowMs());
}

JavaException paymentFailure(const Verdict &v)
{
    const QString payment = field(v, u"payment_id"), order = field(v, u"order_id");
    QString fqcn = u"com.shop.payments.CardDeclinedException"_s;
    QString message
        = u"Card declined for payment %1 of order %2 (%3 EUR): issuer response code %4"_s
              .arg(payment, order, field(v, u"amount"))
              .arg(v.hash % 2 ? 51 : 5);
    if (!v.poison) {
        fqcn = u"com.shop.payments.GatewayTimeoutException"_s;
        message = u"Gateway psp-eu-2 did not answer within 2000 ms for payment %1"_s.arg(payment);
    } else if (v.hash % 3 == 0) {
        fqcn = u"com.shop.payments.FraudSuspectedException"_s;
        message = u"Payment %1 of order %2 blocked: fraud score 0.%3 above threshold 0.85"_s
                      .arg(payment, order)
                      .arg(86 + v.hash % 13);
    }
    return springListenerFailure(
        PaymentListener,
        {fqcn,
         message,
         {u"com.shop.payments.PaymentService.authorize(PaymentService.java:131)"_s,
          u"com.shop.payments.PaymentListener.onPayment(PaymentListener.java:42)"_s}},
        false, nowMs());
}

// A JDBC sink connector's errors: a converter failure, or a row the database refuses.
ConnectError inventoryFailure(const Verdict &v)
{
    const QStringList worker {
        u"org.apache.kafka.connect.runtime.WorkerSinkTask.poll(WorkerSinkTask.java:339)"_s,
        u"org.apache.kafka.connect.runtime.WorkerTask.run(WorkerTask.java:257)"_s,
        u"java.base/java.lang.Thread.run(Thread.java:840)"_s};
    ConnectError e {u"inventory-jdbc-sink"_s,
                    0,
                    u"TASK_PUT"_s,
                    u"io.confluent.connect.jdbc.sink.JdbcSinkTask"_s,
                    u"org.postgresql.util.PSQLException"_s,
                    u"ERROR: insert or update on table \"stock_reservations\" violates foreign key "
                    "constraint \"stock_reservations_sku_fkey\"\n  Detail: Key (sku)=(%1) is not "
                    "present in table \"products\"."_s.arg(field(v, u"sku")),
                    {}};
    QString frame = u"io.confluent.connect.jdbc.sink.JdbcSinkTask.put(JdbcSinkTask.java:84)"_s;
    if (v.hash % 2) {
        e.stage = u"VALUE_CONVERTER"_s;
        e.executingClass = u"org.apache.kafka.connect.json.JsonConverter"_s;
        e.exceptionFqcn = u"org.apache.kafka.connect.errors.DataException"_s;
        e.message = u"JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields "
                    "and may not contain additional fields. If you are trying to deserialize plain "
                    "JSON data, set schemas.enable=false in your converter configuration."_s;
        frame
            = u"org.apache.kafka.connect.json.JsonConverter.toConnectData(JsonConverter.java:328)"_s;
    }
    e.stackTrace = javaStackTrace({{e.exceptionFqcn, e.message, QStringList {frame} + worker}});
    return e;
}

// --- The threads.

QByteArray makeEvent(std::mt19937_64 &rng, const DemoSettings &settings, qint64 seq, QString *topic,
                     QByteArray *key)
{
    std::uniform_real_distribution<double> unit(0, 1);
    const QString order = QStringLiteral("ORD-%1").arg(100000 + seq, 7, 10, QLatin1Char('0'));
    *key = order.toUtf8();
    QJsonObject e {{u"event_id"_s, QUuid::createUuid().toString(QUuid::WithoutBraces)},
                   {u"order_id"_s, order},
                   {u"ts"_s, QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)}};
    const double amount = std::round((5 + unit(rng) * 495) * 100) / 100;
    const double kind = unit(rng);
    if (kind < 0.5) {
        *topic = names::OrdersTopic;
        e.insert(u"type", u"order.created"_s);
        e.insert(u"customer",
                 QStringLiteral("CUST-%1").arg(1 + rng() % 5000, 4, 10, QLatin1Char('0')));
        e.insert(u"amount", amount);
        e.insert(u"currency", u"EUR"_s);
    } else if (kind < 0.8) {
        *topic = names::PaymentsTopic;
        e.insert(u"type", u"payment.authorized"_s);
        e.insert(u"payment_id", QStringLiteral("PAY-%1").arg(500000 + seq));
        e.insert(u"amount", amount);
        e.insert(u"currency", u"EUR"_s);
        e.insert(u"method", QStringList {u"card"_s, u"paypal"_s, u"sepa"_s}.at(rng() % 3));
    } else {
        *topic = names::InventoryTopic;
        e.insert(u"type", u"inventory.reserved"_s);
        e.insert(u"sku", QStringLiteral("SKU-%1").arg(1 + rng() % 20000, 5, 10, QLatin1Char('0')));
        e.insert(u"quantity", static_cast<int>(1 + rng() % 5));
        e.insert(u"warehouse",
                 QStringList {u"WH-BER-1"_s, u"WH-HAM-2"_s, u"WH-MUC-1"_s}.at(rng() % 3));
    }
    const double fate = unit(rng);
    if (fate < settings.poisonShare)
        e.insert(u"fail", u"poison"_s);
    else if (fate < settings.poisonShare + settings.transientShare)
        e.insert(u"fail", u"transient"_s);
    return QJsonDocument(e).toJson(QJsonDocument::Compact);
}

void runProducer(Env env, Producer &producer, DemoSettings settings)
{
    std::mt19937_64 rng(settings.randomSeed ? settings.randomSeed : static_cast<unsigned>(nowMs()));
    const double rate = std::max(0.1, settings.messagesPerSecond * KafkaWorkload::KafkaShare);
    const auto interval
        = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / rate));
    const KafkaHeaderList headers {{QByteArray("content-type"), QByteArray("application/json")}};
    auto next = Clock::now();
    for (qint64 seq = 0; env.running(); ++seq) {
        QString topic;
        QByteArray key;
        const QByteArray value = makeEvent(rng, settings, seq, &topic, &key);
        producer.send(topic, RD_KAFKA_PARTITION_UA, key, value, headers, &env.counters.produced);
        // Even pacing: one record per slot; after a stall, resume the pace without a burst.
        next += interval;
        if (Clock::now() - next > 250ms)
            next = Clock::now();
        while (env.running() && Clock::now() < next) {
            const auto left = std::chrono::ceil<std::chrono::milliseconds>(next - Clock::now());
            producer.serve(static_cast<int>(std::min<qint64>(left.count(), 100)));
        }
    }
}

// One stage of the @RetryableTopic chain: orders (0), orders-retry-0 (1), orders-retry-1 (2).
void runOrderStage(Env env, Consumer &consumer, Producer &producer, int stage)
{
    static const QString groups[] = {names::OrderServiceGroup, names::OrderServiceRetry0Group,
                                     names::OrderServiceRetry1Group};
    static const QString next[] = {names::OrdersRetry0, names::OrdersRetry1, names::OrdersDlt};
    static const qint64 backoffMs[] = {1000, 2000};
    while (env.running()) {
        rd_kafka_message_t *m = consumer.poll(200);
        if (!m)
            continue;
        const FailedRecord record = failedRecordOf(m, groups[stage]);
        // KafkaBackoffAwareMessageListenerAdapter: a record that is not due yet pauses its
        // partition until it is, instead of blocking the poll loop.
        const auto due = retryTopicBackoffTimestamp(record.headers);
        const Verdict v = verdictOf(m);
        if (stage > 0 && due && *due > nowMs()) {
            consumer.hold(m, inMs(*due - nowMs()));
        } else if (!v.failsAttempt(retryTopicAttempts(record.headers))) {
            ++env.counters.processed;
            consumer.done(m);
        } else {
            const JavaException error = orderFailure(v, m);
            const KafkaHeaderList headers = stage < 2
                ? retryTopicHeaders(record, error, nowMs(), backoffMs[stage])
                : retryableTopicDltHeaders(record, error, nowMs());
            if (producer.send(next[stage], producer.sameOrAnyPartition(next[stage], m->partition),
                              record.key, payloadOf(m), headers,
                              stage < 2 ? &env.counters.retried : &env.counters.ordersDlt)
                && producer.drain(5000))
                consumer.done(m);
            else
                consumer.hold(m, inMs(1000)); // try the record again, as Spring's handler would
        }
        rd_kafka_message_destroy(m);
    }
}

// A service that retries a failed record in place before dead-lettering it: Spring's
// blocking DefaultErrorHandler (FixedBackOff 200 ms, 3 attempts, retries any exception) or
// Kafka Connect with errors.retry.timeout (300 ms doubling, only RetriableException).
// Its group's policy in the retry-policy topic, when there is one, replaces the built-in
// attempts and backoff from the next record on: the demo follows policy changes live.
struct InPlaceRetry
{
    QString group;
    KafkaRetryPolicy builtIn; // until the topic says otherwise
    bool retriesPoison;
    // Publishes the record to the dead-letter topic; true once the brokers have it.
    std::function<bool(Producer &, const rd_kafka_message_t *, const Verdict &)> deadLetter;
};

void runInPlaceRetry(Env env, Consumer &consumer, Producer &producer, const InPlaceRetry &retry)
{
    std::mt19937 random(std::random_device {}());
    while (env.running()) {
        rd_kafka_message_t *m = consumer.poll(200);
        if (!m)
            continue;
        const KafkaRetryPolicy policy = env.policies.get(retry.group).value_or(retry.builtIn);
        const Verdict v = verdictOf(m);
        int attempt = 1;
        for (; v.failsAttempt(attempt) && attempt < policy.maxAttempts
             && (retry.retriesPoison || !v.poison);
             ++attempt) {
            ++env.counters.retried;
            const double spread
                = policy.jitter * std::uniform_real_distribution<double>(-1.0, 1.0)(random);
            const auto backoff
                = qint64(double(policy.backoffBeforeAttempt(attempt + 1)) * (1.0 + spread));
            if (!env.waitUntil(inMs(backoff)))
                break;
        }
        if (!env.running()) { // not done, so not committed: redelivered on the next start
            rd_kafka_message_destroy(m);
            break;
        }
        if (!v.failsAttempt(attempt)) {
            ++env.counters.processed;
            consumer.done(m);
        } else if (retry.deadLetter(producer, m, v) && producer.drain(5000)) {
            consumer.done(m);
        } else {
            consumer.hold(m, inMs(1000));
        }
        rd_kafka_message_destroy(m);
    }
}

// The demo's services' policies before anyone changes them (what the code above did).
KafkaRetryPolicy builtInPolicy(const QString &group, int attempts, qint64 backoffMs,
                               double multiplier, const QString &dlt)
{
    KafkaRetryPolicy policy;
    policy.group = group;
    policy.maxAttempts = attempts;
    policy.initialBackoffMs = backoffMs;
    policy.multiplier = multiplier;
    policy.maxBackoffMs = qint64(double(backoffMs) * std::pow(multiplier, attempts - 2));
    policy.dlt = dlt;
    return policy;
}

KafkaRetryPolicy paymentServicePolicy()
{
    return builtInPolicy(names::PaymentServiceGroup, 3, 200, 1.0, names::PaymentsDlt);
}

KafkaRetryPolicy inventorySinkPolicy()
{
    return builtInPolicy(names::InventorySinkGroup, 3, 300, 2.0, names::InventoryDlt);
}

// Reads the retry-policy topic from its beginning and keeps following it, so a policy
// published by the console reaches the workers within a poll.
void runPolicyWatcher(Env env, KafkaHandle &consumer)
{
    while (env.running()) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(consumer.get(), 200);
        if (!m)
            continue;
        if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR && m->key) {
            const QString group
                = QString::fromUtf8(static_cast<const char *>(m->key), qsizetype(m->key_len));
            if (m->len == 0) {
                env.policies.put(group, std::nullopt); // a tombstone: back to built-in
            } else {
                auto policy = parseKafkaRetryPolicy(payloadOf(m), group);
                if (policy)
                    env.policies.put(group, policy.value());
                else
                    env.counters.noteError(
                        u"retry policy of %1 ignored: %2"_s.arg(group, policy.error().message));
            }
        }
        rd_kafka_message_destroy(m);
    }
}

void runPaymentService(Env env, Consumer &consumer, Producer &producer)
{
    runInPlaceRetry(env, consumer, producer,
                    {names::PaymentServiceGroup, paymentServicePolicy(), true,
                     [&env](Producer &p, const rd_kafka_message_t *m, const Verdict &v) {
                         const FailedRecord record = failedRecordOf(m, names::PaymentServiceGroup);
                         return p.send(names::PaymentsDlt,
                                       p.sameOrAnyPartition(names::PaymentsDlt, m->partition),
                                       record.key, payloadOf(m),
                                       blockingRecovererDltHeaders(record, paymentFailure(v)),
                                       &env.counters.paymentsDlt);
                     }});
}

void runInventorySink(Env env, Consumer &consumer, Producer &producer)
{
    runInPlaceRetry(env, consumer, producer,
                    {names::InventorySinkGroup, inventorySinkPolicy(), false,
                     [&env](Producer &p, const rd_kafka_message_t *m, const Verdict &v) {
                         // Connect's reporter keeps the record's timestamp and leaves the
                         // partition to the producer.
                         const FailedRecord record = failedRecordOf(m, names::InventorySinkGroup);
                         return p.send(names::InventoryDlt, RD_KAFKA_PARTITION_UA, record.key,
                                       payloadOf(m), connectDlqHeaders(record, inventoryFailure(v)),
                                       &env.counters.inventoryDlt, record.timestamp);
                     }});
}

// Reads orders at a fifth of their rate for half of each wave, at four times it for the
// other half: its lag grows, then drains back toward zero.
void runAnalytics(Env env, Consumer &consumer, DemoSettings settings)
{
    const double ordersRate = settings.messagesPerSecond * KafkaWorkload::KafkaShare * 0.5;
    const double slow = std::max(0.5, ordersRate * 0.2), fast = std::max(5.0, ordersRate * 4);
    const double period = std::max(2, settings.slowGroupWaveSeconds);
    const auto start = Clock::now();
    auto last = start, windowStart = start;
    double tokens = 0;
    qint64 windowCount = 0;
    while (env.running()) {
        rd_kafka_message_t *m = consumer.poll(100);
        auto now = Clock::now();
        if (now - windowStart >= 1s) {
            env.counters.analyticsRate
                = windowCount / std::chrono::duration<double>(now - windowStart).count();
            windowStart = now;
            windowCount = 0;
        }
        if (!m)
            continue;
        const double phase = std::fmod(std::chrono::duration<double>(now - start).count(), period);
        const double rate = phase < period / 2 ? slow : fast;
        // Token bucket with a small burst: smooth throughput without a wake-up per record.
        tokens = std::min(tokens + std::chrono::duration<double>(now - last).count() * rate,
                          std::max(1.0, rate / 10));
        last = now;
        if (tokens < 1) {
            const auto wait = std::chrono::duration<double>((1 - tokens) / rate);
            if (!env.waitUntil(now + std::chrono::duration_cast<Clock::duration>(wait))) {
                rd_kafka_message_destroy(m);
                break;
            }
            tokens = 1;
            last = Clock::now();
        }
        tokens -= 1;
        consumer.done(m);
        ++env.counters.analyticsProcessed;
        ++windowCount;
        rd_kafka_message_destroy(m);
    }
}

} // namespace

KafkaWorkload::KafkaWorkload(ClusterProfile profile, DemoSettings settings)
    : m_profile(std::move(profile))
    , m_settings(settings)
    , m_counters(std::make_unique<Counters>())
    , m_policies(std::make_unique<RetryPolicyBook>())
{ }

KafkaWorkload::~KafkaWorkload()
{
    stop();
}

Result<bool> KafkaWorkload::start()
{
    if (!m_threads.empty())
        return true;
    if (m_profile.kind != ClusterKind::Kafka)
        return BrokerError::make(BrokerError::Kind::Configuration,
                                 QStringLiteral("%1: the Kafka demo workload needs a Kafka profile")
                                     .arg(m_profile.name));
    m_stopping = false;
    const ErrorSink noteError
        = [counters = m_counters.get()](const QString &what) { counters->noteError(what); };
    // Every handle is made here, so a bad profile fails start() instead of a thread.
    const auto makeProducer
        = [this, &noteError](const QString &client) -> Result<std::unique_ptr<Producer>> {
        auto handle
            = KafkaHandle::create(m_profile, RD_KAFKA_PRODUCER,
                                  {{u"client.id"_s, client},
                                   {u"acks"_s, u"all"_s},
                                   {u"enable.idempotence"_s, u"true"_s},
                                   {u"linger.ms"_s, u"10"_s},
                                   {u"enabled_events"_s, QString::number(RD_KAFKA_EVENT_DR)}});
        if (!handle)
            return handle.error();
        return std::make_unique<Producer>(std::move(handle).value(), noteError);
    };
    const auto makeConsumer
        = [this, &noteError](const QString &group,
                             const QString &topic) -> Result<std::unique_ptr<Consumer>> {
        auto handle = KafkaHandle::create(
            m_profile, RD_KAFKA_CONSUMER,
            {{u"client.id"_s, u"veltrix-demo-"_s + group},
             {u"group.id"_s, group},
             {u"enable.auto.commit"_s, u"false"_s},
             {u"auto.offset.reset"_s, u"earliest"_s},
             // Small prefetch: the throttled analytics reader must not buffer its lag in RAM.
             {u"queued.min.messages"_s, u"1000"_s},
             {u"queued.max.messages.kbytes"_s, u"1024"_s},
             // With the broker gone, destroying a group member waits out its session
             // (45 s by default): the demo must stop promptly.
             {u"session.timeout.ms"_s, u"6000"_s}});
        if (!handle)
            return handle.error();
        rd_kafka_t *rk = handle.value()->get();
        rd_kafka_poll_set_consumer(rk);
        rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(topics, topic.toUtf8().constData(),
                                          RD_KAFKA_PARTITION_UA);
        const rd_kafka_resp_err_t err = rd_kafka_subscribe(rk, topics);
        rd_kafka_topic_partition_list_destroy(topics);
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
            return handle.value()->errorFor(
                err, QStringLiteral("subscribing %1 to %2").arg(group, topic));
        return std::make_unique<Consumer>(std::move(handle).value(), noteError);
    };

    std::vector<std::function<void(Env)>> bodies;
    auto producer = makeProducer(u"veltrix-demo-producer"_s);
    if (!producer)
        return producer.error();
    bodies.push_back([p = std::shared_ptr<Producer>(std::move(producer).value()),
                      s = m_settings](Env env) { runProducer(env, *p, s); });

    struct Service
    {
        QString group, topic;
        std::function<void(Env, Consumer &, Producer &)> body;
    };
    const QList<Service> services
        = {{names::OrderServiceGroup, names::OrdersTopic,
            [](Env e, Consumer &c, Producer &p) { runOrderStage(e, c, p, 0); }},
           {names::OrderServiceRetry0Group, names::OrdersRetry0,
            [](Env e, Consumer &c, Producer &p) { runOrderStage(e, c, p, 1); }},
           {names::OrderServiceRetry1Group, names::OrdersRetry1,
            [](Env e, Consumer &c, Producer &p) { runOrderStage(e, c, p, 2); }},
           {names::PaymentServiceGroup, names::PaymentsTopic, runPaymentService},
           {names::InventorySinkGroup, names::InventoryTopic, runInventorySink}};
    for (const Service &service : services) {
        auto consumer = makeConsumer(service.group, service.topic);
        if (!consumer)
            return consumer.error();
        auto forwarder = makeProducer(u"veltrix-demo-"_s + service.group);
        if (!forwarder)
            return forwarder.error();
        bodies.push_back([c = std::shared_ptr<Consumer>(std::move(consumer).value()),
                          p = std::shared_ptr<Producer>(std::move(forwarder).value()),
                          body = service.body](Env env) { body(env, *c, *p); });
    }
    auto analytics = makeConsumer(names::AnalyticsGroup, names::OrdersTopic);
    if (!analytics)
        return analytics.error();
    bodies.push_back([c = std::shared_ptr<Consumer>(std::move(analytics).value()),
                      s = m_settings](Env env) { runAnalytics(env, *c, s); });

    // Retry policies: the built-in ones published (what `veltrixctl retry get` and the
    // console then show), and a watcher that keeps the workers on the topic's latest.
    {
        auto publisher = makeProducer(u"veltrix-demo-retry-policies"_s);
        if (!publisher)
            return publisher.error();
        for (KafkaRetryPolicy policy : {paymentServicePolicy(), inventorySinkPolicy()}) {
            policy.updatedAt = QDateTime::currentDateTimeUtc();
            policy.updatedBy = u"veltrix-demo"_s;
            publisher.value()->send(names::RetryPoliciesTopic, 0, policy.group.toUtf8(),
                                    policy.toRecordValue(), {}, nullptr);
        }
        if (!publisher.value()->drain(10000))
            return BrokerError::make(BrokerError::Kind::Timeout,
                                     u"%1: publishing the demo's retry policies to %2 failed"_s.arg(
                                         m_profile.name, names::RetryPoliciesTopic));
    }
    auto watcher = KafkaHandle::create(m_profile, RD_KAFKA_CONSUMER,
                                       {{u"client.id"_s, u"veltrix-demo-retry-policies"_s},
                                        {u"group.id"_s, u"veltrix-demo-retry-policies"_s},
                                        {u"enable.auto.commit"_s, u"false"_s}});
    if (!watcher)
        return watcher.error();
    {
        rd_kafka_poll_set_consumer(watcher.value()->get());
        rd_kafka_topic_partition_list_t *partitions = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(partitions,
                                          names::RetryPoliciesTopic.toUtf8().constData(), 0)
            ->offset
            = RD_KAFKA_OFFSET_BEGINNING;
        const rd_kafka_resp_err_t err = rd_kafka_assign(watcher.value()->get(), partitions);
        rd_kafka_topic_partition_list_destroy(partitions);
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
            return watcher.value()->errorFor(err, u"reading the retry-policy topic"_s);
    }
    bodies.push_back([c = std::shared_ptr<KafkaHandle>(std::move(watcher).value())](Env env) {
        runPolicyWatcher(env, *c);
    });

    const Env env {*m_counters, *m_policies, m_stopping, m_wakeMutex, m_wake};
    for (auto &body : bodies) {
        // The thread takes the only reference, so its handles are closed on that thread.
        m_threads.emplace_back([env, body = std::move(body)]() mutable {
            body(env);
            body = nullptr;
        });
    }
    return true;
}

void KafkaWorkload::stop()
{
    {
        std::lock_guard lock(m_wakeMutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    for (std::thread &thread : m_threads)
        thread.join();
    m_threads.clear();
}

QJsonObject KafkaWorkload::stats() const
{
    const Counters &c = *m_counters;
    QString lastError;
    {
        std::lock_guard lock(c.lastErrorMutex);
        lastError = c.lastError;
    }
    const qint64 orders = c.ordersDlt, payments = c.paymentsDlt, inventory = c.inventoryDlt;
    return {{u"produced"_s, c.produced.load()},
            {u"processed"_s, c.processed.load()},
            {u"retried"_s, c.retried.load()},
            {u"dead_lettered"_s, orders + payments + inventory},
            {u"dead_lettered_by_topic"_s,
             QJsonObject {{names::OrdersDlt, orders},
                          {names::PaymentsDlt, payments},
                          {names::InventoryDlt, inventory}}},
            {u"errors"_s, c.errors.load()},
            {u"last_error"_s, lastError},
            {u"analytics_processed"_s, c.analyticsProcessed.load()},
            {u"analytics_rate"_s, std::round(c.analyticsRate.load() * 10) / 10},
            {u"target_rate"_s, std::round(m_settings.messagesPerSecond * KafkaShare * 10) / 10},
            {u"retry_policies"_s, [this] {
                 QJsonObject policies;
                 for (const auto &[group, policy] : m_policies->all())
                     policies.insert(group, policy.maxAttempts);
                 return policies;
             }()}};
}

} // namespace veltrix::demo
