#pragma once

#include "amqpendpoint.h"
#include "core/result.h"

#include <amqp.h>

#include <QByteArray>
#include <QVariantMap>

#include <chrono>
#include <memory>
#include <optional>

namespace veltrix {

struct AmqpMessageProperties
{
    QString contentType;
    QString messageId;
    QString correlationId;
    QString replyTo;
    int deliveryMode = 2; // persistent unless asked otherwise
    int priority = -1; // -1: not set
    QVariantMap headers;
};

struct AmqpMessage
{
    QByteArray body;
    QString exchange;
    QString routingKey;
    quint64 deliveryTag = 0;
    bool redelivered = false;
    qint64 messagesLeft = 0; // as reported by basic.get-ok
    AmqpMessageProperties properties;
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
    Result<bool> deleteQueue(const QString &name);
    Result<bool> publish(const QString &exchange, const QString &routingKey, const QByteArray &body,
                         const AmqpMessageProperties &properties = {});
    // basic.get with manual ack; nullopt when the queue is empty.
    Result<std::optional<AmqpMessage>> get(const QString &queue);
    Result<bool> ack(quint64 deliveryTag);
    Result<bool> reject(quint64 deliveryTag, bool requeue);

private:
    AmqpConnection() = default;
    BrokerError replyError(const amqp_rpc_reply_t &reply, const QString &what);
    Result<bool> checkReply(const QString &what);
    Result<bool> checkStatus(int status, const QString &what);

    amqp_connection_state_t m_conn = nullptr;
    QString m_clusterName;
    AmqpEndpoint m_endpoint;
    bool m_channelOpen = false;
};

} // namespace veltrix
