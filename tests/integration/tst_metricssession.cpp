// The console's dashboard feed end to end: a MetricsSession on its own thread probes the
// mock Kafka cluster and the private RabbitMQ node and polls management rates, and the
// series land in the MetricStore the dashboards read; a failure is reported in words.
#include "core/probeoutcome.h"
#include "kafka/mockkafkacluster.h"
#include "metrics/metricstore.h"
#include "session/metricssession.h"
#include "testprofiles.h"
#include "testrabbitnode.h"

#include <QSignalSpy>
#include <QTest>
#include <QThread>

using namespace veltrix;
using namespace Qt::StringLiterals;

namespace {

// Runs a MetricsSession the way SessionManager does, and stops it the same way.
class RunningSession
{
public:
    RunningSession(const ClusterProfile &profile, std::shared_ptr<MetricStore> store)
        : m_session(new MetricsSession(profile, std::move(store)))
    {
        m_session->moveToThread(&m_thread);
        QObject::connect(&m_thread, &QThread::finished, m_session, &QObject::deleteLater);
        m_thread.start();
        QMetaObject::invokeMethod(m_session, &MetricsSession::start, Qt::QueuedConnection);
    }
    ~RunningSession()
    {
        QMetaObject::invokeMethod(m_session, &MetricsSession::stop, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }
    MetricsSession *session() const { return m_session; }

private:
    QThread m_thread;
    MetricsSession *m_session;
};

QStringList names(const MetricStore &store, MetricPanel panel)
{
    QStringList out;
    for (const SeriesInfo &info : store.series(panel))
        out.append(info.name);
    return out;
}

} // namespace

class TestMetricsSession : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void kafkaProbesFeedLatencyPathsAndAvailability();
    void rabbitProbesAndQueueRatesFeedTheirPanels();
    void wrongCredentialsAreReportedInWords();
    void profileWithoutFeedsNeedsNoSession();

private:
    LocalRabbitNodeInfo m_node;
};

void TestMetricsSession::initTestCase()
{
    QString whyNot;
    const auto node = testRabbitNodeFromEnvironment(&whyNot);
    if (!node)
        QFAIL(qPrintable(whyNot));
    m_node = *node;
}

void TestMetricsSession::kafkaProbesFeedLatencyPathsAndAvailability()
{
    auto mock = MockKafkaCluster::start(3);
    QVERIFY2(mock.ok(), qPrintable(mock.error().describe()));
    QVERIFY(mock.value()->createTopic(u"veltrix-probe"_s, 3, 3).ok());
    ClusterProfile profile = test::kafkaProfile(u"k"_s, mock.value()->bootstrapServers());
    profile.probe.enabled = true;
    profile.probe.rate = 10;
    auto store = std::make_shared<MetricStore>();
    RunningSession running(profile, store);

    const QString p50 = SeriesInfo {
        u"k"_s,
        MetricPanel::Latency,
        probeKindTitle(ProbeKind::KafkaEndToEnd) + u" p50"_s,
        {}}.id();
    // Three closed seconds of percentiles: the probe is running, not just started.
    QTRY_VERIFY_WITH_TIMEOUT(store->window(p50, 0, 1e10).y.size() >= 3, 20000);
    for (double ms : store->window(p50, 0, 1e10).y)
        QVERIFY2(ms > 0 && ms < 1000, qPrintable(QString::number(ms)));
    QTRY_VERIFY_WITH_TIMEOUT(
        names(*store, MetricPanel::LatencyByPath).contains(u"partition 2 p99"_s), 10000);
    QVERIFY(names(*store, MetricPanel::LatencyByPath).contains(u"partition 0 p99"_s));
    const QString availability = SeriesInfo {
        u"k"_s,
        MetricPanel::Availability,
        probeKindTitle(ProbeKind::KafkaEndToEnd),
        {}}.id();
    QCOMPARE(store->lastValue(availability).value_or(-1), 100.0);
}

void TestMetricsSession::rabbitProbesAndQueueRatesFeedTheirPanels()
{
    const QString vhost = u"metrics-session"_s;
    auto fresh = freshTestVhost(m_node, vhost);
    QVERIFY2(fresh.ok(), qPrintable(fresh.error().describe()));
    // A user who sees only this vhost: the rates panel shows the cluster's busiest queues,
    // and on the shared node the other tests' queues would otherwise crowd ours out.
    const QString user = u"metrics-session-operator"_s;
    auto scoped = scopedTestUser(m_node, vhost, user);
    QVERIFY2(scoped.ok(), qPrintable(scoped.error().describe()));
    ClusterProfile profile = test::rabbitProfile(u"r"_s, m_node);
    profile.amqpUri = testAmqpUri(m_node, vhost, user);
    profile.probe.enabled = true;
    profile.probe.rate = 10;
    // A named queue with a few messages: the rates panel lists it (the probes' own
    // temporary queues are left out).
    {
        auto amqp = test::openAmqp(profile.amqpUri);
        QVERIFY(amqp);
        QVERIFY(amqp->declareQueue(u"orders"_s, true,
                                   {{u"x-dead-letter-exchange"_s, u"orders.dlx"_s}})
                    .ok());
        for (int i = 0; i < 20; ++i)
            QVERIFY(amqp->publish({}, u"orders"_s, "order").ok());
    }
    auto store = std::make_shared<MetricStore>();
    RunningSession running(profile, store);

    for (ProbeKind kind : {ProbeKind::RabbitPublishConsume, ProbeKind::RabbitPublishConfirm,
                           ProbeKind::RabbitRequestReply}) {
        const QString p99
            = SeriesInfo {u"r"_s, MetricPanel::Latency, probeKindTitle(kind) + u" p99"_s, {}}.id();
        QTRY_VERIFY2_WITH_TIMEOUT(store->window(p99, 0, 1e10).y.size() >= 2,
                                  qPrintable(names(*store, MetricPanel::Latency).join(u", ")),
                                  20000);
        const QString availability
            = SeriesInfo {u"r"_s, MetricPanel::Availability, probeKindTitle(kind), {}}.id();
        QCOMPARE(store->lastValue(availability).value_or(-1), 100.0);
    }
    const QString depth = u"metrics-session/orders publish"_s;
    QTRY_VERIFY2_WITH_TIMEOUT(names(*store, MetricPanel::Rates).contains(depth),
                              qPrintable(names(*store, MetricPanel::Rates).join(u", ")), 20000);
    // It dead-letters, so its redeliveries are on the retries panel too.
    QTRY_VERIFY_WITH_TIMEOUT(
        names(*store, MetricPanel::Retries).contains(u"metrics-session/orders redeliveries"_s),
        20000);
    for (const QString &name : names(*store, MetricPanel::Rates)) {
        QVERIFY2(!name.contains(u"amq.gen-"_s), qPrintable(name));
        QVERIFY2(name.startsWith(vhost + u'/'), qPrintable(name)); // what the user may see
    }
}

void TestMetricsSession::wrongCredentialsAreReportedInWords()
{
    ClusterProfile profile = test::rabbitProfile(u"r"_s, m_node);
    QUrl uri(profile.amqpUri);
    uri.setPassword(u"not-the-password"_s);
    profile.amqpUri = uri.toString();
    profile.probe.enabled = true;
    auto store = std::make_shared<MetricStore>();
    RunningSession running(profile, store);
    QSignalSpy problems(running.session(), &MetricsSession::problemChanged);
    QTRY_VERIFY_WITH_TIMEOUT(!problems.isEmpty(), 20000);
    const QString text = problems.first().at(1).toString();
    QVERIFY2(text.startsWith(u"probes: "_s) || text.startsWith(u"queue rates: "_s),
             qPrintable(text));
    QVERIFY2(text.contains(u"password"_s, Qt::CaseInsensitive)
                 || text.contains(u"authentication"_s, Qt::CaseInsensitive)
                 || text.contains(u"refused"_s, Qt::CaseInsensitive)
                 || text.contains(u"credentials"_s, Qt::CaseInsensitive),
             qPrintable(text));
    QCOMPARE(problems.first().at(0).toString(), u"r"_s);
}

void TestMetricsSession::profileWithoutFeedsNeedsNoSession()
{
    ClusterProfile kafka = test::kafkaProfile(u"k"_s, u"127.0.0.1:1"_s);
    QVERIFY(!MetricsSession::wanted(kafka));
    kafka.probe.enabled = true;
    QVERIFY(MetricsSession::wanted(kafka));
    ClusterProfile rabbit = test::rabbitProfile(u"r"_s, m_node);
    QVERIFY2(MetricsSession::wanted(rabbit), "management rates need no probes");
    rabbit.managementUrl.clear();
    QVERIFY(!MetricsSession::wanted(rabbit));
}

QTEST_GUILESS_MAIN(TestMetricsSession)
#include "tst_metricssession.moc"
