#include "lagtracker.h"

namespace veltrix {

LagTracker::LagTracker(QString clusterName, LagSettings settings)
    : m_clusterName(std::move(clusterName))
    , m_settings(settings)
{ }

QList<OffsetTimestampRequest> LagTracker::timestampsWanted(const LagObservation &) const
{
    return {};
}

void LagTracker::addMessageTimestamp(const TopicPartition &, qint64, qint64) { }

LagSnapshot LagTracker::update(const LagObservation &observation, qint64 pollMs)
{
    LagSnapshot snapshot; // placeholder until the tracker is written
    snapshot.cluster = m_clusterName;
    snapshot.polledAt = observation.at;
    snapshot.pollMs = pollMs;
    return snapshot;
}

} // namespace veltrix
