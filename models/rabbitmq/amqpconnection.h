#pragma once

#include "amqpendpoint.h"
#include "core/result.h"

#include <amqp.h>

#include <QByteArray>
#include <QList>
#include <QVariantMap>

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <utility>

namespace veltrix {

struct AmqpMessageProperties
{
    QString contentType;
    QString messageId;
    QString correlationId;
    QString replyTo;
    int deliveryMode = 2; // persistent unless asked otherwise
    int priority = -1; // -1: not set
    qint64 timestamp = 0; // seconds since the epoch (AMQP's resolution); 0: not set
    QString expiration; // per-message TTL in milliseconds, as text ("2000"); empty: none
    QVariantMap headers;
    QString contentEncoding;
    QString type;
    QString appId;
    QString userId; // the broker checks it against the connection's user
};

struct AmqpMessage
{
    QByteArray body;
    QString exchange;
    QString routingKey;
    quint64 deliveryTag = 0;
    bool redelivered = false;
    qint64 messagesLeft = 0; // as reported by basic.get-ok
    QString consumerTag; // deliveries to a consumer only
    int replyCode = 0; // returned (unroutable mandatory) messages only, e.g. 312 NO_ROUTE
    QString replyText;
    AmqpMessageProperties properties;
};

// How the broker answered a publish in confirm mode.
enum class AmqpConfirm {
    Acked, // the broker took responsibility for the message
    Nacked, // the broker could not (e.g. a quorum queue without quorum)
    Returned, // mandatory and no queue was bound for it; see takeReturned()
};

// One rabbitmq-c connection with channel 1 open. Blocking, with every call bounded
// by the timeout given at open(); use it from a single thread.
class AmqpConnection
{
public:
    ~AmqpConnection();
    AmqpConnection(const AmqpConnection &) = delete;
    AmqpConnection &operator=(const AmqpConnection &) = delete;

    static Result<std::unique_ptr<AmqpConnection>> open(const QString &clusterName,
                                                        const AmqpEndpoint &endpoint,
                                                        std::chrono::milliseconds timeout);

    QString serverProperty(const char *key) const; // "version", "cluster_name", "product"

    Result<bool> declareQueue(const QString &name, bool durable, const QVariantMap &arguments = {});
    // A server-named, exclusive, auto-delete queue: gone with this connection.
    Result<QString> declareTemporaryQueue();
    Result<bool> deleteQueue(const QString &name);
    // queue.purge: drops the queue's ready messages (not those delivered and unacked);
    // returns how many.
    Result<qint64> purgeQueue(const QString &name);
    Result<bool> declareExchange(const QString &name, const QString &type, bool durable,
                                 const QVariantMap &arguments = {});
    // exchange.declare passive: a NOT_FOUND error (lastCloseCode() 404) when it is missing.
    Result<bool> checkExchange(const QString &name);
    Result<bool> bindQueue(const QString &queue, const QString &exchange, const QString &bindingKey,
                           const QVariantMap &arguments = {});

    // mandatory: the broker returns the message when no queue is bound for it; returns
    // arrive with the next nextDelivery()/waitForConfirms() and wait in takeReturned().
    Result<bool> publish(const QString &exchange, const QString &routingKey, const QByteArray &body,
                         const AmqpMessageProperties &properties = {}, bool mandatory = false);
    // basic.get with manual ack; nullopt when the queue is empty.
    Result<std::optional<AmqpMessage>> get(const QString &queue);
    // multiple: this delivery and every earlier unacknowledged one on the channel.
    Result<bool> ack(quint64 deliveryTag, bool multiple = false);
    Result<bool> reject(quint64 deliveryTag, bool requeue);
    // basic.nack; multiple: this delivery and every earlier unsettled one on the channel.
    Result<bool> nack(quint64 deliveryTag, bool multiple, bool requeue);

    // queue.declare passive: the queue's ready messages and consumers, or a NOT_FOUND error
    // (the broker closes the channel; it is reopened).
    struct QueueCounts
    {
        qint64 messages = 0; // ready, not counting unacknowledged deliveries
        qint64 consumers = 0;
    };
    Result<QueueCounts> inspectQueue(const QString &name);
    // The reply code of the last channel or connection close the broker sent (404 NOT_FOUND,
    // 406 PRECONDITION_FAILED, ...), 0 when none: lets callers type errors by cause.
    int lastCloseCode() const { return m_lastCloseCode; }

    // Consuming. basic.qos: at most `count` unacknowledged deliveries on the channel (0: no
    // limit). basic.consume returns the consumer tag (the broker's when `consumerTag` is
    // empty). Auto ack is what direct reply-to (amq.rabbitmq.reply-to) requires.
    enum class AckMode { Manual, Auto };
    Result<bool> setPrefetch(quint16 count);
    // arguments: e.g. x-stream-offset for streams, x-priority.
    Result<QString> consume(const QString &queue, AckMode ackMode, const QString &consumerTag = {},
                            const QVariantMap &arguments = {});
    Result<bool> cancel(const QString &consumerTag);
    // The next delivery to any consumer of this channel; nullopt when none arrived within
    // `timeout` (0: only what has arrived already). Confirms and returns that arrive
    // meanwhile are recorded. An error when the broker cancelled a consumer (its queue was
    // deleted) or closed the channel or the connection.
    Result<std::optional<AmqpMessage>> nextDelivery(std::chrono::milliseconds timeout);

    // Publisher confirms (confirm.select): from now on the broker acks or nacks each publish.
    Result<bool> selectConfirms();
    // Publishes and waits (up to the connection's timeout) for the broker's answer. Selects
    // confirm mode on first use. Returned is exact when this is the only unconfirmed message.
    Result<AmqpConfirm> publishConfirmed(const QString &exchange, const QString &routingKey,
                                         const QByteArray &body,
                                         const AmqpMessageProperties &properties = {},
                                         bool mandatory = false);
    // Waits until the broker confirmed every publish so far: true when all were acked and
    // none returned since the last wait, false otherwise; Timeout error after `timeout`.
    Result<bool> waitForConfirms(std::chrono::milliseconds timeout);
    qsizetype unconfirmedCount() const { return qsizetype(m_unconfirmed.size()); }

    // Pipelined publishing: the number the broker gives the last publish in confirm mode
    // (1, 2, ... per channel), and, once tracking is on, every publish's answer as it
    // arrives. A returned message's answer is an ack that follows its return.
    quint64 lastPublishSequence() const { return m_nextPublishSeq - 1; }
    struct Settlement
    {
        quint64 sequence = 0;
        bool acked = false;
    };
    void setTrackSettlements(bool on) { m_trackSettlements = on; }
    QList<Settlement> takeSettlements() { return std::exchange(m_settlements, {}); }
    // Waits up to `timeout` for the next thing from the broker: a delivery (then take it
    // with nextDelivery(0ms)), a confirm, a return. True when something arrived.
    Result<bool> poll(std::chrono::milliseconds timeout);
    // For waiting on several connections at once: the socket, and whether rabbitmq-c holds
    // input already read from it (then the socket may stay quiet while frames wait).
    int socketFd() const { return m_sockfd.load(); }
    bool hasBufferedInput() const;
    // Mandatory messages the broker returned since the last call.
    QList<AmqpMessage> takeReturned();

    // The one call that is safe from another thread: shuts the socket down so whatever
    // the owning thread is blocked in returns with an error at once. For stopping workers;
    // the connection is useless afterwards. The owner must not destroy the connection
    // while another thread may call this.
    void interrupt();

private:
    AmqpConnection() = default;
    Result<amqp_socket_t *> newSocket();
    BrokerError openError(int status) const;
    BrokerError replyError(const amqp_rpc_reply_t &reply, const QString &what);
    Result<bool> checkReply(const QString &what);
    Result<bool> checkStatus(int status, const QString &what);
    bool reopenChannel();
    BrokerError connectionLost(int status, const QString &what);
    Result<bool> pump(std::chrono::steady_clock::time_point deadline);
    Result<bool> handleFrame();
    void settleConfirms(quint64 tag, bool multiple, bool acked);

    amqp_connection_state_t m_conn = nullptr;
    QString m_clusterName;
    AmqpEndpoint m_endpoint;
    std::chrono::milliseconds m_timeout {0};
    bool m_channelOpen = false;
    bool m_broken = false; // the socket is gone: skip the polite close
    std::atomic<int> m_sockfd {-1};

    std::deque<AmqpMessage> m_deliveries; // arrived while waiting for something else
    QList<AmqpMessage> m_returned;
    bool m_confirmMode = false;
    quint64 m_nextPublishSeq = 1;
    std::set<quint64> m_unconfirmed;
    std::set<quint64> m_nacked; // since the last waitForConfirms()
    int m_returnedSinceWait = 0;
    bool m_trackSettlements = false;
    QList<Settlement> m_settlements;
    int m_lastCloseCode = 0;
};

} // namespace veltrix
