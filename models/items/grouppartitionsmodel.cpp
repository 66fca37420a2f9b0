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
    : TwoLevelItemModel({QStringLiteral("Topic / partition"), QStringLiteral("Verdict"),
                         QStringLiteral("Committed"), QStringLiteral("End"), QStringLiteral("Lag"),
                         QStringLiteral("Time lag"), QStringLiteral("Flags"),
                         QStringLiteral("Member")},
                        parent)
{
    Q_ASSERT(columnCount() == ColumnCount); // a title per Column, in its order
}

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

TwoLevelItemModel::ParentNodes GroupPartitionsModel::buildTopics(const GroupLag &group)
{
    std::vector<const PartitionLag *> sorted;
    sorted.reserve(static_cast<size_t>(group.partitions.size()));
    for (const PartitionLag &p : group.partitions)
        sorted.push_back(&p);
    sortUniqueBy(sorted, [](const PartitionLag *p) { return p->key(); });

    ParentNodes topics;
    TopicNode *current = nullptr;
    for (const PartitionLag *p : sorted) {
        if (!current || current->key != p->topic) {
            auto node = std::make_unique<TopicNode>();
            node->key = p->topic;
            current = node.get();
            topics.push_back(std::move(node));
        }
        current->partitions.push_back(*p);
    }
    for (auto &node : topics) {
        auto &topic = static_cast<TopicNode &>(*node);
        topic.summary = summarize(topic.partitions);
    }
    return topics;
}

void GroupPartitionsModel::setGroup(const QString &cluster, const GroupLag *group)
{
    ParentNodes incoming = group ? buildTopics(*group) : ParentNodes {};
    const QString name = group ? group->group : QString();
    if (cluster != m_cluster || name != m_group || !group) {
        beginResetModel();
        m_cluster = cluster;
        m_group = name;
        replaceParents(std::move(incoming));
        endResetModel();
        return;
    }
    mergeParents(std::move(incoming));
}

bool GroupPartitionsModel::mergeParent(ParentNode &current, ParentNode &incoming)
{
    auto &node = static_cast<TopicNode &>(current);
    auto &fresh = static_cast<TopicNode &>(incoming);
    mergeChildren(node, node.partitions, fresh.partitions, &PartitionLag::partition, samePartition);
    if (node.summary == fresh.summary)
        return false;
    node.summary = std::move(fresh.summary);
    return true;
}

QModelIndex GroupPartitionsModel::topicIndex(const QString &topic, int column) const
{
    return parentIndex(topic, column);
}

QModelIndex GroupPartitionsModel::partitionIndex(const QString &topic, int partition,
                                                 int column) const
{
    const QModelIndex parent = topicIndex(topic);
    if (!parent.isValid())
        return {};
    const auto &partitions
        = topicNode(*parentNodes()[static_cast<size_t>(parent.row())]).partitions;
    const auto it
        = std::lower_bound(partitions.cbegin(), partitions.cend(), partition,
                           [](const PartitionLag &p, int wanted) { return p.partition < wanted; });
    if (it == partitions.cend() || it->partition != partition)
        return {};
    return index(static_cast<int>(it - partitions.cbegin()), column, parent);
}

int GroupPartitionsModel::childCount(const ParentNode &node) const
{
    return static_cast<int>(topicNode(node).partitions.size());
}

QVariant GroupPartitionsModel::childData(const ParentNode &node, int row, int column,
                                         int role) const
{
    return partitionData(topicNode(node).partitions[static_cast<size_t>(row)], column, role);
}

QVariant GroupPartitionsModel::parentData(const ParentNode &parent, int column, int role) const
{
    const TopicNode &node = topicNode(parent);
    const TopicSummary &s = node.summary;
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case NameColumn:
            return QStringLiteral("%1 (%2)").arg(node.key).arg(s.partitions);
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
            return QStringLiteral("%1: %2 partition(s)").arg(node.key).arg(s.partitions);
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
            return node.key;
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
        return node.key;
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
    if (orientation == Qt::Horizontal && role == Qt::ToolTipRole && section == TimeLagColumn)
        return QStringLiteral("≈: interpolated from the log end's offset history. msg ts: from "
                              "the timestamp of the message at the committed offset. —: not "
                              "known yet.");
    return TwoLevelItemModel::headerData(section, orientation, role);
}

} // namespace veltrix
