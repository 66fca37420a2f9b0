#include "clusterprofile.h"

#include "deadletterqueue.h"

namespace veltrix {

QString clusterKindName(ClusterKind kind)
{
    return kind == ClusterKind::Kafka ? QStringLiteral("kafka") : QStringLiteral("rabbitmq");
}

QStringList ClusterProfile::effectiveDeadLetterPatterns() const
{
    return deadLetterPatterns.value_or(defaultDeadLetterPatterns(kind));
}

bool ClusterProfile::secretsResolved() const
{
    return (!passwordSource.isSet() || !password.isEmpty())
        && (!keyPassphraseSource.isSet() || !keyPassphrase.isEmpty());
}

QString SecretSource::fromName(From from)
{
    switch (from) {
    case From::Keychain:
        return QStringLiteral("keychain");
    case From::Env:
        return QStringLiteral("env");
    case From::Prompt:
        return QStringLiteral("prompt");
    case From::Profile:
        break;
    }
    return QStringLiteral("profile");
}

} // namespace veltrix
