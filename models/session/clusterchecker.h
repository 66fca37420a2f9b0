#pragma once

#include "core/clusterprofile.h"
#include "core/clustertopology.h"

#include <chrono>

namespace veltrix {

// Probes every profile at once, each on its own pool thread, so one dead cluster
// costs its own timeout and not everyone's. Results come back in profile order.
QList<ClusterCheck> checkClusters(const QList<ClusterProfile> &profiles,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(5));

} // namespace veltrix
