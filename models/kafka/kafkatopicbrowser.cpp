#include "kafkatopicbrowser.h"

#include "deadletter/deadletterparser.h"
#include "kafkaadmin.h"
#include "kafkahandle.h"
#include "partitionfetcher.h"

#include <QDeadlineTimer>
#include <QHash>
#include <QSet>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <vector>

namespace veltrix {

using namespace kafka;
using namespace std::chrono_literals;

namespace {

// How long a wait sleeps before it looks again without being woken: a backstop for a queue
// event missed (librdkafka signals only the empty -> non-empty transition) and the bound
// on how late a timeout is noticed.
constexpr std::chrono::milliseconds WaitSlice {100};

QDateTime timestampOf(const rd_kafka_message_t *message)
{
    rd_kafka_timestamp_type_t type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
    const int64_t ms = rd_kafka_message_timestamp(message, &type);
    if (type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE || ms < 0)
        return {};
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
}

KafkaHeaderList headersOf(const rd_kafka_message_t *message)
{
    KafkaHeaderList list;
    rd_kafka_headers_t *headers = nullptr; // owned by the message
    if (rd_kafka_message_headers(message, &headers) != RD_KAFKA_RESP_ERR_NO_ERROR || !headers)
        return list;
    list.reserve(static_cast<qsizetype>(rd_kafka_header_cnt(headers)));
    const char *name = nullptr;
    const void *value = nullptr;
    size_t size = 0;
    for (size_t i = 0;
         rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
         ++i) {
        // A null value stays a null QByteArray; an empty one becomes an empty, non-null one.
        list.append(
            {QByteArray(name),
             value ? QByteArray(static_cast<const char *>(value), static_cast<qsizetype>(size))
                   : QByteArray()});
    }
    return list;
}

BrowsedMessage toBrowsed(const rd_kafka_message_t *message, qint64 maxPayloadBytes)
{
    BrowsedMessage browsed;
    browsed.partition = message->partition;
    browsed.offset = message->offset;
    browsed.id = QString::number(message->partition) + u':' + QString::number(message->offset);
    if (message->key)
        browsed.key = QByteArray(static_cast<const char *>(message->key),
                                 static_cast<qsizetype>(message->key_len));
    browsed.timestamp = timestampOf(message);
    browsed.payloadSize = static_cast<qint64>(message->len);
    if (message->payload) {
        const qint64 kept = maxPayloadBytes < 0 ? browsed.payloadSize
                                                : std::min(browsed.payloadSize, maxPayloadBytes);
        browsed.payload
            = QByteArray(static_cast<const char *>(message->payload), static_cast<qsizetype>(kept));
    }
    browsed.kafkaHeaders = headersOf(message);
    browsed.deadLetter = parseKafkaDeadLetter(browsed.kafkaHeaders, browsed.timestamp);
    return browsed;
}

bool isOutOfRange(rd_kafka_resp_err_t err)
{
    // With auto.offset.reset=error librdkafka reports a fetch outside [start, end) as
    // __AUTO_OFFSET_RESET and stops fetching the partition.
    return err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET
        || err == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE;
}

std::chrono::milliseconds sliceOf(const QDeadlineTimer &deadline)
{
    return std::min(WaitSlice,
                    std::chrono::milliseconds(std::max<qint64>(deadline.remainingTime(), 0)));
}

} // namespace

BrowsedMessage browsedFromKafka(const rd_kafka_message_t *message, qint64 maxPayloadBytes)
{
    return toBrowsed(message, maxPayloadBytes);
}

// ---- What the browser knows -----------------------------------------------------------

struct KafkaTopicBrowser::Impl
{
    ClusterProfile profile;
    QString topic;
    QByteArray topicName;
    std::chrono::milliseconds timeout;

    Waker waker; // before the fetchers: they point at it until they are gone
    // Pages, and the Metadata and ListOffsets requests. No fetch wait: a broker answers a
    // connection's requests in order, so a fetch waiting at the end of a partition would
    // hold up whatever follows it (the next page's fetch, a ListOffsets) for that long.
    // Reading stops at the end it knows and pauses each partition once its last range is
    // done, so no fetch loop runs idle at an end for long.
    std::unique_ptr<PartitionFetcher> pager;
    // Tails (readNew), made when first needed: a long fetch wait, so waiting for new
    // records costs the brokers two requests a second, not a hundred, and the pages'
    // requests never queue behind it.
    std::unique_ptr<PartitionFetcher> tailer;

    QMap<int, int> leaders; // partition -> leader broker (-1: none), from the last metadata
    QHash<int, KafkaPartitionExtent> known; // from the last ListOffsets of each partition
    std::atomic<bool> interruptRequested {false};
    bool interrupted = false;

    KafkaHandle &kafka() const { return pager->kafka(); }
    rd_kafka_t *rk() const { return pager->rk(); }
    QString partitionName(int partition) const
    {
        return QStringLiteral("partition %1 of %2").arg(partition).arg(topic);
    }

    void beginCall()
    {
        interruptRequested = false;
        interrupted = false;
        pager->settle();
        if (tailer)
            tailer->settle();
    }
    BrokerError interruption()
    {
        interrupted = true;
        return BrokerError::make(
            BrokerError::Kind::Other,
            QStringLiteral("%1: reading %2 was interrupted").arg(profile.name, topic));
    }

    Result<bool> refreshMetadata();
    Result<bool> refreshExtents(const QList<int> &partitions);
    Result<QHash<int, qint64>> listOffsets(const QList<int> &partitions, int64_t kind);

    // true: librdkafka stopped, the offset is outside the log.
    Result<bool> drain(KafkaRangeRead &range, int maxCount, qint64 maxPayloadBytes,
                       const QDeadlineTimer &deadline, BrowsedMessageList &out);
    Result<bool> readRange(KafkaRangeRead &range, int maxCount, qint64 maxPayloadBytes,
                           const QDeadlineTimer &deadline, BrowsedMessageList &out);
};

Result<bool> KafkaTopicBrowser::Impl::refreshMetadata()
{
    // All topics: librdkafka 2.0.2 asks for a single topic with auto-creation allowed, so a
    // look at a missing (e.g. mistyped) topic would create it on brokers that auto-create.
    const rd_kafka_metadata_t *raw = nullptr;
    const rd_kafka_resp_err_t err = rd_kafka_metadata(rk(), 1, nullptr, &raw, toMs(timeout));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        return kafka().errorFor(err, QStringLiteral("metadata request for topic %1").arg(topic));
    const MetadataPtr metadata(raw);
    const rd_kafka_metadata_topic_t *found = nullptr;
    for (int i = 0; i < metadata->topic_cnt; ++i)
        if (topicName == metadata->topics[i].topic)
            found = &metadata->topics[i];
    if (!found || found->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
        return BrokerError::make(
            BrokerError::Kind::Other,
            QStringLiteral("%1: topic \"%2\" does not exist").arg(profile.name, topic),
            QStringLiteral("check the topic name; it may have been deleted"));
    if (found->err != RD_KAFKA_RESP_ERR_NO_ERROR && found->partition_cnt == 0)
        return kafka().errorFor(found->err,
                                QStringLiteral("metadata request for topic %1").arg(topic));
    leaders.clear();
    for (int i = 0; i < found->partition_cnt; ++i)
        leaders.insert(found->partitions[i].id, found->partitions[i].leader);
    return true;
}

// One ListOffsets per leader broker (rd_kafka_offsets_for_times groups them): `kind` is
// RD_KAFKA_OFFSET_BEGINNING, RD_KAFKA_OFFSET_END or a timestamp in ms. Partitions whose
// broker answered with an error are left out.
Result<QHash<int, qint64>> KafkaTopicBrowser::Impl::listOffsets(const QList<int> &partitions,
                                                                int64_t kind)
{
    QHash<int, qint64> found;
    PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
    for (int p : partitions)
        rd_kafka_topic_partition_list_add(list.get(), topicName.constData(), p)->offset = kind;
    if (list->cnt == 0)
        return found;
    const rd_kafka_resp_err_t err = rd_kafka_offsets_for_times(rk(), list.get(), toMs(timeout));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        return kafka().errorFor(err, QStringLiteral("listing offsets of topic %1").arg(topic));
    for (int i = 0; i < list->cnt; ++i) {
        const rd_kafka_topic_partition_t &p = list->elems[i];
        if (p.err == RD_KAFKA_RESP_ERR_NO_ERROR)
            found.insert(p.partition, p.offset);
    }
    return found;
}

Result<bool> KafkaTopicBrowser::Impl::refreshExtents(const QList<int> &partitions)
{
    QList<int> led;
    for (int p : partitions) {
        const int leader = leaders.value(p, -1);
        known.insert(p, {p, -1, -1, leader});
        if (leader >= 0) // librdkafka would wait out the timeout for a leader
            led << p;
    }
    if (led.isEmpty())
        return true;
    // One kind after the other. In flight together they would save a round trip, but the
    // mock cluster (its sockets keep Nagle's algorithm on) then holds the second answer
    // ~40 ms for the first one's ACK: measured 3..50 ms, against under 1 ms in turn.
    const auto ends = listOffsets(led, RD_KAFKA_OFFSET_END);
    if (!ends)
        return ends.error();
    const auto begun = listOffsets(led, RD_KAFKA_OFFSET_BEGINNING);
    if (!begun)
        return begun.error();
    for (int p : std::as_const(led)) {
        KafkaPartitionExtent &extent = known[p];
        if (begun->contains(p) && ends->contains(p)) {
            extent.start = begun->value(p);
            extent.end = ends->value(p);
        }
    }
    return true;
}

// Takes up to maxCount records of the started partition from range.nextOffset on, until
// the end (the larger of what ListOffsets said and what the last fetch said), a partition
// EOF, the deadline or an interrupt.
Result<bool> KafkaTopicBrowser::Impl::drain(KafkaRangeRead &range, int maxCount,
                                            qint64 maxPayloadBytes, const QDeadlineTimer &deadline,
                                            BrowsedMessageList &out)
{
    while (range.count < maxCount) {
        range.end = std::max(range.end, pager->fetchedHighWatermark(range.partition));
        if (range.nextOffset >= range.end)
            break;
        const quint64 generation = waker.generation();
        auto taken = pager->take(range.partition, maxCount - range.count);
        if (!taken)
            return taken.error();
        if (taken->empty()) {
            if (interruptRequested)
                return interruption();
            if (deadline.hasExpired())
                return kafka().errorFor(RD_KAFKA_RESP_ERR__TIMED_OUT,
                                        QStringLiteral("reading %1 from offset %2")
                                            .arg(partitionName(range.partition))
                                            .arg(range.nextOffset));
            waker.waitPast(generation, sliceOf(deadline));
            continue;
        }
        for (const MessagePtr &message : taken.value()) {
            if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                // The fetch position reached the high watermark, past any transaction
                // markers after the last record.
                range.nextOffset = std::max<qint64>(range.nextOffset, message->offset);
                range.end = std::max<qint64>(range.end, message->offset);
                return false;
            }
            if (isOutOfRange(message->err))
                return true;
            if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR)
                return kafka().errorFor(
                    message->err,
                    QStringLiteral("reading %1: %2")
                        .arg(partitionName(range.partition),
                             QString::fromUtf8(rd_kafka_message_errstr(message.get()))));
            if (message->offset < range.nextOffset)
                continue; // cannot happen after a fresh start; never show a record twice
            out.append(toBrowsed(message.get(), maxPayloadBytes));
            range.nextOffset = message->offset + 1;
            ++range.count;
        }
    }
    return false;
}

// Reads one range whose partition the pager has started at range.nextOffset. When the log
// start moved past the offset meanwhile (retention, the mock's size limit), learns the new
// extent and reads on from the new start, once.
Result<bool> KafkaTopicBrowser::Impl::readRange(KafkaRangeRead &range, int maxCount,
                                                qint64 maxPayloadBytes,
                                                const QDeadlineTimer &deadline,
                                                BrowsedMessageList &out)
{
    for (int attempt = 0;; ++attempt) {
        auto drained = drain(range, maxCount, maxPayloadBytes, deadline, out);
        if (!drained)
            return drained.error();
        if (!drained.value())
            return true;
        pager->pause(range.partition);
        const qint64 lost = range.nextOffset;
        if (auto refreshed = refreshExtents({range.partition}); !refreshed)
            return refreshed.error();
        const KafkaPartitionExtent extent = known.value(range.partition);
        range.end = extent.end;
        if (extent.start < 0 || lost >= extent.end)
            return true; // the end moved back (topic recreated): nothing more to read
        if (lost >= extent.start || attempt > 0)
            return kafka().errorFor(RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE,
                                    QStringLiteral("reading %1 at offset %2")
                                        .arg(partitionName(range.partition))
                                        .arg(lost));
        range.note = QStringLiteral("records %1 to %2 were deleted while reading (log start now "
                                    "%3); read on from %3")
                         .arg(lost)
                         .arg(extent.start - 1)
                         .arg(extent.start);
        if (range.count == 0)
            range.firstOffset = extent.start;
        range.nextOffset = extent.start;
        if (auto restarted = pager->start(range.partition, extent.start); !restarted)
            return restarted.error();
    }
}

// ---- The browser ----------------------------------------------------------------------

KafkaTopicBrowser::KafkaTopicBrowser(std::unique_ptr<Impl> impl)
    : d(std::move(impl))
{ }

KafkaTopicBrowser::~KafkaTopicBrowser() = default;

Result<std::unique_ptr<KafkaTopicBrowser>>
KafkaTopicBrowser::open(const ClusterProfile &profile, const QString &topic,
                        std::chrono::milliseconds timeout)
{
    auto impl = std::make_unique<Impl>();
    impl->profile = profile;
    impl->topic = topic;
    impl->topicName = topic.toUtf8();
    impl->timeout = timeout;
    auto pager = PartitionFetcher::create(profile, impl->topicName, 0ms, &impl->waker);
    if (!pager)
        return pager.error();
    impl->pager = std::move(pager).value();
    if (auto metadata = impl->refreshMetadata(); !metadata)
        return metadata.error();
    return std::unique_ptr<KafkaTopicBrowser>(new KafkaTopicBrowser(std::move(impl)));
}

const QString &KafkaTopicBrowser::topic() const
{
    return d->topic;
}

int KafkaTopicBrowser::partitionCount() const
{
    return static_cast<int>(d->leaders.size());
}

Result<QList<KafkaPartitionExtent>> KafkaTopicBrowser::extents()
{
    d->beginCall();
    if (auto metadata = d->refreshMetadata(); !metadata)
        return metadata.error();
    const QList<int> partitions = d->leaders.keys();
    d->known.clear(); // partitions that vanished with a recreated topic
    if (auto refreshed = d->refreshExtents(partitions); !refreshed)
        return refreshed.error();
    QList<KafkaPartitionExtent> list;
    list.reserve(partitions.size());
    for (int p : partitions)
        list.append(d->known.value(p));
    return list;
}

Result<BrowsedMessageList> KafkaTopicBrowser::read(int partition, qint64 offset, int maxCount,
                                                   qint64 maxPayloadBytes)
{
    return read(QList<KafkaReadRequest> {{partition, offset, maxCount}}, maxPayloadBytes);
}

Result<BrowsedMessageList> KafkaTopicBrowser::read(const QList<KafkaReadRequest> &requests,
                                                   qint64 maxPayloadBytes)
{
    auto page = readPage(requests, maxPayloadBytes);
    if (!page)
        return page.error();
    return std::move(page.value().messages);
}

Result<KafkaPage> KafkaTopicBrowser::readPage(const QList<KafkaReadRequest> &requests,
                                              qint64 maxPayloadBytes)
{
    d->beginCall();
    const QDeadlineTimer deadline(d->timeout);

    // Extents for every partition asked about; fresh where the request starts at or past
    // the end known, as records may have arrived since.
    QList<int> stale;
    for (const KafkaReadRequest &r : requests) {
        if (!d->leaders.contains(r.partition))
            return BrokerError::make(BrokerError::Kind::Other,
                                     QStringLiteral("%1: %2 does not exist (the topic has %3 "
                                                    "partitions)")
                                         .arg(d->profile.name, d->partitionName(r.partition))
                                         .arg(d->leaders.size()));
        const auto extent = d->known.constFind(r.partition);
        if ((extent == d->known.cend() || extent->end < 0 || r.offset >= extent->end)
            && !stale.contains(r.partition))
            stale << r.partition;
    }
    if (!stale.isEmpty())
        if (auto refreshed = d->refreshExtents(stale); !refreshed)
            return refreshed.error();

    KafkaPage page;
    page.ranges.reserve(requests.size());
    for (const KafkaReadRequest &r : requests) {
        const KafkaPartitionExtent extent = d->known.value(r.partition);
        if (extent.leader < 0 || extent.end < 0)
            return BrokerError::make(
                BrokerError::Kind::Unreachable,
                QStringLiteral("%1: %2 has no leader broker to read from")
                    .arg(d->profile.name, d->partitionName(r.partition)),
                QStringLiteral("the broker holding it is down or being replaced; try again "
                               "once a leader is elected"));
        KafkaRangeRead range;
        range.partition = r.partition;
        range.requestedOffset = r.offset;
        range.firstOffset = std::max(r.offset, extent.start);
        range.nextOffset = range.firstOffset;
        range.end = extent.end;
        if (r.offset < extent.start)
            range.note = QStringLiteral("offsets %1 to %2 no longer exist (deleted by retention "
                                        "or compaction); reading from the log start, %3")
                             .arg(std::max<qint64>(r.offset, 0))
                             .arg(extent.start - 1)
                             .arg(extent.start);
        page.ranges.append(range);
    }

    // Every partition's first range starts now, so their fetches run in parallel; a later
    // range of the same partition restarts it when its turn comes.
    const auto wanted = [&](qsizetype i) {
        return requests[i].maxCount > 0 && page.ranges[i].firstOffset < page.ranges[i].end;
    };
    const auto failed = [this](const BrokerError &error) {
        d->pager->pauseAll();
        return error;
    };
    QHash<int, qsizetype> lastRange; // of each partition, to pause it right after
    for (qsizetype i = 0; i < page.ranges.size(); ++i) {
        const KafkaRangeRead &range = page.ranges[i];
        if (!wanted(i))
            continue;
        if (!lastRange.contains(range.partition))
            if (auto started = d->pager->start(range.partition, range.firstOffset); !started)
                return failed(started.error());
        lastRange.insert(range.partition, i);
    }
    QSet<int> readHere;
    for (qsizetype i = 0; i < page.ranges.size(); ++i) {
        KafkaRangeRead &range = page.ranges[i];
        if (!wanted(i))
            continue;
        if (readHere.contains(range.partition))
            if (auto restarted = d->pager->start(range.partition, range.firstOffset); !restarted)
                return failed(restarted.error());
        readHere.insert(range.partition);
        if (auto read
            = d->readRange(range, requests[i].maxCount, maxPayloadBytes, deadline, page.messages);
            !read)
            return failed(read.error());
        if (lastRange.value(range.partition) == i)
            d->pager->pause(range.partition);
        // Known from now on: records exist up to the end this range saw.
        KafkaPartitionExtent &extent = d->known[range.partition];
        extent.end = std::max(extent.end, range.end);
    }
    d->pager->pauseAll();
    return page;
}

namespace {

// For brokers that cannot look a time up (librdkafka 2.0.2's mock answers "no record that
// recent" to any time): the offset found by reading, given each partition's last record,
// whose timestamp is >= ms. Per partition, the first record settles it when it is recent
// enough; otherwise the search keeps the last record known older (`older`) and an offset
// before which a recent one is known (`recent`), and probes between them, one record per
// probe and every partition in the same readPage() a round. Probes alternate between
// interpolating the timestamps (a DLT's grow about evenly: few rounds) and bisecting (a
// bound of twice log2 rounds). Timestamps must grow with the offsets, as Kafka's own time
// index assumes.
Result<QHash<int, qint64>> searchByReading(KafkaTopicBrowser &browser,
                                           const QHash<int, KafkaPartitionExtent> &extents,
                                           const QHash<int, BrowsedMessage> &lastRecords, qint64 ms)
{
    struct Bounds
    {
        qint64 older = -1, olderMs = 0, recent = 0, recentMs = 0;
    };
    QHash<int, Bounds> searching;
    QHash<int, qint64> found;
    QList<KafkaReadRequest> probes;
    for (const KafkaPartitionExtent &e : extents)
        probes.append({e.partition, e.start, 1});
    for (int round = 0; !probes.isEmpty(); ++round) {
        auto page = browser.readPage(probes, 0);
        if (!page)
            return page.error();
        qsizetype at = 0;
        for (const KafkaRangeRead &range : std::as_const(page->ranges)) {
            const int p = range.partition;
            // The record returned is the first at or after the probe: gaps (markers,
            // compaction) only move it on.
            const BrowsedMessage *record = range.count > 0 ? &page->messages[at] : nullptr;
            at += range.count;
            const qint64 recordMs = record ? record->timestamp.toMSecsSinceEpoch() : 0;
            if (round == 0) { // the first record
                if (!record || recordMs >= ms)
                    found.insert(p, extents.value(p).start);
                else
                    searching.insert(p,
                                     {record->offset, recordMs, lastRecords.value(p).offset,
                                      lastRecords.value(p).timestamp.toMSecsSinceEpoch()});
                continue;
            }
            Bounds &b = searching[p];
            if (!record || record->offset >= b.recent || recordMs >= ms)
                b.recent = range.requestedOffset; // none older in [probe, recent)
            else
                b = {record->offset, recordMs, b.recent, b.recentMs};
        }
        probes.clear();
        for (auto it = searching.begin(); it != searching.end();) {
            const Bounds &b = it.value();
            if (b.recent <= b.older + 1) { // settled: the first record after `older`
                found.insert(it.key(), b.older + 1);
                it = searching.erase(it);
                continue;
            }
            const qint64 span = b.recent - b.older - 1;
            const qint64 step = round % 2 == 0 && b.recentMs > b.olderMs
                ? qint64(double(ms - b.olderMs) / double(b.recentMs - b.olderMs) * double(span))
                : span / 2;
            probes.append({it.key(), b.older + 1 + std::clamp<qint64>(step, 0, span - 1), 1});
            ++it;
        }
    }
    return found;
}

} // namespace

Result<QMap<int, qint64>> KafkaTopicBrowser::offsetsForTime(const QDateTime &time)
{
    d->beginCall();
    QList<int> led;
    for (auto it = d->leaders.cbegin(); it != d->leaders.cend(); ++it)
        if (it.value() >= 0)
            led << it.key();
    auto found = d->listOffsets(led, time.toMSecsSinceEpoch());
    if (!found)
        return found.error();
    // Kafka answers -1 where no record is that recent: the end, then. Unless the last
    // record is that recent after all, and the brokers did not look (see searchByReading).
    QList<int> none;
    for (int p : std::as_const(led))
        if (found->value(p, -1) < 0)
            none << p;
    if (auto refreshed = d->refreshExtents(none); !refreshed)
        return refreshed.error();
    QList<KafkaReadRequest> lastRecords;
    for (int p : std::as_const(none))
        if (const KafkaPartitionExtent e = d->known.value(p); e.count() > 0)
            lastRecords.append({p, e.end - 1, 1});
    auto last = readPage(lastRecords, 0);
    if (!last)
        return last.error();
    QHash<int, KafkaPartitionExtent> unlooked;
    QHash<int, BrowsedMessage> lastOf;
    for (const BrowsedMessage &m : std::as_const(last->messages))
        if (m.timestamp.toMSecsSinceEpoch() >= time.toMSecsSinceEpoch()) {
            unlooked.insert(m.partition, d->known.value(m.partition));
            lastOf.insert(m.partition, m);
        }
    auto searched = searchByReading(*this, unlooked, lastOf, time.toMSecsSinceEpoch());
    if (!searched)
        return searched.error();
    QMap<int, qint64> offsets;
    for (int p : std::as_const(led)) {
        const qint64 offset = !none.contains(p) ? found->value(p)
            : searched->contains(p)             ? searched->value(p)
                                                : d->known.value(p).end;
        if (offset >= 0)
            offsets.insert(p, offset);
    }
    return offsets;
}

Result<BrowsedMessageList> KafkaTopicBrowser::readNew(QMap<int, qint64> &nextOffsets, int maxCount,
                                                      std::chrono::milliseconds wait,
                                                      qint64 maxPayloadBytes)
{
    d->beginCall();
    BrowsedMessageList out;
    if (!d->tailer) {
        auto tailer = PartitionFetcher::create(d->profile, d->topicName, 500ms, &d->waker);
        if (!tailer)
            return tailer.error();
        d->tailer = std::move(tailer).value();
    }
    PartitionFetcher &tailer = *d->tailer;
    const auto failed = [&tailer](const BrokerError &error) {
        tailer.pauseAll();
        return error;
    };
    QList<int> watched, fromNow;
    for (auto it = nextOffsets.cbegin(); it != nextOffsets.cend(); ++it) {
        if (d->leaders.value(it.key(), -1) < 0)
            continue; // no leader (or no such partition): nothing can arrive from it
        watched << it.key();
        if (it.value() < 0)
            fromNow << it.key();
    }
    // "From now on" is the end as of now, so nothing arriving between calls is missed.
    if (auto refreshed = d->refreshExtents(fromNow); !refreshed)
        return refreshed.error();
    for (int p : std::as_const(fromNow))
        nextOffsets[p] = std::max<qint64>(d->known.value(p).end, 0);
    if (maxCount <= 0)
        return out;
    for (int p : std::as_const(watched))
        if (auto started = tailer.start(p, nextOffsets.value(p)); !started)
            return failed(started.error());

    const QDeadlineTimer deadline(wait);
    QSet<int> restarted; // partitions moved to their log start once already
    while (!watched.isEmpty() && out.isEmpty()) {
        const quint64 generation = d->waker.generation();
        for (int p : std::as_const(watched)) {
            auto taken = tailer.take(p, maxCount - static_cast<int>(out.size()));
            if (!taken)
                return failed(taken.error());
            for (const MessagePtr &message : taken.value()) {
                if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                    if (message->offset > nextOffsets.value(p, -1))
                        nextOffsets[p] = message->offset; // past transaction markers
                    continue;
                }
                if (isOutOfRange(message->err) && !restarted.contains(p)) {
                    // The records to tail from were deleted: go on from the log start.
                    restarted.insert(p);
                    if (auto refreshed = d->refreshExtents({p}); !refreshed)
                        return failed(refreshed.error());
                    nextOffsets[p] = std::max<qint64>(d->known.value(p).start, 0);
                    if (auto started = tailer.start(p, nextOffsets[p]); !started)
                        return failed(started.error());
                    break; // the rest of this batch belongs to the old fetch
                }
                if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR)
                    return failed(tailer.kafka().errorFor(
                        message->err,
                        QStringLiteral("tailing %1: %2")
                            .arg(d->partitionName(p),
                                 QString::fromUtf8(rd_kafka_message_errstr(message.get())))));
                out.append(toBrowsed(message.get(), maxPayloadBytes));
                nextOffsets[p] = message->offset + 1;
            }
        }
        if (!out.isEmpty() || deadline.hasExpired())
            break;
        if (d->interruptRequested)
            return failed(d->interruption());
        d->waker.waitPast(generation, sliceOf(deadline));
    }
    tailer.pauseAll();
    return out;
}

void KafkaTopicBrowser::interrupt()
{
    d->interruptRequested = true;
    d->waker.notify();
}

bool KafkaTopicBrowser::wasInterrupted() const
{
    return d->interrupted;
}

} // namespace veltrix
