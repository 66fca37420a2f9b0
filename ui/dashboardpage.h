#pragma once

#include "metrics/metricstore.h"

#include <QWidget>

#include <functional>
#include <map>
#include <memory>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QTimer;

namespace veltrix {

class TimeSeriesPlot;

// The Dashboards tab: every MetricPanel as a live chart over one shared time window,
// with pause and a way back to live. A timer copies the visible windows out of the
// store a few times a second, and only when the store changed or the window moved; the
// GUI thread never does per-sample work.
class DashboardPage : public QWidget
{
    Q_OBJECT
public:
    static constexpr int RefreshMs = 500;
    static constexpr double DefaultLatencyThresholdMs = 50;
    static constexpr double AvailabilityGoal = 99.9; // percent

    explicit DashboardPage(std::shared_ptr<MetricStore> store, QWidget *parent = nullptr);

    // The time window in seconds (1 m, 5 m, 15 m, 1 h, 6 h).
    void setWindowSeconds(double seconds);
    double windowSeconds() const { return m_windowSeconds; }
    void setPaused(bool paused);
    bool paused() const { return m_paused; }
    // Reads the store now (the timer calls it); `force` even when nothing changed.
    void refresh(bool force = false);
    // For tests and benches: what "now" is (default the wall clock).
    void setClock(std::function<double()> now) { m_now = std::move(now); }

    // A cluster's probes or rates failing (empty: working again), shown above the charts.
    void setFeedProblem(const QString &cluster, const QString &problem);

    TimeSeriesPlot *panel(MetricPanel panel) const { return m_panels.at(panel); }
    QList<TimeSeriesPlot *> panels() const;
    QComboBox *windowBox() const { return m_windowBox; }

private:
    TimeSeriesPlot *addPanel(MetricPanel panel, const QString &title, const QString &unit,
                             const QString &emptyText);
    void refreshPanel(MetricPanel panel, double from, double to);
    void showAvailability();
    void showStatus();

    std::shared_ptr<MetricStore> m_store;
    std::map<MetricPanel, TimeSeriesPlot *> m_panels;
    QComboBox *m_windowBox;
    QPushButton *m_pauseButton;
    QPushButton *m_liveButton;
    QDoubleSpinBox *m_latencyThreshold;
    QLabel *m_status;
    QLabel *m_availability;
    QTimer *m_timer;
    std::function<double()> m_now;
    double m_windowSeconds = 300;
    bool m_paused = false;
    bool m_syncing = false; // moving the other panels along with the one the user moved
    quint64 m_seenGeneration = 0;
    double m_shownTo = 0; // the right edge last drawn
    std::map<QString, QString> m_problems; // by cluster
};

} // namespace veltrix
