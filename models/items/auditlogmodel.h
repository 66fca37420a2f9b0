#pragma once

#include "redrive/auditreader.h"

#include <QAbstractTableModel>

namespace veltrix {

// The audit log as a table, newest first: time, user, profile, action, outcome, subject,
// and the line's other facts.
class AuditLogModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Time, User, Profile, Action, Outcome, Subject, Details, ColumnCount };

    using QAbstractTableModel::QAbstractTableModel;
    void setEntries(const QList<AuditEntry> &oldestFirst);
    const AuditEntry &entry(int row) const { return m_entries.at(row); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QList<AuditEntry> m_entries; // newest first
};

} // namespace veltrix
