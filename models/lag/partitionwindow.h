#pragma once

#include "core/lagsnapshot.h"

#include <QList>

#include <optional>

namespace veltrix {

// One poll's view of one group on one partition.
struct LagSample
{
    qint64 atMs = 0;
    std::optional<qint64> committed;
    qint64 endOffset = -1;
    qint64 startOffset = -1;

    std::optional<qint64> lag() const
    {
        if (!committed || endOffset < 0)
            return std::nullopt;
        return endOffset - *committed;
    }
};

// Whether the group has a live member that owns the partition.
enum class Membership { Unknown, Assigned, Unassigned };

struct LagJudgement
{
    LagVerdict verdict = LagVerdict::Pending;
    QString reason;
};

// The sliding window of one group-partition and Burrow's evaluation rules over it
// (README, "Lag verdicts", has the exact rules). Keeps only what the rules need:
// the points where the committed offset changed, the latest sample, and when lag was
// last zero or the offset last went backwards; so 100 000 partitions stay cheap.
class PartitionWindow
{
public:
    void record(const LagSample &sample, qint64 windowMs);

    // timeLagSeconds: the partition's current time lag, when known; STOP and STALL
    // need the oldest waiting message to have waited a whole window.
    LagJudgement judge(qint64 windowMs, Membership membership,
                       std::optional<double> timeLagSeconds) const;

    const LagSample &latest() const { return m_latest; }

private:
    struct CommitPoint
    {
        qint64 atMs = 0; // first poll that saw this committed offset
        qint64 committed = 0;
        qint64 lag = 0; // at that poll
    };
    void trim(qint64 windowStartMs);

    QList<CommitPoint> m_points; // oldest first; the first may predate the window (anchor)
    LagSample m_latest;
    qint64 m_firstSeenMs = -1;
    qint64 m_lastZeroLagMs = -1;
    qint64 m_lastRewindMs = -1;
    qint64 m_rewindFrom = 0; // committed before the last rewind
};

} // namespace veltrix
