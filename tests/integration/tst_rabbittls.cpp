// RabbitMQ over TLS, against a private node this test starts with certificates it makes
// with openssl: a trusted CA connects (AMQPS and the management API over HTTPS); a wrong CA,
// a wrong host name and a wrong password each fail with their own message, quickly.
#include "core/profilefile.h"
#include "rabbitmq/amqpconnection.h"
#include "rabbitmq/localrabbitnode.h"
#include "rabbitmq/managementclient.h"
#include "rabbitmq/rabbitclusterclient.h"
#include "testcertificates.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace veltrix;
using namespace std::chrono_literals;

namespace {
// Far below the 10 s an operator would call a hang; well above a loaded CI machine's handshake.
constexpr qint64 FailFastMs = 10000;
} // namespace

class TestRabbitTls : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void trustedCaConnects();
    void clusterClientConnectsOverTls();
    void failuresSayWhatWentWrong_data();
    void failuresSayWhatWentWrong();
    void verificationOffConnectsWithAnyCa();
    void clientCertificates();
    void managementOverHttps_data();
    void managementOverHttps();
    void veltrixctlChecksATlsProfile();

private:
    ClusterProfile profile(const QString &host, const QString &caFile,
                           const QString &password = QStringLiteral("guest")) const;

    QTemporaryDir m_dir;
    std::optional<TestCertificates> m_certs;
    std::unique_ptr<LocalRabbitNode> m_node;
};

void TestRabbitTls::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QString error;
    m_certs = TestCertificates::generate(m_dir.path(), &error);
    QVERIFY2(m_certs, qPrintable(error));
    m_node = std::make_unique<LocalRabbitNode>(m_dir.filePath(QStringLiteral("node")));
    m_node->setTls({m_certs->caFile, m_certs->serverCertFile, m_certs->serverKeyFile, true});
    const auto started = m_node->start(LocalRabbitNode::Lifetime::Attached);
    QVERIFY2(started, qPrintable(started.error().describe()));
    QVERIFY(started->amqpsPort != 0 && started->managementTlsPort != 0);
}

void TestRabbitTls::cleanupTestCase()
{
    if (m_node)
        QVERIFY(m_node->stop());
}

ClusterProfile TestRabbitTls::profile(const QString &host, const QString &caFile,
                                      const QString &password) const
{
    ClusterProfile p;
    p.name = QStringLiteral("tls-rabbit");
    p.kind = ClusterKind::RabbitMq;
    // "%2F" is vhost "/", not an arg() placeholder.
    p.amqpUri = QStringLiteral("amqps://guest@%1:%2").arg(host).arg(m_node->info().amqpsPort)
        + QStringLiteral("/%2F");
    p.managementUrl
        = QStringLiteral("https://%1:%2").arg(host).arg(m_node->info().managementTlsPort);
    p.tls.caFile = caFile;
    p.passwordSource.from = SecretSource::From::Env; // resolved: what the resolver would fill
    p.password = password;
    return p;
}

void TestRabbitTls::trustedCaConnects()
{
    const auto endpoint = AmqpEndpoint::forProfile(profile(u"localhost"_qs, m_certs->caFile));
    QVERIFY2(endpoint, qPrintable(endpoint.error().describe()));
    QVERIFY(endpoint->tls);
    auto opened = AmqpConnection::open(QStringLiteral("tls-rabbit"), endpoint.value(), 5s);
    QVERIFY2(opened, qPrintable(opened.error().describe()));
    QVERIFY(!opened.value()->serverProperty("version").isEmpty());
    // A real round trip over the encrypted channel, not just a handshake.
    auto temporary = opened.value()->declareTemporaryQueue();
    QVERIFY2(temporary, qPrintable(temporary.error().describe()));
    QVERIFY(opened.value()->publish({}, temporary.value(), "over tls"));
    auto got = opened.value()->get(temporary.value());
    QVERIFY2(got && got.value(), "the message sent over TLS came back");
    QCOMPARE(got.value()->body, QByteArray("over tls"));
}

void TestRabbitTls::clusterClientConnectsOverTls()
{
    RabbitClusterClient client(profile(u"localhost"_qs, m_certs->caFile), 5s);
    const ClusterCheck check = client.probe();
    QVERIFY2(check.reachable, qPrintable(check.error));
    QVERIFY(!check.serverVersion.isEmpty());
    const auto topology = client.fetchTopology(); // the management API over HTTPS
    QVERIFY2(topology, qPrintable(topology.error().describe()));
}

void TestRabbitTls::failuresSayWhatWentWrong_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<bool>("otherCa");
    QTest::addColumn<QString>("password");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("says");
    QTest::newRow("wrong CA") << u"localhost"_qs << true << u"guest"_qs
                              << int(BrokerError::Kind::TlsFailed) << u"is not trusted"_qs;
    QTest::newRow("wrong host name") << u"127.0.0.1"_qs << false << u"guest"_qs
                                     << int(BrokerError::Kind::TlsFailed) << u"name mismatch"_qs;
    QTest::newRow("wrong password")
        << u"localhost"_qs << false << u"Wr0ng-Pa55"_qs
        << int(BrokerError::Kind::AuthenticationFailed) << u"authentication failed"_qs;
}

void TestRabbitTls::failuresSayWhatWentWrong()
{
    QFETCH(QString, host);
    QFETCH(bool, otherCa);
    QFETCH(QString, password);
    QFETCH(int, kind);
    QFETCH(QString, says);
    const auto endpoint = AmqpEndpoint::forProfile(
        profile(host, otherCa ? m_certs->otherCaFile : m_certs->caFile, password));
    QVERIFY(endpoint);
    QElapsedTimer clock;
    clock.start();
    auto opened = AmqpConnection::open(QStringLiteral("tls-rabbit"), endpoint.value(), 5s);
    const qint64 took = clock.elapsed();
    QVERIFY(!opened);
    const QString text = opened.error().describe();
    qInfo("%s: %s (%lld ms)", QTest::currentDataTag(), qPrintable(text), took);
    QCOMPARE(int(opened.error().kind), kind);
    QVERIFY2(text.contains(says, Qt::CaseInsensitive), qPrintable(text));
    QVERIFY2(!text.contains(password) || password == u"guest", "never the password");
    QVERIFY2(took < FailFastMs, qPrintable(QString::number(took)));

    // The other two failures must not be reported as this one.
    for (const QString &other :
         {u"is not trusted"_qs, u"name mismatch"_qs, u"authentication failed"_qs}) {
        if (other != says)
            QVERIFY2(!text.contains(other, Qt::CaseInsensitive), qPrintable(text));
    }
}

void TestRabbitTls::verificationOffConnectsWithAnyCa()
{
    ClusterProfile p = profile(u"127.0.0.1"_qs, m_certs->otherCaFile);
    p.tls.verify = false;
    const auto endpoint = AmqpEndpoint::forProfile(p);
    QVERIFY(endpoint);
    auto opened = AmqpConnection::open(QStringLiteral("tls-rabbit"), endpoint.value(), 5s);
    QVERIFY2(opened, qPrintable(opened.error().describe()));
}

// The node verifies a client certificate when one is presented: ours (its key encrypted,
// opened with the key passphrase) is taken; one from another CA is turned away, in words.
void TestRabbitTls::clientCertificates()
{
    ClusterProfile p = profile(u"localhost"_qs, m_certs->caFile);
    p.tls.certFile = m_certs->clientCertFile;
    p.tls.keyFile = m_certs->clientKeyFile;
    p.keyPassphrase = m_certs->clientKeyPassphrase;
    auto opened = AmqpConnection::open(u"tls-rabbit"_qs, AmqpEndpoint::forProfile(p).value(), 5s);
    QVERIFY2(opened, qPrintable(opened.error().describe()));

    p.keyPassphrase = u"not-the-passphrase"_qs;
    opened = AmqpConnection::open(u"tls-rabbit"_qs, AmqpEndpoint::forProfile(p).value(), 5s);
    QVERIFY(!opened);
    QCOMPARE(opened.error().kind, BrokerError::Kind::Configuration);
    QVERIFY2(opened.error().describe().contains(u"cannot use the client certificate"_qs),
             qPrintable(opened.error().describe()));
    QVERIFY(!opened.error().describe().contains(u"not-the-passphrase"_qs));

    p.tls.certFile = m_certs->strangerCertFile;
    p.tls.keyFile = m_certs->strangerKeyFile;
    p.keyPassphrase.clear();
    QElapsedTimer clock;
    clock.start();
    opened = AmqpConnection::open(u"tls-rabbit"_qs, AmqpEndpoint::forProfile(p).value(), 5s);
    QVERIFY(!opened);
    QVERIFY(clock.elapsed() < FailFastMs);
    qInfo("stranger: %s", qPrintable(opened.error().describe()));
    QCOMPARE(opened.error().kind, BrokerError::Kind::TlsFailed);
    QVERIFY2(opened.error().describe().contains(u"client certificate"_qs),
             qPrintable(opened.error().describe()));
}

void TestRabbitTls::managementOverHttps_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<bool>("otherCa");
    QTest::addColumn<QString>("says"); // empty: works
    QTest::newRow("trusted") << u"localhost"_qs << false << QString();
    QTest::newRow("wrong CA") << u"localhost"_qs << true << u"is not trusted"_qs;
    QTest::newRow("wrong host name") << u"127.0.0.1"_qs << false << u"name mismatch"_qs;
}

void TestRabbitTls::managementOverHttps()
{
    QFETCH(QString, host);
    QFETCH(bool, otherCa);
    QFETCH(QString, says);
    auto client = ManagementClient::forProfile(
        profile(host, otherCa ? m_certs->otherCaFile : m_certs->caFile), 5s, {});
    QVERIFY(client);
    QElapsedTimer clock;
    clock.start();
    const auto overview = client.value()->get(QStringLiteral("/api/overview"));
    QVERIFY2(clock.elapsed() < FailFastMs, qPrintable(QString::number(clock.elapsed())));
    if (says.isEmpty()) {
        QVERIFY2(overview, qPrintable(overview.error().describe()));
        QVERIFY(!overview->object().value(u"rabbitmq_version"_qs).toString().isEmpty());
        return;
    }
    QVERIFY(!overview);
    QCOMPARE(overview.error().kind, BrokerError::Kind::TlsFailed);
    QVERIFY2(overview.error().describe().contains(says), qPrintable(overview.error().describe()));
}

// The whole path an operator takes: a profiles file with "tls" and a password from the
// environment, read by veltrixctl.
void TestRabbitTls::veltrixctlChecksATlsProfile()
{
    const QString ctl = qEnvironmentVariable("VELTRIX_CTL");
    QVERIFY2(!ctl.isEmpty(), "VELTRIX_CTL names the veltrixctl binary");
    ClusterProfile p = profile(u"localhost"_qs, m_certs->caFile);
    p.passwordSource.envName = QStringLiteral("VELTRIX_TLS_TEST_PASSWORD");
    p.password.clear();
    const QString file = m_dir.filePath(QStringLiteral("profiles.json"));
    QVERIFY(!ProfileFile::save(file, {p}));

    for (const auto &[password, exitCode, says] :
         {std::tuple {u"guest"_qs, 0, u"\"reachable\":true"_qs},
          std::tuple {u"not-guest"_qs, 1, u"authentication failed"_qs},
          std::tuple {QString(), 1, u"VELTRIX_TLS_TEST_PASSWORD, which is not set"_qs}}) {
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("VELTRIX_TLS_TEST_PASSWORD"));
        if (!password.isEmpty())
            env.insert(QStringLiteral("VELTRIX_TLS_TEST_PASSWORD"), password);
        process.setProcessEnvironment(env);
        process.start(ctl, {u"check"_qs, u"--json"_qs, u"--profiles"_qs, file});
        QVERIFY(process.waitForFinished(30000));
        const QString out
            = QString::fromUtf8(process.readAllStandardOutput() + process.readAllStandardError());
        QVERIFY2(out.contains(says, Qt::CaseInsensitive), qPrintable(out));
        QCOMPARE(process.exitCode(), exitCode);
    }
}

QTEST_GUILESS_MAIN(TestRabbitTls)
#include "tst_rabbittls.moc"
