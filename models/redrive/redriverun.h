#pragma once

#include "core/browsedmessage.h"
#include "core/clusterprofile.h"
#include "redrivepacer.h"
#include "redrivereport.h"
#include "redriverequest.h"
#include "redrivetarget.h"

#include <chrono>
#include <functional>

namespace veltrix {

using RedriveProgressSink = std::function<void(const RedriveProgress &)>;

// What a broker's redriver gets from the engine: the request, the controls, the report to
// fill, and the bookkeeping every redriver does alike (selection, pacing, progress).
class RedriveRun
{
public:
    using Clock = std::chrono::steady_clock;

    RedriveRun(const ClusterProfile &profile, const RedriveRequest &request,
               RedriveControl &control, RedriveProgressSink onProgress, RedriveReport &report);

    const ClusterProfile &profile;
    const RedriveRequest &request;
    RedriveControl &control;
    RedriveReport &report;
    std::chrono::milliseconds timeout {10000}; // one broker call, at most

    // Whether the request picks this message (ids and filter; the limit is counted by
    // wantsMore()). Counts the ones it does not as not selected.
    bool selects(const BrowsedMessage &message);
    // Whether the limit leaves room for another selected message.
    bool wantsMore() const;
    void countSelected() { ++m_selected; }

    // Where a selected message goes, or why it cannot go (then recorded as skipped).
    std::optional<RedriveTarget> targetFor(const BrowsedMessage &message);

    // How long to wait before the next publish (rate limit, live rate changes); zero: go.
    std::chrono::nanoseconds sendDelay();

    // Progress for the sink, at most every ~100 ms unless forced. total: -1 unknown.
    void progress(qint64 total, qint64 looked, const QString &state, bool force = false);
    RedriveProgress lastProgress() const { return m_last; }

    // Sleeps up to `duration`, waking early on cancel. For backoff and pacing.
    void sleepFor(std::chrono::milliseconds duration) const;

private:
    RedriveProgressSink m_onProgress;
    RateLimiter m_limiter;
    ThroughputMeter m_meter;
    Clock::time_point m_lastProgressAt {};
    RedriveProgress m_last;
    qint64 m_selected = 0;
};

} // namespace veltrix
