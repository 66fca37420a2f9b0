#pragma once

#include "core/deadletterqueue.h"
#include "core/lagsnapshot.h"
#include "core/probeoutcome.h"

#include <prometheus/collectable.h>

#include <QHash>
#include <QMap>
#include <QRegularExpression>
#include <QString>
#include <QStringList>

#include <mutex>

namespace veltrix {

// Which series the exporter writes: per-partition series can be switched off, and groups
// and topics filtered by allow- and deny-lists (regular expressions matching the whole
// name; an empty allow-list allows all).
struct ExporterOptions
{
    bool partitionSeries = true;
    QStringList groupAllow, groupDeny, topicAllow, topicDeny;

    // An invalid expression, in words; empty when all compile.
    QString problem() const;
};

// The console's numbers as Prometheus metrics, for the console's exposer and for
// `veltrixctl exporter`. Holds the latest state per cluster (fed from the sessions'
// snapshots on their threads) and renders it at scrape time, so a group or DLQ that is
// gone is gone from the next scrape, and a cluster that is down keeps its last values
// with veltrix_cluster_up 0. Thread-safe.
class ExporterMetrics : public prometheus::Collectable
{
public:
    explicit ExporterMetrics(ExporterOptions options = {});

    void setClusterUp(const QString &cluster, bool up);
    void takeLag(const LagSnapshot &snapshot); // also counts a successful "lag" poll
    void takeDlqs(const DlqListing &listing); // a failed scan counts a "dlq" poll error
    void takeProbes(const QString &cluster, const QList<ProbeOutcome> &outcomes);
    void recordPoll(const QString &cluster, const QString &poller, double seconds, bool ok);
    void countRedrive(const QString &cluster, const QString &source, const QString &outcome,
                      double messages);
    void countRetryPolicyChange(const QString &cluster, const QString &kind);

    std::vector<prometheus::MetricFamily> Collect() const override;

    // Every metric name this exporter can write (the Grafana dashboard's test reads it).
    static QStringList metricNames();
    // The probe histogram's bucket bounds, seconds.
    static const std::vector<double> &probeBuckets();

private:
    // Collect(), one area each; called with m_mutex held.
    void collectClusters(std::vector<prometheus::MetricFamily> &out) const; // up, polls
    void collectGroupLag(std::vector<prometheus::MetricFamily> &out) const;
    void collectPartitionOffsets(std::vector<prometheus::MetricFamily> &out) const;
    void collectDlqs(std::vector<prometheus::MetricFamily> &out) const;
    void collectProbes(std::vector<prometheus::MetricFamily> &out) const;
    void collectCounters(std::vector<prometheus::MetricFamily> &out) const; // redrives, retries
    bool groupWanted(const QString &group) const;
    bool topicWanted(const QString &topic) const;

    struct ProbeSeries
    {
        std::vector<std::uint64_t> buckets; // per bound, not cumulative
        std::uint64_t count = 0; // received
        double sum = 0; // seconds
        std::uint64_t expired = 0;
    };
    struct PollStats
    {
        double lastSeconds = 0;
        double total = 0;
        double errors = 0;
        void record(double seconds, bool ok)
        {
            lastSeconds = seconds;
            ++total;
            if (!ok)
                ++errors;
        }
    };

    ExporterOptions m_options;
    QList<QRegularExpression> m_groupAllow, m_groupDeny, m_topicAllow, m_topicDeny;
    mutable std::mutex m_mutex;
    QMap<QString, bool> m_up;
    QMap<QString, LagSnapshot> m_lag;
    QMap<QString, DlqListing> m_dlqs;
    QMap<QString, QMap<QString, ProbeSeries>> m_probes; // cluster → "kind|path"
    QMap<QString, QMap<QString, PollStats>> m_polls; // cluster → poller
    QMap<QStringList, double> m_redrives; // {cluster, source, outcome}
    QMap<QStringList, double> m_retryChanges; // {cluster, kind}
};

} // namespace veltrix
