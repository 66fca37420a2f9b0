// The dashboards' numbers: histogram percentiles against exact nearest-rank values, the
// per-second bucketer, the tiered series whose downsampling must keep every minimum and
// maximum, and the bounded, thread-safe MetricStore.
#include "metrics/latencyhistogram.h"
#include "metrics/metricstore.h"
#include "metrics/percentilebucketer.h"
#include "metrics/timeseries.h"

#include <QTest>
#include <QThread>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>

using namespace veltrix;
using namespace Qt::StringLiterals;

namespace {

// Nearest rank: the smallest sample that at least p % of the samples do not exceed.
double exactPercentile(std::vector<double> samples, double p)
{
    std::sort(samples.begin(), samples.end());
    const auto rank = std::max<size_t>(1, size_t(std::ceil(p / 100.0 * double(samples.size()))));
    return samples[rank - 1];
}

// The histogram's promise: within RelativeError of the exact value, or 1 µs where the
// sample itself is below the resolution of whole microseconds.
double allowedError(double exact)
{
    return std::max(exact * LatencyHistogram::RelativeError, 0.001);
}

LatencyHistogram histogramOf(const std::vector<double> &samples)
{
    LatencyHistogram histogram;
    for (double sample : samples)
        histogram.record(sample);
    return histogram;
}

void compareWithExact(const std::vector<double> &samples)
{
    const LatencyHistogram histogram = histogramOf(samples);
    QCOMPARE(histogram.count(), qint64(samples.size()));
    for (double p : {0.0, 1.0, 10.0, 50.0, 90.0, 95.0, 99.0, 99.9, 100.0}) {
        const double exact = exactPercentile(samples, p);
        const double estimate = histogram.percentile(p);
        QVERIFY2(
            std::abs(estimate - exact) <= allowedError(exact),
            qPrintable(u"p%1: histogram %2 ms, exact %3 ms"_s.arg(p).arg(estimate).arg(exact)));
    }
    QCOMPARE(histogram.min(), *std::min_element(samples.begin(), samples.end()));
    QCOMPARE(histogram.max(), *std::max_element(samples.begin(), samples.end()));
}

// Six hours at one sample per second: noise around 10 with rare spikes up and down.
std::vector<std::pair<double, double>> sixHoursWithSpikes(double start)
{
    std::mt19937 random(7);
    std::normal_distribution<double> noise(10.0, 1.0);
    std::uniform_int_distribution<int> spike(0, 299);
    std::vector<std::pair<double, double>> samples;
    for (int i = 0; i < 6 * 3600; ++i) {
        double value = noise(random);
        const int roll = spike(random);
        if (roll == 0)
            value += 1000.0 + i; // distinct heights, so each one is identifiable
        else if (roll == 1)
            value -= 500.0 + i;
        samples.emplace_back(start + i, value);
    }
    return samples;
}

} // namespace

class TestMetrics : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void histogramMatchesExactPercentiles_data();
    void histogramMatchesExactPercentiles();
    void histogramOfOneValue();
    void histogramIgnoresWhatIsNotALatency();
    void histogramClampsBeyondItsRangeButKeepsTheExactMax();
    void mergedHistogramsEqualOneOverAllSamples();
    void emptyHistogramSaysZero();
    void bucketerClosesOneBucketPerSecond();
    void downsamplingKeepsEveryMinimumAndMaximum_data();
    void downsamplingKeepsEveryMinimumAndMaximum();
    void recentWindowsAreRawSamples();
    void storedPointsStopGrowingWithUptime();
    void samplesOutOfOrderAreIgnored();
    void storeIsSafeAcrossThreadsAndForgetsClusters();
};

void TestMetrics::histogramMatchesExactPercentiles_data()
{
    QTest::addColumn<QString>("shape");
    QTest::newRow("uniform 1-100 ms") << u"uniform"_s;
    QTest::newRow("long tail (lognormal)") << u"lognormal"_s;
    QTest::newRow("constant") << u"constant"_s;
    QTest::newRow("microseconds to minutes") << u"wide"_s;
    QTest::newRow("two modes 3 ms and 30 ms") << u"bimodal"_s;
}

void TestMetrics::histogramMatchesExactPercentiles()
{
    QFETCH(QString, shape);
    std::mt19937 random(42);
    std::vector<double> samples;
    for (int i = 0; i < 20000; ++i) {
        if (shape == u"uniform")
            samples.push_back(std::uniform_real_distribution<double>(1.0, 100.0)(random));
        else if (shape == u"lognormal")
            samples.push_back(std::lognormal_distribution<double>(1.5, 1.2)(random));
        else if (shape == u"constant")
            samples.push_back(7.25);
        else if (shape == u"wide") // 1 µs .. 10 minutes, evenly spread over the decades
            samples.push_back(
                std::pow(10.0, std::uniform_real_distribution<double>(-3, 5.78)(random)));
        else
            samples.push_back(i % 2 == 0 ? std::normal_distribution<double>(3.0, 0.2)(random)
                                         : std::normal_distribution<double>(30.0, 2.0)(random));
    }
    compareWithExact(samples);
}

void TestMetrics::histogramOfOneValue()
{
    LatencyHistogram histogram;
    histogram.record(12.345);
    // One sample: every percentile is that sample, exactly (the extremes are exact).
    for (double p : {0.0, 50.0, 99.0, 100.0})
        QCOMPARE(histogram.percentile(p), 12.345);
    QCOMPARE(histogram.mean(), 12.345);
}

void TestMetrics::histogramIgnoresWhatIsNotALatency()
{
    LatencyHistogram histogram;
    histogram.record(-3.0); // the clock stepped back
    histogram.record(std::numeric_limits<double>::quiet_NaN());
    QVERIFY(histogram.empty());
    histogram.record(0.0);
    histogram.record(2.0);
    QCOMPARE(histogram.count(), qint64(2));
    QCOMPARE(histogram.min(), 0.0);
    QCOMPARE(histogram.percentile(100), 2.0);
}

void TestMetrics::histogramClampsBeyondItsRangeButKeepsTheExactMax()
{
    LatencyHistogram histogram;
    for (int i = 0; i < 99; ++i)
        histogram.record(5.0);
    const double twoHours = 2 * LatencyHistogram::MaxMilliseconds;
    histogram.record(twoHours);
    QCOMPARE(histogram.count(), qint64(100));
    QCOMPARE(histogram.max(), twoHours);
    QCOMPARE(histogram.percentile(100), twoHours); // the exact maximum beats the clamp
    QVERIFY(std::abs(histogram.percentile(99) - 5.0) <= allowedError(5.0));
}

void TestMetrics::mergedHistogramsEqualOneOverAllSamples()
{
    std::mt19937 random(3);
    std::vector<double> fast, slow, all;
    for (int i = 0; i < 5000; ++i) {
        fast.push_back(std::uniform_real_distribution<double>(0.5, 2.0)(random));
        slow.push_back(std::uniform_real_distribution<double>(20.0, 200.0)(random));
    }
    all = fast;
    all.insert(all.end(), slow.begin(), slow.end());
    LatencyHistogram merged = histogramOf(fast);
    merged.merge(histogramOf(slow));
    const LatencyHistogram whole = histogramOf(all);
    QCOMPARE(merged.count(), whole.count());
    for (double p : {1.0, 50.0, 75.0, 99.0})
        QCOMPARE(merged.percentile(p), whole.percentile(p));
    QCOMPARE(merged.min(), whole.min());
    QCOMPARE(merged.max(), whole.max());

    LatencyHistogram empty;
    empty.merge(histogramOf(slow)); // merging into an empty one takes the other's extremes
    QCOMPARE(empty.min(), *std::min_element(slow.begin(), slow.end()));
}

void TestMetrics::emptyHistogramSaysZero()
{
    LatencyHistogram histogram;
    QCOMPARE(histogram.percentile(99), 0.0);
    histogram.record(4.0);
    histogram.reset();
    QVERIFY(histogram.empty());
    QCOMPARE(histogram.max(), 0.0);
}

void TestMetrics::bucketerClosesOneBucketPerSecond()
{
    PercentileBucketer bucketer(1.0);
    QVERIFY(!bucketer.closeUntil(1000.0)); // nothing recorded
    std::vector<double> second;
    for (int i = 1; i <= 100; ++i) {
        bucketer.record(1000.0 + i / 200.0, double(i)); // all within [1000, 1001)
        second.push_back(double(i));
    }
    QVERIFY(!bucketer.closeUntil(1000.9)); // the bucket has not ended yet
    const auto point = bucketer.closeUntil(1001.0);
    QVERIFY(point);
    QCOMPARE(point->t, 1001.0);
    QCOMPARE(point->count, qint64(100));
    QVERIFY(std::abs(point->p50 - exactPercentile(second, 50)) <= allowedError(50));
    QVERIFY(std::abs(point->p95 - exactPercentile(second, 95)) <= allowedError(95));
    QVERIFY(std::abs(point->p99 - exactPercentile(second, 99)) <= allowedError(99));
    QCOMPARE(point->max, 100.0);
    QVERIFY(!bucketer.closeUntil(1002.0)); // closed once; the next second starts empty
    bucketer.record(1005.5, 3.0);
    const auto next = bucketer.closeUntil(1007.0);
    QVERIFY(next);
    QCOMPARE(next->t, 1006.0);
    QCOMPARE(next->p99, 3.0);
}

void TestMetrics::downsamplingKeepsEveryMinimumAndMaximum_data()
{
    QTest::addColumn<double>("windowSeconds");
    QTest::addColumn<double>("bucketSeconds"); // the tier such a window is drawn from
    QTest::newRow("1 h window (10 s buckets)") << 3600.0 << 10.0;
    QTest::newRow("6 h window (60 s buckets)") << 6 * 3600.0 << 60.0;
}

void TestMetrics::downsamplingKeepsEveryMinimumAndMaximum()
{
    QFETCH(double, windowSeconds);
    QFETCH(double, bucketSeconds);
    const double start = 1'800'000'000.0; // a multiple of 60: buckets align with the hour
    const auto samples = sixHoursWithSpikes(start);
    TimeSeries series;
    for (const auto &[t, value] : samples)
        series.append(t, value);
    const double now = samples.back().first;
    const double from = now + 1 - windowSeconds;
    const SeriesPoints drawn = series.window(from, now);
    QVERIFY(!drawn.x.isEmpty());
    // A handful of points per bucket, not one per sample: this is what keeps plots fast.
    QVERIFY2(drawn.x.size() <= 2 * int(windowSeconds / bucketSeconds) + 4,
             qPrintable(QString::number(drawn.x.size())));

    std::map<double, double> drawnAt;
    for (qsizetype i = 0; i < drawn.x.size(); ++i)
        drawnAt[drawn.x[i]] = drawn.y[i];
    QVERIFY(std::is_sorted(drawn.x.begin(), drawn.x.end()));

    // Every bucket in the window must show its minimum and its maximum where they were.
    std::map<double, std::pair<std::pair<double, double>, std::pair<double, double>>> buckets;
    for (const auto &[t, value] : samples) {
        if (t < from)
            continue;
        const double bucket = std::floor(t / bucketSeconds) * bucketSeconds;
        auto [it, fresh] = buckets.try_emplace(bucket, std::pair {t, value}, std::pair {t, value});
        auto &[lowest, highest] = it->second;
        if (!fresh && value < lowest.second)
            lowest = {t, value};
        if (!fresh && value > highest.second)
            highest = {t, value};
    }
    int spikesChecked = 0;
    for (const auto &[bucket, extremes] : buckets) {
        if (bucket < from)
            continue; // straddles the window's start: partly outside by design
        for (const auto &[t, value] : {extremes.first, extremes.second}) {
            const auto found = drawnAt.find(t);
            QVERIFY2(
                found != drawnAt.end() && found->second == value,
                qPrintable(
                    u"bucket at %1: extreme %2 at %3 not drawn"_s.arg(bucket).arg(value).arg(t)));
            spikesChecked += std::abs(value - 10.0) > 100 ? 1 : 0;
        }
    }
    QVERIFY2(spikesChecked > 5, "the data should have spikes in this window");
}

void TestMetrics::recentWindowsAreRawSamples()
{
    TimeSeries series;
    for (int i = 0; i < 3600; ++i)
        series.append(1000.0 + i, double(i % 17));
    const SeriesPoints lastMinute = series.window(1000.0 + 3600 - 60, 1000.0 + 3599);
    QCOMPARE(lastMinute.x.size(), 60);
    for (qsizetype i = 0; i < lastMinute.x.size(); ++i)
        QCOMPARE(lastMinute.y[i], double(int(lastMinute.x[i] - 1000.0) % 17));
    QCOMPARE(series.lastValue().value_or(-1), double(3599 % 17));
    QCOMPARE(series.lastValues(3),
             (QList<double> {double(3597 % 17), double(3598 % 17), double(3599 % 17)}));
}

void TestMetrics::storedPointsStopGrowingWithUptime()
{
    const SeriesTiers tiers = SeriesTiers::dashboard();
    const size_t bound = tiers.rawCapacity + tiers.mediumCapacity + tiers.coarseCapacity + 2;
    TimeSeries series;
    size_t afterSevenHours = 0; // by then every tier is full (the coarsest holds 6 h and a bit)
    for (int i = 0; i < 24 * 3600; ++i) { // a day at 1 s
        series.append(double(i), double(i % 100));
        if (i == 7 * 3600)
            afterSevenHours = series.storedPoints();
        QVERIFY(series.storedPoints() <= bound);
    }
    QCOMPARE(series.storedPoints(), afterSevenHours); // full tiers: no growth at all
}

void TestMetrics::samplesOutOfOrderAreIgnored()
{
    TimeSeries series;
    series.append(10, 1);
    series.append(12, 2);
    series.append(11, 99); // older than the last: would break the sorted x
    series.append(12, 98); // same time
    const SeriesPoints points = series.window(0, 100);
    QCOMPARE(points.x, (QList<double> {10, 12}));
    QCOMPARE(points.y, (QList<double> {1, 2}));
}

void TestMetrics::storeIsSafeAcrossThreadsAndForgetsClusters()
{
    MetricStore store;
    const auto writer = [&store](const QString &cluster) {
        return QThread::create([&store, cluster] {
            for (int i = 0; i < 2000; ++i)
                store.append({cluster, MetricPanel::Latency, u"e2e p99"_s, u"ms"_s}, 1000.0 + i,
                             double(i));
        });
    };
    std::unique_ptr<QThread> a(writer(u"a"_s));
    std::unique_ptr<QThread> b(writer(u"b"_s));
    const quint64 before = store.generation();
    a->start();
    b->start();
    while (!a->isFinished() || !b->isFinished()) { // read while they write
        for (const SeriesInfo &info : store.series(MetricPanel::Latency))
            QVERIFY(store.window(info.id(), 0, 1e10).x.size() <= 2000);
        QThread::yieldCurrentThread();
    }
    a->wait();
    b->wait();
    QCOMPARE(store.generation() - before, quint64(4000));
    QCOMPARE(store.seriesCount(), 2);
    const QString aId = SeriesInfo {u"a"_s, MetricPanel::Latency, u"e2e p99"_s, {}}.id();
    QCOMPARE(store.lastValue(aId).value_or(-1), 1999.0);
    QCOMPARE(store.series(MetricPanel::Latency).first().label(), u"a: e2e p99"_s);
    QVERIFY(store.series(MetricPanel::Rates).isEmpty());

    store.forgetCluster(u"a"_s);
    QCOMPARE(store.seriesCount(), 1);
    QVERIFY(!store.lastValue(aId));
    QVERIFY(store.window(aId, 0, 1e10).x.isEmpty());
}

QTEST_GUILESS_MAIN(TestMetrics)
#include "tst_metrics.moc"
