// The changes that cannot be undone: purging a DLQ (RabbitMQ queue.purge, Kafka
// DeleteRecords) and resetting a consumer group's offsets. Counted by a dry run, audited,
// and refused on read-only profiles; then every mutating path of veltrixctl is tried on a
// read-only profile and must refuse, changing nothing.
#include "ops/dlqpurge.h"
#include "ops/offsetreset.h"
#include "testkafka.h"
#include "testprofiles.h"
#include "testrabbitnode.h"

#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace veltrix;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

class TestOperations : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void rabbitPurgeCountsThenEmpties();
    void kafkaPurgeDeletesEveryRecord();
    void offsetResetTargets_data();
    void offsetResetTargets();
    void targetsAreParsedOrRefusedInWords();
    void readOnlyRefusesInTheCore();
    void veltrixctlPurgesAndResets();
    void veltrixctlRefusesEveryChangeOnReadOnly_data();
    void veltrixctlRefusesEveryChangeOnReadOnly();

private:
    struct Run
    {
        int exitCode = -1;
        QByteArray out, err;
    };
    Run ctl(const QStringList &args);
    void fillDlq(int count);
    qint64 depth(const QString &queue);
    QList<qint64> committed(const QString &group);

    LocalRabbitNodeInfo m_node;
    std::unique_ptr<MockKafkaCluster> m_kafka;
    ClusterProfile m_rabbit, m_kafkaProfile;
    QTemporaryDir m_dir;
    QString m_audit;
    const QString m_vhost = u"ops"_s;
};

void TestOperations::initTestCase()
{
    QString whyNot;
    const auto node = testRabbitNodeFromEnvironment(&whyNot);
    if (!node)
        QFAIL(qPrintable(whyNot));
    m_node = *node;
    auto fresh = freshTestVhost(m_node, m_vhost);
    QVERIFY2(fresh, qPrintable(fresh.error().describe()));
    auto kafka = test::startMockKafka({u"orders"_s, u"orders.DLT"_s}, 2);
    QVERIFY2(kafka, qPrintable(kafka.error().describe()));
    m_kafka = std::move(kafka.value());
    m_rabbit = test::rabbitProfile(u"ops-rabbit"_s, m_node);
    m_rabbit.amqpUri = testAmqpUri(m_node, m_vhost);
    m_kafkaProfile = test::kafkaProfile(u"ops-kafka"_s, m_kafka->bootstrapServers());
    m_audit = m_dir.filePath(u"audit.jsonl"_s);
    qputenv("VELTRIX_AUDIT_LOG", QFile::encodeName(m_audit));
    // orders: 10 and 20 records, group billing committed 4 and 5.
    QVERIFY(test::produceCounts(m_kafkaProfile, u"orders"_s, {10, 20}));
    QVERIFY(test::commitOffsets(m_kafkaProfile, u"billing"_s, u"orders"_s, {{0, 4}, {1, 5}}));
}

void TestOperations::cleanupTestCase()
{
    deleteTestVhost(m_node, m_vhost);
}

void TestOperations::fillDlq(int count)
{
    auto amqp = test::openAmqp(m_rabbit.amqpUri);
    QVERIFY(amqp);
    QVERIFY(amqp->declareQueue(u"ops.dlq"_s, true));
    QVERIFY(amqp->declareExchange(u"ops.x"_s, u"direct"_s, true));
    QVERIFY(amqp->bindQueue(u"ops.dlq"_s, u"ops.x"_s, u"ops.dlq"_s));
    for (int i = 0; i < count; ++i)
        QVERIFY(amqp->publish({}, u"ops.dlq"_s, "dead " + QByteArray::number(i)));
}

qint64 TestOperations::depth(const QString &queue)
{
    // Publishes are asynchronous: the count settles within moments.
    return test::readyCount(m_rabbit.amqpUri, queue);
}

QList<qint64> TestOperations::committed(const QString &group)
{
    return test::committedOffsets(m_kafkaProfile, group, u"orders"_s, 2);
}

void TestOperations::rabbitPurgeCountsThenEmpties()
{
    fillDlq(7);
    QTRY_COMPARE_WITH_TIMEOUT(depth(u"ops.dlq"_s), 7, 5000);
    const DlqSource source {ClusterKind::RabbitMq, m_rabbit.name, m_vhost, u"ops.dlq"_s};
    DlqPurge purge(m_rabbit, 5s, AuditLog(m_audit));
    const auto dry = purge.run(source, true);
    QVERIFY2(dry, qPrintable(dry.error().describe()));
    QVERIFY(dry->dryRun);
    QCOMPARE(dry->messages, 7);
    QCOMPARE(depth(u"ops.dlq"_s), 7);
    const auto done = purge.run(source, false);
    QVERIFY2(done, qPrintable(done.error().describe()));
    QCOMPARE(done->messages, 7);
    QCOMPARE(depth(u"ops.dlq"_s), 0);

    // Audited: the dry run, then started and purged with the count, in that order.
    QStringList outcomes;
    for (const QJsonObject &line : test::readJsonLines(m_audit))
        if (line[u"action"_s] == u"dlq.purge"_s && line[u"source"_s] == source.toString())
            outcomes << u"%1:%2"_s.arg(line[u"outcome"_s].toString())
                            .arg(line[u"messages"_s].toInteger());
    QCOMPARE(outcomes, (QStringList {u"dry-run:7"_s, u"started:7"_s, u"purged:7"_s}));
}

// librdkafka 2.0.2's mock cluster does not implement DeleteRecords: the purge must say so
// in words, delete nothing, and audit the failure. (Real brokers take it; the request is
// the one kafka-delete-records.sh sends.)
void TestOperations::kafkaPurgeDeletesEveryRecord()
{
    QVERIFY(test::produceCounts(m_kafkaProfile, u"orders.DLT"_s, {3, 4}));
    const DlqSource source {ClusterKind::Kafka, m_kafkaProfile.name, {}, u"orders.DLT"_s};
    DlqPurge purge(m_kafkaProfile, 5s, AuditLog(m_audit));
    const auto dry = purge.run(source, true);
    QVERIFY2(dry, qPrintable(dry.error().describe()));
    QCOMPARE(dry->messages, 7);
    const auto done = purge.run(source, false);
    if (done) { // a broker that deletes: nothing may be left
        QCOMPARE(done->messages, 7);
        const auto after = purge.run(source, true);
        QVERIFY(after);
        QCOMPARE(after->messages, 0);
        return;
    }
    QCOMPARE(done.error().kind, BrokerError::Kind::Unsupported);
    QVERIFY2(done.error().describe().contains(u"not supported"_s),
             qPrintable(done.error().describe()));
    const auto after = purge.run(source, true);
    QVERIFY(after);
    QCOMPARE(after->messages, 7);
    QStringList outcomes;
    for (const QJsonObject &line : test::readJsonLines(m_audit))
        if (line[u"source"_s] == source.toString())
            outcomes << line[u"outcome"_s].toString();
    QCOMPARE(outcomes, (QStringList {u"dry-run"_s, u"started"_s, u"failed"_s, u"dry-run"_s}));
}

void TestOperations::offsetResetTargets_data()
{
    QTest::addColumn<QString>("to");
    QTest::addColumn<QList<qint64>>("next");
    QTest::addColumn<int>("notes");
    QTest::newRow("earliest") << u"earliest"_s << QList<qint64> {0, 0} << 0;
    QTest::newRow("latest") << u"latest"_s << QList<qint64> {10, 20} << 0;
    QTest::newRow("offset, clamped on the short partition")
        << u"offset:15"_s << QList<qint64> {10, 15} << 1;
    QTest::newRow("a time before everything")
        << u"2001-01-01T00:00:00Z"_s << QList<qint64> {0, 0} << 0;
    QTest::newRow("a time after everything")
        << u"2099-01-01T00:00:00Z"_s << QList<qint64> {10, 20} << 0;
}

void TestOperations::offsetResetTargets()
{
    QFETCH(QString, to);
    QFETCH(QList<qint64>, next);
    QFETCH(int, notes);
    QString why;
    const auto target = OffsetResetTarget::parse(to, &why);
    QVERIFY2(target, qPrintable(why));
    OffsetReset reset(m_kafkaProfile, 5s, AuditLog(m_audit));
    const QString group = u"resettable-"_s
        + QString::fromUtf8(QTest::currentDataTag()).replace(u' ', u'-').remove(u',');
    const auto plan = reset.plan(group, u"orders"_s, *target);
    QVERIFY2(plan, qPrintable(plan.error().describe()));
    QList<qint64> planned;
    for (const auto &row : plan->partitions) {
        planned << row.next;
        QCOMPARE(row.current, -1); // nothing committed yet
    }
    QCOMPARE(planned, next);
    QCOMPARE(plan->notes.size(), notes);
    const auto applied = reset.apply(plan.value());
    QVERIFY2(applied, qPrintable(applied.error().describe()));
    QCOMPARE(committed(group), next);
}

void TestOperations::targetsAreParsedOrRefusedInWords()
{
    QString why;
    QVERIFY(!OffsetResetTarget::parse(u"offset:-1"_s, &why));
    QVERIFY(why.contains(u"whole number"_s));
    QVERIFY(!OffsetResetTarget::parse(u"2026-12-07T10:00:00"_s, &why));
    QVERIFY2(why.contains(u"time zone"_s), qPrintable(why));
    QVERIFY(!OffsetResetTarget::parse(u"yesterday"_s, &why));
    QVERIFY(why.contains(u"earliest, latest, offset:N"_s));
    const auto t = OffsetResetTarget::parse(u"2026-12-07T10:00:00.250+01:00"_s, &why);
    QVERIFY(t);
    QCOMPARE(t->toString(), u"2026-12-07T09:00:00.250Z"_s);
}

void TestOperations::readOnlyRefusesInTheCore()
{
    fillDlq(2);
    QTRY_COMPARE_WITH_TIMEOUT(depth(u"ops.dlq"_s), 2, 5000);
    ClusterProfile readOnly = m_rabbit;
    readOnly.readOnly = true;
    const DlqSource source {ClusterKind::RabbitMq, readOnly.name, m_vhost, u"ops.dlq"_s};
    DlqPurge purge(readOnly, 5s, AuditLog(m_audit));
    QVERIFY(purge.run(source, true)); // counting is allowed
    const auto refused = purge.run(source, false);
    QVERIFY(!refused);
    QVERIFY2(refused.error().message.contains(u"is read-only"_s),
             qPrintable(refused.error().message));
    QCOMPARE(depth(u"ops.dlq"_s), 2);

    ClusterProfile kafkaReadOnly = m_kafkaProfile;
    kafkaReadOnly.readOnly = true;
    OffsetReset reset(kafkaReadOnly, 5s, AuditLog(m_audit));
    const auto plan = reset.plan(u"billing"_s, u"orders"_s, {OffsetResetTarget::Kind::Earliest, 0});
    QVERIFY(plan);
    const auto applied = reset.apply(plan.value());
    QVERIFY(!applied);
    QVERIFY(applied.error().message.contains(u"is read-only"_s));
    QCOMPARE(committed(u"billing"_s), (QList<qint64> {4, 5}));
}

TestOperations::Run TestOperations::ctl(const QStringList &args)
{
    QProcess process;
    process.start(qEnvironmentVariable("VELTRIX_CTL"), args);
    Run run;
    if (!process.waitForFinished(60000))
        process.kill();
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    return run;
}

void TestOperations::veltrixctlPurgesAndResets()
{
    QVERIFY2(!qEnvironmentVariableIsEmpty("VELTRIX_CTL"), "VELTRIX_CTL names veltrixctl");
    const QString profiles = test::writeProfiles(m_dir.path(), {m_rabbit, m_kafkaProfile});
    const QString dlq = u"rabbitmq:ops-rabbit/ops/ops.dlq"_s;
    fillDlq(3);
    QTRY_VERIFY_WITH_TIMEOUT(depth(u"ops.dlq"_s) >= 3, 5000);
    const qint64 before = depth(u"ops.dlq"_s);
    Run run
        = ctl({u"--profiles"_s, profiles, u"dlq"_s, u"purge"_s, dlq, u"--dry-run"_s, u"--json"_s});
    QCOMPARE(run.exitCode, 0);
    QJsonObject out = QJsonDocument::fromJson(run.out).object();
    QCOMPARE(out[u"messages"_s].toInteger(), before);
    QVERIFY(out[u"dry_run"_s].toBool());
    QCOMPARE(depth(u"ops.dlq"_s), before);
    run = ctl({u"--profiles"_s, profiles, u"dlq"_s, u"purge"_s, dlq});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains(QByteArray(QByteArray("purged ") + QByteArray::number(before))),
             run.out.constData());
    QCOMPARE(depth(u"ops.dlq"_s), 0);

    run = ctl({u"--profiles"_s, profiles, u"offsets"_s, u"reset"_s, u"kafka:ops-kafka/ctl-group"_s,
               u"--topic"_s, u"orders"_s, u"--to"_s, u"latest"_s, u"--json"_s});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    out = QJsonDocument::fromJson(run.out).object();
    QCOMPARE(out[u"to"_s].toString(), u"latest"_s);
    QCOMPARE(out[u"partitions"_s][1][u"next"_s].toInteger(), 20);
    QCOMPARE(committed(u"ctl-group"_s), (QList<qint64> {10, 20}));
    run = ctl({u"--profiles"_s, profiles, u"offsets"_s, u"reset"_s, u"kafka:ops-kafka/ctl-group"_s,
               u"--topic"_s, u"orders"_s, u"--to"_s, u"earliest"_s, u"--dry-run"_s});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains("partition 1: 20 → 0"), run.out.constData());
    QCOMPARE(committed(u"ctl-group"_s), (QList<qint64> {10, 20}));
    run = ctl({u"--profiles"_s, profiles, u"offsets"_s, u"reset"_s, u"kafka:ops-kafka/ctl-group"_s,
               u"--topic"_s, u"orders"_s, u"--to"_s, u"soon"_s});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains("is not earliest, latest"), run.err.constData());
}

void TestOperations::veltrixctlRefusesEveryChangeOnReadOnly_data()
{
    QTest::addColumn<QStringList>("args");
    const QString dlq = u"rabbitmq:ops-rabbit/ops/ops.dlq"_s;
    QTest::newRow("dlq redrive") << QStringList {u"dlq"_s, u"redrive"_s, dlq, u"--to"_s,
                                                 u"queue:ops.work"_s};
    QTest::newRow("dlq show --insist") << QStringList {u"dlq"_s, u"show"_s, dlq, u"--insist"_s};
    QTest::newRow("dlq purge") << QStringList {u"dlq"_s, u"purge"_s, dlq};
    QTest::newRow("kafka dlq purge")
        << QStringList {u"dlq"_s, u"purge"_s, u"kafka:ops-kafka/orders"_s};
    QTest::newRow("offsets reset") << QStringList {
        u"offsets"_s, u"reset"_s,   u"kafka:ops-kafka/billing"_s, u"--topic"_s, u"orders"_s,
        u"--to"_s,    u"earliest"_s};
    QTest::newRow("retry set (policy)")
        << QStringList {u"retry"_s, u"set"_s, u"rabbitmq:ops-rabbit/ops/ops.dlq"_s, u"--set"_s,
                        u"message-ttl=1000"_s};
    QTest::newRow("retry set (ladder)") << QStringList {
        u"retry"_s, u"set"_s, u"rabbitmq:ops-rabbit/ops/ops.dlq"_s, u"--backoff"_s, u"1s,5s"_s};
    QTest::newRow("retry set (kafka policy)") << QStringList {
        u"retry"_s, u"set"_s,       u"kafka:ops-kafka/billing"_s, u"--max-attempts"_s, u"2"_s,
        u"--dlt"_s, u"orders.DLT"_s};
}

void TestOperations::veltrixctlRefusesEveryChangeOnReadOnly()
{
    QFETCH(QStringList, args);
    ClusterProfile rabbit = m_rabbit, kafka = m_kafkaProfile;
    rabbit.readOnly = kafka.readOnly = true;
    QDir(m_dir.path()).mkpath(u"ro"_s);
    const QString profiles = test::writeProfiles(m_dir.filePath(u"ro"_s), {rabbit, kafka});
    fillDlq(2);
    QTRY_VERIFY_WITH_TIMEOUT(depth(u"ops.dlq"_s) >= 2, 5000);
    const qint64 before = depth(u"ops.dlq"_s);
    const QList<qint64> billing = committed(u"billing"_s);
    const Run run = ctl(QStringList {u"--profiles"_s, profiles} + args);
    QVERIFY2(run.exitCode == 1, QByteArray(run.out + run.err).constData());
    QVERIFY2(run.err.contains("read-only"), run.err.constData());
    QCOMPARE(depth(u"ops.dlq"_s), before);
    QCOMPARE(committed(u"billing"_s), billing);
}

QTEST_GUILESS_MAIN(TestOperations)
#include "tst_operations.moc"
