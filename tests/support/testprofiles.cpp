#include "testprofiles.h"

#include "core/profilefile.h"

#include <QFile>
#include <QJsonDocument>
#include <QTcpServer>

namespace veltrix::test {

ClusterProfile kafkaProfile(const QString &name, const QString &bootstrap,
                            const QStringList &groups)
{
    ClusterProfile p;
    p.name = name;
    p.kind = ClusterKind::Kafka;
    p.bootstrap = bootstrap;
    p.groups = groups;
    return p;
}

ClusterProfile rabbitProfile(const QString &name, const LocalRabbitNodeInfo &node)
{
    ClusterProfile p;
    p.name = name;
    p.kind = ClusterKind::RabbitMq;
    p.amqpUri = node.amqpUri();
    p.managementUrl = node.managementUrl();
    return p;
}

QString deadEndpoint()
{
    QTcpServer server;
    server.listen(QHostAddress::LocalHost, 0);
    const quint16 port = server.serverPort();
    server.close();
    return QStringLiteral("127.0.0.1:%1").arg(port);
}

Result<std::unique_ptr<MockKafkaCluster>> startMockKafka(const QStringList &topics, int partitions)
{
    auto mock = MockKafkaCluster::start(3);
    if (!mock)
        return mock.error();
    for (const QString &topic : topics) {
        if (auto created = mock.value()->createTopic(topic, partitions); !created)
            return created.error();
    }
    return mock;
}

std::unique_ptr<AmqpConnection> openAmqp(const QString &uri, std::chrono::milliseconds timeout)
{
    auto endpoint = AmqpEndpoint::parse(uri);
    if (!endpoint) {
        qWarning("%s", qPrintable(endpoint.error().describe()));
        return nullptr;
    }
    auto connection = AmqpConnection::open(QStringLiteral("test"), endpoint.value(), timeout);
    if (!connection) {
        qWarning("%s", qPrintable(connection.error().describe()));
        return nullptr;
    }
    return std::move(connection).value();
}

QString writeProfiles(const QString &dir, const QList<ClusterProfile> &profiles)
{
    const QString path = dir + QStringLiteral("/profiles.json");
    if (ProfileFile::save(path, profiles))
        return QString(); // save() returns the error, if any
    return path;
}

QList<AmqpMessage> drainQueue(const QString &uri, const QString &queue)
{
    QList<AmqpMessage> out;
    auto amqp = openAmqp(uri, std::chrono::seconds(10));
    if (!amqp)
        return out;
    for (;;) {
        auto message = amqp->get(queue);
        if (!message || !message->has_value())
            break;
        out << *message.value();
        if (!amqp->ack(message.value()->deliveryTag))
            break;
    }
    return out;
}

qint64 readyCount(const QString &uri, const QString &queue)
{
    auto amqp = openAmqp(uri, std::chrono::seconds(10));
    if (!amqp)
        return -1;
    auto counts = amqp->inspectQueue(queue);
    return counts ? counts->messages : -1;
}

QList<QJsonObject> readJsonLines(const QString &path)
{
    QList<QJsonObject> lines;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return lines;
    for (const QByteArray &line : file.readAll().split('\n'))
        if (!line.isEmpty())
            lines << QJsonDocument::fromJson(line).object();
    return lines;
}

} // namespace veltrix::test
