#pragma once

#include "core/clusterprofile.h"
#include "core/result.h"
#include "lag/lagobservation.h"

#include <chrono>
#include <memory>

namespace veltrix {

class KafkaHandle;

// Reads what consumer lag is made of, in as few round trips as Kafka allows:
// one Metadata, one ListConsumerGroups + one DescribeConsumerGroups (falling back to
// the profile's groups when the brokers do not support them), one OffsetFetch per
// group and one ListOffsets per leader broker and offset kind (earliest, latest) for
// all partitions at once. Blocking; use from one thread.
class KafkaLagReader
{
public:
    KafkaLagReader(ClusterProfile profile, std::chrono::milliseconds timeout);
    ~KafkaLagReader();

    // groups: only these (empty = every group the cluster lists, or the profile's).
    Result<LagObservation> poll(const QStringList &groups = {});

    struct MessageTimestamp
    {
        TopicPartition partition;
        qint64 offset = -1; // the offset asked for
        qint64 timestampMs = -1; // of the first message at or after it
    };
    struct TimestampRead
    {
        QList<MessageTimestamp> found;
        int fetchRequests = 0;
    };
    // Timestamps of the messages at these offsets (at most one per partition), read
    // with one assignment; partitions not answered within budget are left out.
    TimestampRead readTimestamps(const QList<OffsetTimestampRequest> &wanted,
                                 std::chrono::milliseconds budget);

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace veltrix
