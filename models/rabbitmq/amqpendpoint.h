#pragma once

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

    static Result<AmqpEndpoint> parse(const QString &uri);
    QString display() const; // "amqp://user@host:port/vhost", never the password
};

} // namespace veltrix
