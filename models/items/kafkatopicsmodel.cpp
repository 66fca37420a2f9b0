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
    : TwoLevelItemModel({QStringLiteral("Topic / partition"), QStringLiteral("Partitions"),
                         QStringLiteral("Rate"), QStringLiteral("Messages"),
                         QStringLiteral("Leader"), QStringLiteral("Replicas"),
                         QStringLiteral("ISR"), QStringLiteral("Start"), QStringLiteral("End")},
                        parent)
{
    Q_ASSERT(columnCount() == ColumnCount); // a title per Column, in its order
}

KafkaTopicsModel::~KafkaTopicsModel() = default;

TwoLevelItemModel::ParentNodes KafkaTopicsModel::buildTopics(const QList<TopicOffsets> &topics)
{
    std::vector<const TopicOffsets *> sorted;
    sorted.reserve(static_cast<size_t>(topics.size()));
    for (const TopicOffsets &topic : topics)
        sorted.push_back(&topic);
    sortUniqueBy(sorted, [](const TopicOffsets *topic) -> const QString & { return topic->name; });

    ParentNodes nodes;
    for (const TopicOffsets *topic : sorted) {
        auto node = std::make_unique<TopicNode>();
        node->key = topic->name;
        node->partitions.assign(topic->partitions.cbegin(), topic->partitions.cend());
        sortUniqueBy(node->partitions, &TopicPartitionOffsets::partition);
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

void KafkaTopicsModel::clear()
{
    beginResetModel();
    m_cluster.clear();
    replaceParents({});
    endResetModel();
}

void KafkaTopicsModel::applySnapshot(const LagSnapshot &snapshot)
{
    ParentNodes incoming = buildTopics(snapshot.topics);
    if (snapshot.cluster != m_cluster) {
        beginResetModel();
        m_cluster = snapshot.cluster;
        replaceParents(std::move(incoming));
        endResetModel();
        return;
    }
    mergeParents(std::move(incoming));
}

bool KafkaTopicsModel::mergeParent(ParentNode &current, ParentNode &incoming)
{
    auto &node = static_cast<TopicNode &>(current);
    auto &fresh = static_cast<TopicNode &>(incoming);
    mergeChildren(node, node.partitions, fresh.partitions, &TopicPartitionOffsets::partition,
                  sameOffsets);
    if (node.summary == fresh.summary)
        return false;
    node.summary = fresh.summary;
    return true;
}

QModelIndex KafkaTopicsModel::topicIndex(const QString &topic, int column) const
{
    return parentIndex(topic, column);
}

int KafkaTopicsModel::partitionCount() const
{
    int count = 0;
    for (const auto &node : parentNodes())
        count += childCount(*node);
    return count;
}

int KafkaTopicsModel::childCount(const ParentNode &node) const
{
    return static_cast<int>(topicNode(node).partitions.size());
}

QVariant KafkaTopicsModel::childData(const ParentNode &node, int row, int column, int role) const
{
    return partitionData(topicNode(node).partitions[static_cast<size_t>(row)], column, role);
}

QVariant KafkaTopicsModel::parentData(const ParentNode &parent, int column, int role) const
{
    const TopicNode &node = topicNode(parent);
    const TopicSummary &s = node.summary;
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case NameColumn:
            return s.internal ? QString(node.key + QStringLiteral(" (internal)")) : node.key;
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
            return node.key;
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
        return node.key;
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

} // namespace veltrix
