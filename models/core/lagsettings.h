#pragma once

#include <chrono>

namespace veltrix {

// How a cluster's consumer lag is polled and judged (profile field "lag", CLI flags).
struct LagSettings
{
    std::chrono::milliseconds interval {2000}; // between the end of a poll and the next
    std::chrono::milliseconds window {60000}; // the verdicts' sliding window
    // Time a poll may spend reading messages at committed offsets for the time-lag
    // fallback; what does not fit waits for the next poll.
    std::chrono::milliseconds timestampBudget {1000};

    bool operator==(const LagSettings &) const = default;
};

} // namespace veltrix
