#include "redrivepacer.h"

#include <algorithm>
#include <cmath>

namespace veltrix {

RateLimiter::RateLimiter(double perSecond)
{
    setRate(perSecond);
}

void RateLimiter::setRate(double perSecond)
{
    m_rate = std::max(0.0, perSecond);
    m_tokens = std::min(m_tokens, burst());
}

double RateLimiter::burst() const
{
    // A tenth of a second's worth keeps the pace smooth without a send per wake-up.
    return std::max(1.0, m_rate / 10.0);
}

std::chrono::nanoseconds RateLimiter::acquire(Clock::time_point now)
{
    if (m_rate <= 0)
        return std::chrono::nanoseconds::zero();
    if (!m_started) {
        m_started = true;
        m_last = now;
        m_tokens = 1; // the first send goes at once
    }
    const double elapsed = std::chrono::duration<double>(now - m_last).count();
    if (elapsed > 0) {
        m_tokens = std::min(burst(), m_tokens + elapsed * m_rate);
        m_last = now;
    }
    if (m_tokens >= 1) {
        m_tokens -= 1;
        return std::chrono::nanoseconds::zero();
    }
    const double wait = (1 - m_tokens) / m_rate;
    return std::chrono::nanoseconds(static_cast<qint64>(std::ceil(wait * 1e9)));
}

ThroughputMeter::ThroughputMeter(std::chrono::milliseconds window)
    : m_window(window)
{ }

void ThroughputMeter::record(Clock::time_point now, qint64 done)
{
    m_samples.push_back({now, done});
    // Keep one sample older than the window so the rate spans all of it.
    while (m_samples.size() > 2 && now - m_samples[1].at >= m_window)
        m_samples.pop_front();
}

double ThroughputMeter::ratePerSecond() const
{
    if (m_samples.size() < 2)
        return 0;
    const double seconds
        = std::chrono::duration<double>(m_samples.back().at - m_samples.front().at).count();
    if (seconds <= 0)
        return 0;
    return double(m_samples.back().done - m_samples.front().done) / seconds;
}

qint64 ThroughputMeter::etaSeconds(qint64 remaining) const
{
    if (remaining <= 0)
        return 0;
    const double rate = ratePerSecond();
    if (rate <= 0)
        return -1;
    return static_cast<qint64>(std::ceil(double(remaining) / rate));
}

} // namespace veltrix
