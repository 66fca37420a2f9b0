#pragma once

#include "core/lagsnapshot.h"
#include "lagtabsetup.h"

#include <QHash>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QTreeView;

namespace veltrix {

class KafkaTopicsModel;

// The "Topics" tab: a Kafka cluster's topics with their partitions (leader, replicas,
// ISR, start and end offsets, retained messages, message rate). Refreshes that arrive
// while the tab is hidden are kept and applied when it is shown, so a hidden tab costs
// nothing per poll.
class TopicsView : public QWidget
{
    Q_OBJECT
public:
    explicit TopicsView(QWidget *parent = nullptr);

    void setClusters(const QStringList &kafkaClusters);
    void applySnapshot(const LagSnapshot &snapshot);
    void selectTopic(const QString &cluster, const QString &topic);

    QString currentCluster() const { return m_current; }
    KafkaTopicsModel *model() const { return m_model; }
    QTreeView *view() const { return m_view; }
    QLineEdit *filterEdit() const { return m_filter; }

protected:
    void showEvent(QShowEvent *event) override;

private:
    void addCluster(const QString &cluster);
    void showCluster(const QString &cluster);
    void applyPending();
    void updateSummary();

    QHash<QString, LagSnapshot> m_latest;
    QString m_current;
    QString m_pendingTopic;
    bool m_stale = false; // m_latest[m_current] is newer than the model

    KafkaTopicsModel *m_model;
    QSortFilterProxyModel *m_proxy;
    ClusterPicker m_picker;
    QLineEdit *m_filter;
    QLabel *m_summary;
    QTreeView *m_view;
};

} // namespace veltrix
