#include "mainwindow.h"

#include "clustertreedecorator.h"
#include "connectionstatusbar.h"
#include "items/clustertreemodel.h"
#include "overviewpage.h"
#include "session/sessionmanager.h"

#include <QHeaderView>
#include <QSplitter>
#include <QStatusBar>
#include <QTreeView>

namespace veltrix {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_sessions(new SessionManager(this))
    , m_treeModel(new ClusterTreeModel(this))
    , m_treeView(new QTreeView(this))
    , m_overview(new OverviewPage(this))
    , m_indicators(new ConnectionStatusBar(this))
{
    setWindowTitle(QStringLiteral("Veltrix Console"));
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

    auto *splitter = new QSplitter(this);
    splitter->addWidget(m_treeView);
    splitter->addWidget(m_overview);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({420, 860});
    setCentralWidget(splitter);
    statusBar()->addWidget(m_indicators, 1);

    connect(m_sessions, &SessionManager::statusChanged, m_treeModel,
            &ClusterTreeModel::applyStatus);
    connect(m_sessions, &SessionManager::statusChanged, m_indicators,
            &ConnectionStatusBar::applyStatus);
    connect(m_sessions, &SessionManager::statusChanged, m_overview, &OverviewPage::applyStatus);
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

void MainWindow::openProfiles(const QList<ClusterProfile> &profiles, const QString &source)
{
    m_treeModel->setProfiles(profiles);
    QStringList names;
    for (const ClusterProfile &profile : profiles)
        names << profile.name;
    m_indicators->setClusters(names);
    m_overview->setProfiles(profiles, source);
    m_sessions->open(profiles);
}

void MainWindow::showProblem(const QString &problem)
{
    m_overview->setProblem(problem);
}

} // namespace veltrix
