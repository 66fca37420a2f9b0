// Burrow's evaluation rules (plus ours) on recorded offset histories: one test per
// rule, each history a list of polls (seconds, committed, log end).
#include "lag/partitionwindow.h"

#include <QTest>

#include <initializer_list>

using namespace veltrix;

namespace {

constexpr qint64 WindowMs = 60000;
constexpr qint64 T0 = 1'700'000'000'000; // an epoch in ms, like real polls

struct Poll
{
    int atSecond;
    qint64 committed; // -1: no committed offset
    qint64 end;
    qint64 start = 0;
};

// Polls every 2 s from `from` to `to` seconds with a fixed committed offset and a log
// end growing by `rate` per poll from `end0`.
QList<Poll> steady(int from, int to, qint64 committed, qint64 end0, qint64 rate)
{
    QList<Poll> polls;
    for (int t = from, i = 0; t <= to; t += 2, ++i)
        polls.append({t, committed, end0 + rate * i});
    return polls;
}

PartitionWindow replay(const QList<Poll> &polls)
{
    PartitionWindow window;
    for (const Poll &p : polls)
        window.record({T0 + p.atSecond * 1000LL,
                       p.committed < 0 ? std::nullopt : std::optional<qint64>(p.committed), p.end,
                       p.start},
                      WindowMs);
    return window;
}

// For histories written inline as a braced list of polls; the QList overload does the
// work, so the two cannot drift apart.
PartitionWindow replay(std::initializer_list<Poll> polls)
{
    return replay(QList<Poll>(polls));
}

LagVerdict verdictOf(const PartitionWindow &window, Membership membership = Membership::Unknown,
                     std::optional<double> timeLag = std::nullopt)
{
    return window.judge(WindowMs, membership, timeLag).verdict;
}

} // namespace

class TestLagVerdict : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void okWhenLagWasZeroWithinTheWindow();
    void zeroLagBeforeTheWindowDoesNotCount();
    void rewindWhenTheCommittedOffsetWentBack();
    void stopWhenCommitsStoppedForLongerThanTheyHadBeenComing();
    void stopWhenNothingMovedAllWindowAndNobodyOwnsThePartition();
    void stallWhenNothingMovedAllWindowWhileAMemberOwnsIt();
    void warnWhenCommittingButLagNeverDecreased();
    void okWhenCommittingAndLagComesDown();
    void pendingUntilTheWindowIsCovered();
    void outOfRangeWhenCommittedIsBelowTheLogStart();
    void negativeLagIsAWarningNotZero();
    void noCommittedOffsetIsItsOwnState();
    void idleTopicIsNotStopBeforeTheMessageWaitedAWindow();
    void reasonSaysWhy();
    void verdictNamesAndSeverity();
};

void TestLagVerdict::okWhenLagWasZeroWithinTheWindow()
{
    // Lag 0 at 40 s, then a burst: still OK at 90 s (40 s is inside the 60 s window).
    QList<Poll> polls = steady(0, 38, 100, 100, 0);
    polls += steady(40, 90, 100, 100, 5);
    QCOMPARE(verdictOf(replay(polls)), LagVerdict::Ok);
}

void TestLagVerdict::zeroLagBeforeTheWindowDoesNotCount()
{
    // The same burst judged at 130 s: the zero is 90 s old, committed never moved.
    QList<Poll> polls = steady(0, 38, 100, 100, 0);
    polls += steady(40, 130, 100, 100, 5);
    QCOMPARE(verdictOf(replay(polls)), LagVerdict::Stop);
}

void TestLagVerdict::rewindWhenTheCommittedOffsetWentBack()
{
    auto window = replay({{0, 50, 100}, {2, 60, 110}, {4, 20, 120}, {6, 25, 130}});
    QCOMPARE(verdictOf(window), LagVerdict::Rewind);
    // Rewind is judged at once (no full window needed) and outlives later progress
    // until it leaves the window.
    for (int t = 8; t <= 62; t += 2)
        window.record({T0 + t * 1000LL, 25 + t, 130 + t * 5, 0}, WindowMs);
    QCOMPARE(verdictOf(window), LagVerdict::Rewind);
    window.record({T0 + 66 * 1000LL, 100, 500, 0}, WindowMs);
    QVERIFY(verdictOf(window) != LagVerdict::Rewind);
}

void TestLagVerdict::stopWhenCommitsStoppedForLongerThanTheyHadBeenComing()
{
    // Commits every 4 s from 0 to 40 s, catching up (lag 100 → 50), then none; the log
    // keeps growing.
    QList<Poll> polls;
    for (int t = 0; t <= 40; t += 2)
        polls.append({t, 100 + (t / 4) * 45, 200 + t * 10});
    const qint64 lastCommitted = polls.last().committed;
    // At 70 s: 30 s since the last commit, commits had been coming for 40 s: not yet.
    for (int t = 42; t <= 70; t += 2)
        polls.append({t, lastCommitted, 200 + t * 10});
    QCOMPARE(verdictOf(replay(polls), Membership::Assigned, 100.0), LagVerdict::Ok);
    // At 84 s: window [24, 84], commits seen from 24 to 40 (16 s), silent for 44 s.
    for (int t = 72; t <= 84; t += 2)
        polls.append({t, lastCommitted, 200 + t * 10});
    QCOMPARE(verdictOf(replay(polls), Membership::Assigned, 100.0), LagVerdict::Stop);
}

void TestLagVerdict::stopWhenNothingMovedAllWindowAndNobodyOwnsThePartition()
{
    const auto window = replay(steady(0, 70, 100, 150, 10));
    QCOMPARE(verdictOf(window, Membership::Unassigned), LagVerdict::Stop);
    // With no membership information (the mock cluster), no commit is all we see: STOP.
    QCOMPARE(verdictOf(window, Membership::Unknown), LagVerdict::Stop);
}

void TestLagVerdict::stallWhenNothingMovedAllWindowWhileAMemberOwnsIt()
{
    const auto window = replay(steady(0, 70, 100, 150, 10));
    QCOMPARE(verdictOf(window, Membership::Assigned), LagVerdict::Stall);
}

void TestLagVerdict::warnWhenCommittingButLagNeverDecreased()
{
    // Commits every 2 s, but the log grows faster: lag 50, 60, 70, ...
    QList<Poll> polls;
    for (int t = 0, i = 0; t <= 70; t += 2, ++i)
        polls.append({t, 100 + i * 10, 150 + i * 20});
    QCOMPARE(verdictOf(replay(polls)), LagVerdict::Warn);
}

void TestLagVerdict::okWhenCommittingAndLagComesDown()
{
    // Lag 50 → 30 → 50 → 30 ...: progress with a decrease somewhere: OK.
    QList<Poll> polls;
    for (int t = 0, i = 0; t <= 70; t += 2, ++i)
        polls.append({t, 100 + i * 10, 150 + i * 10 + (i % 2 ? -20 : 0)});
    QCOMPARE(verdictOf(replay(polls)), LagVerdict::Ok);
}

void TestLagVerdict::pendingUntilTheWindowIsCovered()
{
    const auto window = replay(steady(0, 30, 100, 150, 10));
    QCOMPARE(verdictOf(window), LagVerdict::Pending);
    QVERIFY2(window.judge(WindowMs, Membership::Unknown, std::nullopt)
                 .reason.contains(QStringLiteral("30 s of 60 s")),
             qPrintable(window.judge(WindowMs, Membership::Unknown, std::nullopt).reason));
}

void TestLagVerdict::outOfRangeWhenCommittedIsBelowTheLogStart()
{
    // Retention removed offsets below 5000 while the group sat at 1200: judged at once.
    const auto window = replay({{0, 1200, 9000, 5000}});
    const LagJudgement j = window.judge(WindowMs, Membership::Unknown, std::nullopt);
    QCOMPARE(j.verdict, LagVerdict::OutOfRange);
    QVERIFY2(j.reason.contains(QStringLiteral("3800 messages gone")), qPrintable(j.reason));
    // Committed exactly at the log start is not out of range.
    QVERIFY(verdictOf(replay({{0, 5000, 9000, 5000}})) != LagVerdict::OutOfRange);
}

void TestLagVerdict::negativeLagIsAWarningNotZero()
{
    // The topic was recreated: the log ends at 40, the group committed 900.
    const auto window = replay({{0, 900, 40}});
    QCOMPARE(window.latest().lag(), std::optional<qint64>(-860));
    const LagJudgement j = window.judge(WindowMs, Membership::Unknown, std::nullopt);
    QCOMPARE(j.verdict, LagVerdict::Warn);
    QVERIFY2(j.reason.contains(QStringLiteral("negative lag")), qPrintable(j.reason));
}

void TestLagVerdict::noCommittedOffsetIsItsOwnState()
{
    const auto window = replay({{0, -1, 500}, {2, -1, 510}});
    QCOMPARE(window.latest().lag(), std::nullopt);
    QCOMPARE(verdictOf(window), LagVerdict::NoOffset);
}

void TestLagVerdict::idleTopicIsNotStopBeforeTheMessageWaitedAWindow()
{
    // Idle for 70 s at lag 0, then one message lands at 70 s and is 4 s old at 74 s.
    // Burrow: last commit 74 s ago > commit span 0 → STOP. Here: the consumer has not
    // had its chance; OK until the message has waited a whole window.
    QList<Poll> polls = steady(0, 68, 100, 100, 0);
    polls += Poll {70, 100, 101};
    polls += Poll {72, 100, 101};
    polls += Poll {74, 100, 101};
    const auto window = replay(polls);
    // (lag was zero within the window anyway; judge a consumer idle for longer)
    QCOMPARE(verdictOf(window, Membership::Unknown, 4.0), LagVerdict::Ok);

    QList<Poll> longIdle = steady(0, 200, 100, 101, 0); // the message is old news
    QCOMPARE(verdictOf(replay(longIdle), Membership::Unknown, 5.0), LagVerdict::Ok);
    QCOMPARE(verdictOf(replay(longIdle), Membership::Unknown, 200.0), LagVerdict::Stop);
}

void TestLagVerdict::reasonSaysWhy()
{
    const auto window = replay(steady(0, 70, 100, 150, 10));
    const QString reason = window.judge(WindowMs, Membership::Assigned, std::nullopt).reason;
    QVERIFY2(reason.contains(QStringLiteral("stuck at 100")), qPrintable(reason));
    QVERIFY2(reason.contains(QStringLiteral("lag 400")), qPrintable(reason));
}

void TestLagVerdict::verdictNamesAndSeverity()
{
    for (const LagVerdict v :
         {LagVerdict::NoOffset, LagVerdict::Ok, LagVerdict::Pending, LagVerdict::Warn,
          LagVerdict::Stall, LagVerdict::Stop, LagVerdict::Rewind, LagVerdict::OutOfRange})
        QCOMPARE(lagVerdictFromName(lagVerdictName(v)), std::optional(v));
    QCOMPARE(lagVerdictName(LagVerdict::OutOfRange), QStringLiteral("OUT_OF_RANGE"));
    QCOMPARE(worseOf(LagVerdict::Warn, LagVerdict::Stop), LagVerdict::Stop);
    QCOMPARE(worseOf(LagVerdict::OutOfRange, LagVerdict::Rewind), LagVerdict::OutOfRange);
    QCOMPARE(worseOf(LagVerdict::Ok, LagVerdict::Pending), LagVerdict::Pending);
    QCOMPARE(lagFlagNames(NoLeader | OutOfRangeOffset),
             (QStringList {QStringLiteral("out_of_range"), QStringLiteral("no_leader")}));
}

QTEST_GUILESS_MAIN(TestLagVerdict)
#include "tst_lagverdict.moc"
