#include "twolevelitemmodel.h"

#include <algorithm>

namespace veltrix {

TwoLevelItemModel::TwoLevelItemModel(QStringList columnTitles, QObject *parent)
    : QAbstractItemModel(parent)
    , m_columnTitles(std::move(columnTitles))
{ }

void TwoLevelItemModel::renumber()
{
    for (size_t row = 0; row < m_parents.size(); ++row)
        m_parents[row]->row = static_cast<int>(row);
}

void TwoLevelItemModel::replaceParents(ParentNodes nodes)
{
    m_parents = std::move(nodes);
    renumber();
}

void TwoLevelItemModel::mergeParents(ParentNodes incoming)
{
    mergeRowVector(
        {}, m_parents, incoming,
        [](const std::unique_ptr<ParentNode> &node) -> const QString & { return node->key; },
        [this](std::unique_ptr<ParentNode> &current, std::unique_ptr<ParentNode> &fresh) {
            return mergeParent(*current, *fresh);
        },
        [this] { renumber(); });
}

QModelIndex TwoLevelItemModel::parentIndex(const QString &key, int column) const
{
    const auto it = std::lower_bound(
        m_parents.cbegin(), m_parents.cend(), key,
        [](const auto &node, const QString &wanted) { return node->key < wanted; });
    if (it == m_parents.cend() || (*it)->key != key)
        return {};
    return createIndex((*it)->row, column, nullptr);
}

const TwoLevelItemModel::ParentNode *TwoLevelItemModel::parentNodeOf(const QModelIndex &child)
{
    return static_cast<const ParentNode *>(child.internalPointer());
}

QModelIndex TwoLevelItemModel::index(int row, int column, const QModelIndex &parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    if (!parent.isValid())
        return createIndex(row, column, nullptr);
    // hasIndex() made sure `parent` is a parent row: only those have children.
    return createIndex(row, column, m_parents[static_cast<size_t>(parent.row())].get());
}

QModelIndex TwoLevelItemModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    const ParentNode *node = parentNodeOf(child);
    return node ? createIndex(node->row, 0, nullptr) : QModelIndex();
}

int TwoLevelItemModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return static_cast<int>(m_parents.size());
    if (parent.column() != 0 || parentNodeOf(parent))
        return 0; // children have no children
    const auto row = static_cast<size_t>(parent.row());
    return row < m_parents.size() ? childCount(*m_parents[row]) : 0;
}

int TwoLevelItemModel::columnCount(const QModelIndex &) const
{
    return static_cast<int>(m_columnTitles.size());
}

QVariant TwoLevelItemModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    if (const ParentNode *node = parentNodeOf(index))
        return childData(*node, index.row(), index.column(), role);
    return parentData(*m_parents[static_cast<size_t>(index.row())], index.column(), role);
}

QVariant TwoLevelItemModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0
        || section >= m_columnTitles.size())
        return {};
    return m_columnTitles.at(section);
}

} // namespace veltrix
