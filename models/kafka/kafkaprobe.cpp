// The Kafka end-to-end probe: an idempotent producer writes a small probe record to every
// partition of the probe topic, an assign-only consumer reads them back, and the time in
// between is the latency (Xinfra Monitor's method). Probes carry this run's random id, so
// records from another console, or anything else on the topic, are skipped unread.
#include "kafkahandle.h"
#include "kafkastatistics.h"
#include "kafkatopiccreator.h"
#include "metrics/probe.h"

#include <QDateTime>
#include <QRandomGenerator>
#include <QtEndian>

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <array>
#include <map>
#include <thread>

namespace veltrix {

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::array<char, 4> Magic {'V', 'X', 'P', '1'};
constexpr qsizetype PayloadSize = 4 + 8 + 8; // magic, run id, sequence
constexpr auto MetadataTimeout = 5s;
constexpr auto LeaderRefresh = 30s;

QByteArray payload(quint64 run, quint64 sequence)
{
    QByteArray bytes(PayloadSize, Qt::Uninitialized);
    std::copy(Magic.begin(), Magic.end(), bytes.data());
    qToBigEndian(run, bytes.data() + 4);
    qToBigEndian(sequence, bytes.data() + 12);
    return bytes;
}

// This run's sequence number in a record, or nothing for anything else.
std::optional<quint64> sequenceIn(const rd_kafka_message_t *message, quint64 run)
{
    if (message->len != size_t(PayloadSize) || !message->payload)
        return std::nullopt;
    const char *bytes = static_cast<const char *>(message->payload);
    if (!std::equal(Magic.begin(), Magic.end(), bytes) || qFromBigEndian<quint64>(bytes + 4) != run)
        return std::nullopt;
    return qFromBigEndian<quint64>(bytes + 12);
}

QString errorText(rd_kafka_resp_err_t err)
{
    return QString::fromUtf8(rd_kafka_err2str(err));
}

class KafkaProbe final : public Probe
{
public:
    KafkaProbe(const ClusterProfile &profile, const ProbeSettings &settings)
        : m_profile(profile)
        , m_settings(settings)
        , m_run(QRandomGenerator::system()->generate64())
    { }
    ~KafkaProbe() override
    {
        if (m_events)
            rd_kafka_queue_destroy(m_events);
        if (m_consumer)
            m_consumer->closeConsumer(2s);
    }

    Result<bool> open();
    Result<bool> step(std::chrono::milliseconds budget, bool sendProbes, ProbeTick &tick) override;
    int pending() const override { return int(m_pending.size()); }
    QString target() const override
    {
        return u"kafka:%1/%2"_s.arg(m_profile.name, m_settings.topic);
    }
    int partitions() const override { return int(m_leaders.size()); }

private:
    struct Sent
    {
        int partition;
        int broker;
        double sentAt; // wall clock, seconds since the epoch
        Clock::time_point sentSteady;
    };

    Result<bool> readLeaders(bool allowCreate);
    Result<bool> createTopic(int brokers);
    Result<bool> assignAtEnd();
    void sendRound(ProbeTick &tick);
    void serveProducer(ProbeTick &tick);
    void consume(Clock::time_point until, ProbeTick &tick);
    void expire(ProbeTick &tick);
    void resolve(quint64 sequence, std::optional<double> latencyMs, ProbeTick &tick);

    ClusterProfile m_profile;
    ProbeSettings m_settings;
    quint64 m_run;
    std::unique_ptr<KafkaHandle> m_producer;
    std::unique_ptr<KafkaHandle> m_consumer;
    rd_kafka_queue_t *m_events = nullptr;
    std::vector<int> m_leaders; // by partition
    Clock::time_point m_leadersReadAt;
    Clock::time_point m_nextRound;
    quint64 m_nextSequence = 0;
    std::map<quint64, Sent> m_pending;
};

Result<bool> KafkaProbe::open()
{
    auto producer = KafkaHandle::create(
        m_profile, RD_KAFKA_PRODUCER,
        {{u"enable.idempotence"_s, u"true"_s},
         {u"acks"_s, u"all"_s},
         {u"linger.ms"_s, u"0"_s},
         {u"statistics.interval.ms"_s, u"1000"_s},
         {u"enabled_events"_s, QString::number(RD_KAFKA_EVENT_DR | RD_KAFKA_EVENT_STATS)},
         // An undeliverable probe is reported and counted lost soon after its deadline.
         {u"message.timeout.ms"_s,
          QString::number(std::max<qint64>(m_settings.deadline.count() * 2, 5000))}});
    if (!producer)
        return producer.error();
    m_producer = std::move(producer).value();
    m_events = rd_kafka_queue_get_main(m_producer->get());

    auto consumer
        = KafkaHandle::create(m_profile, RD_KAFKA_CONSUMER,
                              {{u"group.id"_s, u"veltrix-probe-%1"_s.arg(m_run, 0, 16)},
                               {u"enable.auto.commit"_s, u"false"_s},
                               {u"enable.auto.offset.store"_s, u"false"_s},
                               // Short fetch waits: latency must not be a fetch long-poll's.
                               {u"fetch.wait.max.ms"_s, u"10"_s},
                               {u"fetch.error.backoff.ms"_s, u"50"_s}});
    if (!consumer)
        return consumer.error();
    m_consumer = std::move(consumer).value();
    rd_kafka_poll_set_consumer(m_consumer->get());

    if (auto ok = readLeaders(true); !ok)
        return ok;
    return assignAtEnd();
}

Result<bool> KafkaProbe::readLeaders(bool allowCreate)
{
    const QByteArray name = m_settings.topic.toUtf8();
    // The producer asks for this topic alone, which also creates it on brokers that
    // auto-create topics (the mock cluster does).
    for (int attempt = 0; attempt < 5; ++attempt) {
        rd_kafka_topic_t *topic = rd_kafka_topic_new(m_producer->get(), name.constData(), nullptr);
        const rd_kafka_metadata_t *metadata = nullptr;
        const rd_kafka_resp_err_t err
            = rd_kafka_metadata(m_producer->get(), 0, topic, &metadata,
                                int(std::chrono::milliseconds(MetadataTimeout).count()));
        rd_kafka_topic_destroy(topic);
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
            return m_producer->errorFor(err, u"reading the probe topic's metadata"_s);
        const int brokers = metadata->broker_cnt;
        const rd_kafka_metadata_topic_t *found
            = metadata->topic_cnt == 1 ? &metadata->topics[0] : nullptr;
        if (found && found->err == RD_KAFKA_RESP_ERR_NO_ERROR && found->partition_cnt > 0) {
            m_leaders.assign(size_t(found->partition_cnt), -1);
            for (int i = 0; i < found->partition_cnt; ++i) {
                const auto &partition = found->partitions[i];
                if (partition.id >= 0 && partition.id < found->partition_cnt)
                    m_leaders[size_t(partition.id)] = partition.leader;
            }
            rd_kafka_metadata_destroy(metadata);
            // A just-created topic may not have elected every leader yet: probes sent now
            // would be charged to no broker. When opening, ask again a few times; later
            // refreshes run inside a step and must not wait.
            const bool allLed
                = std::find(m_leaders.cbegin(), m_leaders.cend(), -1) == m_leaders.cend();
            if (allLed || !allowCreate || attempt == 4) {
                m_leadersReadAt = Clock::now();
                return true;
            }
            std::this_thread::sleep_for(300ms);
            continue;
        }
        const rd_kafka_resp_err_t topicErr
            = found ? found->err : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
        rd_kafka_metadata_destroy(metadata);
        if (topicErr == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART && allowCreate && attempt == 1) {
            if (auto created = createTopic(brokers); !created)
                return created;
        }
        if (topicErr != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART
            && topicErr != RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE)
            return BrokerError::make(BrokerError::Kind::Protocol,
                                     u"%1: probe topic %2: %3"_s.arg(
                                         m_profile.name, m_settings.topic, errorText(topicErr)));
        std::this_thread::sleep_for(300ms); // a just-created topic needs a moment for leaders
    }
    return BrokerError::make(
        BrokerError::Kind::Configuration,
        u"%1: the probe topic %2 does not exist and could not be created"_s.arg(m_profile.name,
                                                                                m_settings.topic),
        u"create it with one partition per broker, or name another in the profile's "
        "\"probe\": {\"topic\": …}"_s);
}

Result<bool> KafkaProbe::createTopic(int brokers)
{
    auto created = createKafkaTopic(*m_producer, m_settings.topic, std::max(brokers, 1),
                                    std::clamp(brokers, 1, 3), {}, MetadataTimeout);
    if (!created)
        return BrokerError::make(created.error().kind, created.error().message,
                                 u"create it with one partition per broker, or name another in "
                                 "the profile"_s);
    return true;
}

Result<bool> KafkaProbe::assignAtEnd()
{
    // Explicit end offsets, read before the first probe is sent: every probe lands at or
    // after them, so none is skipped by an "end" that resolved late.
    const QByteArray name = m_settings.topic.toUtf8();
    rd_kafka_topic_partition_list_t *list
        = rd_kafka_topic_partition_list_new(int(m_leaders.size()));
    for (size_t p = 0; p < m_leaders.size(); ++p)
        rd_kafka_topic_partition_list_add(list, name.constData(), int(p))->offset
            = RD_KAFKA_OFFSET_END;
    rd_kafka_resp_err_t err = rd_kafka_offsets_for_times(
        m_consumer->get(), list, int(std::chrono::milliseconds(MetadataTimeout).count()));
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
        err = rd_kafka_assign(m_consumer->get(), list);
    rd_kafka_topic_partition_list_destroy(list);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        return m_consumer->errorFor(err, u"reading the probe topic's end offsets"_s);
    m_nextRound = Clock::now();
    return true;
}

void KafkaProbe::sendRound(ProbeTick &tick)
{
    const QByteArray name = m_settings.topic.toUtf8();
    const double wall = double(QDateTime::currentMSecsSinceEpoch()) / 1000.0;
    for (size_t p = 0; p < m_leaders.size(); ++p) {
        const quint64 sequence = m_nextSequence++;
        const QByteArray value = payload(m_run, sequence);
        const Clock::time_point now = Clock::now();
        const rd_kafka_resp_err_t err = rd_kafka_producev(
            m_producer->get(), RD_KAFKA_V_TOPIC(name.constData()), RD_KAFKA_V_PARTITION(int(p)),
            RD_KAFKA_V_VALUE(const_cast<char *>(value.constData()), size_t(value.size())),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_OPAQUE(reinterpret_cast<void *>(uintptr_t(sequence))), RD_KAFKA_V_END);
        m_pending.emplace(sequence, Sent {int(p), m_leaders[p], wall, now});
        ++tick.sent;
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR) // queue full or the like: it is lost
            resolve(sequence, std::nullopt, tick);
    }
}

void KafkaProbe::serveProducer(ProbeTick &tick)
{
    while (rd_kafka_event_t *event = rd_kafka_queue_poll(m_events, 0)) {
        if (rd_kafka_event_type(event) == RD_KAFKA_EVENT_DR) {
            while (const rd_kafka_message_t *m = rd_kafka_event_message_next(event)) {
                if (m->err) // never written: it cannot come back
                    resolve(quint64(reinterpret_cast<uintptr_t>(m->_private)), std::nullopt, tick);
            }
        } else if (rd_kafka_event_type(event) == RD_KAFKA_EVENT_STATS) {
            if (auto brokers = parseKafkaStatistics(QByteArray(rd_kafka_event_stats(event))))
                tick.brokers = brokers.value();
        }
        rd_kafka_event_destroy(event);
    }
}

void KafkaProbe::consume(Clock::time_point until, ProbeTick &tick)
{
    do {
        const auto left
            = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
        rd_kafka_message_t *message = rd_kafka_consumer_poll(
            m_consumer->get(), int(std::clamp<qint64>(left.count(), 0, 5)));
        if (!message) {
            serveProducer(tick);
            continue;
        }
        const Clock::time_point arrived = Clock::now();
        if (!message->err) {
            if (const auto sequence = sequenceIn(message, m_run)) {
                const auto it = m_pending.find(*sequence);
                if (it != m_pending.end())
                    resolve(
                        *sequence,
                        std::chrono::duration<double, std::milli>(arrived - it->second.sentSteady)
                            .count(),
                        tick);
            }
        }
        rd_kafka_message_destroy(message);
    } while (Clock::now() < until);
}

void KafkaProbe::expire(ProbeTick &tick)
{
    const Clock::time_point now = Clock::now();
    std::vector<quint64> late;
    for (const auto &[sequence, sent] : m_pending) {
        if (now - sent.sentSteady > m_settings.deadline)
            late.push_back(sequence);
    }
    for (quint64 sequence : late)
        resolve(sequence, std::nullopt, tick);
}

void KafkaProbe::resolve(quint64 sequence, std::optional<double> latencyMs, ProbeTick &tick)
{
    const auto it = m_pending.find(sequence);
    if (it == m_pending.end())
        return; // resolved already (a late arrival after its deadline)
    if (latencyMs && *latencyMs > double(m_settings.deadline.count()))
        latencyMs.reset();
    ProbeOutcome outcome;
    outcome.kind = ProbeKind::KafkaEndToEnd;
    outcome.partition = it->second.partition;
    outcome.broker = it->second.broker;
    outcome.sentAt = it->second.sentAt;
    outcome.latencyMs = latencyMs;
    tick.outcomes.append(outcome);
    m_pending.erase(it);
}

Result<bool> KafkaProbe::step(std::chrono::milliseconds budget, bool sendProbes, ProbeTick &tick)
{
    const Clock::time_point until = Clock::now() + budget;
    if (Clock::now() - m_leadersReadAt > LeaderRefresh) {
        if (auto ok = readLeaders(false); !ok)
            return ok; // the topic is gone or the cluster unreachable
    }
    const auto interval = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(1.0 / std::max(m_settings.rate, 0.01)));
    while (sendProbes && Clock::now() >= m_nextRound) {
        sendRound(tick);
        m_nextRound += interval;
        if (Clock::now() - m_nextRound > interval) // behind (a slow step): no burst to catch up
            m_nextRound = Clock::now() + interval;
    }
    consume(until, tick);
    serveProducer(tick);
    expire(tick);
    return true;
}

} // namespace

Result<std::unique_ptr<Probe>> openKafkaProbe(const ClusterProfile &profile,
                                              const ProbeSettings &settings)
{
    auto probe = std::make_unique<KafkaProbe>(profile, settings);
    if (auto ok = probe->open(); !ok)
        return ok.error();
    return std::unique_ptr<Probe>(std::move(probe));
}

} // namespace veltrix
