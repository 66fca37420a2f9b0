#include "redriverun.h"

#include <QThread>

namespace veltrix {

using namespace Qt::StringLiterals;

RedriveRun::RedriveRun(const ClusterProfile &profile, const RedriveRequest &request,
                       RedriveControl &control, RedriveProgressSink onProgress,
                       RedriveReport &report)
    : profile(profile)
    , request(request)
    , control(control)
    , report(report)
    , m_onProgress(std::move(onProgress))
    , m_limiter(request.ratePerSecond)
{ }

bool RedriveRun::selects(const BrowsedMessage &message)
{
    const bool picked = (!request.ids || request.ids->contains(message.id))
        && (request.filter.isEmpty() || request.filter.matches(message));
    if (!picked)
        ++report.notSelected;
    return picked;
}

bool RedriveRun::wantsMore() const
{
    return request.limit < 0 || m_selected < request.limit;
}

std::optional<RedriveTarget> RedriveRun::targetFor(const BrowsedMessage &message)
{
    TargetResolution resolution
        = resolveRedriveTarget(message, request.source, request.destination);
    if (!resolution.target)
        report.addItem({RedriveItem::Outcome::Skipped, message.id, {}, resolution.why});
    return resolution.target;
}

std::chrono::nanoseconds RedriveRun::sendDelay()
{
    const double live = control.rate();
    if (live >= 0 && live != m_limiter.rate())
        m_limiter.setRate(live);
    return m_limiter.acquire(Clock::now());
}

void RedriveRun::progress(qint64 total, qint64 looked, const QString &state, bool force)
{
    const auto now = Clock::now();
    if (!force && now - m_lastProgressAt < std::chrono::milliseconds(100))
        return;
    m_lastProgressAt = now;
    m_meter.record(now, report.moved);
    RedriveProgress p;
    p.total = total;
    p.looked = looked;
    p.moved = report.moved;
    p.failed = report.failed;
    p.skipped = report.skipped;
    p.ratePerSecond = m_meter.ratePerSecond();
    // Messages still to look at, paced by how fast they have been moving.
    p.etaSeconds = total < 0 ? -1 : m_meter.etaSeconds(total - looked);
    p.paused = control.isPaused();
    p.reconnects = report.reconnects;
    p.state = p.paused ? u"paused"_s : state;
    m_last = p;
    if (m_onProgress)
        m_onProgress(p);
}

void RedriveRun::sleepFor(std::chrono::milliseconds duration) const
{
    const auto until = Clock::now() + duration;
    while (!control.isCancelled() && Clock::now() < until)
        QThread::msleep(static_cast<unsigned long>(std::min<qint64>(
            50,
            std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count()
                + 1)));
}

} // namespace veltrix
