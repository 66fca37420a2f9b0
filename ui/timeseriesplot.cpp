#include "timeseriesplot.h"

#include "denselines.h"

#include <QDateTime>
#include <QFile>
#include <QFileDialog>
#include <QInputDialog>
#include <QMenu>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include <array>
#include <cmath>
#include <limits>
#include <map>

namespace veltrix {

using namespace Qt::StringLiterals;

namespace {

// Percentile lines of one probe share a colour; the suffix picks the stroke.
QString baseOf(const QString &label)
{
    for (const auto suffix : {u" p50", u" p95", u" p99"}) {
        if (label.endsWith(suffix))
            return label.chopped(4);
    }
    return label;
}

QPen penFor(const QString &label, const QColor &color)
{
    QPen pen(color, 1.6);
    if (label.endsWith(u" p99"))
        pen.setWidthF(2.4);
    else if (label.endsWith(u" p95"))
        pen.setStyle(Qt::DashLine);
    else if (label.endsWith(u" p50"))
        pen.setWidthF(1.2);
    return pen;
}

QString valueText(double value)
{
    const double magnitude = std::abs(value);
    return QString::number(value, 'f', magnitude < 10 ? 2 : magnitude < 1000 ? 1 : 0);
}

QString isoUtc(double t)
{
    return QDateTime::fromMSecsSinceEpoch(qint64(std::llround(t * 1000)), Qt::UTC)
        .toString(Qt::ISODateWithMs); // ends in Z
}

} // namespace

TimeSeriesPlot::TimeSeriesPlot(const QString &title, const QString &unit, QWidget *parent)
    : QWidget(parent)
    , m_plot(new QCustomPlot(this))
    , m_dense(std::make_shared<DenseLineCanvas>())
    , m_title(new QCPTextElement(m_plot, title, QFont(font().family(), 11, QFont::Bold)))
    , m_titleText(title)
    , m_unit(unit)
    , m_empty(new QCPItemText(m_plot))
    , m_thresholdLine(new QCPItemStraightLine(m_plot))
    , m_cursor(new QCPItemStraightLine(m_plot))
    , m_readout(new QCPItemText(m_plot))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    setMinimumSize(240, 180); // three to a row beside the cluster tree at 1280 px

    // Title on top; the legend in a narrow column right of the chart, never over the data.
    m_plot->plotLayout()->insertRow(0);
    m_plot->plotLayout()->addElement(0, 0, m_title);
    m_plot->legend->setVisible(true);
    m_plot->axisRect()->insetLayout()->take(m_plot->legend);
    auto *side = new QCPLayoutGrid;
    m_plot->plotLayout()->addElement(1, 1, side);
    side->addElement(0, 0, m_plot->legend);
    side->addElement(1, 0, new QCPLayoutElement(m_plot)); // pushes the legend to the top
    side->setRowStretchFactor(0, 0.01);
    m_plot->plotLayout()->setColumnStretchFactor(1, 0.01);
    m_plot->plotLayout()->setColumnSpacing(0);
    m_plot->legend->setFont(QFont(font().family(), 8));
    m_plot->legend->setIconSize(18, 8);
    m_plot->legend->setRowSpacing(-2);
    m_plot->legend->setBorderPen(Qt::NoPen);
    m_plot->legend->setSelectableParts(QCPLegend::spItems);

    QSharedPointer<QCPAxisTickerDateTime> ticker(new QCPAxisTickerDateTime);
    ticker->setDateTimeFormat(u"HH:mm:ss"_s);
    ticker->setDateTimeSpec(Qt::LocalTime);
    m_plot->xAxis->setTicker(ticker);
    m_plot->yAxis->setLabel(unit);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom | QCP::iSelectLegend);
    m_plot->axisRect()->setRangeDrag(Qt::Horizontal);
    m_plot->axisRect()->setRangeZoom(Qt::Horizontal);
    m_plot->setNoAntialiasingOnDrag(true);
    // Wide antialiased pens stroked as one path per line cost ~10x more; the joins this
    // skips are not visible at these widths.
    m_plot->setPlottingHint(QCP::phFastPolylines, true);
    // The dense canvas right above the graphs; the readout and markers above it.
    m_plot->addLayer(u"dense"_s, m_plot->layer(u"main"_s), QCustomPlot::limAbove);
    auto *canvasLayerable = new DenseCanvasLayerable(m_plot, m_dense);
    canvasLayerable->setLayer(u"dense"_s);
    for (QCPLayerable *marker :
         std::initializer_list<QCPLayerable *> {m_empty, m_thresholdLine, m_cursor, m_readout})
        marker->setLayer(u"overlay"_s);

    m_empty->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_empty->position->setCoords(0.5, 0.5);
    m_empty->setColor(QColor(0x60, 0x60, 0x60));
    m_empty->setFont(QFont(font().family(), 10));

    QPen thresholdPen(QColor(0xd6, 0x27, 0x28), 1.2, Qt::DashLine);
    m_thresholdLine->setPen(thresholdPen);
    m_thresholdLine->setVisible(false);
    m_cursor->setPen(QPen(QColor(0x80, 0x80, 0x80), 1, Qt::DotLine));
    m_cursor->setVisible(false);
    m_readout->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_readout->position->setCoords(0.01, 0.02);
    m_readout->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    m_readout->setTextAlignment(Qt::AlignLeft);
    m_readout->setBrush(QColor(255, 255, 255, 230));
    m_readout->setPen(QPen(QColor(0xb0, 0xb0, 0xb0)));
    m_readout->setPadding(QMargins(5, 3, 5, 3));
    m_readout->setVisible(false);

    connect(m_plot, &QCustomPlot::mouseMove, this, [this](QMouseEvent *event) {
        if (event->buttons() & Qt::LeftButton)
            Q_EMIT userMovedTimeRange(); // a drag pans the time axis
        showReadout(event->position().x());
    });
    connect(m_plot, &QCustomPlot::mouseWheel, this, [this] { Q_EMIT userMovedTimeRange(); });
    connect(m_plot, &QCustomPlot::legendClick, this,
            [this](QCPLegend *, QCPAbstractLegendItem *item, QMouseEvent *) {
                auto *entry = qobject_cast<QCPPlottableLegendItem *>(item);
                if (!entry)
                    return;
                QString group;
                bool visible = true;
                for (const auto &[id, line] : m_lines) {
                    if (line.graph == entry->plottable()) {
                        group = baseOf(line.label);
                        visible = line.graph->visible();
                    }
                }
                for (const auto &[id, line] : m_lines) { // the probe's three lines together
                    if (baseOf(line.label) == group)
                        setSeriesVisible(id, !visible);
                }
            });
    m_plot->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_plot, &QWidget::customContextMenuRequested, this, &TimeSeriesPlot::contextMenu);
    setEmptyText(u"No data yet"_s);
}

QString TimeSeriesPlot::title() const
{
    return m_title->text();
}

QColor TimeSeriesPlot::colorFor(const QString &label) const
{
    // Tableau 10, picked by name: a series keeps its colour across refreshes and panels.
    static constexpr std::array<QRgb, 10> colors {0x1f77b4, 0xff7f0e, 0x2ca02c, 0x9467bd, 0x8c564b,
                                                  0xe377c2, 0x17becf, 0xbcbd22, 0x7f7f7f, 0x393b79};
    return QColor::fromRgb(colors[qHash(baseOf(label)) % colors.size()]);
}

void TimeSeriesPlot::setSeries(const QString &id, const QString &label, const SeriesPoints &points)
{
    auto it = m_lines.find(id);
    if (it == m_lines.end()) {
        Line line;
        line.label = label;
        line.graph = addLine(penFor(label, colorFor(label)));
        line.graph->setName(label);
        line.breach = addLine(QPen(QColor(0xd6, 0x27, 0x28), line.graph->pen().widthF() + 1.2));
        line.breach->removeFromLegend();
        // One legend entry per probe: its p50/p95/p99 lines differ by stroke only.
        const QString group = baseOf(label);
        const bool grouped = group != label;
        bool first = true;
        for (const auto &[otherId, other] : m_lines)
            first = first && baseOf(other.label) != group;
        if (grouped && !first)
            line.graph->removeFromLegend();
        else if (grouped)
            line.graph->setName(group);
        it = m_lines.emplace(id, line).first;
    }
    it->second.graph->setData(QVector<double>(points.x), QVector<double>(points.y), true);
    updateBreach(it->second);
    m_empty->setVisible(m_lines.empty());
}

DenseGraph *TimeSeriesPlot::addLine(const QPen &pen)
{
    auto *graph = new DenseGraph(m_plot->xAxis, m_plot->yAxis, m_dense); // the plot owns it
    graph->setPen(pen);
    graph->setAdaptiveSampling(true);
    return graph;
}

void TimeSeriesPlot::keepOnly(const QSet<QString> &ids)
{
    for (auto it = m_lines.begin(); it != m_lines.end();) {
        if (ids.contains(it->first)) {
            ++it;
            continue;
        }
        m_plot->removeGraph(it->second.breach);
        m_plot->removeGraph(it->second.graph);
        it = m_lines.erase(it);
    }
    m_empty->setVisible(m_lines.empty());
}

void TimeSeriesPlot::updateBreach(Line &line)
{
    QVector<double> keys, values;
    if (m_threshold && line.graph->visible()) {
        // Points above the threshold, with the crossings interpolated, so the red part
        // starts and ends where the line crosses; NaN breaks the line in between.
        const double limit = *m_threshold;
        const auto data = line.graph->data();
        bool wasAbove = false;
        double lastKey = 0, lastValue = 0;
        for (auto p = data->constBegin(); p != data->constEnd(); ++p) {
            const bool above = p->value > limit;
            if (p != data->constBegin() && above != wasAbove && p->value != lastValue) {
                const double crossing
                    = lastKey + (limit - lastValue) * (p->key - lastKey) / (p->value - lastValue);
                keys << crossing;
                values << limit;
                if (!above) {
                    keys << crossing;
                    values << std::numeric_limits<double>::quiet_NaN();
                }
            }
            if (above) {
                keys << p->key;
                values << p->value;
            }
            wasAbove = above;
            lastKey = p->key;
            lastValue = p->value;
        }
    }
    line.breach->setData(keys, values, true);
    line.breach->setVisible(line.graph->visible());
}

void TimeSeriesPlot::setTimeRange(double from, double to)
{
    m_plot->xAxis->setRange(from, to);
    auto ticker = m_plot->xAxis->ticker().dynamicCast<QCPAxisTickerDateTime>();
    if (ticker)
        ticker->setDateTimeFormat(to - from > 2 * 3600 ? u"HH:mm"_s : u"HH:mm:ss"_s);
}

void TimeSeriesPlot::setThreshold(std::optional<double> value)
{
    m_threshold = value;
    m_thresholdLine->setVisible(value.has_value());
    if (value) {
        m_thresholdLine->point1->setCoords(0, *value);
        m_thresholdLine->point2->setCoords(1, *value);
    }
    for (auto &[id, line] : m_lines)
        updateBreach(line);
}

void TimeSeriesPlot::setTitleDetail(const QString &detail)
{
    m_title->setText(detail.isEmpty() ? m_titleText : m_titleText + u"   "_s + detail);
}

void TimeSeriesPlot::setSubtitle(const QString &text)
{
    auto *subtitle = new QCPTextElement(m_plot, text, QFont(font().family(), 8));
    subtitle->setTextColor(QColor(0x60, 0x60, 0x60));
    m_plot->plotLayout()->insertRow(1);
    m_plot->plotLayout()->addElement(1, 0, subtitle);
}

void TimeSeriesPlot::setEmptyText(const QString &text)
{
    m_empty->setText(text);
    m_empty->setVisible(m_lines.empty());
}

void TimeSeriesPlot::rescaleValues()
{
    const QCPRange shown = m_plot->xAxis->range();
    double top = m_threshold.value_or(0);
    for (const auto &[id, line] : m_lines) {
        if (!line.graph->visible())
            continue;
        bool found = false;
        const QCPRange values = line.graph->getValueRange(found, QCP::sdBoth, shown);
        if (found)
            top = std::max(top, values.upper);
    }
    m_plot->yAxis->setRange(0, top > 0 ? top * 1.15 : 1);
}

bool TimeSeriesPlot::drawsDense() const
{
    return m_dense->active();
}

void TimeSeriesPlot::replot()
{
    rescaleValues();
    // Time labels are ~60 px wide: fewer ticks on a narrow chart keep them apart.
    m_plot->xAxis->ticker()->setTickCount(std::max(1, m_plot->axisRect()->width() / 90));
    qsizetype shown = 0;
    for (const auto &[id, line] : m_lines)
        shown += line.graph->visible() ? line.graph->visiblePointCount() : 0;
    m_dense->setActive(shown > DensePointBudget);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

bool TimeSeriesPlot::breached() const
{
    if (!m_threshold)
        return false;
    const QCPRange shown = m_plot->xAxis->range();
    for (const auto &[id, line] : m_lines) {
        if (!line.graph->visible())
            continue;
        const auto data = line.graph->data();
        for (auto p = data->findBegin(shown.lower, false);
             p != data->constEnd() && p->key <= shown.upper; ++p) {
            if (p->value > *m_threshold)
                return true;
        }
    }
    return false;
}

const QCPGraph *TimeSeriesPlot::graph(const QString &id) const
{
    const auto it = m_lines.find(id);
    return it == m_lines.end() ? nullptr : it->second.graph;
}

bool TimeSeriesPlot::isSeriesVisible(const QString &id) const
{
    const auto it = m_lines.find(id);
    return it != m_lines.end() && it->second.graph->visible();
}

void TimeSeriesPlot::setSeriesVisible(const QString &id, bool visible)
{
    const auto it = m_lines.find(id);
    if (it == m_lines.end())
        return;
    it->second.graph->setVisible(visible);
    updateBreach(it->second);
    if (QCPPlottableLegendItem *entry = m_plot->legend->itemWithPlottable(it->second.graph))
        entry->setTextColor(visible ? Qt::black : QColor(0xa0, 0xa0, 0xa0));
    replot();
}

QString TimeSeriesPlot::readoutAt(double t) const
{
    const QCPRange shown = m_plot->xAxis->range();
    QStringList lines {QDateTime::fromMSecsSinceEpoch(qint64(t * 1000)).toString(u"HH:mm:ss"_s)};
    for (const auto &[id, line] : m_lines) {
        if (!line.graph->visible() || line.graph->data()->isEmpty())
            continue;
        const auto data = line.graph->data();
        auto next = data->findBegin(t, false);
        auto nearest = next;
        if (next == data->constEnd()
            || (next != data->constBegin() && t - (next - 1)->key < next->key - t))
            nearest = next - 1;
        // A point far outside the window is not "at" this time.
        if (std::abs(nearest->key - t) > std::max(2.0, (shown.upper - shown.lower) / 50))
            continue;
        lines << u"%1: %2 %3"_s.arg(line.label, valueText(nearest->value), m_unit);
    }
    return lines.join(u'\n');
}

void TimeSeriesPlot::showReadout(double pixelX)
{
    const QRect area = m_plot->axisRect()->rect();
    if (m_lines.empty() || pixelX < area.left() || pixelX > area.right()) {
        m_cursor->setVisible(false);
        m_readout->setVisible(false);
    } else {
        const double t = m_plot->xAxis->pixelToCoord(pixelX);
        m_cursor->point1->setCoords(t, 0);
        m_cursor->point2->setCoords(t, 1);
        m_cursor->setVisible(true);
        m_readout->setText(readoutAt(t));
        m_readout->setVisible(true);
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

QString TimeSeriesPlot::csv() const
{
    const QCPRange shown = m_plot->xAxis->range();
    QStringList header {u"time"_s};
    std::map<double, QHash<int, double>> rows;
    int column = 0;
    for (const auto &[id, line] : m_lines) {
        if (!line.graph->visible())
            continue;
        QString label = line.label;
        header << (label.contains(u',') || label.contains(u'"')
                       ? u'"' + label.replace(u'"', u"\"\""_s) + u'"'
                       : label);
        const auto data = line.graph->data();
        for (auto p = data->findBegin(shown.lower, false);
             p != data->constEnd() && p->key <= shown.upper; ++p)
            rows[p->key].insert(column, p->value);
        ++column;
    }
    QString out = header.join(u',') + u'\n';
    for (const auto &[t, cells] : rows) {
        QStringList row {isoUtc(t)};
        for (int c = 0; c < column; ++c)
            row << (cells.contains(c) ? QString::number(cells.value(c), 'g', 12) : QString());
        out += row.join(u',') + u'\n';
    }
    return out;
}

bool TimeSeriesPlot::exportPng(const QString &path, int width, int height)
{
    m_cursor->setVisible(false);
    m_readout->setVisible(false);
    return m_plot->savePng(path, width, height);
}

bool TimeSeriesPlot::exportCsv(const QString &path) const
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    return file.write(csv().toUtf8()) >= 0 && file.flush();
}

void TimeSeriesPlot::contextMenu(const QPoint &at)
{
    QMenu menu(this);
    const QString stem = m_titleText.section(u' ', 0, 0).toLower();
    menu.addAction(u"Export PNG…"_s, this, [this, stem] {
        const QString path = QFileDialog::getSaveFileName(this, u"Export chart"_s, stem + u".png"_s,
                                                          u"PNG images (*.png)"_s);
        if (!path.isEmpty())
            exportPng(path);
    });
    menu.addAction(u"Export CSV…"_s, this, [this, stem] {
        const QString path = QFileDialog::getSaveFileName(this, u"Export data"_s, stem + u".csv"_s,
                                                          u"CSV files (*.csv)"_s);
        if (!path.isEmpty())
            exportCsv(path);
    });
    menu.addSeparator();
    menu.addAction(u"Set threshold…"_s, this, [this] {
        bool ok = false;
        const double value
            = QInputDialog::getDouble(this, u"Threshold"_s, u"Draw a line at (%1):"_s.arg(m_unit),
                                      m_threshold.value_or(0), 0, 1e12, 2, &ok);
        if (ok) {
            setThreshold(value);
            replot();
        }
    });
    if (m_threshold) {
        menu.addAction(u"Clear threshold"_s, this, [this] {
            setThreshold(std::nullopt);
            replot();
        });
    }
    menu.addAction(u"Show every series"_s, this, [this] {
        for (auto &[id, line] : m_lines)
            setSeriesVisible(id, true);
    });
    menu.exec(m_plot->mapToGlobal(at));
}

} // namespace veltrix
