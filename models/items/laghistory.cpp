#include "laghistory.h"

#include <QMutexLocker>

#include <algorithm>
#include <cmath>

namespace veltrix {

namespace {

void addPoint(LagSeriesPoints &out, double from, double to, double t, double value)
{
    if (t < from || t > to)
        return;
    out.x.append(t);
    out.y.append(value);
}

} // namespace

LagSeries::BucketTier::BucketTier(double width, size_t capacity)
    : m_width(width)
    , m_closed(capacity)
{ }

void LagSeries::BucketTier::append(double t, double value)
{
    const double start = std::floor(t / m_width) * m_width;
    if (m_open && m_open->start == start) {
        if (value < m_open->min) {
            m_open->min = value;
            m_open->minT = t;
        }
        if (value > m_open->max) {
            m_open->max = value;
            m_open->maxT = t;
        }
        return;
    }
    if (m_open)
        m_closed.push(*m_open);
    m_open = Bucket {start, t, value, t, value};
}

bool LagSeries::BucketTier::reaches(double from) const
{
    return !m_closed.hasDropped() || (!m_closed.empty() && m_closed.at(0).start <= from);
}

void LagSeries::BucketTier::collect(double from, double to, LagSeriesPoints &out) const
{
    const auto emitBucket = [&](const Bucket &bucket) {
        if (bucket.minT == bucket.maxT) {
            addPoint(out, from, to, bucket.minT, bucket.min);
        } else if (bucket.minT < bucket.maxT) {
            addPoint(out, from, to, bucket.minT, bucket.min);
            addPoint(out, from, to, bucket.maxT, bucket.max);
        } else {
            addPoint(out, from, to, bucket.maxT, bucket.max);
            addPoint(out, from, to, bucket.minT, bucket.min);
        }
    };
    // Skip the buckets that end before the window: they are in time order.
    size_t lo = 0;
    size_t hi = m_closed.size();
    while (lo < hi) {
        const size_t mid = (lo + hi) / 2;
        if (m_closed.at(mid).start + m_width <= from)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < m_closed.size() && m_closed.at(i).start <= to; ++i)
        emitBucket(m_closed.at(i));
    if (m_open)
        emitBucket(*m_open);
}

LagSeries::LagSeries()
    : m_raw(RawCapacity)
    , m_medium(MediumBucketSeconds, MediumCapacity)
    , m_coarse(CoarseBucketSeconds, CoarseCapacity)
{ }

void LagSeries::append(double t, double value)
{
    if (!m_raw.empty() && t <= m_raw.back().t)
        return;
    m_raw.push({t, value});
    m_medium.append(t, value);
    m_coarse.append(t, value);
}

LagSeriesPoints LagSeries::window(double from, double to) const
{
    LagSeriesPoints out;
    if (m_raw.empty())
        return out;
    if (!m_raw.hasDropped() || m_raw.at(0).t <= from) {
        size_t lo = 0;
        size_t hi = m_raw.size();
        while (lo < hi) {
            const size_t mid = (lo + hi) / 2;
            if (m_raw.at(mid).t < from)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (size_t i = lo; i < m_raw.size() && m_raw.at(i).t <= to; ++i) {
            out.x.append(m_raw.at(i).t);
            out.y.append(m_raw.at(i).value);
        }
        return out;
    }
    (m_medium.reaches(from) ? m_medium : m_coarse).collect(from, to, out);
    return out;
}

QList<double> LagSeries::lastValues(int count) const
{
    QList<double> values;
    const size_t n = std::min(m_raw.size(), static_cast<size_t>(std::max(count, 0)));
    values.reserve(static_cast<qsizetype>(n));
    for (size_t i = m_raw.size() - n; i < m_raw.size(); ++i)
        values.append(m_raw.at(i).value);
    return values;
}

std::optional<double> LagSeries::lastTime() const
{
    if (m_raw.empty())
        return std::nullopt;
    return m_raw.back().t;
}

size_t LagSeries::storedPoints() const
{
    return m_raw.size() + m_medium.size() + m_coarse.size();
}

void LagHistory::append(const LagSnapshot &snapshot)
{
    if (!snapshot.polledAt.isValid())
        return;
    const double t = static_cast<double>(snapshot.polledAt.toMSecsSinceEpoch()) / 1000.0;

    // Sum outside the lock: this walks every partition, and the GUI thread must not wait
    // for it to draw a sparkline.
    struct TopicSum
    {
        double lag = 0;
        bool known = false; // some partition of it has a lag: all "no offset" draws nothing
    };
    struct GroupSums
    {
        const GroupLag *group;
        bool totalKnown = false;
        std::map<QString, TopicSum> topics;
    };
    std::vector<GroupSums> sums;
    sums.reserve(static_cast<size_t>(snapshot.groups.size()));
    for (const GroupLag &group : snapshot.groups) {
        GroupSums entry {&group, false, {}};
        auto current = entry.topics.end();
        for (const PartitionLag &partition : group.partitions) {
            // Partitions come sorted by topic: look the topic up once per run.
            if (current == entry.topics.end() || current->first != partition.topic)
                current = entry.topics.try_emplace(partition.topic).first;
            if (!partition.lag)
                continue;
            current->second.lag += static_cast<double>(std::max<qint64>(*partition.lag, 0));
            current->second.known = true;
            entry.totalKnown = true;
        }
        sums.push_back(std::move(entry));
    }

    QMutexLocker locker(&m_mutex);
    Groups &groups = m_clusters[snapshot.cluster];
    for (const GroupSums &entry : sums) {
        GroupSeries &series = groups[entry.group->group];
        if (entry.totalKnown && entry.group->error.isEmpty())
            series.total.append(t, static_cast<double>(entry.group->totalLag));
        for (const auto &[topic, sum] : entry.topics)
            if (sum.known)
                series.topics[topic].append(t, sum.lag);
    }

    const double horizon = t - LongestWindowSeconds;
    const auto stale = [horizon](const LagSeries &series) {
        const auto last = series.lastTime();
        return !last || *last < horizon;
    };
    for (auto group = groups.begin(); group != groups.end();) {
        auto &topics = group->second.topics;
        for (auto topic = topics.begin(); topic != topics.end();)
            topic = stale(topic->second) ? topics.erase(topic) : std::next(topic);
        if (topics.empty() && stale(group->second.total))
            group = groups.erase(group);
        else
            ++group;
    }
}

void LagHistory::forgetCluster(const QString &cluster)
{
    QMutexLocker locker(&m_mutex);
    m_clusters.remove(cluster);
}

const LagHistory::GroupSeries *LagHistory::find(const QString &cluster, const QString &group) const
{
    const auto groups = m_clusters.constFind(cluster);
    if (groups == m_clusters.cend())
        return nullptr;
    const auto it = groups->find(group);
    return it == groups->end() ? nullptr : &it->second;
}

LagSeriesPoints LagHistory::groupTotal(const QString &cluster, const QString &group, double from,
                                       double to) const
{
    QMutexLocker locker(&m_mutex);
    const GroupSeries *series = find(cluster, group);
    return series ? series->total.window(from, to) : LagSeriesPoints {};
}

LagSeriesPoints LagHistory::topicLag(const QString &cluster, const QString &group,
                                     const QString &topic, double from, double to) const
{
    QMutexLocker locker(&m_mutex);
    const GroupSeries *series = find(cluster, group);
    if (!series)
        return {};
    const auto it = series->topics.find(topic);
    return it == series->topics.end() ? LagSeriesPoints {} : it->second.window(from, to);
}

QStringList LagHistory::topics(const QString &cluster, const QString &group) const
{
    QMutexLocker locker(&m_mutex);
    QStringList names;
    if (const GroupSeries *series = find(cluster, group))
        for (const auto &entry : series->topics)
            names.append(entry.first);
    return names;
}

QList<double> LagHistory::recentTotals(const QString &cluster, const QString &group,
                                       int count) const
{
    QMutexLocker locker(&m_mutex);
    const GroupSeries *series = find(cluster, group);
    return series ? series->total.lastValues(count) : QList<double> {};
}

int LagHistory::seriesCount() const
{
    QMutexLocker locker(&m_mutex);
    int count = 0;
    for (const Groups &groups : m_clusters)
        for (const auto &entry : groups)
            count += 1 + static_cast<int>(entry.second.topics.size());
    return count;
}

size_t LagHistory::storedPoints() const
{
    QMutexLocker locker(&m_mutex);
    size_t points = 0;
    for (const Groups &groups : m_clusters)
        for (const auto &entry : groups) {
            points += entry.second.total.storedPoints();
            for (const auto &topic : entry.second.topics)
                points += topic.second.storedPoints();
        }
    return points;
}

} // namespace veltrix
