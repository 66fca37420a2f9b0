#include "triagemodel.h"

#include <algorithm>

namespace veltrix {

using namespace Qt::StringLiterals;

namespace {
constexpr quintptr ParentId = 0; // a child's internal id is its dimension's row + 1
}

TriageModel::TriageModel(QObject *parent)
    : QAbstractItemModel(parent)
{ }

void TriageModel::setCounts(const TriageCounter &counter)
{
    beginResetModel();
    for (size_t i = 0; i < Dimensions.size(); ++i)
        m_groups[i] = counter.groups(Dimensions[i]);
    m_total = counter.total();
    endResetModel();
}

QString TriageModel::dimensionTitle(TriageDimension dimension)
{
    switch (dimension) {
    case TriageDimension::Reason:
        return u"Reason"_s;
    case TriageDimension::ExceptionClass:
        return u"Exception class"_s;
    case TriageDimension::ExceptionMessage:
        return u"Exception message"_s;
    case TriageDimension::OriginalDestination:
        return u"Original destination"_s;
    }
    return {};
}

std::optional<std::pair<TriageDimension, QString>>
TriageModel::groupAt(const QModelIndex &index) const
{
    if (!index.isValid() || index.internalId() == ParentId)
        return std::nullopt;
    const size_t dimension = index.internalId() - 1;
    return std::pair {Dimensions[dimension], m_groups[dimension].at(index.row()).value};
}

QStringList TriageModel::keptValues(TriageDimension dimension) const
{
    QStringList values;
    const auto at = std::find(Dimensions.begin(), Dimensions.end(), dimension);
    for (const TriageGroup &group : m_groups[size_t(std::distance(Dimensions.begin(), at))])
        if (group.value != triageOtherLabel())
            values << group.value;
    return values;
}

QModelIndex TriageModel::index(int row, int column, const QModelIndex &parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    if (!parent.isValid())
        return createIndex(row, column, ParentId);
    return createIndex(row, column, quintptr(parent.row()) + 1);
}

QModelIndex TriageModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalId() == ParentId)
        return {};
    return createIndex(int(child.internalId() - 1), 0, ParentId);
}

int TriageModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(Dimensions.size());
    if (parent.internalId() != ParentId || parent.column() != 0)
        return 0;
    return int(m_groups[size_t(parent.row())].size());
}

int TriageModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QVariant TriageModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const QStringList titles {u"Group"_s, u"Count"_s, u"Share"_s};
    return titles.value(section);
}

QVariant TriageModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    if (index.internalId() == ParentId) {
        if (role != Qt::DisplayRole)
            return {};
        const auto &groups = m_groups[size_t(index.row())];
        if (index.column() == Group)
            return QString(dimensionTitle(Dimensions[size_t(index.row())]) + u" ("_s
                           + QString::number(groups.size()) + u')');
        return {};
    }
    const TriageGroup &group = m_groups[index.internalId() - 1].at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        if (index.column() == Group)
            return group.value;
        if (index.column() == Count)
            return group.count;
        if (index.column() == Share && m_total > 0)
            return QString(QString::number(100.0 * double(group.count) / double(m_total), 'f', 1)
                           + u" %"_s);
        return {};
    case Qt::ToolTipRole:
        return group.value;
    case Qt::TextAlignmentRole:
        return index.column() == Group ? QVariant()
                                       : QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    default:
        return {};
    }
}

} // namespace veltrix
