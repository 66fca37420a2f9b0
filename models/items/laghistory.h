#pragma once

#include "core/lagsnapshot.h"
#include "metrics/timeseries.h"

#include <QHash>
#include <QList>
#include <QMutex>
#include <QString>
#include <QStringList>

#include <map>
#include <optional>
#include <vector>

namespace veltrix {

using LagSeriesPoints = SeriesPoints;

// One lag series: a TimeSeries with the lag tiers (15 min of samples at the default 2 s
// poll, then 10 s buckets for 1 h and 60 s buckets for 6 h, the longest window the views
// offer); at most ~1,200 points are ever stored per series.
class LagSeries : public TimeSeries
{
public:
    static constexpr size_t RawCapacity = 450;
    static constexpr double MediumBucketSeconds = 10;
    static constexpr size_t MediumCapacity = 360;
    static constexpr double CoarseBucketSeconds = 60;
    static constexpr size_t CoarseCapacity = 360;

    LagSeries()
        : TimeSeries(
            {RawCapacity, MediumBucketSeconds, MediumCapacity, CoarseBucketSeconds, CoarseCapacity})
    { }
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
