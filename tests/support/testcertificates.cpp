#include "testcertificates.h"

#include <QFile>
#include <QProcess>

namespace veltrix {

namespace {

bool openssl(const QString &dir, const QStringList &arguments, QString *error)
{
    QProcess process;
    process.setWorkingDirectory(dir);
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(QStringLiteral("openssl"), arguments);
    if (!process.waitForFinished(30000) || process.exitStatus() != QProcess::NormalExit
        || process.exitCode() != 0) {
        *error = QStringLiteral("openssl %1 failed: %2 %3")
                     .arg(arguments.join(u' '), process.errorString(),
                          QString::fromLocal8Bit(process.readAll()));
        return false;
    }
    return true;
}

bool selfSignedCa(const QString &dir, const QString &name, const QString &commonName,
                  QString *error)
{
    return openssl(dir,
                   {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                    QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-keyout"),
                    name + QStringLiteral(".key"), QStringLiteral("-out"),
                    name + QStringLiteral(".pem"), QStringLiteral("-days"), QStringLiteral("2"),
                    QStringLiteral("-subj"), QStringLiteral("/CN=") + commonName},
                   error);
}

} // namespace

std::optional<TestCertificates> TestCertificates::generate(const QString &dir, QString *error)
{
    QFile extensions(dir + QStringLiteral("/server.ext"));
    if (!extensions.open(QIODevice::WriteOnly)
        || extensions.write("subjectAltName = DNS:localhost\nbasicConstraints = CA:FALSE\n"
                            "keyUsage = digitalSignature, keyEncipherment\n"
                            "extendedKeyUsage = serverAuth\n")
            < 0) {
        *error = QStringLiteral("cannot write %1").arg(extensions.fileName());
        return std::nullopt;
    }
    extensions.close();
    if (!selfSignedCa(dir, QStringLiteral("ca"), QStringLiteral("Veltrix Test CA"), error)
        || !selfSignedCa(dir, QStringLiteral("other-ca"), QStringLiteral("Unrelated CA"), error)
        || !openssl(dir,
                    {QStringLiteral("req"), QStringLiteral("-newkey"), QStringLiteral("rsa:2048"),
                     QStringLiteral("-nodes"), QStringLiteral("-keyout"),
                     QStringLiteral("server.key"), QStringLiteral("-out"),
                     QStringLiteral("server.csr"), QStringLiteral("-subj"),
                     QStringLiteral("/CN=localhost")},
                    error)
        || !openssl(dir,
                    {QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"),
                     QStringLiteral("server.csr"), QStringLiteral("-CA"), QStringLiteral("ca.pem"),
                     QStringLiteral("-CAkey"), QStringLiteral("ca.key"),
                     QStringLiteral("-CAcreateserial"), QStringLiteral("-out"),
                     QStringLiteral("server.pem"), QStringLiteral("-days"), QStringLiteral("2"),
                     QStringLiteral("-extfile"), QStringLiteral("server.ext")},
                    error))
        return std::nullopt;
    // Client certificates: one from our CA with an encrypted key, one from the other CA.
    QFile clientExtensions(dir + QStringLiteral("/client.ext"));
    if (!clientExtensions.open(QIODevice::WriteOnly)
        || clientExtensions.write("basicConstraints = CA:FALSE\nextendedKeyUsage = clientAuth\n")
            < 0) {
        *error = QStringLiteral("cannot write %1").arg(clientExtensions.fileName());
        return std::nullopt;
    }
    clientExtensions.close();
    const QString passphrase = QStringLiteral("client-key-passphrase");
    const auto clientCert = [&](const QString &name, const QString &ca, bool encrypted) {
        QStringList request = {QStringLiteral("req"),         QStringLiteral("-newkey"),
                               QStringLiteral("rsa:2048"),    QStringLiteral("-keyout"),
                               name + QStringLiteral(".key"), QStringLiteral("-out"),
                               name + QStringLiteral(".csr"), QStringLiteral("-subj"),
                               QStringLiteral("/CN=") + name};
        request << (encrypted ? QStringList {QStringLiteral("-passout"),
                                             QStringLiteral("pass:") + passphrase}
                              : QStringList {QStringLiteral("-nodes")});
        return openssl(dir, request, error)
            && openssl(dir,
                       {QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"),
                        name + QStringLiteral(".csr"), QStringLiteral("-CA"),
                        ca + QStringLiteral(".pem"), QStringLiteral("-CAkey"),
                        ca + QStringLiteral(".key"), QStringLiteral("-CAcreateserial"),
                        QStringLiteral("-out"), name + QStringLiteral(".pem"),
                        QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-extfile"),
                        QStringLiteral("client.ext")},
                       error);
    };
    if (!clientCert(QStringLiteral("client"), QStringLiteral("ca"), true)
        || !clientCert(QStringLiteral("stranger"), QStringLiteral("other-ca"), false))
        return std::nullopt;
    // The node runs as whoever runs the tests; its key must be readable by it, nobody else.
    QFile::setPermissions(dir + QStringLiteral("/server.key"),
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    return TestCertificates {dir + QStringLiteral("/ca.pem"),
                             dir + QStringLiteral("/server.pem"),
                             dir + QStringLiteral("/server.key"),
                             dir + QStringLiteral("/other-ca.pem"),
                             dir + QStringLiteral("/client.pem"),
                             dir + QStringLiteral("/client.key"),
                             passphrase,
                             dir + QStringLiteral("/stranger.pem"),
                             dir + QStringLiteral("/stranger.key")};
}

} // namespace veltrix
