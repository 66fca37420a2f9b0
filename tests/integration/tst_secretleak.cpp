// A password given to the console must never be written down or shown. The profile names
// an environment variable; veltrixctl and the console connect with it (and with a wrong one,
// and to brokers that are down), browse, export, redrive and write the audit log; then every
// file they wrote and everything they printed is searched for the secret.
#include "core/profilefile.h"
#include "testprofiles.h"
#include "testrabbitnode.h"

#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace veltrix;
using namespace Qt::StringLiterals;

namespace {

// Unlikely anywhere by chance; the wrong password contains it, so it is searched for too.
const QString Secret = u"Vx-Canary-7f3a9Q-secret"_s;
const QString Vhost = u"leak"_s;
const QString User = u"leak-user"_s;

struct Run
{
    int exitCode = -1;
    QByteArray output; // stdout and stderr
};

} // namespace

class TestSecretLeak : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void nothingWrittenOrPrintedHoldsTheSecret();

private:
    Run run(const QString &program, const QStringList &args);
    void prepareDeadLetters();

    LocalRabbitNodeInfo m_node;
    std::unique_ptr<MockKafkaCluster> m_kafka;
    QTemporaryDir m_home;
    QString m_profiles;
    QList<QPair<QString, QByteArray>> m_printed; // command, what it printed
};

void TestSecretLeak::initTestCase()
{
    QString whyNot;
    const auto node = testRabbitNodeFromEnvironment(&whyNot);
    if (!node)
        QFAIL(qPrintable(whyNot));
    m_node = *node;
    QVERIFY(m_home.isValid());
    auto vhost = freshTestVhost(m_node, Vhost);
    QVERIFY2(vhost, qPrintable(vhost.error().describe()));
    auto user = scopedTestUser(m_node, Vhost, User, Secret, u"policymaker"_s);
    QVERIFY2(user, qPrintable(user.error().describe()));
    prepareDeadLetters();
    auto kafka = test::startMockKafka({u"orders"_s, u"orders.DLT"_s}, 2);
    QVERIFY2(kafka, qPrintable(kafka.error().describe()));
    m_kafka = std::move(kafka.value());

    const QString amqp = u"amqp://%1@127.0.0.1:%2/%3"_s.arg(User).arg(m_node.amqpPort).arg(Vhost);
    ClusterProfile rabbit;
    rabbit.name = u"leak-rabbit"_s;
    rabbit.kind = ClusterKind::RabbitMq;
    rabbit.amqpUri = amqp;
    rabbit.managementUrl = m_node.managementUrl();
    rabbit.passwordSource = {SecretSource::From::Env, u"LEAK_PASSWORD"_s};
    ClusterProfile wrong = rabbit;
    wrong.name = u"leak-rabbit-wrong"_s;
    wrong.passwordSource.envName = u"LEAK_WRONG_PASSWORD"_s;
    ClusterProfile kafkaSasl;
    kafkaSasl.name = u"leak-kafka"_s;
    kafkaSasl.bootstrap = m_kafka->bootstrapServers();
    kafkaSasl.properties = {{u"security.protocol"_s, u"sasl_plaintext"_s},
                            {u"sasl.mechanisms"_s, u"PLAIN"_s},
                            {u"sasl.username"_s, User}};
    kafkaSasl.passwordSource = {SecretSource::From::Env, u"LEAK_PASSWORD"_s};
    ClusterProfile kafkaDown = kafkaSasl;
    kafkaDown.name = u"leak-kafka-down"_s;
    kafkaDown.bootstrap = test::deadEndpoint();
    m_profiles = m_home.filePath(u"profiles.json"_s);
    QVERIFY(!ProfileFile::save(m_profiles, {rabbit, wrong, kafkaSasl, kafkaDown}));
}

void TestSecretLeak::cleanupTestCase()
{
    deleteTestVhost(m_node, Vhost);
}

// Three dead letters in leak.dlq, rejected from leak.work (so x-death names their way back).
void TestSecretLeak::prepareDeadLetters()
{
    auto amqp = test::openAmqp(testAmqpUri(m_node, Vhost));
    QVERIFY(amqp);
    QVERIFY(amqp->declareQueue(u"leak.dlq"_s, true));
    QVERIFY(amqp->declareQueue(u"leak.work"_s, true,
                               {{u"x-dead-letter-exchange"_s, QString()},
                                {u"x-dead-letter-routing-key"_s, u"leak.dlq"_s}}));
    for (int i = 0; i < 3; ++i)
        QVERIFY(amqp->publish({}, u"leak.work"_s,
                              QByteArray("{\"order\": ") + QByteArray::number(i)
                                  + ", \"password\": \"Body-Pw-991\", \"card\": \"4111 1111 1111 "
                                    "1111\"}"));
    for (int i = 0; i < 3; ++i) {
        auto got = amqp->get(u"leak.work"_s);
        QVERIFY(got && got.value());
        QVERIFY(amqp->reject(got.value()->deliveryTag, false));
    }
}

Run TestSecretLeak::run(const QString &program, const QStringList &args)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    // Everything the programs may write goes under this test's home.
    const QString home = m_home.path();
    env.insert(u"HOME"_s, home);
    env.insert(u"XDG_CONFIG_HOME"_s, home + u"/config"_s);
    env.insert(u"XDG_DATA_HOME"_s, home + u"/data"_s);
    env.insert(u"XDG_CACHE_HOME"_s, home + u"/cache"_s);
    env.insert(u"XDG_STATE_HOME"_s, home + u"/state"_s);
    env.insert(u"XDG_RUNTIME_DIR"_s, home + u"/runtime"_s);
    env.insert(u"TMPDIR"_s, home + u"/tmp"_s);
    env.insert(u"VELTRIX_AUDIT_LOG"_s, home + u"/data/veltrix/audit.jsonl"_s);
    env.insert(u"LEAK_PASSWORD"_s, Secret);
    env.insert(u"LEAK_WRONG_PASSWORD"_s, Secret + u"-wrong"_s);
    for (const QString &dir : {u"/config"_s, u"/data"_s, u"/cache"_s, u"/state"_s, u"/tmp"_s})
        QDir().mkpath(home + dir);
    QDir().mkpath(home + u"/runtime"_s);
    QFile::setPermissions(home + u"/runtime"_s,
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    process.setProcessEnvironment(env);
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(program, args);
    if (!process.waitForFinished(120000))
        process.kill();
    Run out;
    out.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    out.output = process.readAll();
    m_printed.append({QFileInfo(program).fileName() + u' ' + args.join(u' '), out.output});
    return out;
}

void TestSecretLeak::nothingWrittenOrPrintedHoldsTheSecret()
{
    const QString ctl = qEnvironmentVariable("VELTRIX_CTL");
    const QString console = qEnvironmentVariable("VELTRIX_CONSOLE");
    QVERIFY2(!ctl.isEmpty() && !console.isEmpty(), "VELTRIX_CTL and VELTRIX_CONSOLE are set");
    const QStringList profiles = {u"--profiles"_s, m_profiles, u"--timeout"_s, u"3"_s};
    const QString dlq = u"rabbitmq:leak-rabbit/leak/leak.dlq"_s;

    // Connects: the right password works (so the secret really was used) ...
    Run r = run(ctl, profiles + QStringList {u"check"_s, u"--json"_s});
    const QJsonArray checks = QJsonDocument::fromJson(r.output.left(r.output.indexOf('\n')))
                                  .object()
                                  .value(u"clusters"_s)
                                  .toArray();
    QCOMPARE(checks.size(), 4);
    const auto check = [&](const QString &name) {
        for (const QJsonValue &v : checks)
            if (v[u"name"_s].toString() == name)
                return v.toObject();
        return QJsonObject();
    };
    QVERIFY2(check(u"leak-rabbit"_s)[u"reachable"_s].toBool(), r.output.constData());
    // ... the wrong one and the dead broker fail, and say why.
    QCOMPARE(check(u"leak-rabbit-wrong"_s)[u"error"_s][u"kind"_s].toString(),
             u"authentication_failed"_s);
    QVERIFY(!check(u"leak-kafka-down"_s)[u"reachable"_s].toBool());

    // Browse, export, change (audited), probe, settings; then the console itself.
    r = run(ctl, profiles + QStringList {u"profiles"_s, u"--json"_s});
    QCOMPARE(r.exitCode, 0);
    r = run(ctl, profiles + QStringList {u"dlq"_s, u"list"_s, u"--json"_s});
    r = run(ctl, profiles + QStringList {u"dlq"_s, u"show"_s, dlq, u"--json"_s});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.output.contains("\"depth\":3"), r.output.constData());
    // Exports are masked by the profile's default rules: the payload's own secrets too.
    QVERIFY2(!r.output.contains("Body-Pw-991") && !r.output.contains("4111 1111 1111 1111"),
             r.output.constData());
    QVERIFY2(r.output.contains("****1111"), r.output.constData());
    r = run(ctl, profiles + QStringList {u"lag"_s, u"--json"_s, u"--profile"_s, u"leak-kafka"_s});
    r = run(ctl,
            profiles + QStringList {u"lag"_s, u"--json"_s, u"--profile"_s, u"leak-kafka-down"_s});
    r = run(ctl, profiles + QStringList {u"dlq"_s, u"redrive"_s, dlq, u"--dry-run"_s, u"--json"_s});
    QCOMPARE(r.exitCode, 0);
    r = run(ctl, profiles + QStringList {u"dlq"_s, u"redrive"_s, dlq, u"--limit"_s, u"1"_s});
    QCOMPARE(r.exitCode, 0);
    r = run(ctl,
            profiles
                + QStringList {u"retry"_s, u"get"_s, u"rabbitmq:leak-rabbit/leak/leak.work"_s,
                               u"--json"_s});
    QCOMPARE(r.exitCode, 0);
    r = run(ctl,
            profiles + QStringList {u"probe"_s, u"rabbitmq:leak-rabbit"_s, u"--count"_s, u"2"_s});
    r = run(ctl,
            profiles
                + QStringList {u"dlq"_s, u"show"_s, u"rabbitmq:leak-rabbit-wrong/leak/leak.dlq"_s});
    QVERIFY(r.exitCode != 0);
    const QString shot = m_home.filePath(u"tmp/console.png"_s);
    r = run(
        console,
        {u"--profiles"_s, m_profiles, u"--screenshot"_s, shot, u"--screenshot-timeout"_s, u"20"_s});
    QVERIFY2(r.exitCode == 0, r.output.constData());
    QVERIFY(QFileInfo(shot).size() > 0);
    const QString audit = m_home.filePath(u"data/veltrix/audit.jsonl"_s);
    QVERIFY2(QFileInfo(audit).size() > 0, "the redrive wrote its audit lines");

    // The secret as text, and as it travels in an HTTP Basic header.
    const QList<QByteArray> needles = {Secret.toUtf8(), (User + u':' + Secret).toUtf8().toBase64()};
    for (const auto &[command, printed] : std::as_const(m_printed)) {
        for (const QByteArray &needle : needles)
            QVERIFY2(!printed.contains(needle), qPrintable(u"printed by "_s + command));
    }
    int searched = 0;
    QDirIterator files(m_home.path(), QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (files.hasNext()) {
        QFile file(files.next());
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray content = file.readAll();
        for (const QByteArray &needle : needles)
            QVERIFY2(!content.contains(needle), qPrintable(u"written into "_s + file.fileName()));
        ++searched;
    }
    QVERIFY2(searched >= 3, "profiles, audit log and screenshot at least");
    qInfo("searched %d files and the output of %lld commands", searched, qint64(m_printed.size()));
}

QTEST_GUILESS_MAIN(TestSecretLeak)
#include "tst_secretleak.moc"
