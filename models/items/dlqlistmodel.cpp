#include "dlqlistmodel.h"

#include "lagformat.h"
#include "rowmerge.h"

namespace veltrix {

using namespace Qt::StringLiterals;

namespace {

bool sameCells(const DlqInfo &a, const DlqInfo &b)
{
    return a.source == b.source && a.queueType == b.queueType && a.retry == b.retry
        && a.why == b.why && a.depth == b.depth && a.partitions == b.partitions
        && a.inflowPerSecond == b.inflowPerSecond && a.deliveryLimit == b.deliveryLimit;
}

QString typeText(const DlqInfo &info)
{
    QString type;
    if (info.source.kind == ClusterKind::Kafka)
        type = u"topic, "_s + QString::number(info.partitions) + u" partition(s)"_s;
    else
        type = info.queueType + u" queue"_s;
    if (info.deliveryLimit)
        type += u", delivery-limit "_s + QString::number(*info.deliveryLimit);
    return info.retry ? type + u" (retry)"_s : type;
}

} // namespace

DlqListModel::DlqListModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

void DlqListModel::takeListing(const DlqListing &listing)
{
    if (listing.error.isEmpty())
        m_errors.remove(listing.clusterName);
    else
        m_errors.insert(listing.clusterName, listing.error);
    m_byCluster.insert(listing.clusterName, listing.queues);

    std::vector<Row> incoming;
    for (const QList<DlqInfo> &queues : std::as_const(m_byCluster))
        for (const DlqInfo &info : queues)
            incoming.push_back({info.source.toString(), info});
    sortUniqueBy(incoming, &Row::key);
    std::vector<QString> keys;
    keys.reserve(incoming.size());
    for (const Row &row : incoming)
        keys.push_back(row.key);

    mergeSortedRows(
        int(m_rows.size()), [this](int row) -> const QString & { return m_rows[size_t(row)].key; },
        keys,
        [this](int first, int last) {
            beginRemoveRows({}, first, last);
            m_rows.erase(m_rows.begin() + first, m_rows.begin() + last + 1);
            endRemoveRows();
        },
        [this, &incoming](int row, size_t first, size_t last) {
            beginInsertRows({}, row, row + int(last - first) - 1);
            m_rows.insert(m_rows.begin() + row, incoming.begin() + qsizetype(first),
                          incoming.begin() + qsizetype(last));
            endInsertRows();
        },
        [this, &incoming](int row, size_t key) {
            Row &current = m_rows[size_t(row)];
            if (sameCells(current.info, incoming[key].info))
                return false;
            current = std::move(incoming[key]);
            return true;
        },
        [this](int first, int last) {
            Q_EMIT dataChanged(index(first, 0), index(last, ColumnCount - 1));
        });
}

const DlqInfo *DlqListModel::infoAt(int row) const
{
    return row >= 0 && size_t(row) < m_rows.size() ? &m_rows[size_t(row)].info : nullptr;
}

int DlqListModel::rowOf(const QString &source) const
{
    for (size_t i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].key == source)
            return int(i);
    return -1;
}

int DlqListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int DlqListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant DlqListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const QStringList titles {u"DLQ"_s,   u"Cluster"_s,  u"Type"_s,
                                     u"Depth"_s, u"Inflow/s"_s, u"Detected by"_s};
    return titles.value(section);
}

QVariant DlqListModel::data(const QModelIndex &index, int role) const
{
    const DlqInfo *info = index.isValid() ? infoAt(index.row()) : nullptr;
    if (!info)
        return {};
    if (role == SourceRole)
        return m_rows[size_t(index.row())].key;
    if (role == Qt::TextAlignmentRole)
        return index.column() == Depth || index.column() == Inflow
            ? QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter)
            : QVariant();
    if (role == Qt::ToolTipRole)
        return m_rows[size_t(index.row())].key;
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Name:
        return info->source.kind == ClusterKind::RabbitMq && info->source.vhost != u"/"
            ? info->source.vhost + u'/' + info->source.name
            : info->source.name;
    case Cluster:
        return info->source.cluster;
    case Type:
        return typeText(*info);
    case Depth:
        return info->depth >= 0 ? formatCount(info->depth) : u"?"_s;
    case Inflow:
        return info->inflowPerSecond >= 0 ? QString::number(info->inflowPerSecond, 'f', 1) : u"…"_s;
    case DetectedBy:
        return info->why;
    default:
        return {};
    }
}

} // namespace veltrix
