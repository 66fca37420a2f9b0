#pragma once

#include "core/deadletterqueue.h"

#include <QAbstractTableModel>
#include <QMap>

#include <vector>

namespace veltrix {

// Every cluster's DLQs in one table, merged row by row as scans arrive so selection and
// scroll survive the 5 s refresh.
class DlqListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Name, Cluster, Type, Depth, Inflow, DetectedBy, ColumnCount };
    enum Role { SourceRole = Qt::UserRole + 1 }; // DlqSource::toString()

    explicit DlqListModel(QObject *parent = nullptr);

    void takeListing(const DlqListing &listing);
    // The scan errors by cluster, for the page's status line; empty when all went well.
    QMap<QString, QString> errors() const { return m_errors; }
    const DlqInfo *infoAt(int row) const;
    int rowOf(const QString &source) const; // -1 when absent

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    struct Row
    {
        QString key; // DlqSource::toString(): sorts by kind, cluster, vhost, name
        DlqInfo info;
    };
    std::vector<Row> m_rows;
    QMap<QString, QList<DlqInfo>> m_byCluster;
    QMap<QString, QString> m_errors;
};

} // namespace veltrix
