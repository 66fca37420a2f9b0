// Bench: one batched lag poll (KafkaLagReader) against what naive tools do (per
// partition watermarks, per group-partition committed offsets), on one 3-broker mock
// cluster with 2,000 partitions and 50 groups (issue #4: batched poll >= 10x faster; a
// GUI refresh under 16 ms). Prints one JSON line per figure; never part of the pass/fail
// suite. VELTRIX_BENCH_QUICK=1 shrinks the cluster for a smoke run.
//
// Requests are counted at the brokers: the mock logs every request it receives
// (librdkafka's "mock" debug context), so the counts do not rely on the code measured.
// The logging is on for every run, batched and baseline alike.
#include "benchoutput.h"
#include "countingmockcluster.h"
#include "items/consumergroupsmodel.h"
#include "kafka/kafkahandle.h"
#include "kafka/kafkalagreader.h"
#include "lag/lagtracker.h"
#include "testkafka.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <QApplication>
#include <QElapsedTimer>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTableView>

#include <algorithm>
#include <cstdio>

using namespace veltrix;
using namespace std::chrono_literals;

namespace {

void emitFigure(QJsonObject figure)
{
    bench::emitFigure("lag_poll", std::move(figure));
}

[[noreturn]] void fail(const QString &what)
{
    bench::fail("lag_poll", what);
}

QJsonObject requestsJson(const QHash<QString, qint64> &received, double scale = 1.0)
{
    QJsonObject json;
    qint64 total = 0;
    for (const char *kind : {"Metadata", "ListOffsets", "OffsetFetch", "FindCoordinator"}) {
        const qint64 n = qint64(double(received.value(QLatin1String(kind))) * scale);
        json.insert(QLatin1String(kind), n);
        total += n;
    }
    json.insert(QStringLiteral("total"), total);
    return json;
}

struct Shape
{
    int topics = 40;
    int partitionsPerTopic = 50;
    int groups = 50;
    int messagesPerPartition = 3;
    int partitions() const { return topics * partitionsPerTopic; }
    QString topic(int t) const
    {
        return QStringLiteral("bench-%1").arg(t, 2, 10, QLatin1Char('0'));
    }
    QString group(int g) const
    {
        return QStringLiteral("bench-group-%1").arg(g, 2, 10, QLatin1Char('0'));
    }
};

ClusterProfile profileFor(const test::CountingMockCluster &mock, const Shape &shape)
{
    ClusterProfile profile;
    profile.name = QStringLiteral("bench");
    profile.bootstrap = mock.bootstrap();
    for (int g = 0; g < shape.groups; ++g)
        profile.groups << shape.group(g);
    return profile;
}

std::unique_ptr<KafkaHandle> handleOrFail(const ClusterProfile &profile, rd_kafka_type_t type,
                                          const QMap<QString, QString> &extra = {})
{
    auto created = KafkaHandle::create(profile, type, extra);
    if (!created)
        fail(created.error().describe());
    return std::move(created).value();
}

void populate(const test::CountingMockCluster &mock, const Shape &shape,
              const ClusterProfile &profile)
{
    for (int t = 0; t < shape.topics; ++t)
        if (rd_kafka_mock_topic_create(mock.handle(), shape.topic(t).toUtf8().constData(),
                                       shape.partitionsPerTopic, 1))
            fail(QStringLiteral("cannot create ") + shape.topic(t));

    test::ProduceOptions options;
    options.valueSize = 64;
    options.producerProperties = {{QStringLiteral("linger.ms"), QStringLiteral("20")}};
    options.flushTimeout = 120s;
    const QList<int> counts(shape.partitionsPerTopic, shape.messagesPerPartition);
    for (int t = 0; t < shape.topics; ++t)
        if (auto produced = test::produceCounts(profile, shape.topic(t), counts, options);
            !produced)
            fail(produced.error().describe());

    // One direct commit per group with the full partition list; groups lag by 0..2.
    for (int g = 0; g < shape.groups; ++g) {
        QHash<TopicPartition, qint64> offsets;
        offsets.reserve(shape.partitions());
        for (int t = 0; t < shape.topics; ++t)
            for (int p = 0; p < shape.partitionsPerTopic; ++p)
                offsets.insert({shape.topic(t), p}, shape.messagesPerPartition - g % 3);
        if (auto committed = test::commitOffsets(profile, shape.group(g), offsets); !committed)
            fail(committed.error().describe());
    }
}

// (1) The batched poll: one untimed to warm up, then the median of five.
LagObservation benchBatched(test::CountingMockCluster &mock, const Shape &shape,
                            KafkaLagReader &reader, double *medianMs)
{
    auto warm = reader.poll();
    if (!warm)
        fail(warm.error().describe());
    QList<double> times;
    LagObservation last;
    for (int run = 0; run < 5; ++run) {
        mock.reset();
        QElapsedTimer clock;
        clock.start();
        auto observation = reader.poll();
        times << double(clock.nsecsElapsed()) / 1e6;
        if (!observation)
            fail(observation.error().describe());
        last = std::move(observation).value();
    }
    // What a poll must have read, or the timing means nothing.
    if (last.groups.size() != shape.groups)
        fail(QStringLiteral("poll saw %1 groups").arg(last.groups.size()));
    for (const ObservedGroup &group : std::as_const(last.groups))
        if (group.committed.size() != shape.partitions() || !group.error.isEmpty())
            fail(QStringLiteral("%1: %2 committed offsets %3")
                     .arg(group.group)
                     .arg(group.committed.size())
                     .arg(group.error));
    *medianMs = bench::median(times);
    emitFigure({{QStringLiteral("figure"), QStringLiteral("batched_poll_ms")},
                {QStringLiteral("value"), *medianMs},
                {QStringLiteral("stat"), QStringLiteral("median of 5 warm polls")},
                {QStringLiteral("note"),
                 QStringLiteral("the 2.0.2 mock answers an OffsetFetch for all partitions with "
                                "nothing, so the reader names the partitions, 500 to a request "
                                "(librdkafka matches a named answer in O(partitions^2)). Kafka "
                                "answers \"all\": one request per group there.")},
                {QStringLiteral("min"), *std::min_element(times.cbegin(), times.cend())},
                {QStringLiteral("max"), *std::max_element(times.cbegin(), times.cend())},
                {QStringLiteral("partitions"), shape.partitions()},
                {QStringLiteral("groups"), shape.groups}});
    emitFigure({{QStringLiteral("figure"), QStringLiteral("batched_requests")},
                {QStringLiteral("source"), QStringLiteral("received by the mock brokers")},
                {QStringLiteral("value"), requestsJson(mock.totals())},
                {QStringLiteral("reader_says"),
                 QJsonObject {{QStringLiteral("Metadata"), last.requests.metadata},
                              {QStringLiteral("ListOffsets"), last.requests.listOffsets},
                              {QStringLiteral("OffsetFetch"), last.requests.offsetFetch}}}});
    return last;
}

// (2) What naive tools do: per partition rd_kafka_query_watermark_offsets, per group and
// partition rd_kafka_committed on a one-partition list, with one handle per group.
// Each handle's first call (connection, coordinator lookup) is made before the clock
// starts, as a long-running tool would have. Groups are timed until the budget is spent
// and the rest extrapolated from their mean.
double benchBaseline(test::CountingMockCluster &mock, const Shape &shape,
                     const ClusterProfile &profile, std::chrono::milliseconds budget)
{
    constexpr int TimeoutMs = 10000;
    auto watermarks = handleOrFail(profile, RD_KAFKA_PRODUCER);
    int64_t low = 0;
    int64_t high = 0;
    rd_kafka_query_watermark_offsets(watermarks->get(), shape.topic(0).toUtf8().constData(), 0,
                                     &low, &high, TimeoutMs);

    mock.reset();
    QElapsedTimer clock;
    clock.start();
    for (int t = 0; t < shape.topics; ++t) {
        const QByteArray topic = shape.topic(t).toUtf8();
        for (int p = 0; p < shape.partitionsPerTopic; ++p)
            if (rd_kafka_query_watermark_offsets(watermarks->get(), topic.constData(), p, &low,
                                                 &high, TimeoutMs))
                fail(QStringLiteral("query_watermark_offsets failed"));
    }
    const double watermarkMs = double(clock.nsecsElapsed()) / 1e6;
    const QHash<QString, qint64> watermarkRequests = mock.totals();

    double committedMs = 0;
    int measuredGroups = 0;
    QHash<QString, qint64> committedRequests;
    QElapsedTimer budgetClock;
    budgetClock.start();
    while (measuredGroups < shape.groups
           && (measuredGroups < 2 || budgetClock.elapsed() < budget.count())) {
        const QString group = shape.group(measuredGroups);
        auto consumer
            = handleOrFail(profile, RD_KAFKA_CONSUMER,
                           {{QStringLiteral("group.id"), group},
                            {QStringLiteral("enable.auto.commit"), QStringLiteral("false")}});
        const auto committedOffset = [&](const QByteArray &topic, int partition) {
            rd_kafka_topic_partition_list_t *one = rd_kafka_topic_partition_list_new(1);
            rd_kafka_topic_partition_list_add(one, topic.constData(), partition);
            const rd_kafka_resp_err_t err = rd_kafka_committed(consumer->get(), one, TimeoutMs);
            const int64_t offset = err ? -1 : one->elems[0].offset;
            rd_kafka_topic_partition_list_destroy(one);
            return offset;
        };
        committedOffset(shape.topic(0).toUtf8(), 0); // warm-up, untimed
        mock.reset();
        clock.restart();
        for (int t = 0; t < shape.topics; ++t) {
            const QByteArray topic = shape.topic(t).toUtf8();
            for (int p = 0; p < shape.partitionsPerTopic; ++p)
                if (committedOffset(topic, p) != shape.messagesPerPartition - measuredGroups % 3)
                    fail(QStringLiteral("committed() for %1 failed or disagrees").arg(group));
        }
        committedMs += double(clock.nsecsElapsed()) / 1e6;
        const QHash<QString, qint64> received = mock.totals();
        for (auto it = received.cbegin(); it != received.cend(); ++it)
            committedRequests[it.key()] += it.value();
        rd_kafka_consumer_close(consumer->get());
        ++measuredGroups;
    }
    const double scale = double(shape.groups) / measuredGroups;
    const double baselineMs = watermarkMs + committedMs * scale;
    QHash<QString, qint64> requests = watermarkRequests;
    for (auto it = committedRequests.cbegin(); it != committedRequests.cend(); ++it)
        requests[it.key()] += qint64(double(it.value()) * scale);
    emitFigure({{QStringLiteral("figure"), QStringLiteral("baseline_poll_ms")},
                {QStringLiteral("value"), baselineMs},
                {QStringLiteral("stat"), QStringLiteral("one warm pass")},
                {QStringLiteral("watermarks_ms"), watermarkMs},
                {QStringLiteral("committed_ms"), committedMs * scale},
                {QStringLiteral("committed_groups_measured"), measuredGroups},
                {QStringLiteral("groups"), shape.groups},
                {QStringLiteral("extrapolated"), measuredGroups < shape.groups},
                {QStringLiteral("note"),
                 measuredGroups < shape.groups
                     ? QStringLiteral("committed offsets timed for %1 of %2 groups (every "
                                      "partition each), scaled to all groups")
                           .arg(measuredGroups)
                           .arg(shape.groups)
                     : QStringLiteral("every group and partition timed")}});
    emitFigure({{QStringLiteral("figure"), QStringLiteral("baseline_requests")},
                {QStringLiteral("source"),
                 QStringLiteral("received by the mock brokers; committed part scaled like the "
                                "time")},
                {QStringLiteral("value"), requestsJson(requests)}});
    return baselineMs;
}

// (3) A refresh of the groups table: a real 50-group snapshot applied to the model the
// Consumer lag page shows, with a table view attached, once filled and once with every
// row changed.
void benchGuiRefresh(const Shape &shape, const LagObservation &observation)
{
    LagTracker tracker(QStringLiteral("bench"));
    const LagSnapshot first = tracker.update(observation, 0);
    LagSnapshot changed = first;
    for (GroupLag &group : changed.groups) {
        group.totalLag += 1;
        group.verdict = group.verdict == LagVerdict::Ok ? LagVerdict::Warn : LagVerdict::Ok;
    }

    ConsumerGroupsModel model;
    QTableView view;
    view.setModel(&model);
    view.resize(1200, 800);
    view.show();
    QApplication::processEvents();

    const auto timed = [&](const LagSnapshot &snapshot) {
        QElapsedTimer clock;
        clock.start();
        model.applySnapshot(snapshot);
        const double applyMs = double(clock.nsecsElapsed()) / 1e6;
        view.viewport()->repaint(); // the paint a refresh triggers, done now
        return qMakePair(applyMs, double(clock.nsecsElapsed()) / 1e6);
    };
    const auto fill = timed(first);
    QList<double> apply;
    QList<double> withPaint;
    for (int run = 0; run < 5; ++run) {
        const auto refresh = timed(run % 2 == 0 ? changed : first);
        apply << refresh.first;
        withPaint << refresh.second;
    }
    if (model.rowCount() != shape.groups)
        fail(QStringLiteral("the model shows %1 groups").arg(model.rowCount()));
    const double refreshMs = bench::median(withPaint);
    emitFigure({{QStringLiteral("figure"), QStringLiteral("gui_refresh_ms")},
                {QStringLiteral("value"), refreshMs},
                {QStringLiteral("stat"),
                 QStringLiteral("median of 5 refreshes (every row changed, then back): "
                                "ConsumerGroupsModel::applySnapshot + table repaint")},
                {QStringLiteral("apply_only_ms"), bench::median(apply)},
                {QStringLiteral("first_fill_ms"), fill.second},
                {QStringLiteral("groups"), shape.groups},
                {QStringLiteral("partitions_per_group"), shape.partitions()},
                {QStringLiteral("goal"), QStringLiteral("< 16")},
                {QStringLiteral("met"), refreshMs < 16}});
}

} // namespace

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);

    Shape shape;
    const bool quick = !qEnvironmentVariableIsEmpty("VELTRIX_BENCH_QUICK");
    if (quick)
        shape = {10, 20, 10, 3};

    QElapsedTimer setupClock;
    setupClock.start();
    test::CountingMockCluster mock;
    if (!mock.ok())
        fail(mock.error());
    const ClusterProfile profile = profileFor(mock, shape);
    populate(mock, shape, profile);
    emitFigure({{QStringLiteral("figure"), QStringLiteral("setup_ms")},
                {QStringLiteral("value"), setupClock.elapsed()},
                {QStringLiteral("partitions"), shape.partitions()},
                {QStringLiteral("groups"), shape.groups},
                {QStringLiteral("quick"), quick}});

    KafkaLagReader reader(profile, 10s);
    double batchedMs = 0;
    const LagObservation observation = benchBatched(mock, shape, reader, &batchedMs);
    const double baselineMs = benchBaseline(mock, shape, profile, quick ? 10s : 45s);
    emitFigure({{QStringLiteral("figure"), QStringLiteral("speedup")},
                {QStringLiteral("value"), baselineMs / batchedMs},
                {QStringLiteral("goal"), QStringLiteral(">= 10")},
                {QStringLiteral("met"), baselineMs / batchedMs >= 10}});
    benchGuiRefresh(shape, observation);
    return 0;
}
