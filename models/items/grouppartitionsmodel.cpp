#include "grouppartitionsmodel.h"

#include "rowmerge.h"

#include <QSet>

#include <algorithm>
#include <bit>

namespace veltrix {

namespace {

constexpr int FlagBits = 5;

bool samePartition(const PartitionLag &a, const PartitionLag &b)
{
    return a.topic == b.topic && a.partition == b.partition && a.committed == b.committed
        && a.endOffset == b.endOffset && a.startOffset == b.startOffset && a.lag == b.lag
        && a.timeLagSeconds == b.timeLagSeconds && a.timeLagSource == b.timeLagSource
        && a.leader == b.leader && a.memberClientId == b.memberClientId
        && a.memberHost == b.memberHost && a.flags == b.flags && a.verdict == b.verdict
        && a.verdictReason == b.verdictReason;
}

QString flagCountsText(const std::array<int, FlagBits> &counts)
{
    // Worst first, the same order as describeLagFlags().
    static constexpr std::array order {OutOfRangeOffset, NegativeLag, NoLeader, OffsetsUnavailable,
                                       NoCommittedOffset};
    QStringList parts;
    for (const LagFlag flag : order) {
        const int count
            = counts[static_cast<size_t>(std::countr_zero(static_cast<unsigned>(flag)))];
        if (count == 0)
            continue;
        QString text = describeLagFlags(flag);
        if (flag == OutOfRangeOffset) // the long form is for the partition rows
            text = QStringLiteral("OUT OF RANGE");
        parts << (count > 1 ? text + QStringLiteral(" ×") + QString::number(count) : text);
    }
    return parts.join(QStringLiteral("; "));
}

int alignRight()
{
    return static_cast<int>(Qt::AlignRight | Qt::AlignVCenter);
}

} // namespace

QString formatMember(const QString &clientId, const QString &host)
{
    if (clientId.isEmpty())
        return host;
    return host.isEmpty() ? clientId : clientId + QStringLiteral(" @ ") + host;
}

GroupPartitionsModel::GroupPartitionsModel(QObject *parent)
    : QAbstractItemModel(parent)
{ }

GroupPartitionsModel::~GroupPartitionsModel() = default;

GroupPartitionsModel::TopicSummary
GroupPartitionsModel::summarize(const std::vector<PartitionLag> &partitions)
{
    TopicSummary summary;
    summary.partitions = static_cast<int>(partitions.size());
    summary.verdict = LagVerdict::NoOffset; // the least severe: any partition raises it
    const PartitionLag *worst = nullptr;
    int worstCount = 0;
    bool allCaughtUp = !partitions.empty();
    QSet<QString> members;
    for (const PartitionLag &p : partitions) {
        if (!worst || p.verdict > worst->verdict) {
            worst = &p;
            worstCount = 1;
        } else if (p.verdict == worst->verdict) {
            ++worstCount;
        }
        if (p.lag)
            summary.lag = summary.lag.value_or(0) + std::max<qint64>(*p.lag, 0);
        if (p.timeLagSeconds
            && (!summary.maxTimeLagSeconds || *p.timeLagSeconds > *summary.maxTimeLagSeconds)) {
            summary.maxTimeLagSeconds = p.timeLagSeconds;
            summary.maxTimeLagSource = p.timeLagSource;
        }
        allCaughtUp = allCaughtUp && p.timeLagSource == TimeLagSource::CaughtUp;
        const QString member = formatMember(p.memberClientId, p.memberHost);
        if (!member.isEmpty())
            members.insert(member);
        summary.flags |= p.flags;
        for (int bit = 0; bit < FlagBits; ++bit)
            if (p.flags & (1u << bit))
                ++summary.flagCounts[static_cast<size_t>(bit)];
    }
    if (allCaughtUp)
        summary.maxTimeLagSource = TimeLagSource::CaughtUp;
    if (worst) {
        summary.verdict = worst->verdict;
        summary.verdictReason = QStringLiteral("%1 of %2 partition(s) %3. Partition %4: %5")
                                    .arg(worstCount)
                                    .arg(partitions.size())
                                    .arg(lagVerdictName(worst->verdict))
                                    .arg(worst->partition)
                                    .arg(worst->verdictReason);
    }
    summary.members = QStringList(members.cbegin(), members.cend());
    summary.members.sort();
    return summary;
}

GroupPartitionsModel::Topics GroupPartitionsModel::buildTopics(const GroupLag &group)
{
    std::vector<const PartitionLag *> sorted;
    sorted.reserve(static_cast<size_t>(group.partitions.size()));
    for (const PartitionLag &p : group.partitions)
        sorted.push_back(&p);
    const auto byKey
        = [](const PartitionLag *a, const PartitionLag *b) { return a->key() < b->key(); };
    if (!std::is_sorted(sorted.begin(), sorted.end(), byKey))
        std::stable_sort(sorted.begin(), sorted.end(), byKey);

    Topics topics;
    for (const PartitionLag *p : sorted) {
        if (topics.empty() || topics.back()->topic != p->topic) {
            topics.push_back(std::make_unique<TopicNode>());
            topics.back()->topic = p->topic;
        }
        auto &partitions = topics.back()->partitions;
        if (partitions.empty() || partitions.back().partition != p->partition)
            partitions.push_back(*p); // a duplicate partition is dropped: keys stay unique
    }
    for (auto &node : topics)
        node->summary = summarize(node->partitions);
    return topics;
}

void GroupPartitionsModel::renumber()
{
    for (size_t row = 0; row < m_topics.size(); ++row)
        m_topics[row]->row = static_cast<int>(row);
}

void GroupPartitionsModel::setGroup(const QString &cluster, const GroupLag *group)
{
    Topics incoming = group ? buildTopics(*group) : Topics {};
    const QString name = group ? group->group : QString();
    if (cluster != m_cluster || name != m_group || !group) {
        beginResetModel();
        m_cluster = cluster;
        m_group = name;
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

bool GroupPartitionsModel::mergePartitions(TopicNode &node, TopicNode &incoming)
{
    const QModelIndex parent = createIndex(node.row, 0, nullptr);
    std::vector<int> keys;
    keys.reserve(incoming.partitions.size());
    for (const PartitionLag &p : incoming.partitions)
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
            PartitionLag &current = partitions[static_cast<size_t>(row)];
            if (samePartition(current, incoming.partitions[key]))
                return false;
            current = incoming.partitions[key];
            return true;
        },
        [&](int first, int last) {
            Q_EMIT dataChanged(index(first, 0, parent), index(last, ColumnCount - 1, parent));
        });
    if (node.summary == incoming.summary)
        return false;
    node.summary = std::move(incoming.summary);
    return true;
}

GroupPartitionsModel::TopicNode *GroupPartitionsModel::topicOf(const QModelIndex &index) const
{
    if (!index.isValid())
        return nullptr;
    if (auto *node = static_cast<TopicNode *>(index.internalPointer()))
        return node;
    return index.row() < static_cast<int>(m_topics.size())
        ? m_topics[static_cast<size_t>(index.row())].get()
        : nullptr;
}

QModelIndex GroupPartitionsModel::topicIndex(const QString &topic, int column) const
{
    const auto it = std::find_if(m_topics.cbegin(), m_topics.cend(),
                                 [&](const auto &node) { return node->topic == topic; });
    return it == m_topics.cend() ? QModelIndex() : createIndex((*it)->row, column, nullptr);
}

QModelIndex GroupPartitionsModel::partitionIndex(const QString &topic, int partition,
                                                 int column) const
{
    const QModelIndex parent = topicIndex(topic);
    if (!parent.isValid())
        return {};
    const auto &partitions = m_topics[static_cast<size_t>(parent.row())]->partitions;
    const auto it
        = std::lower_bound(partitions.cbegin(), partitions.cend(), partition,
                           [](const PartitionLag &p, int wanted) { return p.partition < wanted; });
    if (it == partitions.cend() || it->partition != partition)
        return {};
    return index(static_cast<int>(it - partitions.cbegin()), column, parent);
}

QModelIndex GroupPartitionsModel::index(int row, int column, const QModelIndex &parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    if (!parent.isValid())
        return createIndex(row, column, nullptr);
    return createIndex(row, column, topicOf(parent));
}

QModelIndex GroupPartitionsModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    const auto *node = static_cast<const TopicNode *>(child.internalPointer());
    return node ? createIndex(node->row, 0, nullptr) : QModelIndex();
}

int GroupPartitionsModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return static_cast<int>(m_topics.size());
    if (parent.column() != 0 || parent.internalPointer())
        return 0; // partitions have no children
    const TopicNode *node = topicOf(parent);
    return node ? static_cast<int>(node->partitions.size()) : 0;
}

int GroupPartitionsModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QVariant GroupPartitionsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    if (const auto *node = static_cast<const TopicNode *>(index.internalPointer()))
        return partitionData(node->partitions[static_cast<size_t>(index.row())], index.column(),
                             role);
    return topicData(*m_topics[static_cast<size_t>(index.row())], index.column(), role);
}

QVariant GroupPartitionsModel::topicData(const TopicNode &node, int column, int role) const
{
    const TopicSummary &s = node.summary;
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case NameColumn:
            return QStringLiteral("%1 (%2)").arg(node.topic).arg(s.partitions);
        case VerdictColumn:
            return lagVerdictName(s.verdict);
        case LagColumn:
            return formatLag(s.lag);
        case TimeLagColumn:
            return formatTimeLag(s.maxTimeLagSeconds, s.maxTimeLagSource);
        case MemberColumn:
            if (s.members.isEmpty())
                return QStringLiteral("unassigned");
            return s.members.size() == 1 ? s.members.first()
                                         : QStringLiteral("%1 consumers").arg(s.members.size());
        case FlagsColumn:
            return flagCountsText(s.flagCounts);
        default:
            return {};
        }
    case Qt::ToolTipRole:
        switch (column) {
        case NameColumn:
            return QStringLiteral("%1: %2 partition(s)").arg(node.topic).arg(s.partitions);
        case VerdictColumn:
            return s.verdictReason;
        case LagColumn:
            return s.lag ? QStringLiteral("Sum of the positive partition lags, in messages.")
                         : QStringLiteral("No partition of this topic has a committed offset.");
        case TimeLagColumn:
            return QString(QStringLiteral("The largest partition time lag. ")
                           + timeLagSourceDescription(s.maxTimeLagSource));
        case MemberColumn:
            return s.members.join(QLatin1Char('\n'));
        case FlagsColumn:
            return describeLagFlags(s.flags);
        default:
            return {};
        }
    case Qt::TextAlignmentRole:
        return column == LagColumn || column == TimeLagColumn ? QVariant(alignRight()) : QVariant();
    case LagSortRole:
        switch (column) {
        case NameColumn:
            return node.topic;
        case VerdictColumn:
            return static_cast<int>(s.verdict);
        case LagColumn:
            return s.lag ? QVariant(*s.lag) : QVariant();
        case TimeLagColumn:
            return s.maxTimeLagSeconds ? QVariant(*s.maxTimeLagSeconds) : QVariant();
        case MemberColumn:
            return s.members.join(QLatin1Char(','));
        case FlagsColumn:
            return static_cast<int>(lagFlagsEmphasis(s.flags));
        default:
            return {};
        }
    case LagVerdictRole:
        return column == VerdictColumn ? QVariant(static_cast<int>(s.verdict)) : QVariant();
    case LagEmphasisRole: {
        CellEmphasis emphasis = CellEmphasis::None;
        if (column == LagColumn)
            emphasis = !s.lag
                ? CellEmphasis::Muted
                : (s.flags & OutOfRangeOffset ? CellEmphasis::Loss : CellEmphasis::None);
        else if (column == FlagsColumn)
            emphasis = lagFlagsEmphasis(s.flags);
        else if (column == TimeLagColumn && !s.maxTimeLagSeconds
                 && s.maxTimeLagSource != TimeLagSource::CaughtUp)
            emphasis = CellEmphasis::Muted;
        else if (column == MemberColumn && s.members.isEmpty())
            emphasis = CellEmphasis::Muted;
        return static_cast<int>(emphasis);
    }
    case LagKeyRole:
        return node.topic;
    default:
        return {};
    }
}

QVariant GroupPartitionsModel::partitionData(const PartitionLag &p, int column, int role) const
{
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case NameColumn:
            return QString::number(p.partition);
        case VerdictColumn:
            return lagVerdictName(p.verdict);
        case CommittedColumn:
            return formatCommitted(p.committed);
        case EndColumn:
            return formatOffset(p.endOffset);
        case LagColumn:
            return formatLag(p.lag);
        case TimeLagColumn:
            return formatTimeLag(p.timeLagSeconds, p.timeLagSource);
        case MemberColumn: {
            const QString member = formatMember(p.memberClientId, p.memberHost);
            return member.isEmpty() ? QStringLiteral("unassigned") : member;
        }
        case FlagsColumn:
            return describeLagFlags(p.flags);
        default:
            return {};
        }
    case Qt::ToolTipRole:
        switch (column) {
        case NameColumn:
            return p.leader < 0 ? QStringLiteral("%1-%2: no leader").arg(p.topic).arg(p.partition)
                                : QStringLiteral("%1-%2, leader: broker %3")
                                      .arg(p.topic)
                                      .arg(p.partition)
                                      .arg(p.leader);
        case VerdictColumn:
            return p.verdictReason;
        case CommittedColumn:
        case EndColumn:
            if (!p.committed && column == CommittedColumn)
                return QStringLiteral("The group has committed no offset on this partition.");
            return QStringLiteral("Log start %1, log end %2")
                .arg(formatOffset(p.startOffset), formatOffset(p.endOffset));
        case LagColumn:
            if (p.flags & OutOfRangeOffset)
                return QStringLiteral("Committed offset %1 is below the log start %2: retention "
                                      "deleted messages before the group read them.")
                    .arg(formatCommitted(p.committed), formatOffset(p.startOffset));
            if (p.lag && *p.lag < 0)
                return QStringLiteral("Negative: the committed offset is past the log end (was "
                                      "the topic recreated or truncated?).");
            if (!p.lag)
                return QStringLiteral("No committed offset: there is no lag to measure.");
            return {};
        case TimeLagColumn:
            return timeLagSourceDescription(p.timeLagSource);
        case FlagsColumn:
            return lagFlagNames(p.flags).join(QStringLiteral(", "));
        default:
            return {};
        }
    case Qt::TextAlignmentRole:
        return column == CommittedColumn || column == EndColumn || column == LagColumn
                || column == TimeLagColumn
            ? QVariant(alignRight())
            : QVariant();
    case LagSortRole:
        switch (column) {
        case NameColumn:
            return p.partition;
        case VerdictColumn:
            return static_cast<int>(p.verdict);
        case CommittedColumn:
            return p.committed ? QVariant(*p.committed) : QVariant();
        case EndColumn:
            return p.endOffset;
        case LagColumn:
            return p.lag ? QVariant(*p.lag) : QVariant();
        case TimeLagColumn:
            return p.timeLagSeconds ? QVariant(*p.timeLagSeconds) : QVariant();
        case MemberColumn:
            return formatMember(p.memberClientId, p.memberHost);
        case FlagsColumn:
            return static_cast<int>(lagFlagsEmphasis(p.flags));
        default:
            return {};
        }
    case LagVerdictRole:
        return column == VerdictColumn ? QVariant(static_cast<int>(p.verdict)) : QVariant();
    case LagEmphasisRole: {
        CellEmphasis emphasis = CellEmphasis::None;
        switch (column) {
        case NameColumn:
            emphasis = p.leader < 0 ? CellEmphasis::Alarm : CellEmphasis::None;
            break;
        case CommittedColumn:
            emphasis = !p.committed
                ? CellEmphasis::Muted
                : (p.flags & OutOfRangeOffset ? CellEmphasis::Loss : CellEmphasis::None);
            break;
        case EndColumn:
            emphasis = p.endOffset < 0 ? CellEmphasis::Muted : CellEmphasis::None;
            break;
        case LagColumn:
            if (!p.lag)
                emphasis = CellEmphasis::Muted;
            else if (p.flags & OutOfRangeOffset)
                emphasis = CellEmphasis::Loss;
            else if (*p.lag < 0)
                emphasis = CellEmphasis::Alarm;
            break;
        case TimeLagColumn:
            emphasis = p.timeLagSource == TimeLagSource::Unknown ? CellEmphasis::Muted
                                                                 : CellEmphasis::None;
            break;
        case MemberColumn:
            emphasis = p.memberClientId.isEmpty() && p.memberHost.isEmpty() ? CellEmphasis::Muted
                                                                            : CellEmphasis::None;
            break;
        case FlagsColumn:
            emphasis = lagFlagsEmphasis(p.flags);
            break;
        default:
            break;
        }
        return static_cast<int>(emphasis);
    }
    case LagKeyRole:
        return p.partition;
    default:
        return {};
    }
}

QVariant GroupPartitionsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case NameColumn:
            return QStringLiteral("Topic / partition");
        case VerdictColumn:
            return QStringLiteral("Verdict");
        case CommittedColumn:
            return QStringLiteral("Committed");
        case EndColumn:
            return QStringLiteral("End");
        case LagColumn:
            return QStringLiteral("Lag");
        case TimeLagColumn:
            return QStringLiteral("Time lag");
        case MemberColumn:
            return QStringLiteral("Member");
        case FlagsColumn:
            return QStringLiteral("Flags");
        default:
            return {};
        }
    }
    if (role == Qt::ToolTipRole && section == TimeLagColumn)
        return QStringLiteral("≈: interpolated from the log end's offset history. msg ts: from "
                              "the timestamp of the message at the committed offset. —: not "
                              "known yet.");
    return {};
}

} // namespace veltrix
