#include "metricstore.h"

#include <QMutexLocker>

#include <algorithm>

namespace veltrix {

using namespace Qt::StringLiterals;

namespace {

QString panelName(MetricPanel panel)
{
    switch (panel) {
    case MetricPanel::Latency:
        return u"latency"_s;
    case MetricPanel::LatencyByPath:
        return u"latency-by-path"_s;
    case MetricPanel::Availability:
        return u"availability"_s;
    case MetricPanel::ConsumerLag:
        return u"consumer-lag"_s;
    case MetricPanel::DlqDepth:
        return u"dlq-depth"_s;
    case MetricPanel::DlqInflow:
        return u"dlq-inflow"_s;
    case MetricPanel::Rates:
        return u"rates"_s;
    case MetricPanel::Retries:
        return u"retries"_s;
    }
    return u"other"_s;
}

} // namespace

QString SeriesInfo::id() const
{
    return cluster + u'|' + panelName(panel) + u'|' + name;
}

QString SeriesInfo::label() const
{
    return cluster + u": "_s + name;
}

void MetricStore::append(const SeriesInfo &info, double t, double value)
{
    const QString key = info.id();
    QMutexLocker locker(&m_mutex);
    auto it = m_entries.find(key);
    if (it == m_entries.end())
        it = m_entries.emplace(key, Entry {info, TimeSeries()}).first;
    it->second.series.append(t, value);
    m_generation.fetch_add(1, std::memory_order_relaxed);
}

QList<SeriesInfo> MetricStore::series(MetricPanel panel) const
{
    QList<SeriesInfo> out;
    {
        QMutexLocker locker(&m_mutex);
        for (const auto &[key, entry] : m_entries) {
            if (entry.info.panel == panel)
                out.append(entry.info);
        }
    }
    std::sort(out.begin(), out.end(),
              [](const SeriesInfo &a, const SeriesInfo &b) { return a.label() < b.label(); });
    return out;
}

SeriesPoints MetricStore::window(const QString &id, double from, double to) const
{
    QMutexLocker locker(&m_mutex);
    const auto it = m_entries.find(id);
    return it == m_entries.end() ? SeriesPoints {} : it->second.series.window(from, to);
}

std::optional<double> MetricStore::lastValue(const QString &id) const
{
    QMutexLocker locker(&m_mutex);
    const auto it = m_entries.find(id);
    return it == m_entries.end() ? std::nullopt : it->second.series.lastValue();
}

void MetricStore::forgetCluster(const QString &cluster)
{
    QMutexLocker locker(&m_mutex);
    std::erase_if(m_entries,
                  [&](const auto &entry) { return entry.second.info.cluster == cluster; });
    m_generation.fetch_add(1, std::memory_order_relaxed);
}

int MetricStore::seriesCount() const
{
    QMutexLocker locker(&m_mutex);
    return int(m_entries.size());
}

size_t MetricStore::storedPoints() const
{
    QMutexLocker locker(&m_mutex);
    size_t points = 0;
    for (const auto &[key, entry] : m_entries)
        points += entry.series.storedPoints();
    return points;
}

} // namespace veltrix
