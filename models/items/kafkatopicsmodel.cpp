#include "kafkatopicsmodel.h"

#include "rowmerge.h"

#include <algorithm>

namespace veltrix {

namespace {

bool sameOffsets(const TopicPartitionOffsets &a, const TopicPartitionOffsets &b)
{
    return a.partition == b.partition && a.leader == b.leader && a.replicas == b.replicas
        && a.isr == b.isr && a.startOffset == b.startOffset && a.endOffset == b.endOffset;
}

QString brokerList(const QList<int> &brokers)
{
    QStringList ids;
    for (const int id : brokers)
        ids << QString::number(id);
    return ids.join(QStringLiteral(", "));
}

bool underReplicated(const TopicPartitionOffsets &p)
{
    return p.isr.size() < p.replicas.size();
}

std::optional<qint64> retained(const TopicPartitionOffsets &p)
{
    if (p.startOffset < 0 || p.endOffset < 0)
        return std::nullopt;
    return p.endOffset - p.startOffset;
}

QVariant optionalCount(const std::optional<qint64> &value)
{
    return value ? QVariant(*value) : QVariant();
}

int alignRight()
{
    return static_cast<int>(Qt::AlignRight | Qt::AlignVCenter);
}

} // namespace

KafkaTopicsModel::KafkaTopicsModel(QObject *parent)
    : QAbstractItemModel(parent)
{ }

KafkaTopicsModel::~KafkaTopicsModel() = default;

KafkaTopicsModel::Topics KafkaTopicsModel::buildTopics(const QList<TopicOffsets> &topics)
{
    std::vector<const TopicOffsets *> sorted;
    sorted.reserve(static_cast<size_t>(topics.size()));
    for (const TopicOffsets &topic : topics)
        sorted.push_back(&topic);
    const auto byName
        = [](const TopicOffsets *a, const TopicOffsets *b) { return a->name < b->name; };
    if (!std::is_sorted(sorted.begin(), sorted.end(), byName))
        std::stable_sort(sorted.begin(), sorted.end(), byName);

    Topics nodes;
    for (const TopicOffsets *topic : sorted) {
        if (!nodes.empty() && nodes.back()->topic == topic->name)
            continue; // duplicate name: keys must stay unique
        auto node = std::make_unique<TopicNode>();
        node->topic = topic->name;
        node->partitions.assign(topic->partitions.cbegin(), topic->partitions.cend());
        std::stable_sort(node->partitions.begin(), node->partitions.end(),
                         [](const auto &a, const auto &b) { return a.partition < b.partition; });
        node->partitions.erase(
            std::unique(node->partitions.begin(), node->partitions.end(),
                        [](const auto &a, const auto &b) { return a.partition == b.partition; }),
            node->partitions.end());
        TopicSummary &s = node->summary;
        s.partitions = static_cast<int>(node->partitions.size());
        s.internal = topic->internal;
        s.messagesPerSecond = topic->messagesPerSecond;
        for (const TopicPartitionOffsets &p : node->partitions) {
            s.replicationFactor
                = std::max(s.replicationFactor, static_cast<int>(p.replicas.size()));
            s.withoutLeader += p.leader < 0 ? 1 : 0;
            s.underReplicated += underReplicated(p) ? 1 : 0;
            if (const auto held = retained(p))
                s.messages = s.messages.value_or(0) + *held;
        }
        nodes.push_back(std::move(node));
    }
    return nodes;
}

void KafkaTopicsModel::renumber()
{
    for (size_t row = 0; row < m_topics.size(); ++row)
        m_topics[row]->row = static_cast<int>(row);
}

void KafkaTopicsModel::clear()
{
    beginResetModel();
    m_cluster.clear();
    m_topics.clear();
    endResetModel();
}

void KafkaTopicsModel::applySnapshot(const LagSnapshot &snapshot)
{
    Topics incoming = buildTopics(snapshot.topics);
    if (snapshot.cluster != m_cluster) {
        beginResetModel();
        m_cluster = snapshot.cluster;
        m_topics = std::move(incoming);
        renumber();
        endResetModel();
        return;
    }
    std::vector<QString> keys;
    keys.reserve(incoming.size());
    for (const auto &node : incoming)
        keys.push_back(node->topic);
    mergeSortedRows(
        static_cast<int>(m_topics.size()),
        [this](int row) -> const QString & { return m_topics[static_cast<size_t>(row)]->topic; },
        keys,
        [this](int first, int last) {
            beginRemoveRows({}, first, last);
            m_topics.erase(m_topics.begin() + first, m_topics.begin() + last + 1);
            renumber();
            endRemoveRows();
        },
        [this, &incoming](int row, size_t first, size_t last) {
            beginInsertRows({}, row, row + static_cast<int>(last - first) - 1);
            m_topics.insert(
                m_topics.begin() + row,
                std::make_move_iterator(incoming.begin() + static_cast<qsizetype>(first)),
                std::make_move_iterator(incoming.begin() + static_cast<qsizetype>(last)));
            renumber();
            endInsertRows();
        },
        [this, &incoming](int row, size_t key) {
            return mergePartitions(*m_topics[static_cast<size_t>(row)], *incoming[key]);
        },
        [this](int first, int last) {
            Q_EMIT dataChanged(index(first, 0), index(last, ColumnCount - 1));
        });
}

bool KafkaTopicsModel::mergePartitions(TopicNode &node, TopicNode &incoming)
{
    const QModelIndex parent = createIndex(node.row, 0, nullptr);
    std::vector<int> keys;
    keys.reserve(incoming.partitions.size());
    for (const TopicPartitionOffsets &p : incoming.partitions)
        keys.push_back(p.partition);
    auto &partitions = node.partitions;
    mergeSortedRows(
        static_cast<int>(partitions.size()),
        [&partitions](int row) -> const int & {
            return partitions[static_cast<size_t>(row)].partition;
        },
        keys,
        [&](int first, int last) {
            beginRemoveRows(parent, first, last);
            partitions.erase(partitions.begin() + first, partitions.begin() + last + 1);
            endRemoveRows();
        },
        [&](int row, size_t first, size_t last) {
            beginInsertRows(parent, row, row + static_cast<int>(last - first) - 1);
            partitions.insert(partitions.begin() + row,
                              incoming.partitions.begin() + static_cast<qsizetype>(first),
                              incoming.partitions.begin() + static_cast<qsizetype>(last));
            endInsertRows();
        },
        [&](int row, size_t key) {
            auto &current = partitions[static_cast<size_t>(row)];
            if (sameOffsets(current, incoming.partitions[key]))
                return false;
            current = incoming.partitions[key];
            return true;
        },
        [&](int first, int last) {
            Q_EMIT dataChanged(index(first, 0, parent), index(last, ColumnCount - 1, parent));
        });
    if (node.summary == incoming.summary)
        return false;
    node.summary = incoming.summary;
    return true;
}

QModelIndex KafkaTopicsModel::topicIndex(const QString &topic, int column) const
{
    const auto it = std::lower_bound(
        m_topics.cbegin(), m_topics.cend(), topic,
        [](const auto &node, const QString &name) { return node->topic < name; });
    if (it == m_topics.cend() || (*it)->topic != topic)
        return {};
    return createIndex((*it)->row, column, nullptr);
}

int KafkaTopicsModel::partitionCount() const
{
    int count = 0;
    for (const auto &node : m_topics)
        count += static_cast<int>(node->partitions.size());
    return count;
}

QModelIndex KafkaTopicsModel::index(int row, int column, const QModelIndex &parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    if (!parent.isValid())
        return createIndex(row, column, nullptr);
    return createIndex(row, column, m_topics[static_cast<size_t>(parent.row())].get());
}

QModelIndex KafkaTopicsModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    const auto *node = static_cast<const TopicNode *>(child.internalPointer());
    return node ? createIndex(node->row, 0, nullptr) : QModelIndex();
}

int KafkaTopicsModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return static_cast<int>(m_topics.size());
    if (parent.column() != 0 || parent.internalPointer())
        return 0;
    return static_cast<int>(m_topics[static_cast<size_t>(parent.row())]->partitions.size());
}

int KafkaTopicsModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QVariant KafkaTopicsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    if (const auto *node = static_cast<const TopicNode *>(index.internalPointer()))
        return partitionData(node->partitions[static_cast<size_t>(index.row())], index.column(),
                             role);
    return topicData(*m_topics[static_cast<size_t>(index.row())], index.column(), role);
}

QVariant KafkaTopicsModel::topicData(const TopicNode &node, int column, int role) const
{
    const TopicSummary &s = node.summary;
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case NameColumn:
            return s.internal ? QString(node.topic + QStringLiteral(" (internal)")) : node.topic;
        case PartitionsColumn:
            return s.partitions;
        case LeaderColumn:
            return s.withoutLeader > 0 ? QStringLiteral("%1 without leader").arg(s.withoutLeader)
                                       : QString();
        case ReplicasColumn:
            return QStringLiteral("RF %1").arg(s.replicationFactor);
        case IsrColumn:
            return s.underReplicated > 0
                ? QStringLiteral("%1 under-replicated").arg(s.underReplicated)
                : QStringLiteral("in sync");
        case MessagesColumn:
            return s.messages ? formatCount(*s.messages) : QStringLiteral("?");
        case RateColumn:
            return formatRate(s.messagesPerSecond);
        default:
            return {};
        }
    case Qt::ToolTipRole:
        switch (column) {
        case NameColumn:
            return s.internal ? QStringLiteral("Internal topic (Kafka's own bookkeeping)")
                              : QVariant();
        case MessagesColumn:
            return QStringLiteral("Messages the log holds now: end minus start offset, summed "
                                  "over the partitions.");
        case RateColumn:
            return s.messagesPerSecond
                ? QStringLiteral("Produce rate from the log end's history")
                : QStringLiteral("Not known yet: the rate needs two polls of the log end.");
        default:
            return {};
        }
    case Qt::TextAlignmentRole:
        return column == PartitionsColumn || column == MessagesColumn || column == RateColumn
            ? QVariant(alignRight())
            : QVariant();
    case LagSortRole:
        switch (column) {
        case NameColumn:
            return node.topic;
        case PartitionsColumn:
            return s.partitions;
        case LeaderColumn:
            return s.withoutLeader;
        case ReplicasColumn:
            return s.replicationFactor;
        case IsrColumn:
            return s.underReplicated;
        case MessagesColumn:
            return optionalCount(s.messages);
        case RateColumn:
            return s.messagesPerSecond ? QVariant(*s.messagesPerSecond) : QVariant();
        default:
            return {};
        }
    case LagEmphasisRole: {
        CellEmphasis emphasis = CellEmphasis::None;
        if (column == LeaderColumn && s.withoutLeader > 0)
            emphasis = CellEmphasis::Alarm;
        else if (column == IsrColumn && s.underReplicated > 0)
            emphasis = CellEmphasis::Warning;
        else if ((column == NameColumn && s.internal)
                 || (column == RateColumn && !s.messagesPerSecond))
            emphasis = CellEmphasis::Muted;
        return static_cast<int>(emphasis);
    }
    case LagKeyRole:
        return node.topic;
    default:
        return {};
    }
}

QVariant KafkaTopicsModel::partitionData(const TopicPartitionOffsets &p, int column, int role) const
{
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case NameColumn:
            return QString::number(p.partition);
        case LeaderColumn:
            return p.leader < 0 ? QStringLiteral("none") : QString::number(p.leader);
        case ReplicasColumn:
            return brokerList(p.replicas);
        case IsrColumn:
            return brokerList(p.isr);
        case StartColumn:
            return formatOffset(p.startOffset);
        case EndColumn:
            return formatOffset(p.endOffset);
        case MessagesColumn: {
            const auto held = retained(p);
            return held ? formatCount(*held) : QStringLiteral("?");
        }
        default:
            return {};
        }
    case Qt::ToolTipRole:
        if (column == LeaderColumn && p.leader < 0)
            return QStringLiteral("No leader: nothing can be produced to or consumed from "
                                  "this partition.");
        if (column == IsrColumn && underReplicated(p))
            return QStringLiteral("Under-replicated: %1 of %2 replicas in sync.")
                .arg(p.isr.size())
                .arg(p.replicas.size());
        return {};
    case Qt::TextAlignmentRole:
        return column == StartColumn || column == EndColumn || column == MessagesColumn
            ? QVariant(alignRight())
            : QVariant();
    case LagSortRole:
        switch (column) {
        case NameColumn:
            return p.partition;
        case LeaderColumn:
            return p.leader;
        case ReplicasColumn:
            return static_cast<int>(p.replicas.size());
        case IsrColumn:
            return static_cast<int>(p.isr.size());
        case StartColumn:
            return p.startOffset;
        case EndColumn:
            return p.endOffset;
        case MessagesColumn:
            return optionalCount(retained(p));
        default:
            return {};
        }
    case LagEmphasisRole: {
        CellEmphasis emphasis = CellEmphasis::None;
        if (column == LeaderColumn && p.leader < 0)
            emphasis = CellEmphasis::Alarm;
        else if (column == IsrColumn && underReplicated(p))
            emphasis = CellEmphasis::Warning;
        else if ((column == StartColumn && p.startOffset < 0)
                 || (column == EndColumn && p.endOffset < 0))
            emphasis = CellEmphasis::Muted;
        return static_cast<int>(emphasis);
    }
    case LagKeyRole:
        return p.partition;
    default:
        return {};
    }
}

QVariant KafkaTopicsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn:
        return QStringLiteral("Topic / partition");
    case PartitionsColumn:
        return QStringLiteral("Partitions");
    case LeaderColumn:
        return QStringLiteral("Leader");
    case ReplicasColumn:
        return QStringLiteral("Replicas");
    case IsrColumn:
        return QStringLiteral("ISR");
    case StartColumn:
        return QStringLiteral("Start");
    case EndColumn:
        return QStringLiteral("End");
    case MessagesColumn:
        return QStringLiteral("Messages");
    case RateColumn:
        return QStringLiteral("Rate");
    default:
        return {};
    }
}

} // namespace veltrix
