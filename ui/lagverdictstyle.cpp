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

QColor lagVerdictColor(LagVerdict verdict)
{
    switch (verdict) {
    case LagVerdict::Ok:
        return QColor(0x1e, 0x8e, 0x3e);
    case LagVerdict::Pending:
        return QColor(0x80, 0x86, 0x8b);
    case LagVerdict::Warn:
        return QColor(0xc2, 0x6a, 0x00);
    case LagVerdict::Stall:
    case LagVerdict::Stop:
    case LagVerdict::Rewind:
        return QColor(0xd9, 0x30, 0x25);
    case LagVerdict::OutOfRange:
        return QColor(0xa8, 0x10, 0x7a);
    case LagVerdict::NoOffset:
        break;
    }
    return QColor(0x5f, 0x63, 0x68);
}

namespace {

// The white exclamation mark on the warning shapes: a bar from `barTop`, `barHeight` long,
// and a dot at `dotTop` (on the 16x16 grid), placed to fit inside each shape.
void drawExclamationMark(QPainter &p, double barTop, double barHeight, double dotTop)
{
    p.setBrush(Qt::white);
    p.drawRect(QRectF(7.2, barTop, 1.6, barHeight));
    p.drawRect(QRectF(7.2, dotTop, 1.6, 1.6));
}

QPixmap verdictPixmap(LagVerdict verdict, int size)
{
    QPixmap pixmap(size, size);
    pixmap.fill(Qt::transparent);
    QPainter p(&pixmap);
    p.setRenderHint(QPainter::Antialiasing);
    p.scale(size / 16.0, size / 16.0); // draw on a 16x16 grid
    const QColor color = lagVerdictColor(verdict);
    p.setPen(Qt::NoPen);
    p.setBrush(color);
    switch (verdict) {
    case LagVerdict::Ok:
        p.drawEllipse(QRectF(2.5, 2.5, 11, 11));
        break;
    case LagVerdict::Pending:
        p.setPen(QPen(color, 2));
        p.setBrush(Qt::NoBrush);
        p.drawEllipse(QRectF(3.5, 3.5, 9, 9));
        break;
    case LagVerdict::Warn:
        p.drawPolygon(QPolygonF({QPointF(8, 1.5), QPointF(15, 14), QPointF(1, 14)}));
        drawExclamationMark(p, 5.5, 4.5, 11);
        break;
    case LagVerdict::Stall:
        p.drawEllipse(QRectF(1.5, 1.5, 13, 13));
        p.setBrush(Qt::white);
        p.drawRect(QRectF(5.5, 5, 1.8, 6));
        p.drawRect(QRectF(8.7, 5, 1.8, 6));
        break;
    case LagVerdict::Stop:
        p.drawRoundedRect(QRectF(2.5, 2.5, 11, 11), 1.5, 1.5);
        break;
    case LagVerdict::Rewind:
        p.drawPolygon(QPolygonF({QPointF(1, 8), QPointF(8, 3), QPointF(8, 13)}));
        p.drawPolygon(QPolygonF({QPointF(7.5, 8), QPointF(14.5, 3), QPointF(14.5, 13)}));
        break;
    case LagVerdict::OutOfRange:
        p.drawPolygon(
            QPolygonF({QPointF(8, 0.5), QPointF(15.5, 8), QPointF(8, 15.5), QPointF(0.5, 8)}));
        drawExclamationMark(p, 4, 5, 10.3);
        break;
    case LagVerdict::NoOffset:
        p.drawRoundedRect(QRectF(3, 7, 10, 2.2), 1, 1);
        break;
    }
    return pixmap;
}

} // namespace

QIcon lagVerdictIcon(LagVerdict verdict)
{
    // Icons are painted once: a table repaint asks for one per visible row.
    static std::array<QIcon, 8> cache;
    const auto slot = static_cast<size_t>(verdict);
    if (slot >= cache.size())
        return {};
    if (cache[slot].isNull()) {
        QIcon icon;
        icon.addPixmap(verdictPixmap(verdict, 16));
        icon.addPixmap(verdictPixmap(verdict, 32));
        cache[slot] = icon;
    }
    return cache[slot];
}

QColor cellEmphasisColor(CellEmphasis emphasis)
{
    switch (emphasis) {
    case CellEmphasis::Muted:
        return QColor(0x80, 0x86, 0x8b);
    case CellEmphasis::Warning:
        return lagVerdictColor(LagVerdict::Warn);
    case CellEmphasis::Alarm:
        return lagVerdictColor(LagVerdict::Stop);
    case CellEmphasis::Loss:
        return lagVerdictColor(LagVerdict::OutOfRange);
    case CellEmphasis::None:
        break;
    }
    return {};
}

LagCellDecorator::LagCellDecorator(QObject *parent, bool boldParents)
    : QIdentityProxyModel(parent)
    , m_boldParents(boldParents)
{ }

QVariant LagCellDecorator::data(const QModelIndex &index, int role) const
{
    if (role != Qt::DecorationRole && role != Qt::ForegroundRole && role != Qt::FontRole
        && role != Qt::BackgroundRole)
        return QIdentityProxyModel::data(index, role);
    // Ask the source: index.data() would come back here.
    const QModelIndex source = mapToSource(index);
    const QVariant verdictValue = source.data(LagVerdictRole);
    const auto verdict = static_cast<LagVerdict>(verdictValue.toInt());
    const auto emphasis = static_cast<CellEmphasis>(source.data(LagEmphasisRole).toInt());
    switch (role) {
    case Qt::DecorationRole:
        return verdictValue.isValid() ? QVariant(lagVerdictIcon(verdict))
                                      : QIdentityProxyModel::data(index, role);
    case Qt::ForegroundRole:
        if (verdictValue.isValid())
            return lagVerdictColor(verdict);
        if (const QColor color = cellEmphasisColor(emphasis); color.isValid())
            return color;
        break;
    case Qt::FontRole: {
        // Loss is loud through its background already; bold would also widen the longest
        // text of the table ("OUT OF RANGE: messages lost to retention").
        const bool loud = emphasis == CellEmphasis::Alarm
            || (verdictValue.isValid() && verdict >= LagVerdict::Stall);
        const bool parentRow = m_boldParents && !source.parent().isValid()
            && sourceModel()->hasChildren(source.siblingAtColumn(0));
        if (loud || parentRow) {
            QFont font;
            font.setBold(true);
            return font;
        }
        break;
    }
    case Qt::BackgroundRole:
        // Lost messages must not be missed: the cell itself turns pink.
        if (emphasis == CellEmphasis::Loss)
            return QColor(0xfc, 0xe4, 0xf2);
        break;
    default:
        break;
    }
    return QIdentityProxyModel::data(index, role);
}

} // namespace veltrix
