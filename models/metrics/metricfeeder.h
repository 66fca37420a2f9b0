#pragma once

#include "core/probeoutcome.h"
#include "metricstore.h"
#include "percentilebucketer.h"
#include "retry/kafkaretrypolicy.h"

#include <QHash>
#include <QString>

#include <deque>
#include <map>
#include <memory>

namespace veltrix {

struct DlqListing;
struct LagSnapshot;

// One cluster's probe results as dashboard series: per kind p50/p95/p99 each second
// (Latency), p99 per Kafka partition and leader broker plus librdkafka's broker round
// trips (LatencyByPath), and the share of probes back in time over the last minute
// (Availability). Owned by one probe session, so it needs no lock of its own.
class ProbeSeriesFeeder
{
public:
    static constexpr double AvailabilityWindowSeconds = 60;

    ProbeSeriesFeeder(std::shared_ptr<MetricStore> store, QString cluster);

    // now: seconds since the epoch. Closes the buckets that ended by `now`.
    void feed(const ProbeTick &tick, double now);

private:
    struct Path;
    void record(const QString &name, double t, double ms);
    void appendPoint(const Path &path, const PercentilePoint &point);
    void closeBuckets(double now);
    void updateAvailability(double now);

    std::shared_ptr<MetricStore> m_store;
    QString m_cluster;
    struct Path
    {
        MetricPanel panel;
        QString name; // "Kafka end-to-end", "partition 3", "broker 2"
        PercentileBucketer bucketer;
    };
    std::map<QString, Path> m_paths; // by panel-qualified name
    struct Resolved
    {
        double t;
        bool inTime;
    };
    std::map<ProbeKind, std::deque<Resolved>> m_recent; // the availability window
};

// The sessions' snapshots as dashboard series: consumer lag per group, produce rates per
// topic, DLQ depth and inflow, RabbitMQ queue rates. Stateless; call from any thread.
void feedLagSnapshot(MetricStore &store, const LagSnapshot &snapshot);
void feedDlqListing(MetricStore &store, const DlqListing &listing);
// Per Kafka group with a retry policy: its retry topics' and its DLT's inflow (msg/s,
// from the snapshot's produce rates), each line named with the policy in force
// ("payment-service → DLT (max 3)"), so a changed policy starts a new line right where
// the change took effect.
void feedKafkaRetries(MetricStore &store, const LagSnapshot &snapshot,
                      const QList<KafkaRetryPolicy> &policies);
// Per RabbitMQ queue that dead-letters: its redeliveries per second, and for a backoff
// ladder (<queue>.retry.<n> steps) the messages entering its steps, each named with what
// governs it ("orders (limit 3, policy p)"), so a change starts a new line.
void feedQueueRetries(MetricStore &store, const QString &cluster, const QList<QueueRates> &rates,
                      double now);
void feedQueueRates(MetricStore &store, const QString &cluster, const QList<QueueRates> &rates,
                    double now);

} // namespace veltrix
