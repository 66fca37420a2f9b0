#include "ladderdiagram.h"

#include <QPainter>
#include <QPainterPath>

#include <numeric>

namespace veltrix {

using namespace Qt::StringLiterals;

namespace {

constexpr int RowHeight = 50;
constexpr int BoxHeight = 40;
constexpr int Margin = 10;
constexpr int Padding = 8;

struct Palette
{
    QColor queue {0xe8, 0xf0, 0xfb};
    QColor exchange {0xf4, 0xee, 0xe0};
    QColor step {0xea, 0xf6, 0xe9};
    QColor dlq {0xfb, 0xe6, 0xe6};
    QColor line {0x55, 0x5f, 0x6d};
};

QFont smaller(const QFont &font)
{
    QFont small = font;
    small.setPointSizeF(font.pointSizeF() * 0.85);
    return small;
}

// Two lines: the name, and under it in small grey what it is or does.
void box(QPainter &p, const QRect &rect, const QColor &fill, const QString &name,
         const QString &detail)
{
    p.setPen(QPen(QColor(0x8a, 0x93, 0xa0), 1));
    p.setBrush(fill);
    p.drawRoundedRect(rect, 5, 5);
    const QRect text = rect.adjusted(Padding, 3, -Padding, -3);
    p.setPen(Qt::black);
    p.drawText(text, Qt::AlignTop | Qt::AlignLeft,
               p.fontMetrics().elidedText(name, Qt::ElideMiddle, text.width()));
    p.save();
    p.setFont(smaller(p.font()));
    p.setPen(QColor(0x55, 0x55, 0x55));
    p.drawText(text, Qt::AlignBottom | Qt::AlignLeft,
               p.fontMetrics().elidedText(detail, Qt::ElideMiddle, text.width()));
    p.restore();
}

// A line from `from` to `to` with an arrow head, the label above its middle.
void arrow(QPainter &p, const QPointF &from, const QPointF &to, const QString &label,
           const QColor &color)
{
    p.setPen(QPen(color, 1.3));
    p.drawLine(from, to);
    const QLineF back(to, from);
    QPainterPath tip;
    tip.moveTo(to);
    tip.lineTo(QLineF::fromPolar(8, back.angle() + 25).translated(to).p2());
    tip.lineTo(QLineF::fromPolar(8, back.angle() - 25).translated(to).p2());
    tip.closeSubpath();
    p.fillPath(tip, color);
    if (label.isEmpty())
        return;
    p.save();
    p.setFont(smaller(p.font()));
    p.setPen(QColor(0x40, 0x40, 0x40));
    const double left = std::min(from.x(), to.x());
    p.drawText(
        QRectF(left + 4, from.y() - 16, std::abs(to.x() - from.x()) - 8, 14), Qt::AlignCenter,
        p.fontMetrics().elidedText(label, Qt::ElideLeft, int(std::abs(to.x() - from.x())) - 12));
    p.restore();
}

} // namespace

LadderDiagram::LadderDiagram(QWidget *parent)
    : QWidget(parent)
{
    setMinimumHeight(RowHeight * 2);
}

void LadderDiagram::setPlan(const LadderPlan &plan)
{
    m_plan = plan;
    updateGeometry();
    update();
}

void LadderDiagram::clear()
{
    m_plan = {};
    updateGeometry();
    update();
}

QSize LadderDiagram::sizeHint() const
{
    const int rows = hasPlan() ? int(m_plan.steps.size()) + 2 : 2;
    return {900, Margin * 2 + rows * RowHeight};
}

void LadderDiagram::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(rect(), Qt::white);
    if (!hasPlan()) {
        p.setPen(QColor(0x70, 0x70, 0x70));
        p.drawText(rect(), Qt::AlignCenter,
                   u"Preview a ladder to see the path a rejected message takes"_s);
        return;
    }
    const Palette colors;
    const QFontMetrics names = p.fontMetrics();
    const QFontMetrics labels(smaller(font()));
    const auto widest = [&](const QStringList &texts) {
        int w = 0;
        for (const QString &t : texts)
            w = std::max(w, std::max(names.horizontalAdvance(t), labels.horizontalAdvance(t)));
        return w + 2 * Padding + 6; // elision rounds: a little slack keeps names whole
    };
    const auto back
        = [&](qsizetype i) { return u"↩ %1  (attempt %2)"_s.arg(m_plan.workQueue).arg(i + 2); };
    const auto via = [&](qsizetype i) {
        return u"via %1 [%2]"_s.arg(m_plan.workExchange, m_plan.steps[i].returnKey);
    };
    const QString afterLast = u"dead letters, after the last step"_s;
    QStringList stepTexts {m_plan.dlq, afterLast}, backTexts, branchLabels {m_plan.dlqKey};
    for (qsizetype i = 0; i < m_plan.steps.size(); ++i) {
        stepTexts << m_plan.steps[i].queue;
        backTexts << back(i) << via(i);
        branchLabels << (i == 0 ? u"first rejection"_s : m_plan.steps[i - 1].returnKey);
    }
    // Columns as wide as their texts; gaps as wide as the labels on their arrows. A window
    // too narrow for all of it squeezes everything alike (names then elide in the middle).
    QList<int> widths {widest({m_plan.workQueue, u"work queue"_s}),
                       widest({m_plan.retryExchange, u"direct exchange"_s}), widest(stepTexts),
                       widest(backTexts)};
    // The branches leave the exchange 16 px from its left edge: their labels may use the
    // exchange's width as well as the gap.
    QList<int> gaps {widest({u"rejected"_s}) + 30,
                     std::max(40, widest(branchLabels) + 30 - (widths[1] - 16)), 40};
    const int wanted = std::accumulate(widths.begin(), widths.end(), 0)
        + std::accumulate(gaps.begin(), gaps.end(), 0);
    const double squeeze = std::min(1.0, double(width() - 2 * Margin) / wanted);
    for (int &w : widths)
        w = int(w * squeeze);
    for (int &g : gaps)
        g = int(g * squeeze);
    const auto x = [&](int c) {
        int at = Margin;
        for (int i = 0; i < c; ++i)
            at += widths[i] + gaps[i];
        return at;
    };
    const auto rowRect = [&](int c, int row) {
        return QRect(x(c), Margin + row * RowHeight, widths[c], BoxHeight);
    };
    const auto left = [](const QRect &r) { return QPointF(r.left(), r.center().y() + 0.5); };
    const auto right = [](const QRect &r) { return QPointF(r.right(), r.center().y() + 0.5); };

    const QRect work = rowRect(0, 0);
    const QRect retry = rowRect(1, 0);
    box(p, work, colors.queue, m_plan.workQueue, u"work queue"_s);
    box(p, retry, colors.exchange, m_plan.retryExchange, u"direct exchange"_s);
    arrow(p, right(work), left(retry), u"rejected"_s, colors.line);

    const auto branch = [&](const QRect &target, const QString &label) {
        // Down from the retry exchange, then across to the target.
        const QPointF start(retry.left() + 16 * squeeze, retry.bottom());
        const QPointF corner(start.x(), target.center().y() + 0.5);
        p.setPen(QPen(colors.line, 1.3));
        p.drawLine(start, corner);
        arrow(p, corner, left(target), label, colors.line);
    };
    for (qsizetype i = 0; i < m_plan.steps.size(); ++i) {
        const LadderStep &step = m_plan.steps[i];
        const QRect stepBox = rowRect(2, int(i) + 1);
        box(p, stepBox, colors.step, step.queue, u"wait "_s + delayText(step.delayMs));
        branch(stepBox, branchLabels[i + 1]);
        const QRect backBox = rowRect(3, int(i) + 1);
        box(p, backBox, colors.queue, back(i), via(i));
        arrow(p, right(stepBox), left(backBox), {}, colors.line);
    }
    const QRect dlq = rowRect(2, int(m_plan.steps.size()) + 1);
    box(p, dlq, colors.dlq, m_plan.dlq, afterLast);
    branch(dlq, m_plan.dlqKey);
}

} // namespace veltrix
