#pragma once

#include "core/clusterprofile.h"
#include "core/result.h"
#include "demosettings.h"

#include <QJsonObject>
#include <QString>

#include <functional>
#include <memory>

class QTemporaryDir;

namespace veltrix {
class LocalRabbitNode;
} // namespace veltrix

namespace veltrix::demo {

class DemoWorkload;
class KafkaBrokerProcess;

struct DemoOptions
{
    DemoSettings settings;
    QString amqpUri; // a RabbitMQ of the user's; empty: start a private node
    QString managementUrl; // with amqpUri
    QString workDir; // empty: a temporary folder, removed on stop
    QString profilesPath; // empty: <workDir>/profiles.json
    QString brokerProgram; // runs the mock Kafka broker (`--kafka-broker`); empty: this program
};

struct DemoEndpoints
{
    QString kafkaBootstrap;
    QString amqpUri; // vhost "shop"
    QString managementUrl;
    QString profilesPath;
    bool privateRabbitNode = false;
};

// The whole demo: librdkafka's mock cluster (in a broker process of its own), a RabbitMQ node
// (private or the user's), the shop topology on both, the workloads, and a profiles file for the
// console. Start and stop it from one thread (the private node is tied to it).
class DemoEnvironment
{
public:
    explicit DemoEnvironment(DemoOptions options);
    ~DemoEnvironment();
    DemoEnvironment(const DemoEnvironment &) = delete;
    DemoEnvironment &operator=(const DemoEnvironment &) = delete;

    // progress: one line per step, for the terminal.
    Result<DemoEndpoints> start(const std::function<void(const QString &)> &progress = {});
    // Stops workloads first, then the brokers, then removes temporary data. Idempotent.
    void stop();

    QJsonObject stats() const; // {"kafka": {...}, "rabbitmq": {...}}

    static QList<ClusterProfile> profilesFor(const DemoEndpoints &endpoints);

private:
    Result<bool> startKafka();
    Result<bool> startRabbit();

    DemoOptions m_options;
    DemoEndpoints m_endpoints;
    std::unique_ptr<QTemporaryDir> m_tempDir;
    std::unique_ptr<KafkaBrokerProcess> m_kafka;
    std::unique_ptr<LocalRabbitNode> m_node;
    std::unique_ptr<DemoWorkload> m_kafkaWorkload;
    std::unique_ptr<DemoWorkload> m_rabbitWorkload;
};

} // namespace veltrix::demo
