#include "timeseries.h"

#include <algorithm>
#include <cmath>

namespace veltrix {

namespace {

void addPoint(SeriesPoints &out, double from, double to, double t, double value)
{
    if (t < from || t > to)
        return;
    out.x.append(t);
    out.y.append(value);
}

} // namespace

TimeSeries::BucketTier::BucketTier(double width, size_t capacity)
    : m_width(width)
    , m_closed(capacity)
{ }

void TimeSeries::BucketTier::append(double t, double value)
{
    const double start = std::floor(t / m_width) * m_width;
    if (m_open && m_open->start == start) {
        if (value < m_open->min) {
            m_open->min = value;
            m_open->minT = t;
        }
        if (value > m_open->max) {
            m_open->max = value;
            m_open->maxT = t;
        }
        return;
    }
    if (m_open)
        m_closed.push(*m_open);
    m_open = Bucket {start, t, value, t, value};
}

bool TimeSeries::BucketTier::reaches(double from) const
{
    return !m_closed.hasDropped() || (!m_closed.empty() && m_closed.at(0).start <= from);
}

void TimeSeries::BucketTier::collect(double from, double to, SeriesPoints &out) const
{
    const auto emitBucket = [&](const Bucket &bucket) {
        if (bucket.minT == bucket.maxT) {
            addPoint(out, from, to, bucket.minT, bucket.min);
        } else if (bucket.minT < bucket.maxT) {
            addPoint(out, from, to, bucket.minT, bucket.min);
            addPoint(out, from, to, bucket.maxT, bucket.max);
        } else {
            addPoint(out, from, to, bucket.maxT, bucket.max);
            addPoint(out, from, to, bucket.minT, bucket.min);
        }
    };
    // Skip the buckets that end before the window: they are in time order.
    size_t lo = 0;
    size_t hi = m_closed.size();
    while (lo < hi) {
        const size_t mid = (lo + hi) / 2;
        if (m_closed.at(mid).start + m_width <= from)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < m_closed.size() && m_closed.at(i).start <= to; ++i)
        emitBucket(m_closed.at(i));
    if (m_open)
        emitBucket(*m_open);
}

TimeSeries::TimeSeries(const SeriesTiers &tiers)
    : m_raw(tiers.rawCapacity)
    , m_medium(tiers.mediumBucketSeconds, tiers.mediumCapacity)
    , m_coarse(tiers.coarseBucketSeconds, tiers.coarseCapacity)
{ }

void TimeSeries::append(double t, double value)
{
    if (!m_raw.empty() && t <= m_raw.back().t)
        return;
    m_raw.push({t, value});
    m_medium.append(t, value);
    m_coarse.append(t, value);
}

SeriesPoints TimeSeries::window(double from, double to) const
{
    SeriesPoints out;
    if (m_raw.empty())
        return out;
    if (!m_raw.hasDropped() || m_raw.at(0).t <= from) {
        size_t lo = 0;
        size_t hi = m_raw.size();
        while (lo < hi) {
            const size_t mid = (lo + hi) / 2;
            if (m_raw.at(mid).t < from)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (size_t i = lo; i < m_raw.size() && m_raw.at(i).t <= to; ++i) {
            out.x.append(m_raw.at(i).t);
            out.y.append(m_raw.at(i).value);
        }
        return out;
    }
    (m_medium.reaches(from) ? m_medium : m_coarse).collect(from, to, out);
    return out;
}

QList<double> TimeSeries::lastValues(int count) const
{
    QList<double> values;
    const size_t n = std::min(m_raw.size(), static_cast<size_t>(std::max(count, 0)));
    values.reserve(static_cast<qsizetype>(n));
    for (size_t i = m_raw.size() - n; i < m_raw.size(); ++i)
        values.append(m_raw.at(i).value);
    return values;
}

std::optional<double> TimeSeries::lastTime() const
{
    if (m_raw.empty())
        return std::nullopt;
    return m_raw.back().t;
}

std::optional<double> TimeSeries::lastValue() const
{
    if (m_raw.empty())
        return std::nullopt;
    return m_raw.back().value;
}

size_t TimeSeries::storedPoints() const
{
    return m_raw.size() + m_medium.size() + m_coarse.size();
}

} // namespace veltrix
