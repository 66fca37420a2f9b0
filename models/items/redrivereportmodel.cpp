#include "redrivereportmodel.h"

#include "lagformat.h"

namespace veltrix {

using namespace Qt::StringLiterals;

namespace {

CellEmphasis outcomeEmphasis(RedriveItem::Outcome outcome)
{
    switch (outcome) {
    case RedriveItem::Outcome::Moved:
        return CellEmphasis::None;
    case RedriveItem::Outcome::Skipped:
        return CellEmphasis::Warning;
    case RedriveItem::Outcome::Failed:
        return CellEmphasis::Alarm;
    }
    return CellEmphasis::None;
}

} // namespace

RedriveReportModel::RedriveReportModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

void RedriveReportModel::setReport(const RedriveReport &report)
{
    beginResetModel();
    m_items = report.items;
    endResetModel();
}

void RedriveReportModel::clear()
{
    beginResetModel();
    m_items.clear();
    endResetModel();
}

const RedriveItem *RedriveReportModel::itemAt(int row) const
{
    return row >= 0 && row < m_items.size() ? &m_items[row] : nullptr;
}

int RedriveReportModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_items.size());
}

int RedriveReportModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RedriveReportModel::data(const QModelIndex &index, int role) const
{
    const RedriveItem *item = index.isValid() ? itemAt(index.row()) : nullptr;
    if (!item)
        return {};
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        switch (index.column()) {
        case Id:
            return item->id;
        case Outcome:
            return redriveOutcomeName(item->outcome);
        case Target:
            return item->target.isEmpty() && role == Qt::DisplayRole ? u"—"_s : item->target;
        case Reason:
            return item->reason;
        }
        break;
    case OutcomeRole:
        return int(item->outcome);
    case SortRole:
        if (index.column() == Outcome)
            return item->outcome == RedriveItem::Outcome::Failed ? 0
                : item->outcome == RedriveItem::Outcome::Skipped ? 1
                                                                 : 2;
        return data(index, Qt::DisplayRole);
    case LagEmphasisRole:
        if (index.column() == Outcome || index.column() == Reason)
            return int(outcomeEmphasis(item->outcome));
        break;
    }
    return {};
}

QVariant RedriveReportModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Id:
        return u"Message"_s;
    case Outcome:
        return u"Outcome"_s;
    case Target:
        return u"Sent to"_s;
    case Reason:
        return u"Why not"_s;
    }
    return {};
}

RedriveCountsModel::RedriveCountsModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

void RedriveCountsModel::setReport(const RedriveReport &report)
{
    beginResetModel();
    m_dryRun = report.dryRun;
    m_rows.clear();
    const auto add = [this](Kind kind, const QMap<QString, qint64> &counts) {
        for (auto it = counts.cbegin(); it != counts.cend(); ++it)
            m_rows.append({kind, it.key(), it.value()});
    };
    add(Kind::Moved, report.movedByTarget);
    add(Kind::Skipped, report.skippedByReason);
    add(Kind::Failed, report.failedByReason);
    if (report.notSelected > 0)
        m_rows.append({Kind::NotSelected, u"not chosen by the selection or the filter"_s,
                       report.notSelected});
    endResetModel();
}

void RedriveCountsModel::clear()
{
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

qint64 RedriveCountsModel::countOf(Kind kind, const QString &where) const
{
    for (const Row &row : m_rows)
        if (row.kind == kind && row.where == where)
            return row.count;
    return 0;
}

int RedriveCountsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int RedriveCountsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RedriveCountsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const Row &row = m_rows[index.row()];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Outcome:
            switch (row.kind) {
            case Kind::Moved:
                return m_dryRun ? u"would go to"_s : u"moved to"_s;
            case Kind::Skipped:
                return m_dryRun ? u"would stay: no destination"_s : u"stayed in the DLQ"_s;
            case Kind::Failed:
                return u"failed"_s;
            case Kind::NotSelected:
                return u"left alone"_s;
            }
            break;
        case Where:
            return row.where.isEmpty() ? u"—"_s : row.where;
        case Count:
            return formatCount(row.count);
        }
        break;
    case Qt::ToolTipRole:
        return index.column() == Where ? row.where : QVariant();
    case Qt::TextAlignmentRole:
        if (index.column() == Count)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case KindRole:
        return int(row.kind);
    case CountRole:
        return row.count;
    case LagEmphasisRole:
        if (row.kind == Kind::Failed)
            return int(CellEmphasis::Alarm);
        if (row.kind == Kind::Skipped)
            return int(CellEmphasis::Warning);
        if (row.kind == Kind::NotSelected)
            return int(CellEmphasis::Muted);
        break;
    }
    return {};
}

QVariant RedriveCountsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Outcome:
        return u"Messages"_s;
    case Where:
        return u"Where, or why not"_s;
    case Count:
        return u"Count"_s;
    }
    return {};
}

} // namespace veltrix
