// The Kafka half of the redrive engine: reads a DLT by offset range with a consumer that
// only assign()s partitions, produces each selected record with an idempotent acks=all
// producer, and records how far it got as the committed offsets of a console-owned group,
// committed only up to the first record whose delivery report has not come.
#include "kafkaredriver.h"

#include "deadletter/springkafkaheaders.h"
#include "kafka/kafkaadmin.h"
#include "kafka/kafkatopicbrowser.h"
#include "redriveengine.h"

#include <librdkafka/rdkafka.h>

namespace veltrix {

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using namespace kafka;

namespace {

using Clock = std::chrono::steady_clock;

// Often enough that a crash repeats little; rarely enough to cost the coordinator nothing.
constexpr auto CommitEvery = 200ms;
// This long without an answer while the brokers owe one (a delivery report, a commit,
// records known to exist) is worth showing, though librdkafka keeps retrying by itself.
constexpr auto WaitingAfter = 1s;
// The longest the loop sleeps unwoken: how late a commit, stall, pause or pace is noticed.
constexpr auto WaitSlice = 50ms;
// Records read and sent between two looks at the controls, the reports and the commits.
constexpr int Batch = 64;

QString errorText(rd_kafka_resp_err_t err)
{
    return QString::fromUtf8(rd_kafka_err2str(err));
}

KafkaHeadersPtr toRdHeaders(const KafkaHeaderList &list)
{
    KafkaHeadersPtr headers(rd_kafka_headers_new(static_cast<size_t>(list.size())));
    for (const KafkaHeader &h : list)
        rd_kafka_header_add(headers.get(), h.name.constData(), h.name.size(),
                            h.value.isNull() ? nullptr : h.value.constData(), h.value.size());
    return headers;
}

} // namespace

KafkaRedriver::KafkaRedriver(RedriveRun &run)
    : m_run(run)
    , m_request(run.request)
    , m_report(run.report)
    , m_topic(run.request.source.name)
    , m_topicName(run.request.source.name.toUtf8())
    , m_group(kafkaRedriveGroup(run.request.source.name))
{ }

KafkaRedriver::~KafkaRedriver()
{
    // librdkafka wants every queue and topic reference gone before its handle.
    for (rd_kafka_queue_t *queue : std::as_const(m_wakingQueues)) {
        rd_kafka_queue_cb_event_enable(queue, nullptr, nullptr);
        rd_kafka_queue_destroy(queue);
    }
    if (m_commitQueue)
        rd_kafka_queue_destroy(m_commitQueue);
    for (const auto &[name, destination] : m_destinations)
        rd_kafka_topic_destroy(destination.topic);
    m_ready.reset();
    m_producer.reset();
    m_consumer.reset();
}

void KafkaRedriver::run()
{
    m_report.progressGroup = m_group;
    m_run.progress(-1, 0, u"starting"_s, true);
    // The producer first: it gets its idempotence id while the range is being read.
    if (!openConsumer() || !openProducer() || !prepare() || !assign())
        return;
    loop();
    if (!m_request.dryRun)
        finishCommits();
    fillReport();
    m_run.progress(m_total, m_report.looked, u"finished"_s, true);
}

bool KafkaRedriver::fail(const QString &error)
{
    m_report.outcome = m_run.control.isCancelled() ? RedriveReport::Outcome::Cancelled
                                                   : RedriveReport::Outcome::Stopped;
    m_report.error = error;
    return false;
}

bool KafkaRedriver::openConsumer()
{
    // The group's name only: assign() never joins it, so no member of any group is ever
    // rebalanced by a redrive, and offsets are stored by explicit commits alone.
    auto consumer = KafkaHandle::create(
        m_run.profile, RD_KAFKA_CONSUMER,
        {{u"group.id"_s, m_group},
         {u"enable.auto.commit"_s, u"false"_s},
         {u"enable.auto.offset.store"_s, u"false"_s},
         {u"enable.partition.eof"_s, u"true"_s},
         // Records deleted by retention since the range was taken are gone: go on after.
         {u"auto.offset.reset"_s, u"earliest"_s},
         // The end is known; a fetch waiting there only delays noticing a gap at the end.
         {u"fetch.wait.max.ms"_s, u"100"_s},
         // It never joins, so this only bounds how long a commit waits for a coordinator
         // that cannot be reached (librdkafka gives up on it after that), and so how long
         // closing the consumer waits for one: the default kept a stopped run for 45 s.
         {u"session.timeout.ms"_s, u"6000"_s},
         {u"socket.nagle.disable"_s, u"true"_s}});
    if (!consumer)
        return fail(consumer.error().describe());
    m_consumer = std::move(consumer).value();
    m_commitQueue = rd_kafka_queue_new(m_consumer->get());
    rd_kafka_queue_cb_event_enable(m_commitQueue, &Waker::onQueueEvent, &m_waker);
    return true;
}

bool KafkaRedriver::openProducer()
{
    if (m_request.dryRun)
        return true;
    // The profile's producer settings (safe defaults: idempotent, acks=all), then ours.
    QMap<QString, QString> properties = m_run.profile.redriveProducer.properties();
    properties.insert({
        // The Java clients' key -> partition mapping, so a keyed record lands where the
        // services' own producers put that key (null keys: anywhere).
        {u"partitioner"_s, u"murmur2_random"_s},
        // At most a window is in flight: waiting longer to batch more only waits for
        // records that cannot be sent before these are confirmed (5 ms: half the pace).
        {u"linger.ms"_s, u"2"_s},
        {u"socket.nagle.disable"_s, u"true"_s}});
    // librdkafka retries a delivery by itself this long; then the run stops.
    if (!properties.contains(u"delivery.timeout.ms"_s))
        properties.insert(u"message.timeout.ms"_s,
                          QString::number(std::max(1, m_request.retryForSeconds) * 1000));
    auto producer = KafkaHandle::create(
        m_run.profile, RD_KAFKA_PRODUCER, properties,
        [](rd_kafka_conf_t *conf) { rd_kafka_conf_set_dr_msg_cb(conf, &onDelivery); });
    if (!producer)
        return fail(producer.error().describe());
    m_producer = std::move(producer).value();
    rd_kafka_queue_t *reports = rd_kafka_queue_get_main(m_producer->get());
    rd_kafka_queue_cb_event_enable(reports, &Waker::onQueueEvent, &m_waker);
    m_wakingQueues.append(reports);
    return true;
}

// The range to read, with retries while the brokers cannot be reached: they may be
// restarting right now. A missing DLT or anything else fails at once.
bool KafkaRedriver::prepare()
{
    const auto giveUpAt = Clock::now() + std::chrono::seconds(m_request.retryForSeconds);
    std::chrono::milliseconds backoff = 500ms;
    for (;;) {
        auto layout = readLayout();
        if (layout) {
            if (m_waiting)
                ++m_report.reconnects;
            m_waiting = false;
            return true;
        }
        const BrokerError &error = layout.error();
        const bool transient = error.kind == BrokerError::Kind::Unreachable
            || error.kind == BrokerError::Kind::Timeout;
        if (!transient || Clock::now() + backoff >= giveUpAt || m_run.control.isCancelled())
            return fail(error.describe());
        m_waiting = true;
        m_run.progress(-1, 0, u"waiting for the brokers: "_s + error.message, true);
        m_run.sleepFor(backoff);
        backoff = std::min<std::chrono::milliseconds>(backoff * 2, 5s);
    }
}

Result<bool> KafkaRedriver::readLayout()
{
    // The browser looks the DLT up among all topics: asked for by name, the 2.0.2 client
    // would create a missing (mistyped) one on brokers that auto-create.
    auto browser = KafkaTopicBrowser::open(m_run.profile, m_topic, m_run.timeout);
    if (!browser)
        return browser.error();
    auto extents = browser.value()->extents();
    if (!extents)
        return extents.error();
    PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(extents->size())));
    for (const KafkaPartitionExtent &e : extents.value()) {
        if (e.leader < 0 || e.end < 0)
            return BrokerError::make(
                BrokerError::Kind::Unreachable,
                u"%1: partition %2 of %3 has no leader broker to read from"_s.arg(
                    m_run.profile.name, QString::number(e.partition), m_topic),
                u"the broker holding it is down or being replaced"_s);
        rd_kafka_topic_partition_list_add(list.get(), m_topicName.constData(), e.partition);
    }
    const QString what = u"reading the progress of group %1"_s.arg(m_group);
    if (const auto err = rd_kafka_committed(m_consumer->get(), list.get(), toMs(m_run.timeout)))
        return m_consumer->errorFor(err, what);
    m_partitions.clear();
    m_total = 0;
    for (int i = 0; i < list->cnt; ++i) {
        const rd_kafka_topic_partition_t &p = list->elems[i];
        if (p.err != RD_KAFKA_RESP_ERR_NO_ERROR)
            return m_consumer->errorFor(p.err, what);
        const KafkaPartitionExtent &e = extents->at(i);
        const qint64 last = p.offset >= 0 ? p.offset : -1;
        Partition part;
        part.end = e.end;
        // Before the log start: retention took those. Past the end: the topic was
        // recreated, and its records below the old offset wait until they pass it.
        part.start = m_request.fromStart || last < 0 ? e.start : std::clamp(last, e.start, e.end);
        part.mark = OffsetWatermark(part.start, last);
        m_total += part.end - part.start;
        m_partitions.insert(e.partition, part);
    }
    if (m_request.limit >= 0 && m_request.filter.isEmpty() && !m_request.ids)
        m_total = std::min(m_total, m_request.limit);
    return true;
}

bool KafkaRedriver::assign()
{
    // Errors come with the records, through the one queue the loop polls.
    rd_kafka_poll_set_consumer(m_consumer->get());
    rd_kafka_queue_t *records = rd_kafka_queue_get_consumer(m_consumer->get());
    rd_kafka_queue_cb_event_enable(records, &Waker::onQueueEvent, &m_waker);
    m_wakingQueues.append(records);
    PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(m_partitions.size())));
    for (auto it = m_partitions.begin(); it != m_partitions.end(); ++it) {
        it->reading = it->start < it->end;
        if (it->reading)
            rd_kafka_topic_partition_list_add(list.get(), m_topicName.constData(), it.key())->offset
                = it->start;
    }
    m_readingOver = list->cnt == 0;
    if (m_readingOver)
        return true;
    // The leaders now: after assign() alone librdkafka finds them at its next topic scan,
    // a second away. The DLT is known to exist, so asking for it by name creates nothing.
    if (rd_kafka_topic_t *dlt
        = rd_kafka_topic_new(m_consumer->get(), m_topicName.constData(), nullptr)) {
        const rd_kafka_metadata_t *metadata = nullptr;
        if (rd_kafka_metadata(m_consumer->get(), 0, dlt, &metadata, toMs(m_run.timeout))
            == RD_KAFKA_RESP_ERR_NO_ERROR)
            rd_kafka_metadata_destroy(metadata);
        rd_kafka_topic_destroy(dlt);
    }
    if (const rd_kafka_resp_err_t err = rd_kafka_assign(m_consumer->get(), list.get()))
        return fail(u"%1: cannot read %2: %3"_s.arg(m_run.profile.name, m_topic, errorText(err)));
    return true;
}

void KafkaRedriver::loop()
{
    m_lastActivity = Clock::now();
    for (;;) {
        const quint64 seen = m_waker.generation();
        bool busy = serve();
        checkControls();
        if (finished())
            break;
        std::chrono::milliseconds wait = WaitSlice;
        for (int i = 0; i < Batch && step(wait); ++i)
            busy = true;
        commitIfDue(false);
        watchBrokers();
        m_run.progress(m_total, m_report.looked, stateText());
        if (!busy)
            m_waker.waitPast(seen, wait);
    }
}

bool KafkaRedriver::serve()
{
    int served = rd_kafka_queue_poll_callback(m_commitQueue, 0);
    if (m_producer)
        served += rd_kafka_poll(m_producer->get(), 0); // delivery reports
    return served > 0;
}

void KafkaRedriver::checkControls()
{
    if (!m_stopping && m_run.control.isCancelled()) {
        m_stopping = m_cancelled = true;
        m_ready.reset(); // not handled: the watermark stays before it
    }
    char fatal[512];
    if (m_producer && m_fault.isEmpty()
        && rd_kafka_fatal_error(m_producer->get(), fatal, sizeof fatal))
        m_fault = u"the producer failed for good: "_s + QString::fromUtf8(fatal);
    if (!m_fault.isEmpty() && !m_purged) {
        // What is still queued or in flight gets a "purged" report now instead of a wait
        // for the brokers; those records stay ahead of the committed offset.
        m_purged = m_stopping = true;
        m_ready.reset();
        if (m_producer)
            rd_kafka_purge(m_producer->get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
        m_drainDeadline = Clock::now() + m_run.timeout;
    }
}

bool KafkaRedriver::finished() const
{
    if (m_inFlight > 0)
        // After a purge every report comes at once. Should one not, its record is still
        // in flight in the watermark, so it is not committed past either.
        return m_purged && Clock::now() > m_drainDeadline;
    return m_stopping || (m_readingOver && !m_ready);
}

// One record read or sent; false when there is nothing to do until something changes.
bool KafkaRedriver::step(std::chrono::milliseconds &wait)
{
    if (m_stopping)
        return false;
    if (!m_ready) {
        if (m_readingOver)
            return false;
        if (!m_run.wantsMore()) {
            m_readingOver = true;
            return true;
        }
        if (!readOne())
            return false;
        if (!m_ready)
            return true;
    }
    return sendReady(wait);
}

bool KafkaRedriver::readOne()
{
    MessagePtr message(rd_kafka_consumer_poll(m_consumer->get(), 0));
    if (!message)
        return false;
    const auto it = m_partitions.find(message->partition);
    if (it == m_partitions.end() || !it->reading)
        return true;
    if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        if (message->offset >= it->end) // the rest of the range was markers or compacted
            finishPartition(it.key());
        return true;
    }
    if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        // librdkafka goes on fetching by itself; this only says why it is slow.
        m_readError = QString::fromUtf8(rd_kafka_message_errstr(message.get()));
        return true;
    }
    if (message->offset >= it->end) { // dead-lettered after the run began: the next run's
        finishPartition(it.key());
        return true;
    }
    if (message->offset < it->mark.handled())
        return true;
    noteActivity();
    ++m_report.looked;
    handle(std::move(message));
    return true;
}

void KafkaRedriver::handle(MessagePtr record)
{
    rd_kafka_headers_t *parsed = nullptr; // the record's
    if (rd_kafka_message_headers(record.get(), &parsed) != RD_KAFKA_RESP_ERR_NO_ERROR)
        parsed = nullptr;
    BrowsedMessage message = kafkaRecordView(record.get(), parsed);
    if (!m_run.selects(message)) {
        handled(message.partition, message.offset);
        return;
    }
    m_run.countSelected();
    std::optional<RedriveTarget> target = m_run.targetFor(message);
    if (target && !topicExists(target->topic)) {
        // A redrive never creates topics (brokers that auto-create would, from a typo).
        m_report.addItem({RedriveItem::Outcome::Skipped, message.id, target->describe(),
                          u"topic %1 does not exist"_s.arg(target->topic)});
        target.reset();
    }
    if (target && m_request.dryRun)
        m_report.addItem({RedriveItem::Outcome::Moved, message.id, target->describe(), {}});
    if (!target || m_request.dryRun) {
        handled(message.partition, message.offset);
        return;
    }
    static const QByteArray countName = RedriveCountHeader.toUtf8();
    static const QByteArray atName = RedrivenAtHeader.toUtf8();
    auto previousCount = lastHeader(message.kafkaHeaders, countName);
    if (previousCount)
        previousCount->detach(); // a copy: the headers change before it is used
    const bool stamped = previousCount || lastHeader(message.kafkaHeaders, atName);
    // The same parsed headers, ours now: the views stay valid.
    rd_kafka_headers_t *headers = nullptr;
    if (rd_kafka_message_detach_headers(record.get(), &headers) != RD_KAFKA_RESP_ERR_NO_ERROR)
        headers = nullptr;
    m_ready = Ready {std::move(record),        std::move(message),       *std::move(target),
                     KafkaHeadersPtr(headers), std::move(previousCount), stamped};
}

void KafkaRedriver::handled(int partition, qint64 offset)
{
    Partition &part = m_partitions[partition];
    part.mark.handledUpTo(offset + 1);
    if (offset + 1 >= part.end)
        finishPartition(partition);
}

void KafkaRedriver::finishPartition(int partition)
{
    Partition &part = m_partitions[partition];
    if (!part.reading)
        return;
    part.reading = false;
    part.mark.handledUpTo(part.end);
    PartitionListPtr list(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_list_add(list.get(), m_topicName.constData(), partition);
    rd_kafka_pause_partitions(m_consumer->get(), list.get()); // nothing more is wanted there
    m_readingOver = std::none_of(m_partitions.cbegin(), m_partitions.cend(),
                                 [](const Partition &p) { return p.reading; });
}

bool KafkaRedriver::sendReady(std::chrono::milliseconds &wait)
{
    if (m_run.control.isPaused() || windowFull())
        return false;
    if (const auto delay = m_run.sendDelay(); delay > 0ns) {
        wait = std::min(wait, std::chrono::ceil<std::chrono::milliseconds>(delay));
        return false;
    }
    if (!produce(*m_ready))
        return false;
    m_ready.reset();
    return true;
}

// Whether the record was handled: sent, or failed for good. Not when the producer's queue
// is full (it goes again) or the producer cannot take anything any more (the run stops).
bool KafkaRedriver::produce(Ready &ready)
{
    const BrowsedMessage &m = ready.message;
    const auto repair = m_request.repairs.constFind(m.id);
    const bool repaired = repair != m_request.repairs.cend();
    KafkaHeadersPtr headers;
    if ((repaired && repair->kafkaHeaders) || !ready.headers) {
        headers = toRdHeaders(redriveKafkaHeaders(
            repaired && repair->kafkaHeaders ? *repair->kafkaHeaders : m.kafkaHeaders,
            QDateTime::currentDateTimeUtc()));
    } else { // what redriveKafkaHeaders() does, on the parsed headers
        ready.message.kafkaHeaders.clear(); // views of headers about to change
        const KafkaHeaderList &stamp = m_stamp.headersFor(ready.previousCount);
        headers = std::move(ready.headers);
        for (const KafkaHeader &h : stamp) {
            if (ready.stamped)
                rd_kafka_header_remove(headers.get(), h.name.constData());
            rd_kafka_header_add(headers.get(), h.name.constData(), h.name.size(),
                                h.value.constData(), h.value.size());
        }
    }
    const QByteArray &payload = repaired && repair->payload ? *repair->payload : m.payload;
    // A null key stays null: the partitioner spreads those, as the services' producers do.
    const char *key = m.key ? m.key->constData() : nullptr;
    const size_t keySize = m.key ? static_cast<size_t>(m.key->size()) : 0;
    char *value = payload.isNull() ? nullptr : const_cast<char *>(payload.constData());
    const Destination &to = destination(ready.target);
    auto delivery = std::make_unique<Delivery>(Delivery {this, m.partition, m.offset, m.id, &to});
    const rd_kafka_resp_err_t err = rd_kafka_producev(
        m_producer->get(), RD_KAFKA_V_RKT(to.topic), RD_KAFKA_V_KEY(key, keySize),
        RD_KAFKA_V_VALUE(value, static_cast<size_t>(payload.size())),
        // The producer's clock (timestamp 0): the original topic's consumers and retention
        // see when it came back. When it was first produced and when it died travel along
        // in the dead-letter headers.
        RD_KAFKA_V_TIMESTAMP(0), RD_KAFKA_V_HEADERS(headers.get()),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(delivery.get()),
        RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        headers.release(); // the message's now
        delivery.release(); // the delivery report's
        ++m_inFlight;
        OffsetWatermark &mark = m_partitions[m.partition].mark;
        const qsizetype before = mark.uncommitted();
        mark.sent(m.offset);
        m_uncommitted += mark.uncommitted() - before;
        handled(m.partition, m.offset);
        return true;
    }
    ready.headers = std::move(headers); // for another try
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL)
        return false;
    if (!isPermanentDeliveryError(err)) {
        m_fault = u"producing to %1 failed: %2"_s.arg(ready.target.topic, errorText(err));
        return false;
    }
    m_report.addItem({RedriveItem::Outcome::Failed, m.id, to.name, errorText(err)});
    handled(m.partition, m.offset);
    return true;
}

void KafkaRedriver::delivered(const Delivery &delivery, rd_kafka_resp_err_t err)
{
    --m_inFlight;
    OffsetWatermark &mark = m_partitions[delivery.partition].mark;
    const QString &target = delivery.destination->name;
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR || isPermanentDeliveryError(err)) {
        noteActivity();
        mark.done(delivery.offset);
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
            m_report.addItem({RedriveItem::Outcome::Moved, delivery.id, target, {}});
        else
            m_report.addItem({RedriveItem::Outcome::Failed, delivery.id, target, errorText(err)});
        return;
    }
    mark.hold(delivery.offset);
    m_report.addItem({RedriveItem::Outcome::Failed, delivery.id, target,
                      u"not confirmed (%1); it stays in the DLT past the committed offset, so the "
                      "next run sends it again"_s.arg(errorText(err))});
    if (m_fault.isEmpty())
        m_fault = u"a delivery to %1 was not confirmed: %2"_s.arg(target, errorText(err));
}

void KafkaRedriver::noteActivity()
{
    m_lastActivity = Clock::now();
    if (m_waiting)
        ++m_report.reconnects;
    m_waiting = false;
}

void KafkaRedriver::watchBrokers()
{
    const auto now = Clock::now();
    // Owed: delivery reports, a commit that frees the window, records the range says
    // exist. A pause or the pace owe nothing.
    const bool owed = m_inFlight > 0 || (m_ready && windowFull())
        || (!m_stopping && !m_readingOver && !m_ready);
    if (!owed || m_purged) {
        m_lastActivity = now;
        return;
    }
    const auto quiet = now - m_lastActivity;
    if (quiet >= WaitingAfter)
        m_waiting = true;
    if (quiet >= std::chrono::seconds(m_request.retryForSeconds) && m_fault.isEmpty())
        m_fault = u"no answer from the brokers for %1 s: %2"_s.arg(
            QString::number(m_request.retryForSeconds), brokerError());
}

QString KafkaRedriver::brokerError() const
{
    QString text = m_producer && m_inFlight > 0 ? m_producer->lastTransportError() : QString();
    if (text.isEmpty())
        text = m_consumer->lastTransportError();
    if (text.isEmpty())
        text = m_readError;
    return text.isEmpty() ? u"no answer yet"_s : text;
}

QString KafkaRedriver::stateText() const
{
    if (m_stopping)
        return u"finishing: waiting for %1 delivery reports"_s.arg(m_inFlight);
    if (m_waiting)
        return u"waiting for the brokers: "_s + brokerError();
    return u"running"_s;
}

bool KafkaRedriver::topicExists(const QString &topic)
{
    if (!m_lastTopic.isEmpty() && topic == m_lastTopic) // most records go to one place
        return true;
    if (m_topics.contains(topic)) {
        m_lastTopic = topic;
        return true;
    }
    if (m_missingTopics.contains(topic))
        return false;
    // All topics, for the same reason as the DLT's lookup.
    const rd_kafka_metadata_t *raw = nullptr;
    if (rd_kafka_metadata(m_consumer->get(), 1, nullptr, &raw, toMs(m_run.timeout))
        != RD_KAFKA_RESP_ERR_NO_ERROR) {
        // Unknown for now: the producer finds out, and its report says what it found.
        m_topics.insert(topic);
        return true;
    }
    const MetadataPtr metadata(raw);
    for (int i = 0; i < metadata->topic_cnt; ++i)
        if (metadata->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR)
            m_topics.insert(QString::fromUtf8(metadata->topics[i].topic));
    if (m_topics.contains(topic))
        return true;
    m_missingTopics.insert(topic);
    return false;
}

const KafkaRedriver::Destination &KafkaRedriver::destination(const RedriveTarget &target)
{
    if (m_lastDestination && m_lastDestination->topicName == target.topic)
        return *m_lastDestination; // most records go to one place
    Destination &d = m_destinations[target.topic];
    m_lastDestination = &d;
    if (!d.topic) { // one handle per topic: producev by name would look it up every time
        d.topic = rd_kafka_topic_new(m_producer->get(), target.topic.toUtf8().constData(), nullptr);
        d.name = target.describe();
        d.topicName = target.topic;
    }
    return d;
}

void KafkaRedriver::commitIfDue(bool now)
{
    if (m_request.dryRun || m_commitOutstanding)
        return;
    const auto at = Clock::now();
    // Half the window sent and uncommitted commits at once: the window never waits long.
    if (!now && at - m_lastCommitAt < CommitEvery
        && m_uncommitted < std::max(1, m_request.window / 2))
        return;
    PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(m_partitions.size())));
    for (auto it = m_partitions.cbegin(); it != m_partitions.cend(); ++it)
        // Never back: with fromStart the records before the old offset went once already.
        if (const qint64 offset = it->mark.committable(); offset > it->mark.committedOffset())
            rd_kafka_topic_partition_list_add(list.get(), m_topicName.constData(), it.key())->offset
                = offset;
    if (list->cnt == 0)
        return;
    m_lastCommitAt = at;
    const rd_kafka_resp_err_t err
        = rd_kafka_commit_queue(m_consumer->get(), list.get(), m_commitQueue, &onCommitted, this);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        m_commitError = errorText(err);
    else
        m_commitOutstanding = true;
}

void KafkaRedriver::committed(rd_kafka_resp_err_t err,
                              const rd_kafka_topic_partition_list_t *offsets)
{
    m_commitOutstanding = false;
    m_commitError = err ? errorText(err) : QString();
    for (int i = 0; offsets && i < offsets->cnt; ++i) {
        const rd_kafka_topic_partition_t &p = offsets->elems[i];
        if (err || p.err) {
            m_commitError = errorText(err ? err : p.err);
            continue;
        }
        OffsetWatermark &mark = m_partitions[p.partition].mark;
        const qsizetype before = mark.uncommitted();
        mark.committed(p.offset);
        m_uncommitted -= before - mark.uncommitted();
    }
    if (m_commitError.isEmpty())
        noteActivity();
}

void KafkaRedriver::awaitCommit(const QDeadlineTimer &deadline)
{
    while (m_commitOutstanding && !deadline.hasExpired())
        rd_kafka_queue_poll_callback(
            m_commitQueue, static_cast<int>(std::clamp<qint64>(deadline.remainingTime(), 0, 100)));
}

void KafkaRedriver::finishCommits()
{
    m_run.progress(m_total, m_report.looked, u"finishing: committing the progress"_s, true);
    const QDeadlineTimer deadline(m_run.timeout);
    awaitCommit(deadline);
    commitIfDue(true);
    awaitCommit(deadline);
    const bool behind
        = std::any_of(m_partitions.cbegin(), m_partitions.cend(), [](const Partition &p) {
              return p.mark.committable() > std::max(p.mark.committedOffset(), p.start);
          });
    if (!behind)
        m_commitError.clear();
    else
        m_commitError = u"the progress of group %1 was not committed (%2): the next run sends up "
                        "to %3 records again"_s.arg(
                            m_group, m_commitError.isEmpty() ? u"no answer"_s : m_commitError,
                            QString::number(m_uncommitted));
}

void KafkaRedriver::fillReport()
{
    if (!m_request.dryRun)
        for (auto it = m_partitions.cbegin(); it != m_partitions.cend(); ++it)
            if (it->mark.committedOffset() >= 0)
                m_report.committedOffsets.insert(it.key(), it->mark.committedOffset());
    QStringList problems;
    if (!m_fault.isEmpty()) {
        m_report.outcome = RedriveReport::Outcome::Stopped;
        problems << m_fault
                + u"; the progress stops before the first record not delivered: run "
                  "again to go on"_s;
    } else if (m_cancelled) {
        m_report.outcome = RedriveReport::Outcome::Cancelled;
    }
    if (!m_commitError.isEmpty()) {
        // Everything may have moved, but the next run would send it again: say so loudly.
        if (m_report.outcome == RedriveReport::Outcome::Completed)
            m_report.outcome = RedriveReport::Outcome::Stopped;
        problems << m_commitError;
    }
    m_report.error = problems.join(u"; "_s);
}

void runKafkaRedrive(RedriveRun &run)
{
    KafkaRedriver(run).run();
}

} // namespace veltrix
