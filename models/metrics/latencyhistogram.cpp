#include "latencyhistogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace veltrix {

namespace {

constexpr int SubBuckets = 1 << LatencyHistogram::SubBucketBits;
constexpr quint64 MaxMicros = quint64(LatencyHistogram::MaxMilliseconds * 1000.0);
constexpr int TopBit = 63 - std::countl_zero(MaxMicros); // highest power of two in range
// Below SubBuckets µs every microsecond has its own bucket; above, each power of two
// 2^e .. 2^(e+1) is split into SubBuckets buckets 2^(e - SubBucketBits) wide.
constexpr size_t BucketCount
    = size_t(SubBuckets) * size_t(TopBit - LatencyHistogram::SubBucketBits + 2);

size_t bucketOf(quint64 micros)
{
    if (micros < quint64(SubBuckets))
        return size_t(micros);
    const int exponent = 63 - std::countl_zero(micros);
    const int shift = exponent - LatencyHistogram::SubBucketBits;
    const quint64 sub = (micros >> shift) - quint64(SubBuckets);
    return size_t(SubBuckets) * size_t(shift + 1) + size_t(sub);
}

// The middle of the bucket, in µs: no sample in it is further than half its width away.
double middleOf(size_t bucket)
{
    if (bucket < size_t(SubBuckets))
        return double(bucket);
    const size_t shift = bucket / size_t(SubBuckets) - 1;
    const quint64 sub = bucket % size_t(SubBuckets);
    const quint64 low = (quint64(SubBuckets) + sub) << shift;
    return double(low) + double(quint64(1) << shift) / 2.0;
}

} // namespace

LatencyHistogram::LatencyHistogram()
    : m_counts(BucketCount, 0)
{ }

void LatencyHistogram::record(double milliseconds)
{
    if (!(milliseconds >= 0)) // negative (a clock step) or NaN: nothing to count
        return;
    const double micros = std::min(std::round(milliseconds * 1000.0), double(MaxMicros));
    ++m_counts[bucketOf(std::max<quint64>(quint64(micros), 1))];
    if (m_count == 0 || milliseconds < m_min)
        m_min = milliseconds;
    if (m_count == 0 || milliseconds > m_max)
        m_max = milliseconds;
    m_sum += milliseconds;
    ++m_count;
}

void LatencyHistogram::merge(const LatencyHistogram &other)
{
    if (other.m_count == 0)
        return;
    for (size_t i = 0; i < m_counts.size(); ++i)
        m_counts[i] += other.m_counts[i];
    m_min = m_count == 0 ? other.m_min : std::min(m_min, other.m_min);
    m_max = m_count == 0 ? other.m_max : std::max(m_max, other.m_max);
    m_sum += other.m_sum;
    m_count += other.m_count;
}

void LatencyHistogram::reset()
{
    std::fill(m_counts.begin(), m_counts.end(), 0);
    m_count = 0;
    m_min = m_max = m_sum = 0;
}

double LatencyHistogram::percentile(double p) const
{
    if (m_count == 0)
        return 0;
    // Nearest rank: the smallest sample that at least p % of the samples do not exceed.
    const double wanted = std::clamp(p, 0.0, 100.0) / 100.0 * double(m_count);
    const qint64 rank = std::max<qint64>(1, qint64(std::ceil(wanted - 1e-9)));
    if (rank == 1)
        return m_min;
    if (rank >= m_count) // also past the range's end, where buckets no longer tell
        return m_max;
    qint64 seen = 0;
    for (size_t i = 0; i < m_counts.size(); ++i) {
        seen += m_counts[i];
        if (seen >= rank) // the exact extremes beat any bucket's middle
            return std::clamp(middleOf(i) / 1000.0, m_min, m_max);
    }
    return m_max;
}

double LatencyHistogram::min() const
{
    return m_min;
}

double LatencyHistogram::max() const
{
    return m_max;
}

double LatencyHistogram::mean() const
{
    return m_count == 0 ? 0 : m_sum / double(m_count);
}

} // namespace veltrix
