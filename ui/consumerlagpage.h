#pragma once

#include "core/clusterprofile.h"

#include "core/lagsnapshot.h"
#include "lagtabsetup.h"

#include <QDateTime>
#include <QHash>
#include <QThreadPool>
#include <QWidget>

#include <memory>
#include <optional>

class QComboBox;
class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QTableView;

namespace veltrix {

class ConsumerGroupsModel;
class GroupDetailView;
class LagHistory;

// The "Consumer lag" tab: a Kafka cluster's consumer groups (verdict, state, members,
// topics, total and time lag, trend), filterable and sortable, the brokers' notes, the
// last poll's time or why it failed, and the selected group's detail below.
//
// Per snapshot the GUI thread does O(groups) work for the table and O(partitions of the
// selected group) for the detail; the history (which sums every partition) is appended
// on a worker thread and the chart and sparklines repaint when it is done.
class ConsumerLagPage : public QWidget
{
    Q_OBJECT
public:
    explicit ConsumerLagPage(QWidget *parent = nullptr);
    ~ConsumerLagPage() override;

    void setClusters(const QStringList &kafkaClusters);
    // The profiles behind the clusters: actions that change a group need them.
    void setProfiles(const QList<ClusterProfile> &profiles);
    void applySnapshot(const LagSnapshot &snapshot);
    void applyPollFailure(const QString &cluster, const QString &error);
    // Shows `cluster` and selects `group`; if the group has not arrived yet it is
    // selected when it does.
    void selectGroup(const QString &cluster, const QString &group);

    QString currentCluster() const { return m_current; }
    QString selectedGroup() const;

    const LagHistory &history() const { return *m_history; }
    ConsumerGroupsModel *groupsModel() const { return m_model; }
    QSortFilterProxyModel *groupsProxy() const { return m_proxy; }
    QTableView *groupsView() const { return m_view; }
    QLineEdit *filterEdit() const { return m_filter; }
    QComboBox *clusterBox() const { return m_picker.box(); }
    QLabel *notesBanner() const { return m_notes; }
    QLabel *pollStatus() const { return m_status; }
    GroupDetailView *detail() const { return m_detail; }

Q_SIGNALS:
    // The history holds this cluster's latest snapshot: charts and sparklines are current.
    void historyAppended(const QString &cluster);

private:
    struct ClusterState
    {
        std::optional<LagSnapshot> latest;
        QString error; // the last poll failed, and why
        QDateTime failedAt;
    };

    void addCluster(const QString &cluster);
    void showCluster(const QString &cluster);
    void showSelectedGroup();
    void selectPendingGroup(); // or the worst group, the first time there are rows
    void updateNotes();
    void updatePollStatus();
    void onHistoryAppended(const QString &cluster);

    // Shared with the appends in flight on m_historyPool.
    std::shared_ptr<LagHistory> m_history;
    // One thread, so appends keep the snapshots' order.
    QThreadPool m_historyPool;
    QHash<QString, ClusterState> m_clusters;
    QString m_current;
    QString m_pendingGroup;
    // Select the worst group when a cluster's first rows arrive, so the detail shows
    // what needs attention before anyone clicks.
    bool m_selectWorst = true;

    ConsumerGroupsModel *m_model;
    QSortFilterProxyModel *m_proxy;
    ClusterPicker m_picker;
    QLineEdit *m_filter;
    QLabel *m_status;
    QLabel *m_notes;
    QTableView *m_view;
    GroupDetailView *m_detail;
};

} // namespace veltrix
