// The profiles dialog: Kafka and RabbitMQ clusters side by side, added by hand or imported,
// saved to the XDG config dir, passwords never into the file, errors naming the field.
#include "core/profilefile.h"
#include "profilesdialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace veltrix;
using namespace Qt::StringLiterals;

class TestProfilesDialog : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void defaultPathIsTheXdgConfigDir();
    void severalClustersOfEachKindAreSaved();
    void importedPasswordNeverReachesTheFile();
    void passwordInTheUriIsRefused();
    void invalidFieldIsNamed();
    void verificationOffShowsAWarning();
    void propertiesUseTheClientFileSyntax();

private:
    QTemporaryDir m_home;
};

void TestProfilesDialog::initTestCase()
{
    QVERIFY(m_home.isValid());
    qputenv("XDG_CONFIG_HOME", QFile::encodeName(m_home.filePath(u"config"_s)));
    qunsetenv("DBUS_SESSION_BUS_ADDRESS"); // no keychain here: its refusal is tested
}

void TestProfilesDialog::defaultPathIsTheXdgConfigDir()
{
    ProfilesDialog dialog({}, {});
    QCOMPARE(dialog.path(), m_home.filePath(u"config/veltrix/profiles.json"_s));
    QCOMPARE(dialog.path(), ProfileFile::defaultPath());
}

void TestProfilesDialog::severalClustersOfEachKindAreSaved()
{
    ProfilesDialog dialog({}, {});
    dialog.addProfile(ClusterKind::Kafka);
    dialog.nameEdit()->setText(u"prod-kafka"_s);
    dialog.bootstrapEdit()->setText(u"k1:9093,k2:9093"_s);
    dialog.addProfile(ClusterKind::Kafka);
    dialog.nameEdit()->setText(u"dev-kafka"_s);
    dialog.addProfile(ClusterKind::RabbitMq);
    dialog.nameEdit()->setText(u"prod-rabbit"_s);
    dialog.amqpEdit()->setText(u"amqps://ops@rabbit:5671/shop"_s);
    dialog.passwordSourceBox()->setCurrentIndex(2); // environment variable
    dialog.passwordEnvEdit()->setText(u"PROD_RABBIT_PW"_s);
    dialog.addProfile(ClusterKind::RabbitMq);
    QCOMPARE(dialog.list()->count(), 4);
    dialog.select(2);
    // VELTRIX_SHOTS=<dir>: the dialog as an operator sees it, for a person to look at.
    if (const QString shots = qEnvironmentVariable("VELTRIX_SHOTS"); !shots.isEmpty()) {
        dialog.show();
        QVERIFY(dialog.grab().save(shots + u"/profiles-dialog.png"_s));
    }

    QSignalSpy saved(&dialog, &ProfilesDialog::saved);
    const QString why = dialog.save();
    QVERIFY2(why.isEmpty(), qPrintable(why));
    QCOMPARE(saved.size(), 1);
    const ProfileFileResult back = ProfileFile::load(dialog.path());
    QVERIFY2(back.ok(), qPrintable(back.ok() ? QString() : back.error->describe()));
    QStringList names;
    for (const ClusterProfile &p : back.clusters)
        names << p.name;
    QCOMPARE(names,
             (QStringList {u"prod-kafka"_s, u"dev-kafka"_s, u"prod-rabbit"_s, u"rabbitmq"_s}));
    QCOMPARE(back.clusters[0].bootstrap, u"k1:9093,k2:9093"_s);
    QCOMPARE(back.clusters[2].passwordSource.envName, u"PROD_RABBIT_PW"_s);
    QCOMPARE(QFile(dialog.path()).permissions() & (QFile::ReadOther | QFile::ReadGroup),
             QFile::Permissions());
}

void TestProfilesDialog::importedPasswordNeverReachesTheFile()
{
    const QString properties = m_home.filePath(u"client.properties"_s);
    QFile file(properties);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("bootstrap.servers=b1:9093\nsecurity.protocol=SASL_SSL\nsasl.mechanism=PLAIN\n"
               "sasl.username=ops\nsasl.password=Dialog-S3cret\n");
    file.close();
    const QString path = m_home.filePath(u"import/profiles.json"_s);
    ProfilesDialog dialog({}, path);
    QCOMPARE(dialog.importFile(properties), QString());
    QCOMPARE(dialog.list()->count(), 1);
    QCOMPARE(dialog.nameEdit()->text(), u"client"_s);
    QCOMPARE(dialog.passwordSourceBox()->currentIndex(), 1); // keychain
    QCOMPARE(dialog.passwordEdit()->text(), u"Dialog-S3cret"_s);

    // No keychain runs here: nothing at all is saved, and the reason says what to do.
    QString why = dialog.save();
    QVERIFY2(why.contains(u"keychain"_s) && why.contains(u"nothing was saved"_s), qPrintable(why));
    QVERIFY(!QFile::exists(path));

    dialog.passwordSourceBox()->setCurrentIndex(2);
    dialog.passwordEnvEdit()->setText(u"CLIENT_PW"_s);
    why = dialog.save();
    QVERIFY2(why.isEmpty(), qPrintable(why));
    QFile saved(path);
    QVERIFY(saved.open(QIODevice::ReadOnly));
    const QByteArray text = saved.readAll();
    QVERIFY(!text.contains("Dialog-S3cret"));
    QVERIFY(text.contains("CLIENT_PW") && text.contains("sasl.username"));

    QVERIFY(dialog.importFile(m_home.filePath(u"missing.properties"_s)).contains(u"cannot read"_s));
    QVERIFY(dialog.importUri(u"amqp://u:p@host:bad/x"_s).contains(u"not a valid AMQP URI"_s));
}

void TestProfilesDialog::passwordInTheUriIsRefused()
{
    const QString path = m_home.filePath(u"uri/profiles.json"_s);
    ProfilesDialog dialog({}, path);
    dialog.addProfile(ClusterKind::RabbitMq);
    dialog.amqpEdit()->setText(u"amqp://app:Typed-Pw@rabbit/%2F"_s);
    const QString why = dialog.save();
    QVERIFY2(why.startsWith(u"rabbitmq: the AMQP URI holds a password"_s), qPrintable(why));
    QVERIFY(!QFile::exists(path));
    // An imported URI moves its password out on its own.
    QCOMPARE(dialog.importUri(u"amqps://ops:Uri-Pw@rabbit.example:5671/shop"_s), QString());
    QCOMPARE(dialog.amqpEdit()->text(), u"amqps://ops@rabbit.example:5671/shop"_s);
    QCOMPARE(dialog.passwordEdit()->text(), u"Uri-Pw"_s);
}

void TestProfilesDialog::invalidFieldIsNamed()
{
    ProfilesDialog dialog({}, m_home.filePath(u"bad/profiles.json"_s));
    dialog.addProfile(ClusterKind::Kafka);
    dialog.bootstrapEdit()->setText({});
    const QString why = dialog.save();
    QVERIFY2(why.contains(u"clusters[0].bootstrap"_s), qPrintable(why));
}

void TestProfilesDialog::verificationOffShowsAWarning()
{
    ProfilesDialog dialog({}, m_home.filePath(u"tls/profiles.json"_s));
    dialog.addProfile(ClusterKind::Kafka);
    QVERIFY(dialog.verifyBox()->isChecked()); // on unless turned off
    QVERIFY(dialog.verifyWarning()->text().isEmpty());
    dialog.verifyBox()->setChecked(false);
    QVERIFY(dialog.verifyWarning()->text().contains(u"Verification is OFF"_s));
    QVERIFY(dialog.save().isEmpty());
    QVERIFY(!ProfileFile::load(dialog.path()).clusters.first().tls.verify);
}

// The properties box reads what a client .properties file holds (comments, ':' separators,
// escapes) and shows it back the same way; a line it cannot read blocks the save with the
// line, and is not silently dropped.
void TestProfilesDialog::propertiesUseTheClientFileSyntax()
{
    ProfilesDialog dialog({}, m_home.filePath(u"properties/profiles.json"_s));
    dialog.addProfile(ClusterKind::Kafka);
    dialog.propertiesEdit()->setPlainText(u"# tuned for the incident\n"
                                          "client.id: ops-console\n"
                                          "topic.blacklist=^_.*\\\\..*\n"
                                          "=orphan value\n"_s);
    QString why = dialog.save();
    QVERIFY2(why.contains(u"line 4"_s) && why.contains(u"needs a name"_s), qPrintable(why));
    QCOMPARE(dialog.problemLabel()->text(), why);
    QVERIFY(!QFile::exists(dialog.path()));
    if (const QString shots = qEnvironmentVariable("VELTRIX_SHOTS"); !shots.isEmpty()) {
        dialog.show();
        QVERIFY(dialog.grab().save(shots + u"/profiles-dialog-properties.png"_s));
    }

    // Away and back: the text as typed is still there to be mended.
    dialog.addProfile(ClusterKind::Kafka);
    dialog.select(0);
    QVERIFY(dialog.propertiesEdit()->toPlainText().contains(u"=orphan value"_s));

    QString text = dialog.propertiesEdit()->toPlainText();
    text.replace(u"=orphan value"_s, u"socket.keepalive.enable = true"_s);
    dialog.propertiesEdit()->setPlainText(text);
    QVERIFY(dialog.problemLabel()->text().isEmpty());
    why = dialog.save();
    QVERIFY2(why.isEmpty(), qPrintable(why));
    const ProfileFileResult back = ProfileFile::load(dialog.path());
    QVERIFY(back.ok());
    const QMap<QString, QString> expected {{u"client.id"_s, u"ops-console"_s},
                                           {u"topic.blacklist"_s, u"^_.*\\..*"_s},
                                           {u"socket.keepalive.enable"_s, u"true"_s}};
    QCOMPARE(back.clusters.first().properties, expected);

    // Shown again, the backslash is escaped so that saving unchanged keeps it.
    dialog.select(1);
    dialog.select(0);
    QVERIFY(dialog.propertiesEdit()->toPlainText().contains(u"topic.blacklist=^_.*\\\\..*"_s));
    QVERIFY(dialog.save().isEmpty());
    QCOMPARE(ProfileFile::load(dialog.path()).clusters.first().properties, expected);
}

QTEST_MAIN(TestProfilesDialog)
#include "tst_profilesdialog.moc"
