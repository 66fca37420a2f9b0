#pragma once

#include "topicpartition.h"

#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <optional>

namespace veltrix {

// Burrow's partition statuses plus our own. Declared from least to most severe: a
// group takes the most severe verdict of its partitions (see README, "Lag verdicts").
enum class LagVerdict {
    NoOffset, // the group has committed nothing for this partition
    Ok,
    Pending, // not enough history yet to judge progress
    Warn,
    Stall,
    Stop,
    Rewind,
    OutOfRange,
};

QString lagVerdictName(LagVerdict verdict); // "OK", "WARN", "STOP", "OUT_OF_RANGE", ...
std::optional<LagVerdict> lagVerdictFromName(const QString &name);
LagVerdict worseOf(LagVerdict a, LagVerdict b);

// What is wrong with a partition besides its verdict; a bit set.
enum LagFlag : unsigned {
    NoCommittedOffset = 1u << 0, // "no_offset"
    OutOfRangeOffset = 1u << 1, // "out_of_range": committed below the log-start offset
    NoLeader = 1u << 2, // "no_leader"
    NegativeLag = 1u << 3, // "negative_lag": committed beyond the log-end offset
    OffsetsUnavailable = 1u << 4, // "offsets_unavailable": ListOffsets failed for it
};
QStringList lagFlagNames(unsigned flags); // in the order above

// Which estimate a partition's time lag is.
enum class TimeLagSource {
    Unknown, // no committed offset, or neither estimate is possible yet
    CaughtUp, // lag <= 0: nothing waits
    Interpolated, // from the offset->time history of the log end (kafka-lag-exporter)
    MessageTimestamp, // from the timestamp of the message at the committed offset
};
QString timeLagSourceName(TimeLagSource source); // "unknown", "caught_up", "interpolated", ...

struct PartitionLag
{
    QString topic;
    int partition = -1;
    std::optional<qint64> committed; // absent: the group has no committed offset here
    qint64 endOffset = -1; // high watermark; -1 when unknown
    qint64 startOffset = -1; // log-start offset; -1 when unknown
    std::optional<qint64> lag; // end - committed, may be negative; absent without both
    std::optional<double> timeLagSeconds;
    TimeLagSource timeLagSource = TimeLagSource::Unknown;
    int leader = -1; // -1: no leader
    QString memberClientId; // the consumer that owns the partition, when known
    QString memberHost;
    unsigned flags = 0;
    LagVerdict verdict = LagVerdict::Pending;
    QString verdictReason; // one sentence: why this verdict

    TopicPartition key() const { return {topic, partition}; }
};

struct GroupLag
{
    QString group;
    QString state; // "Stable", "Empty", ... empty when the broker cannot say
    int memberCount = -1; // -1: unknown
    QStringList topics;
    qint64 totalLag = 0; // sum of the positive partition lags
    std::optional<double> maxTimeLagSeconds;
    TimeLagSource maxTimeLagSource = TimeLagSource::Unknown; // the estimate the max is
    LagVerdict verdict = LagVerdict::Pending;
    QString verdictReason; // the worst partition's reason, prefixed with it
    QString error; // OffsetFetch failed for the group (then partitions is empty)
    QList<PartitionLag> partitions; // sorted by topic, partition
};

struct TopicPartitionOffsets
{
    int partition = -1;
    int leader = -1;
    QList<int> replicas;
    QList<int> isr;
    qint64 startOffset = -1;
    qint64 endOffset = -1;
};

struct TopicOffsets
{
    QString name;
    bool internal = false;
    std::optional<double> messagesPerSecond; // from the log-end history; absent at first
    QList<TopicPartitionOffsets> partitions;
};

// What one poll asked of the brokers: the batching is part of the contract.
struct LagRequestCounts
{
    int metadata = 0;
    int listOffsets = 0; // one per leader broker and offset kind (earliest, latest)
    int offsetFetch = 0; // one per group
    int describeGroups = 0;
    int fetch = 0; // reads of the message at a committed offset (time-lag fallback)
};

// One poll of one Kafka cluster, evaluated. Immutable once published: the worker
// builds it, the GUI thread and veltrixctl read it.
struct LagSnapshot
{
    QString cluster;
    QDateTime polledAt;
    qint64 pollMs = 0;
    double windowSeconds = 0; // verdict window
    QString groupsNote; // why the groups came from the profile, when they did
    QString membershipNote; // why states/members are unknown, when they are
    QList<GroupLag> groups; // sorted by name
    QList<TopicOffsets> topics; // sorted by name
    LagRequestCounts requests;

    const GroupLag *group(const QString &name) const;
};

} // namespace veltrix

Q_DECLARE_METATYPE(veltrix::LagSnapshot)
