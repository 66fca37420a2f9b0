#pragma once

#include "core/result.h"

#include <QList>
#include <QString>

#include <chrono>
#include <utility>

namespace veltrix {

class KafkaHandle;

// Each partition's [low, high) offsets of one topic, index = partition: what is in it now.
// One Metadata request, then one ListOffsets pair per partition (operations, not polls).
Result<QList<std::pair<qint64, qint64>>> topicWatermarks(KafkaHandle &kafka, const QString &topic,
                                                         std::chrono::milliseconds timeout);

} // namespace veltrix
