#include "clusterprofile.h"

namespace veltrix {

QString clusterKindName(ClusterKind kind)
{
    return kind == ClusterKind::Kafka ? QStringLiteral("kafka") : QStringLiteral("rabbitmq");
}

} // namespace veltrix
