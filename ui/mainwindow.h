#pragma once

#include "core/clusterprofile.h"

#include <QMainWindow>

class QTreeView;

namespace veltrix {

class ClusterTreeModel;
class ConnectionStatusBar;
class OverviewPage;
class SessionManager;

// The console's window: cluster tree on the left, the views in the middle, one
// connection indicator per cluster at the bottom. Broker work happens in the
// SessionManager's worker threads; this class only shows what they publish.
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

private:
    SessionManager *m_sessions;
    ClusterTreeModel *m_treeModel;
    QTreeView *m_treeView;
    OverviewPage *m_overview;
    ConnectionStatusBar *m_indicators;
};

} // namespace veltrix
