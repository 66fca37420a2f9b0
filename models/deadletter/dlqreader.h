#pragma once

#include "core/browsedmessage.h"
#include "core/clusterprofile.h"
#include "core/deadletterqueue.h"
#include "core/result.h"

#include <QDateTime>
#include <QStringList>

#include <chrono>
#include <optional>

namespace veltrix {

// What `veltrixctl dlq show` reads.
struct DlqReadOptions
{
    int limit = 20;
    // Kafka: the offset to start at in each partition (clamped to the log start);
    // RabbitMQ: messages to skip from the head; streams: the stream offset.
    qint64 offset = 0;
    std::optional<int> partition; // Kafka: only this partition
    QDateTime since; // Kafka: start at the first record at or after this time instead
    bool insist = false; // RabbitMQ quorum: browse past the delivery-limit margin
    qint64 maxPayloadBytes = 1 << 20;
};

struct DlqReadResult
{
    DlqSource source;
    qint64 depth = -1; // messages in the DLQ when read
    BrowsedMessageList messages;
    QStringList notes; // e.g. "read 20 messages and put them back: RabbitMQ marks them redelivered"
    bool stoppedForSafety = false; // RabbitMQ quorum: see RabbitBrowseResult
};

// One read of a DLQ, the same for every broker kind. Kafka: up to `limit` records from
// each selected partition starting at the offset (or time), merged oldest first by
// timestamp and cut to `limit` — a time-ordered page across partitions, like a topic
// browser's. RabbitMQ: a browse (every message read is put back).
Result<DlqReadResult> readDlq(const ClusterProfile &profile, const DlqSource &source,
                              const DlqReadOptions &options, std::chrono::milliseconds timeout);

} // namespace veltrix
