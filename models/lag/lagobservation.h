#pragma once

#include "core/lagsnapshot.h"

#include <QHash>

namespace veltrix {

// The raw answer of one lag poll, before any history is applied: what the brokers
// said, nothing computed. KafkaLagReader fills it; LagTracker turns it into a
// LagSnapshot.

struct ObservedMember
{
    QString clientId;
    QString host;
    QList<TopicPartition> assignment;
};

struct ObservedGroup
{
    QString group;
    QString state; // empty when DescribeConsumerGroups was unavailable
    bool membershipKnown = false; // false: members/assignment unknown, not empty
    QList<ObservedMember> members;
    // Committed offsets the group has; a partition absent here has none. Only
    // partitions of topics the group consumes (has an offset in or is assigned).
    QHash<TopicPartition, qint64> committed;
    QString error; // OffsetFetch failed for this group
};

struct LagObservation
{
    QDateTime at; // when the offsets were read (after the ListOffsets answers)
    QList<TopicOffsets> topics; // every topic with its partitions' leaders and offsets
    QList<ObservedGroup> groups;
    QString groupsNote;
    QString membershipNote;
    LagRequestCounts requests;
};

// Where a fetch of the message at a committed offset is wanted, and what it found.
struct OffsetTimestampRequest
{
    TopicPartition partition;
    qint64 offset = -1;
};

} // namespace veltrix
