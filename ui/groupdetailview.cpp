#include "groupdetailview.h"

#include "offsetresetdialog.h"
#include "readonlyguard.h"

#include "items/grouppartitionsmodel.h"
#include "items/laghistory.h"
#include "lagtabsetup.h"
#include "lagverdictstyle.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedWidget>
#include <QTreeView>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include <algorithm>
#include <array>
#include <cmath>

namespace veltrix {

namespace {

// Lags run into millions: "1.2 M" reads faster than "1.2e+06".
class CompactNumberTicker : public QCPAxisTicker
{
protected:
    QString getTickLabel(double tick, const QLocale &, QChar, int) override
    {
        const double magnitude = std::abs(tick);
        const auto scaled = [tick](double unit, QChar suffix) {
            return QStringLiteral("%1 %2").arg(QString::number(tick / unit, 'g', 3), suffix);
        };
        if (magnitude >= 1e9)
            return scaled(1e9, u'G');
        if (magnitude >= 1e6)
            return scaled(1e6, u'M');
        if (magnitude >= 1e3)
            return scaled(1e3, u'k');
        return QString::number(tick, 'g', 4);
    }
};

QColor topicColor(int i)
{
    // Tableau 10: distinct on screen and in print.
    static constexpr std::array<QRgb, 10> colors {0x1f77b4, 0xff7f0e, 0x2ca02c, 0x9467bd, 0x8c564b,
                                                  0xe377c2, 0x17becf, 0xbcbd22, 0x7f7f7f, 0xd62728};
    return QColor::fromRgb(colors[static_cast<size_t>(i) % colors.size()]);
}

// More partitions than this stay collapsed under their topics: a tree of thousands of
// open rows helps nobody find the lagging one (sort by lag instead).
constexpr int ExpandPartitionsUpTo = 400;
constexpr double RightMargin = 0.015; // of the window

} // namespace

GroupDetailView::GroupDetailView(const LagHistory *history, QWidget *parent)
    : QWidget(parent)
    , m_history(history)
    , m_model(new GroupPartitionsModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_stack(new QStackedWidget(this))
    , m_title(new QLabel(this))
    , m_reason(new QLabel(this))
    , m_view(new QTreeView(this))
    , m_windowBox(new QComboBox(this))
    , m_plot(new QCustomPlot(this))
    , m_emptyText(new QCPItemText(m_plot))
    , m_resetButton(new QPushButton(QStringLiteral("Reset offsets…"), this))
{
    chainLagModels(m_model, new LagCellDecorator(this, true), m_proxy);
    setUpSortableRows(m_view, m_proxy, GroupPartitionsModel::NameColumn, Qt::AscendingOrder);
    m_view->setUniformRowHeights(true);
    QHeaderView *header = m_view->header();
    header->setStretchLastSection(true);
    const auto width = sampleWidth(this, 14);
    // Sized for a 1280-pixel window: the flags must show in full ("OUT OF RANGE: messages
    // lost to retention"), and the member after them. Long topic names elide (their tool
    // tip has them).
    header->resizeSection(GroupPartitionsModel::NameColumn, width("orders-retry-0 (6)"));
    header->resizeSection(GroupPartitionsModel::VerdictColumn, width("OUT_OF_RANGE") + 16);
    header->resizeSection(GroupPartitionsModel::CommittedColumn, width("1,234,567"));
    header->resizeSection(GroupPartitionsModel::EndColumn, width("1,234,567"));
    header->resizeSection(GroupPartitionsModel::LagColumn, width("123,456"));
    header->resizeSection(GroupPartitionsModel::TimeLagColumn, width("2 min 05 s (msg ts)") - 24);
    header->resizeSection(GroupPartitionsModel::FlagsColumn,
                          width("OUT OF RANGE: messages lost to retention") + 8);
    connect(m_proxy, &QAbstractItemModel::modelReset, this,
            [this] { expandTopics({}, 0, m_proxy->rowCount() - 1); });
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, &GroupDetailView::expandTopics);

    auto *legend = new QLabel(
        QStringLiteral("Time lag: <b>≈</b> interpolated · <b>msg ts</b> from the committed "
                       "message's timestamp · <b>—</b> not known yet"),
        this);
    legend->setWordWrap(true);
    legend->setStyleSheet(QStringLiteral("color: #5f6368;"));

    for (const int seconds : windowChoices())
        m_windowBox->addItem(seconds < 3600 ? QStringLiteral("%1 min").arg(seconds / 60)
                                            : QStringLiteral("%1 h").arg(seconds / 3600),
                             seconds);
    m_windowBox->setCurrentIndex(1);
    m_windowBox->setToolTip(QStringLiteral("Longer windows are drawn from per-bucket minima "
                                           "and maxima: spikes stay visible."));
    connect(m_windowBox, &QComboBox::currentIndexChanged, this, [this] { refreshChart(); });

    auto dateTicker = QSharedPointer<QCPAxisTickerDateTime>::create();
    dateTicker->setDateTimeFormat(QStringLiteral("hh:mm:ss"));
    dateTicker->setTickCount(6);
    m_plot->xAxis->setTicker(dateTicker);
    m_plot->yAxis->setTicker(QSharedPointer<CompactNumberTicker>::create());
    m_plot->yAxis->setLabel(QStringLiteral("lag (messages)"));
    m_plot->legend->setVisible(true);
    m_plot->legend->setBrush(QColor(255, 255, 255, 210));
    QFont legendFont = font();
    legendFont.setPointSizeF(legendFont.pointSizeF() * 0.9);
    m_plot->legend->setFont(legendFont);
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
    m_plot->setMinimumHeight(140);
    m_plot->setNoAntialiasingOnDrag(true);
    m_emptyText->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_emptyText->position->setCoords(0.5, 0.5);
    m_emptyText->setPositionAlignment(Qt::AlignCenter);
    m_emptyText->setColor(QColor(0x5f, 0x63, 0x68));
    m_emptyText->setText(QStringLiteral("No lag history for this group yet: a topic is drawn "
                                        "once one of its partitions has a committed offset."));

    m_title->setTextFormat(Qt::RichText);
    m_resetButton->setObjectName(QStringLiteral("groupResetOffsets"));
    connect(m_resetButton, &QPushButton::clicked, this, [this] { openOffsetReset(); });
    m_reason->setWordWrap(true);
    m_reason->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *chartPane = new QWidget(this);
    auto *chartLayout = new QVBoxLayout(chartPane);
    chartLayout->setContentsMargins(0, 0, 0, 0);
    auto *legendRow = new QHBoxLayout;
    legendRow->addWidget(legend, 1);
    legendRow->addSpacing(12);
    legendRow->addWidget(new QLabel(QStringLiteral("Lag per topic over the last"), this));
    legendRow->addWidget(m_windowBox);
    chartLayout->addLayout(legendRow);
    chartLayout->addWidget(m_plot, 1);

    // One above the other: the table needs the width for its eight columns, and a time
    // series reads best wide.
    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_view);
    splitter->addWidget(chartPane);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 1);
    splitter->setChildrenCollapsible(false);

    auto *content = new QWidget(this);
    auto *contentLayout = new QVBoxLayout(content);
    contentLayout->setContentsMargins(0, 0, 0, 0);
    auto *titleRow = new QHBoxLayout;
    titleRow->addWidget(m_title, 1);
    titleRow->addWidget(m_resetButton);
    contentLayout->addLayout(titleRow);
    contentLayout->addWidget(m_reason);
    contentLayout->addWidget(splitter, 1);

    auto *placeholder = new QLabel(
        QStringLiteral("Select a consumer group above to see its partitions and its lag over "
                       "time."),
        this);
    placeholder->setAlignment(Qt::AlignCenter);
    placeholder->setStyleSheet(QStringLiteral("color: #5f6368;"));
    m_stack->addWidget(placeholder);
    m_stack->addWidget(content);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_stack);
}

GroupDetailView::~GroupDetailView() = default;

QList<int> GroupDetailView::windowChoices()
{
    return {5 * 60, 15 * 60, 3600, 6 * 3600};
}

int GroupDetailView::windowSeconds() const
{
    return m_windowBox->currentData().toInt();
}

void GroupDetailView::setWindowSeconds(int seconds)
{
    const int i = m_windowBox->findData(seconds);
    if (i >= 0)
        m_windowBox->setCurrentIndex(i);
}

void GroupDetailView::showGroup(const QString &cluster, const GroupLag *group, const QDateTime &now)
{
    if (now.isValid())
        m_now = static_cast<double>(now.toMSecsSinceEpoch()) / 1000.0;
    const QString name = group ? group->group : QString();
    const bool other = cluster != m_cluster || name != m_group;
    m_cluster = cluster;
    m_group = name;
    m_model->setGroup(cluster, group);
    m_stack->setCurrentIndex(group ? 1 : 0);
    if (group) {
        updateHeader(*group);
        m_topics = group->topics;
    }
    const auto profile = std::find_if(m_profiles.cbegin(), m_profiles.cend(),
                                      [&](const ClusterProfile &p) { return p.name == cluster; });
    enableMutation(m_resetButton, profile == m_profiles.cend() ? ClusterProfile {} : *profile,
                   group && profile != m_profiles.cend(),
                   QStringLiteral("Move this group's committed offsets (stop its consumers "
                                  "first): preview, confirm, audited"));
    // The same group's chart follows the history (refreshChart) rather than each snapshot.
    if (other)
        refreshChart();
}

void GroupDetailView::setProfiles(const QList<ClusterProfile> &profiles)
{
    m_profiles = profiles;
}

OffsetResetDialog *GroupDetailView::openOffsetReset()
{
    const auto profile = std::find_if(m_profiles.cbegin(), m_profiles.cend(),
                                      [&](const ClusterProfile &p) { return p.name == m_cluster; });
    if (m_group.isEmpty() || profile == m_profiles.cend())
        return nullptr;
    auto *dialog = new OffsetResetDialog(*profile, m_group, m_topics, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
    return dialog;
}

void GroupDetailView::updateHeader(const GroupLag &group)
{
    QStringList facts;
    facts << (group.state.isEmpty() ? QStringLiteral("state unknown") : group.state);
    facts << (group.memberCount < 0 ? QStringLiteral("members unknown")
                                    : QStringLiteral("%1 member(s)").arg(group.memberCount));
    facts << QStringLiteral("%1 topic(s)").arg(group.topics.size());
    if (group.error.isEmpty() && group.verdict != LagVerdict::NoOffset)
        facts << QStringLiteral("total lag %1").arg(formatCount(group.totalLag));
    if (group.maxTimeLagSeconds)
        facts << QStringLiteral("max time lag %1").arg(formatDuration(*group.maxTimeLagSeconds));
    m_title->setText(
        QStringLiteral("<span style='font-size:large'><b>%1</b></span> &nbsp;·&nbsp; %2")
            .arg(group.group.toHtmlEscaped(), facts.join(QStringLiteral(" · ")).toHtmlEscaped()));

    QString reason = lagVerdictName(group.verdict);
    if (!group.verdictReason.isEmpty())
        reason += QStringLiteral(": ") + group.verdictReason;
    if (!group.error.isEmpty())
        reason += QStringLiteral("\nCannot read its committed offsets: ") + group.error;
    m_reason->setText(reason);
    m_reason->setStyleSheet(
        QStringLiteral("color: %1; font-weight: bold;").arg(lagVerdictColor(group.verdict).name()));
}

void GroupDetailView::expandTopics(const QModelIndex &parent, int first, int last)
{
    if (parent.isValid() || m_model->rowCount() == 0)
        return;
    int partitions = 0;
    for (int row = 0; row < m_model->rowCount(); ++row)
        partitions += m_model->rowCount(m_model->index(row, 0));
    if (partitions > ExpandPartitionsUpTo)
        return;
    for (int row = first; row <= last; ++row)
        m_view->expand(m_proxy->index(row, 0));
}

void GroupDetailView::refreshChart()
{
    const double window = windowSeconds();
    const double from = m_now - window;
    const QStringList topics
        = m_group.isEmpty() ? QStringList() : m_history->topics(m_cluster, m_group);

    bool sameGraphs = m_plot->graphCount() == topics.size();
    for (int i = 0; sameGraphs && i < topics.size(); ++i)
        sameGraphs = m_plot->graph(i)->name() == topics[i];
    if (!sameGraphs) {
        m_plot->clearGraphs();
        for (int i = 0; i < topics.size(); ++i) {
            QCPGraph *graph = m_plot->addGraph();
            graph->setName(topics[i]);
            graph->setPen(QPen(topicColor(i), 1.6));
            graph->setAdaptiveSampling(true);
        }
    }
    double top = 0;
    bool anyPoint = false;
    for (int i = 0; i < topics.size(); ++i) {
        const LagSeriesPoints points
            = m_history->topicLag(m_cluster, m_group, topics[i], from, m_now);
        for (const double y : points.y)
            top = std::max(top, y);
        anyPoint = anyPoint || !points.x.isEmpty();
        m_plot->graph(i)->setData(points.x, points.y, true);
        // A line needs two points: the first poll is drawn as a dot.
        m_plot->graph(i)->setScatterStyle(points.x.size() == 1
                                              ? QCPScatterStyle(QCPScatterStyle::ssDisc, 6)
                                              : QCPScatterStyle(QCPScatterStyle::ssNone));
    }
    m_emptyText->setVisible(!anyPoint);
    m_plot->yAxis->setTickLabels(anyPoint);
    auto ticker = m_plot->xAxis->ticker().dynamicCast<QCPAxisTickerDateTime>();
    if (ticker)
        ticker->setDateTimeFormat(window <= 900 ? QStringLiteral("hh:mm:ss")
                                                : QStringLiteral("hh:mm"));
    // A little room on the right, so the newest point is not cut in half by the edge.
    m_plot->xAxis->setRange(from, m_now + window * RightMargin);
    m_plot->yAxis->setRange(0, top > 0 ? top * 1.12 : 1);
    m_plot->legend->setVisible(!topics.isEmpty());
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace veltrix
