#pragma once

#include "core/clusterprofile.h"
#include "core/lagsnapshot.h"

#include <QWidget>

class QComboBox;
class QPushButton;
class QCPItemText;
class QCustomPlot;
class QLabel;
class QSortFilterProxyModel;
class QStackedWidget;
class QTreeView;

namespace veltrix {

class GroupPartitionsModel;
class LagHistory;
class OffsetResetDialog;

// The selected consumer group: its topics and partitions (committed, end, lag, time lag
// and which estimate it is, member, flags, verdict) beside a chart of each topic's lag
// over a chosen window (5 min to 6 h) drawn from the LagHistory.
class GroupDetailView : public QWidget
{
    Q_OBJECT
public:
    // `history` is not owned and must outlive the view.
    explicit GroupDetailView(const LagHistory *history, QWidget *parent = nullptr);
    ~GroupDetailView() override;

    // nullptr: no group selected, or it is gone. `now` is the poll the data is from: the
    // chart's right edge.
    void showGroup(const QString &cluster, const GroupLag *group, const QDateTime &now);
    void refreshChart(); // the history has new samples
    void setWindowSeconds(int seconds);
    int windowSeconds() const;
    static QList<int> windowChoices(); // seconds: 5 min, 15 min, 1 h, 6 h

    // The Kafka profiles, for "Reset offsets…" (greyed on read-only ones).
    void setProfiles(const QList<ClusterProfile> &profiles);
    // Opens the reset dialog for the shown group; nullptr when none is shown.
    OffsetResetDialog *openOffsetReset();
    QPushButton *resetButton() const { return m_resetButton; }

    QString group() const { return m_group; }
    GroupPartitionsModel *partitionsModel() const { return m_model; }
    QTreeView *partitionsView() const { return m_view; }
    QCustomPlot *chart() const { return m_plot; }
    QComboBox *windowBox() const { return m_windowBox; }

private:
    void updateHeader(const GroupLag &group);
    void expandTopics(const QModelIndex &parent, int first, int last);

    const LagHistory *m_history;
    QString m_cluster;
    QString m_group;
    double m_now = 0; // seconds since the epoch
    GroupPartitionsModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QStackedWidget *m_stack;
    QLabel *m_title;
    QLabel *m_reason;
    QTreeView *m_view;
    QComboBox *m_windowBox;
    QCustomPlot *m_plot;
    QCPItemText *m_emptyText; // says so when there is nothing to draw
    QPushButton *m_resetButton;
    QList<ClusterProfile> m_profiles;
    QStringList m_topics; // of the shown group
};

} // namespace veltrix
