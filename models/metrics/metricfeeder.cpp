#include "metricfeeder.h"

#include "core/deadletterqueue.h"
#include "core/lagsnapshot.h"

#include <QRegularExpression>

#include <algorithm>

namespace veltrix {

using namespace Qt::StringLiterals;

namespace {

// More lines than this on one panel and nobody reads any of them: the busiest win.
constexpr int MostSeriesPerCluster = 12;
constexpr int MostTopicRates = 5;
constexpr int MostQueuesWithRates = 2; // four lines each

double epochSeconds(const QDateTime &time)
{
    return double(time.toMSecsSinceEpoch()) / 1000.0;
}

} // namespace

ProbeSeriesFeeder::ProbeSeriesFeeder(std::shared_ptr<MetricStore> store, QString cluster)
    : m_store(std::move(store))
    , m_cluster(std::move(cluster))
{ }

void ProbeSeriesFeeder::record(const QString &name, double t, double ms)
{
    auto it = m_paths.find(name);
    if (it == m_paths.end()) {
        const bool byPath = name.startsWith(u"partition ") || name.startsWith(u"broker ");
        it = m_paths
                 .emplace(name,
                          Path {byPath ? MetricPanel::LatencyByPath : MetricPanel::Latency, name,
                                PercentileBucketer(1.0)})
                 .first;
    }
    // A sample of a later second closes the one before it first.
    if (const std::optional<PercentilePoint> point = it->second.bucketer.closeUntil(t))
        appendPoint(it->second, *point);
    it->second.bucketer.record(t, ms);
}

void ProbeSeriesFeeder::appendPoint(const Path &path, const PercentilePoint &point)
{
    const auto append = [&](const QString &suffix, double value) {
        m_store->append({m_cluster, path.panel, path.name + suffix, u"ms"_s}, point.t, value);
    };
    if (path.panel == MetricPanel::LatencyByPath) {
        append(u" p99"_s, point.p99);
        return;
    }
    append(u" p50"_s, point.p50);
    append(u" p95"_s, point.p95);
    append(u" p99"_s, point.p99);
}

void ProbeSeriesFeeder::feed(const ProbeTick &tick, double now)
{
    for (const ProbeOutcome &outcome : tick.outcomes) {
        m_recent[outcome.kind].push_back({now, outcome.latencyMs.has_value()});
        if (!outcome.latencyMs)
            continue;
        // Bucketed by when the probe came back, so a slow one lands where it was seen.
        const double at = outcome.sentAt + *outcome.latencyMs / 1000.0;
        record(probeKindTitle(outcome.kind), at, *outcome.latencyMs);
        if (outcome.partition >= 0)
            record(u"partition %1"_s.arg(outcome.partition), at, *outcome.latencyMs);
        if (outcome.broker >= 0)
            record(u"broker %1"_s.arg(outcome.broker), at, *outcome.latencyMs);
    }
    for (const BrokerLatency &broker : tick.brokers) {
        const auto append = [&](const QString &what, double value) {
            m_store->append({m_cluster, MetricPanel::LatencyByPath,
                             u"broker %1 %2"_s.arg(broker.broker, what), u"ms"_s},
                            now, value);
        };
        append(u"rtt p50"_s, broker.rttP50);
        append(u"rtt p99"_s, broker.rttP99);
        append(u"queue p99"_s, broker.queueP99);
    }
    closeBuckets(now);
    updateAvailability(now);
}

void ProbeSeriesFeeder::closeBuckets(double now)
{
    for (auto &[key, path] : m_paths) {
        if (const std::optional<PercentilePoint> point = path.bucketer.closeUntil(now))
            appendPoint(path, *point);
    }
}

void ProbeSeriesFeeder::updateAvailability(double now)
{
    for (auto &[kind, recent] : m_recent) {
        while (!recent.empty() && recent.front().t < now - AvailabilityWindowSeconds)
            recent.pop_front();
        if (recent.empty())
            continue;
        const auto inTime = std::count_if(recent.begin(), recent.end(),
                                          [](const Resolved &r) { return r.inTime; });
        m_store->append({m_cluster, MetricPanel::Availability, probeKindTitle(kind), u"%"_s}, now,
                        100.0 * double(inTime) / double(recent.size()));
    }
}

void feedLagSnapshot(MetricStore &store, const LagSnapshot &snapshot)
{
    if (!snapshot.polledAt.isValid())
        return;
    const double t = epochSeconds(snapshot.polledAt);
    QList<const GroupLag *> groups;
    for (const GroupLag &group : snapshot.groups) {
        if (group.error.isEmpty())
            groups.append(&group);
    }
    std::stable_sort(groups.begin(), groups.end(), [](const GroupLag *a, const GroupLag *b) {
        return a->totalLag > b->totalLag;
    });
    for (const GroupLag *group :
         groups.first(std::min<qsizetype>(groups.size(), MostSeriesPerCluster)))
        store.append({snapshot.cluster, MetricPanel::ConsumerLag, group->group, u"msg"_s}, t,
                     double(group->totalLag));

    QList<const TopicOffsets *> topics;
    for (const TopicOffsets &topic : snapshot.topics) {
        if (!topic.internal && topic.messagesPerSecond)
            topics.append(&topic);
    }
    std::stable_sort(topics.begin(), topics.end(),
                     [](const TopicOffsets *a, const TopicOffsets *b) {
                         return *a->messagesPerSecond > *b->messagesPerSecond;
                     });
    for (const TopicOffsets *topic :
         topics.first(std::min<qsizetype>(topics.size(), MostTopicRates)))
        store.append(
            {snapshot.cluster, MetricPanel::Rates, u"produce "_s + topic->name, u"msg/s"_s}, t,
            *topic->messagesPerSecond);
}

void feedKafkaRetries(MetricStore &store, const LagSnapshot &snapshot,
                      const QList<KafkaRetryPolicy> &policies)
{
    if (!snapshot.polledAt.isValid())
        return;
    const double t = epochSeconds(snapshot.polledAt);
    QHash<QString, double> rates;
    for (const TopicOffsets &topic : snapshot.topics)
        if (topic.messagesPerSecond)
            rates.insert(topic.name, *topic.messagesPerSecond);
    for (const KafkaRetryPolicy &policy :
         policies.first(std::min<qsizetype>(policies.size(), MostSeriesPerCluster / 2))) {
        const QString attempts = u"max %1"_s.arg(policy.maxAttempts);
        if (rates.contains(policy.dlt))
            store.append({snapshot.cluster, MetricPanel::Retries,
                          u"%1 → DLT (%2)"_s.arg(policy.group, attempts), u"msg/s"_s},
                         t, rates.value(policy.dlt));
        if (policy.retryTopics.isEmpty())
            continue; // retried in place: the brokers never see the retries
        double retries = 0;
        for (const QString &topic : policy.retryTopics)
            retries += rates.value(topic);
        store.append({snapshot.cluster, MetricPanel::Retries,
                      u"%1 retries (%2)"_s.arg(policy.group, attempts), u"msg/s"_s},
                     t, retries);
    }
}

void feedDlqListing(MetricStore &store, const DlqListing &listing)
{
    if (!listing.error.isEmpty() || !listing.scannedAt.isValid())
        return; // the last good listing was fed already; a gap says the scan failed
    const double t = epochSeconds(listing.scannedAt);
    for (const DlqInfo &dlq : listing.queues) {
        const QString name = dlq.source.vhost.isEmpty() || dlq.source.vhost == u"/"
            ? dlq.source.name
            : dlq.source.vhost + u'/' + dlq.source.name;
        if (dlq.depth >= 0)
            store.append({listing.clusterName, MetricPanel::DlqDepth, name, u"msg"_s}, t,
                         double(dlq.depth));
        if (dlq.inflowPerSecond >= 0)
            store.append({listing.clusterName, MetricPanel::DlqInflow, name, u"msg/s"_s}, t,
                         dlq.inflowPerSecond);
    }
}

void feedQueueRetries(MetricStore &store, const QString &cluster, const QList<QueueRates> &rates,
                      double now)
{
    const auto nameOf
        = [](const QueueRates &q) { return q.vhost == u"/" ? q.queue : q.vhost + u'/' + q.queue; };
    // Ladder steps are "<work queue>.retry.<n>": what enters them is the work queue's retries.
    static const QRegularExpression step(u"^(.+)\\.retry\\.\\d+$"_s);
    QHash<QString, double> ladderRetries; // by work queue's name
    for (const QueueRates &q : rates)
        if (const auto match = step.match(q.queue); match.hasMatch())
            ladderRetries[q.vhost == u"/" ? match.captured(1) : q.vhost + u'/' + match.captured(1)]
                += q.publish;
    QList<const QueueRates *> retrying;
    for (const QueueRates &q : rates)
        if (q.deadLetters && !step.match(q.queue).hasMatch())
            retrying.append(&q);
    const auto retries
        = [&](const QueueRates *q) { return q->redeliver + ladderRetries.value(nameOf(*q)); };
    std::stable_sort(
        retrying.begin(), retrying.end(),
        [&](const QueueRates *a, const QueueRates *b) { return retries(a) > retries(b); });
    for (const QueueRates *q :
         retrying.first(std::min<qsizetype>(retrying.size(), MostQueuesWithRates * 2))) {
        QStringList governs;
        if (q->deliveryLimit)
            governs << u"limit %1"_s.arg(*q->deliveryLimit);
        if (!q->policy.isEmpty())
            governs << u"policy "_s + q->policy;
        const QString label
            = governs.isEmpty() ? nameOf(*q) : u"%1 (%2)"_s.arg(nameOf(*q), governs.join(u", "_s));
        store.append({cluster, MetricPanel::Retries, label + u" redeliveries"_s, u"msg/s"_s}, now,
                     q->redeliver);
        if (ladderRetries.contains(nameOf(*q)))
            store.append({cluster, MetricPanel::Retries, label + u" ladder retries"_s, u"msg/s"_s},
                         now, ladderRetries.value(nameOf(*q)));
    }
}

void feedQueueRates(MetricStore &store, const QString &cluster, const QList<QueueRates> &rates,
                    double now)
{
    QList<const QueueRates *> busiest;
    for (const QueueRates &queue : rates) {
        // Server-named queues (reply queues, probes' own) come and go with connections.
        if (!queue.queue.startsWith(u"amq.gen-"))
            busiest.append(&queue);
    }
    const auto traffic = [](const QueueRates *q) { return q->publish + q->deliver; };
    std::stable_sort(busiest.begin(), busiest.end(), [&](const QueueRates *a, const QueueRates *b) {
        return traffic(a) > traffic(b);
    });
    busiest.resize(std::min<qsizetype>(busiest.size(), MostQueuesWithRates));
    for (const QueueRates *queue : std::as_const(busiest)) {
        const QString name
            = queue->vhost == u"/" ? queue->queue : queue->vhost + u'/' + queue->queue;
        const auto append = [&](const QString &what, double value) {
            store.append({cluster, MetricPanel::Rates, name + u' ' + what, u"msg/s"_s}, now, value);
        };
        append(u"publish"_s, queue->publish);
        append(u"deliver"_s, queue->deliver);
        append(u"ack"_s, queue->ack);
        append(u"redeliver"_s, queue->redeliver);
    }
}

} // namespace veltrix
