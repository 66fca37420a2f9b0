// From observations to snapshots: every lag figure, flag and time-lag estimate the
// tracker derives, on hand-made polls.
#include "lag/lagtracker.h"

#include <QTest>

using namespace veltrix;

namespace {

const QDateTime T0 = QDateTime::fromMSecsSinceEpoch(1'700'000'000'000, Qt::UTC);

TopicOffsets topic(const QString &name, QList<std::pair<qint64, qint64>> startEnd, int leader = 1)
{
    TopicOffsets t;
    t.name = name;
    for (int p = 0; p < startEnd.size(); ++p)
        t.partitions.append(
            {p, leader, {1, 2, 3}, {1, 2, 3}, startEnd[p].first, startEnd[p].second});
    return t;
}

ObservedGroup group(const QString &name, QHash<TopicPartition, qint64> committed)
{
    ObservedGroup g;
    g.group = name;
    g.committed = std::move(committed);
    return g;
}

TopicPartition tp(const char *topic, int partition)
{
    return {QString::fromLatin1(topic), partition};
}

const PartitionLag &partitionOf(const LagSnapshot &snapshot, const QString &groupName,
                                const TopicPartition &key)
{
    const GroupLag *g = snapshot.group(groupName);
    Q_ASSERT(g);
    for (const PartitionLag &p : g->partitions)
        if (p.key() == key)
            return p;
    qFatal("partition not in snapshot");
}

LagSettings shortWindow()
{
    LagSettings settings;
    settings.window = std::chrono::seconds(10);
    return settings;
}

} // namespace

class TestLagTracker : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void lagFiguresAndFlags();
    void groupsSpanEveryPartitionOfTheirTopics();
    void timeLagFromMessageTimestampThenInterpolated();
    void groupTakesItsWorstPartition();
    void membershipSeparatesStallFromStop();
    void aGroupThatComesBackStartsFresh();
    void topicRatesAndSnapshotMetadata();
};

void TestLagTracker::lagFiguresAndFlags()
{
    LagTracker tracker(QStringLiteral("k"));
    LagObservation o;
    o.at = T0;
    o.topics = {topic(QStringLiteral("orders"), {{0, 100}, {500, 900}, {0, 40}, {0, 70}})};
    o.topics[0].partitions[3].leader = -1;
    o.topics[0].partitions[3].startOffset = -1;
    o.topics[0].partitions[3].endOffset = -1;
    o.groups = {group(QStringLiteral("billing"),
                      {{tp("orders", 0), 60},
                       {tp("orders", 1), 120},
                       {tp("orders", 2), 55},
                       {tp("orders", 3), 10}})};
    const LagSnapshot s = tracker.update(o, 7);

    const PartitionLag &p0 = partitionOf(s, QStringLiteral("billing"), tp("orders", 0));
    QCOMPARE(p0.committed, std::optional<qint64>(60));
    QCOMPARE(p0.lag, std::optional<qint64>(40));
    QCOMPARE(p0.flags, 0u);

    const PartitionLag &p1 = partitionOf(s, QStringLiteral("billing"), tp("orders", 1));
    QCOMPARE(p1.lag, std::optional<qint64>(780));
    QCOMPARE(lagFlagNames(p1.flags), QStringList {QStringLiteral("out_of_range")});
    QCOMPARE(p1.verdict, LagVerdict::OutOfRange);

    const PartitionLag &p2 = partitionOf(s, QStringLiteral("billing"), tp("orders", 2));
    QCOMPARE(p2.lag, std::optional<qint64>(-15)); // never clamped
    QCOMPARE(lagFlagNames(p2.flags), QStringList {QStringLiteral("negative_lag")});

    const PartitionLag &p3 = partitionOf(s, QStringLiteral("billing"), tp("orders", 3));
    QCOMPARE(p3.lag, std::nullopt);
    QCOMPARE(lagFlagNames(p3.flags), QStringList {QStringLiteral("no_leader")});

    const GroupLag *g = s.group(QStringLiteral("billing"));
    QCOMPARE(g->totalLag, 40 + 780); // positive lags only
    QCOMPARE(g->memberCount, -1); // unknown, not zero
    QCOMPARE(s.pollMs, 7);
}

void TestLagTracker::groupsSpanEveryPartitionOfTheirTopics()
{
    LagTracker tracker(QStringLiteral("k"));
    LagObservation o;
    o.at = T0;
    o.topics = {topic(QStringLiteral("orders"), {{0, 10}, {0, 20}, {0, 30}}),
                topic(QStringLiteral("payments"), {{0, 5}})};
    o.groups = {group(QStringLiteral("billing"), {{tp("orders", 1), 20}})};
    ObservedGroup members = group(QStringLiteral("shipping"), {});
    members.membershipKnown = true;
    members.state = QStringLiteral("Stable");
    members.members
        = {{QStringLiteral("ship-1"), QStringLiteral("/10.0.0.7"), {tp("payments", 0)}}};
    o.groups.append(members);
    const LagSnapshot s = tracker.update(o, 1);

    const GroupLag *billing = s.group(QStringLiteral("billing"));
    QCOMPARE(billing->topics, QStringList {QStringLiteral("orders")});
    QCOMPARE(billing->partitions.size(), 3);
    const PartitionLag &none = partitionOf(s, QStringLiteral("billing"), tp("orders", 0));
    QCOMPARE(none.committed, std::nullopt);
    QCOMPARE(none.lag, std::nullopt); // not 0, not 10
    QCOMPARE(none.verdict, LagVerdict::NoOffset);
    QCOMPARE(lagFlagNames(none.flags), QStringList {QStringLiteral("no_offset")});

    // Assigned but never committed: still listed, with its owner.
    const PartitionLag &owned = partitionOf(s, QStringLiteral("shipping"), tp("payments", 0));
    QCOMPARE(owned.memberClientId, QStringLiteral("ship-1"));
    QCOMPARE(owned.memberHost, QStringLiteral("/10.0.0.7"));
    QCOMPARE(s.group(QStringLiteral("shipping"))->memberCount, 1);
    QCOMPARE(s.group(QStringLiteral("shipping"))->state, QStringLiteral("Stable"));
}

void TestLagTracker::timeLagFromMessageTimestampThenInterpolated()
{
    LagTracker tracker(QStringLiteral("k"));
    LagObservation o;
    o.at = T0;
    o.topics = {topic(QStringLiteral("orders"), {{0, 1000}})};
    o.groups = {group(QStringLiteral("billing"), {{tp("orders", 0), 400}})};

    // First poll: no history; the tracker asks for the message at the committed offset.
    const auto wanted = tracker.timestampsWanted(o);
    QCOMPARE(wanted.size(), 1);
    QCOMPARE(wanted[0].partition, tp("orders", 0));
    QCOMPARE(wanted[0].offset, 400);
    tracker.addMessageTimestamp(tp("orders", 0), 400, T0.toMSecsSinceEpoch() - 90'000);
    LagSnapshot s = tracker.update(o, 1);
    PartitionLag p = partitionOf(s, QStringLiteral("billing"), tp("orders", 0));
    QCOMPARE(p.timeLagSource, TimeLagSource::MessageTimestamp);
    QCOMPARE(p.timeLagSeconds, std::optional<double>(90.0));
    QCOMPARE(s.group(QStringLiteral("billing"))->maxTimeLagSeconds, std::optional<double>(90.0));
    QCOMPARE(s.group(QStringLiteral("billing"))->maxTimeLagSource, TimeLagSource::MessageTimestamp);

    // The consumer moves to 1100 while the log grows 1000 → 1200 over 2 s: message
    // 1100 was appended ~1 s after the first poll: interpolated, no fetch wanted.
    o.at = T0.addMSecs(2000);
    o.topics = {topic(QStringLiteral("orders"), {{0, 1200}})};
    o.groups = {group(QStringLiteral("billing"), {{tp("orders", 0), 1100}})};
    QVERIFY(tracker.timestampsWanted(o).isEmpty());
    s = tracker.update(o, 1);
    p = partitionOf(s, QStringLiteral("billing"), tp("orders", 0));
    QCOMPARE(p.timeLagSource, TimeLagSource::Interpolated);
    QCOMPARE(p.timeLagSeconds, std::optional<double>(0.99)); // appended at T0 + 1.01 s
    QCOMPARE(s.group(QStringLiteral("billing"))->maxTimeLagSource, TimeLagSource::Interpolated);

    // Caught up: zero seconds, and said so.
    o.at = T0.addMSecs(4000);
    o.groups = {group(QStringLiteral("billing"), {{tp("orders", 0), 1200}})};
    s = tracker.update(o, 1);
    p = partitionOf(s, QStringLiteral("billing"), tp("orders", 0));
    QCOMPARE(p.timeLagSource, TimeLagSource::CaughtUp);
    QCOMPARE(p.timeLagSeconds, std::optional<double>(0.0));
}

void TestLagTracker::groupTakesItsWorstPartition()
{
    LagTracker tracker(QStringLiteral("k"));
    LagObservation o;
    o.at = T0;
    o.topics = {topic(QStringLiteral("orders"), {{0, 100}, {300, 400}})};
    o.groups = {group(QStringLiteral("billing"), {{tp("orders", 0), 100}, {tp("orders", 1), 250}})};
    const LagSnapshot s = tracker.update(o, 1);
    const GroupLag *g = s.group(QStringLiteral("billing"));
    QCOMPARE(partitionOf(s, QStringLiteral("billing"), tp("orders", 0)).verdict, LagVerdict::Ok);
    QCOMPARE(g->verdict, LagVerdict::OutOfRange);
    QVERIFY2(g->verdictReason.startsWith(QStringLiteral("orders-1: out of range")),
             qPrintable(g->verdictReason));
}

void TestLagTracker::membershipSeparatesStallFromStop()
{
    LagTracker tracker(QStringLiteral("k"), shortWindow());
    LagSnapshot s;
    for (int i = 0; i <= 6; ++i) { // 12 s of a stuck consumer, window 10 s
        LagObservation o;
        o.at = T0.addMSecs(i * 2000);
        o.topics = {topic(QStringLiteral("orders"), {{0, 500 + i * 10}, {0, 500 + i * 10}})};
        ObservedGroup owned
            = group(QStringLiteral("billing"), {{tp("orders", 0), 100}, {tp("orders", 1), 100}});
        owned.membershipKnown = true;
        owned.members = {{QStringLiteral("c1"), QStringLiteral("/h1"), {tp("orders", 0)}}};
        o.groups = {owned};
        tracker.addMessageTimestamp(tp("orders", 0), 100, T0.toMSecsSinceEpoch() - 60'000);
        tracker.addMessageTimestamp(tp("orders", 1), 100, T0.toMSecsSinceEpoch() - 60'000);
        s = tracker.update(o, 1);
    }
    QCOMPARE(partitionOf(s, QStringLiteral("billing"), tp("orders", 0)).verdict, LagVerdict::Stall);
    QCOMPARE(partitionOf(s, QStringLiteral("billing"), tp("orders", 1)).verdict, LagVerdict::Stop);
    QCOMPARE(s.group(QStringLiteral("billing"))->verdict, LagVerdict::Stop);
}

void TestLagTracker::aGroupThatComesBackStartsFresh()
{
    LagTracker tracker(QStringLiteral("k"), shortWindow());
    auto poll = [&](int second, std::optional<qint64> committed) {
        LagObservation o;
        o.at = T0.addSecs(second);
        o.topics = {topic(QStringLiteral("orders"), {{0, 1000}})};
        if (committed)
            o.groups = {group(QStringLiteral("billing"), {{tp("orders", 0), *committed}})};
        return tracker.update(o, 1);
    };
    poll(0, 500);
    QCOMPARE(poll(2, 200).group(QStringLiteral("billing"))->verdict, LagVerdict::Rewind);
    QVERIFY(poll(4, std::nullopt).groups.isEmpty()); // group gone: its window goes too
    const LagSnapshot back = poll(6, 100);
    QCOMPARE(back.group(QStringLiteral("billing"))->verdict, LagVerdict::Pending);
}

void TestLagTracker::topicRatesAndSnapshotMetadata()
{
    LagTracker tracker(QStringLiteral("shop"), shortWindow());
    LagSnapshot s;
    for (int i = 0; i <= 15; ++i) {
        LagObservation o;
        o.at = T0.addMSecs(i * 2000);
        o.topics = {topic(QStringLiteral("payments"), {{0, i * 100}, {0, i * 300}}),
                    topic(QStringLiteral("a-first"), {{0, 5}})};
        o.groupsNote = QStringLiteral("the brokers do not support ListGroups");
        o.requests.listOffsets = 6;
        s = tracker.update(o, 3);
    }
    QCOMPARE(s.cluster, QStringLiteral("shop"));
    QCOMPARE(s.topics.first().name, QStringLiteral("a-first")); // sorted
    QCOMPARE(s.topics.first().messagesPerSecond, std::optional<double>(0.0));
    QCOMPARE(s.topics.last().messagesPerSecond, std::optional<double>(200.0)); // 50/s + 150/s
    QCOMPARE(s.windowSeconds, 10.0);
    QCOMPARE(s.groupsNote, QStringLiteral("the brokers do not support ListGroups"));
    QCOMPARE(s.requests.listOffsets, 6);
}

QTEST_GUILESS_MAIN(TestLagTracker)
#include "tst_lagtracker.moc"
