#pragma once

#include "core/result.h"

#include <QString>

#include <memory>

struct rd_kafka_s;
struct rd_kafka_mock_cluster_s;

namespace veltrix {

// librdkafka's in-process mock Kafka cluster: a real Kafka-protocol server on
// loopback ports, used by the test suites and the demo. It lives as long as this
// object; clients anywhere (this process or others) reach it over TCP.
class MockKafkaCluster
{
public:
    ~MockKafkaCluster();
    MockKafkaCluster(const MockKafkaCluster &) = delete;
    MockKafkaCluster &operator=(const MockKafkaCluster &) = delete;

    static Result<std::unique_ptr<MockKafkaCluster>> start(int brokerCount = 3);

    QString bootstrapServers() const;
    int brokerCount() const { return m_brokerCount; }

    Result<bool> createTopic(const QString &name, int partitions, int replicationFactor = 1);
    // Takes a broker off the network (connections refused) or brings it back.
    Result<bool> setBrokerUp(int brokerId, bool up);
    // Adds latency to every response of one broker.
    Result<bool> setBrokerRtt(int brokerId, int rttMs);

    rd_kafka_mock_cluster_s *handle() const { return m_cluster; }

private:
    MockKafkaCluster() = default;

    rd_kafka_s *m_owner = nullptr; // the mock cluster needs a client handle to live in
    rd_kafka_mock_cluster_s *m_cluster = nullptr;
    int m_brokerCount = 0;
};

} // namespace veltrix
