#include "offsettimeline.h"

namespace veltrix {

OffsetTimeline::OffsetTimeline(qsizetype capacity)
    : m_capacity(capacity)
{ }

void OffsetTimeline::add(qint64, qint64) { }

std::optional<qint64> OffsetTimeline::appendTimeMs(qint64) const
{
    return std::nullopt;
}

std::optional<double> OffsetTimeline::messagesPerSecond(qint64) const
{
    return std::nullopt;
}

} // namespace veltrix
