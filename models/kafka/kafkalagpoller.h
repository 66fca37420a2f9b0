#pragma once

#include "kafkalagreader.h"
#include "lag/lagtracker.h"

namespace veltrix {

// One cluster's lag polling: reads with KafkaLagReader, spends at most the settings'
// budget on the time-lag fallback, and evaluates with LagTracker. Blocking; lives on
// the cluster's worker thread (or in veltrixctl's main).
class KafkaLagPoller
{
public:
    KafkaLagPoller(ClusterProfile profile, LagSettings settings, std::chrono::milliseconds timeout);

    Result<LagSnapshot> poll(const QStringList &groups = {});

    const LagSettings &settings() const { return m_tracker.settings(); }

private:
    KafkaLagReader m_reader;
    LagTracker m_tracker;
};

} // namespace veltrix
