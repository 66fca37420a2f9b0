#pragma once

#include "rowmerge.h"

#include <QAbstractItemModel>
#include <QStringList>

#include <functional>
#include <memory>
#include <type_traits>
#include <vector>

namespace veltrix {

// The plumbing of a tree two levels deep (a row per topic, a child row per partition)
// whose refreshes merge rather than reset, so selection, expansion and scroll survive
// them. What a subclass adds is what its rows mean: its node type, their cells and how a
// parent row takes a refresh.
//
// The parent rows are nodes owned here, in ascending key order with unique keys. A
// child's index carries its parent's node and every node keeps its current row, so a
// child index (a persistent one too) still finds its parent after parent rows were
// inserted or removed before it; an index carrying the parent's row number would point
// at the wrong parent then. Parent indexes carry nullptr.
//
// No Q_OBJECT: it adds no signals, slots or properties (the subclasses have their own).
class TwoLevelItemModel : public QAbstractItemModel
{
public:
    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    // The column titles, horizontally; nothing else.
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

protected:
    // A subclass derives its parent rows' type from this and adds the children.
    struct ParentNode
    {
        virtual ~ParentNode() = default;
        QString key; // what parent rows are sorted, merged and found by
        int row = 0; // kept current here
    };
    using ParentNodes = std::vector<std::unique_ptr<ParentNode>>;

    // `columnTitles`: one per column, in column order; the column count.
    explicit TwoLevelItemModel(QStringList columnTitles, QObject *parent = nullptr);

    // Between beginResetModel() and endResetModel(), so that the subclass can change its
    // own state (which cluster, which group) inside the same reset. `nodes`: sorted and
    // unique by key.
    void replaceParents(ParentNodes nodes);
    // A refresh of the same tree, sorted and unique by key: gone parent rows are removed,
    // new ones inserted, and the others take the refresh through mergeParent().
    void mergeParents(ParentNodes incoming);
    const ParentNodes &parentNodes() const { return m_parents; }
    QModelIndex parentIndex(const QString &key, int column = 0) const; // invalid when absent

    // For mergeParent(): merges `incoming` into the children of `node` with the finest
    // insert/remove/dataChanged signals. Both sorted and unique by `keyOf` (a member
    // pointer or a callable); `same(current, fresh)` says whether a child is unchanged.
    template<typename Child, typename KeyOf, typename Same>
    void mergeChildren(const ParentNode &node, std::vector<Child> &children,
                       std::vector<Child> &incoming, KeyOf keyOf, Same same);

    virtual int childCount(const ParentNode &node) const = 0;
    virtual QVariant parentData(const ParentNode &node, int column, int role) const = 0;
    virtual QVariant childData(const ParentNode &node, int row, int column, int role) const = 0;
    // `incoming` is a refresh of `current` (the same key): merge its children (signals
    // included) and take its own cells; true if the parent row's own cells changed. The
    // model discards `incoming` afterwards.
    virtual bool mergeParent(ParentNode &current, ParentNode &incoming) = 0;

private:
    // mergeSortedRows() over a vector of rows: the vector edits and the model's signals.
    // `renumber` runs after each edit, before the signal that ends it.
    template<typename Row, typename KeyOf, typename Update, typename Renumber>
    void mergeRowVector(const QModelIndex &parent, std::vector<Row> &rows,
                        std::vector<Row> &incoming, KeyOf keyOf, Update update, Renumber renumber);
    void renumber();
    static const ParentNode *parentNodeOf(const QModelIndex &child); // nullptr for a parent row

    QStringList m_columnTitles;
    ParentNodes m_parents;
};

template<typename Child, typename KeyOf, typename Same>
void TwoLevelItemModel::mergeChildren(const ParentNode &node, std::vector<Child> &children,
                                      std::vector<Child> &incoming, KeyOf keyOf, Same same)
{
    mergeRowVector(
        createIndex(node.row, 0, nullptr), children, incoming, keyOf,
        [&same](Child &current, Child &fresh) {
            if (same(current, fresh))
                return false;
            current = std::move(fresh);
            return true;
        },
        [] {});
}

template<typename Row, typename KeyOf, typename Update, typename Renumber>
void TwoLevelItemModel::mergeRowVector(const QModelIndex &parent, std::vector<Row> &rows,
                                       std::vector<Row> &incoming, KeyOf keyOf, Update update,
                                       Renumber renumber)
{
    using Key = std::remove_cvref_t<std::invoke_result_t<KeyOf &, const Row &>>;
    std::vector<Key> keys;
    keys.reserve(incoming.size());
    for (const Row &row : incoming)
        keys.push_back(std::invoke(keyOf, row));
    mergeSortedRows(
        static_cast<int>(rows.size()),
        [&](int row) -> const Key & { return std::invoke(keyOf, rows[static_cast<size_t>(row)]); },
        keys,
        [&](int first, int last) {
            beginRemoveRows(parent, first, last);
            rows.erase(rows.begin() + first, rows.begin() + last + 1);
            renumber();
            endRemoveRows();
        },
        [&](int row, size_t first, size_t last) {
            beginInsertRows(parent, row, row + static_cast<int>(last - first) - 1);
            rows.insert(rows.begin() + row,
                        std::make_move_iterator(incoming.begin() + static_cast<qsizetype>(first)),
                        std::make_move_iterator(incoming.begin() + static_cast<qsizetype>(last)));
            renumber();
            endInsertRows();
        },
        [&](int row, size_t key) { return update(rows[static_cast<size_t>(row)], incoming[key]); },
        [&](int first, int last) {
            Q_EMIT dataChanged(index(first, 0, parent),
                               index(last, static_cast<int>(m_columnTitles.size()) - 1, parent));
        });
}

} // namespace veltrix
