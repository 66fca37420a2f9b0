// Bench: the dashboards' drawing and memory (issue #7). Prints one JSON line per figure;
// never part of the pass/fail suite.
//   replot_ms          one TimeSeriesPlot, 1600×900 offscreen, 200 series × 3,600 points
//                      scrolling live one second per frame (goal ≤ 16 ms per frame)
//   update_replot_ms   the same with every series' points handed over again each frame,
//                      as the dashboard does when data came
//   store_rss_mib      6 h of 200 series at 1 s in a MetricStore (goal ≤ 100 MB), and
//                      what another 6 h adds (must be about nothing: bounded by design)
//   window_draw_ms     the Dashboards page over that store, per window (1 m .. 6 h):
//                      copying the windows out of the store and drawing every panel
// VELTRIX_BENCH_QUICK=1 runs fewer frames.
#include "benchoutput.h"
#include "dashboardpage.h"
#include "metrics/metricstore.h"
#include "timeseriesplot.h"

#include "qcustomplot.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QRandomGenerator>

#include <cmath>

using namespace veltrix;

namespace {

using bench::msSince;
using bench::rssMiB;

constexpr int Series = 200;
constexpr int PointsPerSeries = 3600;
constexpr double Start = 1'800'000'000.0;

void emitFigure(QJsonObject figure)
{
    bench::emitFigure("charts", std::move(figure));
}

double percentile(QList<double> values, double p)
{
    std::sort(values.begin(), values.end());
    return values.isEmpty() ? -1 : values.at(qsizetype(double(values.size() - 1) * p / 100.0));
}

// A latency-like random walk per series, each at its own level, with rare spikes.
class Walks
{
public:
    Walks()
        : m_level(Series)
        , m_random(11)
    {
        for (int s = 0; s < Series; ++s)
            m_level[s] = 2.0 + s * 0.25;
    }
    double next(int s)
    {
        m_level[s] = std::max(0.1, m_level[s] + (m_random.generateDouble() - 0.5) * 0.4);
        return m_level[s] + (m_random.bounded(500) == 0 ? 40.0 : 0.0);
    }

private:
    std::vector<double> m_level;
    QRandomGenerator m_random;
};

QString seriesName(int s)
{
    return QStringLiteral("probe %1 p99").arg(s, 3, 10, QLatin1Char('0'));
}

QJsonObject frameFigure(const char *name, const QList<double> &frames)
{
    return {{QStringLiteral("figure"), QLatin1String(name)},
            {QStringLiteral("value"), bench::median(frames)},
            {QStringLiteral("p95"), percentile(frames, 95)},
            {QStringLiteral("max"), percentile(frames, 100)},
            {QStringLiteral("goal"), 16},
            {QStringLiteral("frames"), int(frames.size())},
            {QStringLiteral("series"), Series},
            {QStringLiteral("points_per_series"), PointsPerSeries},
            {QStringLiteral("size"), QStringLiteral("1600x900")}};
}

void benchReplot(int frames)
{
    TimeSeriesPlot plot(QStringLiteral("Latency"), QStringLiteral("ms"));
    plot.resize(1600, 900);
    plot.show();
    Walks walks;
    std::vector<SeriesPoints> points(Series);
    for (int i = 0; i < PointsPerSeries + frames; ++i)
        for (int s = 0; s < Series; ++s) {
            points[size_t(s)].x.append(Start + i);
            points[size_t(s)].y.append(walks.next(s));
        }
    // One hour in view, as the 1 h window shows it; each frame the clock moves a second.
    const auto handOver = [&](int frame) {
        for (int s = 0; s < Series; ++s) {
            const SeriesPoints &all = points[size_t(s)];
            plot.setSeries(seriesName(s), seriesName(s),
                           {all.x.mid(frame, PointsPerSeries), all.y.mid(frame, PointsPerSeries)});
        }
    };
    const auto draw = [&](int frame) {
        plot.setTimeRange(Start + frame, Start + frame + PointsPerSeries - 1);
        plot.replot(); // the value axis follows what is shown
        plot.plot()->replot(QCustomPlot::rpImmediateRefresh);
    };
    handOver(0);
    for (int warm = 0; warm < 3; ++warm)
        draw(0);
    QList<double> replotOnly;
    for (int frame = 0; frame < frames; ++frame) {
        QElapsedTimer clock;
        clock.start();
        draw(frame);
        replotOnly << msSince(clock);
    }
    emitFigure(frameFigure("replot_ms", replotOnly));

    QList<double> withData;
    for (int frame = 0; frame < frames; ++frame) {
        QElapsedTimer clock;
        clock.start();
        handOver(frame);
        draw(frame);
        withData << msSince(clock);
    }
    emitFigure(frameFigure("update_replot_ms", withData));
    QCoreApplication::processEvents(); // the queued replots, before the plot goes
}

// Fills the store as the probe sessions do, one sample per series per second.
void fill(MetricStore &store, Walks &walks, double from, double seconds)
{
    std::vector<SeriesInfo> infos;
    for (int s = 0; s < Series; ++s)
        infos.push_back(
            {QStringLiteral("bench"), MetricPanel::Latency, seriesName(s), QStringLiteral("ms")});
    for (double t = from; t < from + seconds; t += 1.0)
        for (int s = 0; s < Series; ++s)
            store.append(infos[size_t(s)], t, walks.next(s));
}

void benchDashboardWindows(const std::shared_ptr<MetricStore> &store, double now, int runs)
{
    DashboardPage page(store);
    page.resize(1600, 1000);
    page.setClock([now] { return now; });
    page.show();
    QCoreApplication::processEvents();
    const auto drawEverything = [&] {
        page.refresh(true);
        for (TimeSeriesPlot *panel : page.panels())
            panel->plot()->replot(QCustomPlot::rpImmediateRefresh);
    };
    for (double window : {60.0, 300.0, 900.0, 3600.0, 6 * 3600.0}) {
        page.setWindowSeconds(window);
        drawEverything();
        QList<double> draws;
        for (int run = 0; run < runs; ++run) {
            QElapsedTimer clock;
            clock.start();
            drawEverything();
            draws << msSince(clock);
        }
        const QCPGraph *graph = page.panel(MetricPanel::Latency)
                                    ->graph(SeriesInfo {
                                        QStringLiteral("bench"),
                                        MetricPanel::Latency,
                                        seriesName(0),
                                        {}}.id());
        emitFigure({{QStringLiteral("figure"), QStringLiteral("window_draw_ms")},
                    {QStringLiteral("window_s"), window},
                    {QStringLiteral("value"), bench::median(draws)},
                    {QStringLiteral("max"), percentile(draws, 100)},
                    {QStringLiteral("series"), store->seriesCount()},
                    {QStringLiteral("points_per_series_drawn"), graph ? graph->dataCount() : -1}});
    }
    QCoreApplication::processEvents();
}

} // namespace

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const bool quick = !qEnvironmentVariableIsEmpty("VELTRIX_BENCH_QUICK");

    const double rssBefore = rssMiB();
    auto store = std::make_shared<MetricStore>();
    Walks walks;
    QElapsedTimer clock;
    clock.start();
    fill(*store, walks, Start, 6 * 3600);
    const double fillSeconds = msSince(clock) / 1000;
    const double rssSixHours = rssMiB();
    const size_t pointsSixHours = store->storedPoints();
    fill(*store, walks, Start + 6 * 3600, 6 * 3600);
    const double rssTwelveHours = rssMiB();
    emitFigure({{QStringLiteral("figure"), QStringLiteral("store_rss_mib")},
                {QStringLiteral("value"), rssSixHours - rssBefore},
                {QStringLiteral("goal"), 100},
                {QStringLiteral("series"), Series},
                {QStringLiteral("hours"), 6},
                {QStringLiteral("samples"), double(Series) * 6 * 3600},
                {QStringLiteral("stored_points"), double(pointsSixHours)},
                {QStringLiteral("appends_per_s"), double(Series) * 6 * 3600 / fillSeconds},
                {QStringLiteral("growth_next_6h_mib"), rssTwelveHours - rssSixHours},
                {QStringLiteral("stored_points_after_12h"), double(store->storedPoints())}});

    // After the store's figure: what the replot bench frees would hide the store's growth.
    benchReplot(quick ? 20 : 60);
    benchDashboardWindows(store, Start + 12 * 3600 - 1, quick ? 5 : 15);
    return 0;
}
