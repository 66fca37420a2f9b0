#pragma once

#include "redrive/redrivereport.h"

#include <QAbstractTableModel>

namespace veltrix {

// A redrive report's items, one row per selected message in the order the run handled
// them: what became of it, where it went and, when it did not, why. A report arrives once,
// at the end of a run, so a reset is the right signal.
class RedriveReportModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Id, Outcome, Target, Reason, ColumnCount };
    enum Role {
        OutcomeRole = Qt::UserRole + 1, // RedriveItem::Outcome as int
        // What a column sorts by: the outcome column puts failed, then skipped, then moved
        // first; the others their text.
        SortRole,
    };

    explicit RedriveReportModel(QObject *parent = nullptr);

    void setReport(const RedriveReport &report);
    void clear();
    const RedriveItem *itemAt(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QList<RedriveItem> m_items;
};

// How many messages go where, from a preview (dry run) or a finished run: a row per target,
// then a row per reason messages stay in the DLQ or failed, then those not selected. What
// the redrive dialog shows after a preview and asks the operator to confirm.
class RedriveCountsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Outcome, Where, Count, ColumnCount };
    enum class Kind { Moved, Skipped, Failed, NotSelected };
    enum Role {
        KindRole = Qt::UserRole + 1, // Kind as int
        CountRole, // qint64
    };
    struct Row
    {
        Kind kind = Kind::Moved;
        QString where; // the target's describe(), or the reason
        qint64 count = 0;
    };

    explicit RedriveCountsModel(QObject *parent = nullptr);

    void setReport(const RedriveReport &report);
    void clear();
    const QList<Row> &rows() const { return m_rows; }
    // The count on the row for this kind and target / reason; 0 when there is none.
    qint64 countOf(Kind kind, const QString &where) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QList<Row> m_rows;
    bool m_dryRun = false;
};

} // namespace veltrix
