#include "kafkalagreader.h"

// Placeholder: being written (issue 4).
namespace veltrix {

struct KafkaLagReader::Impl
{
    ClusterProfile profile;
};

KafkaLagReader::KafkaLagReader(ClusterProfile profile, std::chrono::milliseconds)
    : d(new Impl {std::move(profile)})
{ }

KafkaLagReader::~KafkaLagReader() = default;

Result<LagObservation> KafkaLagReader::poll(const QStringList &)
{
    return BrokerError::make(BrokerError::Kind::Unsupported, QStringLiteral("not written yet"));
}

KafkaLagReader::TimestampRead KafkaLagReader::readTimestamps(const QList<OffsetTimestampRequest> &,
                                                            std::chrono::milliseconds)
{
    return {};
}

} // namespace veltrix
