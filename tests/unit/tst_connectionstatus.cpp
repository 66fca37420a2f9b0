// What the status bar says about a failed cluster, in a few words.
#include "core/connectionstatus.h"

#include <QTest>

using namespace veltrix;
using namespace Qt::Literals::StringLiterals;

class TestConnectionStatus : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void shortReason_data();
    void shortReason();
    void reachedIsConnectedOrDegraded();
};

void TestConnectionStatus::shortReason_data()
{
    QTest::addColumn<QString>("detail");
    QTest::addColumn<int>("maxChars");
    QTest::addColumn<QString>("expected");
    QTest::newRow("drops name and hint")
        << u"shop: cannot reach Kafka at b:9092: Connection refused — check the bootstrap servers"_s
        << 70 << u"cannot reach Kafka at b:9092: Connection refused"_s;
    QTest::newRow("other cluster's name stays")
        << u"other: timed out"_s << 70 << u"other: timed out"_s;
    QTest::newRow("elided") << u"shop: 0123456789"_s << 6 << u"01234…"_s;
    QTest::newRow("exactly fits") << u"shop: 012345"_s << 6 << u"012345"_s;
    QTest::newRow("empty") << QString() << 70 << QString();
}

void TestConnectionStatus::shortReason()
{
    QFETCH(QString, detail);
    QFETCH(int, maxChars);
    const ConnectionStatus status {u"shop"_s, ConnectionStatus::State::Failed, detail};
    QTEST(status.shortReason(maxChars), "expected");
}

void TestConnectionStatus::reachedIsConnectedOrDegraded()
{
    using State = ConnectionStatus::State;
    const ConnectionStatus fine = ConnectionStatus::reached(u"k"_qs, u"3 brokers"_qs, {});
    QCOMPARE(fine.state, State::Connected);
    QCOMPARE(fine.detail, u"3 brokers"_qs);
    const ConnectionStatus partial = ConnectionStatus::reached(
        u"k"_qs, u"3 brokers"_qs, {u"lag polls fail: timed out"_qs, u"DLQ scan fails"_qs});
    QCOMPARE(partial.state, State::Degraded);
    QCOMPARE(partial.detail, u"lag polls fail: timed out (and 1 more) — 3 brokers"_qs);
    QCOMPARE(partial.shortReason(), u"lag polls fail: timed out (and 1 more)"_qs);
    QCOMPARE(ConnectionStatus::stateName(State::Degraded), u"degraded"_qs);
}

QTEST_GUILESS_MAIN(TestConnectionStatus)
#include "tst_connectionstatus.moc"
