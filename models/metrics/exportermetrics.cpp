#include "exportermetrics.h"

#include <prometheus/metric_family.h>

namespace veltrix {

using namespace Qt::StringLiterals;
using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

namespace {

QList<QRegularExpression> compile(const QStringList &patterns)
{
    QList<QRegularExpression> out;
    for (const QString &p : patterns)
        out << QRegularExpression(QRegularExpression::anchoredPattern(p));
    return out;
}

bool anyMatch(const QList<QRegularExpression> &patterns, const QString &name)
{
    return std::any_of(patterns.begin(), patterns.end(),
                       [&](const QRegularExpression &p) { return p.match(name).hasMatch(); });
}

// Builds one family: each add() is a series with its labels and value.
class Family
{
public:
    Family(const char *name, const char *help, MetricType type)
    {
        m_family.name = name;
        m_family.help = help;
        m_family.type = type;
    }
    ClientMetric &add(std::initializer_list<std::pair<const char *, QString>> labels,
                      double value = 0)
    {
        ClientMetric metric;
        for (const auto &[name, label] : labels)
            metric.label.push_back({name, label.toStdString()});
        metric.gauge.value = value;
        metric.counter.value = value;
        m_family.metric.push_back(std::move(metric));
        return m_family.metric.back();
    }
    void into(std::vector<MetricFamily> &out) { out.push_back(std::move(m_family)); }

private:
    MetricFamily m_family;
};

QString probePath(const ProbeOutcome &o)
{
    if (o.partition >= 0)
        return u"partition %1 broker %2"_s.arg(o.partition).arg(o.broker);
    return u"all"_s;
}

} // namespace

QString ExporterOptions::problem() const
{
    for (const QStringList *list : {&groupAllow, &groupDeny, &topicAllow, &topicDeny})
        for (const QString &p : *list)
            if (const QRegularExpression e(p); !e.isValid())
                return u"\"%1\" is not a regular expression: %2"_s.arg(p, e.errorString());
    return {};
}

ExporterMetrics::ExporterMetrics(ExporterOptions options)
    : m_options(std::move(options))
    , m_groupAllow(compile(m_options.groupAllow))
    , m_groupDeny(compile(m_options.groupDeny))
    , m_topicAllow(compile(m_options.topicAllow))
    , m_topicDeny(compile(m_options.topicDeny))
{ }

const std::vector<double> &ExporterMetrics::probeBuckets()
{
    static const std::vector<double> bounds
        = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    return bounds;
}

QStringList ExporterMetrics::metricNames()
{
    return {u"veltrix_cluster_up"_s,
            u"veltrix_exporter_poll_duration_seconds"_s,
            u"veltrix_exporter_polls_total"_s,
            u"veltrix_exporter_poll_errors_total"_s,
            u"veltrix_kafka_consumergroup_lag_messages"_s,
            u"veltrix_kafka_consumergroup_lag_seconds"_s,
            u"veltrix_kafka_consumergroup_group_lag_messages"_s,
            u"veltrix_kafka_consumergroup_group_max_lag_seconds"_s,
            u"veltrix_kafka_consumergroup_status"_s,
            u"veltrix_kafka_partition_earliest_offset"_s,
            u"veltrix_kafka_partition_latest_offset"_s,
            u"veltrix_dlq_depth_messages"_s,
            u"veltrix_dlq_inflow_messages_per_second"_s,
            u"veltrix_probe_latency_seconds"_s,
            u"veltrix_probe_availability_ratio"_s,
            u"veltrix_probes_total"_s,
            u"veltrix_redrive_messages_total"_s,
            u"veltrix_retry_policy_changes_total"_s};
}

bool ExporterMetrics::groupWanted(const QString &group) const
{
    return (m_groupAllow.isEmpty() || anyMatch(m_groupAllow, group))
        && !anyMatch(m_groupDeny, group);
}

bool ExporterMetrics::topicWanted(const QString &topic) const
{
    return (m_topicAllow.isEmpty() || anyMatch(m_topicAllow, topic))
        && !anyMatch(m_topicDeny, topic);
}

void ExporterMetrics::setClusterUp(const QString &cluster, bool up)
{
    const std::lock_guard lock(m_mutex);
    m_up[cluster] = up;
}

void ExporterMetrics::takeLag(const LagSnapshot &snapshot)
{
    const std::lock_guard lock(m_mutex);
    m_lag[snapshot.cluster] = snapshot;
    m_polls[snapshot.cluster][u"lag"_s].record(snapshot.pollMs / 1000.0, true);
}

void ExporterMetrics::takeDlqs(const DlqListing &listing)
{
    const std::lock_guard lock(m_mutex);
    m_dlqs[listing.clusterName] = listing;
    m_polls[listing.clusterName][u"dlq"_s].record(listing.scanMs / 1000.0, listing.error.isEmpty());
}

void ExporterMetrics::takeProbes(const QString &cluster, const QList<ProbeOutcome> &outcomes)
{
    const std::lock_guard lock(m_mutex);
    const std::vector<double> &bounds = probeBuckets();
    for (const ProbeOutcome &o : outcomes) {
        ProbeSeries &series = m_probes[cluster][probeKindName(o.kind) + u'|' + probePath(o)];
        if (series.buckets.empty())
            series.buckets.assign(bounds.size(), 0);
        if (!o.latencyMs) {
            ++series.expired;
            continue;
        }
        const double seconds = *o.latencyMs / 1000.0;
        ++series.count;
        series.sum += seconds;
        const auto at = std::lower_bound(bounds.begin(), bounds.end(), seconds);
        if (at != bounds.end())
            ++series.buckets[size_t(at - bounds.begin())];
    }
}

void ExporterMetrics::recordPoll(const QString &cluster, const QString &poller, double seconds,
                                 bool ok)
{
    const std::lock_guard lock(m_mutex);
    m_polls[cluster][poller].record(seconds, ok);
}

void ExporterMetrics::countRedrive(const QString &cluster, const QString &source,
                                   const QString &outcome, double messages)
{
    const std::lock_guard lock(m_mutex);
    m_redrives[{cluster, source, outcome}] += messages;
}

void ExporterMetrics::countRetryPolicyChange(const QString &cluster, const QString &kind)
{
    const std::lock_guard lock(m_mutex);
    m_retryChanges[{cluster, kind}] += 1;
}

std::vector<MetricFamily> ExporterMetrics::Collect() const
{
    const std::lock_guard lock(m_mutex);
    std::vector<MetricFamily> out;
    collectClusters(out);
    collectGroupLag(out);
    collectPartitionOffsets(out);
    collectDlqs(out);
    collectProbes(out);
    collectCounters(out);
    return out;
}

void ExporterMetrics::collectClusters(std::vector<MetricFamily> &out) const
{
    Family up("veltrix_cluster_up", "1 while the cluster answers the console, 0 while it does not",
              MetricType::Gauge);
    for (auto it = m_up.cbegin(); it != m_up.cend(); ++it)
        up.add({{"cluster", it.key()}}, it.value() ? 1 : 0);
    up.into(out);

    Family duration("veltrix_exporter_poll_duration_seconds",
                    "How long the last poll of this kind took", MetricType::Gauge);
    Family polls("veltrix_exporter_polls_total", "Polls made", MetricType::Counter);
    Family errors("veltrix_exporter_poll_errors_total", "Polls that failed", MetricType::Counter);
    for (auto c = m_polls.cbegin(); c != m_polls.cend(); ++c)
        for (auto p = c->cbegin(); p != c->cend(); ++p) {
            duration.add({{"cluster", c.key()}, {"poller", p.key()}}, p->lastSeconds);
            polls.add({{"cluster", c.key()}, {"poller", p.key()}}, p->total);
            errors.add({{"cluster", c.key()}, {"poller", p.key()}}, p->errors);
        }
    duration.into(out);
    polls.into(out);
    errors.into(out);
}

void ExporterMetrics::collectGroupLag(std::vector<MetricFamily> &out) const
{
    Family lag("veltrix_kafka_consumergroup_lag_messages",
               "Records between a group's committed offset and the log end, per partition",
               MetricType::Gauge);
    Family lagSeconds("veltrix_kafka_consumergroup_lag_seconds",
                      "How far behind a group is in time, per partition", MetricType::Gauge);
    Family groupLag("veltrix_kafka_consumergroup_group_lag_messages",
                    "A group's lag summed over its partitions (negative lags count 0)",
                    MetricType::Gauge);
    Family groupTime("veltrix_kafka_consumergroup_group_max_lag_seconds",
                     "A group's largest time lag", MetricType::Gauge);
    Family status(
        "veltrix_kafka_consumergroup_status",
        "1 for the group's current verdict (OK, WARN, STALL, STOP, ...), 0 for the others",
        MetricType::Gauge);
    static const QList<LagVerdict> verdicts
        = {LagVerdict::NoOffset, LagVerdict::Ok,   LagVerdict::Pending, LagVerdict::Warn,
           LagVerdict::Stall,    LagVerdict::Stop, LagVerdict::Rewind,  LagVerdict::OutOfRange};
    for (const LagSnapshot &snapshot : m_lag) {
        const QString &cluster = snapshot.cluster;
        for (const GroupLag &group : snapshot.groups) {
            if (!groupWanted(group.group))
                continue;
            qint64 total = 0;
            std::optional<double> maxSeconds;
            for (const PartitionLag &p : group.partitions) {
                if (!topicWanted(p.topic))
                    continue;
                total += std::max<qint64>(0, p.lag.value_or(0));
                if (p.timeLagSeconds)
                    maxSeconds = std::max(maxSeconds.value_or(0), *p.timeLagSeconds);
                if (!m_options.partitionSeries)
                    continue;
                const auto labels = {std::pair<const char *, QString> {"cluster", cluster},
                                     {"group", group.group},
                                     {"topic", p.topic},
                                     {"partition", QString::number(p.partition)}};
                if (p.lag)
                    lag.add(labels, double(*p.lag));
                if (p.timeLagSeconds)
                    lagSeconds.add(labels, *p.timeLagSeconds);
            }
            groupLag.add({{"cluster", cluster}, {"group", group.group}}, double(total));
            if (maxSeconds)
                groupTime.add({{"cluster", cluster}, {"group", group.group}}, *maxSeconds);
            for (LagVerdict v : verdicts)
                status.add(
                    {{"cluster", cluster}, {"group", group.group}, {"status", lagVerdictName(v)}},
                    v == group.verdict ? 1 : 0);
        }
    }
    for (Family *f : {&lag, &lagSeconds, &groupLag, &groupTime, &status})
        f->into(out);
}

void ExporterMetrics::collectPartitionOffsets(std::vector<MetricFamily> &out) const
{
    Family earliest("veltrix_kafka_partition_earliest_offset", "Log-start offset",
                    MetricType::Gauge);
    Family latest("veltrix_kafka_partition_latest_offset", "Log-end offset (high watermark)",
                  MetricType::Gauge);
    if (m_options.partitionSeries)
        for (const LagSnapshot &snapshot : m_lag)
            for (const TopicOffsets &topic : snapshot.topics) {
                if (topic.internal || !topicWanted(topic.name))
                    continue;
                for (const TopicPartitionOffsets &p : topic.partitions) {
                    const auto labels
                        = {std::pair<const char *, QString> {"cluster", snapshot.cluster},
                           {"topic", topic.name},
                           {"partition", QString::number(p.partition)}};
                    if (p.startOffset >= 0)
                        earliest.add(labels, double(p.startOffset));
                    if (p.endOffset >= 0)
                        latest.add(labels, double(p.endOffset));
                }
            }
    earliest.into(out);
    latest.into(out);
}

void ExporterMetrics::collectDlqs(std::vector<MetricFamily> &out) const
{
    Family depth("veltrix_dlq_depth_messages", "Messages in a dead-letter queue or topic",
                 MetricType::Gauge);
    Family inflow("veltrix_dlq_inflow_messages_per_second",
                  "Dead letters arriving per second over the last two scans", MetricType::Gauge);
    for (const DlqListing &listing : m_dlqs)
        for (const DlqInfo &dlq : listing.queues) {
            if (dlq.source.kind == ClusterKind::Kafka && !topicWanted(dlq.source.name))
                continue;
            const QString name = dlq.source.kind == ClusterKind::Kafka
                ? dlq.source.name
                : dlq.source.vhost + u'/' + dlq.source.name;
            const auto labels = {std::pair<const char *, QString> {"cluster", listing.clusterName},
                                 {"kind", clusterKindName(dlq.source.kind)},
                                 {"dlq", name}};
            if (dlq.depth >= 0)
                depth.add(labels, double(dlq.depth));
            if (dlq.inflowPerSecond >= 0)
                inflow.add(labels, dlq.inflowPerSecond);
        }
    depth.into(out);
    inflow.into(out);
}

void ExporterMetrics::collectProbes(std::vector<MetricFamily> &out) const
{
    Family latency("veltrix_probe_latency_seconds",
                   "End-to-end probe latency of the probes that came back in time",
                   MetricType::Histogram);
    Family availability("veltrix_probe_availability_ratio",
                        "Share of probes back within their deadline since the exporter started",
                        MetricType::Gauge);
    Family probes("veltrix_probes_total", "Probes resolved, by result", MetricType::Counter);
    const std::vector<double> &bounds = probeBuckets();
    for (auto c = m_probes.cbegin(); c != m_probes.cend(); ++c) {
        QMap<QString, std::pair<double, double>> byKind; // received, resolved
        for (auto s = c->cbegin(); s != c->cend(); ++s) {
            const QString kind = s.key().section(u'|', 0, 0);
            const QString path = s.key().section(u'|', 1);
            ClientMetric &h = latency.add({{"cluster", c.key()}, {"kind", kind}, {"path", path}});
            h.histogram.sample_count = s->count;
            h.histogram.sample_sum = s->sum;
            std::uint64_t cumulative = 0;
            for (size_t i = 0; i < bounds.size(); ++i) {
                cumulative += s->buckets[i];
                h.histogram.bucket.push_back({cumulative, bounds[i]});
            }
            h.histogram.bucket.push_back({s->count, std::numeric_limits<double>::infinity()});
            byKind[kind].first += double(s->count);
            byKind[kind].second += double(s->count + s->expired);
            probes.add({{"cluster", c.key()}, {"kind", kind}, {"path", path}, {"result", u"ok"_s}},
                       double(s->count));
            probes.add(
                {{"cluster", c.key()}, {"kind", kind}, {"path", path}, {"result", u"expired"_s}},
                double(s->expired));
        }
        for (auto k = byKind.cbegin(); k != byKind.cend(); ++k)
            if (k->second > 0)
                availability.add({{"cluster", c.key()}, {"kind", k.key()}}, k->first / k->second);
    }
    latency.into(out);
    availability.into(out);
    probes.into(out);
}

void ExporterMetrics::collectCounters(std::vector<MetricFamily> &out) const
{
    Family redrives("veltrix_redrive_messages_total", "Dead letters redriven, by outcome",
                    MetricType::Counter);
    for (auto it = m_redrives.cbegin(); it != m_redrives.cend(); ++it)
        redrives.add({{"cluster", it.key()[0]}, {"source", it.key()[1]}, {"outcome", it.key()[2]}},
                     it.value());
    redrives.into(out);
    Family changes("veltrix_retry_policy_changes_total",
                   "Retry settings applied (RabbitMQ policies and ladders, Kafka group policies)",
                   MetricType::Counter);
    for (auto it = m_retryChanges.cbegin(); it != m_retryChanges.cend(); ++it)
        changes.add({{"cluster", it.key()[0]}, {"kind", it.key()[1]}}, it.value());
    changes.into(out);
}

} // namespace veltrix
