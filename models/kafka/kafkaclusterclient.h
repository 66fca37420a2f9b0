#pragma once

#include "kafkahandle.h"
#include "session/clusterclient.h"

namespace veltrix {

class KafkaClusterClient : public ClusterClient
{
public:
    KafkaClusterClient(ClusterProfile profile, std::chrono::milliseconds timeout);
    ~KafkaClusterClient() override;

    ClusterCheck probe() override;
    Result<ClusterTopology> fetchTopology() override;

private:
    Result<KafkaHandle *> handle();

    ClusterProfile m_profile;
    std::chrono::milliseconds m_timeout;
    std::unique_ptr<KafkaHandle> m_handle;
};

} // namespace veltrix
