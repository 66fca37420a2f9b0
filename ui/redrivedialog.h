#pragma once

#include "core/clusterprofile.h"
#include "core/deadletterqueue.h"
#include "deadletter/messagefilter.h"
#include "redrive/redrivereport.h"
#include "redrive/redriverequest.h"

#include <QDialog>
#include <QStringList>

#include <functional>
#include <optional>

class QButtonGroup;
class QCheckBox;
class QComboBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QRadioButton;
class QSpinBox;
class QStackedWidget;
class QTableView;

namespace veltrix {

class RedriveCountsModel;
class RedriveProgressPanel;
class RedriveSession;

// What the DLQ view knows when the operator asks to redrive: the rows they selected, the
// filter (or triage group) the table shows, and how deep the DLQ is.
struct RedriveScope
{
    QStringList selectedIds; // BrowsedMessage ids of the selected, loaded rows
    MessageFilter filter; // empty: the table is not filtered
    qint64 depth = -1; // messages in the DLQ; -1: unknown
};

// Redrive, the way an operator mid-incident expects it: pick the messages (the selection,
// the filter, the whole DLQ) and where they go (back where each came from, or a chosen
// topic / queue / exchange), set the pace, Preview (a dry run: how many go where, how many
// have nowhere to go and why; nothing is sent), then Redrive, which asks for confirmation
// with those counts and shows the run on its progress page. Non-modal: the console stays
// usable while it runs. Every broker call happens in the RedriveSession's thread.
class RedriveDialog : public QDialog
{
    Q_OBJECT
public:
    enum class Selection { Selected, Filter, All };
    // Answers the confirmation question; true: go. The default shows a QMessageBox.
    using Confirmer = std::function<bool(const QString &question)>;

    RedriveDialog(const ClusterProfile &profile, const DlqSource &source, const RedriveScope &scope,
                  QWidget *parent = nullptr);
    ~RedriveDialog() override;

    void setConfirmer(Confirmer confirmer) { m_confirmer = std::move(confirmer); }
    void setSelection(Selection selection);
    // "Repair and redrive": only this message, sent as repaired.
    void setRepair(const QString &id, const MessageRepair &repair);

    // The run the setup page describes now (not a dry run); nullopt and why when it is
    // not complete (e.g. a chosen destination without a name).
    std::optional<RedriveRequest> request(QString *problem = nullptr) const;
    void preview();
    // Confirms with a preview's counts (running one first when there is none for these
    // settings), then runs.
    void redrive();
    // The question the confirmation asks, from the last preview.
    QString confirmationText() const;

    RedriveSession *session() const { return m_session; }
    RedriveProgressPanel *progressPanel() const { return m_panel; }
    RedriveCountsModel *countsModel() const { return m_counts; }
    bool isShowingProgress() const;
    const std::optional<RedriveReport> &lastPreview() const { return m_preview; }

    QPushButton *previewButton() const { return m_previewButton; }
    QPushButton *redriveButton() const { return m_redriveButton; }
    QLabel *readOnlyLabel() const { return m_readOnly; }
    QLabel *previewLabel() const { return m_previewStatus; }
    QTableView *countsView() const { return m_countsView; }
    QRadioButton *originalButton() const { return m_original; }
    QRadioButton *chosenButton() const { return m_chosen; }
    QComboBox *destinationKindBox() const { return m_destinationKind; } // RabbitMQ
    QLineEdit *destinationNameEdit() const { return m_destinationName; }
    QLineEdit *routingKeyEdit() const { return m_routingKey; } // RabbitMQ
    QSpinBox *rateBox() const { return m_rate; }
    QSpinBox *windowBox() const { return m_window; }
    QSpinBox *limitBox() const { return m_limit; }
    QComboBox *deathHistoryBox() const { return m_deathHistory; } // RabbitMQ
    QCheckBox *fromStartBox() const { return m_fromStart; } // Kafka

Q_SIGNALS:
    void previewShown(const veltrix::RedriveReport &report);
    void redriveFinished(const veltrix::RedriveReport &report);

public Q_SLOTS:
    void reject() override;

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    QWidget *buildSetupPage();
    QGroupBox *buildSelection();
    QGroupBox *buildDestination();
    QGroupBox *buildPace();
    void settingsChanged();
    bool previewIsCurrent() const;
    void startPreview();
    void takeReport(const RedriveReport &report);
    void showPreview(const RedriveReport &report);
    void confirmAndRun();
    QString describeDestination(const RedriveRequest &request) const;
    void updateButtons();
    bool ask(const QString &question);
    void stopToClose();

    ClusterProfile m_profile;
    DlqSource m_source;
    RedriveScope m_scope;
    std::optional<QString> m_repairId;
    MessageRepair m_repair;
    Confirmer m_confirmer;
    RedriveSession *m_session;
    RedriveCountsModel *m_counts;
    std::optional<RedriveReport> m_preview;
    std::optional<RedriveRequest> m_previewRequest; // what m_preview counted
    bool m_redriveAfterPreview = false;
    bool m_closeWhenDone = false;

    QStackedWidget *m_pages;
    RedriveProgressPanel *m_panel;
    QWidget *m_setup = nullptr;
    QLabel *m_heading = nullptr;
    QButtonGroup *m_selection = nullptr;
    QRadioButton *m_selectedButton = nullptr;
    QRadioButton *m_filterButton = nullptr;
    QRadioButton *m_allButton = nullptr;
    QLabel *m_repairNote = nullptr;
    QSpinBox *m_limit = nullptr;
    QRadioButton *m_original = nullptr;
    QRadioButton *m_chosen = nullptr;
    QComboBox *m_destinationKind = nullptr;
    QLineEdit *m_destinationName = nullptr;
    QLineEdit *m_routingKey = nullptr;
    QSpinBox *m_rate = nullptr;
    QSpinBox *m_window = nullptr;
    QComboBox *m_deathHistory = nullptr;
    QCheckBox *m_fromStart = nullptr;
    QLabel *m_previewStatus = nullptr;
    QTableView *m_countsView = nullptr;
    QLabel *m_readOnly = nullptr;
    QLabel *m_problem = nullptr;
    QPushButton *m_previewButton = nullptr;
    QPushButton *m_redriveButton = nullptr;
};

} // namespace veltrix
