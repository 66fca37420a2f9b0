#pragma once

#include "core/clustertopology.h"

#include <librdkafka/rdkafka.h>

#include <QStringList>

#include <chrono>

namespace veltrix {

// Whether the brokers implement the consumer-group APIs (ListGroups, DescribeGroups).
enum class GroupApis { Unknown, Supported, Unsupported };

struct ConsumerGroupListing
{
    // As the brokers listed them, sorted by name; or, when they could not list them,
    // the profile's groups in the profile's order with no state.
    QList<KafkaGroupInfo> groups;
    QString note; // why the list came from the profile, or which brokers did not answer
    GroupApis apis = GroupApis::Unknown;

    QStringList names() const;
};

// One ListConsumerGroups round trip. Shared by the topology refresh and the lag reader
// so that both fall back to the profile's groups, and word why, the same way.
// Blocking: waits up to timeout (plus librdkafka's own grace) for the answer.
ConsumerGroupListing listConsumerGroups(rd_kafka_t *rk, const QStringList &profileGroups,
                                        std::chrono::milliseconds timeout);

} // namespace veltrix
