#pragma once

#include "brokererror.h"
#include "clusterprofile.h"

#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QString>

namespace veltrix {

struct KafkaBrokerInfo
{
    int id = -1;
    QString host;
    int port = 0;
};

struct KafkaTopicInfo
{
    QString name;
    int partitionCount = 0;
    bool internal = false; // starts with "__" (consumer offsets, transactions)
};

struct KafkaGroupInfo
{
    QString name;
    QString state; // "Stable", "Empty", ... or empty when unknown
};

struct RabbitQueueInfo
{
    QString name;
    QString type; // classic, quorum, stream
    qint64 messages = -1; // -1: unknown
    qint64 consumers = -1;
};

struct RabbitVhostInfo
{
    QString name;
    QList<RabbitQueueInfo> queues;
};

// What a cluster holds, as seen by one refresh. Immutable once published: workers
// build it, the GUI thread swaps it in.
struct ClusterTopology
{
    QString clusterName; // profile name
    ClusterKind kind = ClusterKind::Kafka;
    QDateTime fetchedAt;

    // Kafka
    QString clusterId;
    int controllerId = -1;
    QList<KafkaBrokerInfo> brokers;
    QList<KafkaTopicInfo> topics;
    QList<KafkaGroupInfo> groups;
    QString groupsNote; // why the group list came from the profile, when it did

    // RabbitMQ
    QString serverVersion;
    QString rabbitClusterName;
    QList<RabbitVhostInfo> vhosts;

    qint64 fetchMs = 0; // how long the refresh took
};

// The answer to "can I reach this cluster?" (veltrixctl check, status bar).
struct ClusterCheck
{
    QString clusterName;
    ClusterKind kind = ClusterKind::Kafka;
    bool reachable = false;
    int brokerCount = 0; // Kafka brokers in the metadata; RabbitMQ nodes
    QString serverVersion; // RabbitMQ version; empty for Kafka (not exposed)
    QString clusterId;
    qint64 elapsedMs = 0;
    QString error; // describe() of the failure, empty when reachable
    QString errorKind; // BrokerError::kindName()
    QStringList notes; // partial failures that do not make it unreachable

    void fail(const BrokerError &cause)
    {
        reachable = false;
        error = cause.describe();
        errorKind = cause.kindName();
    }
};

} // namespace veltrix

Q_DECLARE_METATYPE(veltrix::ClusterTopology)
Q_DECLARE_METATYPE(veltrix::ClusterCheck)
