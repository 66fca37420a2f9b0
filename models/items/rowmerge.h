#pragma once

#include <algorithm>
#include <cstddef>
#include <functional>
#include <utility>
#include <vector>

namespace veltrix {

// Merges a refresh into a model's rows without a reset: rows and `keys` are both in
// ascending key order with unique keys. Gone rows are removed and new ones inserted in
// contiguous runs (one begin/end pair per run); rows that stayed are updated, and the
// changed ones reported as runs, or as one range when more than half changed (one
// signal is cheaper than many and the view repaints the same). The callbacks do the
// model's begin/end calls:
//   rowKey(row) -> key of the current row `row`
//   remove(first, last)             rows [first, last] must go
//   insert(row, firstKey, lastKey)  keys [firstKey, lastKey) become rows row, row + 1, ...
//   update(row, key) -> bool        refresh row `row` from keys[key]; true if it changed
//   changed(first, last)            rows [first, last] changed
template<typename Key, typename RowKey, typename Remove, typename Insert, typename Update,
         typename Changed>
void mergeSortedRows(int rowCount, RowKey rowKey, const std::vector<Key> &keys, Remove remove,
                     Insert insert, Update update, Changed changed)
{
    // 1. Find the rows whose key is gone by walking both sorted lists once.
    std::vector<char> keep(static_cast<size_t>(rowCount), 0);
    size_t k = 0;
    for (int row = 0; row < rowCount; ++row) {
        const Key &key = rowKey(row);
        while (k < keys.size() && keys[k] < key)
            ++k;
        keep[static_cast<size_t>(row)] = k < keys.size() && keys[k] == key;
    }
    int count = rowCount;
    for (int row = rowCount - 1; row >= 0;) {
        if (keep[static_cast<size_t>(row)]) {
            --row;
            continue;
        }
        int first = row;
        while (first > 0 && !keep[static_cast<size_t>(first - 1)])
            --first;
        remove(first, row);
        count -= row - first + 1;
        row = first - 1;
    }

    // 2. Every remaining row's key is in `keys`: walk both, inserting runs of new keys
    //    and updating the rows that stayed.
    std::vector<std::pair<int, int>> runs;
    int changedRows = 0;
    const auto noteChanged = [&](int row) {
        ++changedRows;
        if (!runs.empty() && runs.back().second == row - 1)
            runs.back().second = row;
        else
            runs.emplace_back(row, row);
    };
    int row = 0;
    for (size_t i = 0; i < keys.size();) {
        if (row < count && rowKey(row) == keys[i]) {
            if (update(row, i))
                noteChanged(row);
            ++row;
            ++i;
            continue;
        }
        size_t j = i;
        while (j < keys.size() && (row >= count || keys[j] < rowKey(row)))
            ++j;
        insert(row, i, j);
        row += static_cast<int>(j - i);
        count += static_cast<int>(j - i);
        i = j;
    }
    if (changedRows > count / 2 && runs.size() > 1) {
        changed(runs.front().first, runs.back().second);
        return;
    }
    for (const auto &[first, last] : runs)
        changed(first, last);
}

// Sorted, duplicate-free keys: what mergeSortedRows() expects of a refresh.
template<typename Key>
bool sortedUnique(const std::vector<Key> &keys)
{
    for (size_t i = 1; i < keys.size(); ++i)
        if (!(keys[i - 1] < keys[i]))
            return false;
    return true;
}

// Brings `items` into the shape mergeSortedRows() expects of a refresh: ascending by
// `keyOf` (a member pointer or a callable), one item per key. Of items with equal keys
// the first one given is kept; the refreshes say they are sorted and unique already, so
// that case costs one pass and no copies.
template<typename T, typename KeyOf>
void sortUniqueBy(std::vector<T> &items, KeyOf keyOf)
{
    const auto less = [&keyOf](const T &a, const T &b) {
        return std::invoke(keyOf, a) < std::invoke(keyOf, b);
    };
    const auto notLess = [&less](const T &a, const T &b) { return !less(a, b); };
    if (std::adjacent_find(items.begin(), items.end(), notLess) == items.end())
        return;
    std::stable_sort(items.begin(), items.end(), less);
    items.erase(std::unique(items.begin(), items.end(), notLess), items.end());
}

} // namespace veltrix
