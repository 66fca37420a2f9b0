#pragma once

#include "latencyhistogram.h"

#include <QList>

#include <optional>

namespace veltrix {

// The percentiles of one time bucket of one latency series.
struct PercentilePoint
{
    double t = 0; // the bucket's end, seconds since the epoch
    double p50 = 0;
    double p95 = 0;
    double p99 = 0;
    double max = 0;
    qint64 count = 0;
};

// Turns a stream of latency samples into one PercentilePoint per time bucket, each from
// its own LatencyHistogram (never from sorting samples). Samples must come in roughly
// time order: one older than the open bucket goes into the open bucket.
class PercentileBucketer
{
public:
    explicit PercentileBucketer(double bucketSeconds = 1.0);

    void record(double t, double milliseconds); // t: seconds since the epoch
    // Closes the open bucket when it ended at or before `now` and returns its point;
    // nothing when no bucket is due (or the due one had no samples).
    std::optional<PercentilePoint> closeUntil(double now);

private:
    double m_width;
    double m_openStart = -1;
    LatencyHistogram m_open;
};

} // namespace veltrix
