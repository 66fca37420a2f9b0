// The Dashboards tab on a MetricStore fed directly (no brokers): what is drawn, the
// window and pause, legend toggles, thresholds and their breaches, the hover readout,
// CSV and PNG export, and the empty state.
#include "dashboardpage.h"
#include "denselines.h"
#include "timeseriesplot.h"

#include <QComboBox>
#include <QImage>
#include <QTemporaryDir>
#include <QTest>

#include <limits>

#include <qcustomplot.h>

using namespace veltrix;
using namespace Qt::StringLiterals;

namespace {

constexpr double Now = 1'790'000'600.0;

SeriesInfo latency(const QString &name)
{
    return {u"k"_s, MetricPanel::Latency, name, u"ms"_s};
}

// Ten minutes of a probe at 1 s: 5 ms, stepping to 30 ms for the last two minutes.
void feedLatency(MetricStore &store)
{
    for (int i = 600; i >= 0; --i) {
        const double t = Now - i;
        const double p99 = i <= 120 ? 30 : 5;
        store.append(latency(u"Kafka end-to-end p50"_s), t, p99 - 1);
        store.append(latency(u"Kafka end-to-end p99"_s), t, p99);
    }
}

QCPGraph *graphNamed(QCustomPlot *plot, const QString &name)
{
    for (int i = 0; i < plot->graphCount(); ++i) {
        if (plot->graph(i)->name() == name)
            return plot->graph(i);
    }
    return nullptr;
}

} // namespace

class TestDashboard : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void panelsShowTheStoreWithinTheWindow();
    void windowChoiceMovesTheTimeAxis();
    void pauseFreezesTheAxisWhileDataKeepsComing();
    void legendToggleHidesAllThreeLinesAndTheCsvColumns();
    void csvHoldsTheStoreValues();
    void pngExportIsAnImageOfTheAskedSize();
    void breachIsHighlightedOnlyAboveTheThreshold();
    void readoutSaysTheExactValue();
    void emptyPanelsSayWhatToDo();
    void availabilityIsShownAndRedWhenShort();
    void denseChartsStillDrawEveryLineAndSpike();
    void denseCanvasClipsWhatIsOffIt();
    void seriesWithNothingInTheWindowLeaveTheLegend();

private:
    std::shared_ptr<MetricStore> m_store;
    std::unique_ptr<DashboardPage> m_page;
    double m_now = Now;
};

void TestDashboard::init()
{
    m_store = std::make_shared<MetricStore>();
    m_now = Now;
    m_page = std::make_unique<DashboardPage>(m_store);
    m_page->setClock([this] { return m_now; });
    m_page->resize(1400, 900);
}

void TestDashboard::cleanup()
{
    m_page.reset();
}

void TestDashboard::panelsShowTheStoreWithinTheWindow()
{
    feedLatency(*m_store);
    m_store->append({u"k"_s, MetricPanel::DlqDepth, u"orders-dlt"_s, u"msg"_s}, Now - 5, 42);
    m_page->setWindowSeconds(300);
    m_page->refresh(true);
    TimeSeriesPlot *plot = m_page->panel(MetricPanel::Latency);
    QCOMPARE(plot->seriesCount(), 2);
    const QCPGraph *p99 = plot->graph(latency(u"Kafka end-to-end p99"_s).id());
    QVERIFY(p99);
    const QCPRange x = plot->plot()->xAxis->range();
    QCOMPARE(x.upper, Now);
    QCOMPARE(x.lower, Now - 300);
    // Everything inside the window is there (plus a minute of margin each side).
    int inside = 0;
    for (auto p = p99->data()->constBegin(); p != p99->data()->constEnd(); ++p)
        inside += p->key >= x.lower && p->key <= x.upper ? 1 : 0;
    QCOMPARE(inside, 301);
    QCOMPARE(m_page->panel(MetricPanel::DlqDepth)->seriesCount(), 1);
    QCOMPARE(m_page->panel(MetricPanel::Rates)->seriesCount(), 0);
}

void TestDashboard::windowChoiceMovesTheTimeAxis()
{
    feedLatency(*m_store);
    m_page->refresh(true);
    m_page->windowBox()->setCurrentIndex(0); // 1 min
    QCOMPARE(m_page->windowSeconds(), 60.0);
    QCOMPARE(m_page->panel(MetricPanel::Latency)->plot()->xAxis->range().size(), 60.0);
    m_page->windowBox()->setCurrentIndex(4); // 6 h
    QCOMPARE(m_page->panel(MetricPanel::Rates)->plot()->xAxis->range().size(), 6 * 3600.0);
}

void TestDashboard::pauseFreezesTheAxisWhileDataKeepsComing()
{
    feedLatency(*m_store);
    m_page->refresh(true);
    m_page->setPaused(true);
    m_now = Now + 30;
    m_store->append(latency(u"Kafka end-to-end p99"_s), Now + 30, 999);
    m_page->refresh();
    TimeSeriesPlot *plot = m_page->panel(MetricPanel::Latency);
    QCOMPARE(plot->plot()->xAxis->range().upper, Now);
    QVERIFY2(!plot->breached() || plot->plot()->yAxis->range().upper < 999,
             "the new point is not drawn");
    m_page->setPaused(false);
    QCOMPARE(plot->plot()->xAxis->range().upper, Now + 30);
    QVERIFY(plot->plot()->yAxis->range().upper > 999);
}

void TestDashboard::legendToggleHidesAllThreeLinesAndTheCsvColumns()
{
    feedLatency(*m_store);
    m_store->append(latency(u"publish→confirm p99"_s), Now - 1, 2);
    m_page->refresh(true);
    TimeSeriesPlot *plot = m_page->panel(MetricPanel::Latency);
    QCOMPARE(plot->plot()->legend->itemCount(), 2); // one entry per probe, not per line
    QCPGraph *kafka = graphNamed(plot->plot(), u"Kafka end-to-end"_s);
    QVERIFY(kafka);
    auto *entry = plot->plot()->legend->itemWithPlottable(kafka);
    QVERIFY(entry);
    QMouseEvent click(QEvent::MouseButtonRelease, QPointF(), QPointF(), Qt::LeftButton,
                      Qt::LeftButton, Qt::NoModifier);
    Q_EMIT plot->plot()->legendClick(plot->plot()->legend, entry, &click);
    const QString p50 = latency(u"Kafka end-to-end p50"_s).id();
    const QString p99 = latency(u"Kafka end-to-end p99"_s).id();
    QVERIFY(!plot->isSeriesVisible(p50));
    QVERIFY(!plot->isSeriesVisible(p99));
    QVERIFY(plot->isSeriesVisible(latency(u"publish→confirm p99"_s).id()));
    QCOMPARE(plot->csv().section(u'\n', 0, 0), u"time,publish→confirm p99"_s);
    Q_EMIT plot->plot()->legendClick(plot->plot()->legend, entry, &click);
    QVERIFY(plot->isSeriesVisible(p99));
}

void TestDashboard::csvHoldsTheStoreValues()
{
    m_store->append(latency(u"a, b"_s), Now - 2, 1.5);
    m_store->append(latency(u"a, b"_s), Now - 1, 2.25);
    m_store->append(latency(u"c"_s), Now - 1, 7);
    m_page->refresh(true);
    const QStringList lines
        = m_page->panel(MetricPanel::Latency)->csv().split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 3);
    QCOMPARE(lines[0], u"time,\"a, b\",c"_s);
    const QString t1 = QDateTime::fromMSecsSinceEpoch(qint64((Now - 2) * 1000), Qt::UTC)
                           .toString(Qt::ISODateWithMs);
    QCOMPARE(lines[1], t1 + u",1.5,"_s);
    QVERIFY2(lines[2].endsWith(u",2.25,7"_s), qPrintable(lines[2]));
    QVERIFY(lines[2].endsWith(u"Z,2.25,7"_s));
}

void TestDashboard::pngExportIsAnImageOfTheAskedSize()
{
    feedLatency(*m_store);
    m_page->refresh(true);
    QTemporaryDir dir;
    const QString path = dir.filePath(u"latency.png"_s);
    QVERIFY(m_page->panel(MetricPanel::Latency)->exportPng(path, 800, 400));
    const QImage image(path);
    QCOMPARE(image.size(), QSize(800, 400));
    // Not a blank image: the lines and the threshold are drawn in colour.
    int coloured = 0;
    for (int y = 0; y < image.height(); y += 2) {
        for (int x = 0; x < image.width(); x += 2) {
            const QColor c = image.pixelColor(x, y);
            coloured += c.saturation() > 80 ? 1 : 0;
        }
    }
    QVERIFY2(coloured > 200, qPrintable(QString::number(coloured)));
}

void TestDashboard::breachIsHighlightedOnlyAboveTheThreshold()
{
    feedLatency(*m_store);
    m_page->setWindowSeconds(300);
    TimeSeriesPlot *plot = m_page->panel(MetricPanel::Latency);
    plot->setThreshold(50); // the page's default
    m_page->refresh(true);
    QVERIFY2(!plot->breached(), "30 ms is under 50 ms");
    plot->setThreshold(20);
    QVERIFY(plot->breached());
    // The red overlay holds the points above 20 ms only, starting where the line crosses.
    int redPoints = 0;
    for (int i = 0; i < plot->plot()->graphCount(); ++i) {
        QCPGraph *g = plot->plot()->graph(i);
        if (g->pen().color() != QColor(0xd6, 0x27, 0x28))
            continue;
        for (auto p = g->data()->constBegin(); p != g->data()->constEnd(); ++p) {
            if (!std::isnan(p->value)) {
                QVERIFY2(p->value >= 20 && p->key >= Now - 121,
                         qPrintable(QString::number(p->key - Now)));
                ++redPoints;
            }
        }
    }
    QVERIFY2(redPoints >= 2 * 121, qPrintable(QString::number(redPoints)));
    // The window moved past the step: no breach in view any more.
    m_page->setWindowSeconds(60);
    m_now = Now + 200;
    m_page->refresh(true);
    QVERIFY(!plot->breached());
}

void TestDashboard::readoutSaysTheExactValue()
{
    feedLatency(*m_store);
    m_page->refresh(true);
    TimeSeriesPlot *plot = m_page->panel(MetricPanel::Latency);
    const QString at = plot->readoutAt(Now - 10);
    QVERIFY2(at.contains(u"Kafka end-to-end p99: 30.0 ms"_s), qPrintable(at));
    QVERIFY2(at.contains(u"Kafka end-to-end p50: 29.0 ms"_s), qPrintable(at));
    const QString before = plot->readoutAt(Now - 200);
    QVERIFY2(before.contains(u"Kafka end-to-end p99: 5.00 ms"_s), qPrintable(before));
}

void TestDashboard::emptyPanelsSayWhatToDo()
{
    m_page->refresh(true);
    QCustomPlot *plot = m_page->panel(MetricPanel::Latency)->plot();
    bool told = false;
    for (int i = 0; i < plot->itemCount(); ++i) {
        auto *text = qobject_cast<QCPItemText *>(plot->item(i));
        if (text && text->visible() && text->text().contains(u"\"probe\": {\"enabled\": true}"_s))
            told = true;
    }
    QVERIFY(told);
    feedLatency(*m_store);
    m_page->refresh(true);
    for (int i = 0; i < plot->itemCount(); ++i) {
        auto *text = qobject_cast<QCPItemText *>(plot->item(i));
        QVERIFY(!text || !text->visible() || !text->text().contains(u"probe"_s));
    }
}

void TestDashboard::availabilityIsShownAndRedWhenShort()
{
    m_store->append({u"k"_s, MetricPanel::Availability, u"Kafka end-to-end"_s, u"%"_s}, Now, 100);
    m_store->append({u"r"_s, MetricPanel::Availability, u"request→reply"_s, u"%"_s}, Now, 97.5);
    m_page->refresh(true);
    const QList<QLabel *> labels = m_page->findChildren<QLabel *>();
    QString text;
    for (QLabel *label : labels) {
        if (label->text().startsWith(u"Availability"_s))
            text = label->text();
    }
    QVERIFY2(text.contains(u"k: Kafka end-to-end</b> 100 %"_s), qPrintable(text));
    QVERIFY2(text.contains(u"#d62728\"><b>r: request→reply</b> 97.5 %"_s), qPrintable(text));
}

void TestDashboard::denseChartsStillDrawEveryLineAndSpike()
{
    // 30 series × 1,000 points: over the budget, so drawn by the dense canvas.
    TimeSeriesPlot plot(u"Latency"_s, u"ms"_s);
    plot.resize(1200, 700);
    for (int s = 0; s < 30; ++s) {
        SeriesPoints points;
        for (int i = 0; i < 1000; ++i) {
            points.x.append(Now - 1000 + i);
            // Series 0 is flat at 10 and has one spike to 90 at i == 500; the rest sit
            // low, out of its way.
            points.y.append(s == 0 ? (i == 500 ? 90.0 : 10.0) : 1.0 + s * 0.01);
        }
        plot.setSeries(u"s%1"_s.arg(s), u"series %1"_s.arg(s), points);
    }
    plot.show();
    plot.setTimeRange(Now - 1000, Now - 1);
    plot.replot();
    QVERIFY(plot.drawsDense());
    plot.plot()->replot(QCustomPlot::rpImmediateRefresh);
    const QImage image = plot.plot()->toPixmap().toImage(); // at the widget's layout
    const QCPGraph *flat = plot.graph(u"s0"_s);
    const QRgb colour = flat->pen().color().rgb();
    QCPAxis *x = plot.plot()->xAxis;
    QCPAxis *y = plot.plot()->yAxis;
    const auto drawnNear = [&](double t, double value) {
        const int px = int(x->coordToPixel(t));
        const int py = int(y->coordToPixel(value));
        for (int dx = -1; dx <= 1; ++dx)
            for (int dy = -1; dy <= 1; ++dy)
                if (image.pixel(px + dx, py + dy) == colour)
                    return true;
        return false;
    };
    QVERIFY(drawnNear(Now - 900, 10));
    QVERIFY(drawnNear(Now - 100, 10));
    QVERIFY2(drawnNear(Now - 500, 90), "a one-sample spike must be drawn at full height");
    QVERIFY(!drawnNear(Now - 900, 50)); // and nothing where there is no data

    // Hidden lines leave the budget: back to the ordinary antialiased drawing.
    for (int s = 1; s < 30; ++s)
        plot.setSeriesVisible(u"s%1"_s.arg(s), false);
    plot.replot();
    QVERIFY(!plot.drawsDense());
}

void TestDashboard::denseCanvasClipsWhatIsOffIt()
{
    DenseLineCanvas canvas;
    canvas.ensureBegun(QSize(100, 50));
    {
        DenseLineCanvas::Polyline line(canvas, qRgb(255, 0, 0));
        line.add(-1e9, 25); // far off to the left: the line enters at the left edge
        line.add(50, 25);
        line.add(60, 1e12); // far below: leaves through the bottom, no endless loop
        line.add(70, std::numeric_limits<double>::quiet_NaN()); // a gap
        line.add(90, 10);
        line.add(95, -1e300); // values no int can hold: clamped, not undefined
        line.add(1e300, 20);
    }
    QVERIFY(canvas.finish());
    const QImage &image = canvas.image();
    QCOMPARE(image.pixel(0, 25), qRgb(255, 0, 0));
    QCOMPARE(image.pixel(49, 25), qRgb(255, 0, 0));
    QCOMPARE(image.pixel(90, 10), qRgb(255, 0, 0));
    QCOMPARE(qAlpha(image.pixel(80, 10)), 0); // the gap stays empty
    QVERIFY(!canvas.finish()); // taken once per drawing pass
}

void TestDashboard::seriesWithNothingInTheWindowLeaveTheLegend()
{
    const SeriesInfo busy {u"r"_s, MetricPanel::Rates, u"orders publish"_s, u"msg/s"_s};
    const SeriesInfo quiet {u"r"_s, MetricPanel::Rates, u"audit publish"_s, u"msg/s"_s};
    m_store->append(quiet, Now - 600, 3); // among the busiest ten minutes ago, not since
    for (int i = 300; i >= 0; i -= 5)
        m_store->append(busy, Now - i, 40);
    m_page->setWindowSeconds(300);
    m_page->refresh(true);
    TimeSeriesPlot *plot = m_page->panel(MetricPanel::Rates);
    QCOMPARE(plot->seriesCount(), 1);
    QVERIFY(plot->graph(busy.id()));
    m_page->setWindowSeconds(900); // its point is in this window: back it comes
    m_page->refresh(true);
    QCOMPARE(plot->seriesCount(), 2);
    QVERIFY(plot->graph(quiet.id()));
}

QTEST_MAIN(TestDashboard)
#include "tst_dashboard.moc"
