#include "amqpendpoint.h"

#include <amqp.h>

#include <QUrl>

namespace veltrix {

Result<AmqpEndpoint> AmqpEndpoint::parse(const QString &uri)
{
    // amqp_parse_url() writes into the buffer and points into it: keep it alive.
    QByteArray buffer = uri.toUtf8();
    amqp_connection_info info;
    amqp_default_connection_info(&info);
    if (amqp_parse_url(buffer.data(), &info) != AMQP_STATUS_OK) {
        // The password must never reach an error message.
        QUrl url(uri);
        url.setPassword(QString());
        return BrokerError::make(
            BrokerError::Kind::Configuration,
            QStringLiteral("not a valid AMQP URI: %1").arg(url.toString()),
            QStringLiteral("expected amqp://user@host:5672/vhost (a vhost of \"/\" is "
                           "written %2F)"));
    }
    AmqpEndpoint endpoint;
    endpoint.host = QString::fromUtf8(info.host);
    endpoint.port = info.port;
    endpoint.user = QString::fromUtf8(info.user);
    endpoint.password = QString::fromUtf8(info.password);
    endpoint.vhost = QString::fromUtf8(info.vhost);
    endpoint.tls = info.ssl != 0;
    return endpoint;
}

Result<AmqpEndpoint> AmqpEndpoint::forProfile(const ClusterProfile &profile)
{
    if (!profile.secretProblem.isEmpty())
        return BrokerError::make(BrokerError::Kind::Configuration, profile.secretProblem);
    Result<AmqpEndpoint> endpoint = parse(profile.amqpUri);
    if (!endpoint)
        return endpoint;
    if (!profile.password.isEmpty())
        endpoint.value().password = profile.password;
    endpoint.value().tlsSettings = profile.tls;
    endpoint.value().keyPassphrase = profile.keyPassphrase;
    return endpoint;
}

QString AmqpEndpoint::display() const
{
    const QString vhostPart = vhost == QLatin1String("/")
        ? QStringLiteral("%2F")
        : QString::fromUtf8(QUrl::toPercentEncoding(vhost));
    return QStringLiteral("%1://%2@%3:%4/%5")
        .arg(tls ? QStringLiteral("amqps") : QStringLiteral("amqp"), user, host)
        .arg(port)
        .arg(vhostPart);
}

} // namespace veltrix
