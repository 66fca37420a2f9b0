#pragma once

#include <QString>

#include <atomic>
#include <chrono>
#include <deque>

namespace veltrix {

// A token bucket: at most `perSecond` sends per second on average, bursts of up to a tenth
// of a second's worth. Time is passed in so tests can drive it.
class RateLimiter
{
public:
    using Clock = std::chrono::steady_clock;

    explicit RateLimiter(double perSecond = 0);
    void setRate(double perSecond); // 0: unlimited
    double rate() const { return m_rate; }

    // How long to wait before the next send may go; zero when it may go now, in which
    // case the send is counted.
    std::chrono::nanoseconds acquire(Clock::time_point now);

private:
    double burst() const;

    double m_rate = 0;
    double m_tokens = 0;
    Clock::time_point m_last {};
    bool m_started = false;
};

// Moved per second over the last few seconds, and the time left at that pace.
class ThroughputMeter
{
public:
    using Clock = std::chrono::steady_clock;

    explicit ThroughputMeter(std::chrono::milliseconds window = std::chrono::seconds(5));
    void record(Clock::time_point now, qint64 done);
    double ratePerSecond() const;
    // Seconds until `remaining` more are done; -1 when the rate is not known yet.
    qint64 etaSeconds(qint64 remaining) const;

private:
    struct Sample
    {
        Clock::time_point at;
        qint64 done;
    };
    std::chrono::milliseconds m_window;
    std::deque<Sample> m_samples;
};

// How the GUI or a terminal steers a running redrive; safe from any thread.
class RedriveControl
{
public:
    void cancel() { m_cancelled = true; }
    bool isCancelled() const { return m_cancelled; }
    void setPaused(bool paused) { m_paused = paused; }
    bool isPaused() const { return m_paused; }
    void setRate(double perSecond) { m_rate = perSecond; } // < 0: keep the request's
    double rate() const { return m_rate; }

private:
    std::atomic<bool> m_cancelled {false};
    std::atomic<bool> m_paused {false};
    std::atomic<double> m_rate {-1};
};

} // namespace veltrix
