#pragma once

#include <QList>

#include <optional>

namespace veltrix {

// One partition's log-end offset over time, as kafka-lag-exporter keeps it: enough to
// estimate when a given offset was appended, hence how long the message at a
// consumer's committed offset has been waiting. Bounded: flat runs keep only their
// first and last point, and when it is full the older half is thinned.
class OffsetTimeline
{
public:
    explicit OffsetTimeline(qsizetype capacity = 300);

    // A poll's answer: at atMs the log ended at endOffset. Out-of-order or shrinking
    // ends (a recreated topic) restart the history.
    void add(qint64 atMs, qint64 endOffset);

    // When the message at offset was appended, assuming arrivals spread evenly
    // between two polls. Absent when the offset is older than the history (it was
    // already there at the first point) or not written yet.
    std::optional<qint64> appendTimeMs(qint64 offset) const;

    // Messages appended per second over the last spanMs (at least two points).
    std::optional<double> messagesPerSecond(qint64 spanMs) const;

    // The oldest log end it knows: offsets below it predate the history.
    std::optional<qint64> firstEndOffset() const
    {
        return m_points.isEmpty() ? std::nullopt : std::optional(m_points.first().endOffset);
    }
    qsizetype size() const { return m_points.size(); }
    bool isEmpty() const { return m_points.isEmpty(); }

private:
    struct Point
    {
        qint64 atMs = 0;
        qint64 endOffset = 0;
    };
    void thinOlderHalf();

    qsizetype m_capacity;
    QList<Point> m_points; // oldest first; endOffset never decreases
};

} // namespace veltrix
