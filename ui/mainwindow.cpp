#include "mainwindow.h"

#include "dashboardpage.h"
#include "metrics/metricstore.h"

#include "auditlogpage.h"
#include "clustertreedecorator.h"
#include "connectionstatusbar.h"
#include "consumerlagpage.h"
#include "core/secretresolver.h"
#include "deadletterpage.h"
#include "dlqmessagesview.h"
#include "items/clustertreemodel.h"
#include "kafkaretrypolicyeditor.h"
#include "overviewpage.h"
#include "profilesdialog.h"
#include "redrive/auditlog.h"
#include "retrysettingspage.h"
#include "session/sessionmanager.h"
#include "topicsview.h"

#include <QHeaderView>
#include <QInputDialog>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabBar>
#include <QTabWidget>

#include <QTreeView>
#include <algorithm>

namespace veltrix {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_sessions(new SessionManager(this))
    , m_treeModel(new ClusterTreeModel(this))
    , m_treeView(new QTreeView(this))
    , m_tabs(new QTabWidget(this))
    , m_overview(new OverviewPage(this))
    , m_lagPage(new ConsumerLagPage(this))
    , m_topicsView(new TopicsView(this))
    , m_dlqPage(new DeadLetterPage(this))
    , m_metrics(std::make_shared<MetricStore>())
    , m_dashboards(new DashboardPage(m_metrics, this))
    , m_retryStack(new QStackedWidget(this))
    , m_retryPage(new RetrySettingsPage(this))
    , m_auditPage(new AuditLogPage(AuditLog::defaultPath(), this))
    , m_kafkaRetry(new KafkaRetryPolicyEditor(this))
    , m_indicators(new ConnectionStatusBar(this))
{
    setWindowTitle(QStringLiteral("Veltrix Console"));
    QMenu *clusters = menuBar()->addMenu(QStringLiteral("&Clusters"));
    clusters->addAction(QStringLiteral("&Profiles…"), this, [this] { editProfiles(); });
    resize(1280, 800);

    auto *decorator = new ClusterTreeDecorator(this);
    decorator->setSourceModel(m_treeModel);
    m_treeView->setModel(decorator);
    m_treeView->setUniformRowHeights(true);
    m_treeView->setAlternatingRowColors(true);
    m_treeView->header()->setSectionResizeMode(ClusterTreeModel::NameColumn, QHeaderView::Stretch);
    m_treeView->header()->setSectionResizeMode(ClusterTreeModel::DetailColumn,
                                               QHeaderView::ResizeToContents);
    m_treeView->header()->setStretchLastSection(false);

    m_tabs->addTab(m_overview, QStringLiteral("Overview"));
    m_tabs->addTab(m_lagPage, QStringLiteral("Consumer lag"));
    m_tabs->addTab(m_topicsView, QStringLiteral("Topics"));
    m_tabs->addTab(m_dlqPage, QStringLiteral("Dead letters"));
    m_tabs->addTab(m_dashboards, QStringLiteral("Dashboards"));
    // One Retry tab: a RabbitMQ queue's settings or a Kafka group's policy.
    m_retryStack->addWidget(m_retryPage);
    m_retryStack->addWidget(m_kafkaRetry);
    m_tabs->addTab(m_retryStack, QStringLiteral("Retry"));
    m_tabs->addTab(m_auditPage, QStringLiteral("Audit"));
    m_sessions->setMetricStore(m_metrics);
    connect(m_sessions, &SessionManager::metricsProblemChanged, m_dashboards,
            &DashboardPage::setFeedProblem);
    m_tabs->setDocumentMode(true);

    auto *splitter = new QSplitter(this);
    splitter->addWidget(m_treeView);
    splitter->addWidget(m_tabs);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({340, 940});
    setCentralWidget(splitter);
    statusBar()->addWidget(m_indicators, 1);

    connect(m_sessions, &SessionManager::statusChanged, m_treeModel,
            &ClusterTreeModel::applyStatus);
    connect(m_sessions, &SessionManager::statusChanged, m_indicators,
            &ConnectionStatusBar::applyStatus);
    connect(m_sessions, &SessionManager::statusChanged, m_overview, &OverviewPage::applyStatus);
    connect(m_sessions, &SessionManager::lagSnapshotAvailable, m_lagPage,
            &ConsumerLagPage::applySnapshot);
    connect(m_sessions, &SessionManager::lagSnapshotAvailable, m_topicsView,
            &TopicsView::applySnapshot);
    connect(m_sessions, &SessionManager::lagPollFailed, m_lagPage,
            &ConsumerLagPage::applyPollFailure);
    connect(m_sessions, &SessionManager::lagSnapshotAvailable, this, [this] {
        // The overview is for before there is anything to show; lag is what the console
        // is opened for.
        if (!m_tabChosen && m_tabs->currentWidget() == m_overview)
            m_tabs->setCurrentWidget(m_lagPage);
        m_tabChosen = true;
    });
    connect(m_sessions, &SessionManager::dlqListingAvailable, this,
            [this](const DlqListing &listing) {
                m_dlqPage->takeListing(listing);
                if (!m_pendingDlq.isEmpty() && m_dlqPage->openSource(m_pendingDlq)) {
                    if (m_pendingDlq.startsWith(QLatin1String("rabbitmq:")))
                        m_dlqPage->messages()->browseRabbit();
                    m_pendingDlq.clear();
                }
            });
    connect(m_tabs->tabBar(), &QTabBar::tabBarClicked, this, [this] { m_tabChosen = true; });
    connect(m_treeView, &QTreeView::clicked, this, &MainWindow::openTreeItem);
    m_treeView->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_treeView, &QWidget::customContextMenuRequested, this, [this](const QPoint &at) {
        const QModelIndex index = m_treeView->indexAt(at);
        using Type = ClusterTreeModel::NodeType;
        const auto type = static_cast<Type>(index.data(ClusterTreeModel::NodeTypeRole).toInt());
        const QString cluster = index.data(ClusterTreeModel::ClusterNameRole).toString();
        const QString key = index.data(ClusterTreeModel::KeyRole).toString();
        DlqSource target;
        if (type == Type::Queue) // a queue row sits under its vhost's
            target = {ClusterKind::RabbitMq, cluster,
                      index.parent().data(ClusterTreeModel::KeyRole).toString(), key};
        else if (type == Type::Group)
            target = {ClusterKind::Kafka, cluster, {}, key};
        else
            return;
        QMenu menu;
        menu.addAction(type == Type::Queue ? QStringLiteral("Retry settings…")
                                           : QStringLiteral("Retry policy…"),
                       this, [this, target] { openRetrySettings(target.toString()); });
        menu.exec(m_treeView->viewport()->mapToGlobal(at));
    });
    connect(m_treeView, &QTreeView::activated, this, &MainWindow::openTreeItem);
    connect(m_sessions, &SessionManager::topologyAvailable, this,
            [this](const ClusterTopology &topology) {
                const bool first
                    = m_treeModel->rowCount(m_treeModel->clusterIndex(topology.clusterName)) == 0;
                m_treeModel->applyTopology(topology);
                // Open a cluster the first time it shows content; later refreshes keep what
                // the operator expanded or collapsed.
                if (first) {
                    auto *proxy = static_cast<QIdentityProxyModel *>(m_treeView->model());
                    const QModelIndex cluster
                        = proxy->mapFromSource(m_treeModel->clusterIndex(topology.clusterName));
                    m_treeView->expand(cluster);
                    for (int row = 0; row < proxy->rowCount(cluster); ++row)
                        m_treeView->expand(proxy->index(row, 0, cluster));
                }
            });
}

MainWindow::~MainWindow() = default;

void MainWindow::openProfiles(const QList<ClusterProfile> &unresolved, const QString &source)
{
    // Secrets are fetched once, here: a profile whose secret cannot be had still shows, and
    // its connections fail with the reason.
    const SecretResolver resolver([this](const QString &question) -> std::optional<QString> {
        bool ok = false;
        const QString answer = QInputDialog::getText(this, tr("Veltrix: secret needed"), question,
                                                     QLineEdit::Password, {}, &ok);
        return ok ? std::optional<QString>(answer) : std::nullopt;
    });
    const QList<ClusterProfile> profiles = resolver.resolveAll(unresolved);
    m_unresolvedProfiles = unresolved;
    m_profilesPath = source;
    m_treeModel->setProfiles(profiles);
    QStringList names;
    for (const ClusterProfile &profile : profiles)
        names << profile.name;
    m_indicators->setClusters(names);
    m_overview->setProfiles(profiles, source);
    m_retryPage->setProfiles(profiles);
    m_profiles = profiles;
    QStringList kafka;
    for (const ClusterProfile &profile : profiles)
        if (profile.kind == ClusterKind::Kafka)
            kafka << profile.name;
    m_lagPage->setClusters(kafka);
    m_lagPage->setProfiles(profiles);
    m_topicsView->setClusters(kafka);
    m_dlqPage->setProfiles(profiles);
    m_sessions->open(profiles);
}

ProfilesDialog *MainWindow::editProfiles()
{
    auto *dialog = new ProfilesDialog(m_unresolvedProfiles, m_profilesPath, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ProfilesDialog::saved, this,
            [this](const QList<ClusterProfile> &profiles, const QString &path) {
                openProfiles(profiles, path);
            });
    dialog->show();
    return dialog;
}

void MainWindow::openTreeItem(const QModelIndex &index)
{
    using Type = ClusterTreeModel::NodeType;
    const auto type = static_cast<Type>(index.data(ClusterTreeModel::NodeTypeRole).toInt());
    const QString cluster = index.data(ClusterTreeModel::ClusterNameRole).toString();
    const QString key = index.data(ClusterTreeModel::KeyRole).toString();
    if (type == Type::Group || type == Type::Topic)
        m_tabChosen = true;
    // A DLQ opens in the Dead letters tab, whatever kind of node it is.
    DlqSource dlq {ClusterKind::Kafka, cluster, {}, key};
    if (type == Type::Queue) // a queue row sits under its vhost's
        dlq = {ClusterKind::RabbitMq, cluster,
               index.parent().data(ClusterTreeModel::KeyRole).toString(), key};
    if ((type == Type::Topic || type == Type::Queue) && m_dlqPage->openSource(dlq.toString())) {
        m_tabChosen = true;
        m_tabs->setCurrentWidget(m_dlqPage);
        return;
    }
    if (type == Type::Group) {
        m_tabs->setCurrentWidget(m_lagPage);
        m_lagPage->selectGroup(cluster, key);
    } else if (type == Type::Topic) {
        m_tabs->setCurrentWidget(m_topicsView);
        m_topicsView->selectTopic(cluster, key);
    }
}

void MainWindow::openDeadLetters(const QString &source)
{
    m_tabChosen = true;
    m_tabs->setCurrentWidget(m_dlqPage);
    QString why;
    const auto parsed = DlqSource::parse(source, &why);
    if (!parsed) {
        showProblem(why);
        return;
    }
    m_pendingDlq = parsed->toString(); // the list's spelling: %2f and c//q are the same DLQ
}

bool MainWindow::showTab(const QString &title)
{
    for (int i = 0; i < m_tabs->count(); ++i) {
        if (m_tabs->tabText(i).compare(title, Qt::CaseInsensitive) == 0) {
            m_tabs->setCurrentIndex(i);
            m_tabChosen = true; // the first lag poll must not switch away from it
            return true;
        }
    }
    return false;
}

bool MainWindow::openRetrySettings(const QString &target)
{
    QString why;
    const auto queue = DlqSource::parse(target, &why);
    if (!queue)
        return false;
    if (queue->kind == ClusterKind::Kafka) {
        const auto profile
            = std::find_if(m_profiles.cbegin(), m_profiles.cend(), [&](const auto &p) {
                  return p.name == queue->cluster && p.kind == ClusterKind::Kafka;
              });
        if (profile == m_profiles.cend())
            return false;
        m_kafkaRetry->open(*profile, queue->name);
        m_retryStack->setCurrentWidget(m_kafkaRetry);
    } else {
        if (!m_retryPage->open(*queue))
            return false;
        m_retryStack->setCurrentWidget(m_retryPage);
    }
    m_tabs->setCurrentWidget(m_retryStack);
    m_tabChosen = true;
    return true;
}

void MainWindow::showProblem(const QString &problem)
{
    m_overview->setProblem(problem);
}

} // namespace veltrix
