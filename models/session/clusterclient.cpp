#include "clusterclient.h"

#include "kafka/kafkaclusterclient.h"
#include "rabbitmq/rabbitclusterclient.h"

namespace veltrix {

std::unique_ptr<ClusterClient> ClusterClient::create(const ClusterProfile &profile,
                                                     std::chrono::milliseconds timeout)
{
    if (profile.kind == ClusterKind::Kafka)
        return std::make_unique<KafkaClusterClient>(profile, timeout);
    return std::make_unique<RabbitClusterClient>(profile, timeout);
}

} // namespace veltrix
