#pragma once

#include "core/browsedmessage.h"
#include "deadletter/messagefilter.h"
#include "kafka/kafkatopicbrowser.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QSet>

#include <functional>
#include <vector>

namespace veltrix {

// The DLQ message table. Two ways to fill it:
//  - paged (a Kafka DLT): a row per offset between each partition's log start and end,
//    partition after partition, read in pages of PageSize offsets at whole multiples of
//    PageSize. Only pages near what the view shows are held: a row
//    whose page is not loaded shows a placeholder and asks for it (pageNeeded), and the
//    least recently used pages go when the cache passes its byte budget. A 1,000,000-row
//    topic costs a few pages of memory.
//  - a list (a RabbitMQ browse, a Kafka triage scan, a tail): the messages themselves,
//    narrowed by a MessageFilter.
class DeadLetterTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        Id,
        Time,
        Key,
        Destination,
        Reason,
        Exception,
        Attempts,
        Size,
        Payload,
        ColumnCount
    };
    enum Role {
        HasWarningsRole = Qt::UserRole + 1, // bool: the dead-letter metadata was malformed
        LoadedRole, // bool: false while the row's page is being read
    };
    static constexpr int PageSize = 200;
    static constexpr qint64 DefaultCacheBytes = 64 * 1024 * 1024;

    explicit DeadLetterTableModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    // Paged mode.
    void showExtents(const QList<KafkaPartitionExtent> &extents);
    // The same partitions later: records that arrived become rows at the end of their
    // partition's range and records gone to retention leave from its start, without a
    // reset, so selection and scroll stay. Other partitions: showExtents().
    void updateExtents(const QList<KafkaPartitionExtent> &extents);
    void addPage(int partition, qint64 firstOffset, const BrowsedMessageList &messages);
    void pageFailed(int partition, qint64 firstOffset);
    void setCacheBudget(qint64 bytes) { m_cacheBudget = bytes; }
    int rowOf(int partition, qint64 offset) const; // -1 when outside the extents
    qint64 cachedBytes() const { return m_cachedBytes; }
    int cachedPages() const { return int(m_pages.size()); }

    // List mode.
    void showMessages(BrowsedMessageList messages);
    void appendMessages(const BrowsedMessageList &messages); // e.g. a tail; keeps the filter
    void setFilter(const MessageFilter &filter);
    const MessageFilter &filter() const { return m_filter; }
    qsizetype unfilteredCount() const { return m_list.size(); }
    BrowsedMessageList visibleMessages() const;
    const BrowsedMessageList &allMessages() const { return m_list; }

    void clear();
    bool isPaged() const { return m_paged; }
    // The message on a row; nullptr while its page is not loaded (which asks for it).
    const BrowsedMessage *messageAt(int row) const;
    // The same without asking: for going over a selection of any size.
    const BrowsedMessage *loadedMessageAt(int row) const;

Q_SIGNALS:
    // Paged mode: rows of this page are on screen but not loaded.
    void pageNeeded(int partition, qint64 firstOffset, int count);

private:
    struct PageKey
    {
        int partition;
        qint64 firstOffset;
        friend bool operator==(const PageKey &, const PageKey &) = default;
        friend size_t qHash(const PageKey &key, size_t seed = 0)
        {
            return qHashMulti(seed, key.partition, key.firstOffset);
        }
    };
    struct Page
    {
        BrowsedMessageList messages; // ascending offsets, possibly with gaps
        qint64 bytes = 0;
        quint64 lastUse = 0;
    };
    struct Location
    {
        int partition = -1;
        qint64 offset = -1;
        qint64 pageStart = -1;
    };

    Location locate(int row) const;
    void rebuildRowIndex();
    void forgetContents();
    void recutPartition(qsizetype index, const KafkaPartitionExtent &next);
    void dropPages(int partition, const std::function<bool(qint64)> &which);
    const BrowsedMessage *pagedMessage(int row, bool ask) const;
    void evictPages();
    void applyFilter();
    QVariant display(const BrowsedMessage &message, int column) const;

    bool m_paged = false;
    QList<KafkaPartitionExtent> m_extents;
    std::vector<qint64> m_firstRow; // per extent: the row its start offset is on
    qint64 m_rows = 0;
    mutable QHash<PageKey, Page> m_pages;
    mutable QSet<PageKey> m_requested;
    QSet<PageKey> m_stale; // requested before the partition changed: ignored on arrival
    mutable quint64 m_useClock = 0;
    qint64 m_cachedBytes = 0;
    qint64 m_cacheBudget = DefaultCacheBytes;

    BrowsedMessageList m_list;
    QList<qsizetype> m_visible; // indexes into m_list that pass the filter
    MessageFilter m_filter;
};

} // namespace veltrix
