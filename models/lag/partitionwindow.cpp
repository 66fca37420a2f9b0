#include "partitionwindow.h"

#include <algorithm>

namespace veltrix {

namespace {

QString seconds(qint64 ms)
{
    return QString::number(double(ms) / 1000.0, 'f', ms < 10000 ? 1 : 0) + QStringLiteral(" s");
}

} // namespace

void PartitionWindow::record(const LagSample &sample, qint64 windowMs)
{
    if (m_firstSeenMs < 0)
        m_firstSeenMs = sample.atMs;
    const auto lag = sample.lag();
    if (sample.committed) {
        const qint64 committed = *sample.committed;
        if (m_points.isEmpty() || m_points.last().committed != committed) {
            if (!m_points.isEmpty() && committed < m_points.last().committed) {
                m_lastRewindMs = sample.atMs;
                m_rewindFrom = m_points.last().committed;
            }
            m_points.append({sample.atMs, committed, lag.value_or(0)});
        }
    }
    if (lag && *lag == 0)
        m_lastZeroLagMs = sample.atMs;
    m_latest = sample;
    trim(sample.atMs - windowMs);
}

void PartitionWindow::trim(qint64 windowStartMs)
{
    // Keep one point at or before the window's start: it is the committed offset the
    // window began with.
    qsizetype drop = 0;
    while (drop + 1 < m_points.size() && m_points[drop + 1].atMs <= windowStartMs)
        ++drop;
    if (drop > 0)
        m_points.remove(0, drop);
}

LagJudgement PartitionWindow::judge(qint64 windowMs, Membership membership,
                                    std::optional<double> timeLagSeconds) const
{
    const qint64 now = m_latest.atMs;
    const qint64 windowStart = now - windowMs;
    if (!m_latest.committed)
        return {LagVerdict::NoOffset, QStringLiteral("no committed offset")};
    const qint64 committed = *m_latest.committed;
    if (m_latest.startOffset >= 0 && committed < m_latest.startOffset)
        return {LagVerdict::OutOfRange,
                QStringLiteral("out of range: messages lost to retention — committed offset %1 is "
                               "below the log start %2 (%3 messages gone)")
                    .arg(committed)
                    .arg(m_latest.startOffset)
                    .arg(m_latest.startOffset - committed)};
    if (m_latest.endOffset < 0)
        return {LagVerdict::Pending, QStringLiteral("log-end offset unknown (no leader answered)")};
    const qint64 lag = m_latest.endOffset - committed;
    if (lag < 0)
        return {LagVerdict::Warn,
                QStringLiteral("negative lag: committed offset %1 is %2 beyond the log end %3 "
                               "(topic recreated, or offsets moved by hand)")
                    .arg(committed)
                    .arg(-lag)
                    .arg(m_latest.endOffset)};
    if (lag == 0)
        return {LagVerdict::Ok, QStringLiteral("caught up")};
    if (m_lastZeroLagMs >= 0 && m_lastZeroLagMs >= windowStart)
        return {LagVerdict::Ok,
                QStringLiteral("lag %1; was caught up %2 ago, within the window")
                    .arg(lag)
                    .arg(seconds(now - m_lastZeroLagMs))};
    if (m_lastRewindMs >= 0 && m_lastRewindMs >= windowStart)
        return {LagVerdict::Rewind,
                QStringLiteral("committed offset went back from %1 to %2 %3 ago")
                    .arg(m_rewindFrom)
                    .arg(committed)
                    .arg(seconds(now - m_lastRewindMs))};
    if (now - m_firstSeenMs < windowMs || now == m_firstSeenMs)
        return {LagVerdict::Pending,
                QStringLiteral("lag %1; judging progress needs a full window "
                               "(%2 of %3 seen)")
                    .arg(lag)
                    .arg(seconds(now - m_firstSeenMs), seconds(windowMs))};

    // Burrow flags a consumer the moment a message lands on an idle topic, because its
    // last commit is old (Burrow #38, #338). Here the consumer is only STOP or STALL
    // when the oldest waiting message has waited a whole window.
    const bool waitedAWindow = !timeLagSeconds || *timeLagSeconds * 1000.0 >= double(windowMs);
    const bool movedInWindow = m_points.size() >= 2;
    if (!movedInWindow) {
        if (!waitedAWindow)
            return {LagVerdict::Ok,
                    QStringLiteral("lag %1; the oldest waiting message is %2 old, less than the "
                                   "window: the consumer has not had its chance yet")
                        .arg(lag)
                        .arg(seconds(qint64(*timeLagSeconds * 1000.0)))};
        if (membership == Membership::Assigned)
            return {LagVerdict::Stall,
                    QStringLiteral("committed offset stuck at %1 for the whole window while a "
                                   "member owns the partition; lag %2")
                        .arg(committed)
                        .arg(lag)};
        return {LagVerdict::Stop,
                QStringLiteral("no commit progress for the whole window (%1)%2; lag %3")
                    .arg(seconds(windowMs),
                         membership == Membership::Unassigned
                             ? QStringLiteral(" and no member owns the partition")
                             : QString())
                    .arg(lag)};
    }

    const qint64 lastChange = m_points.last().atMs;
    const qint64 firstAt = std::max(m_points.first().atMs, windowStart);
    if (now - lastChange > lastChange - firstAt && waitedAWindow)
        return {LagVerdict::Stop,
                QStringLiteral("last commit progress %1 ago, longer than the %2 "
                               "over which it had been committing; lag %3")
                    .arg(seconds(now - lastChange), seconds(lastChange - firstAt))
                    .arg(lag)};

    // Trend over the commits in the window (plus now); fewer than three commits make no
    // trend.
    if (m_points.size() >= 3) {
        bool neverDecreased = lag >= m_points.last().lag;
        for (qsizetype i = 1; i < m_points.size() && neverDecreased; ++i)
            neverDecreased = m_points[i].lag >= m_points[i - 1].lag;
        if (neverDecreased)
            return {LagVerdict::Warn,
                    QStringLiteral("committing, but lag never decreased over the window (%1 → %2)")
                        .arg(m_points.first().lag)
                        .arg(lag)};
    }
    return {LagVerdict::Ok, QStringLiteral("lag %1; consumer is making progress").arg(lag)};
}

} // namespace veltrix
