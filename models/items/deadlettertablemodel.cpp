#include "deadlettertablemodel.h"

#include "deadletter/payloadview.h"
#include "deadletter/triage.h"

#include <algorithm>
#include <functional>

namespace veltrix {

using namespace Qt::StringLiterals;

namespace {

// What a screen shows (a page is 200 rows), even when pages are huge: pages of 1 MiB
// payloads are 200 MiB each, so the budget wins over everything but the screen.
constexpr int MinPagesKept = 2;
constexpr int PreviewChars = 160;

QString shortClassName(const QString &fqcn)
{
    return fqcn.mid(fqcn.lastIndexOf(u'.') + 1);
}

qint64 messageBytes(const BrowsedMessage &message)
{
    qint64 bytes = message.payload.size() + qint64(sizeof(BrowsedMessage));
    for (const KafkaHeader &header : message.kafkaHeaders)
        bytes += header.name.size() + header.value.size();
    return bytes;
}

} // namespace

DeadLetterTableModel::DeadLetterTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

int DeadLetterTableModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid())
        return 0;
    return m_paged ? int(std::min<qint64>(m_rows, std::numeric_limits<int>::max()))
                   : int(m_visible.size());
}

int DeadLetterTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant DeadLetterTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const QStringList titles {
        u"Id"_s,     u"Time"_s,      u"Key"_s,      u"Original destination"_s,
        u"Reason"_s, u"Exception"_s, u"Attempts"_s, u"Size"_s,
        u"Payload"_s};
    return titles.value(section);
}

// Inside a model reset only.
void DeadLetterTableModel::forgetContents()
{
    m_paged = false;
    m_extents.clear();
    m_firstRow.clear();
    m_rows = 0;
    m_pages.clear();
    m_requested.clear();
    m_stale.clear();
    m_cachedBytes = 0;
    m_list.clear();
    m_visible.clear();
}

void DeadLetterTableModel::clear()
{
    beginResetModel();
    forgetContents();
    endResetModel();
}

// ---- paged mode ---------------------------------------------------------------------------

void DeadLetterTableModel::showExtents(const QList<KafkaPartitionExtent> &extents)
{
    beginResetModel();
    forgetContents();
    m_paged = true;
    m_extents = extents;
    std::sort(m_extents.begin(), m_extents.end(),
              [](const auto &a, const auto &b) { return a.partition < b.partition; });
    rebuildRowIndex();
    endResetModel();
}

void DeadLetterTableModel::updateExtents(const QList<KafkaPartitionExtent> &extents)
{
    QList<KafkaPartitionExtent> incoming = extents;
    std::sort(incoming.begin(), incoming.end(),
              [](const auto &a, const auto &b) { return a.partition < b.partition; });
    const bool samePartitions = m_paged && incoming.size() == m_extents.size()
        && std::equal(incoming.begin(), incoming.end(), m_extents.begin(),
                      [](const auto &a, const auto &b) { return a.partition == b.partition; });
    if (!samePartitions) {
        showExtents(extents);
        return;
    }
    // Last partition first: rows of the partitions before it keep their numbers meanwhile.
    for (qsizetype i = m_extents.size() - 1; i >= 0; --i) {
        KafkaPartitionExtent &current = m_extents[i];
        const KafkaPartitionExtent &next = incoming[i];
        if (next.start == current.start && next.end == current.end)
            continue;
        const qint64 first = m_firstRow[size_t(i)];
        const bool readable = current.count() >= 0 && next.count() >= 0;
        if (!readable || next.start < current.start || next.end < current.end
            || next.start >= current.end) {
            // Truncated, recreated or wholly expired: cut the partition's rows anew.
            recutPartition(i, next);
            continue;
        }
        if (next.start > current.start) { // retention: the oldest rows go
            beginRemoveRows({}, int(first), int(first + next.start - current.start - 1));
            current.start = next.start;
            dropPages(current.partition,
                      [&next](qint64 pageStart) { return pageStart + PageSize <= next.start; });
            rebuildRowIndex();
            endRemoveRows();
        }
        if (next.end > current.end) { // arrivals: new rows at the partition's end
            // The page holding the old end was read short, or is being read short now.
            const qint64 lastOld = current.end - 1;
            dropPages(current.partition,
                      [lastOld](qint64 pageStart) { return pageStart + PageSize > lastOld; });
            const qint64 at = first + current.count();
            beginInsertRows({}, int(at), int(at + next.end - current.end - 1));
            current.end = next.end;
            rebuildRowIndex();
            endInsertRows();
        }
        current.leader = next.leader;
    }
}

void DeadLetterTableModel::recutPartition(qsizetype index, const KafkaPartitionExtent &next)
{
    KafkaPartitionExtent &current = m_extents[index];
    const qint64 first = m_firstRow[size_t(index)];
    const qint64 oldCount = std::max<qint64>(0, current.count());
    if (oldCount > 0) {
        beginRemoveRows({}, int(first), int(first + oldCount - 1));
        current.start = current.end = 0;
        rebuildRowIndex();
        endRemoveRows();
    }
    dropPages(next.partition, [](qint64) { return true; });
    const qint64 newCount = std::max<qint64>(0, next.count());
    if (newCount > 0)
        beginInsertRows({}, int(first), int(first + newCount - 1));
    current = next;
    rebuildRowIndex();
    if (newCount > 0)
        endInsertRows();
}

void DeadLetterTableModel::dropPages(int partition, const std::function<bool(qint64)> &which)
{
    for (auto it = m_pages.begin(); it != m_pages.end();) {
        if (it.key().partition == partition && which(it.key().firstOffset)) {
            m_cachedBytes -= it->bytes;
            it = m_pages.erase(it);
        } else {
            ++it;
        }
    }
    // An answer on its way was read before the change: it is dropped when it comes.
    for (auto it = m_requested.begin(); it != m_requested.end();) {
        if (it->partition == partition && which(it->firstOffset)) {
            m_stale.insert(*it);
            it = m_requested.erase(it);
        } else {
            ++it;
        }
    }
}

void DeadLetterTableModel::pageFailed(int partition, qint64 firstOffset)
{
    // Asked again the next time one of its rows is painted.
    m_requested.remove({partition, firstOffset});
}

void DeadLetterTableModel::rebuildRowIndex()
{
    m_firstRow.clear();
    m_rows = 0;
    for (const KafkaPartitionExtent &extent : std::as_const(m_extents)) {
        m_firstRow.push_back(m_rows);
        m_rows += std::max<qint64>(0, extent.count());
    }
}

DeadLetterTableModel::Location DeadLetterTableModel::locate(int row) const
{
    if (row < 0 || row >= m_rows || m_firstRow.empty())
        return {};
    // The last extent starting at or before `row`; empty partitions share a first row.
    const auto it = std::upper_bound(m_firstRow.begin(), m_firstRow.end(), qint64(row));
    const auto index = qsizetype(std::distance(m_firstRow.begin(), it)) - 1;
    const KafkaPartitionExtent &extent = m_extents[index];
    const qint64 within = row - m_firstRow[size_t(index)];
    const qint64 offset = extent.start + within;
    // Pages sit at whole multiples of PageSize, so retention moving the log start leaves
    // the pages above it as they are.
    return {extent.partition, offset, offset / PageSize * PageSize};
}

int DeadLetterTableModel::rowOf(int partition, qint64 offset) const
{
    for (qsizetype i = 0; i < m_extents.size(); ++i) {
        const KafkaPartitionExtent &extent = m_extents[i];
        if (extent.partition == partition && offset >= extent.start && offset < extent.end)
            return int(m_firstRow[size_t(i)] + offset - extent.start);
    }
    return -1;
}

const BrowsedMessage *DeadLetterTableModel::pagedMessage(int row, bool ask) const
{
    const Location at = locate(row);
    if (at.partition < 0)
        return nullptr;
    const PageKey key {at.partition, at.pageStart};
    const auto page = m_pages.find(key);
    if (page == m_pages.end()) {
        if (ask && !m_requested.contains(key)) {
            m_requested.insert(key);
            // data() is const, but asking for what is on screen is the point of it.
            Q_EMIT const_cast<DeadLetterTableModel *>(this)->pageNeeded(at.partition, at.pageStart,
                                                                        PageSize);
        }
        return nullptr;
    }
    page->lastUse = ++m_useClock;
    const BrowsedMessageList &messages = page->messages;
    const auto it
        = std::lower_bound(messages.begin(), messages.end(), at.offset,
                           [](const BrowsedMessage &m, qint64 o) { return m.offset < o; });
    return it != messages.end() && it->offset == at.offset ? &*it : nullptr;
}

void DeadLetterTableModel::addPage(int partition, qint64 firstOffset,
                                   const BrowsedMessageList &messages)
{
    const PageKey key {partition, firstOffset};
    m_requested.remove(key);
    if (m_stale.remove(key) || !m_paged)
        return;
    Page page;
    for (const BrowsedMessage &message : messages) {
        if (message.partition != partition || message.offset < firstOffset
            || message.offset >= firstOffset + PageSize)
            continue;
        page.bytes += messageBytes(message);
        page.messages.append(message);
    }
    page.lastUse = ++m_useClock;
    if (const auto old = m_pages.constFind(key); old != m_pages.cend())
        m_cachedBytes -= old->bytes;
    m_cachedBytes += page.bytes;
    m_pages.insert(key, std::move(page));
    evictPages();

    const auto extent
        = std::find_if(m_extents.cbegin(), m_extents.cend(),
                       [partition](const auto &e) { return e.partition == partition; });
    if (extent == m_extents.cend())
        return;
    const int first = rowOf(partition, std::max(firstOffset, extent->start));
    const int last = rowOf(partition, std::min(firstOffset + PageSize, extent->end) - 1);
    if (first >= 0 && last >= first)
        Q_EMIT dataChanged(index(first, 0), index(last, ColumnCount - 1));
}

void DeadLetterTableModel::evictPages()
{
    while (m_cachedBytes > m_cacheBudget && m_pages.size() > MinPagesKept) {
        auto oldest = m_pages.begin();
        for (auto it = m_pages.begin(); it != m_pages.end(); ++it)
            if (it->lastUse < oldest->lastUse)
                oldest = it;
        m_cachedBytes -= oldest->bytes;
        m_pages.erase(oldest);
    }
}

// ---- list mode ----------------------------------------------------------------------------

void DeadLetterTableModel::showMessages(BrowsedMessageList messages)
{
    beginResetModel();
    forgetContents();
    m_list = std::move(messages);
    applyFilter();
    endResetModel();
}

void DeadLetterTableModel::appendMessages(const BrowsedMessageList &messages)
{
    if (m_paged)
        return;
    QList<qsizetype> added;
    for (const BrowsedMessage &message : messages) {
        m_list.append(message);
        if (m_filter.matches(message))
            added.append(m_list.size() - 1);
    }
    if (added.isEmpty())
        return;
    beginInsertRows({}, int(m_visible.size()), int(m_visible.size() + added.size() - 1));
    m_visible.append(added);
    endInsertRows();
}

void DeadLetterTableModel::setFilter(const MessageFilter &filter)
{
    if (filter == m_filter)
        return;
    beginResetModel();
    m_filter = filter;
    applyFilter();
    endResetModel();
}

void DeadLetterTableModel::applyFilter()
{
    m_visible.clear();
    for (qsizetype i = 0; i < m_list.size(); ++i)
        if (m_filter.matches(m_list[i]))
            m_visible.append(i);
}

BrowsedMessageList DeadLetterTableModel::visibleMessages() const
{
    BrowsedMessageList out;
    out.reserve(m_visible.size());
    for (const qsizetype i : m_visible)
        out.append(m_list[i]);
    return out;
}

// ---- cells --------------------------------------------------------------------------------

const BrowsedMessage *DeadLetterTableModel::messageAt(int row) const
{
    if (m_paged)
        return pagedMessage(row, true);
    return row >= 0 && row < m_visible.size() ? &m_list[m_visible[row]] : nullptr;
}

const BrowsedMessage *DeadLetterTableModel::loadedMessageAt(int row) const
{
    if (m_paged)
        return pagedMessage(row, false);
    return row >= 0 && row < m_visible.size() ? &m_list[m_visible[row]] : nullptr;
}

QVariant DeadLetterTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const BrowsedMessage *message = messageAt(index.row());
    if (role == LoadedRole)
        return message != nullptr;
    if (!message) {
        if (role != Qt::DisplayRole || index.column() != Id)
            return {};
        const Location at = locate(index.row());
        if (at.partition < 0)
            return {};
        // A loaded page without this offset: nothing is there to read any more.
        const bool gap = m_pages.contains({at.partition, at.pageStart});
        return QString(
            QString::number(at.partition) + u':' + QString::number(at.offset)
            + (gap ? u" (no record: compacted, expired or a transaction marker)"_s : u" …"_s));
    }
    switch (role) {
    case Qt::DisplayRole:
        return display(*message, index.column());
    case Qt::ToolTipRole:
        if (!message->deadLetter.warnings.isEmpty())
            return QString(u"Malformed dead-letter metadata, shown raw:\n"_s
                           + message->deadLetter.warnings.join(u'\n'));
        if (index.column() == Exception)
            return QString(message->deadLetter.exceptionClass + u'\n'
                           + message->deadLetter.exceptionMessage);
        return {};
    case HasWarningsRole:
        return !message->deadLetter.warnings.isEmpty();
    case Qt::TextAlignmentRole:
        if (index.column() == Attempts || index.column() == Size)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    default:
        return {};
    }
}

QVariant DeadLetterTableModel::display(const BrowsedMessage &message, int column) const
{
    const DeadLetter &dl = message.deadLetter;
    switch (column) {
    case Id:
        return message.id;
    case Time: {
        const QDateTime time = message.shownTime();
        return time.isValid() ? time.toLocalTime().toString(u"yyyy-MM-dd HH:mm:ss.zzz"_s)
                              : QString();
    }
    case Key:
        return message.key ? payloadPreview(*message.key, 60) : QString();
    case Destination:
        return dl.originalDestination;
    case Reason:
        return dl.reason;
    case Exception:
        if (dl.exceptionClass.isEmpty())
            return dl.exceptionMessage;
        // The cause's words first: Spring's wrapper prefix is the same on every row.
        return QString(shortClassName(dl.exceptionClass)
                       + (dl.exceptionMessage.isEmpty()
                              ? QString()
                              : QString(u": "_s + withoutListenerWrapper(dl.exceptionMessage))));
    case Attempts:
        return dl.attempts >= 0 ? QVariant(dl.attempts) : QVariant();
    case Size:
        return formatByteSize(message.payloadSize);
    case Payload:
        return payloadPreview(message.payload, PreviewChars, message.payloadSize);
    default:
        return {};
    }
}

} // namespace veltrix
