#include "rabbitclusterclient.h"

#include "amqpconnection.h"
#include "managementclient.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QMap>

namespace veltrix {

RabbitClusterClient::RabbitClusterClient(ClusterProfile profile, std::chrono::milliseconds timeout)
    : m_profile(std::move(profile))
    , m_timeout(timeout)
    , m_endpoint(AmqpEndpoint::forProfile(m_profile))
{ }

RabbitClusterClient::~RabbitClusterClient() = default;

Result<AmqpConnection *> RabbitClusterClient::connection()
{
    if (!m_endpoint)
        return m_endpoint.error();
    if (!m_connection) {
        auto opened = AmqpConnection::open(m_profile.name, m_endpoint.value(), m_timeout);
        if (!opened)
            return opened.error();
        m_connection = std::move(opened).value();
    }
    return m_connection.get();
}

Result<ManagementClient *> RabbitClusterClient::management()
{
    if (!m_management) {
        auto created = ManagementClient::forProfile(
            m_profile, m_timeout,
            QStringLiteral("add \"management\": \"http://host:15672\" to list vhosts and "
                           "queues"));
        if (!created)
            return created.error();
        m_management = std::move(created).value();
    }
    return m_management.get();
}

ClusterCheck RabbitClusterClient::probe()
{
    QElapsedTimer clock;
    clock.start();
    ClusterCheck check;
    check.clusterName = m_profile.name;
    check.kind = ClusterKind::RabbitMq;

    // A fresh connection each probe: a stale one would answer for a dead broker.
    m_connection.reset();
    auto amqp = connection();
    if (!amqp) {
        check.elapsedMs = clock.elapsed();
        check.fail(amqp.error());
        return check;
    }
    check.reachable = true;
    check.serverVersion = amqp.value()->serverProperty("version");
    check.clusterId = amqp.value()->serverProperty("cluster_name");
    check.brokerCount = 1;

    auto api = management();
    if (!api) {
        check.notes << api.error().describe();
    } else if (auto nodes = api.value()->get(QStringLiteral("/api/nodes?columns=name,running"));
               nodes) {
        check.brokerCount = static_cast<int>(nodes->array().size());
    } else {
        check.notes << nodes.error().describe();
    }
    check.elapsedMs = clock.elapsed();
    return check;
}

Result<ClusterTopology> RabbitClusterClient::fetchTopology()
{
    auto api = management();
    if (!api)
        return api.error();
    auto overview = api.value()->get(QStringLiteral("/api/overview"));
    if (!overview)
        return overview.error();
    auto vhosts = api.value()->get(QStringLiteral("/api/vhosts?columns=name"));
    if (!vhosts)
        return vhosts.error();
    auto queues = api.value()->get(
        QStringLiteral("/api/queues?columns=name,vhost,type,messages,consumers"));
    if (!queues)
        return queues.error();

    ClusterTopology topology;
    topology.clusterName = m_profile.name;
    topology.kind = ClusterKind::RabbitMq;
    topology.fetchedAt = QDateTime::currentDateTimeUtc();
    topology.serverVersion = overview->object().value(QLatin1String("rabbitmq_version")).toString();
    topology.rabbitClusterName = overview->object().value(QLatin1String("cluster_name")).toString();

    QMap<QString, RabbitVhostInfo> byName; // sorted by vhost name
    for (const QJsonValue &v : vhosts->array()) {
        const QString name = v.toObject().value(QLatin1String("name")).toString();
        byName[name].name = name;
    }
    for (const QJsonValue &v : queues->array()) {
        const QJsonObject q = v.toObject();
        const QString vhost = q.value(QLatin1String("vhost")).toString();
        RabbitQueueInfo info;
        info.name = q.value(QLatin1String("name")).toString();
        info.type = q.value(QLatin1String("type")).toString(QStringLiteral("classic"));
        // Absent until the queue's first stats emission: unknown, not zero.
        info.messages = q.value(QLatin1String("messages")).toInteger(-1);
        info.consumers = q.value(QLatin1String("consumers")).toInteger(-1);
        byName[vhost].name = vhost;
        byName[vhost].queues.append(info);
    }
    for (auto &vhost : byName) {
        std::sort(vhost.queues.begin(), vhost.queues.end(),
                  [](const auto &a, const auto &b) { return a.name < b.name; });
        topology.vhosts.append(vhost);
    }
    return topology;
}

} // namespace veltrix
