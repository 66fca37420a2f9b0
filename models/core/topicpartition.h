#pragma once

#include <QHashFunctions>
#include <QString>

#include <tuple>

namespace veltrix {

// A Kafka partition's identity: the key of every per-partition table.
struct TopicPartition
{
    QString topic;
    int partition = -1;

    bool operator==(const TopicPartition &) const = default;
    bool operator<(const TopicPartition &other) const
    {
        return std::tie(topic, partition) < std::tie(other.topic, other.partition);
    }
    QString toString() const { return topic + QLatin1Char('-') + QString::number(partition); }
};

inline size_t qHash(const TopicPartition &tp, size_t seed = 0)
{
    return qHashMulti(seed, tp.topic, tp.partition);
}

} // namespace veltrix
