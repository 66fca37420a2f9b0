#pragma once

#include "core/clusterprofile.h"
#include "kafka/mockkafkacluster.h"
#include "rabbitmq/amqpconnection.h"
#include "rabbitmq/localrabbitnode.h"

#include <QJsonObject>
#include <QList>
#include <QString>

namespace veltrix::test {

ClusterProfile kafkaProfile(const QString &name, const QString &bootstrap,
                            const QStringList &groups = {});
ClusterProfile rabbitProfile(const QString &name, const LocalRabbitNodeInfo &node);

// A loopback address where nothing listens (a port bound and released): connections
// there are refused at once, like a broker that is down.
QString deadEndpoint();

// A 3-broker mock cluster with these topics (partitions each); the error in words
// when it could not start.
Result<std::unique_ptr<MockKafkaCluster>> startMockKafka(const QStringList &topics, int partitions);

// An AMQP connection for a test; nullptr (and the reason as a warning) when it fails.
std::unique_ptr<AmqpConnection>
openAmqp(const QString &uri, std::chrono::milliseconds timeout = std::chrono::seconds(5));

// Every message of `queue` taken out (basic.get, ack), in order: what a test checks
// afterwards. Empty when the broker cannot be reached.
QList<AmqpMessage> drainQueue(const QString &uri, const QString &queue);
// The queue's ready count; -1 when it cannot be asked.
qint64 readyCount(const QString &uri, const QString &queue);

// Every line of a JSON Lines file (an audit log) as an object; empty when unreadable.
QList<QJsonObject> readJsonLines(const QString &path);

// Writes the profiles into dir/profiles.json and returns the path; QFAILs are up to
// the caller (an empty string means it could not be written).
QString writeProfiles(const QString &dir, const QList<ClusterProfile> &profiles);

} // namespace veltrix::test
