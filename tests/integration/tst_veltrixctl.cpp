// veltrixctl as operators' scripts run it: a real process, real brokers, JSON parsed.
#include "kafka/mockkafkacluster.h"
#include "testprofiles.h"
#include "testrabbitnode.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
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

private:
    std::unique_ptr<MockKafkaCluster> m_mock;
    LocalRabbitNodeInfo m_node;
    QTemporaryDir m_dir;
    QString m_profiles;
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

QTEST_GUILESS_MAIN(TestVeltrixCtl)
#include "tst_veltrixctl.moc"
