#include "laghistory.h"

#include <QMutexLocker>

#include <algorithm>
#include <cmath>

namespace veltrix {

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
