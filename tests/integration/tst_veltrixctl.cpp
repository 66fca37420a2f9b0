// veltrixctl as operators' scripts run it: a real process, real brokers, JSON parsed.
#include "demo/springheaders.h"
#include "kafka/mockkafkacluster.h"
#include "testkafka.h"
#include "testprofiles.h"
#include "testrabbitnode.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
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
    void dlqListFindsKafkaAndRabbitDlqs();
    void dlqShowJsonFollowsTheContract();
    void dlqShowBrowsesAQueueAndPutsItBack();
    void dlqRejectsBadSourcesAndOptions();
    void dlqRedriveMovesPreviewsAndRefuses();
    void probeJsonFollowsTheContract();
    void probeFailuresAndBadOptions();
    void retryGetAndSetFollowTheContract();
    void retryKafkaGroupPoliciesAndTheirHistory();

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

    // DLQ fixtures: payments.DLT has 3 blocking-recoverer dead letters on partition 0; the
    // RabbitMQ queue ctl.test.dlq holds 4 messages rejected out of ctl.test.work.
    QVERIFY(m_mock->createTopic(QStringLiteral("payments.DLT"), 2, 1).ok());
    QList<test::TestRecord> records;
    for (int i = 0; i < 3; ++i) {
        demo::FailedRecord failed;
        failed.topic = QStringLiteral("payments");
        failed.partition = 1;
        failed.offset = 40 + i;
        failed.timestamp = 1'760'000'000'000;
        failed.consumerGroup = QStringLiteral("payment-service");
        demo::JavaException error;
        error.fqcn
            = QStringLiteral("org.springframework.kafka.listener.ListenerExecutionFailedException");
        error.message = QStringLiteral("Listener failed");
        error.causeFqcn = QStringLiteral("com.shop.CardDeclined");
        error.causeMessage = QStringLiteral("card declined");
        test::TestRecord r;
        r.key = QByteArray("\x00\x01binary-key", 12);
        r.value = i == 2 ? QByteArray("\xff\xfe not text", 11) : QByteArray(R"({"amount":12})");
        r.timestamp = 1'760'000'100'000 + i;
        r.headers = demo::blockingRecovererDltHeaders(failed, error);
        records.append(r);
    }
    const auto dead = test::produceRecords(kafka, QStringLiteral("payments.DLT"), records);
    QVERIFY2(dead.ok(), qPrintable(dead.error().describe()));
    auto amqp = test::openAmqp(test::rabbitProfile(QStringLiteral("r"), m_node).amqpUri);
    QVERIFY(amqp);
    const QString work = QStringLiteral("ctl.test.work"), dlq = QStringLiteral("ctl.test.dlq");
    QVERIFY(amqp->deleteQueue(work).ok());
    QVERIFY(amqp->deleteQueue(dlq).ok());
    QVERIFY(amqp->declareQueue(dlq, true).ok());
    QVERIFY(amqp->declareQueue(work, true,
                               {{QStringLiteral("x-dead-letter-exchange"), QString()},
                                {QStringLiteral("x-dead-letter-routing-key"), dlq}})
                .ok());
    for (int i = 0; i < 4; ++i) {
        AmqpMessageProperties properties;
        properties.messageId = QStringLiteral("m-%1").arg(i);
        QVERIFY(amqp->publish(QString(), work, "body " + QByteArray::number(i), properties).ok());
        auto got = amqp->get(work);
        QVERIFY(got.ok() && got.value());
        QVERIFY(amqp->reject(got.value()->deliveryTag, false).ok());
    }
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

void TestVeltrixCtl::dlqListFindsKafkaAndRabbitDlqs()
{
    // The management API's counts trail the queue by a few seconds.
    QJsonArray dlqs;
    const auto find = [&dlqs](const QString &source) {
        for (const QJsonValue &v : std::as_const(dlqs))
            if (v[QLatin1String("source")].toString() == source)
                return v.toObject();
        return QJsonObject();
    };
    Run run;
    QTRY_VERIFY_WITH_TIMEOUT(
        (run = runCtl({QStringLiteral("--profiles"), m_profiles, QStringLiteral("--profile"),
                       QStringLiteral("shop-kafka"), QStringLiteral("--profile"),
                       QStringLiteral("shop-rabbit"), QStringLiteral("dlq"), QStringLiteral("list"),
                       QStringLiteral("--json")}),
         dlqs = QJsonDocument::fromJson(run.out).object().value(QLatin1String("dlqs")).toArray(),
         find(QStringLiteral("rabbitmq:shop-rabbit/%2F/ctl.test.dlq"))[QLatin1String("depth")]
                 .toInt()
             == 4),
        20000);
    QCOMPARE(run.exitCode, 0);
    const QJsonObject kafka = find(QStringLiteral("kafka:shop-kafka/payments.DLT"));
    QCOMPARE(kafka[QLatin1String("depth")].toInt(), 3);
    QCOMPARE(kafka[QLatin1String("partitions")].toInt(), 2);
    QCOMPARE(kafka[QLatin1String("detected_by")].toString(), QStringLiteral("name matches *.DLT"));
    QVERIFY(kafka[QLatin1String("inflow_per_s")].isNull()); // one scan: no rate
    const QJsonObject rabbit = find(QStringLiteral("rabbitmq:shop-rabbit/%2F/ctl.test.dlq"));
    QCOMPARE(rabbit[QLatin1String("type")].toString(), QStringLiteral("classic"));
    QCOMPARE(rabbit[QLatin1String("vhost")].toString(), QStringLiteral("/"));
    QVERIFY(find(QStringLiteral("kafka:shop-kafka/orders")).isEmpty());

    // Text, and a dead cluster among live ones: exit 1 with the reason.
    run = runCtl({QStringLiteral("--profiles"), m_profiles, QStringLiteral("--timeout"),
                  QStringLiteral("2"), QStringLiteral("dlq"), QStringLiteral("list")});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.out.contains("kafka:shop-kafka/payments.DLT"), run.out.constData());
    QVERIFY2(run.err.contains("dead-kafka"), run.err.constData());
}

void TestVeltrixCtl::dlqShowJsonFollowsTheContract()
{
    const Run run
        = runCtl({QStringLiteral("--profiles"), m_profiles, QStringLiteral("dlq"),
                  QStringLiteral("show"), QStringLiteral("kafka:shop-kafka/payments.DLT"),
                  QStringLiteral("--limit"), QStringLiteral("5"), QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 0);
    const QJsonObject out = QJsonDocument::fromJson(run.out).object();
    QCOMPARE(out[QLatin1String("source")].toString(),
             QStringLiteral("kafka:shop-kafka/payments.DLT"));
    QCOMPARE(out[QLatin1String("depth")].toInt(), 3);
    const QJsonArray messages = out[QLatin1String("messages")].toArray();
    QCOMPARE(messages.size(), 3);
    for (int i = 0; i < 3; ++i) {
        const QJsonObject m = messages[i].toObject();
        for (const char *field : {"id", "key", "timestamp", "size", "headers", "dead_letter"})
            QVERIFY2(m.contains(QLatin1String(field)), field);
        QCOMPARE(m[QLatin1String("id")].toString(), QStringLiteral("0:%1").arg(i));
        QCOMPARE(m[QLatin1String("timestamp")].toString(),
                 QDateTime::fromMSecsSinceEpoch(1'760'000'100'000 + i, Qt::UTC)
                     .toString(Qt::ISODateWithMs));
        // A binary key is base64, never mangled.
        QCOMPARE(QByteArray::fromBase64(
                     m[QLatin1String("key")][QLatin1String("base64")].toString().toLatin1()),
                 QByteArray("\x00\x01binary-key", 12));
        if (i < 2) {
            QCOMPARE(m[QLatin1String("payload_text")].toString(),
                     QStringLiteral(R"({"amount":12})"));
            QVERIFY(!m.contains(QLatin1String("payload_base64")));
            QCOMPARE(m[QLatin1String("size")].toInt(), 13);
        } else {
            QCOMPARE(
                QByteArray::fromBase64(m[QLatin1String("payload_base64")].toString().toLatin1()),
                QByteArray("\xff\xfe not text", 11));
            QVERIFY(!m.contains(QLatin1String("payload_text")));
        }
        QCOMPARE(m[QLatin1String("headers")][QLatin1String("kafka_dlt-original-topic")].toString(),
                 QStringLiteral("payments"));
        const QJsonObject dl = m[QLatin1String("dead_letter")].toObject();
        QCOMPARE(dl[QLatin1String("original_destination")].toString(), QStringLiteral("payments"));
        QCOMPARE(dl[QLatin1String("reason")].toString(), QStringLiteral("listener failed"));
        QCOMPARE(dl[QLatin1String("exception_class")].toString(),
                 QStringLiteral("com.shop.CardDeclined"));
        QVERIFY2(dl[QLatin1String("exception_message")].toString().contains(
                     QLatin1String("card declined")),
                 qPrintable(dl[QLatin1String("exception_message")].toString()));
        QVERIFY(
            dl[QLatin1String("attempts")].isNull()); // the blocking recoverer does not record it
        QVERIFY(dl[QLatin1String("first_failed_at")].isNull());
        QCOMPARE(dl[QLatin1String("last_failed_at")].toString(),
                 m[QLatin1String("timestamp")].toString());
        QCOMPARE(dl[QLatin1String("original_offset")].toInt(), 40 + i);
    }
}

void TestVeltrixCtl::dlqShowBrowsesAQueueAndPutsItBack()
{
    const QStringList args {QStringLiteral("--profiles"),
                            m_profiles,
                            QStringLiteral("dlq"),
                            QStringLiteral("show"),
                            QStringLiteral("rabbitmq:shop-rabbit/%2F/ctl.test.dlq"),
                            QStringLiteral("--offset"),
                            QStringLiteral("1"),
                            QStringLiteral("--limit"),
                            QStringLiteral("2"),
                            QStringLiteral("--json")};
    for (int round = 0; round < 2; ++round) { // the second finds the same: nothing was taken
        const Run run = runCtl(args);
        QCOMPARE(run.exitCode, 0);
        const QJsonObject out = QJsonDocument::fromJson(run.out).object();
        const QJsonArray messages = out[QLatin1String("messages")].toArray();
        QCOMPARE(messages.size(), 2);
        QCOMPARE(messages[0][QLatin1String("id")].toString(), QStringLiteral("m-1"));
        QCOMPARE(messages[1][QLatin1String("id")].toString(), QStringLiteral("m-2"));
        QCOMPARE(messages[0][QLatin1String("payload_text")].toString(), QStringLiteral("body 1"));
        const QJsonObject dl = messages[0][QLatin1String("dead_letter")].toObject();
        QCOMPARE(dl[QLatin1String("original_destination")].toString(),
                 QStringLiteral("ctl.test.work"));
        QCOMPARE(dl[QLatin1String("reason")].toString(), QStringLiteral("rejected"));
        QCOMPARE(dl[QLatin1String("attempts")].toInt(), 1);
        QVERIFY(!dl[QLatin1String("first_failed_at")].toString().isEmpty());
        QVERIFY2(out[QLatin1String("notes")].toArray().first().toString().contains(
                     QLatin1String("redelivered")),
                 run.out.constData());
    }
    // Text output names the DLQ and each message.
    QStringList text = args;
    text.removeLast();
    const Run run = runCtl(text);
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains("m-1") && run.out.contains("from:      ctl.test.work")
                 && run.out.contains("reason:    rejected"),
             run.out.constData());
}

void TestVeltrixCtl::dlqRejectsBadSourcesAndOptions()
{
    const QString profiles = m_profiles;
    auto dlq = [&profiles](const QStringList &rest) {
        return runCtl(QStringList {QStringLiteral("--profiles"), profiles, QStringLiteral("dlq")}
                      + rest);
    };
    Run run = dlq({QStringLiteral("show"), QStringLiteral("orders-dlt")});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains("kafka:<cluster>/<topic>"), run.err.constData());
    run = dlq({QStringLiteral("show"), QStringLiteral("kafka:nobody/x")});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains("no cluster named \"nobody\""), run.err.constData());
    run = dlq({QStringLiteral("show"), QStringLiteral("kafka:shop-kafka/payments.DLT"),
               QStringLiteral("--limit"), QStringLiteral("lots")});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains("--limit"), run.err.constData());
    run = dlq({QStringLiteral("purge")});
    QCOMPARE(run.exitCode, 2);
    run = dlq({QStringLiteral("show"), QStringLiteral("rabbitmq:shop-rabbit/%2F/no.such.queue")});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains("no.such.queue"), run.err.constData());
    run = dlq({QStringLiteral("show"), QStringLiteral("kafka:shop-kafka/no-such-topic")});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains("no-such-topic"), run.err.constData());

    // A read-only profile refuses --insist (it can dead-letter a message), in the core.
    ClusterProfile readOnly = test::rabbitProfile(QStringLiteral("ro-rabbit"), m_node);
    readOnly.readOnly = true;
    QVERIFY(QDir(m_dir.path()).mkpath(QStringLiteral("ro")));
    const QString roProfiles
        = test::writeProfiles(m_dir.path() + QStringLiteral("/ro"), {readOnly});
    run = runCtl({QStringLiteral("--profiles"), roProfiles, QStringLiteral("dlq"),
                  QStringLiteral("show"), QStringLiteral("rabbitmq:ro-rabbit/%2F/ctl.test.dlq"),
                  QStringLiteral("--insist")});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains("read-only"), run.err.constData());
    // Without --insist it reads as any profile does.
    run = runCtl({QStringLiteral("--profiles"), roProfiles, QStringLiteral("dlq"),
                  QStringLiteral("show"), QStringLiteral("rabbitmq:ro-rabbit/%2F/ctl.test.dlq")});
    QCOMPARE(run.exitCode, 0);
}

void TestVeltrixCtl::dlqRedriveMovesPreviewsAndRefuses()
{
    const QString audit = m_dir.filePath(QStringLiteral("audit.jsonl"));
    qputenv("VELTRIX_AUDIT_LOG", QFile::encodeName(audit));
    const QString source = QStringLiteral("rabbitmq:shop-rabbit/%2F/ctl.test.dlq");
    auto redrive = [this](const QStringList &rest) {
        return runCtl(QStringList {QStringLiteral("--profiles"), m_profiles, QStringLiteral("dlq"),
                                   QStringLiteral("redrive")}
                      + rest);
    };
    auto depth = [this](const QString &queue) {
        auto amqp = test::openAmqp(test::rabbitProfile(QStringLiteral("r"), m_node).amqpUri);
        if (!amqp)
            return qint64(-1);
        auto counts = amqp->inspectQueue(queue);
        return counts ? counts->messages : qint64(-1);
    };
    const qint64 before = depth(QStringLiteral("ctl.test.dlq"));
    QVERIFY(before >= 4);

    // A dry run says where each would go and moves nothing.
    Run run = redrive({source, QStringLiteral("--dry-run"), QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 0);
    QJsonObject report = QJsonDocument::fromJson(run.out).object();
    QVERIFY(report.value(QStringLiteral("dry_run")).toBool());
    QCOMPARE(report.value(QStringLiteral("moved")).toInteger(), before);
    QCOMPARE(report.value(QStringLiteral("moved_by_target"))
                 .toObject()
                 .value(QStringLiteral("queue ctl.test.work"))
                 .toInteger(),
             before);
    QCOMPARE(depth(QStringLiteral("ctl.test.dlq")), before);

    // Usage errors: a Kafka destination for a RabbitMQ DLQ, a bad rate.
    run = redrive({source, QStringLiteral("--to"), QStringLiteral("topic:x")});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains("queue:<name>"), run.err.constData());
    run = redrive({source, QStringLiteral("--rate"), QStringLiteral("-5")});
    QCOMPARE(run.exitCode, 2);

    // The engine refuses on a read-only profile, and says so.
    ClusterProfile readOnly = test::rabbitProfile(QStringLiteral("ro-rabbit"), m_node);
    readOnly.readOnly = true;
    QVERIFY(QDir(m_dir.path()).mkpath(QStringLiteral("ro2")));
    const QString roProfiles
        = test::writeProfiles(m_dir.path() + QStringLiteral("/ro2"), {readOnly});
    run = runCtl({QStringLiteral("--profiles"), roProfiles, QStringLiteral("dlq"),
                  QStringLiteral("redrive"),
                  QStringLiteral("rabbitmq:ro-rabbit/%2F/ctl.test.dlq")});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains("read-only"), run.err.constData());
    QCOMPARE(depth(QStringLiteral("ctl.test.dlq")), before);

    // One, then the rest, as text.
    run = redrive({source, QStringLiteral("--limit"), QStringLiteral("1"), QStringLiteral("--json"),
                   QStringLiteral("--rate"), QStringLiteral("50")});
    QCOMPARE(run.exitCode, 0);
    report = QJsonDocument::fromJson(run.out).object();
    QCOMPARE(report.value(QStringLiteral("moved")).toInteger(), 1);
    QCOMPARE(report.value(QStringLiteral("outcome")).toString(), QStringLiteral("completed"));
    run = redrive({source});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains(QByteArray(QByteArray("moved ") + QByteArray::number(before - 1))),
             run.out.constData());
    QVERIFY2(run.out.contains("queue ctl.test.work"), run.out.constData());
    QCOMPARE(depth(QStringLiteral("ctl.test.dlq")), 0);

    // Kafka: the Spring DLT's records go back to their original topic; the progress group
    // makes a second run a no-op.
    QVERIFY(m_mock->createTopic(QStringLiteral("payments"), 2, 1).ok());
    const QString kafkaSource = QStringLiteral("kafka:shop-kafka/payments.DLT");
    run = redrive({kafkaSource, QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 0);
    report = QJsonDocument::fromJson(run.out).object();
    QCOMPARE(report.value(QStringLiteral("moved")).toInteger(), 3);
    QCOMPARE(report.value(QStringLiteral("progress_group")).toString(),
             QStringLiteral("veltrix-redrive.payments.DLT"));
    run = redrive({kafkaSource, QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(QJsonDocument::fromJson(run.out).object().value(QStringLiteral("moved")).toInteger(),
             0);

    // Every run is on record, dry runs and refusals included.
    QFile log(audit);
    QVERIFY(log.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = log.readAll().split('\n');
    int finishes = 0;
    for (const QByteArray &line : lines)
        if (QJsonDocument::fromJson(line).object().value(QStringLiteral("event")).toString()
            == QStringLiteral("redrive.finish"))
            ++finishes;
    QCOMPARE(finishes, 6); // the refusal too
}

void TestVeltrixCtl::probeJsonFollowsTheContract()
{
    QVERIFY(m_mock->createTopic(QStringLiteral("ctl-probe"), 3, 3).ok());
    const auto objects = [](const QByteArray &out) {
        QList<QJsonObject> list;
        for (const QByteArray &line : out.trimmed().split('\n'))
            list.append(QJsonDocument::fromJson(line).object());
        return list;
    };
    const QStringList contract
        = {QStringLiteral("availability"), QStringLiteral("kind"),   QStringLiteral("max_ms"),
           QStringLiteral("p50_ms"),       QStringLiteral("p95_ms"), QStringLiteral("p99_ms"),
           QStringLiteral("received"),     QStringLiteral("sent"),   QStringLiteral("target")};
    const auto checkLatencies = [](const QJsonObject &o) {
        const double p50 = o[QStringLiteral("p50_ms")].toDouble();
        QVERIFY2(
            p50 > 0 && p50 <= o[QStringLiteral("p95_ms")].toDouble()
                && o[QStringLiteral("p95_ms")].toDouble() <= o[QStringLiteral("p99_ms")].toDouble()
                && o[QStringLiteral("p99_ms")].toDouble() <= o[QStringLiteral("max_ms")].toDouble()
                && o[QStringLiteral("max_ms")].toDouble() < 5000,
            QJsonDocument(o).toJson(QJsonDocument::Compact).constData());
    };

    // Kafka: 4 rounds of one probe to each of the 3 partitions.
    const Run kafka = runCtl({QStringLiteral("probe"), QStringLiteral("kafka:shop-kafka/ctl-probe"),
                              QStringLiteral("--count"), QStringLiteral("4"),
                              QStringLiteral("--rate"), QStringLiteral("20"),
                              QStringLiteral("--json"), QStringLiteral("--profiles"), m_profiles});
    QVERIFY2(kafka.exitCode == 0, kafka.err.constData());
    const QList<QJsonObject> kafkaLines = objects(kafka.out);
    QCOMPARE(kafkaLines.size(), 1);
    const QJsonObject e2e = kafkaLines.first();
    QCOMPARE(e2e.keys(), contract);
    QCOMPARE(e2e[QStringLiteral("target")].toString(),
             QStringLiteral("kafka:shop-kafka/ctl-probe"));
    QCOMPARE(e2e[QStringLiteral("kind")].toString(), QStringLiteral("kafka_e2e"));
    QCOMPARE(e2e[QStringLiteral("sent")].toInt(), 12);
    QCOMPARE(e2e[QStringLiteral("received")].toInt(), 12);
    QCOMPARE(e2e[QStringLiteral("availability")].toDouble(), 1.0);
    checkLatencies(e2e);

    // RabbitMQ: one line per kind, 5 of each.
    const Run rabbit = runCtl({QStringLiteral("probe"), QStringLiteral("rabbitmq:shop-rabbit"),
                               QStringLiteral("--count"), QStringLiteral("5"),
                               QStringLiteral("--rate"), QStringLiteral("20"),
                               QStringLiteral("--json"), QStringLiteral("--profiles"), m_profiles});
    QVERIFY2(rabbit.exitCode == 0, rabbit.err.constData());
    QStringList kinds;
    for (const QJsonObject &o : objects(rabbit.out)) {
        QCOMPARE(o.keys(), contract);
        QVERIFY(o[QStringLiteral("target")].toString().startsWith(
            QStringLiteral("rabbitmq:shop-rabbit/")));
        QCOMPARE(o[QStringLiteral("sent")].toInt(), 5);
        QCOMPARE(o[QStringLiteral("received")].toInt(), 5);
        checkLatencies(o);
        kinds.append(o[QStringLiteral("kind")].toString());
    }
    QCOMPARE(kinds,
             (QStringList {QStringLiteral("publish_consume"), QStringLiteral("publish_confirm"),
                           QStringLiteral("request_reply")}));

    // The text form says the same on one line per kind.
    const Run text = runCtl({QStringLiteral("probe"), QStringLiteral("kafka:shop-kafka/ctl-probe"),
                             QStringLiteral("--count"), QStringLiteral("1"),
                             QStringLiteral("--profiles"), m_profiles});
    QVERIFY2(text.exitCode == 0, text.err.constData());
    QVERIFY2(text.out.contains("kafka_e2e") && text.out.contains("availability 100.00 %"),
             text.out.constData());
}

void TestVeltrixCtl::probeFailuresAndBadOptions()
{
    const auto probe = [this](const QStringList &rest) {
        return runCtl(
            QStringList {QStringLiteral("probe"), QStringLiteral("--profiles"), m_profiles} + rest);
    };
    const Run dead = probe({QStringLiteral("kafka:dead-kafka"), QStringLiteral("--count"),
                            QStringLiteral("1"), QStringLiteral("--json")});
    QCOMPARE(dead.exitCode, 1);
    const QJsonObject error = QJsonDocument::fromJson(dead.out.trimmed()).object();
    QCOMPARE(error[QStringLiteral("target")].toString(), QStringLiteral("dead-kafka"));
    QVERIFY2(!error[QStringLiteral("error")].toString().isEmpty(), dead.out.constData());
    QVERIFY2(dead.elapsedMs < 30000, "an unreachable cluster fails within its timeouts");

    QCOMPARE(probe({QStringLiteral("nats:x")}).exitCode, 2);
    QCOMPARE(probe({QStringLiteral("kafka:nope")}).exitCode, 2);
    QCOMPARE(probe({QStringLiteral("rabbitmq:shop-kafka")}).exitCode, 2); // wrong kind
    QCOMPARE(
        probe({QStringLiteral("kafka:shop-kafka"), QStringLiteral("--count"), QStringLiteral("0")})
            .exitCode,
        2);
    QCOMPARE(probe({QStringLiteral("kafka:shop-kafka"), QStringLiteral("--rate"),
                    QStringLiteral("fast")})
                 .exitCode,
             2);
    QCOMPARE(probe({QStringLiteral("kafka:shop-kafka"), QStringLiteral("extra")}).exitCode, 2);
}

void TestVeltrixCtl::retryGetAndSetFollowTheContract()
{
    const QString vhost = QStringLiteral("ctl-retry");
    auto fresh = freshTestVhost(m_node, vhost);
    QVERIFY2(fresh.ok(), qPrintable(fresh.error().describe()));
    {
        auto amqp = test::openAmqp(testAmqpUri(m_node, vhost));
        QVERIFY(amqp);
        QVERIFY(amqp->declareQueue(QStringLiteral("jobs"), true,
                                   {{QStringLiteral("x-queue-type"), QStringLiteral("quorum")}})
                    .ok());
    }
    const QString audit = m_dir.filePath(QStringLiteral("retry-audit.jsonl"));
    qputenv("VELTRIX_AUDIT_LOG", QFile::encodeName(audit));
    const QString target = QStringLiteral("rabbitmq:rabbitmq/ctl-retry/jobs");
    auto retry = [this](const QStringList &rest) {
        return runCtl(QStringList {QStringLiteral("--amqp"), m_node.amqpUri(),
                                   QStringLiteral("--management"), m_node.managementUrl(),
                                   QStringLiteral("retry")}
                      + rest);
    };
    const auto settingsOf = [](const QJsonObject &json, const char *key) {
        return json.value(QStringLiteral("settings"))
            .toObject()
            .value(QLatin1String(key))
            .toObject();
    };

    Run run = retry({QStringLiteral("get"), target, QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 0);
    QJsonObject got = QJsonDocument::fromJson(run.out).object();
    QCOMPARE(got.value(QStringLiteral("target")).toString(), target);
    QCOMPARE(got.value(QStringLiteral("type")).toString(), QStringLiteral("quorum"));
    QCOMPARE(got.value(QStringLiteral("settings")).toObject().size(), 7);
    QVERIFY(settingsOf(got, "delivery-limit").value(QStringLiteral("value")).isNull());

    // A dry run plans and changes nothing.
    const QStringList change {QStringLiteral("set"),
                              target,
                              QStringLiteral("--max-attempts"),
                              QStringLiteral("3"),
                              QStringLiteral("--set"),
                              QStringLiteral("dead-letter-exchange=jobs.dlx"),
                              QStringLiteral("--json")};
    run = retry(change + QStringList {QStringLiteral("--dry-run")});
    QCOMPARE(run.exitCode, 0);
    QJsonObject result = QJsonDocument::fromJson(run.out).object();
    QVERIFY(result.value(QStringLiteral("dry_run")).toBool());
    QVERIFY(!result.value(QStringLiteral("applied")).toBool());
    const QJsonArray changes = result.value(QStringLiteral("plan"))
                                   .toObject()
                                   .value(QStringLiteral("changes"))
                                   .toArray();
    QCOMPARE(changes.size(), 2);
    bool sawLimit = false;
    for (const QJsonValue &c : changes)
        if (c[QStringLiteral("key")].toString() == QStringLiteral("delivery-limit"))
            sawLimit = c[QStringLiteral("after")][QStringLiteral("value")].toInt() == 2;
    QVERIFY2(sawLimit, run.out.constData()); // 3 attempts: the first delivery and 2 requeues
    run = retry({QStringLiteral("get"), target, QStringLiteral("--json")});
    QVERIFY(settingsOf(QJsonDocument::fromJson(run.out).object(), "delivery-limit")
                .value(QStringLiteral("value"))
                .isNull());

    run = retry(change);
    QCOMPARE(run.exitCode, 0);
    result = QJsonDocument::fromJson(run.out).object();
    QVERIFY2(result.value(QStringLiteral("applied")).toBool(), run.out.constData());
    // "settings": what `retry get --json` now says.
    const QJsonObject now = result.value(QStringLiteral("settings")).toObject();
    QCOMPARE(settingsOf(now, "delivery-limit").value(QStringLiteral("value")).toInt(), 2);
    QCOMPARE(settingsOf(now, "dead-letter-exchange").value(QStringLiteral("source")).toString(),
             QStringLiteral("policy veltrix-retry.jobs"));

    // Refused in words (exit 1), usage errors (exit 2), a missing queue (exit 1).
    run = retry({QStringLiteral("set"), target, QStringLiteral("--set"),
                 QStringLiteral("overflow=drop-tail")});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains("overflow must be"), run.err.constData());
    run = retry(
        {QStringLiteral("set"), target, QStringLiteral("--set"), QStringLiteral("colour=red")});
    QCOMPARE(run.exitCode, 2);
    run = retry(
        {QStringLiteral("set"), target, QStringLiteral("--backoff"), QStringLiteral("soon")});
    QCOMPARE(run.exitCode, 2);
    run = retry({QStringLiteral("get"), QStringLiteral("rabbitmq:rabbitmq/ctl-retry/missing"),
                 QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 1);
    QVERIFY(QJsonDocument::fromJson(run.out).object().contains(QStringLiteral("error")));

    const QList<QJsonObject> lines = test::readJsonLines(audit);
    QCOMPARE(lines.size(), 3); // the dry run; started and applied
    QCOMPARE(lines.first().value(QStringLiteral("outcome")).toString(), QStringLiteral("dry-run"));
    QCOMPARE(lines.last().value(QStringLiteral("outcome")).toString(), QStringLiteral("applied"));
}

void TestVeltrixCtl::retryKafkaGroupPoliciesAndTheirHistory()
{
    const QString audit = m_dir.filePath(QStringLiteral("kafka-retry-audit.jsonl"));
    qputenv("VELTRIX_AUDIT_LOG", QFile::encodeName(audit));
    const QString target = QStringLiteral("kafka:kafka/orders-service");
    auto retry = [this](const QStringList &rest) {
        return runCtl(QStringList {QStringLiteral("--bootstrap"), m_mock->bootstrapServers(),
                                   QStringLiteral("retry")}
                      + rest + QStringList {QStringLiteral("--json")});
    };
    Run run = retry({QStringLiteral("get"), target});
    QCOMPARE(run.exitCode, 0);
    QJsonObject got = QJsonDocument::fromJson(run.out).object();
    QVERIFY2(got.value(QStringLiteral("policy")).isNull(), run.out.constData());
    QCOMPARE(got.value(QStringLiteral("topic")).toString(),
             QStringLiteral("veltrix.retry-policies"));

    const QStringList first {QStringLiteral("set"),
                             target,
                             QStringLiteral("--max-attempts"),
                             QStringLiteral("4"),
                             QStringLiteral("--backoff"),
                             QStringLiteral("1s,5s,30s"),
                             QStringLiteral("--dlt"),
                             QStringLiteral("orders-dlt")};
    run = retry(first + QStringList {QStringLiteral("--dry-run")});
    QVERIFY2(run.exitCode == 0, run.out.constData());
    QJsonObject result = QJsonDocument::fromJson(run.out).object();
    QVERIFY(!result.value(QStringLiteral("applied")).toBool());
    const QJsonObject after
        = result.value(QStringLiteral("plan"))[QStringLiteral("after")].toObject();
    QCOMPARE(after.value(QStringLiteral("initial_backoff_ms")).toInteger(), 1000);
    QCOMPARE(after.value(QStringLiteral("multiplier")).toDouble(), 5.0);
    QCOMPARE(after.value(QStringLiteral("max_backoff_ms")).toInteger(), 30000);
    QCOMPARE(after.value(QStringLiteral("max_attempts")).toInt(), 4);

    run = retry(first);
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(QJsonDocument::fromJson(run.out).object().value(QStringLiteral("applied")).toBool(),
             run.out.constData());
    run = retry(
        {QStringLiteral("set"), target, QStringLiteral("--max-attempts"), QStringLiteral("1")});
    QCOMPARE(run.exitCode, 0);
    result = QJsonDocument::fromJson(run.out).object();
    QCOMPARE(result.value(QStringLiteral("plan"))[QStringLiteral("changes")].toArray(),
             QJsonArray {QStringLiteral("max_attempts: 4 → 1")});

    run = retry({QStringLiteral("get"), target});
    got = QJsonDocument::fromJson(run.out).object();
    QCOMPARE(got.value(QStringLiteral("policy"))[QStringLiteral("max_attempts")].toInt(), 1);
    QCOMPARE(got.value(QStringLiteral("policy"))[QStringLiteral("dlt")].toString(),
             QStringLiteral("orders-dlt")); // kept from the version before
    QCOMPARE(got.value(QStringLiteral("history")).toArray().size(), 2);

    run = retry(
        {QStringLiteral("set"), target, QStringLiteral("--multiplier"), QStringLiteral("0.5")});
    QCOMPARE(run.exitCode, 1);
    QVERIFY(QJsonDocument::fromJson(run.out)
                .object()
                .value(QStringLiteral("plan"))[QStringLiteral("errors")]
                .toArray()
                .first()
                .toString()
                .contains(QStringLiteral("multiplier")));
    QCOMPARE(test::readJsonLines(audit).size(), 5); // dry run; started+applied twice
}

QTEST_GUILESS_MAIN(TestVeltrixCtl)
#include "tst_veltrixctl.moc"
