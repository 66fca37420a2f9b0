// The lag item models and the lag history, on hand-built snapshots: refreshes merge
// row by row (persistent indexes survive, no reset), absent values never read as 0,
// sort roles are numbers, and the history stays bounded however long it runs.
#include "items/consumergroupsmodel.h"
#include "items/grouppartitionsmodel.h"
#include "items/kafkatopicsmodel.h"
#include "items/lagformat.h"
#include "items/laghistory.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTest>

#include <algorithm>

using namespace veltrix;

namespace {

const QDateTime T0 = QDateTime::fromSecsSinceEpoch(1'700'000'000, Qt::UTC);

PartitionLag partition(const QString &topic, int number, std::optional<qint64> committed,
                       qint64 end, LagVerdict verdict = LagVerdict::Ok)
{
    PartitionLag p;
    p.topic = topic;
    p.partition = number;
    p.committed = committed;
    p.endOffset = end;
    p.startOffset = 0;
    p.leader = 1;
    p.memberClientId = QStringLiteral("consumer-%1").arg(number % 2);
    p.memberHost = QStringLiteral("/10.0.0.%1").arg(number % 2 + 1);
    if (committed) {
        p.lag = end - *committed;
        p.verdict = verdict;
        p.timeLagSeconds = 12;
        p.timeLagSource = *p.lag <= 0 ? TimeLagSource::CaughtUp : TimeLagSource::Interpolated;
        if (*p.lag < 0)
            p.flags |= NegativeLag;
    } else {
        p.flags |= NoCommittedOffset;
        p.verdict = LagVerdict::NoOffset;
    }
    p.verdictReason = QStringLiteral("because %1-%2").arg(topic).arg(number);
    return p;
}

GroupLag group(const QString &name, const QList<PartitionLag> &partitions)
{
    GroupLag g;
    g.group = name;
    g.state = QStringLiteral("Stable");
    g.memberCount = 2;
    g.partitions = partitions;
    g.verdict = LagVerdict::NoOffset;
    for (const PartitionLag &p : partitions) {
        if (!g.topics.contains(p.topic))
            g.topics << p.topic;
        if (p.lag)
            g.totalLag += std::max<qint64>(*p.lag, 0);
        if (p.timeLagSeconds && *p.timeLagSeconds > g.maxTimeLagSeconds.value_or(-1)) {
            g.maxTimeLagSeconds = p.timeLagSeconds;
            g.maxTimeLagSource = p.timeLagSource;
        }
        g.verdict = worseOf(g.verdict, p.verdict);
    }
    return g;
}

// A group with one partition on "orders" whose lag is `lag`.
GroupLag simpleGroup(const QString &name, qint64 lag, LagVerdict verdict = LagVerdict::Ok)
{
    return group(name, {partition(QStringLiteral("orders"), 0, 1000 - lag, 1000, verdict)});
}

LagSnapshot snapshot(const QList<GroupLag> &groups, const QDateTime &at = T0,
                     const QString &cluster = QStringLiteral("shop-kafka"))
{
    LagSnapshot s;
    s.cluster = cluster;
    s.polledAt = at;
    s.groups = groups;
    return s;
}

QStringList names(std::initializer_list<const char *> list)
{
    QStringList out;
    for (const char *name : list)
        out << QString::fromLatin1(name);
    return out;
}

QStringList groupColumn(const QAbstractItemModel &model)
{
    QStringList names;
    for (int row = 0; row < model.rowCount(); ++row)
        names << model.index(row, ConsumerGroupsModel::GroupColumn).data().toString();
    return names;
}

} // namespace

class TestLagModels : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void formatDuration_data();
    void formatDuration();
    void formatTimeLag_data();
    void formatTimeLag();
    void formatLagNeverShowsAbsentAsZero();
    void flagsInWords_data();
    void flagsInWords();

    void groupsRefreshMergesRowByRow();
    void groupsPersistentIndexSurvivesRefresh();
    void groupsOtherClusterResets();
    void groupsNoOffsetIsItsOwnState();
    void groupsSayWhichTimeLagEstimateTheyShow();
    void groupsSortRolesAreNumbers();
    void groupsTrendComesFromHistory();

    void partitionsShowTopicsAndPartitions();
    void partitionsNoOffsetAndNegativeLag();
    void partitionsOutOfRangeIsLoud();
    void partitionsTimeLagSaysItsSource();
    void partitionsRefreshKeepsPersistentIndexes();
    void partitionsOtherGroupResets();

    void topicsModelShowsReplicationAndRate();
    void topicsRefreshMerges();

    void historyStaysBounded();
    void historyWindowsReturnTheirPoints();
    void historyBucketsKeepASpike();
    void historySumsTopicsAndSkipsNoOffset();
    void historyForgetsGroupsGoneForTheLongestWindow();
    void historyIgnoresTimeGoingBack();
};

void TestLagModels::formatDuration_data()
{
    QTest::addColumn<double>("seconds");
    QTest::addColumn<QString>("text");
    QTest::newRow("sub-second") << 0.4 << QStringLiteral("0.4 s");
    QTest::newRow("seconds") << 12.0 << QStringLiteral("12 s");
    QTest::newRow("minutes pad seconds") << 245.0 << QStringLiteral("4 min 05 s");
    QTest::newRow("hours") << 7380.0 << QStringLiteral("2 h 03 min");
    QTest::newRow("days") << 4.0 * 86400 + 3 * 3600 << QStringLiteral("4 d 3 h");
    QTest::newRow("negative") << -12.0 << QStringLiteral("-12 s");
}

void TestLagModels::formatDuration()
{
    QFETCH(double, seconds);
    QFETCH(QString, text);
    QCOMPARE(veltrix::formatDuration(seconds), text);
}

void TestLagModels::formatTimeLag_data()
{
    QTest::addColumn<std::optional<double>>("seconds");
    QTest::addColumn<int>("source");
    QTest::addColumn<QString>("text");
    QTest::newRow("interpolated") << std::optional<double>(12) << int(TimeLagSource::Interpolated)
                                  << QStringLiteral("≈ 12 s");
    QTest::newRow("message timestamp")
        << std::optional<double>(75) << int(TimeLagSource::MessageTimestamp)
        << QStringLiteral("1 min 15 s (msg ts)");
    QTest::newRow("caught up") << std::optional<double>(0) << int(TimeLagSource::CaughtUp)
                               << QStringLiteral("caught up");
    QTest::newRow("unknown") << std::optional<double>() << int(TimeLagSource::Unknown)
                             << QStringLiteral("—");
    QTest::newRow("interpolated without value")
        << std::optional<double>() << int(TimeLagSource::Interpolated) << QStringLiteral("—");
}

void TestLagModels::formatTimeLag()
{
    QFETCH(std::optional<double>, seconds);
    QFETCH(int, source);
    QFETCH(QString, text);
    QCOMPARE(veltrix::formatTimeLag(seconds, static_cast<TimeLagSource>(source)), text);
}

void TestLagModels::formatLagNeverShowsAbsentAsZero()
{
    QCOMPARE(formatLag(std::nullopt), QStringLiteral("no offset"));
    QCOMPARE(formatLag(0), QStringLiteral("0"));
    QCOMPARE(formatLag(-42), QStringLiteral("-42"));
    QCOMPARE(formatLag(1234567), QStringLiteral("1,234,567"));
    QCOMPARE(formatCommitted(std::nullopt), QStringLiteral("—"));
    QCOMPARE(formatOffset(-1), QStringLiteral("?"));
    QCOMPARE(formatRate(std::nullopt), QStringLiteral("—"));
    QCOMPARE(formatRate(2.25), QStringLiteral("2.3 msg/s"));
    QCOMPARE(formatRate(1520.4), QStringLiteral("1,520 msg/s"));
}

void TestLagModels::flagsInWords_data()
{
    QTest::addColumn<unsigned>("flags");
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("emphasis");
    QTest::newRow("none") << 0u << QString() << int(CellEmphasis::None);
    QTest::newRow("no offset") << unsigned(NoCommittedOffset) << QStringLiteral("no offset")
                               << int(CellEmphasis::Muted);
    QTest::newRow("out of range, worst first")
        << unsigned(NoLeader | OutOfRangeOffset)
        << QStringLiteral("OUT OF RANGE: messages lost to retention; no leader")
        << int(CellEmphasis::Loss);
    QTest::newRow("negative") << unsigned(NegativeLag) << QStringLiteral("negative lag")
                              << int(CellEmphasis::Alarm);
    QTest::newRow("no leader") << unsigned(NoLeader) << QStringLiteral("no leader")
                               << int(CellEmphasis::Alarm);
    QTest::newRow("offsets unavailable")
        << unsigned(OffsetsUnavailable) << QStringLiteral("offsets unavailable")
        << int(CellEmphasis::Warning);
}

void TestLagModels::flagsInWords()
{
    QFETCH(unsigned, flags);
    QFETCH(QString, text);
    QFETCH(int, emphasis);
    QCOMPARE(describeLagFlags(flags), text);
    QCOMPARE(int(lagFlagsEmphasis(flags)), emphasis);
}

void TestLagModels::groupsRefreshMergesRowByRow()
{
    ConsumerGroupsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.applySnapshot(
        snapshot({simpleGroup(QStringLiteral("a"), 1), simpleGroup(QStringLiteral("b"), 2),
                  simpleGroup(QStringLiteral("c"), 3), simpleGroup(QStringLiteral("d"), 4)}));
    QCOMPARE(groupColumn(model), names({"a", "b", "c", "d"}));

    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    // b and c go, e and f come (one run), d's lag changes, a stays the same.
    model.applySnapshot(
        snapshot({simpleGroup(QStringLiteral("a"), 1), simpleGroup(QStringLiteral("d"), 40),
                  simpleGroup(QStringLiteral("e"), 5), simpleGroup(QStringLiteral("f"), 6)}));
    QCOMPARE(groupColumn(model), names({"a", "d", "e", "f"}));
    QCOMPARE(resets.count(), 0);
    QCOMPARE(removed.count(), 1); // b and c are one contiguous run
    QCOMPARE(removed.first().at(1).toInt(), 1);
    QCOMPARE(removed.first().at(2).toInt(), 2);
    QCOMPARE(inserted.count(), 1); // e and f, one run
    QCOMPARE(inserted.first().at(1).toInt(), 2);
    QCOMPARE(inserted.first().at(2).toInt(), 3);
    QCOMPARE(changed.count(), 1); // only d
    QCOMPARE(changed.first().at(0).toModelIndex().row(), 1);
    QCOMPARE(changed.first().at(1).toModelIndex().row(), 1);
    QCOMPARE(model.index(1, ConsumerGroupsModel::TotalLagColumn).data().toString(),
             QStringLiteral("40"));
    QCOMPARE(model.rowOf(QStringLiteral("e")), 2);
    QCOMPARE(model.rowOf(QStringLiteral("b")), -1);

    // The same snapshot again changes nothing.
    changed.clear();
    model.applySnapshot(
        snapshot({simpleGroup(QStringLiteral("a"), 1), simpleGroup(QStringLiteral("d"), 40),
                  simpleGroup(QStringLiteral("e"), 5), simpleGroup(QStringLiteral("f"), 6)}));
    QCOMPARE(changed.count(), 0);
}

void TestLagModels::groupsPersistentIndexSurvivesRefresh()
{
    ConsumerGroupsModel model;
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(LagSortRole);
    proxy.sort(ConsumerGroupsModel::TotalLagColumn, Qt::DescendingOrder);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.applySnapshot(snapshot({simpleGroup(QStringLiteral("billing"), 10),
                                  simpleGroup(QStringLiteral("fraud"), 30),
                                  simpleGroup(QStringLiteral("shipping"), 20)}));
    const QPersistentModelIndex selected = proxy.index(1, 0); // shipping, 20
    QCOMPARE(selected.data(LagKeyRole).toString(), QStringLiteral("shipping"));

    // A group appears before it, another disappears, and shipping's lag grows past fraud.
    model.applySnapshot(
        snapshot({simpleGroup(QStringLiteral("audit"), 1), simpleGroup(QStringLiteral("fraud"), 30),
                  simpleGroup(QStringLiteral("shipping"), 50)}));
    QVERIFY(selected.isValid());
    QCOMPARE(selected.data(LagKeyRole).toString(), QStringLiteral("shipping"));
    QCOMPARE(selected.row(), 0); // re-sorted to the top, still the same group
    QCOMPARE(proxy.rowCount(), 3);
}

void TestLagModels::groupsOtherClusterResets()
{
    ConsumerGroupsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.applySnapshot(snapshot({simpleGroup(QStringLiteral("a"), 1)}));
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    model.applySnapshot(
        snapshot({simpleGroup(QStringLiteral("x"), 1)}, T0, QStringLiteral("other-kafka")));
    QCOMPARE(resets.count(), 1);
    QCOMPARE(model.cluster(), QStringLiteral("other-kafka"));
    QCOMPARE(groupColumn(model), names({"x"}));
}

void TestLagModels::groupsNoOffsetIsItsOwnState()
{
    ConsumerGroupsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    GroupLag unknown = group(QStringLiteral("new-group"),
                             {partition(QStringLiteral("orders"), 0, std::nullopt, 500)});
    unknown.state.clear();
    unknown.memberCount = -1;
    LagSnapshot s = snapshot({unknown});
    s.membershipNote = QStringLiteral("the brokers do not support DescribeGroups");
    model.applySnapshot(s);
    const auto cell
        = [&](int column, int role = Qt::DisplayRole) { return model.index(0, column).data(role); };
    QCOMPARE(cell(ConsumerGroupsModel::TotalLagColumn).toString(), QStringLiteral("no offset"));
    QVERIFY(!cell(ConsumerGroupsModel::TotalLagColumn, LagSortRole).isValid());
    QCOMPARE(cell(ConsumerGroupsModel::VerdictColumn).toString(), QStringLiteral("NO_OFFSET"));
    QCOMPARE(cell(ConsumerGroupsModel::MembersColumn).toString(), QStringLiteral("?"));
    QVERIFY(cell(ConsumerGroupsModel::MembersColumn, Qt::ToolTipRole)
                .toString()
                .contains(QLatin1String("DescribeGroups")));
    QCOMPARE(cell(ConsumerGroupsModel::MaxTimeLagColumn).toString(), QStringLiteral("—"));
    QCOMPARE(cell(ConsumerGroupsModel::TotalLagColumn, LagEmphasisRole).toInt(),
             int(CellEmphasis::Muted));

    GroupLag failed = simpleGroup(QStringLiteral("broken"), 5);
    failed.error = QStringLiteral("OffsetFetch timed out");
    failed.partitions.clear();
    model.applySnapshot(snapshot({failed}));
    QCOMPARE(cell(ConsumerGroupsModel::TotalLagColumn).toString(), QStringLiteral("error"));
    QCOMPARE(cell(ConsumerGroupsModel::TotalLagColumn, Qt::ToolTipRole).toString(),
             QStringLiteral("OffsetFetch timed out"));
    QCOMPARE(cell(ConsumerGroupsModel::TotalLagColumn, LagEmphasisRole).toInt(),
             int(CellEmphasis::Alarm));
}

void TestLagModels::groupsSortRolesAreNumbers()
{
    ConsumerGroupsModel model;
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(LagSortRole);
    GroupLag a = simpleGroup(QStringLiteral("a"), 9);
    GroupLag b = simpleGroup(QStringLiteral("b"), 10, LagVerdict::Stop);
    GroupLag c = simpleGroup(QStringLiteral("c"), 100, LagVerdict::Warn);
    a.memberCount = 12;
    b.memberCount = 3;
    model.applySnapshot(snapshot({a, b, c}));
    const QModelIndex lag = model.index(0, ConsumerGroupsModel::TotalLagColumn);
    QCOMPARE(lag.data(LagSortRole).typeId(), QMetaType::LongLong);
    QCOMPARE(model.index(0, ConsumerGroupsModel::MembersColumn).data(LagSortRole).typeId(),
             QMetaType::Int);
    QCOMPARE(model.index(0, ConsumerGroupsModel::MaxTimeLagColumn).data(LagSortRole).typeId(),
             QMetaType::Double);

    // As text "10" < "100" < "9"; as numbers 9 < 10 < 100.
    proxy.sort(ConsumerGroupsModel::TotalLagColumn, Qt::AscendingOrder);
    QCOMPARE(groupColumn(proxy), names({"a", "b", "c"}));
    proxy.sort(ConsumerGroupsModel::MembersColumn, Qt::AscendingOrder); // 2 < 3 < 12
    QCOMPARE(groupColumn(proxy), names({"c", "b", "a"}));
    // Verdicts sort by severity, not by name ("OK" > "STOP" > "WARN" alphabetically).
    proxy.sort(ConsumerGroupsModel::VerdictColumn, Qt::DescendingOrder);
    QCOMPARE(groupColumn(proxy), names({"b", "c", "a"}));
}

void TestLagModels::groupsTrendComesFromHistory()
{
    LagHistory history;
    ConsumerGroupsModel model;
    model.setHistory(&history);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    for (int i = 0; i < 5; ++i) {
        const LagSnapshot s
            = snapshot({simpleGroup(QStringLiteral("a"), 10 * (i + 1))}, T0.addSecs(2 * i));
        history.append(s);
        model.applySnapshot(s);
    }
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.trendsChanged();
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.first().at(0).toModelIndex().column(), int(ConsumerGroupsModel::TrendColumn));
    const QModelIndex trend = model.index(0, ConsumerGroupsModel::TrendColumn);
    QCOMPARE(trend.data(LagTrendRole).value<QList<double>>(), QList<double>({10, 20, 30, 40, 50}));
    QCOMPARE(trend.data(LagSortRole).toDouble(), 40.0); // growth over the sparkline
}

void TestLagModels::partitionsShowTopicsAndPartitions()
{
    GroupPartitionsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const GroupLag g = group(QStringLiteral("billing"),
                             {partition(QStringLiteral("orders"), 0, 90, 100),
                              partition(QStringLiteral("orders"), 1, 80, 100, LagVerdict::Warn),
                              partition(QStringLiteral("payments"), 0, 5, 5)});
    model.setGroup(QStringLiteral("shop-kafka"), &g);
    QCOMPARE(model.rowCount(), 2);
    const QModelIndex orders = model.topicIndex(QStringLiteral("orders"));
    QCOMPARE(model.rowCount(orders), 2);
    QCOMPARE(orders.data().toString(), QStringLiteral("orders (2)"));
    QCOMPARE(orders.siblingAtColumn(GroupPartitionsModel::LagColumn).data().toString(),
             QStringLiteral("30"));
    QCOMPARE(orders.siblingAtColumn(GroupPartitionsModel::VerdictColumn).data().toString(),
             QStringLiteral("WARN"));
    QVERIFY(orders.siblingAtColumn(GroupPartitionsModel::VerdictColumn)
                .data(Qt::ToolTipRole)
                .toString()
                .startsWith(QLatin1String("1 of 2 partition(s) WARN. Partition 1")));
    QCOMPARE(orders.siblingAtColumn(GroupPartitionsModel::MemberColumn).data().toString(),
             QStringLiteral("2 consumers"));
    const QModelIndex p1 = model.partitionIndex(QStringLiteral("orders"), 1);
    QCOMPARE(p1.parent(), orders);
    QCOMPARE(p1.data().toString(), QStringLiteral("1"));
    QCOMPARE(p1.siblingAtColumn(GroupPartitionsModel::CommittedColumn).data().toString(),
             QStringLiteral("80"));
    QCOMPARE(p1.siblingAtColumn(GroupPartitionsModel::EndColumn).data().toString(),
             QStringLiteral("100"));
    QCOMPARE(p1.siblingAtColumn(GroupPartitionsModel::MemberColumn).data().toString(),
             QStringLiteral("consumer-1 @ /10.0.0.2"));
    QCOMPARE(p1.siblingAtColumn(GroupPartitionsModel::LagColumn).data(LagSortRole).typeId(),
             QMetaType::LongLong);
}

void TestLagModels::partitionsNoOffsetAndNegativeLag()
{
    GroupPartitionsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const GroupLag g = group(QStringLiteral("billing"),
                             {partition(QStringLiteral("orders"), 0, std::nullopt, 100),
                              partition(QStringLiteral("orders"), 1, 105, 100)});
    model.setGroup(QStringLiteral("shop-kafka"), &g);
    const QModelIndex none = model.partitionIndex(QStringLiteral("orders"), 0);
    QCOMPARE(none.siblingAtColumn(GroupPartitionsModel::CommittedColumn).data().toString(),
             QStringLiteral("—"));
    QCOMPARE(none.siblingAtColumn(GroupPartitionsModel::LagColumn).data().toString(),
             QStringLiteral("no offset"));
    QVERIFY(!none.siblingAtColumn(GroupPartitionsModel::LagColumn).data(LagSortRole).isValid());
    QCOMPARE(none.siblingAtColumn(GroupPartitionsModel::TimeLagColumn).data().toString(),
             QStringLiteral("—"));

    const QModelIndex negative = model.partitionIndex(QStringLiteral("orders"), 1);
    const QModelIndex lag = negative.siblingAtColumn(GroupPartitionsModel::LagColumn);
    QCOMPARE(lag.data().toString(), QStringLiteral("-5"));
    QCOMPARE(lag.data(LagSortRole).toLongLong(), -5);
    QCOMPARE(lag.data(LagEmphasisRole).toInt(), int(CellEmphasis::Alarm));
    QVERIFY(negative.siblingAtColumn(GroupPartitionsModel::FlagsColumn)
                .data()
                .toString()
                .contains(QLatin1String("negative lag")));
    // The topic adds only positive lags; with one partition lacking an offset it has a sum.
    QCOMPARE(model.topicIndex(QStringLiteral("orders"), GroupPartitionsModel::LagColumn)
                 .data()
                 .toString(),
             QStringLiteral("0"));
    QCOMPARE(model.topicIndex(QStringLiteral("orders"), GroupPartitionsModel::FlagsColumn)
                 .data()
                 .toString(),
             QStringLiteral("negative lag; no offset"));
}

void TestLagModels::partitionsOutOfRangeIsLoud()
{
    GroupPartitionsModel model;
    PartitionLag lost = partition(QStringLiteral("orders"), 0, 10, 5000, LagVerdict::OutOfRange);
    lost.startOffset = 2000;
    lost.flags |= OutOfRangeOffset;
    const GroupLag g = group(QStringLiteral("legacy"), {lost});
    model.setGroup(QStringLiteral("shop-kafka"), &g);
    const QModelIndex p = model.partitionIndex(QStringLiteral("orders"), 0);
    const QModelIndex flags = p.siblingAtColumn(GroupPartitionsModel::FlagsColumn);
    QCOMPARE(flags.data().toString(), QStringLiteral("OUT OF RANGE: messages lost to retention"));
    QCOMPARE(flags.data(LagEmphasisRole).toInt(), int(CellEmphasis::Loss));
    QCOMPARE(p.siblingAtColumn(GroupPartitionsModel::LagColumn).data(LagEmphasisRole).toInt(),
             int(CellEmphasis::Loss));
    QVERIFY(p.siblingAtColumn(GroupPartitionsModel::LagColumn)
                .data(Qt::ToolTipRole)
                .toString()
                .contains(QLatin1String("below the log start 2,000")));
    QCOMPARE(p.siblingAtColumn(GroupPartitionsModel::VerdictColumn).data(LagVerdictRole).toInt(),
             int(LagVerdict::OutOfRange));
}

void TestLagModels::partitionsTimeLagSaysItsSource()
{
    GroupPartitionsModel model;
    PartitionLag interpolated = partition(QStringLiteral("orders"), 0, 90, 100);
    interpolated.timeLagSeconds = 42;
    PartitionLag fromMessage = partition(QStringLiteral("orders"), 1, 50, 100);
    fromMessage.timeLagSeconds = 300;
    fromMessage.timeLagSource = TimeLagSource::MessageTimestamp;
    PartitionLag caughtUp = partition(QStringLiteral("orders"), 2, 100, 100);
    const GroupLag g = group(QStringLiteral("billing"), {interpolated, fromMessage, caughtUp});
    model.setGroup(QStringLiteral("shop-kafka"), &g);
    const auto timeLag = [&](int p) {
        return model.partitionIndex(QStringLiteral("orders"), p,
                                    GroupPartitionsModel::TimeLagColumn);
    };
    QCOMPARE(timeLag(0).data().toString(), QStringLiteral("≈ 42 s"));
    QVERIFY(timeLag(0).data(Qt::ToolTipRole).toString().contains(QLatin1String("Interpolated")));
    QCOMPARE(timeLag(1).data().toString(), QStringLiteral("5 min 00 s (msg ts)"));
    QVERIFY(timeLag(1).data(Qt::ToolTipRole).toString().contains(QLatin1String("timestamp")));
    QCOMPARE(timeLag(2).data().toString(), QStringLiteral("caught up"));
    // The topic shows its largest time lag, with that partition's estimate.
    QCOMPARE(model.topicIndex(QStringLiteral("orders"), GroupPartitionsModel::TimeLagColumn)
                 .data()
                 .toString(),
             QStringLiteral("5 min 00 s (msg ts)"));
}

void TestLagModels::partitionsRefreshKeepsPersistentIndexes()
{
    GroupPartitionsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const auto orders = [](int p, qint64 committed) {
        return partition(QStringLiteral("orders"), p, committed, 100);
    };
    const GroupLag before = group(QStringLiteral("billing"),
                                  {orders(0, 90), orders(1, 90), orders(2, 90), orders(3, 90)});
    model.setGroup(QStringLiteral("shop-kafka"), &before);
    const QPersistentModelIndex three = model.partitionIndex(QStringLiteral("orders"), 3);
    const QPersistentModelIndex topic = model.topicIndex(QStringLiteral("orders"));

    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    // A topic sorts in before "orders", partition 1 goes, partition 3's lag changes.
    const GroupLag after = group(
        QStringLiteral("billing"),
        {partition(QStringLiteral("audit"), 0, 1, 1), orders(0, 90), orders(2, 90), orders(3, 40)});
    model.setGroup(QStringLiteral("shop-kafka"), &after);
    QCOMPARE(resets.count(), 0);
    QVERIFY(three.isValid());
    QCOMPARE(three.row(), 2);
    QCOMPARE(three.data(LagKeyRole).toInt(), 3);
    QCOMPARE(three.parent().data(LagKeyRole).toString(), QStringLiteral("orders"));
    QCOMPARE(topic.row(), 1);
    QCOMPARE(three.sibling(three.row(), GroupPartitionsModel::LagColumn).data().toString(),
             QStringLiteral("60"));
    // dataChanged for partition 3 and for the orders summary; nothing else changed.
    QCOMPARE(changed.count(), 2);
}

void TestLagModels::partitionsOtherGroupResets()
{
    GroupPartitionsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const GroupLag a = simpleGroup(QStringLiteral("a"), 1);
    const GroupLag b
        = group(QStringLiteral("b"),
                {partition(QStringLiteral("x"), 0, 1, 2), partition(QStringLiteral("y"), 0, 1, 2)});
    model.setGroup(QStringLiteral("shop-kafka"), &a);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    model.setGroup(QStringLiteral("shop-kafka"), &b);
    QCOMPARE(resets.count(), 1);
    QCOMPARE(model.rowCount(), 2);
    model.clear();
    QCOMPARE(model.rowCount(), 0);
    QVERIFY(model.group().isEmpty());
}

void TestLagModels::topicsModelShowsReplicationAndRate()
{
    KafkaTopicsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    TopicOffsets orders;
    orders.name = QStringLiteral("orders");
    orders.messagesPerSecond = 12.5;
    orders.partitions = {{0, 1, {1, 2, 3}, {1, 2, 3}, 100, 1100}, {1, -1, {2, 3, 1}, {2}, 0, 500}};
    TopicOffsets internal;
    internal.name = QStringLiteral("__consumer_offsets");
    internal.internal = true;
    internal.partitions = {{0, 1, {1}, {1}, -1, -1}};
    LagSnapshot s = snapshot({});
    s.topics = {internal, orders};
    model.applySnapshot(s);

    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.partitionCount(), 3);
    const QModelIndex topic = model.topicIndex(QStringLiteral("orders"));
    const auto cell = [&](const QModelIndex &row, int column, int role = Qt::DisplayRole) {
        return row.siblingAtColumn(column).data(role);
    };
    QCOMPARE(cell(topic, KafkaTopicsModel::RateColumn).toString(), QStringLiteral("12.5 msg/s"));
    QCOMPARE(cell(topic, KafkaTopicsModel::MessagesColumn).toString(), QStringLiteral("1,500"));
    QCOMPARE(cell(topic, KafkaTopicsModel::ReplicasColumn).toString(), QStringLiteral("RF 3"));
    QCOMPARE(cell(topic, KafkaTopicsModel::LeaderColumn).toString(),
             QStringLiteral("1 without leader"));
    QCOMPARE(cell(topic, KafkaTopicsModel::IsrColumn).toString(),
             QStringLiteral("1 under-replicated"));
    const QModelIndex leaderless = model.index(1, 0, topic);
    QCOMPARE(cell(leaderless, KafkaTopicsModel::LeaderColumn).toString(), QStringLiteral("none"));
    QCOMPARE(cell(leaderless, KafkaTopicsModel::LeaderColumn, LagEmphasisRole).toInt(),
             int(CellEmphasis::Alarm));
    QCOMPARE(cell(leaderless, KafkaTopicsModel::ReplicasColumn).toString(),
             QStringLiteral("2, 3, 1"));
    QCOMPARE(cell(leaderless, KafkaTopicsModel::IsrColumn, LagEmphasisRole).toInt(),
             int(CellEmphasis::Warning));
    QCOMPARE(cell(model.index(0, 0, topic), KafkaTopicsModel::StartColumn).toString(),
             QStringLiteral("100"));
    const QModelIndex offsets = model.topicIndex(QStringLiteral("__consumer_offsets"));
    QCOMPARE(offsets.data().toString(), QStringLiteral("__consumer_offsets (internal)"));
    QCOMPARE(cell(model.index(0, 0, offsets), KafkaTopicsModel::EndColumn).toString(),
             QStringLiteral("?"));
    QCOMPARE(cell(offsets, KafkaTopicsModel::RateColumn).toString(), QStringLiteral("—"));
}

void TestLagModels::topicsRefreshMerges()
{
    KafkaTopicsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const auto topic = [](const QString &name, int partitions, qint64 end) {
        TopicOffsets t;
        t.name = name;
        for (int p = 0; p < partitions; ++p)
            t.partitions.append({p, 1, {1}, {1}, 0, end});
        return t;
    };
    LagSnapshot s = snapshot({});
    s.topics = {topic(QStringLiteral("b"), 3, 10), topic(QStringLiteral("c"), 2, 10)};
    model.applySnapshot(s);
    const QPersistentModelIndex c1 = model.index(1, 0, model.topicIndex(QStringLiteral("c")));
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    s.topics = {topic(QStringLiteral("a"), 1, 10), topic(QStringLiteral("c"), 3, 20)};
    model.applySnapshot(s);
    QCOMPARE(resets.count(), 0);
    QVERIFY(c1.isValid());
    QCOMPARE(c1.data(LagKeyRole).toInt(), 1);
    QCOMPARE(c1.parent().data(LagKeyRole).toString(), QStringLiteral("c"));
    QCOMPARE(c1.sibling(c1.row(), KafkaTopicsModel::EndColumn).data().toString(),
             QStringLiteral("20"));
    QCOMPARE(model.rowCount(model.topicIndex(QStringLiteral("c"))), 3);
    QCOMPARE(model.rowCount(), 2);
}

void TestLagModels::historyStaysBounded()
{
    LagHistory history;
    const QList<GroupLag> groups = {group(QStringLiteral("a"),
                                          {partition(QStringLiteral("orders"), 0, 0, 10),
                                           partition(QStringLiteral("payments"), 0, 0, 10)}),
                                    simpleGroup(QStringLiteral("b"), 5)};
    const size_t perSeries
        = LagSeries::RawCapacity + LagSeries::MediumCapacity + 1 + LagSeries::CoarseCapacity + 1;
    // 30,000 polls at 2 s: almost 17 hours, far past every tier's capacity.
    for (int i = 0; i < 30000; ++i)
        history.append(snapshot(groups, T0.addSecs(2 * i)));
    QCOMPARE(history.seriesCount(), 2 + 3); // two totals, three (group, topic) series
    QVERIFY2(history.storedPoints() <= 5 * perSeries,
             qPrintable(QString::number(history.storedPoints())));
    QVERIFY(history.storedPoints() >= 5 * (perSeries - 2)); // and it is full, not empty
    QCOMPARE(history.recentTotals(QStringLiteral("shop-kafka"), QStringLiteral("b"), 1000).size(),
             qsizetype(LagSeries::RawCapacity));
}

void TestLagModels::historyWindowsReturnTheirPoints()
{
    LagHistory history;
    const QString cluster = QStringLiteral("shop-kafka");
    const QString g = QStringLiteral("a");
    for (int i = 0; i < 1000; ++i) // 2,000 s of polls, total lag = i
        history.append(snapshot({simpleGroup(g, i)}, T0.addSecs(2 * i)));
    const double now = T0.toSecsSinceEpoch() + 2 * 999;

    // 5 min from the raw tier: every sample, 2 s apart, both ends included.
    const LagSeriesPoints five = history.groupTotal(cluster, g, now - 300, now);
    QCOMPARE(five.x.size(), 151);
    QCOMPARE(five.x.first(), now - 300);
    QCOMPARE(five.x.last(), now);
    QCOMPARE(five.y.last(), 999.0);
    QCOMPARE(five.y.first(), 849.0);
    QVERIFY(std::is_sorted(five.x.cbegin(), five.x.cend()));

    // 1 h reaches past the raw tier (450 samples = 900 s): 10 s buckets, min and max each.
    const LagSeriesPoints hour = history.groupTotal(cluster, g, now - 3600, now);
    QVERIFY(std::is_sorted(hour.x.cbegin(), hour.x.cend()));
    QVERIFY2(hour.x.size() <= 2 * 201, qPrintable(QString::number(hour.x.size())));
    QCOMPARE(hour.y.first(), 0.0); // reaches back to the first sample
    QCOMPARE(hour.y.last(), 999.0);
    QCOMPARE(hour.x.last(), now);

    // The topic series and a window in the past.
    const LagSeriesPoints topic
        = history.topicLag(cluster, g, QStringLiteral("orders"), now - 60, now);
    QCOMPARE(topic.x.size(), 31);
    QVERIFY(history.groupTotal(cluster, QStringLiteral("nobody"), now - 300, now).x.isEmpty());
    QCOMPARE(history.topics(cluster, g), names({"orders"}));
}

void TestLagModels::historyBucketsKeepASpike()
{
    LagHistory history;
    const QString cluster = QStringLiteral("shop-kafka");
    const QString g = QStringLiteral("a");
    const int polls = 9000; // 5 h at 2 s: the spike falls out of the raw and 1 h tiers
    for (int i = 0; i < polls; ++i)
        history.append(snapshot({simpleGroup(g, i == 100 ? 1'000'000 : 10)}, T0.addSecs(2 * i)));
    const double now = T0.toSecsSinceEpoch() + 2 * (polls - 1);
    const LagSeriesPoints window = history.groupTotal(cluster, g, now - 6 * 3600, now);
    QCOMPARE(*std::max_element(window.y.cbegin(), window.y.cend()), 1'000'000.0);
    QCOMPARE(*std::min_element(window.y.cbegin(), window.y.cend()), 10.0);
    const qsizetype spikeAt = window.y.indexOf(1'000'000.0);
    QCOMPARE(window.x[spikeAt], T0.toSecsSinceEpoch() + 200.0); // drawn where it happened
    QVERIFY2(window.x.size() <= 2 * qsizetype(LagSeries::CoarseCapacity + 1),
             qPrintable(QString::number(window.x.size())));
    QVERIFY(std::is_sorted(window.x.cbegin(), window.x.cend()));
}

void TestLagModels::historySumsTopicsAndSkipsNoOffset()
{
    LagHistory history;
    const QString cluster = QStringLiteral("shop-kafka");
    const GroupLag g = group(QStringLiteral("billing"),
                             {partition(QStringLiteral("orders"), 0, 90, 100),
                              partition(QStringLiteral("orders"), 1, 105, 100), // -5 counts 0
                              partition(QStringLiteral("orders"), 2, 70, 100),
                              partition(QStringLiteral("fresh"), 0, std::nullopt, 100)});
    history.append(snapshot({g}));
    const double t = T0.toSecsSinceEpoch();
    const LagSeriesPoints orders
        = history.topicLag(cluster, QStringLiteral("billing"), QStringLiteral("orders"), t - 1, t);
    QCOMPARE(orders.y, QList<double>({40}));
    // No partition of "fresh" has an offset: no series, rather than a line at 0.
    QCOMPARE(history.topics(cluster, QStringLiteral("billing")), names({"orders"}));
    QCOMPARE(history.groupTotal(cluster, QStringLiteral("billing"), t - 1, t).y,
             QList<double>({40}));

    const GroupLag none
        = group(QStringLiteral("new"), {partition(QStringLiteral("orders"), 0, std::nullopt, 100)});
    history.append(snapshot({none}, T0.addSecs(2)));
    QVERIFY(history.groupTotal(cluster, QStringLiteral("new"), t, t + 2).x.isEmpty());
}

void TestLagModels::historyForgetsGroupsGoneForTheLongestWindow()
{
    LagHistory history;
    history.append(snapshot(
        {simpleGroup(QStringLiteral("gone"), 1), simpleGroup(QStringLiteral("stays"), 1)}));
    QCOMPARE(history.seriesCount(), 4);
    history.append(snapshot({simpleGroup(QStringLiteral("stays"), 1)}, T0.addSecs(3600)));
    QCOMPARE(history.seriesCount(), 4); // an hour away: its history still shows
    history.append(snapshot({simpleGroup(QStringLiteral("stays"), 1)}, T0.addSecs(7 * 3600)));
    QCOMPARE(history.seriesCount(), 2);
    history.forgetCluster(QStringLiteral("shop-kafka"));
    QCOMPARE(history.seriesCount(), 0);
}

void TestLagModels::historyIgnoresTimeGoingBack()
{
    LagSeries series;
    series.append(100, 1);
    series.append(102, 2);
    series.append(101, 3); // the clock stepped back: dropped, x stays sorted
    series.append(102, 4);
    series.append(104, 5);
    const LagSeriesPoints all = series.window(0, 1000);
    QCOMPARE(all.x, QList<double>({100, 102, 104}));
    QCOMPARE(all.y, QList<double>({1, 2, 5}));
}

void TestLagModels::groupsSayWhichTimeLagEstimateTheyShow()
{
    ConsumerGroupsModel model;
    GroupLag viaTimestamp = simpleGroup(QStringLiteral("b-stuck"), 40);
    viaTimestamp.maxTimeLagSource = TimeLagSource::MessageTimestamp;
    model.applySnapshot(snapshot({simpleGroup(QStringLiteral("a-live"), 40), viaTimestamp}));
    const auto maxTimeLag = [&](int row, int role = Qt::DisplayRole) {
        return model.index(row, ConsumerGroupsModel::MaxTimeLagColumn).data(role).toString();
    };
    QCOMPARE(maxTimeLag(0), QStringLiteral("≈ 12 s"));
    QCOMPARE(maxTimeLag(1), QStringLiteral("12 s (msg ts)"));
    QVERIFY2(maxTimeLag(0, Qt::ToolTipRole).contains(QLatin1String("nterpolat")),
             qPrintable(maxTimeLag(0, Qt::ToolTipRole)));
}

QTEST_GUILESS_MAIN(TestLagModels)
#include "tst_lagmodels.moc"
