#pragma once

#include "core/clusterprofile.h"
#include "core/probeoutcome.h"
#include "core/result.h"
#include "latencyhistogram.h"

#include <QJsonObject>

#include <functional>
#include <map>

namespace veltrix {

// One probe kind's results over a run: what `veltrixctl probe` prints.
struct ProbeSummary
{
    QString target; // "kafka:<cluster>/<topic>", "rabbitmq:<cluster>/<vhost>"
    ProbeKind kind = ProbeKind::KafkaEndToEnd;
    qint64 sent = 0; // resolved probes: back in time or expired
    qint64 received = 0; // back within the deadline
    LatencyHistogram latencies; // of the received ones

    double availability() const; // received / sent; 0 when nothing was sent
    // {"target", "kind", "sent", "received", "p50_ms", "p95_ms", "p99_ms", "max_ms",
    //  "availability"}: the CLI's contract. Latencies are null when nothing came back.
    QJsonObject toJson() const;
};

// Adds outcomes up per kind.
class ProbeSummarizer
{
public:
    explicit ProbeSummarizer(QString target);
    void add(const ProbeOutcome &outcome);
    QList<ProbeSummary> summaries() const; // in ProbeKind order

private:
    QString m_target;
    std::map<ProbeKind, ProbeSummary> m_byKind;
};

// Runs the profile's probes once: `count` rounds at settings.rate rounds per second, then
// waits until every probe came back or passed the deadline. `cancelled` is polled
// between steps (a signal handler's flag).
Result<QList<ProbeSummary>> runProbesOnce(const ClusterProfile &profile,
                                          const ProbeSettings &settings, int count,
                                          const std::function<bool()> &cancelled = {});

} // namespace veltrix
