#include "managementclient.h"

#include "amqpendpoint.h"
#include "core/tlslibrarylifetime.h"

#include <QEventLoop>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSslConfiguration>
#include <QSslError>
#include <QSslKey>
#include <QTimer>

namespace veltrix {

namespace {
using Kind = BrokerError::Kind;

QSslConfiguration sslConfiguration(const TlsSettings &tls, const QString &keyPassphrase)
{
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    if (!tls.caFile.isEmpty())
        config.setCaCertificates(QSslCertificate::fromPath(tls.caFile, QSsl::Pem));
    if (!tls.certFile.isEmpty()) {
        const QList<QSslCertificate> certs = QSslCertificate::fromPath(tls.certFile, QSsl::Pem);
        if (!certs.isEmpty())
            config.setLocalCertificate(certs.first());
        QFile keyFile(tls.keyFile);
        if (keyFile.open(QIODevice::ReadOnly))
            config.setPrivateKey(
                QSslKey(&keyFile, QSsl::Rsa, QSsl::Pem, QSsl::PrivateKey, keyPassphrase.toUtf8()));
    }
    if (!tls.verify)
        config.setPeerVerifyMode(QSslSocket::VerifyNone);
    return config;
}

// What the TLS errors mean for the operator: the same words as for AMQPS.
BrokerError tlsError(const QString &cluster, const QString &where, const QList<QSslError> &errors,
                     const QString &fallback)
{
    for (const QSslError &e : errors) {
        if (e.error() == QSslError::HostNameMismatch)
            return BrokerError::make(
                Kind::TlsFailed,
                QStringLiteral("%1: TLS: name mismatch: the certificate of the management API at "
                               "%2 is not issued for that host name")
                    .arg(cluster, where),
                QStringLiteral("use a host name the certificate lists"));
    }
    for (const QSslError &e : errors) {
        switch (e.error()) {
        case QSslError::UnableToGetLocalIssuerCertificate:
        case QSslError::UnableToGetIssuerCertificate:
        case QSslError::SelfSignedCertificate:
        case QSslError::SelfSignedCertificateInChain:
        case QSslError::CertificateUntrusted:
        case QSslError::UnableToVerifyFirstCertificate:
            return BrokerError::make(Kind::TlsFailed,
                                     QStringLiteral("%1: TLS: the certificate of the management "
                                                    "API at %2 is not trusted: %3")
                                         .arg(cluster, where, e.errorString()),
                                     QStringLiteral("name the broker's CA in \"tls\".\"ca_file\""));
        default:
            break;
        }
    }
    return BrokerError::make(
        Kind::TlsFailed,
        QStringLiteral("%1: TLS with the management API at %2 failed: %3")
            .arg(cluster, where, errors.isEmpty() ? fallback : errors.first().errorString()));
}
} // namespace

ManagementClient::ManagementClient(QString clusterName, QUrl baseUrl, QString user,
                                   QString password, std::chrono::milliseconds timeout)
    : m_clusterName(std::move(clusterName))
    , m_baseUrl(std::move(baseUrl))
    , m_user(std::move(user))
    , m_password(std::move(password))
    , m_timeout(timeout)
{ }

Result<std::unique_ptr<ManagementClient>>
ManagementClient::forProfile(const ClusterProfile &profile, std::chrono::milliseconds timeout,
                             const QString &missingUrlHint)
{
    if (profile.managementUrl.isEmpty())
        return BrokerError::make(
            BrokerError::Kind::Configuration,
            QStringLiteral("%1: no management URL in the profile").arg(profile.name),
            missingUrlHint);
    auto endpoint = AmqpEndpoint::forProfile(profile);
    if (!endpoint)
        return endpoint.error();
    auto client = std::make_unique<ManagementClient>(profile.name, QUrl(profile.managementUrl),
                                                     endpoint->user, endpoint->password, timeout);
    client->setTls(profile.tls, profile.keyPassphrase);
    return client;
}

ManagementClient::~ManagementClient() = default;

void ManagementClient::setTls(TlsSettings tls, QString keyPassphrase)
{
    m_tls = std::move(tls);
    m_keyPassphrase = std::move(keyPassphrase);
}

Result<QJsonDocument> ManagementClient::get(const QString &path)
{
    return send("GET", path, {});
}

Result<QJsonDocument> ManagementClient::put(const QString &path, const QJsonObject &body)
{
    return send("PUT", path, QJsonDocument(body).toJson(QJsonDocument::Compact));
}

Result<QJsonDocument> ManagementClient::post(const QString &path, const QJsonObject &body)
{
    return send("POST", path, QJsonDocument(body).toJson(QJsonDocument::Compact));
}

Result<bool> ManagementClient::remove(const QString &path)
{
    int status = 0;
    auto reply = send("DELETE", path, {}, &status);
    if (reply)
        return true;
    if (status == 404)
        return false;
    return reply.error();
}

QString ManagementClient::encodeSegment(const QString &segment)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(segment));
}

Result<QJsonDocument> ManagementClient::send(const QByteArray &verb, const QString &path,
                                             const QByteArray &body, int *httpStatus)
{
    if (!m_network)
        m_network = std::make_unique<QNetworkAccessManager>();

    QUrl url = m_baseUrl;
    url.setPath(m_baseUrl.path() + path.section(QLatin1Char('?'), 0, 0), QUrl::TolerantMode);
    url.setQuery(path.section(QLatin1Char('?'), 1));
    QNetworkRequest request(url);
    const QByteArray credentials = (m_user + QLatin1Char(':') + m_password).toUtf8().toBase64();
    request.setRawHeader("Authorization", "Basic " + credentials);
    request.setTransferTimeout(static_cast<int>(m_timeout.count()));
    if (url.scheme() == QLatin1String("https")) {
        keepTlsLibraryUntilExit();
        request.setSslConfiguration(sslConfiguration(m_tls, m_keyPassphrase));
    }
    if (!body.isEmpty())
        request.setHeader(QNetworkRequest::ContentTypeHeader,
                          QByteArrayLiteral("application/json"));

    std::unique_ptr<QNetworkReply> reply(verb == "GET"
                                             ? m_network->get(request)
                                             : m_network->sendCustomRequest(request, verb, body));
    QEventLoop loop;
    QObject::connect(reply.get(), &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QList<QSslError> sslErrors;
    QObject::connect(reply.get(), &QNetworkReply::sslErrors, &loop,
                     [&sslErrors](const QList<QSslError> &errors) { sslErrors = errors; });
    // A second guard: transfer timeout covers stalls, not a slow trickle.
    QTimer::singleShot(m_timeout + std::chrono::milliseconds(500), &loop, [&] { reply->abort(); });
    if (!reply->isFinished())
        loop.exec();

    const QString where = m_baseUrl.toDisplayString(QUrl::RemoveUserInfo);
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (httpStatus)
        *httpStatus = status;
    const QNetworkReply::NetworkError error = reply->error();
    const QByteArray payload = reply->readAll();
    if (status == 401)
        return BrokerError::make(
            Kind::AuthenticationFailed,
            QStringLiteral("%1: management API at %2 refused the credentials of user \"%3\"")
                .arg(m_clusterName, where, m_user),
            QStringLiteral("check the user name and password; the user needs the "
                           "\"monitoring\" or \"administrator\" tag"));
    if (status == 403)
        return BrokerError::make(
            Kind::AccessDenied,
            QStringLiteral("%1: management API at %2: user \"%3\" may not %4 %5")
                .arg(m_clusterName, where, m_user,
                     verb == "GET" ? QStringLiteral("read") : QStringLiteral("change"), path),
            verb == "GET" ? QString()
                          : QStringLiteral("changing needs the \"administrator\" tag (or "
                                           "\"policymaker\" for policies)"));
    if (error == QNetworkReply::ConnectionRefusedError || error == QNetworkReply::HostNotFoundError)
        return BrokerError::make(
            Kind::Unreachable,
            QStringLiteral("%1: cannot reach the management API at %2: %3")
                .arg(m_clusterName, where, reply->errorString()),
            QStringLiteral("check the \"management\" URL and that the management plugin is "
                           "enabled"));
    if (error == QNetworkReply::OperationCanceledError || error == QNetworkReply::TimeoutError)
        return BrokerError::make(
            Kind::Timeout,
            QStringLiteral("%1: the management API at %2 did not answer within %3 ms")
                .arg(m_clusterName, where)
                .arg(m_timeout.count()));
    if (error == QNetworkReply::SslHandshakeFailedError)
        return tlsError(m_clusterName, where, sslErrors, reply->errorString());
    if (error != QNetworkReply::NoError) {
        // The API says why in {"error": ..., "reason": ...}: a policy's validation failure,
        // a missing vhost. That is what the operator needs, not just "Bad Request".
        const QString reason
            = QJsonDocument::fromJson(payload).object().value(QLatin1String("reason")).toString();
        const QString verbText = verb == "GET" ? QString() : QString::fromLatin1(verb + ' ');
        return BrokerError::make(
            Kind::Other,
            QStringLiteral("%1: management API %2%3%4 failed: %5")
                .arg(m_clusterName, verbText, where, path,
                     reason.isEmpty() ? reply->errorString() : reason.trimmed()));
    }
    if (payload.isEmpty() && verb != "GET")
        return QJsonDocument(); // 201 Created / 204 No Content

    QJsonParseError parseError;
    QJsonDocument doc = QJsonDocument::fromJson(payload, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return BrokerError::make(
            Kind::Protocol,
            QStringLiteral("%1: management API %2%3 answered with invalid JSON: %4")
                .arg(m_clusterName, where, path, parseError.errorString()),
            QStringLiteral("is the \"management\" URL really RabbitMQ's management API?"));
    return doc;
}

} // namespace veltrix
