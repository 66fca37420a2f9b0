#pragma once

#include <QImage>
#include <QRgb>

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <memory>

namespace veltrix {

// Rasterizes many polylines, 1 px wide and without antialiasing, straight into an image.
// For charts with more points than QPainter can stroke within a frame: 200 series of
// 3,600 points take QPainter ~40 ms even at 1 px (seconds with the normal antialiased
// 1.6–2.4 px pens); this draws them in a few ms. Points falling into one pixel column
// become one vertical run from their minimum to their maximum, so no spike is lost.
class DenseLineCanvas
{
public:
    // Each drawing pass: the first graph clears the canvas (to this size), the layerable
    // above the graphs takes the result. finish() is false when nothing was drawn.
    void ensureBegun(const QSize &size);
    bool finish();
    void setActive(bool active) { m_active = active; }
    bool active() const { return m_active; }
    // One polyline, point by point (x and y in canvas pixels; a NaN y breaks the line).
    // Inline: it runs once per point, hundreds of thousands of times a frame.
    class Polyline
    {
    public:
        Polyline(DenseLineCanvas &canvas, QRgb color)
            : m_canvas(canvas)
            , m_pixel(qPremultiply(color))
        { }
        ~Polyline() { flush(); }
        void add(double x, double y)
        {
            if (y != y) { // NaN: a gap
                flush();
                m_open = false;
                return;
            }
            // Far off-canvas points (a zoomed-in view) must not overflow the column index;
            // their lines are clipped from the exact coordinates.
            const int c = int(std::floor(std::clamp(x, -2.0, m_canvas.m_width + 1.0)));
            if (m_open && c == m_column) {
                m_low = std::min(m_low, y);
                m_high = std::max(m_high, y);
            } else {
                flush();
                // The next column over: the step from the last point is part of this
                // column's run (what a 1 px line between neighbours would draw anyway).
                const bool adjacent = m_open && c == m_column + 1;
                if (m_open && !adjacent)
                    m_canvas.line(m_lastX, m_lastY, x, y, m_pixel);
                m_low = adjacent ? std::min(m_lastY, y) : y;
                m_high = adjacent ? std::max(m_lastY, y) : y;
                m_open = true;
                m_column = c;
            }
            m_lastX = x;
            m_lastY = y;
        }

    private:
        void flush()
        {
            if (!m_open)
                return;
            const auto row = [this](double y) {
                return int(std::floor(std::clamp(y, -1.0, m_canvas.m_height) + 0.5));
            };
            m_canvas.run(m_column, row(m_low), row(m_high), m_pixel);
        }

        DenseLineCanvas &m_canvas;
        quint32 m_pixel;
        bool m_open = false; // a pixel column is being gathered
        int m_column = 0;
        double m_low = 0, m_high = 0, m_lastX = 0, m_lastY = 0;
    };

    const QImage &image() const { return m_image; }

private:
    void run(int x, int y0, int y1, quint32 pixel); // vertical, both ends included
    void line(double x0, double y0, double x1, double y1, quint32 pixel);

    QImage m_image;
    double m_width = 1; // of m_image, for the inline code
    double m_height = 1;
    bool m_active = false;
    bool m_begun = false;
};

// A QCPGraph that draws through the shared canvas while it is active (and as usual
// otherwise): its data, legend entry, readout and export stay the ordinary graph's.
class DenseGraph : public QCPGraph
{
public:
    DenseGraph(QCPAxis *keyAxis, QCPAxis *valueAxis, std::shared_ptr<DenseLineCanvas> canvas);
    // How many points draw() would go through in the visible key range.
    qsizetype visiblePointCount() const;

protected:
    void draw(QCPPainter *painter) override;

private:
    std::shared_ptr<DenseLineCanvas> m_canvas;
};

// Puts the canvas on the plot: cleared at the start of every replot, drawn on its own
// layer right above the graphs.
class DenseCanvasLayerable : public QCPLayerable
{
public:
    DenseCanvasLayerable(QCustomPlot *plot, std::shared_ptr<DenseLineCanvas> canvas);

protected:
    void applyDefaultAntialiasingHint(QCPPainter *) const override { }
    void draw(QCPPainter *painter) override;

private:
    std::shared_ptr<DenseLineCanvas> m_canvas;
};

} // namespace veltrix
