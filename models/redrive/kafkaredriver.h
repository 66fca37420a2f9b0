#pragma once

// Internals of the Kafka redriver: the class behind runKafkaRedrive() (kafkaredriver.cpp)
// and its small parts, here so tests can check the parts.

#include "core/browsedmessage.h"
#include "deadletter/deadletterparser.h"
#include "kafka/kafkahandle.h"
#include "kafka/partitionfetcher.h"
#include "redriverun.h"
#include "redrivetarget.h"

#include <librdkafka/rdkafka.h>

#include <QDateTime>
#include <QDeadlineTimer>
#include <QMap>
#include <QSet>
#include <QString>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <deque>
#include <limits>
#include <map>
#include <memory>
#include <optional>

namespace veltrix {

// The consumer group whose committed offsets say how far redrives of `topic` got.
inline QString kafkaRedriveGroup(const QString &topic)
{
    return QStringLiteral("veltrix-redrive.") + topic;
}

// One DLT partition's progress. Records are handled in offset order: done at once (not
// selected, skipped, a dry run) or sent, and then done at their delivery report, which
// may come out of order. What may be committed is the first offset not done; a record
// whose delivery is unknown (timed out, purged) is held and never passed, so the next run
// sends it again. Offsets without a record (compaction, transaction markers) are done
// once reading passes them. Sent records at or past the committed offset are what a crash
// would send again.
class OffsetWatermark
{
public:
    explicit OffsetWatermark(qint64 start = 0, qint64 committed = -1)
        : m_handled(start)
        , m_committed(committed)
    { }

    // Every offset below `next` is handled. Never moves back.
    void handledUpTo(qint64 next) { m_handled = std::max(m_handled, next); }
    qint64 handled() const { return m_handled; }

    // In ascending order, as read.
    void sent(qint64 offset)
    {
        m_inFlight.push_back({offset, false});
        ++m_open;
        if (offset >= m_committed) // below: an earlier run's commit covers it already
            m_sent.push_back(offset);
    }
    void done(qint64 offset) { settle(offset); }
    void hold(qint64 offset)
    {
        if (settle(offset))
            m_held = std::min(m_held, offset);
    }
    bool holds() const { return m_held != Unheld; }
    qsizetype inFlight() const { return m_open; }

    qint64 committable() const
    {
        const qint64 first = std::min(m_handled, m_held);
        return m_inFlight.empty() ? first : std::min(first, m_inFlight.front().offset);
    }

    // The coordinator confirmed a commit of `offset`.
    void committed(qint64 offset)
    {
        m_committed = std::max(m_committed, offset);
        while (!m_sent.empty() && m_sent.front() < m_committed)
            m_sent.pop_front();
    }
    qint64 committedOffset() const { return m_committed; } // -1: none
    qsizetype uncommitted() const { return static_cast<qsizetype>(m_sent.size()); }

private:
    struct Sent
    {
        qint64 offset;
        bool settled;
    };
    // Whether `offset` was in flight.
    bool settle(qint64 offset)
    {
        const auto it = std::lower_bound(m_inFlight.begin(), m_inFlight.end(), offset,
                                         [](const Sent &s, qint64 o) { return s.offset < o; });
        if (it == m_inFlight.end() || it->offset != offset || it->settled)
            return false;
        it->settled = true;
        --m_open;
        while (!m_inFlight.empty() && m_inFlight.front().settled)
            m_inFlight.pop_front();
        return true;
    }

    static constexpr qint64 Unheld = std::numeric_limits<qint64>::max();
    qint64 m_handled;
    qint64 m_committed;
    std::deque<Sent> m_inFlight; // ascending; settled ones leave from the front
    qsizetype m_open = 0;
    std::deque<qint64> m_sent; // ascending
    qint64 m_held = Unheld;
};

// What browsedFromKafka(message, -1) gives, except that the key, the payload and the
// headers are views into `message` and `headers` (QByteArray::fromRawData), not copies:
// copying a dead letter's dozen headers was a quarter of what a redrive cost per record.
// Valid while both live; `headers` are the message's, parsed (rd_kafka_message_headers),
// and may be null.
inline BrowsedMessage kafkaRecordView(const rd_kafka_message_t *message,
                                      const rd_kafka_headers_t *headers)
{
    const auto view = [](const void *data, size_t size) {
        return QByteArray::fromRawData(static_cast<const char *>(data), qsizetype(size));
    };
    BrowsedMessage b;
    b.partition = message->partition;
    b.offset = message->offset;
    b.id = QString::number(message->partition) + u':' + QString::number(message->offset);
    if (message->key)
        b.key = view(message->key, message->key_len);
    rd_kafka_timestamp_type_t type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
    const int64_t ms = rd_kafka_message_timestamp(message, &type);
    if (type != RD_KAFKA_TIMESTAMP_NOT_AVAILABLE && ms >= 0)
        b.timestamp = QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
    b.payloadSize = static_cast<qint64>(message->len);
    if (message->payload)
        b.payload = view(message->payload, message->len);
    const char *name = nullptr;
    const void *value = nullptr;
    size_t size = 0;
    if (headers)
        b.kafkaHeaders.reserve(static_cast<qsizetype>(rd_kafka_header_cnt(headers)));
    for (size_t i = 0; headers
         && rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
         ++i)
        b.kafkaHeaders.append({view(name, strlen(name)), value ? view(value, size) : QByteArray()});
    b.deadLetter = parseKafkaDeadLetter(b.kafkaHeaders, b.timestamp);
    return b;
}

struct KafkaHeadersDeleter
{
    void operator()(rd_kafka_headers_t *h) const { rd_kafka_headers_destroy(h); }
};
using KafkaHeadersPtr = std::unique_ptr<rd_kafka_headers_t, KafkaHeadersDeleter>;

// The two headers redriveKafkaHeaders() puts at the end of a record's, for records whose
// last redrive count is the same, kept for the rest of the millisecond: formatting the
// time was a tenth of what a redrive cost per record.
class RedriveStamp
{
public:
    const KafkaHeaderList &headersFor(const std::optional<QByteArray> &previousCount)
    {
        const qint64 ms = QDateTime::currentMSecsSinceEpoch();
        if (ms != m_ms || previousCount != m_previousCount || m_headers.isEmpty()) {
            KafkaHeaderList previous;
            if (previousCount)
                previous.append({RedriveCountHeader.toUtf8(), *previousCount});
            m_headers = redriveKafkaHeaders(previous, QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC));
            m_ms = ms;
            m_previousCount = previousCount;
        }
        return m_headers;
    }

private:
    qint64 m_ms = -1;
    std::optional<QByteArray> m_previousCount;
    KafkaHeaderList m_headers;
};

// Errors that sending the same record again cannot cure: it is reported as failed and the
// progress moves past it (a run with fromStart and its id tries it again). After anything
// else the delivery is unknown, so the record stays ahead of the committed offset.
inline bool isPermanentDeliveryError(rd_kafka_resp_err_t err)
{
    switch (err) {
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_MSG:
    case RD_KAFKA_RESP_ERR_INVALID_RECORD:
    case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_TIMESTAMP:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:
    case RD_KAFKA_RESP_ERR_POLICY_VIOLATION:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
    case RD_KAFKA_RESP_ERR__BAD_MSG:
        return true;
    default:
        return false;
    }
}

// One run of runKafkaRedrive(): what it read, sent, and committed so far.
class KafkaRedriver
{
public:
    explicit KafkaRedriver(RedriveRun &run);
    ~KafkaRedriver();
    KafkaRedriver(const KafkaRedriver &) = delete;
    KafkaRedriver &operator=(const KafkaRedriver &) = delete;

    void run();

private:
    struct Partition
    {
        qint64 start = 0;
        qint64 end = 0; // the high watermark at the start: later dead letters wait their turn
        OffsetWatermark mark;
        bool reading = false;
    };
    struct Destination
    {
        rd_kafka_topic_t *topic = nullptr;
        QString name; // RedriveTarget::describe(), the report's key
        QString topicName;
    };
    // The per-message opaque of a produced record: where it came from and went.
    struct Delivery
    {
        KafkaRedriver *owner = nullptr;
        int partition = -1;
        qint64 offset = -1;
        QString id;
        const Destination *destination = nullptr;
    };
    // Read, selected and resolved; waits for room in the window, the pace or a resume.
    struct Ready
    {
        kafka::MessagePtr record;
        BrowsedMessage message; // views into record and headers
        RedriveTarget target;
        // Its own, as librdkafka parsed them: they go out again without being rebuilt.
        KafkaHeadersPtr headers;
        std::optional<QByteArray> previousCount; // its last redrive count header
        bool stamped = false; // it has redrive headers to replace
    };

    bool fail(const QString &error);
    bool openConsumer();
    bool openProducer();
    bool prepare();
    Result<bool> readLayout();
    bool assign();
    void loop();
    bool serve();
    void checkControls();
    bool finished() const;
    bool step(std::chrono::milliseconds &wait);
    bool readOne();
    void handle(kafka::MessagePtr record);
    void handled(int partition, qint64 offset);
    void finishPartition(int partition);
    bool sendReady(std::chrono::milliseconds &wait);
    bool produce(Ready &ready);
    void delivered(const Delivery &delivery, rd_kafka_resp_err_t err);
    // The window bounds both what is in flight and what a crash would send again.
    bool windowFull() const
    {
        return m_inFlight >= m_request.window || m_uncommitted >= m_request.window;
    }
    void noteActivity();
    void watchBrokers();
    QString brokerError() const;
    QString stateText() const;
    bool topicExists(const QString &topic);
    const Destination &destination(const RedriveTarget &target);
    void commitIfDue(bool now);
    void awaitCommit(const QDeadlineTimer &deadline);
    void committed(rd_kafka_resp_err_t err, const rd_kafka_topic_partition_list_t *offsets);
    void finishCommits();
    void fillReport();

    static void onDelivery(rd_kafka_t *, const rd_kafka_message_t *message, void *)
    {
        std::unique_ptr<Delivery> delivery(static_cast<Delivery *>(message->_private));
        if (delivery)
            delivery->owner->delivered(*delivery, message->err);
    }
    static void onCommitted(rd_kafka_t *, rd_kafka_resp_err_t err,
                            rd_kafka_topic_partition_list_t *offsets, void *opaque)
    {
        static_cast<KafkaRedriver *>(opaque)->committed(err, offsets);
    }

    RedriveRun &m_run;
    const RedriveRequest &m_request;
    RedriveReport &m_report;
    const QString m_topic;
    const QByteArray m_topicName;
    const QString m_group;

    kafka::Waker m_waker; // before the handles: their queues point at it until they are gone
    std::unique_ptr<KafkaHandle> m_consumer;
    std::unique_ptr<KafkaHandle> m_producer;
    QList<rd_kafka_queue_t *> m_wakingQueues;
    rd_kafka_queue_t *m_commitQueue = nullptr;
    std::map<QString, Destination> m_destinations; // by topic; deliveries point into it
    const Destination *m_lastDestination = nullptr;
    QSet<QString> m_topics; // destinations known to exist
    QSet<QString> m_missingTopics;
    QString m_lastTopic; // known to exist
    RedriveStamp m_stamp;

    QMap<int, Partition> m_partitions;
    qint64 m_total = -1;
    std::optional<Ready> m_ready;
    int m_inFlight = 0; // produced, no delivery report yet
    // Sent, not yet covered by a confirmed commit: what a crash would send again. The
    // request's window bounds this, so duplicates are at most the window whatever happens.
    qsizetype m_uncommitted = 0;
    bool m_readingOver = false; // every range read, or the limit reached
    bool m_stopping = false; // cancelled or a fault: no more sends, in-flight ones finish
    bool m_cancelled = false;
    bool m_purged = false;
    QString m_fault; // why the run stops early; empty while all is well
    QString m_readError;

    std::chrono::steady_clock::time_point m_lastActivity;
    std::chrono::steady_clock::time_point m_drainDeadline;
    bool m_waiting = false;

    bool m_commitOutstanding = false; // one at a time, so they are confirmed in order
    std::chrono::steady_clock::time_point m_lastCommitAt {};
    QString m_commitError;
};

} // namespace veltrix
