#pragma once

#include "core/probeoutcome.h"
#include "core/result.h"

#include <QByteArray>

namespace veltrix {

// librdkafka's statistics JSON (statistics.interval.ms) reduced to what the latency
// dashboard shows per broker: "rtt" and "outbuf_latency" p50/p99 (microseconds there,
// milliseconds here). Brokers that never connected (no samples) are left out; the
// bootstrap placeholders ("...bootstrap", nodeid -1) too.
Result<QList<BrokerLatency>> parseKafkaStatistics(const QByteArray &json);

} // namespace veltrix
