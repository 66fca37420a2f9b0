#pragma once

#include "core/deadletterqueue.h"
#include "core/lagsnapshot.h"
#include "core/result.h"

#include <chrono>

namespace veltrix {

class KafkaHandle;

// The topics of a Kafka cluster whose names match the dead-letter patterns, with their
// depth (messages between log start and end) and arrived total (sum of log ends).
// Pure: takes the topic layout with offsets filled in.
QList<DlqInfo> findKafkaDlqs(const QString &clusterName, const QList<TopicOffsets> &topics,
                             const QStringList &patterns);

// The same, asking the brokers: one Metadata request, then one ListOffsets per leader
// and kind for the matching topics only.
Result<QList<DlqInfo>> fetchKafkaDlqs(KafkaHandle &kafka, const QStringList &patterns,
                                      std::chrono::milliseconds timeout);

} // namespace veltrix
