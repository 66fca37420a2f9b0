#include "probe.h"

namespace veltrix {

Result<std::unique_ptr<Probe>> openProbe(const ClusterProfile &profile,
                                         const ProbeSettings &settings)
{
    return profile.kind == ClusterKind::Kafka ? openKafkaProbe(profile, settings)
                                              : openRabbitProbe(profile, settings);
}

} // namespace veltrix
