#pragma once

#include "core/lagsnapshot.h"

#include <QString>
#include <QtGlobal>

#include <optional>

namespace veltrix {

// Roles the lag item models share, so one decorator and one sort proxy serve them all.
enum LagItemRole : int {
    LagSortRole = Qt::UserRole + 100, // the raw number (or name) a column sorts by
    LagVerdictRole, // LagVerdict as int, on verdict cells only
    LagEmphasisRole, // CellEmphasis as int: what the UI colours a cell by
    LagTrendRole, // QList<double>: recent total lag, oldest first (the sparkline)
    LagKeyRole, // the row's group or topic name; the partition number on partition rows
};

// What a cell tells the operator beyond its text. Models decide it (pure logic, tested);
// the UI turns it into colours, because models know no colours.
enum class CellEmphasis {
    None,
    Muted, // unknown or absent: "—", "?", "no offset"
    Warning, // worth a look: under-replicated, offsets unavailable
    Alarm, // wrong: negative lag, no leader, a group whose offsets cannot be read
    Loss, // data is gone: committed offset below the log start (out of range)
};

// Text for the lag views, the same in every table. Digits are grouped in English style
// so that a number reads the same on every operator's screen.
QString formatCount(qint64 value); // "1,234,567", "-42"
QString formatOffset(qint64 offset); // "1,234"; "?" when negative (unknown)
QString formatCommitted(const std::optional<qint64> &committed); // "—" without a commit
QString formatLag(const std::optional<qint64> &lag); // "no offset" when absent, never 0
QString formatDuration(double seconds); // "0.4 s", "12 s", "4 min 05 s", "2 h 03 min", "3 d 4 h"
// The time lag with the estimate it is: "≈ 12 s" (interpolated), "12 s (msg ts)",
// "caught up", "—" (unknown).
QString formatTimeLag(const std::optional<double> &seconds, TimeLagSource source);
QString timeLagSourceDescription(TimeLagSource source); // one sentence, for tool tips
QString formatRate(const std::optional<double> &messagesPerSecond); // "12.5 msg/s", "—"

// A partition's flags in words, worst first: "OUT OF RANGE: messages lost to retention;
// no leader". Short enough for a table cell; the lag cell's tool tip explains.
QString describeLagFlags(unsigned flags);
CellEmphasis lagFlagsEmphasis(unsigned flags);

} // namespace veltrix
