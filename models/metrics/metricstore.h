#pragma once

#include "timeseries.h"

#include <QHash>
#include <QList>
#include <QMutex>
#include <QString>

#include <atomic>
#include <map>

namespace veltrix {

// Which dashboard panel a series belongs on.
enum class MetricPanel {
    Latency, // probe p50/p95/p99 per kind and librdkafka's broker round trips, ms
    LatencyByPath, // probe p99 per Kafka partition and per leader broker, ms
    Availability, // share of probes back within the deadline, per kind, percent
    ConsumerLag, // messages behind, per group
    DlqDepth, // messages in each DLQ
    DlqInflow, // messages per second arriving in each DLQ
    Rates, // messages per second: publish/deliver/ack/redeliver, produce
    Retries, // per retry policy: retries and dead-letter inflow per second, the policy named
};

// What a series is, for legends, CSV headers and thresholds.
struct SeriesInfo
{
    QString cluster;
    MetricPanel panel = MetricPanel::Latency;
    QString name; // within the cluster and panel, e.g. "kafka e2e p99", "orders-dlq"
    QString unit; // "ms", "msg", "msg/s"

    QString id() const; // "<cluster>|<panel>|<name>": unique, stable
    QString label() const; // "<cluster>: <name>", for legends
};

// Every dashboard series of the console, in bounded TimeSeries. Thread-safe: probe and
// poll workers append, the GUI thread reads windows. generation() changes on every
// append, so a view redraws only when something moved.
class MetricStore
{
public:
    void append(const SeriesInfo &info, double t, double value); // creates on first use
    QList<SeriesInfo> series(MetricPanel panel) const; // sorted by label
    SeriesPoints window(const QString &id, double from, double to) const;
    std::optional<double> lastValue(const QString &id) const;
    void forgetCluster(const QString &cluster);

    quint64 generation() const { return m_generation.load(std::memory_order_relaxed); }
    int seriesCount() const;
    size_t storedPoints() const; // all tiers of all series: the memory bound's measure

private:
    struct Entry
    {
        SeriesInfo info;
        TimeSeries series;
    };
    mutable QMutex m_mutex;
    std::map<QString, Entry> m_entries; // by id
    std::atomic<quint64> m_generation {0};
};

} // namespace veltrix
