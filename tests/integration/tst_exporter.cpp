// The Prometheus exporter, scraped over HTTP while librdkafka's mock cluster and the
// private RabbitMQ node hold known state: lag numbers equal the lag snapshot, DLQ depth
// equals the queue's message count, filters cut series, an outage shows as
// veltrix_cluster_up 0 while /metrics keeps answering, and the audit log's redrives and
// retry changes become counters.
#include "metrics/exportermetrics.h"
#include "metrics/metricsendpoint.h"
#include "redrive/auditlog.h"
#include "session/exporterbridge.h"
#include "session/sessionmanager.h"
#include "testkafka.h"
#include "testprofiles.h"
#include "testrabbitnode.h"
#include <prometheus/metric_family.h>

#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace veltrix;
using namespace Qt::StringLiterals;

namespace {

// "name{a="x",b="y"}" → value, as the exposition format writes it.
using Scrape = QMap<QString, double>;

Scrape parse(const QByteArray &text)
{
    Scrape out;
    static const QRegularExpression line(u"^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\\{.*\\})?) (\\S+)$"_s);
    for (const QByteArray &raw : text.split('\n')) {
        if (raw.startsWith('#') || raw.isEmpty())
            continue;
        const auto m = line.match(QString::fromUtf8(raw));
        if (m.hasMatch())
            out.insert(m.captured(1), m.captured(2).toDouble());
    }
    return out;
}

// GET /metrics on a loopback port, parsed; empty when nothing answered.
Scrape scrapePort(int port)
{
    QNetworkAccessManager network;
    QNetworkRequest request(QUrl(u"http://127.0.0.1:%1/metrics"_s.arg(port)));
    request.setTransferTimeout(5000);
    std::unique_ptr<QNetworkReply> reply(network.get(request));
    QEventLoop loop;
    QObject::connect(reply.get(), &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    return reply->error() == QNetworkReply::NoError ? parse(reply->readAll()) : Scrape();
}

QString key(const QString &name, const QList<std::pair<QString, QString>> &labels)
{
    QStringList parts;
    for (const auto &[label, value] : labels)
        parts << u"%1=\"%2\""_s.arg(label, value);
    return name + u'{' + parts.join(u',') + u'}';
}

} // namespace

class TestExporter : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void lagAndDlqMetricsMatchTheBrokers();
    void filtersCutSeries();
    void outageIsAMetricAndTheEndpointKeepsServing();
    void auditLogBecomesCounters();
    void busyPortIsAnErrorInWords();
    void consoleServesMetricsWhenAsked();

private:
    Scrape scrape();

    LocalRabbitNodeInfo m_node;
    std::unique_ptr<MockKafkaCluster> m_kafka;
    ClusterProfile m_kafkaProfile, m_rabbit;
    QTemporaryDir m_dir;
    std::shared_ptr<ExporterMetrics> m_metrics;
    std::unique_ptr<MetricsEndpoint> m_endpoint;
    std::unique_ptr<SessionManager> m_sessions;
    std::unique_ptr<ExporterBridge> m_bridge;
    LagSnapshot m_lastSnapshot;
    const QString m_vhost = u"exporter"_s;
};

void TestExporter::initTestCase()
{
    QString whyNot;
    const auto node = testRabbitNodeFromEnvironment(&whyNot);
    if (!node)
        QFAIL(qPrintable(whyNot));
    m_node = *node;
    QVERIFY(freshTestVhost(m_node, m_vhost));
    auto amqp = test::openAmqp(testAmqpUri(m_node, m_vhost));
    QVERIFY(amqp);
    QVERIFY(amqp->declareQueue(u"exp.dlq"_s, true));
    for (int i = 0; i < 6; ++i)
        QVERIFY(amqp->publish({}, u"exp.dlq"_s, "dead"));
    QTRY_COMPARE_WITH_TIMEOUT(test::readyCount(testAmqpUri(m_node, m_vhost), u"exp.dlq"_s), 6,
                              5000);

    auto kafka = test::startMockKafka({u"orders"_s, u"orders-dlt"_s}, 2);
    QVERIFY2(kafka, qPrintable(kafka.error().describe()));
    m_kafka = std::move(kafka.value());
    m_kafkaProfile = test::kafkaProfile(u"exp-kafka"_s, m_kafka->bootstrapServers(),
                                        {u"billing"_s, u"hidden"_s});
    m_kafkaProfile.lag.interval = std::chrono::milliseconds(500);
    m_kafkaProfile.lag.window = std::chrono::seconds(5);
    QVERIFY(test::produceCounts(m_kafkaProfile, u"orders"_s, {10, 20}));
    QVERIFY(test::produceCounts(m_kafkaProfile, u"orders-dlt"_s, {3, 0}));
    QVERIFY(test::commitOffsets(m_kafkaProfile, u"billing"_s, u"orders"_s, {{0, 4}, {1, 5}}));
    QVERIFY(test::commitOffsets(m_kafkaProfile, u"hidden"_s, u"orders"_s, {{0, 1}, {1, 1}}));
    m_rabbit = test::rabbitProfile(u"exp-rabbit"_s, m_node);
    m_rabbit.amqpUri = testAmqpUri(m_node, m_vhost);

    qputenv("VELTRIX_AUDIT_LOG", QFile::encodeName(m_dir.filePath(u"audit.jsonl"_s)));
    m_metrics = std::make_shared<ExporterMetrics>();
    auto endpoint = MetricsEndpoint::listen(u"127.0.0.1:0"_s, m_metrics);
    QVERIFY2(endpoint, qPrintable(endpoint.error().describe()));
    m_endpoint = std::move(endpoint).value();
    QVERIFY(m_endpoint->port() > 0);
    m_sessions = std::make_unique<SessionManager>();
    m_bridge
        = std::make_unique<ExporterBridge>(m_sessions.get(), m_metrics, AuditLog::defaultPath());
    connect(m_sessions.get(), &SessionManager::lagSnapshotAvailable, this,
            [this](const LagSnapshot &s) { m_lastSnapshot = s; });
    m_sessions->open({m_kafkaProfile, m_rabbit});
}

void TestExporter::cleanupTestCase()
{
    if (m_sessions)
        m_sessions->closeAll();
    deleteTestVhost(m_node, m_vhost);
}

Scrape TestExporter::scrape()
{
    return scrapePort(m_endpoint->port());
}

void TestExporter::lagAndDlqMetricsMatchTheBrokers()
{
    const QString cluster = m_kafkaProfile.name;
    const QString billingLag = key(u"veltrix_kafka_consumergroup_group_lag_messages"_s,
                                   {{u"cluster"_s, cluster}, {u"group"_s, u"billing"_s}});
    const QString rabbitDlq = key(u"veltrix_dlq_depth_messages"_s,
                                  {{u"cluster"_s, m_rabbit.name},
                                   {u"kind"_s, u"rabbitmq"_s},
                                   {u"dlq"_s, m_vhost + u"/exp.dlq"_s}});
    // The management API's queue counts trail the queue by a stats interval (5 s): a DLQ
    // scan just after the publishes may still see 0.
    Scrape s;
    QTRY_VERIFY_WITH_TIMEOUT((s = scrape()).contains(billingLag) && s.value(rabbitDlq) == 6.0,
                             30000);

    // Lag: what the snapshot said, series by series (taken again so both are the same poll).
    const GroupLag *billing = m_lastSnapshot.group(u"billing"_s);
    QVERIFY(billing);
    for (const PartitionLag &p : billing->partitions) {
        const QString k = key(u"veltrix_kafka_consumergroup_lag_messages"_s,
                              {{u"cluster"_s, cluster},
                               {u"group"_s, u"billing"_s},
                               {u"topic"_s, p.topic},
                               {u"partition"_s, QString::number(p.partition)}});
        QVERIFY2(s.contains(k), qPrintable(k));
        QCOMPARE(s.value(k), double(*p.lag));
    }
    QCOMPARE(s.value(billingLag), double(6 + 15)); // 10-4 and 20-5: the brokers' truth
    QCOMPARE(s.value(key(u"veltrix_kafka_consumergroup_status"_s,
                         {{u"cluster"_s, cluster},
                          {u"group"_s, u"billing"_s},
                          {u"status"_s, lagVerdictName(billing->verdict)}})),
             1.0);
    QCOMPARE(s.value(key(
                 u"veltrix_kafka_partition_latest_offset"_s,
                 {{u"cluster"_s, cluster}, {u"topic"_s, u"orders"_s}, {u"partition"_s, u"1"_s}})),
             20.0);
    QCOMPARE(s.value(key(
                 u"veltrix_kafka_partition_earliest_offset"_s,
                 {{u"cluster"_s, cluster}, {u"topic"_s, u"orders"_s}, {u"partition"_s, u"1"_s}})),
             0.0);

    // DLQ depth: the queue's message count and the DLT's records.
    QCOMPARE(s.value(rabbitDlq),
             double(test::readyCount(testAmqpUri(m_node, m_vhost), u"exp.dlq"_s)));
    QCOMPARE(s.value(rabbitDlq), 6.0);
    QCOMPARE(s.value(key(
                 u"veltrix_dlq_depth_messages"_s,
                 {{u"cluster"_s, cluster}, {u"kind"_s, u"kafka"_s}, {u"dlq"_s, u"orders-dlt"_s}})),
             3.0);
    QCOMPARE(s.value(key(u"veltrix_cluster_up"_s, {{u"cluster"_s, cluster}})), 1.0);
    QVERIFY(s.value(key(u"veltrix_exporter_polls_total"_s,
                        {{u"cluster"_s, cluster}, {u"poller"_s, u"lag"_s}}))
            >= 1);
}

void TestExporter::filtersCutSeries()
{
    ExporterOptions options;
    options.partitionSeries = false;
    options.groupDeny = {u"hid.*"_s};
    ExporterMetrics filtered(options);
    filtered.takeLag(m_lastSnapshot);
    QStringList names;
    for (const auto &family : filtered.Collect())
        for (const auto &metric : family.metric) {
            QString labels;
            for (const auto &l : metric.label)
                labels += QString::fromStdString(l.name + "=" + l.value + ",");
            names << QString::fromStdString(family.name) + u'{' + labels + u'}';
        }
    const QString all = names.join(u'\n');
    QVERIFY2(all.contains(u"group=billing"_s), qPrintable(all));
    QVERIFY(!all.contains(u"group=hidden"_s));
    QVERIFY(!all.contains(u"partition="_s));

    ExporterOptions allowOnly;
    allowOnly.groupAllow = {u"hidden"_s};
    allowOnly.topicDeny = {u"orders"_s};
    ExporterMetrics narrow(allowOnly);
    narrow.takeLag(m_lastSnapshot);
    const auto families = narrow.Collect();
    for (const auto &family : families)
        for (const auto &metric : family.metric)
            for (const auto &l : metric.label) {
                QVERIFY(!(l.name == "group" && l.value == "billing"));
                QVERIFY(!(l.name == "topic" && l.value == "orders"));
            }
    ExporterOptions bad;
    bad.groupAllow = {u"(bad"_s};
    QVERIFY(!bad.problem().isEmpty());
}

void TestExporter::outageIsAMetricAndTheEndpointKeepsServing()
{
    const QString up = key(u"veltrix_cluster_up"_s, {{u"cluster"_s, m_kafkaProfile.name}});
    for (int broker = 1; broker <= 3; ++broker)
        QVERIFY(m_kafka->setBrokerUp(broker, false));
    Scrape s;
    QTRY_VERIFY_WITH_TIMEOUT(!(s = scrape()).isEmpty() && s.value(up, -1) == 0.0, 60000);
    // Still serving, the last values kept, the errors counted.
    QVERIFY(s.contains(key(u"veltrix_kafka_consumergroup_group_lag_messages"_s,
                           {{u"cluster"_s, m_kafkaProfile.name}, {u"group"_s, u"billing"_s}})));
    QVERIFY(s.value(key(u"veltrix_exporter_poll_errors_total"_s,
                        {{u"cluster"_s, m_kafkaProfile.name}, {u"poller"_s, u"metadata"_s}}))
            >= 1);
    for (int broker = 1; broker <= 3; ++broker)
        QVERIFY(m_kafka->setBrokerUp(broker, true));
    QTRY_VERIFY_WITH_TIMEOUT(scrape().value(up, -1) == 1.0, 60000);
}

void TestExporter::auditLogBecomesCounters()
{
    const AuditLog audit;
    QVERIFY(audit.append({{u"event"_s, u"redrive.finish"_s},
                          {u"profile"_s, m_rabbit.name},
                          {u"source"_s, u"rabbitmq:exp-rabbit/exporter/exp.dlq"_s},
                          {u"dry_run"_s, false},
                          {u"moved"_s, 5},
                          {u"failed"_s, 1},
                          {u"skipped"_s, 0}}));
    QVERIFY(audit.append({{u"event"_s, u"redrive.finish"_s},
                          {u"profile"_s, m_rabbit.name},
                          {u"source"_s, u"rabbitmq:exp-rabbit/exporter/exp.dlq"_s},
                          {u"dry_run"_s, true},
                          {u"moved"_s, 100}})); // a dry run moves nothing
    QVERIFY(audit.append({{u"action"_s, u"retry.policy"_s},
                          {u"profile"_s, m_rabbit.name},
                          {u"outcome"_s, u"started"_s}}));
    QVERIFY(audit.append({{u"action"_s, u"retry.policy"_s},
                          {u"profile"_s, m_rabbit.name},
                          {u"outcome"_s, u"applied"_s}}));
    const QString moved = key(u"veltrix_redrive_messages_total"_s,
                              {{u"cluster"_s, m_rabbit.name},
                               {u"source"_s, u"rabbitmq:exp-rabbit/exporter/exp.dlq"_s},
                               {u"outcome"_s, u"moved"_s}});
    Scrape s;
    QTRY_VERIFY_WITH_TIMEOUT((s = scrape()).contains(moved), 10000); // followed every 2 s
    QCOMPARE(s.value(moved), 5.0);
    QCOMPARE(s.value(key(u"veltrix_redrive_messages_total"_s,
                         {{u"cluster"_s, m_rabbit.name},
                          {u"source"_s, u"rabbitmq:exp-rabbit/exporter/exp.dlq"_s},
                          {u"outcome"_s, u"failed"_s}})),
             1.0);
    QCOMPARE(s.value(key(u"veltrix_retry_policy_changes_total"_s,
                         {{u"cluster"_s, m_rabbit.name}, {u"kind"_s, u"policy"_s}})),
             1.0);
}

void TestExporter::busyPortIsAnErrorInWords()
{
    const auto second
        = MetricsEndpoint::listen(u"127.0.0.1:%1"_s.arg(m_endpoint->port()), m_metrics);
    QVERIFY(!second);
    QVERIFY2(second.error().describe().contains(u"cannot listen on"_s),
             qPrintable(second.error().describe()));
    QVERIFY(!MetricsEndpoint::listen(u"nonsense"_s, m_metrics));
}

// The console's exposer: the same metrics, from the window's own sessions.
void TestExporter::consoleServesMetricsWhenAsked()
{
    const QString console = qEnvironmentVariable("VELTRIX_CONSOLE");
    QVERIFY2(!console.isEmpty(), "VELTRIX_CONSOLE names the veltrix-console binary");
    QTcpServer probe; // a free port, released for the console
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    const quint16 port = probe.serverPort();
    probe.close();
    const QString profiles = test::writeProfiles(m_dir.path(), {m_rabbit});
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
    process.setProcessEnvironment(env);
    process.start(console,
                  {u"--profiles"_s, profiles, u"--metrics-listen"_s, u"127.0.0.1:%1"_s.arg(port)});
    QVERIFY(process.waitForStarted());
    const QString up = key(u"veltrix_cluster_up"_s, {{u"cluster"_s, m_rabbit.name}});
    QTRY_VERIFY_WITH_TIMEOUT(scrapePort(port).value(up, -1) == 1.0, 30000);
    process.terminate();
    QVERIFY(process.waitForFinished(15000));
}

QTEST_GUILESS_MAIN(TestExporter)
#include "tst_exporter.moc"
