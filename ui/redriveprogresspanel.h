#pragma once

#include "redrive/redrivereport.h"
#include "redrive/redriverequest.h"

#include <QWidget>

class QAbstractItemModel;
class QCheckBox;
class QGroupBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableView;

namespace veltrix {

class RedriveReportModel;
class RedriveSession;

// A redrive as it runs and as it ended: done/total, moved/failed/skipped, rate and ETA, the
// engine's state (reconnecting...), Pause/Resume, Cancel and a live rate limit; then the
// outcome, the report's summary, every message's fate, and "Save report…". Steers the
// session it is given; shows whatever progress and report it is handed.
class RedriveProgressPanel : public QWidget
{
    Q_OBJECT
public:
    explicit RedriveProgressPanel(QWidget *parent = nullptr);

    void setSession(RedriveSession *session);
    // What the run is expected to do (a preview's counts), shown while it runs.
    void setPlan(QAbstractItemModel *counts);
    // A new run: clears the last one. title: what runs, e.g. "source → destination".
    // planCaption: where the plan's counts come from, e.g. "the preview at 12:00:01".
    void begin(const QString &title, const RedriveRequest &request, const QString &planCaption);
    void showProgress(const RedriveProgress &progress);
    void showReport(const RedriveReport &report);

    bool hasReport() const { return m_hasReport; }
    const RedriveReport &report() const { return m_report; }
    // The report as JSON (RedriveReport::toJson(), every item); false and why otherwise.
    bool saveReport(const QString &path, QString *error) const;

    QProgressBar *progressBar() const { return m_bar; }
    QLabel *movedLabel() const { return m_moved; }
    QLabel *failedLabel() const { return m_failed; }
    QLabel *skippedLabel() const { return m_skipped; }
    QLabel *rateLabel() const { return m_rate; }
    QLabel *etaLabel() const { return m_eta; }
    QLabel *stateLabel() const { return m_state; }
    QPushButton *pauseButton() const { return m_pause; }
    QPushButton *cancelButton() const { return m_cancel; }
    QSpinBox *rateBox() const { return m_rateBox; }
    QLabel *outcomeLabel() const { return m_outcome; }
    QLabel *summaryLabel() const { return m_summary; }
    QLabel *detailsLabel() const { return m_details; }
    QTableView *itemsView() const { return m_items; }
    QCheckBox *onlyLeftBehindBox() const { return m_onlyLeftBehind; }
    RedriveReportModel *itemsModel() const { return m_model; }
    QPushButton *saveButton() const { return m_save; }
    QPushButton *againButton() const { return m_again; }

Q_SIGNALS:
    void setUpAnotherRequested();

private:
    QWidget *buildFigures();
    void saveWithDialog();

    RedriveSession *m_session = nullptr;
    RedriveReport m_report;
    bool m_hasReport = false;
    qint64 m_total = -1; // the last progress's, for a run that ends part-way

    QLabel *m_title;
    QProgressBar *m_bar;
    QLabel *m_moved = nullptr;
    QLabel *m_failed = nullptr;
    QLabel *m_skipped = nullptr;
    QLabel *m_rate = nullptr;
    QLabel *m_eta = nullptr;
    QLabel *m_state;
    QLabel *m_note;
    QPushButton *m_pause;
    QPushButton *m_cancel;
    QSpinBox *m_rateBox;
    QWidget *m_controls;
    QGroupBox *m_plan;
    QTableView *m_planView;
    QWidget *m_end;
    QLabel *m_outcome;
    QLabel *m_summary;
    QLabel *m_details;
    RedriveReportModel *m_model;
    QTableView *m_items;
    QCheckBox *m_onlyLeftBehind;
    QPushButton *m_save;
    QPushButton *m_again;
};

} // namespace veltrix
