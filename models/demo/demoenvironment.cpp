#include "demoenvironment.h"

#include "core/profilefile.h"
#include "kafkabrokerprocess.h"
#include "kafkaworkload.h"
#include "lagscenarios.h"
#include "rabbitmq/amqpendpoint.h"
#include "rabbitmq/localrabbitnode.h"
#include "rabbitmq/managementclient.h"
#include "rabbittopology.h"
#include "rabbitworkload.h"

#include <QCoreApplication>
#include <QDir>
#include <QTemporaryDir>
#include <QUrl>

namespace veltrix::demo {

namespace {

// The same URI with vhost "shop": the demo's traffic stays out of the user's vhosts.
QString withShopVhost(const AmqpEndpoint &endpoint)
{
    QUrl url;
    url.setScheme(endpoint.tls ? QStringLiteral("amqps") : QStringLiteral("amqp"));
    url.setHost(endpoint.host);
    url.setPort(endpoint.port);
    url.setUserName(endpoint.user);
    url.setPassword(endpoint.password);
    url.setPath(QLatin1Char('/') + names::Vhost);
    return url.toString();
}

} // namespace

DemoEnvironment::DemoEnvironment(DemoOptions options)
    : m_options(std::move(options))
{ }

DemoEnvironment::~DemoEnvironment()
{
    stop();
}

Result<DemoEndpoints> DemoEnvironment::start(const std::function<void(const QString &)> &progress)
{
    const auto say = [&progress](const QString &line) {
        if (progress)
            progress(line);
    };
    QString workDir = m_options.workDir;
    if (workDir.isEmpty()) {
        m_tempDir = std::make_unique<QTemporaryDir>(QDir::tempPath()
                                                    + QStringLiteral("/veltrix-demo-XXXXXX"));
        if (!m_tempDir->isValid())
            return BrokerError::make(BrokerError::Kind::Configuration,
                                     QStringLiteral("cannot create a temporary folder: %1")
                                         .arg(m_tempDir->errorString()));
        workDir = m_tempDir->path();
    } else if (!QDir().mkpath(workDir)) {
        return BrokerError::make(BrokerError::Kind::Configuration,
                                 QStringLiteral("cannot create the work folder %1").arg(workDir));
    }
    m_options.workDir = workDir;

    say(QStringLiteral("starting the mock Kafka cluster (3 brokers, own process)"));
    if (auto ok = startKafka(); !ok)
        return ok.error();
    if (m_options.amqpUri.isEmpty())
        say(QStringLiteral("starting a private RabbitMQ node (takes ~6 s)"));
    else
        say(QStringLiteral("using RabbitMQ at %1").arg(m_options.managementUrl));
    if (auto ok = startRabbit(); !ok)
        return ok.error();

    say(QStringLiteral("starting the workload at %1 msg/s")
            .arg(m_options.settings.messagesPerSecond));
    ClusterProfile kafka;
    kafka.name = QStringLiteral("shop-kafka");
    kafka.bootstrap = m_endpoints.kafkaBootstrap;
    m_kafkaWorkload = std::make_unique<KafkaWorkload>(kafka, m_options.settings);
    m_rabbitWorkload = std::make_unique<RabbitWorkload>(m_endpoints.amqpUri, m_options.settings);
    for (DemoWorkload *workload : {m_kafkaWorkload.get(), m_rabbitWorkload.get()}) {
        if (auto ok = workload->start(); !ok)
            return ok.error();
    }
    if (auto ok = LagScenarios(kafka).setUp(); !ok)
        return ok.error();

    // Written last: its existence tells scripts/demo that everything is up.
    m_endpoints.profilesPath = m_options.profilesPath.isEmpty()
        ? workDir + QStringLiteral("/profiles.json")
        : m_options.profilesPath;
    if (auto error = ProfileFile::save(m_endpoints.profilesPath, profilesFor(m_endpoints)))
        return BrokerError::make(BrokerError::Kind::Configuration, error->describe());
    return m_endpoints;
}

Result<bool> DemoEnvironment::startKafka()
{
    m_kafka = std::make_unique<KafkaBrokerProcess>();
    const QString program = m_options.brokerProgram.isEmpty()
        ? QCoreApplication::applicationFilePath()
        : m_options.brokerProgram;
    auto bootstrap = m_kafka->start(program);
    if (!bootstrap)
        return bootstrap.error();
    m_endpoints.kafkaBootstrap = bootstrap.value();
    return true;
}

Result<bool> DemoEnvironment::startRabbit()
{
    QString amqpUri = m_options.amqpUri;
    QString managementUrl = m_options.managementUrl;
    if (amqpUri.isEmpty()) {
        m_node = std::make_unique<LocalRabbitNode>(
            m_options.workDir + QStringLiteral("/rabbitmq"),
            QStringLiteral("veltrix-demo-%1@localhost").arg(QCoreApplication::applicationPid()));
        auto info = m_node->start(LocalRabbitNode::Lifetime::Attached);
        if (!info)
            return info.error();
        amqpUri = info->amqpUri();
        managementUrl = info->managementUrl();
        m_endpoints.privateRabbitNode = true;
    }
    auto endpoint = AmqpEndpoint::parse(amqpUri);
    if (!endpoint)
        return endpoint.error();
    ManagementClient api(QStringLiteral("demo"), QUrl(managementUrl), endpoint->user,
                         endpoint->password, std::chrono::seconds(10));
    if (auto ok = declareShopTopology(api, endpoint.value()); !ok)
        return ok.error();
    m_endpoints.amqpUri = withShopVhost(endpoint.value());
    m_endpoints.managementUrl = managementUrl;
    return true;
}

void DemoEnvironment::stop()
{
    for (auto *workload : {m_kafkaWorkload.get(), m_rabbitWorkload.get()}) {
        if (workload)
            workload->stop();
    }
    m_kafkaWorkload.reset();
    m_rabbitWorkload.reset();
    if (m_node)
        m_node->stop();
    m_node.reset();
    if (m_kafka)
        m_kafka->stop();
    m_kafka.reset();
    m_tempDir.reset(); // removes the private node's data and the profiles file
}

QJsonObject DemoEnvironment::stats() const
{
    QJsonObject stats;
    if (m_kafkaWorkload)
        stats.insert(QStringLiteral("kafka"), m_kafkaWorkload->stats());
    if (m_rabbitWorkload)
        stats.insert(QStringLiteral("rabbitmq"), m_rabbitWorkload->stats());
    return stats;
}

QList<ClusterProfile> DemoEnvironment::profilesFor(const DemoEndpoints &endpoints)
{
    ClusterProfile kafka;
    kafka.name = QStringLiteral("shop-kafka");
    kafka.kind = ClusterKind::Kafka;
    kafka.bootstrap = endpoints.kafkaBootstrap;
    // The mock cluster cannot list groups: name the demo's so the console finds them.
    kafka.groups = {names::OrderServiceGroup,       names::OrderServiceRetry0Group,
                    names::OrderServiceRetry1Group, names::PaymentServiceGroup,
                    names::InventorySinkGroup,      names::AnalyticsGroup,
                    names::FraudCheckGroup,         names::AuditArchiverGroup};
    // The dashboards have something to show from the first second.
    kafka.probe.enabled = true;
    kafka.probe.topic = names::ProbeTopic;

    ClusterProfile rabbit;
    rabbit.name = QStringLiteral("shop-rabbit");
    rabbit.kind = ClusterKind::RabbitMq;
    rabbit.amqpUri = endpoints.amqpUri;
    rabbit.managementUrl = endpoints.managementUrl;
    rabbit.probe.enabled = true;
    return {kafka, rabbit};
}

} // namespace veltrix::demo
