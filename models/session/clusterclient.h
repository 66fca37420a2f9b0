#pragma once

#include "core/clusterprofile.h"
#include "core/clustertopology.h"
#include "core/result.h"

#include <chrono>
#include <memory>

namespace veltrix {

// The blocking calls a cluster session makes. One implementation per broker kind;
// an instance is used by one thread at a time (librdkafka handles and rabbitmq-c
// connections stay on the thread that made them).
class ClusterClient
{
public:
    virtual ~ClusterClient() = default;

    // Reachability in a few seconds: never hangs past the client's timeout.
    virtual ClusterCheck probe() = 0;
    virtual Result<ClusterTopology> fetchTopology() = 0;

    static std::unique_ptr<ClusterClient> create(const ClusterProfile &profile,
                                                 std::chrono::milliseconds timeout
                                                 = std::chrono::seconds(5));
};

} // namespace veltrix
