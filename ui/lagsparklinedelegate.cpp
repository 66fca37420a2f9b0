#include "lagsparklinedelegate.h"

#include "items/consumergroupsmodel.h"
#include "lagverdictstyle.h"

#include <QApplication>
#include <QFont>
#include <QPainter>
#include <QPainterPath>
#include <QPixmap>

#include <algorithm>
#include <array>
#include <cmath>

namespace veltrix {

void LagSparklineDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                                 const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear();
    QStyle *style = opt.widget ? opt.widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget);

    const QList<double> values = index.data(LagTrendRole).value<QList<double>>();
    if (values.isEmpty())
        return;
    const QRectF area = QRectF(opt.rect).adjusted(4, 4, -6, -4);
    if (area.width() < 8 || area.height() < 4)
        return;
    const auto [lo, hi] = std::minmax_element(values.cbegin(), values.cend());
    const double span = *hi - *lo;
    const auto pointAt = [&](qsizetype i) {
        const double x = area.left()
            + area.width() * static_cast<double>(i) / static_cast<double>(values.size() - 1);
        // A flat series is drawn across the middle: on the baseline it would read as 0.
        const double f = span > 0 ? (values[i] - *lo) / span : 0.5;
        return QPointF(x, area.bottom() - f * area.height());
    };

    const auto verdict = static_cast<LagVerdict>(
        index.siblingAtColumn(ConsumerGroupsModel::VerdictColumn).data(LagVerdictRole).toInt());
    const bool selected = opt.state & QStyle::State_Selected;
    const QColor line
        = selected ? opt.palette.color(QPalette::HighlightedText) : lagVerdictColor(verdict);

    if (values.size() == 1) { // the first poll: a dot where the line will start
        painter->save();
        painter->setRenderHint(QPainter::Antialiasing);
        painter->setPen(Qt::NoPen);
        painter->setBrush(line);
        painter->drawEllipse(QPointF(area.right(), area.center().y()), 2.2, 2.2);
        painter->restore();
        return;
    }
    QPainterPath path(pointAt(0));
    for (qsizetype i = 1; i < values.size(); ++i)
        path.lineTo(pointAt(i));
    QPainterPath fill = path;
    fill.lineTo(area.right(), area.bottom());
    fill.lineTo(area.left(), area.bottom());
    fill.closeSubpath();

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    QColor fillColor = line;
    fillColor.setAlpha(45);
    painter->fillPath(fill, fillColor);
    painter->setPen(QPen(line, 1.4));
    painter->drawPath(path);
    painter->setPen(Qt::NoPen);
    painter->setBrush(line);
    painter->drawEllipse(pointAt(values.size() - 1), 2.2, 2.2);
    painter->restore();
}

QSize LagSparklineDelegate::sizeHint(const QStyleOptionViewItem &option,
                                     const QModelIndex &index) const
{
    const QSize base = QStyledItemDelegate::sizeHint(option, index);
    return {std::max(base.width(), 120), base.height()};
}

} // namespace veltrix
