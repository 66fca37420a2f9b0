#include "denselines.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace veltrix {

void DenseLineCanvas::ensureBegun(const QSize &size)
{
    const QSize wanted = size.expandedTo(QSize(1, 1));
    if (m_begun && m_image.size() == wanted)
        return;
    if (m_image.size() != wanted) {
        m_image = QImage(wanted, QImage::Format_ARGB32_Premultiplied);
        m_width = wanted.width();
        m_height = wanted.height();
    }
    m_image.fill(Qt::transparent);
    m_begun = true;
}

bool DenseLineCanvas::finish()
{
    const bool drawn = m_begun;
    m_begun = false;
    return drawn;
}

void DenseLineCanvas::run(int x, int y0, int y1, quint32 pixel)
{
    if (x < 0 || x >= m_image.width())
        return;
    const int top = std::max(std::min(y0, y1), 0);
    const int bottom = std::min(std::max(y0, y1), m_image.height() - 1);
    const qsizetype stride = m_image.bytesPerLine() / 4;
    auto *p = reinterpret_cast<quint32 *>(m_image.bits()) + top * stride + x;
    for (int y = top; y <= bottom; ++y, p += stride)
        *p = pixel;
}

void DenseLineCanvas::line(double x0, double y0, double x1, double y1, quint32 pixel)
{
    // Liang–Barsky: keep the part inside the canvas, so a point far off screen costs
    // nothing and its line still leaves at the right slope.
    const double right = m_image.width() - 1;
    const double bottom = m_image.height() - 1;
    const double dx = x1 - x0;
    const double dy = y1 - y0;
    double enter = 0;
    double leave = 1;
    const auto clip = [&](double p, double q) {
        if (p == 0)
            return q >= 0;
        const double r = q / p;
        if (p < 0)
            enter = std::max(enter, r);
        else
            leave = std::min(leave, r);
        return enter <= leave;
    };
    if (!clip(-dx, x0) || !clip(dx, right - x0) || !clip(-dy, y0) || !clip(dy, bottom - y0))
        return;
    // Inside the canvas now, so coordinates are not negative: +0.5 and truncation round.
    const double ax = x0 + enter * dx + 0.5;
    const double ay = y0 + enter * dy + 0.5;
    const double bx = x0 + leave * dx + 0.5;
    const double by = y0 + leave * dy + 0.5;
    const int steps = int(std::max(std::abs(bx - ax), std::abs(by - ay)) + 0.999);
    const qsizetype stride = m_image.bytesPerLine() / 4;
    auto *bits = reinterpret_cast<quint32 *>(m_image.bits());
    if (steps == 0) {
        bits[int(ay) * stride + int(ax)] = pixel;
        return;
    }
    const double stepX = (bx - ax) / steps;
    const double stepY = (by - ay) / steps;
    double x = ax;
    double y = ay;
    for (int i = 0; i <= steps; ++i, x += stepX, y += stepY)
        bits[int(y) * stride + int(x)] = pixel;
}

DenseGraph::DenseGraph(QCPAxis *keyAxis, QCPAxis *valueAxis,
                       std::shared_ptr<DenseLineCanvas> canvas)
    : QCPGraph(keyAxis, valueAxis)
    , m_canvas(std::move(canvas))
{ }

qsizetype DenseGraph::visiblePointCount() const
{
    const QCPRange keys = keyAxis()->range();
    return mDataContainer->findEnd(keys.upper) - mDataContainer->findBegin(keys.lower);
}

void DenseGraph::draw(QCPPainter *painter)
{
    if (!m_canvas->active()) {
        QCPGraph::draw(painter);
        return;
    }
    // Linear, unreversed axes (what TimeSeriesPlot uses): the pixel mapping inline, as a
    // call per point would cost more than the drawing.
    const QRect area = keyAxis()->axisRect()->rect();
    const QCPRange keys = keyAxis()->range();
    const QCPRange values = valueAxis()->range();
    if (keys.size() <= 0 || values.size() <= 0)
        return;
    const double xScale = area.width() / keys.size();
    const double yScale = area.height() / values.size();
    const double bottom = area.height() - 1; // as QCPAxis::coordToPixel counts
    m_canvas->ensureBegun(area.size());
    const auto begin = mDataContainer->findBegin(keys.lower);
    const auto end = mDataContainer->findEnd(keys.upper);
    DenseLineCanvas::Polyline polyline(*m_canvas, pen().color().rgba());
    for (auto p = begin; p != end; ++p)
        polyline.add((p->key - keys.lower) * xScale, bottom - (p->value - values.lower) * yScale);
}

DenseCanvasLayerable::DenseCanvasLayerable(QCustomPlot *plot,
                                           std::shared_ptr<DenseLineCanvas> canvas)
    : QCPLayerable(plot)
    , m_canvas(std::move(canvas))
{ }

void DenseCanvasLayerable::draw(QCPPainter *painter)
{
    if (m_canvas->finish() && m_canvas->active())
        painter->drawImage(mParentPlot->axisRect()->rect().topLeft(), m_canvas->image());
}

} // namespace veltrix
