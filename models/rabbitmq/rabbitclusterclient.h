#pragma once

#include "amqpendpoint.h"
#include "session/clusterclient.h"

namespace veltrix {

class AmqpConnection;
class ManagementClient;

// Reachability over AMQP (the path applications use) and topology from the
// management API (AMQP cannot list queues).
class RabbitClusterClient : public ClusterClient
{
public:
    RabbitClusterClient(ClusterProfile profile, std::chrono::milliseconds timeout);
    ~RabbitClusterClient() override;

    ClusterCheck probe() override;
    Result<ClusterTopology> fetchTopology() override;

private:
    Result<AmqpConnection *> connection();
    Result<ManagementClient *> management();

    ClusterProfile m_profile;
    std::chrono::milliseconds m_timeout;
    Result<AmqpEndpoint> m_endpoint; // parsed once: the profile does not change
    std::unique_ptr<AmqpConnection> m_connection;
    std::unique_ptr<ManagementClient> m_management;
};

} // namespace veltrix
