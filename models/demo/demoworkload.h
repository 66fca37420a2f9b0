#pragma once

#include "core/result.h"

#include <QJsonObject>

namespace veltrix::demo {

// One side of the demo's traffic (Kafka or RabbitMQ): producers and consumers on
// their own threads, failing, retrying and dead-lettering like production services.
class DemoWorkload
{
public:
    virtual ~DemoWorkload() = default;
    // Creates what the workload needs and starts its threads; returns at once.
    virtual Result<bool> start() = 0;
    // Stops and joins every thread; idempotent; bounded by the workload's timeouts.
    virtual void stop() = 0;
    // Counters for the demo's periodic status line and tests:
    // {"produced": n, "processed": n, "retried": n, "dead_lettered": n, "errors": n, ...}
    virtual QJsonObject stats() const = 0;
};

} // namespace veltrix::demo
