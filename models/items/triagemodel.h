#pragma once

#include "deadletter/triage.h"

#include <QAbstractItemModel>

#include <array>
#include <optional>

namespace veltrix {

// The triage panel: a parent row per dimension (reason, exception class, exception
// message, original destination) and a child row per group with its count and share.
// Rebuilt when a browse or scan completes, not on a timer, so a reset is fine.
class TriageModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Column { Group, Count, Share, ColumnCount };
    static constexpr std::array<TriageDimension, 4> Dimensions {
        TriageDimension::Reason, TriageDimension::ExceptionClass, TriageDimension::ExceptionMessage,
        TriageDimension::OriginalDestination};

    explicit TriageModel(QObject *parent = nullptr);

    void setCounts(const TriageCounter &counter);
    qint64 total() const { return m_total; }

    // For a child row: the dimension and the group's value, the filter a click applies.
    std::optional<std::pair<TriageDimension, QString>> groupAt(const QModelIndex &index) const;
    static QString dimensionTitle(TriageDimension dimension);
    // The groups' values of a dimension, "(other)" left out: what "(other)" is not.
    QStringList keptValues(TriageDimension dimension) const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    std::array<QList<TriageGroup>, Dimensions.size()> m_groups;
    qint64 m_total = 0;
};

} // namespace veltrix
