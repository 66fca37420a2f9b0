#include "brokererror.h"

namespace veltrix {

BrokerError BrokerError::make(Kind kind, QString message, QString hint)
{
    return BrokerError {kind, std::move(message), std::move(hint)};
}

QString BrokerError::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Unreachable:
        return QStringLiteral("unreachable");
    case Kind::Timeout:
        return QStringLiteral("timeout");
    case Kind::AuthenticationFailed:
        return QStringLiteral("authentication_failed");
    case Kind::TlsFailed:
        return QStringLiteral("tls_failed");
    case Kind::VhostMissing:
        return QStringLiteral("vhost_missing");
    case Kind::AccessDenied:
        return QStringLiteral("access_denied");
    case Kind::Unsupported:
        return QStringLiteral("unsupported");
    case Kind::Protocol:
        return QStringLiteral("protocol");
    case Kind::Configuration:
        return QStringLiteral("configuration");
    case Kind::Other:
        break;
    }
    return QStringLiteral("other");
}

QString BrokerError::describe() const
{
    if (hint.isEmpty())
        return message;
    return message + QStringLiteral(" — ") + hint;
}

} // namespace veltrix
