// What the sessions publish, turned into dashboard series: probe outcomes into per-second
// percentiles, per-path p99 and availability; lag snapshots, DLQ listings and RabbitMQ
// queue rates into their panels; and the CLI's probe summary.
#include "core/deadletterqueue.h"
#include "core/lagsnapshot.h"
#include "metrics/metricfeeder.h"
#include "metrics/metricstore.h"
#include "metrics/probesummary.h"

#include <QJsonObject>
#include <QTest>

using namespace veltrix;
using namespace Qt::StringLiterals;

namespace {

constexpr double T0 = 1'790'000'000.0; // a whole second, so buckets start at T0

ProbeOutcome probe(ProbeKind kind, double sentAt, std::optional<double> ms, int partition = -1,
                   int broker = -1)
{
    ProbeOutcome outcome;
    outcome.kind = kind;
    outcome.sentAt = sentAt;
    outcome.latencyMs = ms;
    outcome.partition = partition;
    outcome.broker = broker;
    return outcome;
}

QString id(const QString &cluster, MetricPanel panel, const QString &name)
{
    return SeriesInfo {cluster, panel, name, {}}.id();
}

QList<double> values(const MetricStore &store, const QString &seriesId)
{
    return store.window(seriesId, T0 - 10, T0 + 1000).y;
}

} // namespace

class TestMetricFeeds : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void probeOutcomesBecomePercentilesPerSecond();
    void probePathsGetTheirOwnP99();
    void availabilityCountsExpiredProbesOverTheLastMinute();
    void brokerStatisticsGoToThePathPanel();
    void lagSnapshotFeedsGroupTotalsAndTopicRates();
    void dlqListingFeedsDepthAndInflow();
    void retryPoliciesGetTheirRetriesAndDeadLetterInflow();
    void deadLetteringQueuesGetTheirRedeliveriesAndLadderRetries();
    void failedDlqScanFeedsNothing();
    void queueRatesFeedTheBusiestQueues();
    void summaryJsonIsTheCliContract();
    void summaryWithNothingBackHasNullLatencies();
};

void TestMetricFeeds::probeOutcomesBecomePercentilesPerSecond()
{
    auto store = std::make_shared<MetricStore>();
    ProbeSeriesFeeder feeder(store, u"k"_s);
    // Second 0: latencies 1..100 ms; second 1: all 50 ms (a step the charts must show).
    ProbeTick first;
    for (int i = 1; i <= 100; ++i)
        first.outcomes.append(probe(ProbeKind::KafkaEndToEnd, T0 + 0.5, double(i)));
    feeder.feed(first, T0 + 0.9);
    QVERIFY2(store->seriesCount() > 0, "availability is fed at once");
    const QString p50
        = id(u"k"_s, MetricPanel::Latency, probeKindTitle(ProbeKind::KafkaEndToEnd) + u" p50"_s);
    const QString p99
        = id(u"k"_s, MetricPanel::Latency, probeKindTitle(ProbeKind::KafkaEndToEnd) + u" p99"_s);
    QVERIFY2(values(*store, p50).isEmpty(), "the open second is not closed yet");

    ProbeTick second;
    for (int i = 0; i < 10; ++i)
        second.outcomes.append(probe(ProbeKind::KafkaEndToEnd, T0 + 1.2, 50.0));
    feeder.feed(second, T0 + 1.5); // closes second 0
    QCOMPARE(values(*store, p50).size(), 1);
    QVERIFY(qAbs(values(*store, p50).first() - 50) <= 50 * LatencyHistogram::RelativeError + 1);
    QVERIFY(qAbs(values(*store, p99).first() - 99) <= 99 * LatencyHistogram::RelativeError + 1);

    feeder.feed({}, T0 + 2.5); // closes second 1
    QCOMPARE(values(*store, p50).size(), 2);
    QVERIFY(qAbs(values(*store, p99).last() - 50) <= 50 * LatencyHistogram::RelativeError);
}

void TestMetricFeeds::probePathsGetTheirOwnP99()
{
    auto store = std::make_shared<MetricStore>();
    ProbeSeriesFeeder feeder(store, u"k"_s);
    ProbeTick tick;
    tick.outcomes = {probe(ProbeKind::KafkaEndToEnd, T0, 10, 0, 1),
                     probe(ProbeKind::KafkaEndToEnd, T0, 200, 1, 2)};
    feeder.feed(tick, T0 + 0.5);
    feeder.feed({}, T0 + 2);
    const QList<double> slow
        = values(*store, id(u"k"_s, MetricPanel::LatencyByPath, u"partition 1 p99"_s));
    const QList<double> fast
        = values(*store, id(u"k"_s, MetricPanel::LatencyByPath, u"broker 1 p99"_s));
    QCOMPARE(slow.size(), 1);
    QCOMPARE(fast.size(), 1);
    QVERIFY(slow.first() > 190);
    QVERIFY(fast.first() < 11);
    // Per-path series stay off the main latency panel.
    for (const SeriesInfo &info : store->series(MetricPanel::Latency))
        QVERIFY2(!info.name.startsWith(u"partition"_s), qPrintable(info.name));
}

void TestMetricFeeds::availabilityCountsExpiredProbesOverTheLastMinute()
{
    auto store = std::make_shared<MetricStore>();
    ProbeSeriesFeeder feeder(store, u"r"_s);
    const QString availability
        = id(u"r"_s, MetricPanel::Availability, probeKindTitle(ProbeKind::RabbitRequestReply));
    ProbeTick tick;
    for (int i = 0; i < 3; ++i)
        tick.outcomes.append(probe(ProbeKind::RabbitRequestReply, T0, 2.0));
    tick.outcomes.append(probe(ProbeKind::RabbitRequestReply, T0, std::nullopt));
    feeder.feed(tick, T0 + 1);
    QCOMPARE(store->lastValue(availability).value_or(-1), 75.0);
    // A minute later the expired one has left the window.
    ProbeTick later;
    later.outcomes.append(probe(ProbeKind::RabbitRequestReply, T0 + 70, 2.0));
    feeder.feed(later, T0 + 70);
    QCOMPARE(store->lastValue(availability).value_or(-1), 100.0);
}

void TestMetricFeeds::brokerStatisticsGoToThePathPanel()
{
    auto store = std::make_shared<MetricStore>();
    ProbeSeriesFeeder feeder(store, u"k"_s);
    ProbeTick tick;
    tick.brokers.append({u"1"_s, 3.5, 12.0, 0.2, 0.9});
    feeder.feed(tick, T0);
    QCOMPARE(store->lastValue(id(u"k"_s, MetricPanel::LatencyByPath, u"broker 1 rtt p99"_s))
                 .value_or(-1),
             12.0);
    QCOMPARE(store->lastValue(id(u"k"_s, MetricPanel::LatencyByPath, u"broker 1 queue p99"_s))
                 .value_or(-1),
             0.9);
}

void TestMetricFeeds::lagSnapshotFeedsGroupTotalsAndTopicRates()
{
    MetricStore store;
    LagSnapshot snapshot;
    snapshot.cluster = u"k"_s;
    snapshot.polledAt = QDateTime::fromMSecsSinceEpoch(qint64(T0 * 1000));
    GroupLag billing;
    billing.group = u"billing"_s;
    billing.totalLag = 1234;
    GroupLag broken;
    broken.group = u"broken"_s;
    broken.error = u"OffsetFetch failed"_s;
    snapshot.groups = {billing, broken};
    TopicOffsets orders;
    orders.name = u"orders"_s;
    orders.messagesPerSecond = 42.5;
    TopicOffsets offsets;
    offsets.name = u"__consumer_offsets"_s;
    offsets.internal = true;
    offsets.messagesPerSecond = 9;
    TopicOffsets fresh; // no rate yet: nothing to draw
    fresh.name = u"fresh"_s;
    snapshot.topics = {offsets, fresh, orders};
    feedLagSnapshot(store, snapshot);

    QCOMPARE(store.lastValue(id(u"k"_s, MetricPanel::ConsumerLag, u"billing"_s)).value_or(-1),
             1234.0);
    QCOMPARE(store.series(MetricPanel::ConsumerLag).size(), 1); // the failed group is a gap
    QCOMPARE(store.lastValue(id(u"k"_s, MetricPanel::Rates, u"produce orders"_s)).value_or(-1),
             42.5);
    QCOMPARE(store.series(MetricPanel::Rates).size(), 1);
}

void TestMetricFeeds::retryPoliciesGetTheirRetriesAndDeadLetterInflow()
{
    MetricStore store;
    LagSnapshot snapshot;
    snapshot.cluster = u"k"_s;
    snapshot.polledAt = QDateTime::fromMSecsSinceEpoch(qint64(T0 * 1000));
    for (const auto &[name, rate] :
         {std::pair {u"payments-dlt"_s, 0.7}, std::pair {u"orders-retry-0"_s, 3.0},
          std::pair {u"orders-retry-1"_s, 1.5}, std::pair {u"orders-dlt"_s, 0.5}}) {
        TopicOffsets topic;
        topic.name = name;
        topic.messagesPerSecond = rate;
        snapshot.topics.append(topic);
    }
    KafkaRetryPolicy payments;
    payments.group = u"payment-service"_s;
    payments.maxAttempts = 5;
    payments.dlt = u"payments-dlt"_s;
    KafkaRetryPolicy orders;
    orders.group = u"order-service"_s;
    orders.maxAttempts = 3;
    orders.retryTopics = {u"orders-retry-0"_s, u"orders-retry-1"_s};
    orders.dlt = u"orders-dlt"_s;
    feedKafkaRetries(store, snapshot, {payments, orders});
    const auto value = [&](const QString &name) {
        return store.lastValue(id(u"k"_s, MetricPanel::Retries, name)).value_or(-1);
    };
    QCOMPARE(value(u"payment-service → DLT (max 5)"_s), 0.7);
    QCOMPARE(value(u"order-service → DLT (max 3)"_s), 0.5);
    QCOMPARE(value(u"order-service retries (max 3)"_s), 4.5);
    QCOMPARE(store.series(MetricPanel::Retries).size(), 3); // in-place retries are not seen

    // A lowered max attempts starts a line of its own: the change shows where it happened.
    payments.maxAttempts = 1;
    snapshot.polledAt = snapshot.polledAt.addSecs(2);
    feedKafkaRetries(store, snapshot, {payments, orders});
    QCOMPARE(value(u"payment-service → DLT (max 1)"_s), 0.7);
    QCOMPARE(store.series(MetricPanel::Retries).size(), 4);
}

void TestMetricFeeds::deadLetteringQueuesGetTheirRedeliveriesAndLadderRetries()
{
    MetricStore store;
    const auto queue = [](const QString &name, double publish, double redeliver, bool dlx) {
        QueueRates q;
        q.vhost = u"shop"_s;
        q.queue = name;
        q.publish = publish;
        q.redeliver = redeliver;
        q.deadLetters = dlx;
        return q;
    };
    QueueRates orders = queue(u"orders.process"_s, 40, 2.5, true);
    orders.deliveryLimit = 3;
    orders.policy = u"p"_s;
    QueueRates tasks = queue(u"tasks"_s, 10, 0, true);
    tasks.policy = u"veltrix-retry.tasks"_s;
    feedQueueRetries(store, u"r"_s,
                     {orders, tasks, queue(u"tasks.retry.1"_s, 1.0, 0, true),
                      queue(u"tasks.retry.2"_s, 0.5, 0, true), queue(u"audit"_s, 99, 9, false)},
                     T0);
    const auto value = [&](const QString &name) {
        return store.lastValue(id(u"r"_s, MetricPanel::Retries, name)).value_or(-1);
    };
    QCOMPARE(value(u"shop/orders.process (limit 3, policy p) redeliveries"_s), 2.5);
    QCOMPARE(value(u"shop/tasks (policy veltrix-retry.tasks) ladder retries"_s), 1.5);
    QCOMPARE(value(u"shop/tasks (policy veltrix-retry.tasks) redeliveries"_s), 0.0);
    // Not the steps themselves, not a queue that does not dead-letter.
    QCOMPARE(store.series(MetricPanel::Retries).size(), 3);
}

void TestMetricFeeds::dlqListingFeedsDepthAndInflow()
{
    MetricStore store;
    DlqListing listing;
    listing.clusterName = u"r"_s;
    listing.kind = ClusterKind::RabbitMq;
    listing.scannedAt = QDateTime::fromMSecsSinceEpoch(qint64(T0 * 1000));
    DlqInfo orders;
    orders.source = {ClusterKind::RabbitMq, u"r"_s, u"/"_s, u"orders.dlq"_s};
    orders.depth = 17;
    orders.inflowPerSecond = 2.5;
    DlqInfo shop;
    shop.source = {ClusterKind::RabbitMq, u"r"_s, u"shop"_s, u"payments.dlq"_s};
    shop.depth = 3; // inflow unknown until two scans were seen
    listing.queues = {orders, shop};
    feedDlqListing(store, listing);
    QCOMPARE(store.lastValue(id(u"r"_s, MetricPanel::DlqDepth, u"orders.dlq"_s)).value_or(-1),
             17.0);
    QCOMPARE(store.lastValue(id(u"r"_s, MetricPanel::DlqInflow, u"orders.dlq"_s)).value_or(-1),
             2.5);
    QCOMPARE(
        store.lastValue(id(u"r"_s, MetricPanel::DlqDepth, u"shop/payments.dlq"_s)).value_or(-1),
        3.0);
    QCOMPARE(store.series(MetricPanel::DlqInflow).size(), 1);
}

void TestMetricFeeds::failedDlqScanFeedsNothing()
{
    MetricStore store;
    DlqListing listing;
    listing.clusterName = u"r"_s;
    listing.scannedAt = QDateTime::fromMSecsSinceEpoch(qint64(T0 * 1000));
    listing.error = u"connection refused"_s;
    DlqInfo stale; // the last good row, kept for the table, not a new sample
    stale.source = {ClusterKind::RabbitMq, u"r"_s, u"/"_s, u"orders.dlq"_s};
    stale.depth = 5;
    listing.queues = {stale};
    feedDlqListing(store, listing);
    QCOMPARE(store.seriesCount(), 0);
}

void TestMetricFeeds::queueRatesFeedTheBusiestQueues()
{
    MetricStore store;
    QList<QueueRates> rates;
    for (int i = 0; i < 10; ++i) {
        QueueRates queue;
        queue.vhost = u"/"_s;
        queue.queue = u"q%1"_s.arg(i);
        queue.publish = i;
        queue.deliver = i;
        queue.ack = i / 2.0;
        queue.redeliver = i == 9 ? 1.5 : 0;
        rates.append(queue);
    }
    feedQueueRates(store, u"r"_s, rates, T0);
    QCOMPARE(store.lastValue(id(u"r"_s, MetricPanel::Rates, u"q9 publish"_s)).value_or(-1), 9.0);
    QCOMPARE(store.lastValue(id(u"r"_s, MetricPanel::Rates, u"q9 redeliver"_s)).value_or(-1), 1.5);
    QCOMPARE(store.lastValue(id(u"r"_s, MetricPanel::Rates, u"q9 ack"_s)).value_or(-1), 4.5);
    QVERIFY2(!store.lastValue(id(u"r"_s, MetricPanel::Rates, u"q0 publish"_s)),
             "the quietest queues are left out");
    QCOMPARE(store.series(MetricPanel::Rates).size(), 8); // the two busiest queues, four rates each
}

void TestMetricFeeds::summaryJsonIsTheCliContract()
{
    ProbeSummarizer summarizer(u"kafka:k/veltrix-probe"_s);
    for (int i = 1; i <= 99; ++i)
        summarizer.add(probe(ProbeKind::KafkaEndToEnd, T0, double(i)));
    summarizer.add(probe(ProbeKind::KafkaEndToEnd, T0, std::nullopt));
    const QList<ProbeSummary> summaries = summarizer.summaries();
    QCOMPARE(summaries.size(), 1);
    const QJsonObject json = summaries.first().toJson();
    QCOMPARE(json.keys(),
             (QStringList {u"availability"_s, u"kind"_s, u"max_ms"_s, u"p50_ms"_s, u"p95_ms"_s,
                           u"p99_ms"_s, u"received"_s, u"sent"_s, u"target"_s}));
    QCOMPARE(json[u"target"_s].toString(), u"kafka:k/veltrix-probe"_s);
    QCOMPARE(json[u"kind"_s].toString(), u"kafka_e2e"_s);
    QCOMPARE(json[u"sent"_s].toInteger(), 100);
    QCOMPARE(json[u"received"_s].toInteger(), 99);
    QCOMPARE(json[u"availability"_s].toDouble(), 0.99);
    QCOMPARE(json[u"max_ms"_s].toDouble(), 99.0);
    QVERIFY(qAbs(json[u"p50_ms"_s].toDouble() - 50) <= 50 * LatencyHistogram::RelativeError + 1);
    QVERIFY(qAbs(json[u"p95_ms"_s].toDouble() - 95) <= 95 * LatencyHistogram::RelativeError + 1);
}

void TestMetricFeeds::summaryWithNothingBackHasNullLatencies()
{
    ProbeSummarizer summarizer(u"rabbitmq:r/%2F"_s);
    summarizer.add(probe(ProbeKind::RabbitPublishConfirm, T0, std::nullopt));
    const QJsonObject json = summarizer.summaries().first().toJson();
    QVERIFY(json[u"p50_ms"_s].isNull());
    QVERIFY(json[u"max_ms"_s].isNull());
    QCOMPARE(json[u"availability"_s].toDouble(), 0.0);
    QCOMPARE(json[u"kind"_s].toString(), u"publish_confirm"_s);
}

QTEST_GUILESS_MAIN(TestMetricFeeds)
#include "tst_metricfeeds.moc"
