// Secrets come from the keychain, the environment or a prompt, live in memory, and reach
// the connection settings without ever being written or shown.
#include "core/secretresolver.h"
#include "kafka/kafkahandle.h"
#include "rabbitmq/amqpendpoint.h"

#include <QElapsedTimer>
#include <QTest>

using namespace veltrix;
using namespace Qt::StringLiterals;
using From = SecretSource::From;

class TestSecrets : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void environmentVariable();
    void missingEnvironmentVariableNamesIt();
    void promptIsAskedWithTheUser();
    void cancelledOrImpossiblePromptSaysSo();
    void keychainFailureSaysWhatToDoInstead();
    void resolveAllKeepsTheOthersGoing();
    void rabbitEndpointTakesTheResolvedPassword();
    void rabbitEndpointRefusesWithTheSecretProblem();
    void kafkaPropertiesFromTlsAndSecrets();
    void kafkaClientRefusesWithTheSecretProblem();
};

namespace {

ClusterProfile rabbitProfile(SecretSource source)
{
    ClusterProfile p;
    p.name = u"shop-rabbit"_s;
    p.kind = ClusterKind::RabbitMq;
    p.amqpUri = u"amqps://app@rabbit.example:5671/shop"_s;
    p.passwordSource = std::move(source);
    return p;
}

} // namespace

void TestSecrets::environmentVariable()
{
    qputenv("VELTRIX_TEST_SECRET", "from-the-environment");
    const auto resolved
        = SecretResolver().resolve(rabbitProfile({From::Env, u"VELTRIX_TEST_SECRET"_s}));
    QVERIFY2(resolved, qPrintable(resolved.error().describe()));
    QCOMPARE(resolved->password, u"from-the-environment"_s);
    QVERIFY(resolved->secretsResolved());
    qunsetenv("VELTRIX_TEST_SECRET");
}

void TestSecrets::missingEnvironmentVariableNamesIt()
{
    qunsetenv("VELTRIX_TEST_UNSET");
    const auto resolved
        = SecretResolver().resolve(rabbitProfile({From::Env, u"VELTRIX_TEST_UNSET"_s}));
    QVERIFY(!resolved);
    QCOMPARE(resolved.error().kind, BrokerError::Kind::Configuration);
    const QString text = resolved.error().describe();
    QVERIFY2(text.contains(u"shop-rabbit: the password comes from the environment variable "
                           "VELTRIX_TEST_UNSET, which is not set"_s),
             qPrintable(text));
}

void TestSecrets::promptIsAskedWithTheUser()
{
    QString asked;
    const SecretResolver resolver([&](const QString &question) -> std::optional<QString> {
        asked = question;
        return u"typed"_s;
    });
    const auto resolved = resolver.resolve(rabbitProfile({From::Prompt, {}}));
    QVERIFY(resolved);
    QCOMPARE(resolved->password, u"typed"_s);
    QCOMPARE(asked, u"Password for shop-rabbit (user app)"_s);

    // Already resolved: not asked again.
    asked.clear();
    QVERIFY(resolver.resolve(resolved.value()));
    QVERIFY(asked.isEmpty());
}

void TestSecrets::cancelledOrImpossiblePromptSaysSo()
{
    const auto cancelled = SecretResolver([](const QString &) {
                               return std::optional<QString>();
                           }).resolve(rabbitProfile({From::Prompt, {}}));
    QVERIFY(!cancelled);
    QVERIFY2(cancelled.error().message.contains(u"was not given"_s),
             qPrintable(cancelled.error().message));
    const auto nobody = SecretResolver().resolve(rabbitProfile({From::Prompt, {}}));
    QVERIFY(!nobody);
    QVERIFY2(nobody.error().message.contains(u"no one to ask"_s),
             qPrintable(nobody.error().message));
}

void TestSecrets::keychainFailureSaysWhatToDoInstead()
{
    // No keychain daemon runs here (no session D-Bus): the error must say so and point to
    // an environment variable, and come back within the bound, not hang.
    qunsetenv("DBUS_SESSION_BUS_ADDRESS");
    QElapsedTimer clock;
    clock.start();
    const auto resolved = SecretResolver().resolve(rabbitProfile({From::Keychain, {}}));
    QVERIFY(clock.elapsed() < 15000);
    QVERIFY(!resolved);
    const QString text = resolved.error().describe();
    QVERIFY2(text.startsWith(u"shop-rabbit: the password is not in the system keychain"_s),
             qPrintable(text));
    QVERIFY2(text.contains(u"\"from\": \"env\""_s), qPrintable(text));
}

void TestSecrets::resolveAllKeepsTheOthersGoing()
{
    qunsetenv("VELTRIX_TEST_UNSET");
    ClusterProfile plain = rabbitProfile({});
    plain.name = u"plain"_s;
    const QList<ClusterProfile> out
        = SecretResolver().resolveAll({rabbitProfile({From::Env, u"VELTRIX_TEST_UNSET"_s}), plain});
    QCOMPARE(out.size(), 2);
    QVERIFY(out[0].secretProblem.contains(u"VELTRIX_TEST_UNSET"_s));
    QVERIFY(out[1].secretProblem.isEmpty());
}

void TestSecrets::rabbitEndpointTakesTheResolvedPassword()
{
    ClusterProfile p = rabbitProfile({From::Env, u"X"_s});
    p.password = u"in-memory"_s;
    p.tls.caFile = u"/etc/ca.pem"_s;
    p.keyPassphrase = u"pass"_s;
    const auto endpoint = AmqpEndpoint::forProfile(p);
    QVERIFY(endpoint);
    QCOMPARE(endpoint->password, u"in-memory"_s);
    QCOMPARE(endpoint->tlsSettings.caFile, u"/etc/ca.pem"_s);
    QCOMPARE(endpoint->keyPassphrase, u"pass"_s);
    QVERIFY(endpoint->tls);
    QVERIFY(!endpoint->display().contains(u"in-memory"_s));
}

void TestSecrets::rabbitEndpointRefusesWithTheSecretProblem()
{
    ClusterProfile p = rabbitProfile({From::Env, u"X"_s});
    p.secretProblem = u"shop-rabbit: the password comes from X, which is not set"_s;
    const auto endpoint = AmqpEndpoint::forProfile(p);
    QVERIFY(!endpoint);
    QCOMPARE(endpoint.error().message, p.secretProblem);
}

void TestSecrets::kafkaPropertiesFromTlsAndSecrets()
{
    ClusterProfile p;
    p.name = u"k"_s;
    p.bootstrap = u"h:9093"_s;
    QVERIFY(KafkaHandle::securityProperties(p).isEmpty()); // nothing asked, nothing set

    p.tls.caFile = u"/ca.pem"_s;
    p.tls.certFile = u"/c.pem"_s;
    p.tls.keyFile = u"/c.key"_s;
    p.password = u"pw"_s;
    p.keyPassphrase = u"kp"_s;
    auto props = KafkaHandle::securityProperties(p);
    QCOMPARE(props.value(u"ssl.ca.location"_s), u"/ca.pem"_s);
    QCOMPARE(props.value(u"ssl.certificate.location"_s), u"/c.pem"_s);
    QCOMPARE(props.value(u"ssl.key.location"_s), u"/c.key"_s);
    QCOMPARE(props.value(u"security.protocol"_s), u"ssl"_s);
    QCOMPARE(props.value(u"sasl.password"_s), u"pw"_s);
    QCOMPARE(props.value(u"ssl.key.password"_s), u"kp"_s);
    QVERIFY(!props.contains(u"enable.ssl.certificate.verification"_s));

    p.properties.insert(u"security.protocol"_s, u"sasl_ssl"_s);
    p.tls.verify = false;
    props = KafkaHandle::securityProperties(p);
    QVERIFY(!props.contains(u"security.protocol"_s)); // the profile's own choice stands
    QCOMPARE(props.value(u"enable.ssl.certificate.verification"_s), u"false"_s);
    QCOMPARE(props.value(u"ssl.endpoint.identification.algorithm"_s), u"none"_s);
}

void TestSecrets::kafkaClientRefusesWithTheSecretProblem()
{
    ClusterProfile p;
    p.name = u"k"_s;
    p.bootstrap = u"127.0.0.1:1"_s;
    p.secretProblem = u"k: the password is not in the system keychain"_s;
    const auto handle = KafkaHandle::create(p, RD_KAFKA_PRODUCER);
    QVERIFY(!handle);
    QCOMPARE(handle.error().message, p.secretProblem);
}

QTEST_GUILESS_MAIN(TestSecrets)
#include "tst_secrets.moc"
