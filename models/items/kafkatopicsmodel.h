#pragma once

#include "core/lagsnapshot.h"
#include "lagformat.h"
#include "twolevelitemmodel.h"

#include <vector>

namespace veltrix {

// The topics of one Kafka cluster from its latest LagSnapshot: a row per topic
// (partition count, replication, how many partitions lack a leader or are
// under-replicated, retained messages, message rate) with a child row per partition
// (leader, replicas, ISR, start and end offsets). Refreshes of the same cluster merge
// row by row; another cluster resets.
class KafkaTopicsModel : public TwoLevelItemModel
{
    Q_OBJECT
public:
    // Topic-level figures first, the per-partition offsets last.
    enum Column {
        NameColumn,
        PartitionsColumn,
        RateColumn, // TopicOffsets::messagesPerSecond
        MessagesColumn, // end - start: what the log holds now
        LeaderColumn,
        ReplicasColumn,
        IsrColumn,
        StartColumn,
        EndColumn,
        ColumnCount
    };

    explicit KafkaTopicsModel(QObject *parent = nullptr);
    ~KafkaTopicsModel() override;

    void applySnapshot(const LagSnapshot &snapshot);
    void clear();

    QString cluster() const { return m_cluster; }
    QModelIndex topicIndex(const QString &topic, int column = NameColumn) const;
    int partitionCount() const; // over all topics

private:
    struct TopicSummary
    {
        int partitions = 0;
        int replicationFactor = 0;
        int withoutLeader = 0;
        int underReplicated = 0;
        std::optional<qint64> messages; // sum of end - start where both are known
        std::optional<double> messagesPerSecond;
        bool internal = false;

        bool operator==(const TopicSummary &) const = default;
    };
    struct TopicNode : ParentNode // key: the topic
    {
        std::vector<TopicPartitionOffsets> partitions; // by partition number
        TopicSummary summary;
    };
    static const TopicNode &topicNode(const ParentNode &node)
    {
        return static_cast<const TopicNode &>(node);
    }

    static ParentNodes buildTopics(const QList<TopicOffsets> &topics);
    int childCount(const ParentNode &node) const override;
    QVariant parentData(const ParentNode &node, int column, int role) const override;
    QVariant childData(const ParentNode &node, int row, int column, int role) const override;
    bool mergeParent(ParentNode &current, ParentNode &incoming) override;
    QVariant partitionData(const TopicPartitionOffsets &partition, int column, int role) const;

    QString m_cluster;
};

} // namespace veltrix
