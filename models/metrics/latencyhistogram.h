#pragma once

#include <QtGlobal>

#include <vector>

namespace veltrix {

// Latencies in an HdrHistogram-style log-linear histogram: each power-of-two range of
// microseconds is split into SubBuckets equal buckets, so a percentile is exact to
// within RelativeError of the true sample whatever its magnitude (1 µs below 128 µs, where
// samples are counted in whole microseconds), and memory is fixed
// (no raw samples are kept, nothing is sorted). Range: 1 µs to MaxMilliseconds; larger
// values are clamped to it (and counted), smaller ones count as 1 µs.
class LatencyHistogram
{
public:
    static constexpr int SubBucketBits = 7; // 128 buckets per power of two
    static constexpr double RelativeError = 1.0 / (1 << SubBucketBits);
    static constexpr double MaxMilliseconds = 3600.0 * 1000.0; // one hour

    LatencyHistogram();

    void record(double milliseconds);
    void merge(const LatencyHistogram &other);
    void reset();

    qint64 count() const { return m_count; }
    bool empty() const { return m_count == 0; }
    // p in [0, 100]: the smallest recorded value (to within RelativeError) that at least
    // p percent of the samples do not exceed. 0 when empty.
    double percentile(double p) const;
    double min() const; // exact; 0 when empty
    double max() const; // exact (before clamping to the range); 0 when empty
    double mean() const; // exact; 0 when empty

private:
    std::vector<qint64> m_counts;
    qint64 m_count = 0;
    double m_min = 0;
    double m_max = 0;
    double m_sum = 0;
};

} // namespace veltrix
