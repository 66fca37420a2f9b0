#pragma once

#include "metrics/timeseries.h"

#include <QHash>
#include <QSet>
#include <QWidget>

#include <map>
#include <memory>
#include <optional>

class QCustomPlot;
class QCPGraph;
class QCPItemStraightLine;
class QCPItemText;
class QCPTextElement;

namespace veltrix {

class DenseGraph;
class DenseLineCanvas;

// One live time-series chart on QCustomPlot, with what operators expect of one: a time
// axis, mouse zoom and pan on x (which tells the page to stop following live), a hover
// readout of every visible series' exact value, legend entries that hide and show their
// line, a threshold line with the parts of each series above it drawn in red, and PNG
// and CSV export of what is shown. It draws what it is given; the page decides the data
// and the window.
class TimeSeriesPlot : public QWidget
{
    Q_OBJECT
public:
    TimeSeriesPlot(const QString &title, const QString &unit, QWidget *parent = nullptr);

    // Creates the series' line on first use; points must be sorted by time.
    void setSeries(const QString &id, const QString &label, const SeriesPoints &points);
    // Drops the lines of series that are gone.
    void keepOnly(const QSet<QString> &ids);
    void setTimeRange(double from, double to); // seconds since the epoch
    void setThreshold(std::optional<double> value);
    std::optional<double> threshold() const { return m_threshold; }
    void setTitleDetail(const QString &detail); // after the title, e.g. availability
    void setSubtitle(const QString &text); // a small grey line under the title
    void setEmptyText(const QString &text); // shown while there is no series
    void replot(); // queued: many calls, one repaint

    // What the readout says at time t: the time, then "label: value unit" per visible
    // series at its nearest point (within the window's resolution).
    QString readoutAt(double t) const;
    // Visible series over the visible time range: "time,<label>,..." then one row per
    // distinct time (ISO 8601 UTC); a series without a point at that time leaves its
    // cell empty.
    QString csv() const;
    bool exportPng(const QString &path, int width = 0, int height = 0);
    bool exportCsv(const QString &path) const;
    // True when a visible series has a point above the threshold in the visible range.
    bool breached() const;
    bool isSeriesVisible(const QString &id) const;
    const QCPGraph *graph(const QString &id) const; // the series' line; null when none
    void setSeriesVisible(const QString &id, bool visible);
    int seriesCount() const { return int(m_lines.size()); }
    // More points in view than this and the lines are drawn 1 px without antialiasing
    // by DenseLineCanvas: a frame stays within budget whatever the window holds.
    static constexpr qsizetype DensePointBudget = 20000;
    bool drawsDense() const; // as of the last replot()
    QString title() const;

    QCustomPlot *plot() const { return m_plot; }

Q_SIGNALS:
    void userMovedTimeRange(); // zoom or pan with the mouse
    void exportRequested(); // the context menu's "Export…" (the page picks the files)

private:
    struct Line
    {
        QString label;
        DenseGraph *graph = nullptr;
        DenseGraph *breach = nullptr; // the same points, only those above the threshold
    };
    void showReadout(double pixelX);
    void updateBreach(Line &line);
    void rescaleValues();
    QColor colorFor(const QString &label) const;
    void contextMenu(const QPoint &at);

    DenseGraph *addLine(const QPen &pen);

    QCustomPlot *m_plot;
    std::shared_ptr<DenseLineCanvas> m_dense;
    QCPTextElement *m_title;
    QString m_titleText;
    QString m_unit;
    QCPItemText *m_empty;
    QCPItemStraightLine *m_thresholdLine;
    QCPItemStraightLine *m_cursor;
    QCPItemText *m_readout;
    std::optional<double> m_threshold;
    std::map<QString, Line> m_lines; // by series id
};

} // namespace veltrix
