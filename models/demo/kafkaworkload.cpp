#include "kafkaworkload.h"

#include "kafka/kafkahandle.h"
#include "springheaders.h"

#include <librdkafka/rdkafka.h>

#include <QDateTime>
#include <QJsonDocument>
#include <QUuid>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
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
using ErrorSink = std::function<void(const QString &)>;
using TopicPartition = std::pair<std::string, qint32>;

// What the worker threads share: counters and a stop signal they can wait on.
struct Env
{
    Counters &counters;
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

// A producer whose delivery reports arrive as events ("enabled_events" = DR) on its main
// queue, because KafkaHandle owns the conf and so no dr_msg_cb can be set. Sending threads
// serve the queue themselves; rd_kafka_flush() would never see the reports in this mode.
class Producer
{
public:
    Producer(std::unique_ptr<KafkaHandle> handle, ErrorSink onError)
        : m_handle(std::move(handle))
        , m_onError(std::move(onError))
        , m_events(rd_kafka_queue_get_main(m_handle->get()))
    { }
    ~Producer()
    {
        if (!drain(2000) && m_outstanding > 0)
            m_onError(u"%1 records were still undelivered at shutdown"_s.arg(m_outstanding));
        rd_kafka_queue_destroy(m_events);
    }
    Producer(const Producer &) = delete;
    Producer &operator=(const Producer &) = delete;

    // Queues one record; `delivered` is counted once the brokers acknowledged it.
    bool send(const QString &topic, qint32 partition, const QByteArray &key,
              const QByteArray &value, const KafkaHeaderList &headers,
              std::atomic<qint64> *delivered, qint64 timestamp = 0)
    {
        rd_kafka_headers_t *hdrs = rd_kafka_headers_new(static_cast<size_t>(headers.size()));
        for (const KafkaHeader &h : headers)
            rd_kafka_header_add(hdrs, h.name.constData(), h.name.size(),
                                h.value.isNull() ? nullptr : h.value.constData(), h.value.size());
        const QByteArray topicName = topic.toUtf8();
        rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR__QUEUE_FULL;
        for (int attempt = 0; attempt < 3 && err == RD_KAFKA_RESP_ERR__QUEUE_FULL; ++attempt) {
            if (attempt > 0)
                serve(100); // a full queue drains as reports are served
            err = rd_kafka_producev(
                m_handle->get(), RD_KAFKA_V_TOPIC(topicName.constData()),
                RD_KAFKA_V_PARTITION(partition),
                RD_KAFKA_V_KEY(key.constData(), static_cast<size_t>(key.size())),
                RD_KAFKA_V_VALUE(const_cast<char *>(value.constData()),
                                 static_cast<size_t>(value.size())),
                RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_TIMESTAMP(timestamp),
                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(delivered),
                RD_KAFKA_V_END);
        }
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            rd_kafka_headers_destroy(hdrs); // ownership passes only on success
            m_onError(u"producing to %1 failed: %2"_s.arg(
                topic, QString::fromUtf8(rd_kafka_err2str(err))));
            return false;
        }
        ++m_outstanding;
        return true;
    }

    // Serves delivery reports, waiting up to timeoutMs for the first; returns the failures.
    int serve(int timeoutMs)
    {
        int failed = 0;
        for (rd_kafka_event_t *ev = rd_kafka_queue_poll(m_events, timeoutMs); ev;
             ev = rd_kafka_queue_poll(m_events, 0)) {
            if (rd_kafka_event_type(ev) == RD_KAFKA_EVENT_DR) {
                while (const rd_kafka_message_t *m = rd_kafka_event_message_next(ev)) {
                    --m_outstanding;
                    if (m->err) {
                        ++failed;
                        m_onError(u"delivery to %1 failed: %2"_s.arg(
                            QString::fromUtf8(rd_kafka_topic_name(m->rkt)),
                            QString::fromUtf8(rd_kafka_err2str(m->err))));
                    } else if (m->_private) { // the message's opaque: what to count
                        ++*static_cast<std::atomic<qint64> *>(m->_private);
                    }
                }
            } else if (rd_kafka_event_type(ev) == RD_KAFKA_EVENT_ERROR
                       && rd_kafka_event_error_is_fatal(ev)) {
                m_onError(QString::fromUtf8(rd_kafka_event_error_string(ev)));
            }
            rd_kafka_event_destroy(ev);
        }
        return failed;
    }

    // Waits for every queued record's report, like Spring's recoverer waiting on the send
    // result before the offset may be committed. False on a failure or timeout.
    bool drain(int timeoutMs)
    {
        const auto deadline = inMs(timeoutMs);
        int failed = 0;
        while (m_outstanding > 0 && Clock::now() < deadline)
            failed += serve(100);
        return failed == 0 && m_outstanding == 0;
    }

    // Spring's DLPR keeps the record's partition when the destination has it (otherwise
    // the producer picks one): this answers the destination's partition count, 0 = unknown.
    int partitionCount(const QString &topic)
    {
        if (!m_metadataAsked) {
            m_metadataAsked = true; // once: an unknown count only costs the same-partition rule
            const rd_kafka_metadata_t *md = nullptr;
            if (rd_kafka_metadata(m_handle->get(), 1, nullptr, &md, 5000)
                == RD_KAFKA_RESP_ERR_NO_ERROR) {
                for (int i = 0; i < md->topic_cnt; ++i)
                    m_partitions[QString::fromUtf8(md->topics[i].topic)]
                        = md->topics[i].partition_cnt;
                rd_kafka_metadata_destroy(md);
            }
        }
        const auto it = m_partitions.find(topic);
        return it == m_partitions.end() ? 0 : it->second;
    }

    qint32 sameOrAnyPartition(const QString &topic, qint32 partition)
    {
        return partition < partitionCount(topic) ? partition : RD_KAFKA_PARTITION_UA;
    }

private:
    std::unique_ptr<KafkaHandle> m_handle;
    ErrorSink m_onError;
    rd_kafka_queue_t *m_events;
    int m_outstanding = 0;
    bool m_metadataAsked = false;
    std::map<QString, int> m_partitions;
};

// A group member with manual, at-least-once commits: a record's offset becomes committable
// only once it is done, and a held record (not due yet, or its forwarding failed) pauses
// its partition and is fetched again when the partition resumes.
class Consumer
{
public:
    Consumer(std::unique_ptr<KafkaHandle> handle, ErrorSink onError)
        : m_handle(std::move(handle))
        , m_onError(std::move(onError))
    { }
    ~Consumer()
    {
        commit(2000);
        rd_kafka_consumer_close(m_handle->get());
    }
    Consumer(const Consumer &) = delete;
    Consumer &operator=(const Consumer &) = delete;

    // The next record to process, or null (timeout, error, or a held partition's record).
    rd_kafka_message_t *poll(int timeoutMs)
    {
        auto wake = Clock::now() + std::chrono::milliseconds(timeoutMs);
        for (auto it = m_held.begin(); it != m_held.end();) {
            if (it->second <= Clock::now()) {
                setPaused(it->first, -1, false);
                it = m_held.erase(it);
            } else {
                wake = std::min(wake, it->second);
                ++it;
            }
        }
        const auto wait = std::chrono::ceil<std::chrono::milliseconds>(wake - Clock::now());
        rd_kafka_message_t *m = rd_kafka_consumer_poll(
            m_handle->get(), static_cast<int>(std::max<qint64>(0, wait.count())));
        if (m_dirty && Clock::now() - m_lastCommit > 500ms)
            commit(0);
        if (!m)
            return nullptr;
        if (m->err || (!m_held.empty() && m_held.count(keyOf(m)))) {
            if (m->err && !isTransient(m->err))
                m_onError(
                    u"consuming failed: %1"_s.arg(QString::fromUtf8(rd_kafka_message_errstr(m))));
            rd_kafka_message_destroy(m);
            return nullptr;
        }
        return m;
    }

    void done(const rd_kafka_message_t *m)
    {
        m_next[keyOf(m)] = m->offset + 1;
        m_dirty = true;
    }

    void hold(const rd_kafka_message_t *m, Clock::time_point until)
    {
        m_held[keyOf(m)] = until;
        setPaused(keyOf(m), m->offset, true);
    }

private:
    // Connection and coordinator hiccups that librdkafka recovers from by itself: not
    // failures of the workload.
    static bool isTransient(rd_kafka_resp_err_t err)
    {
        switch (err) {
        case RD_KAFKA_RESP_ERR__PARTITION_EOF:
        case RD_KAFKA_RESP_ERR__TRANSPORT:
        case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
        case RD_KAFKA_RESP_ERR__TIMED_OUT:
        case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
        case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
        case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
            return true;
        default:
            return false;
        }
    }

    static TopicPartition keyOf(const rd_kafka_message_t *m)
    {
        return {rd_kafka_topic_name(m->rkt), m->partition};
    }

    void setPaused(const TopicPartition &tp, qint64 seekTo, bool pause)
    {
        rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(list, tp.first.c_str(), tp.second)->offset = seekTo;
        if (pause) {
            rd_kafka_pause_partitions(m_handle->get(), list);
            // Back to the held record, so it is fetched again after the resume.
            if (rd_kafka_error_t *error = rd_kafka_seek_partitions(m_handle->get(), list, 2000)) {
                m_onError(u"seeking %1 [%2] failed: %3"_s.arg(QString::fromStdString(tp.first))
                              .arg(tp.second)
                              .arg(QString::fromUtf8(rd_kafka_error_string(error))));
                rd_kafka_error_destroy(error);
            }
        } else {
            rd_kafka_resume_partitions(m_handle->get(), list);
        }
        rd_kafka_topic_partition_list_destroy(list);
    }

    // Commits the done offsets: asynchronously while running, or waiting up to waitMs.
    void commit(int waitMs)
    {
        if (!m_dirty)
            return;
        rd_kafka_topic_partition_list_t *list
            = rd_kafka_topic_partition_list_new(static_cast<int>(m_next.size()));
        for (const auto &[tp, next] : m_next)
            rd_kafka_topic_partition_list_add(list, tp.first.c_str(), tp.second)->offset = next;
        if (waitMs == 0) {
            rd_kafka_commit(m_handle->get(), list, 1);
        } else {
            // The result on a private queue keeps the final commit's wait bounded
            // (rd_kafka_commit(async=0) would wait as long as the coordinator takes).
            rd_kafka_queue_t *results = rd_kafka_queue_new(m_handle->get());
            rd_kafka_commit_queue(m_handle->get(), list, results, nullptr, nullptr);
            if (rd_kafka_event_t *ev = rd_kafka_queue_poll(results, waitMs))
                rd_kafka_event_destroy(ev);
            rd_kafka_queue_destroy(results);
        }
        rd_kafka_topic_partition_list_destroy(list);
        m_dirty = false;
        m_lastCommit = Clock::now();
    }

    std::unique_ptr<KafkaHandle> m_handle;
    ErrorSink m_onError;
    std::map<TopicPartition, qint64> m_next;
    std::map<TopicPartition, Clock::time_point> m_held;
    bool m_dirty = false;
    Clock::time_point m_lastCommit = Clock::now();
};

FailedRecord failedRecordOf(const rd_kafka_message_t *m, const QString &group)
{
    FailedRecord r;
    r.topic = QString::fromUtf8(rd_kafka_topic_name(m->rkt));
    r.partition = m->partition;
    r.offset = m->offset;
    rd_kafka_timestamp_type_t type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
    r.timestamp = rd_kafka_message_timestamp(m, &type);
    if (type == RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME)
        r.timestampType = QStringLiteral("LogAppendTime");
    else if (type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE)
        r.timestampType = QStringLiteral("NoTimestampType");
    r.key = QByteArray(static_cast<const char *>(m->key), static_cast<qsizetype>(m->key_len));
    r.consumerGroup = group;
    rd_kafka_headers_t *hdrs = nullptr;
    if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char *name = nullptr;
        const void *value = nullptr;
        size_t size = 0;
        for (size_t i = 0;
             rd_kafka_header_get_all(hdrs, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
             ++i)
            r.headers.append(
                {QByteArray(name),
                 value ? QByteArray(static_cast<const char *>(value), static_cast<qsizetype>(size))
                       : QByteArray()});
    }
    return r;
}

QByteArray payloadOf(const rd_kafka_message_t *m)
{
    return QByteArray(static_cast<const char *>(m->payload), static_cast<qsizetype>(m->len));
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
struct InPlaceRetry
{
    int backoffMs;
    bool doubling;
    bool retriesPoison;
    // Publishes the record to the dead-letter topic; true once the brokers have it.
    std::function<bool(Producer &, const rd_kafka_message_t *, const Verdict &)> deadLetter;
};

void runInPlaceRetry(Env env, Consumer &consumer, Producer &producer, const InPlaceRetry &policy)
{
    constexpr int MaxAttempts = 3;
    while (env.running()) {
        rd_kafka_message_t *m = consumer.poll(200);
        if (!m)
            continue;
        const Verdict v = verdictOf(m);
        int attempt = 1;
        for (; v.failsAttempt(attempt) && attempt < MaxAttempts
             && (policy.retriesPoison || !v.poison);
             ++attempt) {
            ++env.counters.retried;
            if (!env.waitUntil(
                    inMs(policy.doubling ? policy.backoffMs << (attempt - 1) : policy.backoffMs)))
                break;
        }
        if (!env.running()) { // not done, so not committed: redelivered on the next start
            rd_kafka_message_destroy(m);
            break;
        }
        if (!v.failsAttempt(attempt)) {
            ++env.counters.processed;
            consumer.done(m);
        } else if (policy.deadLetter(producer, m, v) && producer.drain(5000)) {
            consumer.done(m);
        } else {
            consumer.hold(m, inMs(1000));
        }
        rd_kafka_message_destroy(m);
    }
}

void runPaymentService(Env env, Consumer &consumer, Producer &producer)
{
    runInPlaceRetry(
        env, consumer, producer,
        {200, false, true, [&env](Producer &p, const rd_kafka_message_t *m, const Verdict &v) {
             const FailedRecord record = failedRecordOf(m, names::PaymentServiceGroup);
             return p.send(names::PaymentsDlt,
                           p.sameOrAnyPartition(names::PaymentsDlt, m->partition), record.key,
                           payloadOf(m), blockingRecovererDltHeaders(record, paymentFailure(v)),
                           &env.counters.paymentsDlt);
         }});
}

void runInventorySink(Env env, Consumer &consumer, Producer &producer)
{
    runInPlaceRetry(
        env, consumer, producer,
        {300, true, false, [&env](Producer &p, const rd_kafka_message_t *m, const Verdict &v) {
             // Connect's reporter keeps the record's timestamp and leaves the
             // partition to the producer.
             const FailedRecord record = failedRecordOf(m, names::InventorySinkGroup);
             return p.send(names::InventoryDlt, RD_KAFKA_PARTITION_UA, record.key, payloadOf(m),
                           connectDlqHeaders(record, inventoryFailure(v)),
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
             {u"queued.max.messages.kbytes"_s, u"1024"_s}});
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

    const Env env {*m_counters, m_stopping, m_wakeMutex, m_wake};
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
            {u"target_rate"_s, std::round(m_settings.messagesPerSecond * KafkaShare * 10) / 10}};
}

} // namespace veltrix::demo
