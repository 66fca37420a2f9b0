#pragma once

#include "retry/kafkaretrypolicy.h"

#include <map>
#include <mutex>
#include <optional>

namespace veltrix::demo {

// The retry policies the demo's workers follow, as last read from the policy topic:
// written by the watcher thread, read by each worker before every record.
class RetryPolicyBook
{
public:
    void put(const QString &group, std::optional<KafkaRetryPolicy> policy)
    {
        std::lock_guard lock(m_mutex);
        if (policy)
            m_policies[group] = std::move(*policy);
        else
            m_policies.erase(group);
    }
    std::optional<KafkaRetryPolicy> get(const QString &group) const
    {
        std::lock_guard lock(m_mutex);
        const auto it = m_policies.find(group);
        return it == m_policies.end() ? std::nullopt : std::optional(it->second);
    }
    std::map<QString, KafkaRetryPolicy> all() const
    {
        std::lock_guard lock(m_mutex);
        return m_policies;
    }

private:
    mutable std::mutex m_mutex;
    std::map<QString, KafkaRetryPolicy> m_policies;
};

} // namespace veltrix::demo
