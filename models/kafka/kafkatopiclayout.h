#pragma once

#include "core/lagsnapshot.h"
#include "core/result.h"
#include "core/topicpartition.h"

#include <librdkafka/rdkafka.h>

#include <QHash>
#include <QList>

#include <chrono>

namespace veltrix {

class KafkaHandle;

namespace kafka {

// Every topic's partitions with their leaders, replicas and ISR, sorted by name and
// partition; the offsets are still -1. One Metadata request.
Result<QList<TopicOffsets>> readTopicLayout(KafkaHandle *kafka, std::chrono::milliseconds timeout);

// Asks every led partition's offset of one kind (RD_KAFKA_OFFSET_BEGINNING or _END).
// rd_kafka_offsets_for_times groups the partitions by leader and sends one ListOffsets
// request per leader broker (tst_kafkalag counts them at the brokers). Partitions
// without an answer (leader down) are missing from the result.
QHash<TopicPartition, qint64> listOffsets(rd_kafka_t *rk, const QList<TopicOffsets> &topics,
                                          int64_t kind, std::chrono::milliseconds timeout);

} // namespace kafka
} // namespace veltrix
