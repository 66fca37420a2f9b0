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

} // namespace veltrix
