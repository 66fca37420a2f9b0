// The consumer lag page, its group detail and the topics view on real widgets, fed
// hand-built snapshots of a small shop: filtering, selection and scroll across
// refreshes, the detail and its chart, notes and poll failures, and pictures of it all.
#include "consumerlagpage.h"
#include "groupdetailview.h"
#include "items/clustertreemodel.h"
#include "items/consumergroupsmodel.h"
#include "items/grouppartitionsmodel.h"
#include "items/kafkatopicsmodel.h"
#include "items/laghistory.h"
#include "mainwindow.h"
#include "topicsview.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QDir>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTabWidget>
#include <QTableView>
#include <QTest>
#include <QTreeView>

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

using namespace veltrix;

namespace {

const QString Cluster = QStringLiteral("shop-kafka");
const QDateTime Start = QDateTime::fromSecsSinceEpoch(1'700'000'000);

struct PartitionPlan
{
    QString topic;
    int partition;
    std::optional<qint64> committed;
    qint64 end;
    LagVerdict verdict = LagVerdict::Ok;
    QString reason = {};
    unsigned flags = 0;
    TimeLagSource source = TimeLagSource::Interpolated;
    qint64 start = 0;
    int leader = 1;
};

PartitionLag makePartition(const PartitionPlan &plan, int member)
{
    PartitionLag p;
    p.topic = plan.topic;
    p.partition = plan.partition;
    p.committed = plan.committed;
    p.endOffset = plan.end;
    p.startOffset = plan.start;
    p.leader = plan.leader;
    p.flags = plan.flags;
    p.verdict = plan.verdict;
    p.verdictReason
        = plan.reason.isEmpty() ? QStringLiteral("lag is steady or shrinking") : plan.reason;
    if (plan.committed) {
        p.lag = plan.end - *plan.committed;
        if (*p.lag <= 0) {
            p.timeLagSource = TimeLagSource::CaughtUp;
            p.timeLagSeconds = 0;
        } else {
            p.timeLagSource = plan.source;
            p.timeLagSeconds = static_cast<double>(*p.lag) / 25.0;
        }
        if (member >= 0) {
            p.memberClientId
                = QStringLiteral("%1-%2").arg(plan.topic.section(u'-', 0, 0)).arg(member);
            p.memberHost = QStringLiteral("/10.0.3.%1").arg(10 + member);
        }
    } else {
        p.flags |= NoCommittedOffset;
        p.verdict = LagVerdict::NoOffset;
        p.verdictReason = QStringLiteral("the group has committed no offset here");
    }
    return p;
}

GroupLag makeGroup(const QString &name, const QString &state, int members,
                   const QList<PartitionPlan> &plans)
{
    GroupLag g;
    g.group = name;
    g.state = state;
    g.memberCount = members;
    g.verdict = LagVerdict::NoOffset;
    const PartitionLag *worst = nullptr;
    for (int i = 0; i < plans.size(); ++i)
        g.partitions << makePartition(plans[i], members > 0 ? i % members : -1);
    for (const PartitionLag &p : g.partitions) {
        if (!g.topics.contains(p.topic))
            g.topics << p.topic;
        if (p.lag)
            g.totalLag += std::max<qint64>(*p.lag, 0);
        if (p.timeLagSeconds && p.timeLagSource != TimeLagSource::CaughtUp
            && *p.timeLagSeconds > g.maxTimeLagSeconds.value_or(-1)) {
            g.maxTimeLagSeconds = p.timeLagSeconds;
            g.maxTimeLagSource = p.timeLagSource;
        }
        if (!worst || p.verdict > worst->verdict)
            worst = &p;
    }
    if (worst) {
        g.verdict = worst->verdict;
        g.verdictReason = QStringLiteral("%1-%2: %3")
                              .arg(worst->topic)
                              .arg(worst->partition)
                              .arg(worst->verdictReason);
    }
    return g;
}

// A shop whose consumers each show one of the verdicts, `tick` polls (2 s) after start.
LagSnapshot shopSnapshot(int tick, const QString &cluster = Cluster)
{
    const QString orders = QStringLiteral("orders");
    const QString payments = QStringLiteral("payments");
    QList<PartitionPlan> billing;
    for (int p = 0; p < 6; ++p) {
        const qint64 end = 120'000 + tick * 50 + p * 7;
        const auto lag = static_cast<qint64>(30 + 10 * p + 25 * std::sin(tick / 20.0 + p));
        billing.append({orders, p, end - lag, end});
    }
    for (int p = 0; p < 3; ++p) {
        const qint64 end = 40'000 + tick * 20 + p;
        const auto lag = static_cast<qint64>(12 + 8 * std::sin(tick / 35.0 + 2 * p));
        billing.append({payments, p, end - lag, end});
    }
    QList<PartitionPlan> shipping;
    for (int p = 0; p < 6; ++p) {
        const qint64 end = 120'000 + tick * 50 + p * 7;
        const qint64 lag = 40 + static_cast<qint64>(tick * (p + 1) * 0.4);
        shipping.append(
            {orders, p, end - lag, end, p >= 4 ? LagVerdict::Warn : LagVerdict::Ok,
             p >= 4 ? QStringLiteral("lag grew in every poll of the 60 s window") : QString()});
    }
    QList<PartitionPlan> fraud;
    for (int p = 0; p < 3; ++p) {
        const qint64 end = 40'000 + tick * 20 + p;
        fraud.append({payments, p, 39'200 + p, end, LagVerdict::Stall,
                      QStringLiteral("committed offset has not moved for 60 s while the log "
                                     "end did"),
                      0, TimeLagSource::MessageTimestamp});
    }
    QList<PartitionPlan> analytics;
    for (int p = 0; p < 4; ++p)
        analytics.append({QStringLiteral("clicks"), p, std::nullopt, 9'000 + tick * 5});
    const QList<PartitionPlan> legacy
        = {{QStringLiteral("orders-dlt"), 0, 120, 950, LagVerdict::OutOfRange,
            QStringLiteral("committed offset 120 is below the log start 800"), OutOfRangeOffset,
            TimeLagSource::Interpolated, 800}};
    const QList<PartitionPlan> retry
        = {{QStringLiteral("payments-retry-5m"), 0, 310, 318, LagVerdict::Pending,
            QStringLiteral("3 polls so far; judging needs the 60 s window")},
           {QStringLiteral("payments-retry-5m"), 1, 290, 290}};
    const QList<PartitionPlan> email
        = {{QStringLiteral("notifications"), 0, 7'404, 7'400, LagVerdict::Warn,
            QStringLiteral("committed offset is past the log end"), NegativeLag},
           {QStringLiteral("notifications"), 1, 6'900, 7'310, LagVerdict::Rewind,
            QStringLiteral("committed offset went back from 7,310 to 6,900")}};
    const QList<PartitionPlan> audit = {{QStringLiteral("audit"), 0, 1'200, 1'730, LagVerdict::Stop,
                                         QStringLiteral("no member and lag 530: nobody consumes")},
                                        {QStringLiteral("audit"),
                                         1,
                                         1'100,
                                         1'100,
                                         LagVerdict::Ok,
                                         {},
                                         NoLeader,
                                         TimeLagSource::Interpolated,
                                         0,
                                         -1}};

    LagSnapshot s;
    s.cluster = cluster;
    s.polledAt = Start.addSecs(2 * tick);
    s.pollMs = 38;
    s.windowSeconds = 60;
    s.groupsNote = QStringLiteral("The brokers do not support ListGroups; showing the 8 group(s) "
                                  "named in the profile.");
    s.groups = {
        makeGroup(QStringLiteral("analytics"), QStringLiteral("Empty"), 0, analytics),
        makeGroup(QStringLiteral("audit-log"), QStringLiteral("Empty"), 0, audit),
        makeGroup(QStringLiteral("billing"), QStringLiteral("Stable"), 3, billing),
        makeGroup(QStringLiteral("email-sender"), QStringLiteral("Stable"), 1, email),
        makeGroup(QStringLiteral("fraud-detector"), QStringLiteral("Stable"), 2, fraud),
        makeGroup(QStringLiteral("legacy-sync"), QStringLiteral("Stable"), 1, legacy),
        makeGroup(QStringLiteral("payments-retry"), QStringLiteral("PreparingRebalance"), 2, retry),
        makeGroup(QStringLiteral("shipping"), QStringLiteral("Stable"), 2, shipping)};

    const auto topic = [&](const QString &name, int partitions, qint64 end, double rate) {
        TopicOffsets t;
        t.name = name;
        if (tick > 0)
            t.messagesPerSecond = rate;
        for (int p = 0; p < partitions; ++p) {
            TopicPartitionOffsets o;
            o.partition = p;
            o.leader = 1 + p % 3;
            o.replicas = {1 + p % 3, 1 + (p + 1) % 3, 1 + (p + 2) % 3};
            o.isr = o.replicas;
            o.startOffset = end / 10;
            o.endOffset = end + p * 7;
            t.partitions << o;
        }
        return t;
    };
    TopicOffsets paymentsTopic = topic(payments, 3, 40'000 + tick * 20, 10);
    paymentsTopic.partitions[2].isr = {1, 2};
    TopicOffsets auditTopic = topic(QStringLiteral("audit"), 2, 1'730, 0.2);
    auditTopic.partitions[1].leader = -1;
    auditTopic.partitions[1].isr.clear();
    TopicOffsets offsetsTopic = topic(QStringLiteral("__consumer_offsets"), 3, 5'000, 1.5);
    offsetsTopic.internal = true;
    s.topics = {offsetsTopic,
                auditTopic,
                topic(QStringLiteral("clicks"), 4, 9'000 + tick * 5, 2.5),
                topic(QStringLiteral("notifications"), 2, 7'400, 0.8),
                topic(orders, 6, 120'000 + tick * 50, 25),
                topic(QStringLiteral("orders-dlt"), 1, 950, 0.1),
                paymentsTopic,
                topic(QStringLiteral("payments-retry-5m"), 2, 318, 0.4)};
    return s;
}

// `count` groups named group-000..., one partition each, lag growing with `tick`.
LagSnapshot manyGroups(int count, int tick, const QStringList &extra = {})
{
    LagSnapshot s;
    s.cluster = Cluster;
    s.polledAt = Start.addSecs(2 * tick);
    QStringList names = extra;
    for (int i = 0; i < count; ++i)
        names << QStringLiteral("group-%1").arg(i, 3, 10, QLatin1Char('0'));
    names.sort();
    for (const QString &name : names)
        s.groups << makeGroup(name, QStringLiteral("Stable"), 1,
                              {{QStringLiteral("orders"), 0, 1000, 1000 + tick + name.size()}});
    return s;
}

// Feeds `ticks` polls and waits until the history has them all.
void feed(ConsumerLagPage &page, int from, int ticks)
{
    QSignalSpy appended(&page, &ConsumerLagPage::historyAppended);
    for (int tick = from; tick < from + ticks; ++tick)
        page.applySnapshot(shopSnapshot(tick));
    QTRY_COMPARE_WITH_TIMEOUT(appended.count(), ticks, 10000);
}

QStringList visibleGroups(const ConsumerLagPage &page)
{
    QStringList names;
    const QAbstractItemModel *model = page.groupsView()->model();
    for (int row = 0; row < model->rowCount(); ++row)
        names << model->index(row, ConsumerGroupsModel::GroupColumn).data().toString();
    return names;
}

// Writes the picture where scripts/test or a developer asked for it; checks it is one.
void keepScreenshot(QWidget &widget, const QString &name)
{
    const QImage image = widget.grab().toImage();
    QVERIFY(!image.isNull());
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 5)
        for (int x = 0; x < image.width(); x += 5)
            colours.insert(image.pixel(x, y));
    QVERIFY2(colours.size() > 20, qPrintable(QString::number(colours.size())));
    const QString dir = qEnvironmentVariable("VELTRIX_SCREENSHOT_DIR");
    if (!dir.isEmpty())
        QVERIFY(image.save(QDir(dir).filePath(name), "PNG"));
}

// Gives `window` one Kafka profile, Cluster, shown in the tree as `topology` says, and
// tells both lag tabs about it.
void setUpKafkaCluster(MainWindow &window, ClusterTopology topology)
{
    ClusterProfile profile;
    profile.name = Cluster;
    profile.kind = ClusterKind::Kafka;
    window.treeModel()->setProfiles({profile});
    topology.clusterName = Cluster;
    window.treeModel()->applyTopology(topology);
    window.lagPage()->setClusters({Cluster});
    window.topicsView()->setClusters({Cluster});
}

} // namespace

class TestLagViews : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void groupsTableShowsTheVerdicts();
    void filterNarrowsTheGroups();
    void selectionAndScrollSurviveRefreshes();
    void detailShowsTheSelectedGroup();
    void chartHasAGraphPerTopicAndAWindow();
    void notesAndPollFailuresAreShown();
    void clusterPickerSwitchesClusters();
    void topicsViewShowsPartitionsWhenShown();
    void clusterTreeOpensTheGroup();
    void bigRefreshIsMergedNotReset();
    void screenshots();
};

void TestLagViews::groupsTableShowsTheVerdicts()
{
    ConsumerLagPage page;
    QAbstractItemModelTester tester(page.groupsProxy(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    page.setClusters({Cluster});
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    feed(page, 0, 3);
    // Sorted worst first by default.
    QCOMPARE(visibleGroups(page).first(), QStringLiteral("legacy-sync"));
    QCOMPARE(visibleGroups(page).last(), QStringLiteral("analytics"));
    const QAbstractItemModel *model = page.groupsView()->model();
    const QModelIndex legacy = model->index(0, ConsumerGroupsModel::VerdictColumn);
    QCOMPARE(legacy.data().toString(), QStringLiteral("OUT_OF_RANGE"));
    QVERIFY(legacy.data(Qt::ToolTipRole).toString().contains(QLatin1String("below the log start")));
    QVERIFY(!legacy.data(Qt::DecorationRole).value<QIcon>().isNull());
    const QModelIndex billing
        = model->index(model->rowCount() - 2, ConsumerGroupsModel::VerdictColumn);
    QCOMPARE(billing.data().toString(), QStringLiteral("OK"));
    QVERIFY(legacy.data(Qt::ForegroundRole).value<QColor>().isValid());
    QVERIFY(legacy.data(Qt::ForegroundRole).value<QColor>()
            != billing.data(Qt::ForegroundRole).value<QColor>());
    const QModelIndex analytics
        = model->index(model->rowCount() - 1, ConsumerGroupsModel::TotalLagColumn);
    QCOMPARE(analytics.data().toString(), QStringLiteral("no offset"));
    const QList<double> trend = model->index(2, ConsumerGroupsModel::TrendColumn)
                                    .data(LagTrendRole)
                                    .value<QList<double>>();
    QCOMPARE(trend.size(), 3);
}

void TestLagViews::filterNarrowsTheGroups()
{
    ConsumerLagPage page;
    page.setClusters({Cluster});
    feed(page, 0, 1);
    QCOMPARE(visibleGroups(page).size(), 8);
    QTest::keyClicks(page.filterEdit(), QStringLiteral("SHIP"));
    QCOMPARE(visibleGroups(page), QStringList({QStringLiteral("shipping")}));
    page.filterEdit()->setText(QStringLiteral("stall")); // verdicts match too
    QCOMPARE(visibleGroups(page), QStringList({QStringLiteral("fraud-detector")}));
    page.filterEdit()->setText(QStringLiteral("payments")); // and topics
    QCOMPARE(visibleGroups(page).size(), 3); // billing, fraud-detector, payments-retry
    // The filter holds across refreshes.
    feed(page, 1, 1);
    QCOMPARE(visibleGroups(page).size(), 3);
    page.filterEdit()->clear();
    QCOMPARE(visibleGroups(page).size(), 8);
}

void TestLagViews::selectionAndScrollSurviveRefreshes()
{
    ConsumerLagPage page;
    page.setClusters({Cluster});
    page.resize(1000, 700);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    page.applySnapshot(manyGroups(80, 0));
    QTableView *view = page.groupsView();
    view->sortByColumn(ConsumerGroupsModel::GroupColumn, Qt::AscendingOrder);

    // Click a row the way an operator does, then scroll.
    const QModelIndex target = view->model()->index(40, ConsumerGroupsModel::GroupColumn);
    view->scrollTo(target);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(target).center());
    QCOMPARE(page.selectedGroup(), QStringLiteral("group-040"));
    QScrollBar *scroll = view->verticalScrollBar();
    QVERIFY(scroll->maximum() > 10);
    scroll->setValue(scroll->maximum() / 2);
    const int position = scroll->value();

    // Lags change everywhere, a group disappears below and another appears at the end.
    QSignalSpy resets(page.groupsModel(), &QAbstractItemModel::modelReset);
    for (int tick = 1; tick <= 3; ++tick) {
        LagSnapshot next = manyGroups(80, tick, {QStringLiteral("zz-new")});
        next.groups.removeAt(70);
        page.applySnapshot(next);
    }
    QCOMPARE(resets.count(), 0);
    QCOMPARE(page.selectedGroup(), QStringLiteral("group-040"));
    QCOMPARE(view->selectionModel()->selectedRows().size(), 1);
    QCOMPARE(scroll->value(), position);
    QCOMPARE(page.detail()->group(), QStringLiteral("group-040"));
    QCOMPARE(view->model()->rowCount(), 80);
}

void TestLagViews::detailShowsTheSelectedGroup()
{
    ConsumerLagPage page;
    page.setClusters({Cluster});
    feed(page, 0, 2);
    // Nothing picked yet: the worst group is shown.
    QCOMPARE(page.selectedGroup(), QStringLiteral("legacy-sync"));
    QCOMPARE(page.detail()->group(), QStringLiteral("legacy-sync"));
    page.selectGroup(Cluster, QStringLiteral("billing"));
    QCOMPARE(page.selectedGroup(), QStringLiteral("billing"));
    GroupPartitionsModel *partitions = page.detail()->partitionsModel();
    QAbstractItemModelTester tester(partitions,
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(partitions->group(), QStringLiteral("billing"));
    QCOMPARE(partitions->rowCount(), 2); // orders, payments
    QCOMPARE(partitions->rowCount(partitions->topicIndex(QStringLiteral("orders"))), 6);

    // A refresh updates the detail in place.
    const QPersistentModelIndex p5 = partitions->partitionIndex(QStringLiteral("orders"), 5);
    const QString before = p5.sibling(p5.row(), GroupPartitionsModel::EndColumn).data().toString();
    feed(page, 2, 1);
    QVERIFY(p5.isValid());
    QVERIFY(p5.sibling(p5.row(), GroupPartitionsModel::EndColumn).data().toString() != before);

    page.selectGroup(Cluster, QStringLiteral("email-sender"));
    QCOMPARE(partitions->group(), QStringLiteral("email-sender"));
    const QModelIndex negative = partitions->partitionIndex(QStringLiteral("notifications"), 0,
                                                            GroupPartitionsModel::LagColumn);
    QCOMPARE(negative.data().toString(), QStringLiteral("-4"));
    page.selectGroup(Cluster, QStringLiteral("analytics"));
    QCOMPARE(
        partitions->partitionIndex(QStringLiteral("clicks"), 0, GroupPartitionsModel::LagColumn)
            .data()
            .toString(),
        QStringLiteral("no offset"));
}

void TestLagViews::chartHasAGraphPerTopicAndAWindow()
{
    ConsumerLagPage page;
    page.setClusters({Cluster});
    page.resize(1100, 760);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    feed(page, 0, 200); // 400 s of polls
    page.selectGroup(Cluster, QStringLiteral("billing"));
    GroupDetailView *detail = page.detail();
    QCustomPlot *chart = detail->chart();
    QCOMPARE(chart->graphCount(), 2);
    QCOMPARE(chart->graph(0)->name(), QStringLiteral("orders"));
    QCOMPARE(chart->graph(1)->name(), QStringLiteral("payments"));

    const double now = Start.toSecsSinceEpoch() + 2 * 199;
    // The window ends at the last poll (plus a sliver of margin for its point).
    detail->setWindowSeconds(300);
    QCOMPARE(chart->xAxis->range().lower, now - 300);
    QVERIFY(chart->xAxis->range().upper >= now && chart->xAxis->range().upper < now + 10);
    QCOMPARE(chart->graph(0)->dataCount(), 151);
    detail->setWindowSeconds(3600);
    QCOMPARE(chart->xAxis->range().lower, now - 3600);
    QCOMPARE(chart->graph(0)->dataCount(), 200); // all of it, still from the raw tier

    // The chart follows new polls.
    feed(page, 200, 1);
    QCOMPARE(chart->xAxis->range().lower, now + 2 - 3600);
    page.selectGroup(Cluster, QStringLiteral("shipping"));
    QCOMPARE(chart->graphCount(), 1);
    // Groups without offsets have no lag to draw: no line at 0.
    QCOMPARE(chart->itemCount(), 1); // the "nothing to draw" text
    QVERIFY(!chart->item(0)->visible());
    page.selectGroup(Cluster, QStringLiteral("analytics"));
    QCOMPARE(chart->graphCount(), 0);
    QVERIFY(chart->item(0)->visible());
}

void TestLagViews::notesAndPollFailuresAreShown()
{
    ConsumerLagPage page;
    page.setClusters({Cluster});
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    QVERIFY(page.pollStatus()->text().startsWith(QLatin1String("Waiting for the first")));
    QVERIFY(!page.notesBanner()->isVisible());

    LagSnapshot s = shopSnapshot(0);
    s.membershipNote = QStringLiteral("DescribeGroups is not supported: states and members are "
                                      "unknown.");
    page.applySnapshot(s);
    QVERIFY(page.notesBanner()->isVisible());
    QVERIFY(page.notesBanner()->text().contains(QLatin1String("do not support ListGroups")));
    QVERIFY(page.notesBanner()->text().contains(QLatin1String("DescribeGroups")));
    QVERIFY(page.pollStatus()->text().startsWith(QLatin1String("Polled ")));

    page.applyPollFailure(Cluster, QStringLiteral("ListOffsets timed out after 5000 ms"));
    const QString stale = page.pollStatus()->text();
    QVERIFY2(stale.startsWith(QStringLiteral("Stale since %1")
                                  .arg(Start.toLocalTime().toString(QStringLiteral("HH:mm:ss")))),
             qPrintable(stale));
    QVERIFY(stale.contains(QLatin1String("ListOffsets timed out")));
    QCOMPARE(visibleGroups(page).size(), 8); // the last data stays, marked stale

    page.applySnapshot(shopSnapshot(1));
    QVERIFY(page.pollStatus()->text().startsWith(QLatin1String("Polled ")));
    QVERIFY(!page.notesBanner()->text().contains(QLatin1String("DescribeGroups")));
}

void TestLagViews::clusterPickerSwitchesClusters()
{
    ConsumerLagPage page;
    page.setClusters({Cluster, QStringLiteral("eu-kafka")});
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    QVERIFY(page.clusterBox()->isVisible());
    page.applySnapshot(shopSnapshot(0));
    LagSnapshot eu = manyGroups(5, 0);
    eu.cluster = QStringLiteral("eu-kafka");
    page.applySnapshot(eu);
    QCOMPARE(page.currentCluster(), Cluster);
    QCOMPARE(visibleGroups(page).size(), 8);
    page.clusterBox()->setCurrentText(QStringLiteral("eu-kafka"));
    QCOMPARE(page.currentCluster(), QStringLiteral("eu-kafka"));
    QCOMPARE(visibleGroups(page).size(), 5);
    QVERIFY(!page.notesBanner()->isVisible());

    ConsumerLagPage single;
    single.setClusters({Cluster});
    single.show();
    QVERIFY(!single.clusterBox()->isVisible());
}

void TestLagViews::topicsViewShowsPartitionsWhenShown()
{
    TopicsView topics;
    QAbstractItemModelTester tester(topics.view()->model(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    topics.setClusters({Cluster});
    topics.applySnapshot(shopSnapshot(0));
    // Hidden: nothing is merged per poll.
    QCOMPARE(topics.model()->rowCount(), 0);
    topics.show();
    QVERIFY(QTest::qWaitForWindowExposed(&topics));
    QCOMPARE(topics.model()->rowCount(), 8);
    QCOMPARE(topics.model()->partitionCount(), 23);
    topics.applySnapshot(shopSnapshot(1));
    const QModelIndex orders
        = topics.model()->topicIndex(QStringLiteral("orders"), KafkaTopicsModel::RateColumn);
    QCOMPARE(orders.data().toString(), QStringLiteral("25.0 msg/s"));
    topics.filterEdit()->setText(QStringLiteral("orders"));
    const QAbstractItemModel *shown = topics.view()->model();
    QCOMPARE(shown->rowCount(), 2); // orders, orders-dlt
    QCOMPARE(shown->rowCount(shown->index(0, 0)), 6); // a shown topic shows its partitions
    topics.selectTopic(Cluster, QStringLiteral("audit")); // filtered out: the filter clears
    QCOMPARE(topics.filterEdit()->text(), QString());
    const QModelIndex current = topics.view()->currentIndex();
    QCOMPARE(current.data(LagKeyRole).toString(), QStringLiteral("audit"));
    QVERIFY(topics.view()->isExpanded(current));
}

void TestLagViews::clusterTreeOpensTheGroup()
{
    MainWindow window;
    ClusterTopology topology;
    topology.groups = {{QStringLiteral("fraud-detector"), QStringLiteral("Stable")}};
    topology.topics = {{QStringLiteral("orders"), 6, false}};
    setUpKafkaCluster(window, topology);
    window.lagPage()->applySnapshot(shopSnapshot(0));
    window.topicsView()->applySnapshot(shopSnapshot(0));
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QCOMPARE(window.tabs()->currentIndex(), 0);

    QTreeView *tree = window.treeView();
    tree->expandAll();
    const QAbstractItemModel *model = tree->model();
    const auto find = [&](const QString &key) {
        const QModelIndexList hits = model->match(model->index(0, 0), ClusterTreeModel::KeyRole,
                                                  key, 1, Qt::MatchRecursive | Qt::MatchExactly);
        return hits.value(0);
    };
    const QModelIndex group = find(QStringLiteral("fraud-detector"));
    QVERIFY(group.isValid());
    QTest::mouseClick(tree->viewport(), Qt::LeftButton, {}, tree->visualRect(group).center());
    QCOMPARE(window.tabs()->currentWidget(), window.lagPage());
    QCOMPARE(window.lagPage()->selectedGroup(), QStringLiteral("fraud-detector"));

    const QModelIndex topic = find(QStringLiteral("orders"));
    QTest::mouseClick(tree->viewport(), Qt::LeftButton, {}, tree->visualRect(topic).center());
    QCOMPARE(window.tabs()->currentWidget(), window.topicsView());
    QCOMPARE(window.topicsView()->view()->currentIndex().data(LagKeyRole).toString(),
             QStringLiteral("orders"));
}

void TestLagViews::bigRefreshIsMergedNotReset()
{
    // 50 groups of 2,000 partitions each (20 topics x 100), every lag moving each poll:
    // the size the GUI must refresh within a frame. Timing is the bench's job; this checks
    // the shape of the work: no resets, and coarse dataChanged ranges instead of one
    // signal per row.
    const auto big = [](int tick) {
        LagSnapshot s;
        s.cluster = Cluster;
        s.polledAt = Start.addSecs(2 * tick);
        for (int g = 0; g < 50; ++g) {
            QList<PartitionPlan> plans;
            for (int t = 0; t < 20; ++t)
                for (int p = 0; p < 100; ++p) {
                    const qint64 end = 100'000 + tick * 10 + p;
                    plans.append({QStringLiteral("topic-%1").arg(t, 2, 10, QLatin1Char('0')), p,
                                  end - (p + g + tick) % 50 - tick, end});
                }
            s.groups << makeGroup(QStringLiteral("group-%1").arg(g, 2, 10, QLatin1Char('0')),
                                  QStringLiteral("Stable"), 4, plans);
        }
        return s;
    };
    ConsumerLagPage page;
    page.setClusters({Cluster});
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    page.applySnapshot(big(0));
    page.selectGroup(Cluster, QStringLiteral("group-07"));
    QCOMPARE(page.detail()->partitionsModel()->rowCount(), 20);

    const LagSnapshot next = big(1);
    QSignalSpy groupResets(page.groupsModel(), &QAbstractItemModel::modelReset);
    QSignalSpy groupChanges(page.groupsModel(), &QAbstractItemModel::dataChanged);
    GroupPartitionsModel *partitions = page.detail()->partitionsModel();
    QSignalSpy partitionResets(partitions, &QAbstractItemModel::modelReset);
    QSignalSpy partitionChanges(partitions, &QAbstractItemModel::dataChanged);
    QSignalSpy partitionInserts(partitions, &QAbstractItemModel::rowsInserted);
    page.applySnapshot(next);
    QCOMPARE(groupResets.count(), 0);
    QCOMPARE(groupChanges.count(), 1); // every group changed: one range
    QCOMPARE(partitionResets.count(), 0);
    QCOMPARE(partitionInserts.count(), 0);
    // One range per topic's partitions, one for the topic rows.
    QCOMPARE(partitionChanges.count(), 21);
    QCOMPARE(page.selectedGroup(), QStringLiteral("group-07"));
    QSignalSpy appended(&page, &ConsumerLagPage::historyAppended);
    QVERIFY(appended.wait(10000));
}

void TestLagViews::screenshots()
{
    MainWindow window;
    ClusterTopology topology;
    topology.groupsNote = shopSnapshot(0).groupsNote;
    for (const GroupLag &g : shopSnapshot(0).groups)
        topology.groups.append({g.group, g.state});
    for (const TopicOffsets &t : shopSnapshot(0).topics)
        topology.topics.append({t.name, int(t.partitions.size()), t.internal});
    setUpKafkaCluster(window, topology);
    window.treeView()->expandAll();
    window.tabs()->setCurrentWidget(window.lagPage());
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    feed(*window.lagPage(), 0, 300); // 10 minutes of polls
    window.topicsView()->applySnapshot(shopSnapshot(299));
    window.lagPage()->selectGroup(Cluster, QStringLiteral("billing"));
    QTest::qWait(50); // the chart replots on the next event loop pass
    keepScreenshot(window, QStringLiteral("lag-billing.png"));

    window.lagPage()->selectGroup(Cluster, QStringLiteral("email-sender"));
    window.lagPage()->detail()->setWindowSeconds(300);
    QTest::qWait(50);
    keepScreenshot(window, QStringLiteral("lag-email-sender.png"));

    window.lagPage()->selectGroup(Cluster, QStringLiteral("legacy-sync"));
    window.lagPage()->applyPollFailure(Cluster,
                                       QStringLiteral("cannot reach Kafka at 127.0.0.1:9092: "
                                                      "Connection refused"));
    QTest::qWait(50);
    keepScreenshot(window, QStringLiteral("lag-stale.png"));

    window.tabs()->setCurrentWidget(window.topicsView());
    QTest::qWait(50);
    window.topicsView()->view()->expandAll();
    keepScreenshot(window, QStringLiteral("topics.png"));
}

QTEST_MAIN(TestLagViews)
#include "tst_lagviews.moc"
