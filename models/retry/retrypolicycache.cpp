#include "retrypolicycache.h"

#include "kafkaretrypolicystore.h"

namespace veltrix {

RetryPolicyCache::RetryPolicyCache(ClusterProfile profile)
    : m_profile(std::move(profile))
{ }

RetryPolicyCache::~RetryPolicyCache() = default;

QList<KafkaRetryPolicy> RetryPolicyCache::policies()
{
    if (m_readAt.isValid() && m_readAt.elapsed() < RefreshMs)
        return m_policies;
    m_readAt.start();
    if (!m_store) {
        auto store = KafkaRetryPolicyStore::open(m_profile, KafkaRetryPolicy::DefaultTopic,
                                                 AuditLog(), std::chrono::seconds(5));
        if (!store)
            return m_policies;
        m_store = std::move(store).value();
    }
    if (auto read = m_store->currentPolicies())
        m_policies = read.value();
    return m_policies;
}

} // namespace veltrix
