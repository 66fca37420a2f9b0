#include "kafkalagpoller.h"

#include <QElapsedTimer>

namespace veltrix {

KafkaLagPoller::KafkaLagPoller(ClusterProfile profile, LagSettings settings,
                               std::chrono::milliseconds timeout)
    : m_reader(profile, timeout)
    , m_tracker(profile.name, settings)
{ }

Result<LagSnapshot> KafkaLagPoller::poll(const QStringList &groups)
{
    QElapsedTimer clock;
    clock.start();
    auto observation = m_reader.poll(groups);
    if (!observation)
        return observation.error();
    const auto wanted = m_tracker.timestampsWanted(observation.value());
    if (!wanted.isEmpty()) {
        const auto read = m_reader.readTimestamps(wanted, m_tracker.settings().timestampBudget);
        for (const auto &found : read.found)
            m_tracker.addMessageTimestamp(found.partition, found.offset, found.timestampMs);
        observation.value().requests.fetch += read.fetchRequests;
    }
    return m_tracker.update(observation.value(), clock.elapsed());
}

} // namespace veltrix
