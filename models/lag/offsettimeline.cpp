#include "offsettimeline.h"

#include <algorithm>

namespace veltrix {

OffsetTimeline::OffsetTimeline(qsizetype capacity)
    : m_capacity(std::max<qsizetype>(capacity, 3))
{ }

void OffsetTimeline::add(qint64 atMs, qint64 endOffset)
{
    if (endOffset < 0)
        return; // unknown (no leader): a gap, not a point
    if (!m_points.isEmpty()) {
        const Point &last = m_points.last();
        if (atMs <= last.atMs)
            return; // a clock step backwards: keep what we have
        if (endOffset < last.endOffset)
            m_points.clear(); // the log shrank: the topic was recreated
    }
    // A flat run needs only its first point (when the end got there) and its last
    // (how long it stayed): overwrite the last instead of growing.
    const qsizetype n = m_points.size();
    if (n >= 2 && m_points[n - 1].endOffset == endOffset
        && m_points[n - 2].endOffset == endOffset) {
        m_points[n - 1].atMs = atMs;
        return;
    }
    if (n >= m_capacity)
        thinOlderHalf();
    m_points.append({atMs, endOffset});
}

void OffsetTimeline::thinOlderHalf()
{
    // Every second point of the older half goes: the history keeps reaching far back
    // at a coarser grain instead of forgetting, so long time lags stay interpolated.
    const qsizetype half = m_points.size() / 2;
    qsizetype kept = 0;
    for (qsizetype i = 0; i < m_points.size(); ++i)
        if (i >= half || i % 2 == 0)
            m_points[kept++] = m_points[i];
    m_points.resize(kept);
}

std::optional<qint64> OffsetTimeline::appendTimeMs(qint64 offset) const
{
    if (m_points.isEmpty() || offset < m_points.first().endOffset
        || offset >= m_points.last().endOffset)
        return std::nullopt;
    // b: the first point whose end is past the offset; a: the one before it, the last
    // poll at which the message did not exist yet.
    const auto b = std::upper_bound(m_points.cbegin(), m_points.cend(), offset,
                                    [](qint64 o, const Point &p) { return o < p.endOffset; });
    const auto a = b - 1;
    const qint64 appended = b->endOffset - a->endOffset; // messages in (a.at, b.at]
    const qint64 rank = offset - a->endOffset + 1; // 1 .. appended
    return a->atMs + (b->atMs - a->atMs) * rank / appended;
}

std::optional<double> OffsetTimeline::messagesPerSecond(qint64 spanMs) const
{
    if (m_points.size() < 2)
        return std::nullopt;
    const Point &last = m_points.last();
    // The newest point at least spanMs old, or the oldest there is.
    auto from = m_points.cbegin();
    for (auto it = m_points.cbegin(); it != m_points.cend(); ++it) {
        if (last.atMs - it->atMs >= spanMs)
            from = it;
        else
            break;
    }
    const qint64 elapsedMs = last.atMs - from->atMs;
    if (elapsedMs <= 0)
        return std::nullopt;
    return double(last.endOffset - from->endOffset) * 1000.0 / double(elapsedMs);
}

} // namespace veltrix
