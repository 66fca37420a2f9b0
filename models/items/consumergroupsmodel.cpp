#include "consumergroupsmodel.h"

#include "laghistory.h"
#include "rowmerge.h"

#include <QLocale>

#include <algorithm>
#include <cmath>

namespace veltrix {

ConsumerGroupsModel::ConsumerGroupsModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

void ConsumerGroupsModel::setHistory(const LagHistory *history)
{
    m_history = history;
    trendsChanged();
}

ConsumerGroupsModel::Row ConsumerGroupsModel::rowFrom(const GroupLag &group)
{
    return {group.group,
            group.state,
            group.memberCount,
            group.topics,
            group.totalLag,
            group.maxTimeLagSeconds,
            group.maxTimeLagSource,
            group.verdict,
            group.verdictReason,
            group.error};
}

void ConsumerGroupsModel::applySnapshot(const LagSnapshot &snapshot)
{
    std::vector<Row> incoming;
    incoming.reserve(static_cast<size_t>(snapshot.groups.size()));
    for (const GroupLag &group : snapshot.groups)
        incoming.push_back(rowFrom(group));
    // The contract says sorted by name; do not trust it blindly.
    sortUniqueBy(incoming, &Row::group);
    std::vector<QString> keys;
    keys.reserve(incoming.size());
    for (const Row &row : incoming)
        keys.push_back(row.group);
    m_membershipNote = snapshot.membershipNote;

    if (snapshot.cluster != m_cluster) {
        // Another cluster is another table: nothing of the old selection applies.
        beginResetModel();
        m_cluster = snapshot.cluster;
        m_rows = std::move(incoming);
        rebuildRowIndex();
        endResetModel();
        return;
    }

    bool structureChanged = false;
    mergeSortedRows(
        static_cast<int>(m_rows.size()),
        [this](int row) -> const QString & { return m_rows[static_cast<size_t>(row)].group; }, keys,
        [this, &structureChanged](int first, int last) {
            beginRemoveRows({}, first, last);
            m_rows.erase(m_rows.begin() + first, m_rows.begin() + last + 1);
            endRemoveRows();
            structureChanged = true;
        },
        [this, &incoming, &structureChanged](int row, size_t first, size_t last) {
            beginInsertRows({}, row, row + static_cast<int>(last - first) - 1);
            m_rows.insert(m_rows.begin() + row,
                          std::make_move_iterator(incoming.begin() + static_cast<qsizetype>(first)),
                          std::make_move_iterator(incoming.begin() + static_cast<qsizetype>(last)));
            endInsertRows();
            structureChanged = true;
        },
        [this, &incoming](int row, size_t key) {
            Row &current = m_rows[static_cast<size_t>(row)];
            if (current == incoming[key])
                return false;
            current = std::move(incoming[key]);
            return true;
        },
        [this](int first, int last) {
            // Trend is repainted by trendsChanged(), when the history has the new sample.
            Q_EMIT dataChanged(index(first, 0), index(last, MaxTimeLagColumn));
        });
    if (structureChanged)
        rebuildRowIndex();
}

void ConsumerGroupsModel::clear()
{
    beginResetModel();
    m_cluster.clear();
    m_membershipNote.clear();
    m_rows.clear();
    m_rowOf.clear();
    endResetModel();
}

void ConsumerGroupsModel::trendsChanged()
{
    if (m_rows.empty())
        return;
    Q_EMIT dataChanged(index(0, TrendColumn), index(rowCount() - 1, TrendColumn),
                       {LagTrendRole, LagSortRole, Qt::ToolTipRole});
}

void ConsumerGroupsModel::rebuildRowIndex()
{
    m_rowOf.clear();
    m_rowOf.reserve(static_cast<qsizetype>(m_rows.size()));
    for (size_t row = 0; row < m_rows.size(); ++row)
        m_rowOf.insert(m_rows[row].group, static_cast<int>(row));
}

int ConsumerGroupsModel::rowOf(const QString &group) const
{
    return m_rowOf.value(group, -1);
}

QString ConsumerGroupsModel::groupAt(int row) const
{
    return row >= 0 && row < rowCount() ? m_rows[static_cast<size_t>(row)].group : QString();
}

int ConsumerGroupsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int ConsumerGroupsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ConsumerGroupsModel::display(const Row &row, int column) const
{
    switch (column) {
    case VerdictColumn:
        return lagVerdictName(row.verdict);
    case GroupColumn:
        return row.group;
    case StateColumn:
        return row.state.isEmpty() ? QStringLiteral("?") : row.state;
    case MembersColumn:
        return row.memberCount < 0 ? QStringLiteral("?") : QString::number(row.memberCount);
    case TopicsColumn:
        return row.topics.isEmpty() ? QStringLiteral("—") : row.topics.join(QStringLiteral(", "));
    case TotalLagColumn:
        if (!row.error.isEmpty())
            return QStringLiteral("error");
        // A group that committed nothing has no lag to add up: never show it as 0.
        return row.verdict == LagVerdict::NoOffset ? QStringLiteral("no offset")
                                                   : formatCount(row.totalLag);
    case MaxTimeLagColumn:
        return formatTimeLag(row.maxTimeLagSeconds, row.maxTimeLagSource);
    default:
        return {};
    }
}

QVariant ConsumerGroupsModel::toolTip(const Row &row, int column) const
{
    const QString error = row.error.isEmpty()
        ? QString()
        : QStringLiteral("\nCannot read its offsets: ") + row.error;
    switch (column) {
    case VerdictColumn:
    case GroupColumn: {
        QString text = lagVerdictName(row.verdict);
        if (!row.verdictReason.isEmpty())
            text += QStringLiteral(": ") + row.verdictReason;
        return QString(text + error);
    }
    case StateColumn:
    case MembersColumn:
        if ((column == StateColumn ? row.state.isEmpty() : row.memberCount < 0))
            return m_membershipNote.isEmpty()
                ? QStringLiteral("The brokers did not say.")
                : QString(QStringLiteral("Unknown: ") + m_membershipNote);
        return column == StateColumn ? QVariant(row.state) : QVariant();
    case TopicsColumn:
        return row.topics.join(QLatin1Char('\n'));
    case TotalLagColumn:
        if (!row.error.isEmpty())
            return row.error;
        if (row.verdict == LagVerdict::NoOffset)
            return QStringLiteral("The group has committed no offset on its partitions.");
        return QStringLiteral("Sum of the positive partition lags, in messages.");
    case MaxTimeLagColumn:
        return QString(QStringLiteral("The largest time lag of its partitions: ")
                       + timeLagSourceDescription(row.maxTimeLagSource));
    case TrendColumn: {
        if (!m_history)
            return {};
        const QList<double> values = m_history->recentTotals(m_cluster, row.group, TrendSamples);
        if (values.isEmpty())
            return QStringLiteral("No history yet.");
        const auto [lo, hi] = std::minmax_element(values.cbegin(), values.cend());
        return QStringLiteral("Total lag over the last %1 samples: %2 to %3, now %4")
            .arg(values.size())
            .arg(formatCount(static_cast<qint64>(*lo)), formatCount(static_cast<qint64>(*hi)),
                 formatCount(static_cast<qint64>(values.last())));
    }
    default:
        return {};
    }
}

QVariant ConsumerGroupsModel::sortKey(const Row &row, int column) const
{
    switch (column) {
    case VerdictColumn:
        return static_cast<int>(row.verdict);
    case GroupColumn:
        return row.group;
    case StateColumn:
        return row.state;
    case MembersColumn:
        return row.memberCount;
    case TopicsColumn:
        return row.topics.join(QLatin1Char(','));
    case TotalLagColumn:
        // No number for a group without offsets or with an error: the proxy sorts
        // invalid values after every number.
        if (!row.error.isEmpty() || row.verdict == LagVerdict::NoOffset)
            return {};
        return row.totalLag;
    case MaxTimeLagColumn:
        return row.maxTimeLagSeconds ? QVariant(*row.maxTimeLagSeconds) : QVariant();
    case TrendColumn: {
        // Growth over the sparkline: sorting by Trend puts the fastest-growing lag first.
        if (!m_history)
            return {};
        const QList<double> values = m_history->recentTotals(m_cluster, row.group, TrendSamples);
        return values.size() < 2 ? QVariant() : QVariant(values.last() - values.first());
    }
    default:
        return {};
    }
}

QVariant ConsumerGroupsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows[static_cast<size_t>(index.row())];
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return display(row, column);
    case Qt::ToolTipRole:
        return toolTip(row, column);
    case Qt::TextAlignmentRole:
        if (column == MembersColumn || column == TotalLagColumn || column == MaxTimeLagColumn)
            return static_cast<int>(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case LagSortRole:
        return sortKey(row, column);
    case LagVerdictRole:
        return column == VerdictColumn ? QVariant(static_cast<int>(row.verdict)) : QVariant();
    case LagEmphasisRole: {
        CellEmphasis emphasis = CellEmphasis::None;
        if ((column == StateColumn && row.state.isEmpty())
            || (column == MembersColumn && row.memberCount < 0)
            || (column == MaxTimeLagColumn && !row.maxTimeLagSeconds)
            || (column == TotalLagColumn && row.verdict == LagVerdict::NoOffset))
            emphasis = CellEmphasis::Muted;
        if ((column == TotalLagColumn || column == GroupColumn) && !row.error.isEmpty())
            emphasis = CellEmphasis::Alarm;
        return static_cast<int>(emphasis);
    }
    case LagTrendRole:
        if (column != TrendColumn || !m_history)
            return {};
        return QVariant::fromValue(m_history->recentTotals(m_cluster, row.group, TrendSamples));
    case LagKeyRole:
        return row.group;
    default:
        return {};
    }
}

QVariant ConsumerGroupsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case VerdictColumn:
            return QStringLiteral("Verdict");
        case GroupColumn:
            return QStringLiteral("Group");
        case StateColumn:
            return QStringLiteral("State");
        case MembersColumn:
            return QStringLiteral("Members");
        case TopicsColumn:
            return QStringLiteral("Topics");
        case TotalLagColumn:
            return QStringLiteral("Total lag");
        case MaxTimeLagColumn:
            return QStringLiteral("Max time lag");
        case TrendColumn:
            return QStringLiteral("Trend");
        default:
            return {};
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case VerdictColumn:
            return QStringLiteral("The worst partition verdict of the group; hover a row for "
                                  "the reason.");
        case TotalLagColumn:
            return QStringLiteral("Messages waiting: the sum of the positive partition lags.");
        case MaxTimeLagColumn:
            return QStringLiteral("How far behind the slowest partition is, in time.");
        case TrendColumn:
            return QStringLiteral("Total lag over the last few minutes; sort by it to see the "
                                  "fastest-growing lag first.");
        default:
            return {};
        }
    }
    return {};
}

} // namespace veltrix
