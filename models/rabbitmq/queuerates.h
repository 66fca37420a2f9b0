#pragma once

#include "core/probeoutcome.h"
#include "core/result.h"

#include <QJsonDocument>

namespace veltrix {

class ManagementClient;

// The management API's /api/queues answer reduced to depth and message rates per queue
// (message_stats.*_details.rate; a queue with no traffic yet has no message_stats and
// gets zeros). Anything else than an array of objects is an error in words.
Result<QList<QueueRates>> parseQueueRates(const QJsonDocument &answer);
// GET /api/queues[/<vhost>] with only the columns parseQueueRates reads.
Result<QList<QueueRates>> fetchQueueRates(ManagementClient &client, const QString &vhost = {});

} // namespace veltrix
