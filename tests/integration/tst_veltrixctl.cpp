// veltrixctl as operators' scripts run it: a real process, real brokers, JSON parsed.
#include "kafka/mockkafkacluster.h"
#include "testkafka.h"
#include "testprofiles.h"
#include "testrabbitnode.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace veltrix;

namespace {

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    qint64 elapsedMs = 0;
};

Run runCtl(const QStringList &args)
{
    Run run;
    QProcess process;
    QElapsedTimer clock;
    clock.start();
    process.start(qEnvironmentVariable("VELTRIX_CTL"), args);
    if (!process.waitForFinished(60000))
        process.kill();
    run.elapsedMs = clock.elapsed();
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    return run;
}

QJsonObject byName(const QJsonArray &clusters, const QString &name)
{
    for (const QJsonValue &v : clusters) {
        if (v.toObject().value(QLatin1String("name")).toString() == name)
            return v.toObject();
    }
    return {};
}

} // namespace

class TestVeltrixCtl : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void printsVersion();
    void checkReportsGoodAndBadClustersWithinTenSeconds();
    void profilesListsWithoutPasswords();
    void adHocFlagsReplaceTheProfilesFile();
    void brokenProfilesFileNamesFileAndLine();
    void unknownProfileIsAUsageError();
    void lagJsonFollowsTheContract();
    void lagTextListsGroupsAndPartitions();
    void lagWindowJudgesAndFailOnSetsTheExitCode();
    void lagOnAnUnreachableClusterSaysWhy();
    void lagRejectsBadOptions();

private:
    std::unique_ptr<MockKafkaCluster> m_mock;
    LocalRabbitNodeInfo m_node;
    QTemporaryDir m_dir;
    QString m_profiles;
    QElapsedTimer m_producedAt;
};

void TestVeltrixCtl::initTestCase()
{
    QVERIFY2(!qEnvironmentVariableIsEmpty("VELTRIX_CTL"),
             "VELTRIX_CTL names the veltrixctl binary");
    QString whyNot;
    const auto node = testRabbitNodeFromEnvironment(&whyNot);
    if (!node)
        QFAIL(qPrintable(whyNot));
    m_node = *node;
    auto mock = test::startMockKafka({QStringLiteral("orders")}, 3);
    QVERIFY2(mock.ok(), qPrintable(mock.error().describe()));
    m_mock = std::move(mock).value();

    ClusterProfile deadRabbit = test::rabbitProfile(QStringLiteral("dead-rabbit"), m_node);
    deadRabbit.amqpUri = QStringLiteral("amqp://guest:guest@%1/%2F").arg(test::deadEndpoint());
    m_profiles = test::writeProfiles(
        m_dir.path(),
        {test::kafkaProfile(QStringLiteral("shop-kafka"), m_mock->bootstrapServers()),
         test::rabbitProfile(QStringLiteral("shop-rabbit"), m_node),
         test::kafkaProfile(QStringLiteral("dead-kafka"), test::deadEndpoint()), deadRabbit});
    QVERIFY(!m_profiles.isEmpty());

    // Lag fixtures: "lagged" has 10/20/30 records; g1 committed 4 and 20, nothing on p2.
    const ClusterProfile kafka
        = test::kafkaProfile(QStringLiteral("k"), m_mock->bootstrapServers());
    QVERIFY(m_mock->createTopic(QStringLiteral("lagged"), 3, 1).ok());
    const auto produced = test::produceCounts(kafka, QStringLiteral("lagged"), {10, 20, 30});
    QVERIFY2(produced.ok(), qPrintable(produced.error().describe()));
    m_producedAt.start();
    const auto committed = test::commitOffsets(kafka, QStringLiteral("g1"),
                                               QStringLiteral("lagged"), {{0, 4}, {1, 20}});
    QVERIFY2(committed.ok(), qPrintable(committed.error().describe()));
}

void TestVeltrixCtl::printsVersion()
{
    const Run run = runCtl({QStringLiteral("--version")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains(VELTRIX_VERSION), run.out.constData());
}

void TestVeltrixCtl::checkReportsGoodAndBadClustersWithinTenSeconds()
{
    const Run run = runCtl({QStringLiteral("check"), QStringLiteral("--json"),
                            QStringLiteral("--profiles"), m_profiles});
    QVERIFY2(run.elapsedMs < 10000, qPrintable(QStringLiteral("took %1 ms").arg(run.elapsedMs)));
    QCOMPARE(run.exitCode, 1); // some cluster failed
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(run.out, &error);
    QVERIFY2(error.error == QJsonParseError::NoError, run.out.constData());
    const QJsonArray clusters = doc.object().value(QLatin1String("clusters")).toArray();
    QCOMPARE(clusters.size(), 4);

    const QJsonObject kafka = byName(clusters, QStringLiteral("shop-kafka"));
    QCOMPARE(kafka.value(QLatin1String("reachable")).toBool(), true);
    QCOMPARE(kafka.value(QLatin1String("brokers")).toInt(), 3);
    QVERIFY(kafka.value(QLatin1String("error")).isNull());

    const QJsonObject rabbit = byName(clusters, QStringLiteral("shop-rabbit"));
    QCOMPARE(rabbit.value(QLatin1String("reachable")).toBool(), true);
    QVERIFY(
        rabbit.value(QLatin1String("server_version")).toString().startsWith(QLatin1String("3.")));

    for (const QString &name : {QStringLiteral("dead-kafka"), QStringLiteral("dead-rabbit")}) {
        const QJsonObject dead = byName(clusters, name);
        QCOMPARE(dead.value(QLatin1String("reachable")).toBool(), false);
        const QJsonObject err = dead.value(QLatin1String("error")).toObject();
        QVERIFY2(!err.value(QLatin1String("message")).toString().isEmpty(), qPrintable(name));
        QVERIFY2(
            err.value(QLatin1String("message")).toString().startsWith(name + QStringLiteral(": ")),
            qPrintable(err.value(QLatin1String("message")).toString()));
        QVERIFY2(err.value(QLatin1String("kind")).toString() == QLatin1String("unreachable")
                     || err.value(QLatin1String("kind")).toString() == QLatin1String("timeout"),
                 qPrintable(err.value(QLatin1String("kind")).toString()));
    }
}

void TestVeltrixCtl::profilesListsWithoutPasswords()
{
    const Run run = runCtl({QStringLiteral("profiles"), QStringLiteral("--json"),
                            QStringLiteral("--profiles"), m_profiles});
    QCOMPARE(run.exitCode, 0);
    const QJsonArray clusters
        = QJsonDocument::fromJson(run.out).object().value(QLatin1String("clusters")).toArray();
    QCOMPARE(clusters.size(), 4);
    QCOMPARE(
        byName(clusters, QStringLiteral("shop-kafka")).value(QLatin1String("bootstrap")).toString(),
        m_mock->bootstrapServers());
    QVERIFY2(!run.out.contains("guest:guest"), run.out.constData());
    QVERIFY(byName(clusters, QStringLiteral("shop-rabbit"))
                .value(QLatin1String("amqp"))
                .toString()
                .contains(QLatin1String("***")));
}

void TestVeltrixCtl::adHocFlagsReplaceTheProfilesFile()
{
    const Run run
        = runCtl({QStringLiteral("check"), QStringLiteral("--json"), QStringLiteral("--bootstrap"),
                  m_mock->bootstrapServers(), QStringLiteral("--amqp"), m_node.amqpUri(),
                  QStringLiteral("--management"), m_node.managementUrl()});
    QCOMPARE(run.exitCode, 0);
    const QJsonArray clusters
        = QJsonDocument::fromJson(run.out).object().value(QLatin1String("clusters")).toArray();
    QCOMPARE(clusters.size(), 2);
    for (const QJsonValue &c : clusters)
        QVERIFY2(c.toObject().value(QLatin1String("reachable")).toBool(), run.out.constData());
}

void TestVeltrixCtl::brokenProfilesFileNamesFileAndLine()
{
    QFile file(m_dir.filePath(QStringLiteral("broken.json")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("{\"clusters\": [\n  {\"name\": \"a\", \"kind\": \"kafka\",\n   \"bootstrap\": "
               "9092}\n]}\n");
    file.close();
    const Run run
        = runCtl({QStringLiteral("check"), QStringLiteral("--profiles"), file.fileName()});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains("broken.json:3"), run.err.constData());
    QVERIFY2(run.err.contains("bootstrap"), run.err.constData());
}

void TestVeltrixCtl::unknownProfileIsAUsageError()
{
    const Run run = runCtl({QStringLiteral("check"), QStringLiteral("--profiles"), m_profiles,
                            QStringLiteral("--profile"), QStringLiteral("nope")});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains("nope"), run.err.constData());
}

void TestVeltrixCtl::lagJsonFollowsTheContract()
{
    const Run run
        = runCtl({QStringLiteral("--bootstrap"), m_mock->bootstrapServers(), QStringLiteral("lag"),
                  QStringLiteral("--group"), QStringLiteral("g1"), QStringLiteral("--json")});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QCOMPARE(run.out.count('\n'), 1); // one line per cluster
    QJsonParseError error;
    const QJsonObject snapshot = QJsonDocument::fromJson(run.out, &error).object();
    QVERIFY2(error.error == QJsonParseError::NoError, run.out.constData());
    QCOMPARE(snapshot.value(QLatin1String("cluster")).toString(), QStringLiteral("kafka"));
    const QDateTime polledAt = QDateTime::fromString(
        snapshot.value(QLatin1String("polled_at")).toString(), Qt::ISODateWithMs);
    QVERIFY2(polledAt.isValid() && qAbs(polledAt.secsTo(QDateTime::currentDateTimeUtc())) < 60,
             run.out.constData());

    const QJsonArray groups = snapshot.value(QLatin1String("groups")).toArray();
    QCOMPARE(groups.size(), 1);
    const QJsonObject g1 = groups[0].toObject();
    QCOMPARE(g1.value(QLatin1String("group")).toString(), QStringLiteral("g1"));
    QCOMPARE(g1.value(QLatin1String("total_lag")).toInteger(), 6);
    QVERIFY(g1.value(QLatin1String("state")).isNull()); // the mock cannot describe groups
    // One poll: lag but no trend yet.
    QCOMPARE(g1.value(QLatin1String("verdict")).toString(), QStringLiteral("PENDING"));
    QVERIFY(g1.value(QLatin1String("max_time_lag_s")).isDouble());

    const QJsonArray partitions = g1.value(QLatin1String("partitions")).toArray();
    QCOMPARE(partitions.size(), 3);
    const QJsonObject p0 = partitions[0].toObject();
    QCOMPARE(p0.value(QLatin1String("topic")).toString(), QStringLiteral("lagged"));
    QCOMPARE(p0.value(QLatin1String("partition")).toInt(), 0);
    QCOMPARE(p0.value(QLatin1String("committed")).toInteger(), 4);
    QCOMPARE(p0.value(QLatin1String("end_offset")).toInteger(), 10);
    QCOMPARE(p0.value(QLatin1String("start_offset")).toInteger(), 0);
    QCOMPARE(p0.value(QLatin1String("lag")).toInteger(), 6);
    QVERIFY(p0.value(QLatin1String("time_lag_s")).toDouble() >= 0.0);
    QCOMPARE(p0.value(QLatin1String("time_lag_source")).toString(),
             QStringLiteral("message_timestamp"));
    QCOMPARE(p0.value(QLatin1String("flags")).toArray(), QJsonArray());

    const QJsonObject p1 = partitions[1].toObject();
    QCOMPARE(p1.value(QLatin1String("lag")).toInteger(), 0);
    QCOMPARE(p1.value(QLatin1String("verdict")).toString(), QStringLiteral("OK"));

    const QJsonObject p2 = partitions[2].toObject();
    QVERIFY(p2.value(QLatin1String("committed")).isNull());
    QVERIFY(p2.value(QLatin1String("lag")).isNull()); // not 0, not 30
    QVERIFY(p2.value(QLatin1String("time_lag_s")).isNull());
    QCOMPARE(p2.value(QLatin1String("end_offset")).toInteger(), 30);
    QCOMPARE(p2.value(QLatin1String("flags")).toArray(), QJsonArray {QStringLiteral("no_offset")});

    const QJsonObject requests = snapshot.value(QLatin1String("requests")).toObject();
    // One poll of the mock: "all" answers empty, so it asks again by name (later polls: 1).
    QCOMPARE(requests.value(QLatin1String("offset_fetch")).toInt(), 2);
}

void TestVeltrixCtl::lagTextListsGroupsAndPartitions()
{
    const Run run
        = runCtl({QStringLiteral("--bootstrap"), m_mock->bootstrapServers(), QStringLiteral("lag"),
                  QStringLiteral("--group"), QStringLiteral("g1")});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    const QString out = QString::fromUtf8(run.out);
    QVERIFY2(out.contains(QRegularExpression(QStringLiteral("g1\\s+PENDING\\s+\\?\\s+6\\s"))),
             run.out.constData());
    QVERIFY2(out.contains(QStringLiteral("lagged-2")) && out.contains(QStringLiteral("no_offset")),
             run.out.constData());
    QVERIFY2(out.contains(QStringLiteral("committed none")), run.out.constData());
}

void TestVeltrixCtl::lagWindowJudgesAndFailOnSetsTheExitCode()
{
    // g1 has not moved since the records were written: once they have waited a whole
    // 3 s window, a 3 s watch judges lagged-0 STOP (no member is known to own it).
    QTest::qWait(std::max<int>(0, 3500 - int(m_producedAt.elapsed())));
    const Run run
        = runCtl({QStringLiteral("--bootstrap"), m_mock->bootstrapServers(), QStringLiteral("lag"),
                  QStringLiteral("--group"), QStringLiteral("g1"), QStringLiteral("--json"),
                  QStringLiteral("--window"), QStringLiteral("3"), QStringLiteral("--interval"),
                  QStringLiteral("0.5"), QStringLiteral("--fail-on"), QStringLiteral("stop")});
    QVERIFY2(run.elapsedMs >= 3000, qPrintable(QString::number(run.elapsedMs)));
    const QJsonObject g1 = QJsonDocument::fromJson(run.out)
                               .object()
                               .value(QLatin1String("groups"))
                               .toArray()
                               .at(0)
                               .toObject();
    QCOMPARE(g1.value(QLatin1String("verdict")).toString(), QStringLiteral("STOP"));
    QVERIFY2(g1.value(QLatin1String("verdict_reason"))
                 .toString()
                 .startsWith(QLatin1String("lagged-0: no commit progress")),
             run.out.constData());
    QCOMPARE(run.exitCode, 3);
}

void TestVeltrixCtl::lagOnAnUnreachableClusterSaysWhy()
{
    const Run run
        = runCtl({QStringLiteral("--bootstrap"), test::deadEndpoint(), QStringLiteral("--timeout"),
                  QStringLiteral("2"), QStringLiteral("lag"), QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.elapsedMs < 10000, qPrintable(QString::number(run.elapsedMs)));
    const QJsonObject error
        = QJsonDocument::fromJson(run.out).object().value(QLatin1String("error")).toObject();
    QVERIFY2(error.value(QLatin1String("kind")).toString() == QLatin1String("unreachable")
                 || error.value(QLatin1String("kind")).toString() == QLatin1String("timeout"),
             run.out.constData());
    QVERIFY2(error.value(QLatin1String("message")).toString().startsWith(QLatin1String("kafka: ")),
             run.out.constData());
}

void TestVeltrixCtl::lagRejectsBadOptions()
{
    const QString bootstrap = m_mock->bootstrapServers();
    Run run = runCtl({QStringLiteral("--bootstrap"), bootstrap, QStringLiteral("lag"),
                      QStringLiteral("--fail-on"), QStringLiteral("BAD")});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains("unknown verdict"), run.err.constData());
    run = runCtl({QStringLiteral("--bootstrap"), bootstrap, QStringLiteral("lag"),
                  QStringLiteral("--window"), QStringLiteral("soon")});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains("--window"), run.err.constData());
    run = runCtl({QStringLiteral("--profiles"), m_profiles, QStringLiteral("--profile"),
                  QStringLiteral("shop-rabbit"), QStringLiteral("lag")});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains("no Kafka cluster"), run.err.constData());
}

QTEST_GUILESS_MAIN(TestVeltrixCtl)
#include "tst_veltrixctl.moc"
