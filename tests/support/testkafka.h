#pragma once

#include "core/clusterprofile.h"
#include "core/kafkaheader.h"
#include "core/result.h"
#include "core/topicpartition.h"

#include <QHash>
#include <QList>
#include <QMap>
#include <QPair>
#include <QString>

#include <chrono>
#include <optional>

namespace veltrix::test {

struct ProduceOptions
{
    // >= 0: record i of partition p is stamped timestampBase + p * 1000 + i (ms), so a
    // test can tell which record a timestamp belongs to; otherwise the producer's clock.
    qint64 timestampBase = -1;
    // >= 0: every value is this many bytes (large ones move the mock's log start);
    // otherwise record i's value is "record-<i>".
    int valueSize = -1;
    QMap<QString, QString> producerProperties; // e.g. linger.ms, for many records
    std::chrono::milliseconds flushTimeout {15000};
};

// Produces `counts[p]` records to partition p of topic and waits for every delivery;
// the error in words otherwise.
Result<bool> produceCounts(const ClusterProfile &profile, const QString &topic,
                           const QList<int> &counts, const ProduceOptions &options = {});
// The same for some partitions only: `countsByPartition[p]` records to partition p.
Result<bool> producePartitionCounts(const ClusterProfile &profile, const QString &topic,
                                    const QMap<int, int> &countsByPartition,
                                    const ProduceOptions &options = {});

// One record exactly as a test wants it on the broker.
struct TestRecord
{
    int partition = 0;
    std::optional<QByteArray> key; // nullopt: a null key
    QByteArray value; // a null QByteArray: a null value (a tombstone)
    qint64 timestamp = 0; // ms since the epoch; 0: the producer's clock
    KafkaHeaderList headers; // in order; a null value stays a null header value
};
// Produces the records in order (one partition's records keep their order) and waits for
// every delivery; the error in words otherwise.
Result<bool> produceRecords(const ClusterProfile &profile, const QString &topic,
                            const QList<TestRecord> &records,
                            const QMap<QString, QString> &producerProperties = {},
                            std::chrono::milliseconds flushTimeout = std::chrono::seconds(30));

// Commits these offsets for a group without joining it (an explicit OffsetCommit, as
// "reset offsets" tools do), all in one request.
Result<bool> commitOffsets(const ClusterProfile &profile, const QString &group,
                           const QHash<TopicPartition, qint64> &offsets);
// The same for one topic. Each entry: (partition, offset) of `topic`.
Result<bool> commitOffsets(const ClusterProfile &profile, const QString &group,
                           const QString &topic, const QList<QPair<int, qint64>> &offsets);

// What `group` has committed on partitions 0..partitions-1 of `topic` (-1: nothing);
// empty when the cluster cannot be asked.
QList<qint64> committedOffsets(const ClusterProfile &profile, const QString &group,
                               const QString &topic, int partitions);

} // namespace veltrix::test
