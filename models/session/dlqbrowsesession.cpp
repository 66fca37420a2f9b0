#include "dlqbrowsesession.h"

#include "deadletter/payloadmasker.h"

#include <QMutexLocker>
#include <QSet>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <limits>

namespace veltrix {

using namespace Qt::StringLiterals;

namespace {
constexpr std::chrono::seconds BrowseTimeout {10};
constexpr int ScanChunk = 500; // records per partition per read while scanning
constexpr int ScanStep = 1000; // records per scan step, across partitions
// The browser's tail fetches wait up to 500 ms at the end of a partition and a call pauses
// them when it returns: a wait shorter than that would drop answers in flight, so each
// poll outwaits one and the next follows at once.
constexpr std::chrono::milliseconds TailWait {700};
constexpr int TailIntervalMs = 50;
// The cut for the detail pane: bigger payloads show their first MiB and "Load all".
// The table's cache budget (64 MiB) bounds what pages of such payloads hold.
constexpr qint64 PagePayloadBytes = 1024 * 1024;
constexpr int TailBatch = 500;
constexpr qint64 WholeKafkaPayload = -1; // the browser's "never cut"
constexpr qint64 WholeRabbitPayload = std::numeric_limits<int>::max();
} // namespace

DlqBrowseSession::DlqBrowseSession(QObject *parent)
    : QObject(parent)
{ }

DlqBrowseSession::~DlqBrowseSession() = default;

void DlqBrowseSession::cancel()
{
    m_cancelled = true;
    // The browsers belong to the worker thread; interrupt() is the one call that is safe
    // from here, and the lock keeps the worker from replacing them meanwhile.
    QMutexLocker lock(&m_browsersMutex);
    if (m_kafka)
        m_kafka->interrupt();
    if (m_rabbit)
        m_rabbit->interrupt();
}

void DlqBrowseSession::setBrowsers(std::unique_ptr<KafkaTopicBrowser> kafka,
                                   std::unique_ptr<RabbitQueueBrowser> rabbit)
{
    QMutexLocker lock(&m_browsersMutex);
    m_kafka = std::move(kafka);
    m_rabbit = std::move(rabbit);
}

void DlqBrowseSession::close()
{
    if (m_tailTimer)
        m_tailTimer->stop();
    setBrowsers(nullptr, nullptr);
    m_source = {};
    m_scan = {};
}

void DlqBrowseSession::open(const ClusterProfile &profile, const DlqSource &source)
{
    close();
    m_cancelled = false;
    m_profile = profile;
    m_source = source;
    if (source.kind == ClusterKind::RabbitMq) {
        setBrowsers(nullptr, std::make_unique<RabbitQueueBrowser>(profile, BrowseTimeout));
        return; // reading a queue is a browse the operator starts: it marks messages
    }
    auto browser = KafkaTopicBrowser::open(profile, source.name, BrowseTimeout);
    if (!browser) {
        Q_EMIT failed(currentSource(), u"open"_s, browser.error().describe());
        return;
    }
    setBrowsers(std::move(browser).value(), nullptr);
    refreshKafka();
}

template<typename T>
T &DlqBrowseSession::masked(T &messages) const
{
    // Masked here, on the worker: no view, copy or export ever holds the unmasked text.
    PayloadMasker(m_profile.masking).mask(messages);
    return messages;
}

void DlqBrowseSession::readKafkaPage(int partition, qint64 firstOffset, int count)
{
    if (!m_kafka)
        return;
    auto messages = m_kafka->read(partition, firstOffset, count, PagePayloadBytes);
    if (!messages) {
        Q_EMIT failed(currentSource(),
                      u"read partition %1 at offset %2"_s.arg(partition).arg(firstOffset),
                      messages.error().describe());
        // The table stops waiting for the page and asks again when it is next shown.
        Q_EMIT kafkaPageFailed(currentSource(), partition, firstOffset);
        return;
    }
    masked(messages.value());
    Q_EMIT kafkaPageAvailable(currentSource(), partition, firstOffset, messages.value());
}

void DlqBrowseSession::scanKafka(int limit)
{
    if (!m_kafka)
        return;
    m_cancelled = false;
    auto extents = m_kafka->extents();
    if (!extents) {
        Q_EMIT failed(currentSource(), u"scan"_s, extents.error().describe());
        return;
    }
    // The newest `limit` records, shared across partitions in proportion to their size.
    qint64 total = 0;
    for (const KafkaPartitionExtent &e : extents.value())
        total += std::max<qint64>(0, e.count());
    const double share = total > limit ? double(limit) / double(total) : 1.0;
    m_scan = {};
    m_scan.source = currentSource();
    for (const KafkaPartitionExtent &e : extents.value()) {
        const qint64 take
            = std::min<qint64>(e.count(), qint64(std::ceil(double(e.count()) * share)));
        if (e.leader < 0 || take <= 0)
            continue;
        m_scan.remaining.append({e.partition, e.end - take, int(take)});
        m_scan.planned += take;
    }
    scheduleScanStep();
}

void DlqBrowseSession::scheduleScanStep()
{
    if (m_scanStepQueued) // a rescan restarts the running one: still one step per event
        return;
    m_scanStepQueued = true;
    QMetaObject::invokeMethod(this, &DlqBrowseSession::continueScan, Qt::QueuedConnection);
}

// One step of a scan per event: page requests queued meanwhile (the operator scrolling)
// are served between steps instead of after the whole scan, and only the partitions of
// one step prefetch at a time, which bounds librdkafka's queues.
void DlqBrowseSession::continueScan()
{
    m_scanStepQueued = false;
    if (!m_kafka || m_scan.source.isEmpty() || m_scan.source != currentSource())
        return;
    if (m_cancelled || m_scan.remaining.isEmpty()) {
        masked(m_scan.found);
        Q_EMIT scanAvailable(m_scan.source, m_scan.found);
        m_scan = {};
        return;
    }
    QList<KafkaReadRequest> batch;
    QSet<int> inBatch; // a partition read twice in one step would return its records twice
    int budget = ScanStep;
    while (!m_scan.remaining.isEmpty() && (batch.isEmpty() || budget > 0)
           && !inBatch.contains(m_scan.remaining.first().partition)) {
        KafkaReadRequest request = m_scan.remaining.takeFirst();
        inBatch.insert(request.partition);
        const int now = std::min({request.maxCount, ScanChunk, std::max(budget, 1)});
        batch.append({request.partition, request.offset, now});
        budget -= now;
        if (request.maxCount > now) // the rest of this partition comes later
            m_scan.remaining.append({request.partition, request.offset, request.maxCount});
    }
    auto page = m_kafka->readPage(batch, ScanPayloadBytes);
    if (!page) {
        Q_EMIT failed(m_scan.source, u"scan"_s, page.error().describe());
        m_cancelled = true;
    } else {
        for (qsizetype i = 0; i < page->ranges.size(); ++i) {
            const KafkaRangeRead &range = page->ranges[i];
            // A partition put back above continues where this read stopped.
            for (KafkaReadRequest &later : m_scan.remaining) {
                if (later.partition != range.partition)
                    continue;
                later.maxCount -= range.count;
                later.offset = range.nextOffset;
                if (range.count == 0 || range.reachedEnd())
                    later.maxCount = 0;
            }
        }
        m_scan.remaining.removeIf([](const KafkaReadRequest &r) { return r.maxCount <= 0; });
        m_scan.done += page->messages.size();
        m_scan.found.append(page->messages);
        Q_EMIT scanProgress(m_scan.source, m_scan.done, m_scan.planned);
    }
    scheduleScanStep();
}

void DlqBrowseSession::findKafkaTime(const QDateTime &time)
{
    if (!m_kafka)
        return;
    auto offsets = m_kafka->offsetsForTime(time);
    if (!offsets) {
        Q_EMIT failed(currentSource(), u"find offsets for a time"_s, offsets.error().describe());
        return;
    }
    // The first partition with a record at or after the time: the table is partition-major.
    auto extents = m_kafka->extents();
    if (!extents) {
        Q_EMIT failed(currentSource(), u"find offsets for a time"_s, extents.error().describe());
        return;
    }
    for (auto it = offsets->begin(); it != offsets->end(); ++it) {
        const bool hasRecord = std::any_of(extents->begin(), extents->end(), [&](const auto &e) {
            return e.partition == it.key() && it.value() < e.end;
        });
        if (hasRecord) {
            Q_EMIT kafkaTimeFound(currentSource(), it.key(), it.value());
            return;
        }
    }
    Q_EMIT failed(currentSource(), u"find offsets for a time"_s,
                  u"no record at or after "_s + time.toString(Qt::ISODate));
}

void DlqBrowseSession::tailKafka(bool on)
{
    if (!m_kafka)
        return;
    if (!m_tailTimer) {
        m_tailTimer = new QTimer(this);
        m_tailTimer->setSingleShot(true);
        connect(m_tailTimer, &QTimer::timeout, this, &DlqBrowseSession::pollTail);
    }
    if (!on) {
        m_tailTimer->stop();
        return;
    }
    auto extents = m_kafka->extents();
    if (!extents) {
        Q_EMIT failed(currentSource(), u"tail"_s, extents.error().describe());
        return;
    }
    m_tailOffsets.clear();
    for (const KafkaPartitionExtent &e : extents.value())
        if (e.leader >= 0)
            m_tailOffsets.insert(e.partition, e.end);
    Q_EMIT tailStarted(currentSource());
    m_tailTimer->start(0);
}

void DlqBrowseSession::refreshKafka()
{
    if (!m_kafka)
        return;
    auto extents = m_kafka->extents();
    if (!extents) {
        Q_EMIT failed(currentSource(), u"read the partitions' offsets"_s,
                      extents.error().describe());
        return;
    }
    Q_EMIT kafkaOpened(currentSource(), extents.value());
}

void DlqBrowseSession::pollTail()
{
    if (!m_kafka)
        return;
    auto messages = m_kafka->readNew(m_tailOffsets, TailBatch, TailWait);
    if (!messages)
        Q_EMIT failed(currentSource(), u"tail"_s, messages.error().describe());
    else if (!messages->isEmpty())
        Q_EMIT tailAvailable(currentSource(), masked(messages.value()));
    m_tailTimer->start(TailIntervalMs);
}

void DlqBrowseSession::browseRabbit(const RabbitBrowseOptions &options)
{
    if (!m_rabbit)
        return;
    auto result = m_rabbit->browse(m_source.vhost, m_source.name, options);
    if (!result) {
        Q_EMIT failed(currentSource(), u"browse"_s, result.error().describe());
        return;
    }
    masked(result.value().messages);
    Q_EMIT rabbitBrowsed(currentSource(), result.value());
}

void DlqBrowseSession::loadWhole(const BrowsedMessage &message)
{
    if (m_kafka) {
        auto read = m_kafka->read(message.partition, message.offset, 1, WholeKafkaPayload);
        if (read && !read->isEmpty() && read->first().offset == message.offset)
            Q_EMIT wholeMessageAvailable(currentSource(), masked(read.value().first()));
        else
            Q_EMIT failed(currentSource(), u"load the whole message"_s,
                          read ? u"the record is gone (retention or compaction)"_s
                               : read.error().describe());
        return;
    }
    if (!m_rabbit)
        return;
    RabbitBrowseOptions options;
    options.offset = message.position >= 0 ? message.position : message.offset;
    options.limit = 1;
    options.maxPayloadBytes = WholeRabbitPayload;
    auto result = m_rabbit->browse(m_source.vhost, m_source.name, options);
    // The queue may have moved on since the first browse: only the same message will do,
    // and a "#<position>" id is no proof of that.
    const auto same = [&message](const BrowsedMessage &found) {
        return found.id == message.id && found.payloadSize == message.payloadSize
            && found.payload.startsWith(message.payload);
    };
    if (result && !result->messages.isEmpty() && same(result->messages.first()))
        Q_EMIT wholeMessageAvailable(currentSource(), masked(result.value().messages.first()));
    else
        Q_EMIT failed(currentSource(), u"load the whole message"_s,
                      result ? u"the message is no longer at position %1"_s.arg(options.offset)
                             : result.error().describe());
}

} // namespace veltrix
