// Profiles from what operators already have: Java client .properties files, kcat configs
// and RabbitMQ URIs. Secrets come out separately; malformed files are refused with the
// file, the line and the key.
#include "profiles/profileimport.h"

#include <QTest>

using namespace veltrix;
using namespace Qt::StringLiterals;

namespace {
// QVERIFY2 evaluates its message even when the check passes.
QString whyNot(const std::variant<ImportedProfile, ProfileError> &imported)
{
    const auto *error = std::get_if<ProfileError>(&imported);
    return error ? error->describe() : QString();
}
} // namespace

class TestProfileImport : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void propertiesSyntax();
    void propertiesTextRoundTrip();
    void malformedProperties_data();
    void malformedProperties();
    void javaClientFile();
    void kcatConfig();
    void kafkaImportRefusals_data();
    void kafkaImportRefusals();
    void rabbitUri();
    void rabbitUriRefusedWithoutItsPassword();
};

void TestProfileImport::propertiesSyntax()
{
    const QByteArray text = "# comment\n"
                            "! another\n"
                            "\n"
                            "  a=1\n"
                            "b : two words \n"
                            "c three\n"
                            "d=line one \\\n"
                            "    continued\n"
                            "e\\=key=x\\ty\\u0041\n"
                            "f=\n"
                            "a=last wins\r\n"
                            "g=ends in backslash\\";
    const PropertiesFileResult result = parsePropertiesFile(text, u"c.properties"_s);
    QVERIFY2(result.ok(), qPrintable(result.error->describe()));
    QCOMPARE(result.properties.value(u"a"_s), u"last wins"_s);
    QCOMPARE(result.properties.value(u"b"_s), u"two words"_s);
    QCOMPARE(result.properties.value(u"c"_s), u"three"_s);
    QCOMPARE(result.properties.value(u"d"_s), u"line one continued"_s);
    QCOMPARE(result.properties.value(u"e=key"_s), u"x\tyA"_s);
    QVERIFY(result.properties.contains(u"f"_s));
    QCOMPARE(result.properties.value(u"f"_s), QString());
    QCOMPARE(result.properties.value(u"g"_s), u"ends in backslash"_s);
}

// What the profile dialog shows is read back unchanged, awkward keys and values included.
void TestProfileImport::propertiesTextRoundTrip()
{
    const QMap<QString, QString> properties {{u"plain"_s, u"value"_s},
                                             {u"regex"_s, u"^_.*\\..*$"_s},
                                             {u"key=with:separators and space"_s, u"v"_s},
                                             {u"#not-a-comment"_s, u"!not either"_s},
                                             {u"spaces"_s, u"  leading and trailing  "_s},
                                             {u"controls"_s, u"tab\tnew\nline\rret\u0001"_s},
                                             {u"ends"_s, u"with a backslash\\"_s},
                                             {u"empty"_s, QString()},
                                             {u"unicode"_s, u"grüße \u00a0nbsp"_s}};
    const QString text = writePropertiesText(properties);
    QVERIFY(text.contains(u"plain=value\n"_s)); // ordinary lines stay readable
    const PropertiesFileResult back = parsePropertiesText(text, u"dialog"_s);
    QVERIFY2(back.ok(), qPrintable(back.ok() ? QString() : back.error->describe()));
    QCOMPARE(back.properties, properties);
    // Empty text is no properties, not an error (a file with none still is one).
    QVERIFY(parsePropertiesText(u"# only a comment\n"_s, u"dialog"_s).ok());
    QVERIFY(!parsePropertiesFile("# only a comment\n", u"f"_s).ok());
}

void TestProfileImport::malformedProperties_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<int>("line");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("says");
    QTest::newRow("no name") << QByteArray("a=1\n=2\n") << 2 << QString() << u"needs a name"_s;
    QTest::newRow("broken escape in value")
        << QByteArray("a=1\n\nkey=\\u12\n") << 3 << u"key"_s << u"broken \\u escape"_s;
    QTest::newRow("binary") << QByteArray("a=1\0b", 5) << 0 << QString() << u"binary data"_s;
    QTest::newRow("not utf-8") << QByteArray("a=\xff\xfe\n") << 0 << QString() << u"not UTF-8"_s;
    QTest::newRow("only comments")
        << QByteArray("# nothing\n") << 0 << QString() << u"no properties"_s;
    QTest::newRow("too large") << QByteArray(2 * 1024 * 1024, 'a') << 0 << QString()
                               << u"larger than 1 MiB"_s;
}

void TestProfileImport::malformedProperties()
{
    QFETCH(QByteArray, text);
    QFETCH(int, line);
    QFETCH(QString, field);
    QFETCH(QString, says);
    const PropertiesFileResult result = parsePropertiesFile(text, u"client.properties"_s);
    QVERIFY(!result.ok());
    QCOMPARE(result.error->file, u"client.properties"_s);
    QCOMPARE(result.error->line, line);
    QCOMPARE(result.error->field, field);
    QVERIFY2(result.error->message.contains(says), qPrintable(result.error->message));
}

void TestProfileImport::javaClientFile()
{
    const QByteArray text
        = "bootstrap.servers=b1:9093,b2:9093\n"
          "security.protocol=SASL_SSL\n"
          "sasl.mechanism=SCRAM-SHA-512\n"
          "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\\n"
          "    username=\"ops\" password=\"Jaas-S3cret\";\n"
          "ssl.truststore.location=/etc/kafka/truststore.jks\n"
          "ssl.truststore.password=changeit\n"
          "key.deserializer=org.apache.kafka.common.serialization.StringDeserializer\n"
          "client.id=console\n";
    const auto parsed = parsePropertiesFile(text, u"client.properties"_s);
    QVERIFY(parsed.ok());
    const auto imported
        = importKafkaProperties(parsed.properties, u"prod"_s, u"client.properties"_s);
    QVERIFY2(std::holds_alternative<ImportedProfile>(imported), qPrintable(whyNot(imported)));
    const ImportedProfile &out = std::get<ImportedProfile>(imported);
    QCOMPARE(out.profile.name, u"prod"_s);
    QCOMPARE(out.profile.bootstrap, u"b1:9093,b2:9093"_s);
    QCOMPARE(out.password, u"Jaas-S3cret"_s);
    const QMap<QString, QString> expected = {{u"security.protocol"_s, u"sasl_ssl"_s},
                                             {u"sasl.mechanisms"_s, u"SCRAM-SHA-512"_s},
                                             {u"sasl.username"_s, u"ops"_s},
                                             {u"client.id"_s, u"console"_s}};
    QCOMPARE(out.profile.properties, expected);
    QVERIFY(out.profile.tls.verify);
    const QString notes = out.notes.join(u'\n');
    QVERIFY2(notes.contains(u"ssl.truststore.location: Java client only"_s), qPrintable(notes));
    QVERIFY2(!notes.contains(u"Jaas-S3cret"_s) && !notes.contains(u"changeit"_s),
             "notes never repeat a secret");
}

void TestProfileImport::kcatConfig()
{
    const QByteArray text = "metadata.broker.list=localhost:9092\n"
                            "security.protocol=ssl\n"
                            "ssl.ca.location=/etc/ssl/ca.pem\n"
                            "ssl.certificate.location=/etc/ssl/client.pem\n"
                            "ssl.key.location=/etc/ssl/client.key\n"
                            "ssl.key.password=Key-Passphrase\n"
                            "enable.ssl.certificate.verification=false\n";
    const auto parsed = parsePropertiesFile(text, u"kcat.conf"_s);
    QVERIFY(parsed.ok());
    const auto imported = importKafkaProperties(parsed.properties, u"dev"_s, u"kcat.conf"_s);
    QVERIFY(std::holds_alternative<ImportedProfile>(imported));
    const ImportedProfile &out = std::get<ImportedProfile>(imported);
    QCOMPARE(out.profile.bootstrap, u"localhost:9092"_s);
    QCOMPARE(out.profile.tls.caFile, u"/etc/ssl/ca.pem"_s);
    QCOMPARE(out.profile.tls.certFile, u"/etc/ssl/client.pem"_s);
    QCOMPARE(out.profile.tls.keyFile, u"/etc/ssl/client.key"_s);
    QVERIFY(!out.profile.tls.verify);
    QCOMPARE(out.keyPassphrase, u"Key-Passphrase"_s);
    QCOMPARE(out.profile.properties, (QMap<QString, QString> {{u"security.protocol"_s, u"ssl"_s}}));
    QVERIFY(out.notes.join(u' ').contains(u"verification off"_s));
}

void TestProfileImport::kafkaImportRefusals_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("says");
    QTest::newRow("no brokers") << QByteArray("client.id=x\n") << u"bootstrap.servers"_s
                                << u"must name the brokers"_s;
    QTest::newRow("typo") << QByteArray("bootstrap.servers=h:1\nsecurity.protocl=ssl\n")
                          << u"security.protocl"_s << u"No such configuration property"_s;
    QTest::newRow("bad value") << QByteArray("bootstrap.servers=h:1\nsecurity.protocol=tls\n")
                               << u"security.protocol"_s << u"Invalid value"_s;
}

void TestProfileImport::kafkaImportRefusals()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, field);
    QFETCH(QString, says);
    const auto parsed = parsePropertiesFile(text, u"bad.properties"_s);
    QVERIFY(parsed.ok());
    const auto imported = importKafkaProperties(parsed.properties, u"x"_s, u"bad.properties"_s);
    QVERIFY(std::holds_alternative<ProfileError>(imported));
    const ProfileError &error = std::get<ProfileError>(imported);
    QCOMPARE(error.file, u"bad.properties"_s);
    QCOMPARE(error.field, field);
    QVERIFY2(error.message.contains(says, Qt::CaseInsensitive), qPrintable(error.message));
}

void TestProfileImport::rabbitUri()
{
    const auto imported
        = importRabbitUri(u"amqps://ops:Uri-S3cret@rabbit.example:5671/shop"_s, u"shop"_s);
    QVERIFY(std::holds_alternative<ImportedProfile>(imported));
    const ImportedProfile &out = std::get<ImportedProfile>(imported);
    QCOMPARE(out.profile.kind, ClusterKind::RabbitMq);
    QCOMPARE(out.password, u"Uri-S3cret"_s);
    QCOMPARE(out.profile.amqpUri, u"amqps://ops@rabbit.example:5671/shop"_s);
    QCOMPARE(out.profile.managementUrl, u"https://rabbit.example:15671"_s);

    const auto plain
        = importRabbitUri(u"amqp://guest@localhost/%2F"_s, u"local"_s, u"http://localhost:15672"_s);
    QVERIFY(std::holds_alternative<ImportedProfile>(plain));
    QCOMPARE(std::get<ImportedProfile>(plain).profile.amqpUri, u"amqp://guest@localhost/%2F"_s);
    QVERIFY(std::get<ImportedProfile>(plain).password.isEmpty());
}

void TestProfileImport::rabbitUriRefusedWithoutItsPassword()
{
    const auto imported = importRabbitUri(u"amqp://ops:Uri-S3cret@host:notaport/x"_s, u"x"_s);
    QVERIFY(std::holds_alternative<ProfileError>(imported));
    const QString text = std::get<ProfileError>(imported).describe();
    QVERIFY2(text.contains(u"not a valid AMQP URI"_s), qPrintable(text));
    QVERIFY2(!text.contains(u"Uri-S3cret"_s), qPrintable(text));
}

QTEST_GUILESS_MAIN(TestProfileImport)
#include "tst_profileimport.moc"
