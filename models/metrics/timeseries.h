#pragma once

#include <QList>

#include <optional>
#include <vector>

namespace veltrix {

// A drawable series: x in seconds since the epoch (ascending), y the value.
struct SeriesPoints
{
    QList<double> x;
    QList<double> y;
};

// Fixed-capacity FIFO: once full, each push drops the oldest item.
template<typename T>
class RingBuffer
{
public:
    explicit RingBuffer(size_t capacity)
        : m_capacity(capacity)
    { }

    void push(const T &item)
    {
        if (m_items.size() < m_capacity) {
            m_items.push_back(item);
            return;
        }
        m_items[m_head] = item;
        m_head = (m_head + 1) % m_capacity;
        m_dropped = true;
    }
    size_t size() const { return m_items.size(); }
    size_t capacity() const { return m_capacity; }
    bool empty() const { return m_items.empty(); }
    bool hasDropped() const { return m_dropped; } // true once it forgot something
    const T &at(size_t i) const { return m_items[(m_head + i) % m_items.size()]; } // 0: oldest
    const T &back() const { return at(m_items.size() - 1); }

private:
    std::vector<T> m_items; // grows to capacity, then wraps: memory follows uptime up to the cap
    size_t m_capacity;
    size_t m_head = 0;
    bool m_dropped = false;
};

// How much of a series each tier keeps (see TimeSeries).
struct SeriesTiers
{
    size_t rawCapacity;
    double mediumBucketSeconds;
    size_t mediumCapacity;
    double coarseBucketSeconds;
    size_t coarseCapacity;

    // Dashboards, sampled every ~1 s: 15 min raw, 1 h of 10 s buckets, 6 h of 60 s buckets,
    // each with a minute or two to spare for the margin the charts draw beyond their edges
    // (without it, a full window would fall through to the next coarser tier).
    static SeriesTiers dashboard() { return {1000, 10, 372, 60, 362}; }
};

// One series in three bounded tiers, so memory and plotting cost are capped however long
// the console runs:
//   raw     every sample, the last rawCapacity
//   medium  min/max buckets of mediumBucketSeconds, mediumCapacity of them
//   coarse  min/max buckets of coarseBucketSeconds, coarseCapacity of them
// A window is drawn from the finest tier that still reaches back to its start. A bucket
// is drawn as its minimum and its maximum at the times they were seen, so a spike that
// has left the raw tier is still drawn at full height (PlotJuggler keeps per-chunk
// min/max for the same reason).
class TimeSeries
{
public:
    explicit TimeSeries(const SeriesTiers &tiers = SeriesTiers::dashboard());

    // Samples must come in time order; one not later than the last is ignored (a clock
    // step back would otherwise break the sorted x the plots rely on).
    void append(double t, double value);
    SeriesPoints window(double from, double to) const;
    QList<double> lastValues(int count) const; // oldest first
    std::optional<double> lastTime() const;
    std::optional<double> lastValue() const;
    size_t storedPoints() const; // samples and buckets held in all tiers

private:
    struct Sample
    {
        double t;
        double value;
    };
    struct Bucket
    {
        double start = 0;
        double minT = 0;
        double min = 0;
        double maxT = 0;
        double max = 0;
    };
    class BucketTier
    {
    public:
        BucketTier(double width, size_t capacity);
        void append(double t, double value);
        bool reaches(double from) const; // holds everything since `from`
        void collect(double from, double to, SeriesPoints &out) const;
        size_t size() const { return m_closed.size() + (m_open ? 1 : 0); }

    private:
        double m_width;
        RingBuffer<Bucket> m_closed;
        std::optional<Bucket> m_open;
    };

    RingBuffer<Sample> m_raw;
    BucketTier m_medium;
    BucketTier m_coarse;
};

} // namespace veltrix
