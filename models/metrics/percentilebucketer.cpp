#include "percentilebucketer.h"

#include <cmath>

namespace veltrix {

PercentileBucketer::PercentileBucketer(double bucketSeconds)
    : m_width(bucketSeconds)
{ }

void PercentileBucketer::record(double t, double milliseconds)
{
    if (m_openStart < 0)
        m_openStart = std::floor(t / m_width) * m_width;
    m_open.record(milliseconds);
}

std::optional<PercentilePoint> PercentileBucketer::closeUntil(double now)
{
    if (m_openStart < 0 || now < m_openStart + m_width)
        return std::nullopt;
    std::optional<PercentilePoint> point;
    if (!m_open.empty())
        point
            = PercentilePoint {m_openStart + m_width, m_open.percentile(50), m_open.percentile(95),
                               m_open.percentile(99), m_open.max(),          m_open.count()};
    m_open.reset();
    m_openStart = -1;
    return point;
}

} // namespace veltrix
