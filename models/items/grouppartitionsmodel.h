#pragma once

#include "core/lagsnapshot.h"
#include "lagformat.h"
#include "twolevelitemmodel.h"

#include <array>
#include <vector>

namespace veltrix {

// The partitions of one consumer group as a tree: a row per topic (its summary: lag,
// worst verdict, largest time lag, flags) with a child row per partition. Refreshes of
// the same group merge topic by topic and partition by partition, so selection,
// expansion and scroll survive; selecting another group resets. A refresh costs
// O(partitions of this group).
class GroupPartitionsModel : public TwoLevelItemModel
{
    Q_OBJECT
public:
    enum Column {
        NameColumn, // topic, or the partition number under it
        VerdictColumn,
        CommittedColumn,
        EndColumn,
        LagColumn,
        TimeLagColumn, // with the estimate it is: "≈ 12 s", "12 s (msg ts)"
        FlagsColumn,
        MemberColumn, // client id @ host
        ColumnCount
    };

    explicit GroupPartitionsModel(QObject *parent = nullptr);
    ~GroupPartitionsModel() override;

    // nullptr: show nothing (no group selected, or it is gone).
    void setGroup(const QString &cluster, const GroupLag *group);
    void clear() { setGroup({}, nullptr); }

    QString cluster() const { return m_cluster; }
    QString group() const { return m_group; }
    QModelIndex topicIndex(const QString &topic, int column = NameColumn) const;
    QModelIndex partitionIndex(const QString &topic, int partition, int column = NameColumn) const;

    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    struct TopicSummary
    {
        int partitions = 0;
        LagVerdict verdict = LagVerdict::Pending;
        QString verdictReason;
        std::optional<qint64> lag; // positive lags summed; absent when no partition has one
        std::optional<double> maxTimeLagSeconds;
        TimeLagSource maxTimeLagSource = TimeLagSource::Unknown;
        QStringList members; // distinct "client @ host"
        std::array<int, 5> flagCounts {}; // per LagFlag bit
        unsigned flags = 0;

        bool operator==(const TopicSummary &) const = default;
    };
    struct TopicNode : ParentNode // key: the topic
    {
        std::vector<PartitionLag> partitions; // by partition number
        TopicSummary summary;
    };
    static const TopicNode &topicNode(const ParentNode &node)
    {
        return static_cast<const TopicNode &>(node);
    }

    static ParentNodes buildTopics(const GroupLag &group);
    static TopicSummary summarize(const std::vector<PartitionLag> &partitions);
    int childCount(const ParentNode &node) const override;
    QVariant parentData(const ParentNode &node, int column, int role) const override;
    QVariant childData(const ParentNode &node, int row, int column, int role) const override;
    bool mergeParent(ParentNode &current, ParentNode &incoming) override;
    QVariant partitionData(const PartitionLag &partition, int column, int role) const;

    QString m_cluster;
    QString m_group;
};

// Member column text: "client-1 @ /10.0.0.7"; empty when unassigned.
QString formatMember(const QString &clientId, const QString &host);

} // namespace veltrix
