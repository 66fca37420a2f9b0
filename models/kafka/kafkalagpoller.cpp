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
    // One assignment reads one offset per partition; groups sharing a partition at
    // different offsets need further rounds, as long as the budget lasts.
    QElapsedTimer budget;
    budget.start();
    const auto total = m_tracker.settings().timestampBudget;
    for (;;) {
        const auto left = total - std::chrono::milliseconds(budget.elapsed());
        if (left <= std::chrono::milliseconds(0))
            break;
        const auto wanted = m_tracker.timestampsWanted(observation.value());
        if (wanted.isEmpty())
            break;
        const auto read = m_reader.readTimestamps(wanted, left);
        for (const auto &found : read.found)
            m_tracker.addMessageTimestamp(found.partition, found.offset, found.timestampMs);
        observation.value().requests.fetch += read.fetchRequests;
        if (read.found.isEmpty())
            break;
    }
    return m_tracker.update(observation.value(), clock.elapsed());
}

} // namespace veltrix
