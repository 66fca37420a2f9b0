#pragma once

#include "core/brokererror.h"
#include "core/clusterprofile.h"
#include "core/probeoutcome.h"
#include "core/probesettings.h"
#include "core/result.h"

#include <chrono>
#include <memory>

namespace veltrix {

// One cluster's end-to-end probes. Blocking: lives on one worker thread (the console's
// probe session, or veltrixctl probe's main thread) and is driven by step().
class Probe
{
public:
    virtual ~Probe() = default;

    // Sends the probes that are due at the settings' rate (sendProbes false: none, to
    // drain), serves deliveries and consumption for up to `budget`, and adds what was
    // resolved to `tick`. An error means the probe cannot go on (the caller reopens).
    virtual Result<bool> step(std::chrono::milliseconds budget, bool sendProbes, ProbeTick &tick)
        = 0;
    // Probes sent and not yet resolved.
    virtual int pending() const = 0;
    // "kafka:<cluster>/<topic>" or "rabbitmq:<cluster>/<vhost>", as the CLI's SOURCE.
    virtual QString target() const = 0;
    // Partitions probed (Kafka); 1 for RabbitMQ.
    virtual int partitions() const = 0;
};

// Connects and prepares (Kafka: finds or creates the probe topic, assigns the consumer
// to every partition at its end; RabbitMQ: declares the temporary queues). A clear
// error when it cannot.
Result<std::unique_ptr<Probe>> openKafkaProbe(const ClusterProfile &profile,
                                              const ProbeSettings &settings);
Result<std::unique_ptr<Probe>> openRabbitProbe(const ClusterProfile &profile,
                                               const ProbeSettings &settings);
Result<std::unique_ptr<Probe>> openProbe(const ClusterProfile &profile,
                                         const ProbeSettings &settings);

} // namespace veltrix
