// The log-end history behind time lag (kafka-lag-exporter's method): interpolation,
// its limits, and its bounds.
#include "lag/offsettimeline.h"

#include <QTest>

using namespace veltrix;

class TestOffsetTimeline : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void interpolatesBetweenPolls();
    void offsetsBeforeTheHistoryAreUnknown();
    void offsetsNotWrittenYetAreUnknown();
    void flatRunsKeepTwoPoints();
    void staysBoundedAndStillReachesFarBack();
    void ratesOverASpan();
    void aShrinkingLogRestartsTheHistory();
};

void TestOffsetTimeline::interpolatesBetweenPolls()
{
    OffsetTimeline timeline;
    timeline.add(10'000, 100); // at 10 s the log ended at 100
    timeline.add(12'000, 200); // 100 messages in (10 s, 12 s]
    timeline.add(14'000, 200); // idle
    timeline.add(16'000, 220); // 20 messages in (14 s, 16 s]
    // Message 100 is the first of the 100: appended 1/100 of the way into (10, 12].
    QCOMPARE(timeline.appendTimeMs(100), std::optional<qint64>(10'020));
    QCOMPARE(timeline.appendTimeMs(149), std::optional<qint64>(11'000));
    QCOMPARE(timeline.appendTimeMs(199), std::optional<qint64>(12'000));
    // Message 200 did not exist at 14 s: it belongs to (14, 16], not to the idle run.
    QCOMPARE(timeline.appendTimeMs(200), std::optional<qint64>(14'100));
    QCOMPARE(timeline.appendTimeMs(219), std::optional<qint64>(16'000));
}

void TestOffsetTimeline::offsetsBeforeTheHistoryAreUnknown()
{
    OffsetTimeline timeline;
    timeline.add(10'000, 100);
    timeline.add(12'000, 200);
    QCOMPARE(timeline.appendTimeMs(99), std::nullopt); // already there at the first poll
    QCOMPARE(timeline.firstEndOffset(), std::optional<qint64>(100));
}

void TestOffsetTimeline::offsetsNotWrittenYetAreUnknown()
{
    OffsetTimeline timeline;
    timeline.add(10'000, 100);
    timeline.add(12'000, 200);
    QCOMPARE(timeline.appendTimeMs(200), std::nullopt);
    QCOMPARE(timeline.appendTimeMs(5000), std::nullopt);
}

void TestOffsetTimeline::flatRunsKeepTwoPoints()
{
    OffsetTimeline timeline;
    timeline.add(0, 50);
    for (int i = 1; i <= 1000; ++i)
        timeline.add(i * 2000, 100);
    QCOMPARE(timeline.size(), 3); // 50 at 0 s; 100 from 2 s to 2000 s
    timeline.add(2'002'000, 110);
    // Message 100 appeared after 2000 s, not at 2 s.
    QCOMPARE(timeline.appendTimeMs(100), std::optional<qint64>(2'000'200));
}

void TestOffsetTimeline::staysBoundedAndStillReachesFarBack()
{
    OffsetTimeline timeline(100);
    for (qint64 i = 0; i < 10'000; ++i)
        timeline.add(i * 2000, i * 10);
    QVERIFY2(timeline.size() <= 100, qPrintable(QString::number(timeline.size())));
    // Thinning, not forgetting: offsets from the first hours are still placed in time,
    // within the (coarser) spacing of the points that are left.
    QVERIFY(timeline.firstEndOffset().has_value());
    QCOMPARE(*timeline.firstEndOffset(), 0);
    const auto t = timeline.appendTimeMs(5000); // appended at ~1000 s
    QVERIFY(t.has_value());
    QVERIFY2(qAbs(*t - 1'000'000) < 400'000, qPrintable(QString::number(*t)));
    // Recent offsets keep full resolution.
    QCOMPARE(timeline.appendTimeMs(99'985), std::optional<qint64>(19'998'000 - 2000 + 1200));
}

void TestOffsetTimeline::ratesOverASpan()
{
    OffsetTimeline timeline;
    QCOMPARE(timeline.messagesPerSecond(30'000), std::nullopt);
    for (int i = 0; i <= 30; ++i)
        timeline.add(i * 2000, i * 200); // 100 messages/s
    QCOMPARE(timeline.messagesPerSecond(30'000), std::optional<double>(100.0));
    for (int i = 31; i <= 50; ++i)
        timeline.add(i * 2000, 6000); // then idle for 40 s
    QCOMPARE(timeline.messagesPerSecond(30'000), std::optional<double>(0.0));
}

void TestOffsetTimeline::aShrinkingLogRestartsTheHistory()
{
    OffsetTimeline timeline;
    timeline.add(0, 1000);
    timeline.add(2000, 2000);
    timeline.add(4000, 30); // recreated topic
    QCOMPARE(timeline.size(), 1);
    QCOMPARE(timeline.appendTimeMs(1500), std::nullopt);
}

QTEST_GUILESS_MAIN(TestOffsetTimeline)
#include "tst_offsettimeline.moc"
