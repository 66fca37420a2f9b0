#pragma once

#include "core/lagsnapshot.h"
#include "lagformat.h"

#include <QAbstractTableModel>
#include <QHash>

#include <vector>

namespace veltrix {

class LagHistory;

// The consumer groups of one Kafka cluster, one row per group, from its latest
// LagSnapshot. A refresh of the same cluster is merged row by row (keyed by group name)
// with the finest insert/remove/dataChanged signals, so selection and scroll survive it;
// only a switch to another cluster resets the model. A refresh costs O(groups): it never
// looks at partitions.
class ConsumerGroupsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        VerdictColumn,
        GroupColumn,
        StateColumn,
        MembersColumn,
        TopicsColumn,
        TotalLagColumn,
        MaxTimeLagColumn,
        TrendColumn, // LagTrendRole: the sparkline's values, from the LagHistory
        ColumnCount
    };
    // Samples in a sparkline: 4 min at the default 2 s poll interval.
    static constexpr int TrendSamples = 120;

    explicit ConsumerGroupsModel(QObject *parent = nullptr);

    // Where the Trend column reads from; not owned, must outlive the model.
    void setHistory(const LagHistory *history);
    void applySnapshot(const LagSnapshot &snapshot);
    void clear();
    // The history gained samples: repaint the Trend column (one signal for all rows).
    void trendsChanged();

    QString cluster() const { return m_cluster; }
    int rowOf(const QString &group) const; // -1 when absent
    QString groupAt(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    // What a row shows: a group without its partitions.
    struct Row
    {
        QString group;
        QString state;
        int memberCount = -1;
        QStringList topics;
        qint64 totalLag = 0;
        std::optional<double> maxTimeLagSeconds;
        TimeLagSource maxTimeLagSource = TimeLagSource::Unknown;
        LagVerdict verdict = LagVerdict::Pending;
        QString verdictReason;
        QString error;

        bool operator==(const Row &) const = default;
    };
    static Row rowFrom(const GroupLag &group);
    QVariant display(const Row &row, int column) const;
    QVariant toolTip(const Row &row, int column) const;
    QVariant sortKey(const Row &row, int column) const;
    void rebuildRowIndex();

    QString m_cluster;
    QString m_membershipNote;
    std::vector<Row> m_rows;
    QHash<QString, int> m_rowOf;
    const LagHistory *m_history = nullptr;
};

} // namespace veltrix
