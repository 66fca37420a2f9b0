#pragma once

#include "core/result.h"

#include <QString>

#include <chrono>
#include <memory>

class QProcess;

namespace veltrix {
class MockKafkaCluster;
}

namespace veltrix::demo {

// The demo's topics (names and partition counts), created on a fresh mock cluster with
// replication factor 3. The broker process and the workload tests share this list.
Result<bool> createDemoTopics(MockKafkaCluster &mock);

// The demo's mock Kafka cluster in a process of its own, as a real broker would be:
// its message log (librdkafka's mock keeps up to 5 MiB per partition) is then not
// counted as the workload's memory, and a crash of one does not take the other down.
class KafkaBrokerProcess
{
public:
    KafkaBrokerProcess();
    ~KafkaBrokerProcess();

    // Starts `program --kafka-broker` (veltrix-demo itself) and waits for its bootstrap line.
    Result<QString> start(const QString &program,
                          std::chrono::milliseconds timeout = std::chrono::seconds(20));
    void stop();
    qint64 pid() const;

    // The child side: starts the mock cluster with the demo's topics, prints
    // "kafka-broker: bootstrap HOSTS" and serves until standard input closes (the parent
    // exited or stopped it). Returns the process exit code.
    static int runBroker();

private:
    std::unique_ptr<QProcess> m_process;
};

} // namespace veltrix::demo
