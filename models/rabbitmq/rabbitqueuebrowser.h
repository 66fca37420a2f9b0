#pragma once

#include "core/browsedmessage.h"
#include "core/clusterprofile.h"
#include "core/result.h"

#include <QHash>
#include <QJsonObject>
#include <QString>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>

namespace veltrix {

class AmqpConnection;
class ManagementClient;

struct AmqpMessage;

// A delivery as the DLQ views show it: id = message-id property, else "#<position>";
// payload cut at maxPayloadBytes; properties and delivery facts (quorum: delivery_count);
// x-death parsed.
BrowsedMessage browsedFromAmqp(const AmqpMessage &message, qint64 position,
                               qint64 maxPayloadBytes, bool quorum);

// What the browser needs to know about a queue before reading it.
struct RabbitQueueFacts
{
    QString vhost, name;
    QString type; // "classic", "quorum", "stream"
    qint64 messages = -1; // ready + unacked as the management API reports (or passive declare)
    std::optional<int> deliveryLimit; // quorum: x-delivery-limit argument or policy delivery-limit
    QString deliveryLimitSource; // "queue argument" or "policy <name>"
    QString deadLetterExchange; // effective, empty when none
};

struct RabbitBrowseOptions
{
    // Skip this many from the head (classic/quorum: they are still read and returned) /
    // stream offset.
    qint64 offset = 0;
    int limit = 100; // messages to return
    qint64 maxPayloadBytes = 1 << 20;
    bool insist = false; // browse past the quorum safety margin; refused on read-only profiles
    // Quorum: further reads each message must still have after this browse returns it
    // before its delivery-limit dead-letters it.
    int safetyMargin = 1;
};

struct RabbitBrowseResult
{
    RabbitQueueFacts queue;
    BrowsedMessageList messages; // in queue order, from position `offset`
    qint64 returned = 0; // messages read and given back (nack requeue): all of them
    bool markedRedelivered = false; // classic/quorum: every read message now has redelivered=true
    bool stoppedForSafety = false; // quorum: stopped before a message got near its delivery-limit
    QString safetyNote; // words for the operator (which message, its count, the limit, insist)
    int highestDeliveryCount = -1; // quorum: the largest x-delivery-count seen (+1 after return)
};

// The delivery-limit RabbitMQ 3.10 enforces on a quorum queue, from its /api/queues
// entry: the smaller of the x-delivery-limit argument and the effective policy's
// delivery-limit (the effective definition already merges an operator policy).
struct DeliveryLimit
{
    int value = 0;
    bool fromArgument = false;
};
std::optional<DeliveryLimit> effectiveDeliveryLimit(const QJsonObject &queue);

// Reads a RabbitMQ queue without taking anything out of it. Classic and quorum queues can
// only be read by consuming, so every message read is given back (requeued) before
// browse() returns; streams are read by offset. Use from one thread: the AMQP connections
// (one per vhost) and the management client are made lazily on the calling thread.
class RabbitQueueBrowser
{
public:
    RabbitQueueBrowser(ClusterProfile profile, std::chrono::milliseconds timeout);
    ~RabbitQueueBrowser();
    RabbitQueueBrowser(const RabbitQueueBrowser &) = delete;
    RabbitQueueBrowser &operator=(const RabbitQueueBrowser &) = delete;

    Result<RabbitQueueFacts> facts(const QString &vhost, const QString &queue);
    Result<RabbitBrowseResult> browse(const QString &vhost, const QString &queue,
                                      const RabbitBrowseOptions &options);

    // Safe from another thread: makes a running browse() return at once with an error
    // (the broker requeues whatever it had read). The next call connects afresh.
    void interrupt();

private:
    struct Inspected; // facts plus what only AMQP knows (ready count, consumers)
    Result<Inspected> inspect(const QString &vhost, const QString &queue);
    Result<RabbitBrowseResult> consumeAndReturn(AmqpConnection &amqp, const Inspected &queue,
                                                const RabbitBrowseOptions &options);
    Result<RabbitBrowseResult> getCounted(AmqpConnection &amqp, const Inspected &queue,
                                          const RabbitBrowseOptions &options);
    Result<RabbitBrowseResult> readStream(AmqpConnection &amqp, const RabbitQueueFacts &queue,
                                          const RabbitBrowseOptions &options);
    Result<bool> returnAll(AmqpConnection &amqp, const Inspected &queue, qint64 expectReady);
    Result<AmqpConnection *> connection(const QString &vhost);
    void dropConnection();
    Result<ManagementClient *> management();
    BrokerError interrupted() const;

    ClusterProfile m_profile;
    std::chrono::milliseconds m_timeout;
    std::unique_ptr<ManagementClient> m_management;
    QString m_connectionVhost;
    std::unique_ptr<AmqpConnection> m_connection;
    std::mutex m_connectionMutex; // m_connection's lifetime against interrupt()
    std::atomic<bool> m_interrupted {false};
    // Quorum queues with a delivery-limit: the delivery count this browser left the head
    // message at, per "vhost/queue". Every browse must read the head to see its count, so
    // once that read would dead-letter it, only this memory can refuse beforehand.
    struct HeadCount
    {
        QString id;
        qint64 count = 0;
    };
    QHash<QString, HeadCount> m_headCounts;
};

} // namespace veltrix
