#include "probesummary.h"

#include "probe.h"

#include <QJsonValue>

#include <algorithm>
#include <cmath>

namespace veltrix {

using namespace Qt::StringLiterals;

double ProbeSummary::availability() const
{
    return sent > 0 ? double(received) / double(sent) : 0.0;
}

QJsonObject ProbeSummary::toJson() const
{
    const auto latency = [this](double value) -> QJsonValue {
        if (latencies.empty())
            return QJsonValue::Null;
        return std::round(value * 1000.0) / 1000.0; // µs resolution is all the clock gives
    };
    return {{u"target"_s, target},
            {u"kind"_s, probeKindName(kind)},
            {u"sent"_s, sent},
            {u"received"_s, received},
            {u"p50_ms"_s, latency(latencies.percentile(50))},
            {u"p95_ms"_s, latency(latencies.percentile(95))},
            {u"p99_ms"_s, latency(latencies.percentile(99))},
            {u"max_ms"_s, latency(latencies.max())},
            {u"availability"_s, std::round(availability() * 1e6) / 1e6}};
}

ProbeSummarizer::ProbeSummarizer(QString target)
    : m_target(std::move(target))
{ }

void ProbeSummarizer::add(const ProbeOutcome &outcome)
{
    ProbeSummary &summary = m_byKind[outcome.kind];
    summary.target = m_target;
    summary.kind = outcome.kind;
    ++summary.sent;
    if (outcome.latencyMs) {
        ++summary.received;
        summary.latencies.record(*outcome.latencyMs);
    }
}

QList<ProbeSummary> ProbeSummarizer::summaries() const
{
    QList<ProbeSummary> out;
    for (const auto &[kind, summary] : m_byKind)
        out.append(summary);
    return out;
}

Result<QList<ProbeSummary>> runProbesOnce(const ClusterProfile &profile,
                                          const ProbeSettings &settings, int count,
                                          const std::function<bool()> &cancelled)
{
    auto opened = openProbe(profile, settings);
    if (!opened)
        return opened.error();
    Probe &probe = *opened.value();
    ProbeSummarizer summarizer(probe.target());
    // A round is one probe per partition (Kafka) or one of each kind (RabbitMQ); sending
    // stops once `count` rounds are out, the rest of the run only waits for them.
    const qint64 roundSize = profile.kind == ClusterKind::Kafka ? probe.partitions() : 3;
    const qint64 wanted = qint64(std::max(count, 1)) * std::max<qint64>(roundSize, 1);
    // Short steps: a step may send every round that fell due during it.
    const auto step = std::chrono::milliseconds(
        std::clamp(qint64(250.0 / std::max(settings.rate, 0.01)), qint64(5), qint64(100)));
    // Every probe resolves by its deadline; this only guards against one that never does.
    const auto giveUpAt = std::chrono::steady_clock::now()
        + std::chrono::milliseconds(qint64(1000.0 * count / std::max(settings.rate, 0.01)))
        + settings.deadline + std::chrono::seconds(30);
    qint64 sent = 0;
    while (!(cancelled && cancelled())) {
        if (std::chrono::steady_clock::now() > giveUpAt)
            return BrokerError::make(
                BrokerError::Kind::Timeout,
                profile.name + u": probes still unresolved long after their deadline"_s);
        ProbeTick tick;
        const bool sending = sent < wanted;
        if (auto stepped = probe.step(step, sending, tick); !stepped)
            return stepped.error();
        sent += tick.sent;
        for (const ProbeOutcome &outcome : std::as_const(tick.outcomes))
            summarizer.add(outcome);
        if (!sending && probe.pending() == 0)
            break;
    }
    return summarizer.summaries();
}

} // namespace veltrix
