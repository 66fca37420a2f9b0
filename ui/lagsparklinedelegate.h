#pragma once

#include <QStyledItemDelegate>

namespace veltrix {

// Paints the Trend column of the consumer groups table: the recent total lag
// (LagTrendRole) as a line in the row's verdict colour, scaled to its own minimum and
// maximum so that growth shows even on a large lag, with a dot on the latest value.
class LagSparklineDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};

} // namespace veltrix
