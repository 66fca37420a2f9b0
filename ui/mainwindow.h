#pragma once

#include "core/clusterprofile.h"

#include <QMainWindow>

#include <memory>

class QModelIndex;
class QStackedWidget;
class QTabWidget;
class QTreeView;

namespace veltrix {

class ClusterTreeModel;
class ConnectionStatusBar;
class ConsumerLagPage;
class DashboardPage;
class DeadLetterPage;
class KafkaRetryPolicyEditor;
class RetrySettingsPage;
class MetricStore;
class OverviewPage;
class TopicsView;
class SessionManager;

// The console's window: cluster tree on the left, the views in the middle (Overview,
// Consumer lag, Topics, Dead letters tabs), one connection indicator per cluster at the bottom.
// Broker work happens in the SessionManager's worker threads; this class only shows what they
// publish.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    void openProfiles(const QList<ClusterProfile> &profiles, const QString &source);
    void showProblem(const QString &problem);

    SessionManager *sessions() const { return m_sessions; }
    ClusterTreeModel *treeModel() const { return m_treeModel; }
    QTreeView *treeView() const { return m_treeView; }
    ConnectionStatusBar *connectionIndicators() const { return m_indicators; }
    QTabWidget *tabs() const { return m_tabs; }
    ConsumerLagPage *lagPage() const { return m_lagPage; }
    TopicsView *topicsView() const { return m_topicsView; }
    DeadLetterPage *deadLetterPage() const { return m_dlqPage; }
    DashboardPage *dashboardPage() const { return m_dashboards; }
    RetrySettingsPage *retryPage() const { return m_retryPage; }
    class AuditLogPage *auditPage() const { return m_auditPage; }
    // The profiles dialog on the profiles as loaded; saving reopens the window on them.
    class ProfilesDialog *editProfiles();
    KafkaRetryPolicyEditor *kafkaRetryEditor() const { return m_kafkaRetry; }
    // Shows the Retry tab on this queue (rabbitmq:<cluster>/<vhost>/<queue>) or Kafka
    // group (kafka:<cluster>/<group>); false when the target is malformed or its cluster is
    // not among the profiles.
    bool openRetrySettings(const QString &target);
    // Shows the tab with this title (case-insensitive: "dashboards", "dead letters", ...);
    // false when there is none.
    bool showTab(const QString &title);
    // Shows the Dead letters tab and opens this DLQ (DlqSource::toString()) as soon as it
    // is listed; a RabbitMQ queue is browsed right away.
    void openDeadLetters(const QString &source);

private:
    void openTreeItem(const QModelIndex &index); // a group opens its lag, a topic its offsets

    SessionManager *m_sessions;
    ClusterTreeModel *m_treeModel;
    QTreeView *m_treeView;
    QTabWidget *m_tabs;
    OverviewPage *m_overview;
    ConsumerLagPage *m_lagPage;
    TopicsView *m_topicsView;
    DeadLetterPage *m_dlqPage;
    std::shared_ptr<MetricStore> m_metrics;
    DashboardPage *m_dashboards;
    QStackedWidget *m_retryStack;
    RetrySettingsPage *m_retryPage;
    class AuditLogPage *m_auditPage;
    QList<ClusterProfile> m_unresolvedProfiles; // as in the file: no secrets
    QString m_profilesPath;
    KafkaRetryPolicyEditor *m_kafkaRetry;
    QList<ClusterProfile> m_profiles;
    QString m_pendingDlq; // openDeadLetters() before the DLQ was listed
    // A tab was picked, by the operator or once by the first lag snapshot: from then on
    // the window never switches on its own.
    bool m_tabChosen = false;
    ConnectionStatusBar *m_indicators;
};

} // namespace veltrix
