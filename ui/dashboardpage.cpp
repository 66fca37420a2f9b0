#include "dashboardpage.h"

#include "timeseriesplot.h"

#include <QComboBox>
#include <QDateTime>
#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QTimer>
#include <QVBoxLayout>

#include <qcustomplot.h>

namespace veltrix {

using namespace Qt::StringLiterals;

namespace {

const QString ProbesOff
    = u"No probes yet. Enable them in the profile: \"probe\": {\"enabled\": true}"_s;

struct WindowChoice
{
    const char *label;
    double seconds;
};
constexpr WindowChoice Windows[]
    = {{"1 min", 60}, {"5 min", 300}, {"15 min", 900}, {"1 h", 3600}, {"6 h", 6 * 3600}};

} // namespace

DashboardPage::DashboardPage(std::shared_ptr<MetricStore> store, QWidget *parent)
    : QWidget(parent)
    , m_store(std::move(store))
    , m_windowBox(new QComboBox(this))
    , m_pauseButton(new QPushButton(u"Pause"_s, this))
    , m_liveButton(new QPushButton(u"Live"_s, this))
    , m_latencyThreshold(new QDoubleSpinBox(this))
    , m_status(new QLabel(this))
    , m_availability(new QLabel(this))
    , m_timer(new QTimer(this))
    , m_now([] { return double(QDateTime::currentMSecsSinceEpoch()) / 1000.0; })
{
    for (const WindowChoice &choice : Windows)
        m_windowBox->addItem(QString::fromLatin1(choice.label), choice.seconds);
    m_windowBox->setCurrentIndex(1);
    m_pauseButton->setCheckable(true);
    m_pauseButton->setToolTip(u"Freeze the charts; data keeps being recorded"_s);
    m_liveButton->setToolTip(u"Follow the newest data again"_s);
    m_latencyThreshold->setRange(0, 1e6);
    m_latencyThreshold->setDecimals(0);
    m_latencyThreshold->setSuffix(u" ms"_s);
    m_latencyThreshold->setValue(DefaultLatencyThresholdMs);
    m_latencyThreshold->setToolTip(u"Latency threshold: lines above it turn red (0: none)"_s);

    auto *toolbar = new QHBoxLayout;
    toolbar->addWidget(new QLabel(u"Window"_s, this));
    toolbar->addWidget(m_windowBox);
    toolbar->addWidget(m_pauseButton);
    toolbar->addWidget(m_liveButton);
    toolbar->addSpacing(16);
    toolbar->addWidget(new QLabel(u"Latency threshold"_s, this));
    toolbar->addWidget(m_latencyThreshold);
    toolbar->addSpacing(16);
    toolbar->addWidget(m_status, 1);

    auto *grid = new QGridLayout;
    grid->setSpacing(6);
    const auto place = [&](TimeSeriesPlot *plot, int row, int column, int span = 3) {
        // Six columns: two panels a row, three in the last one.
        grid->addWidget(plot, row, column * span, 1, span);
    };
    place(addPanel(MetricPanel::Latency, u"Probe latency"_s, u"ms"_s, ProbesOff), 0, 0);
    panel(MetricPanel::Latency)->setSubtitle(u"thin p50 · dashed p95 · thick p99, per second"_s);
    place(addPanel(MetricPanel::LatencyByPath, u"Latency by partition and broker (p99)"_s, u"ms"_s,
                   ProbesOff),
          0, 1);
    place(addPanel(MetricPanel::ConsumerLag, u"Consumer lag"_s, u"messages"_s,
                   u"No lag polled yet (Kafka clusters only)"_s),
          1, 0);
    place(addPanel(MetricPanel::Rates, u"Message rates"_s, u"msg/s"_s,
                   u"No rates yet: Kafka topics from the lag poll, RabbitMQ queues from the "
                   "management API"_s),
          1, 1);
    place(addPanel(MetricPanel::DlqDepth, u"DLQ depth"_s, u"messages"_s,
                   u"No dead-letter queues found yet"_s),
          2, 0, 2);
    place(addPanel(MetricPanel::DlqInflow, u"DLQ inflow"_s, u"msg/s"_s,
                   u"Inflow shows after two DLQ scans"_s),
          2, 1, 2);
    place(addPanel(MetricPanel::Retries, u"Retries per policy"_s, u"msg/s"_s,
                   u"No retry policies or dead-lettering queues yet"_s),
          2, 2, 2);
    grid->setRowStretch(0, 3); // latency is what people come for
    grid->setRowStretch(1, 2);
    grid->setRowStretch(2, 2);

    m_availability->setTextFormat(Qt::RichText);
    m_availability->setToolTip(u"Share of probes back within their deadline, last minute"_s);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(toolbar);
    layout->addWidget(m_availability);
    layout->addLayout(grid, 1);

    panel(MetricPanel::Latency)->setThreshold(DefaultLatencyThresholdMs);
    panel(MetricPanel::LatencyByPath)->setThreshold(DefaultLatencyThresholdMs);

    connect(m_windowBox, &QComboBox::currentIndexChanged, this,
            [this] { setWindowSeconds(m_windowBox->currentData().toDouble()); });
    connect(m_pauseButton, &QPushButton::toggled, this, &DashboardPage::setPaused);
    connect(m_liveButton, &QPushButton::clicked, this, [this] { setPaused(false); });
    connect(m_latencyThreshold, &QDoubleSpinBox::valueChanged, this, [this](double ms) {
        const std::optional<double> threshold = ms > 0 ? std::optional<double>(ms) : std::nullopt;
        for (MetricPanel p : {MetricPanel::Latency, MetricPanel::LatencyByPath}) {
            panel(p)->setThreshold(threshold);
            panel(p)->replot();
        }
    });
    connect(m_timer, &QTimer::timeout, this, [this] { refresh(); });
    m_timer->start(RefreshMs);
}

TimeSeriesPlot *DashboardPage::addPanel(MetricPanel panel, const QString &title,
                                        const QString &unit, const QString &emptyText)
{
    auto *plot = new TimeSeriesPlot(title, unit, this);
    plot->setEmptyText(emptyText);
    connect(plot, &TimeSeriesPlot::userMovedTimeRange, this, [this] {
        if (!m_paused)
            setPaused(true); // looking back: stop following live until asked
    });
    // Paused, the panels move together and draw the data of wherever they were moved to.
    connect(plot->plot()->xAxis, qOverload<const QCPRange &>(&QCPAxis::rangeChanged), this,
            [this](const QCPRange &range) {
                if (!m_paused || m_syncing)
                    return;
                m_syncing = true;
                m_shownTo = range.upper;
                for (const auto &[kind, other] : m_panels) {
                    other->setTimeRange(range.lower, range.upper);
                    refreshPanel(kind, range.lower, range.upper);
                }
                m_syncing = false;
            });
    m_panels.emplace(panel, plot);
    return plot;
}

void DashboardPage::setWindowSeconds(double seconds)
{
    m_windowSeconds = seconds;
    const int index = m_windowBox->findData(seconds);
    if (index >= 0 && index != m_windowBox->currentIndex())
        m_windowBox->setCurrentIndex(index);
    if (m_paused) // a paused view keeps its right edge and shows the new width
        for (const auto &[kind, plot] : m_panels)
            plot->setTimeRange(m_shownTo - seconds, m_shownTo);
    refresh(true);
}

void DashboardPage::setPaused(bool paused)
{
    m_paused = paused;
    if (m_pauseButton->isChecked() != paused)
        m_pauseButton->setChecked(paused);
    m_liveButton->setEnabled(paused);
    m_status->setText(paused ? u"Paused: new data is recorded, not drawn. Live resumes."_s
                             : QString());
    if (!paused)
        refresh(true);
}

void DashboardPage::setFeedProblem(const QString &cluster, const QString &problem)
{
    if (problem.isEmpty())
        m_problems.erase(cluster);
    else
        m_problems[cluster] = problem;
    showStatus();
}

void DashboardPage::showStatus()
{
    QStringList lines;
    if (m_paused)
        lines << u"Paused: new data is recorded, not drawn. Live resumes."_s;
    for (const auto &[cluster, problem] : m_problems)
        lines << u"<span style=\"color:#d62728\">%1: %2</span>"_s.arg(cluster.toHtmlEscaped(),
                                                                      problem.toHtmlEscaped());
    m_status->setText(lines.join(u"<br>"_s));
}

void DashboardPage::refresh(bool force)
{
    if (m_paused && !force)
        return;
    const quint64 generation = m_store->generation();
    const double now = m_now();
    // Live: the window follows the clock; redraw when data came or a second passed.
    const double to = m_paused ? m_shownTo : now;
    if (!force && generation == m_seenGeneration && to - m_shownTo < 1.0)
        return;
    m_seenGeneration = generation;
    m_shownTo = to;
    const double from = to - m_windowSeconds;
    for (const auto &[kind, plot] : m_panels)
        refreshPanel(kind, m_paused ? plot->plot()->xAxis->range().lower : from,
                     m_paused ? plot->plot()->xAxis->range().upper : to);
    showAvailability();
}

QList<TimeSeriesPlot *> DashboardPage::panels() const
{
    QList<TimeSeriesPlot *> out;
    for (const auto &[kind, plot] : m_panels)
        out.append(plot);
    return out;
}

void DashboardPage::refreshPanel(MetricPanel kind, double from, double to)
{
    TimeSeriesPlot *plot = m_panels.at(kind);
    const QList<SeriesInfo> series = m_store->series(kind);
    // The cluster's name only where two clusters have a series of the same name.
    QHash<QString, int> sameName;
    for (const SeriesInfo &info : series)
        ++sameName[info.name];
    QSet<QString> ids;
    for (const SeriesInfo &info : series) {
        const QString id = info.id();
        // A little beyond the edges, so lines run to the border instead of stopping short.
        SeriesPoints points = m_store->window(id, from - 60, to + 60);
        if (points.x.isEmpty())
            continue; // e.g. a queue no longer among the busiest: no line, no legend entry
        ids.insert(id);
        plot->setSeries(id, sameName.value(info.name) > 1 ? info.label() : info.name,
                        std::move(points));
    }
    plot->keepOnly(ids);
    if (!m_paused)
        plot->setTimeRange(from, to);
    plot->replot();
}

void DashboardPage::showAvailability()
{
    QStringList chips;
    for (const SeriesInfo &info : m_store->series(MetricPanel::Availability)) {
        const std::optional<double> value = m_store->lastValue(info.id());
        if (!value)
            continue;
        const bool short_ = *value < AvailabilityGoal;
        chips << u"<span style=\"color:%1\"><b>%2</b> %3 %</span>"_s.arg(
            short_ ? u"#d62728"_s : u"#2ca02c"_s, info.label().toHtmlEscaped(),
            QString::number(*value, 'f', *value < 100 ? 1 : 0));
    }
    m_availability->setText(
        chips.isEmpty() ? QString() : u"Availability: "_s + chips.join(u" &nbsp;·&nbsp; "_s));
}

} // namespace veltrix
