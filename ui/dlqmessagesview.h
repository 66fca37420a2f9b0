#pragma once

#include "core/browsedmessage.h"
#include "core/clusterprofile.h"
#include "core/deadletterqueue.h"
#include "deadletter/triage.h"
#include "kafka/kafkatopicbrowser.h"
#include "rabbitmq/rabbitqueuebrowser.h"
#include "redrivedialog.h"

#include "repairdialog.h"
#include <functional>

#include <QPointer>
#include <QWidget>

class QAction;
class QCheckBox;
class QDateTimeEdit;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QStackedWidget;
class QTableView;
class QThread;
class QTreeView;

namespace veltrix {

class DeadLetterTableModel;
class DlqBrowseSession;
class MessageDetailView;
class MessageFilterBar;
class TriageModel;

// One DLQ's messages: the controls to page, jump, tail (Kafka) or browse (RabbitMQ), the
// filter row, the lazy message table with the triage panel beside it, and the selected
// message's detail below. The reads run in a DlqBrowseSession on this view's own worker
// thread; this class only asks and shows. "Redrive…" beside the export buttons and the
// table's context menu ("Redrive selected…", "Repair and redrive…") open the redrive dialogs.
class DlqMessagesView : public QWidget
{
    Q_OBJECT
public:
    explicit DlqMessagesView(QWidget *parent = nullptr);
    ~DlqMessagesView() override;

    void open(const ClusterProfile &profile, const DlqInfo &info);
    // A new scan of the DLQ list: the open DLQ's depth, and for a Kafka DLT that grew,
    // its new records as rows.
    void takeListing(const DlqInfo &info);
    QString currentSource() const { return m_source.toString(); }
    // A Kafka DLT whose offsets arrived, or a RabbitMQ queue (read when Browse is pressed).
    bool isLoaded() const { return m_opened || m_source.kind == ClusterKind::RabbitMq; }

    // RabbitMQ: reads the queue from `position`, up to the limit box, and puts it all back.
    void browseRabbit();
    // Kafka: re-reads the newest messages for the triage panel and filtering.
    void scanKafka();
    // Kafka: selects the first record at or after `time` (the first partition that has one).
    void jumpToTime(const QDateTime &time);
    // Kafka: shows records as they arrive instead of the whole topic.
    void setTailing(bool on);

    // Opens the redrive dialog for this DLQ, with the table's selection, filter and depth
    // to choose from; `selection` is picked when it is available.
    RedriveDialog *openRedrive(RedriveDialog::Selection selection);
    // "Repair and redrive" for the one selected message: the repair dialog, then the
    // redrive dialog for that message alone.
    void openRepair();
    RedriveDialog *redriveDialog() const { return m_redriveDialog; } // the last one opened
    // "Purge…": counts (a dry run), asks with the count, then empties the DLQ for good.
    void purge();
    // The default confirmation is a QMessageBox; tests answer it themselves.
    using Confirmer = std::function<bool(const QString &question)>;
    void setConfirmer(Confirmer confirmer) { m_confirmer = std::move(confirmer); }
    RepairDialog *repairDialog() const { return m_repairDialog; }

    DeadLetterTableModel *model() const { return m_model; }
    TriageModel *triageModel() const { return m_triage; }
    QTableView *table() const { return m_table; }
    QTreeView *triageView() const { return m_triageView; }
    MessageFilterBar *filterBar() const { return m_filterBar; }
    MessageDetailView *detail() const { return m_detail; }
    QLabel *noticeLabel() const { return m_notice; }
    QLabel *statusLabel() const { return m_status; }
    QPushButton *browseButton() const { return m_browse; }
    QPushButton *tailButton() const { return m_tail; }
    QCheckBox *insistBox() const { return m_insist; }
    QSpinBox *limitBox() const { return m_limit; }
    QPushButton *redriveButton() const { return m_redrive; }
    QPushButton *purgeButton() const { return m_purge; }
    QAction *redriveSelectedAction() const { return m_redriveSelected; }
    QAction *repairAction() const { return m_repair; }

Q_SIGNALS:
    // A browse, scan or page answer arrived and the view shows it (tests, screenshots).
    void contentsShown();
    void tailStarted(); // tailing from the partitions' ends as they were then

    // To the worker (queued).
    void openRequested(const veltrix::ClusterProfile &profile, const veltrix::DlqSource &source);
    void pageRequested(int partition, qint64 firstOffset, int count);
    void scanRequested(int limit);
    void timeRequested(const QDateTime &time);
    void tailRequested(bool on);
    void purgeFinished(bool purged); // after the answer (or the refusal) is shown
    void refreshRequested();
    void browseRequested(const veltrix::RabbitBrowseOptions &options);
    void wholeMessageRequested(const veltrix::BrowsedMessage &message);

private:
    QWidget *buildKafkaControls();
    QWidget *buildRabbitControls();
    void connectWorker();
    void showSelected();
    void applyFilter();
    void jumpToOffset();
    void selectRow(int row);
    void takeScan(const BrowsedMessageList &messages, const QString &scope);
    void showFailure(const QString &what, const QString &error);
    void exportSelection();
    BrowsedMessageList selectedMessages(int *unloaded) const;
    void updateStatus();
    qint64 totalMessages() const;
    QString titleText() const;
    void updateRedriveActions();
    void takeRedriveReport(const RedriveReport &report);

    QThread *m_thread;
    DlqBrowseSession *m_worker;
    ClusterProfile m_profile;
    DlqSource m_source;
    DlqInfo m_info;
    QList<KafkaPartitionExtent> m_extents;
    BrowsedMessageList m_scan; // what triage and filters work on
    QString m_scanScope; // "the newest 10,000 of 1,000,000 messages"
    TriageCounter m_counter;
    bool m_tailing = false;
    bool m_opened = false; // the first extents arrived

    DeadLetterTableModel *m_model;
    TriageModel *m_triage;
    QLabel *m_title;
    QLabel *m_notice;
    QStackedWidget *m_controls;
    // Kafka
    QSpinBox *m_partition = nullptr;
    QLineEdit *m_offset = nullptr;
    QDateTimeEdit *m_time = nullptr;
    QPushButton *m_tail = nullptr;
    QSpinBox *m_scanLimit = nullptr;
    // RabbitMQ
    QSpinBox *m_position = nullptr;
    QSpinBox *m_limit = nullptr;
    QCheckBox *m_insist = nullptr;
    QPushButton *m_browse = nullptr;

    QPushButton *m_redrive;
    QPushButton *m_purge;
    Confirmer m_confirmer;
    QAction *m_redriveSelected;
    QAction *m_repair;
    QPointer<RedriveDialog> m_redriveDialog;
    QPointer<RepairDialog> m_repairDialog;

    MessageFilterBar *m_filterBar;
    QTableView *m_table;
    QTreeView *m_triageView;
    MessageDetailView *m_detail;
    QProgressBar *m_progress;
    QLabel *m_status;
};

} // namespace veltrix
