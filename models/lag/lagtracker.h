#pragma once

#include "core/lagsettings.h"
#include "lagobservation.h"
#include "offsettimeline.h"
#include "partitionwindow.h"

#include <QHash>

namespace veltrix {

// Turns successive observations of one cluster into snapshots: keeps each
// partition's log-end history (for time lag and message rates) and each
// group-partition's verdict window, and judges them. Pure logic, no broker.
class LagTracker
{
public:
    explicit LagTracker(QString clusterName, LagSettings settings = {});

    // The committed offsets whose message timestamp the next snapshot would use
    // (history too short to interpolate), at most one per partition, largest lag first.
    QList<OffsetTimestampRequest> timestampsWanted(const LagObservation &observation) const;
    // Timestamps read from the brokers: (partition, offset) -> ms since epoch. Kept
    // while the group's committed offset stays there.
    void addMessageTimestamp(const TopicPartition &partition, qint64 offset, qint64 timestampMs);

    LagSnapshot update(const LagObservation &observation, qint64 pollMs);

    const LagSettings &settings() const { return m_settings; }

private:
    struct TimeLag
    {
        std::optional<double> seconds;
        TimeLagSource source = TimeLagSource::Unknown;
    };
    TimeLag timeLagOf(const TopicPartition &tp, qint64 committed, qint64 lag, qint64 nowMs) const;
    static void judgeGroup(GroupLag &group);

    struct GroupPartitionKey
    {
        QString group;
        TopicPartition partition;
        bool operator==(const GroupPartitionKey &) const = default;
    };
    friend size_t qHash(const GroupPartitionKey &key, size_t seed)
    {
        return qHashMulti(seed, key.group, key.partition);
    }

    QString m_clusterName;
    LagSettings m_settings;
    QHash<TopicPartition, OffsetTimeline> m_timelines;
    QHash<GroupPartitionKey, PartitionWindow> m_windows;
    QHash<TopicPartition, QHash<qint64, qint64>> m_messageTimestamps;
};

} // namespace veltrix
