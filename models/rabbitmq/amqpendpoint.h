#pragma once

#include "core/clusterprofile.h"
#include "core/result.h"

#include <QString>

namespace veltrix {

// Where and as whom to connect, parsed from an amqp:// or amqps:// URI by rabbitmq-c's
// own parser (so we accept exactly what the library accepts, %2F vhosts included).
struct AmqpEndpoint
{
    QString host;
    int port = 5672;
    QString user;
    QString password;
    QString vhost = QStringLiteral("/");
    bool tls = false;
    TlsSettings tlsSettings; // amqps:// only
    QString keyPassphrase; // of tlsSettings.keyFile, when it is encrypted

    static Result<AmqpEndpoint> parse(const QString &uri);
    // The endpoint a RabbitMQ profile describes: its URI, with the password and key
    // passphrase its secret sources gave and its TLS settings. The profile's secret problem,
    // when it has one, is the error.
    static Result<AmqpEndpoint> forProfile(const ClusterProfile &profile);
    QString display() const; // "amqp://user@host:port/vhost", never the password
};

} // namespace veltrix
