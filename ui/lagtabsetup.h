#pragma once

// What the lag tabs (ConsumerLagPage, TopicsView, GroupDetailView) set up alike: the
// cluster picker, the filter box and tool bar, the decorate-then-sort proxy chain, the
// behaviour of their sortable views and column widths from sample text. Header-only, as
// it is small and all inline.

#include "items/lagformat.h"
#include "lagverdictstyle.h"

#include <QAbstractItemView>
#include <QComboBox>
#include <QFontMetrics>
#include <QHBoxLayout>
#include <QLabel>
#include <QLatin1String>
#include <QLineEdit>
#include <QSignalBlocker>
#include <QSortFilterProxyModel>

namespace veltrix {

// The "Cluster:" label and combo box of a lag tab, shown only while there is more than
// one cluster to choose from (a picker with one entry would only take room). Not a widget
// of its own: both sit in the tab's tool bar, and the tab hands out the combo box.
// Changes made through it do not emit the box's signals: only the user's choices do.
class ClusterPicker
{
public:
    explicit ClusterPicker(QWidget *parent)
        : m_label(new QLabel(QStringLiteral("Cluster:"), parent))
        , m_box(new QComboBox(parent))
    { }

    QComboBox *box() const { return m_box; }

    // Calls `onPicked(cluster)` when the user picks a cluster.
    template<typename Slot>
    void onPicked(QObject *context, Slot onPicked) const
    {
        QObject::connect(m_box, &QComboBox::currentTextChanged, context,
                         [onPicked](const QString &cluster) {
                             if (!cluster.isEmpty())
                                 onPicked(cluster);
                         });
    }
    void addTo(QHBoxLayout *bar)
    {
        bar->addWidget(m_label);
        bar->addWidget(m_box);
        m_label->hide();
        m_box->hide();
    }
    void clear()
    {
        const QSignalBlocker blocker(m_box);
        m_box->clear();
    }
    void add(const QString &cluster)
    {
        if (m_box->findText(cluster) < 0) {
            const QSignalBlocker blocker(m_box);
            m_box->addItem(cluster);
        }
        const bool several = m_box->count() > 1;
        m_box->setVisible(several);
        m_label->setVisible(several);
    }
    void setCurrent(const QString &cluster)
    {
        const QSignalBlocker blocker(m_box);
        m_box->setCurrentText(cluster);
    }

private:
    QLabel *m_label;
    QComboBox *m_box;
};

// A lag tab's tool bar: the cluster picker, the filter box (`placeholder` says what it
// matches; it filters `proxy` as one types) and a status label taking the rest.
inline QHBoxLayout *lagToolBar(ClusterPicker &picker, QLineEdit *filter, const QString &placeholder,
                               QSortFilterProxyModel *proxy, QLabel *status)
{
    filter->setPlaceholderText(placeholder);
    filter->setClearButtonEnabled(true);
    QObject::connect(filter, &QLineEdit::textChanged, proxy,
                     &QSortFilterProxyModel::setFilterFixedString);
    auto *bar = new QHBoxLayout;
    picker.addTo(bar);
    bar->addSpacing(8);
    bar->addWidget(filter, 2);
    bar->addSpacing(8);
    bar->addWidget(status, 3);
    return bar;
}

// source -> decorator -> proxy: the decorator turns the model's verdicts and emphasis into
// colours and icons, the proxy sorts by LagSortRole (numbers, not their display text).
inline void chainLagModels(QAbstractItemModel *source, LagCellDecorator *decorator,
                           QSortFilterProxyModel *proxy)
{
    decorator->setSourceModel(source);
    proxy->setSourceModel(decorator);
    proxy->setSortRole(LagSortRole);
}

// How the lag tabs' tables and trees behave: whole rows selected, alternate rows shaded,
// sortable by clicking a header, sorted by `column` to begin with.
template<typename View> // QTableView or QTreeView: sorting is not QAbstractItemView's
void setUpSortableRows(View *view, QAbstractItemModel *model, int column, Qt::SortOrder order)
{
    view->setModel(model);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setAlternatingRowColors(true);
    view->setSortingEnabled(true);
    view->sortByColumn(column, order);
}

// Column widths from sample text, so that they follow the font: returns width(sample),
// the sample's width in `widget`'s font plus `padding` (cell margins, sort indicator).
inline auto sampleWidth(const QWidget *widget, int padding)
{
    return [metrics = widget->fontMetrics(), padding](const char *sample) {
        return metrics.horizontalAdvance(QLatin1String(sample)) + padding;
    };
}

// The proxy index showing `source` (a row of the model under `proxy`'s decorator); when
// the filter hides it, the filter is cleared: the row was asked for by name.
inline QModelIndex revealSourceRow(const QSortFilterProxyModel *proxy, QLineEdit *filter,
                                   const QModelIndex &source)
{
    const auto *decorator = static_cast<const QAbstractProxyModel *>(proxy->sourceModel());
    const QModelIndex decorated = decorator->mapFromSource(source);
    QModelIndex index = proxy->mapFromSource(decorated);
    if (!index.isValid()) {
        filter->clear();
        index = proxy->mapFromSource(decorated);
    }
    return index;
}

} // namespace veltrix
