#pragma once

#include "core/lagsnapshot.h"
#include "lagformat.h"

#include <QAbstractItemModel>

#include <memory>
#include <vector>

namespace veltrix {

// The topics of one Kafka cluster from its latest LagSnapshot: a row per topic
// (partition count, replication, how many partitions lack a leader or are
// under-replicated, retained messages, message rate) with a child row per partition
// (leader, replicas, ISR, start and end offsets). Refreshes of the same cluster merge
// row by row; another cluster resets.
class KafkaTopicsModel : public QAbstractItemModel
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

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

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
    struct TopicNode
    {
        QString topic;
        std::vector<TopicPartitionOffsets> partitions; // by partition number
        TopicSummary summary;
        int row = 0;
    };
    using Topics = std::vector<std::unique_ptr<TopicNode>>;

    static Topics buildTopics(const QList<TopicOffsets> &topics);
    bool mergePartitions(TopicNode &node, TopicNode &incoming);
    void renumber();
    QVariant topicData(const TopicNode &node, int column, int role) const;
    QVariant partitionData(const TopicPartitionOffsets &partition, int column, int role) const;

    QString m_cluster;
    Topics m_topics;
};

} // namespace veltrix
