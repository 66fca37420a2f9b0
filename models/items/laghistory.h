#pragma once

#include "core/lagsnapshot.h"

#include <QHash>
#include <QList>
#include <QMutex>
#include <QString>
#include <QStringList>

#include <map>
#include <optional>
#include <vector>

namespace veltrix {

// A drawable series: x in seconds since the epoch (ascending), y the lag.
struct LagSeriesPoints
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

// One lag series in three bounded tiers, so memory and plotting cost are capped however
// long the console runs:
//   raw     every sample, the last RawCapacity (15 min at the default 2 s poll interval)
//   medium  10 s min/max buckets, 360 of them (1 h)
//   coarse  60 s min/max buckets, 360 of them (6 h, the longest window the views offer)
// A window is drawn from the finest tier that still reaches back to its start. A bucket
// is drawn as its minimum and its maximum at the times they were seen, so a spike that
// has left the raw tier is still drawn at full height (PlotJuggler keeps per-chunk
// min/max for the same reason). At most ~1,200 points are ever stored per series.
class LagSeries
{
public:
    static constexpr size_t RawCapacity = 450;
    static constexpr double MediumBucketSeconds = 10;
    static constexpr size_t MediumCapacity = 360;
    static constexpr double CoarseBucketSeconds = 60;
    static constexpr size_t CoarseCapacity = 360;

    LagSeries();

    // Samples must come in time order; one not later than the last is ignored (a clock
    // step back would otherwise break the sorted x the plots rely on).
    void append(double t, double value);
    LagSeriesPoints window(double from, double to) const;
    QList<double> lastValues(int count) const; // oldest first
    std::optional<double> lastTime() const;
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
        void collect(double from, double to, LagSeriesPoints &out) const;
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

// The lag history the charts and sparklines draw: per (cluster, group) the total lag and
// per (cluster, group, topic) the topic's lag (sum of its partitions' positive lags), fed
// one LagSnapshot per poll. Series that have had no sample for the longest window are
// forgotten, so groups that come and go do not accumulate.
//
// Thread-safe: appending sums every partition of every group, so the console appends on
// a worker thread and reads (a window of the selected group, a sparkline) on the GUI
// thread.
class LagHistory
{
public:
    static constexpr double LongestWindowSeconds = 6 * 3600;

    void append(const LagSnapshot &snapshot);
    void forgetCluster(const QString &cluster);

    LagSeriesPoints groupTotal(const QString &cluster, const QString &group, double from,
                               double to) const;
    LagSeriesPoints topicLag(const QString &cluster, const QString &group, const QString &topic,
                             double from, double to) const;
    QStringList topics(const QString &cluster, const QString &group) const; // sorted
    QList<double> recentTotals(const QString &cluster, const QString &group, int count) const;

    int seriesCount() const;
    size_t storedPoints() const; // all tiers of all series: the memory bound's measure

private:
    struct GroupSeries
    {
        LagSeries total;
        std::map<QString, LagSeries> topics;
    };
    using Groups = std::map<QString, GroupSeries>;
    const GroupSeries *find(const QString &cluster, const QString &group) const;

    mutable QMutex m_mutex;
    QHash<QString, Groups> m_clusters;
};

} // namespace veltrix
