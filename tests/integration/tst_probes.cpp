// The end-to-end probes against real brokers: librdkafka's mock cluster over TCP and the
// private RabbitMQ node. They must measure what the brokers do (an added round trip shows
// in the Kafka probe's p50 within seconds), count what does not come back, never hang
// when a broker is gone, and leave nothing behind.
#include "kafka/kafkatopicbrowser.h"
#include "kafka/mockkafkacluster.h"
#include "metrics/latencyhistogram.h"
#include "metrics/probe.h"
#include "rabbitmq/managementclient.h"
#include "rabbitmq/queuerates.h"
#include "testprofiles.h"
#include "testrabbitnode.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QTest>

#include <map>
#include <set>

using namespace veltrix;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

// What stepping a probe for a while gathered.
struct Gathered
{
    QList<ProbeOutcome> outcomes;
    QList<BrokerLatency> brokers; // the last statistics seen
    qint64 longestStepMs = 0;
    int sent = 0;

    QList<ProbeOutcome> of(ProbeKind kind) const
    {
        QList<ProbeOutcome> out;
        for (const ProbeOutcome &outcome : outcomes)
            if (outcome.kind == kind)
                out.append(outcome);
        return out;
    }
};

// Steps the probe the way the console's session does (100 ms at a time) for `duration`;
// a step error ends the run and is returned.
Result<Gathered> runFor(Probe &probe, std::chrono::milliseconds duration, bool sendProbes = true)
{
    Gathered gathered;
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < duration.count()) {
        ProbeTick tick;
        QElapsedTimer step;
        step.start();
        auto ok = probe.step(100ms, sendProbes, tick);
        gathered.longestStepMs = std::max(gathered.longestStepMs, step.elapsed());
        if (!ok)
            return ok.error();
        gathered.outcomes.append(tick.outcomes);
        gathered.sent += tick.sent;
        if (!tick.brokers.isEmpty())
            gathered.brokers = tick.brokers;
    }
    return gathered;
}

// p50 of the latencies of probes sent at or after `since` (seconds since the epoch),
// from the same histogram the dashboards use; -1 when fewer than `atLeast` came back.
double p50SentSince(const QList<ProbeOutcome> &outcomes, double since, int atLeast)
{
    LatencyHistogram histogram;
    for (const ProbeOutcome &outcome : outcomes)
        if (outcome.sentAt >= since && outcome.latencyMs)
            histogram.record(*outcome.latencyMs);
    return histogram.count() >= atLeast ? histogram.percentile(50) : -1;
}

double nowSeconds()
{
    return double(QDateTime::currentMSecsSinceEpoch()) / 1000.0;
}

} // namespace

class TestProbes : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void kafkaProbeMeasuresEveryPartitionAndBroker();
    void kafkaProbeCreatesItsTopicWhenMissing();
    void kafkaProbeShowsAnAddedRoundTripWithinSeconds();
    void kafkaProbesExpireWithoutHangingWhileBrokersAreDown();
    void rabbitProbesMeasureAllThreeKindsAndLeaveNothingBehind();
    void unreachableRabbitIsAnErrorInWords();
    void cleanup();

private:
    // A 3-broker mock cluster and a Kafka probe on it, in m_mock and m_probe (the test
    // returns when this failed). With makeTopic, the probe topic is made first: three
    // partitions on all three brokers.
    void probeOnMock(const ProbeSettings &settings, bool makeTopic);

    LocalRabbitNodeInfo m_node;
    std::unique_ptr<MockKafkaCluster> m_mock;
    std::unique_ptr<Probe> m_probe;
};

void TestProbes::initTestCase()
{
    QString whyNot;
    const auto node = testRabbitNodeFromEnvironment(&whyNot);
    if (!node)
        QFAIL(qPrintable(whyNot));
    m_node = *node;
}

void TestProbes::cleanup()
{
    m_probe.reset(); // its clients before the cluster they talk to
    m_mock.reset();
}

void TestProbes::probeOnMock(const ProbeSettings &settings, bool makeTopic)
{
    auto mock = MockKafkaCluster::start(3);
    QVERIFY2(mock.ok(), qPrintable(mock.error().describe()));
    m_mock = std::move(mock).value();
    if (makeTopic)
        QVERIFY(m_mock->createTopic(u"veltrix-probe"_s, 3, 3).ok());
    auto probe = openKafkaProbe(test::kafkaProfile(u"k"_s, m_mock->bootstrapServers()), settings);
    QVERIFY2(probe.ok(), qPrintable(probe.error().describe()));
    m_probe = std::move(probe).value();
}

void TestProbes::kafkaProbeMeasuresEveryPartitionAndBroker()
{
    ProbeSettings settings;
    settings.rate = 10;
    probeOnMock(settings, true);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(m_probe->partitions(), 3);
    QVERIFY(m_probe->target().startsWith(u"kafka:k/veltrix-probe"_s));

    auto run = runFor(*m_probe, 3s);
    QVERIFY2(run.ok(), qPrintable(run.error().describe()));
    const Gathered &gathered = run.value();
    QVERIFY2(gathered.sent >= 3 * 20, qPrintable(QString::number(gathered.sent)));
    std::set<int> partitions, brokers;
    for (const ProbeOutcome &outcome : gathered.outcomes) {
        QCOMPARE(outcome.kind, ProbeKind::KafkaEndToEnd);
        QVERIFY2(outcome.latencyMs, "a probe expired on a healthy cluster");
        QVERIFY2(*outcome.latencyMs > 0 && *outcome.latencyMs < 1000,
                 qPrintable(QString::number(*outcome.latencyMs)));
        partitions.insert(outcome.partition);
        brokers.insert(outcome.broker);
    }
    QCOMPARE(partitions, (std::set<int> {0, 1, 2}));
    // Each probe is charged to its partition's leader. (The mock elects each partition's
    // leader at random, so all three may share one broker: compare with the real ones.)
    auto browser = KafkaTopicBrowser::open(test::kafkaProfile(u"k"_s, m_mock->bootstrapServers()),
                                           u"veltrix-probe"_s, 10s);
    QVERIFY(browser.ok());
    auto extents = browser.value()->extents();
    QVERIFY(extents.ok());
    std::map<int, int> leaderOf;
    for (const KafkaPartitionExtent &extent : extents.value())
        leaderOf[extent.partition] = extent.leader;
    for (const ProbeOutcome &outcome : gathered.outcomes)
        QCOMPARE(outcome.broker, leaderOf.at(outcome.partition));
    QVERIFY(!brokers.contains(-1));
    // librdkafka's statistics arrive every second: a round trip for the brokers in use.
    QVERIFY(!gathered.brokers.isEmpty());
    for (const BrokerLatency &broker : gathered.brokers)
        QVERIFY2(broker.rttP50 >= 0 && broker.rttP50 < 1000, qPrintable(broker.broker));
    QVERIFY(gathered.longestStepMs < 1000);
}

void TestProbes::kafkaProbeCreatesItsTopicWhenMissing()
{
    ProbeSettings settings;
    settings.topic = u"probe-made-here"_s;
    settings.rate = 5;
    probeOnMock(settings, false);
    if (QTest::currentTestFailed())
        return;
    QVERIFY(m_probe->partitions() >= 1);
    auto run = runFor(*m_probe, 3s);
    QVERIFY2(run.ok(), qPrintable(run.error().describe()));
    QVERIFY(!run.value().outcomes.isEmpty());
    for (const ProbeOutcome &outcome : run.value().outcomes)
        QVERIFY(outcome.latencyMs);
}

void TestProbes::kafkaProbeShowsAnAddedRoundTripWithinSeconds()
{
    ProbeSettings settings;
    settings.rate = 10;
    probeOnMock(settings, true);
    if (QTest::currentTestFailed())
        return;

    auto baseline = runFor(*m_probe, 3s);
    QVERIFY2(baseline.ok(), qPrintable(baseline.error().describe()));
    const double before = p50SentSince(baseline.value().outcomes, 0, 30);
    QVERIFY2(before > 0, "no baseline");

    constexpr int AddedMs = 50;
    const double changedAt = nowSeconds();
    for (int broker = 1; broker <= 3; ++broker)
        QVERIFY(m_mock->setBrokerRtt(broker, AddedMs).ok());
    // Within 10 s of the change, the probes sent after it must show it.
    auto after = runFor(*m_probe, 10s);
    QVERIFY2(after.ok(), qPrintable(after.error().describe()));
    const double raised = p50SentSince(after.value().outcomes, changedAt, 30);
    QVERIFY2(raised > 0, "too few probes came back after the change");
    const double rise = raised - before;
    qInfo("p50 before %.1f ms, after %.1f ms: +%.1f ms for +%d ms per broker response", before,
          raised, rise, AddedMs);
    // The mock holds every response of a broker back by the added time, and (unlike a
    // real broker) answers a Fetch at once rather than holding it until data arrives. So
    // a probe waits for the Fetch in flight to come back empty (on average half of the
    // 50 ms), then for the next Fetch's response, held back 50 ms: about +75 ms at the
    // median, measured +84 ms here. Never less than one added delay, minus a few ms of
    // jitter (lower bound 40); far more than two of them plus scheduling noise (upper
    // bound 250) would mean the probe measures something else than the brokers.
    QVERIFY2(rise >= 40 && rise <= 250, qPrintable(u"+%1 ms"_s.arg(rise)));
    // The client's own view agrees: librdkafka's round trip includes the added delay.
    QVERIFY(!after.value().brokers.isEmpty());
    for (const BrokerLatency &broker : after.value().brokers)
        QVERIFY2(broker.rttP50 >= 40,
                 qPrintable(u"broker %1 rtt p50 %2 ms"_s.arg(broker.broker).arg(broker.rttP50)));
}

void TestProbes::kafkaProbesExpireWithoutHangingWhileBrokersAreDown()
{
    ProbeSettings settings;
    settings.rate = 5;
    settings.deadline = 1000ms;
    probeOnMock(settings, true);
    if (QTest::currentTestFailed())
        return;
    QVERIFY(runFor(*m_probe, 1s).ok());

    for (int broker = 1; broker <= 3; ++broker)
        QVERIFY(m_mock->setBrokerUp(broker, false).ok());
    auto down = runFor(*m_probe, 4s);
    QVERIFY2(down.ok(), qPrintable(down.error().describe()));
    // Steps keep their budget: the GUI's worker can still be stopped at any moment.
    QVERIFY2(down.value().longestStepMs < 1000,
             qPrintable(QString::number(down.value().longestStepMs)));
    int expired = 0;
    for (const ProbeOutcome &outcome : down.value().outcomes)
        expired += outcome.latencyMs ? 0 : 1;
    QVERIFY2(expired >= 5, qPrintable(u"%1 expired"_s.arg(expired)));

    for (int broker = 1; broker <= 3; ++broker)
        QVERIFY(m_mock->setBrokerUp(broker, true).ok());
    // Back up: probes come back again, and none resolves twice.
    const double upAt = nowSeconds();
    QElapsedTimer waited;
    waited.start();
    int backAfterwards = 0;
    while (backAfterwards < 10 && waited.elapsed() < 20000) {
        auto up = runFor(*m_probe, 1s);
        QVERIFY2(up.ok(), qPrintable(up.error().describe()));
        for (const ProbeOutcome &outcome : up.value().outcomes)
            backAfterwards += outcome.latencyMs && outcome.sentAt >= upAt ? 1 : 0;
    }
    QVERIFY2(backAfterwards >= 10, "the probe did not recover once the brokers were back");
}

void TestProbes::rabbitProbesMeasureAllThreeKindsAndLeaveNothingBehind()
{
    const QString vhost = u"probes"_s;
    auto fresh = freshTestVhost(m_node, vhost);
    QVERIFY2(fresh.ok(), qPrintable(fresh.error().describe()));
    ClusterProfile profile = test::rabbitProfile(u"r"_s, m_node);
    profile.amqpUri = testAmqpUri(m_node, vhost);
    ProbeSettings settings;
    settings.rate = 10;
    ManagementClient api(u"r"_s, QUrl(m_node.managementUrl()), u"guest"_s, u"guest"_s, 10s);
    {
        auto probe = openRabbitProbe(profile, settings);
        QVERIFY2(probe.ok(), qPrintable(probe.error().describe()));
        QCOMPARE(probe.value()->target(), u"rabbitmq:r/probes"_s);
        auto queues = fetchQueueRates(api, vhost);
        QVERIFY(queues.ok());
        QCOMPARE(queues.value().size(), 2); // the probe's queue and the responder's

        auto run = runFor(*probe.value(), 3s);
        QVERIFY2(run.ok(), qPrintable(run.error().describe()));
        for (ProbeKind kind : {ProbeKind::RabbitPublishConsume, ProbeKind::RabbitPublishConfirm,
                               ProbeKind::RabbitRequestReply}) {
            const QList<ProbeOutcome> outcomes = run.value().of(kind);
            QVERIFY2(outcomes.size() >= 20, qPrintable(probeKindName(kind)));
            for (const ProbeOutcome &outcome : outcomes) {
                QVERIFY2(outcome.latencyMs, qPrintable(probeKindName(kind) + u" expired"_s));
                QVERIFY2(*outcome.latencyMs > 0 && *outcome.latencyMs < 1000,
                         qPrintable(QString::number(*outcome.latencyMs)));
            }
        }
        // Draining: nothing new goes out, and what is out comes back or expires.
        auto drained = runFor(*probe.value(), 1500ms, false);
        QVERIFY2(drained.ok(), qPrintable(drained.error().describe()));
        QCOMPARE(drained.value().sent, 0);
        QCOMPARE(probe.value()->pending(), 0);
    }
    // Its queues were temporary and exclusive: gone with its connections.
    const auto queuesLeft = [&] {
        const auto queues = fetchQueueRates(api, vhost);
        return queues.ok() ? queues.value().size() : -1;
    };
    QTRY_COMPARE_WITH_TIMEOUT(queuesLeft(), 0, 10000);
    QVERIFY(deleteTestVhost(m_node, vhost).ok());
}

void TestProbes::unreachableRabbitIsAnErrorInWords()
{
    ClusterProfile profile = test::rabbitProfile(u"r"_s, m_node);
    const QString dead = test::deadEndpoint();
    profile.amqpUri = u"amqp://guest:guest@"_s + dead + u"/"_s;
    QElapsedTimer clock;
    clock.start();
    auto probe = openRabbitProbe(profile, ProbeSettings {});
    QVERIFY(!probe.ok());
    QVERIFY(clock.elapsed() < 15000);
    const QString said = probe.error().describe();
    QVERIFY2(said.contains(dead.section(u':', 1)), qPrintable(said));
}

QTEST_GUILESS_MAIN(TestProbes)
#include "tst_probes.moc"
