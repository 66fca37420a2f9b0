#pragma once

#include "core/clusterprofile.h"
#include "kafkaretrypolicy.h"

#include <QElapsedTimer>

#include <memory>

namespace veltrix {

class KafkaRetryPolicyStore;

// The Kafka retry policies a cluster's session shows next to the rates: read from the
// policy topic at most every RefreshMs, the last good list kept while a read fails.
// Blocking on the session's thread.
class RetryPolicyCache
{
public:
    static constexpr qint64 RefreshMs = 15000;

    explicit RetryPolicyCache(ClusterProfile profile);
    ~RetryPolicyCache();

    QList<KafkaRetryPolicy> policies();

private:
    ClusterProfile m_profile;
    std::unique_ptr<KafkaRetryPolicyStore> m_store;
    QList<KafkaRetryPolicy> m_policies;
    QElapsedTimer m_readAt;
};

} // namespace veltrix
