#pragma once

#include "core/result.h"

#include <QList>
#include <QPair>
#include <QString>

#include <chrono>

namespace veltrix {

class KafkaHandle;

// CreateTopics for one topic through any client handle. A topic someone else created
// meanwhile counts as created; brokers that do not support CreateTopics (librdkafka's mock)
// are not an error either: the caller's next metadata request may auto-create it.
Result<bool> createKafkaTopic(KafkaHandle &handle, const QString &topic, int partitions,
                              int replicationFactor, const QList<QPair<QString, QString>> &configs,
                              std::chrono::milliseconds timeout);

} // namespace veltrix
