#include "amqpconnection.h"

#include "amqptable.h"

#include <amqp_tcp_socket.h>

#include <sys/time.h>

namespace veltrix {

namespace {

using Kind = BrokerError::Kind;

timeval toTimeval(std::chrono::milliseconds timeout)
{
    timeval tv {};
    tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
    return tv;
}

amqp_bytes_t bytesOf(const QByteArray &data)
{
    return {static_cast<size_t>(data.size()), const_cast<char *>(data.constData())};
}

QString textOf(amqp_bytes_t bytes)
{
    return QString::fromUtf8(static_cast<const char *>(bytes.bytes),
                             static_cast<qsizetype>(bytes.len));
}

// Keeps the UTF-8 of each QString alive while rabbitmq-c reads the properties.
struct PropertiesBuffer
{
    explicit PropertiesBuffer(const AmqpMessageProperties &p)
        : contentType(p.contentType.toUtf8())
        , messageId(p.messageId.toUtf8())
        , correlationId(p.correlationId.toUtf8())
        , replyTo(p.replyTo.toUtf8())
        , headers(p.headers)
    {
        props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG;
        props.delivery_mode = static_cast<uint8_t>(p.deliveryMode);
        const auto set = [this](const QByteArray &value, amqp_bytes_t &field, amqp_flags_t flag) {
            if (!value.isEmpty()) {
                field = bytesOf(value);
                props._flags |= flag;
            }
        };
        set(contentType, props.content_type, AMQP_BASIC_CONTENT_TYPE_FLAG);
        set(messageId, props.message_id, AMQP_BASIC_MESSAGE_ID_FLAG);
        set(correlationId, props.correlation_id, AMQP_BASIC_CORRELATION_ID_FLAG);
        set(replyTo, props.reply_to, AMQP_BASIC_REPLY_TO_FLAG);
        if (p.priority >= 0) {
            props.priority = static_cast<uint8_t>(p.priority);
            props._flags |= AMQP_BASIC_PRIORITY_FLAG;
        }
        if (!p.headers.isEmpty()) {
            props.headers = headers.table();
            props._flags |= AMQP_BASIC_HEADERS_FLAG;
        }
    }
    QByteArray contentType, messageId, correlationId, replyTo;
    AmqpTableBuilder headers;
    amqp_basic_properties_t props {};
};

AmqpMessageProperties propertiesOf(const amqp_basic_properties_t &p)
{
    AmqpMessageProperties out;
    if (p._flags & AMQP_BASIC_CONTENT_TYPE_FLAG)
        out.contentType = textOf(p.content_type);
    if (p._flags & AMQP_BASIC_MESSAGE_ID_FLAG)
        out.messageId = textOf(p.message_id);
    if (p._flags & AMQP_BASIC_CORRELATION_ID_FLAG)
        out.correlationId = textOf(p.correlation_id);
    if (p._flags & AMQP_BASIC_REPLY_TO_FLAG)
        out.replyTo = textOf(p.reply_to);
    out.deliveryMode = (p._flags & AMQP_BASIC_DELIVERY_MODE_FLAG) ? p.delivery_mode : 1;
    if (p._flags & AMQP_BASIC_PRIORITY_FLAG)
        out.priority = p.priority;
    if (p._flags & AMQP_BASIC_HEADERS_FLAG)
        out.headers = amqpTableToVariantMap(p.headers);
    return out;
}

} // namespace

AmqpConnection::~AmqpConnection()
{
    if (!m_conn)
        return;
    if (m_channelOpen)
        amqp_channel_close(m_conn, 1, AMQP_REPLY_SUCCESS);
    amqp_connection_close(m_conn, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(m_conn);
}

Result<std::unique_ptr<AmqpConnection>> AmqpConnection::open(const QString &clusterName,
                                                             const AmqpEndpoint &endpoint,
                                                             std::chrono::milliseconds timeout)
{
    std::unique_ptr<AmqpConnection> c(new AmqpConnection);
    c->m_clusterName = clusterName;
    c->m_endpoint = endpoint;
    if (endpoint.tls)
        return BrokerError::make(
            Kind::Configuration,
            QStringLiteral("%1: amqps:// (TLS) is not supported yet").arg(clusterName),
            QStringLiteral("use amqp:// for now"));

    c->m_conn = amqp_new_connection();
    amqp_socket_t *socket = amqp_tcp_socket_new(c->m_conn); // owned by the connection
    if (!socket)
        return BrokerError::make(Kind::Other,
                                 QStringLiteral("%1: cannot create a socket").arg(clusterName));

    timeval tv = toTimeval(timeout);
    amqp_set_handshake_timeout(c->m_conn, &tv);
    amqp_set_rpc_timeout(c->m_conn, &tv);

    const QByteArray host = endpoint.host.toUtf8();
    const int status = amqp_socket_open_noblock(socket, host.constData(), endpoint.port, &tv);
    if (status != AMQP_STATUS_OK) {
        const QString where = QStringLiteral("%1:%2").arg(endpoint.host).arg(endpoint.port);
        const QString why = QString::fromUtf8(amqp_error_string2(status));
        if (status == AMQP_STATUS_TIMEOUT)
            return BrokerError::make(
                Kind::Timeout,
                QStringLiteral("%1: no answer from RabbitMQ at %2 within %3 ms")
                    .arg(clusterName, where)
                    .arg(timeout.count()),
                QStringLiteral("check the host, the port and firewalls"));
        return BrokerError::make(
            Kind::Unreachable,
            QStringLiteral("%1: cannot reach RabbitMQ at %2: %3").arg(clusterName, where, why),
            QStringLiteral("check the host and port in the AMQP URI and that the broker is "
                           "running"));
    }

    const QByteArray vhost = endpoint.vhost.toUtf8();
    const QByteArray user = endpoint.user.toUtf8();
    const QByteArray password = endpoint.password.toUtf8();
    const amqp_rpc_reply_t login
        = amqp_login(c->m_conn, vhost.constData(), 0, 131072, 0, AMQP_SASL_METHOD_PLAIN,
                     user.constData(), password.constData());
    if (login.reply_type != AMQP_RESPONSE_NORMAL)
        return c->replyError(login, QStringLiteral("login"));

    amqp_channel_open(c->m_conn, 1);
    if (auto ok = c->checkReply(QStringLiteral("opening a channel")); !ok)
        return ok.error();
    c->m_channelOpen = true;
    return c;
}

BrokerError AmqpConnection::replyError(const amqp_rpc_reply_t &reply, const QString &what)
{
    const QString prefix = QStringLiteral("%1: %2 failed").arg(m_clusterName, what);
    if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION) {
        const QString why = QString::fromUtf8(amqp_error_string2(reply.library_error));
        if (reply.library_error == AMQP_STATUS_TIMEOUT)
            return BrokerError::make(Kind::Timeout, prefix + QStringLiteral(": ") + why);
        // Brokers that do not announce authentication_failure_close just drop the socket.
        if (what == QLatin1String("login") && reply.library_error == AMQP_STATUS_CONNECTION_CLOSED)
            return BrokerError::make(Kind::AuthenticationFailed,
                                     prefix + QStringLiteral(": the broker closed the connection"),
                                     QStringLiteral("check the user name and password for %1")
                                         .arg(m_endpoint.display()));
        return BrokerError::make(Kind::Other, prefix + QStringLiteral(": ") + why);
    }
    if (reply.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION) {
        if (reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
            const auto *close = static_cast<amqp_connection_close_t *>(reply.reply.decoded);
            const QString text = textOf(close->reply_text);
            if (close->reply_code == AMQP_ACCESS_REFUSED)
                return BrokerError::make(
                    Kind::AuthenticationFailed,
                    QStringLiteral("%1: authentication failed for user \"%2\" (%3)")
                        .arg(m_clusterName, m_endpoint.user, text),
                    QStringLiteral("check the user name and password"));
            if (close->reply_code == AMQP_NOT_ALLOWED && text.contains(QLatin1String("vhost")))
                return BrokerError::make(
                    Kind::VhostMissing,
                    QStringLiteral("%1: virtual host \"%2\" is not available (%3)")
                        .arg(m_clusterName, m_endpoint.vhost, text),
                    QStringLiteral("check the vhost in the AMQP URI (\"/\" is written %2F) and "
                                   "the user's permissions"));
            return BrokerError::make(
                Kind::Protocol,
                prefix
                    + QStringLiteral(": connection closed by the broker: %1 %2")
                          .arg(close->reply_code)
                          .arg(text));
        }
        if (reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
            const auto *close = static_cast<amqp_channel_close_t *>(reply.reply.decoded);
            const QString text = textOf(close->reply_text);
            // The broker closed our channel: acknowledge and reopen it so the
            // connection stays usable for the next call.
            amqp_channel_close_ok_t closeOk {};
            amqp_send_method(m_conn, 1, AMQP_CHANNEL_CLOSE_OK_METHOD, &closeOk);
            amqp_channel_open(m_conn, 1);
            m_channelOpen = amqp_get_rpc_reply(m_conn).reply_type == AMQP_RESPONSE_NORMAL;
            const Kind kind
                = close->reply_code == AMQP_ACCESS_REFUSED ? Kind::AccessDenied : Kind::Protocol;
            return BrokerError::make(
                kind, prefix + QStringLiteral(": %1 %2").arg(close->reply_code).arg(text));
        }
    }
    return BrokerError::make(Kind::Other, prefix);
}

Result<bool> AmqpConnection::checkReply(const QString &what)
{
    const amqp_rpc_reply_t reply = amqp_get_rpc_reply(m_conn);
    if (reply.reply_type == AMQP_RESPONSE_NORMAL)
        return true;
    return replyError(reply, what);
}

Result<bool> AmqpConnection::checkStatus(int status, const QString &what)
{
    if (status == AMQP_STATUS_OK)
        return true;
    return BrokerError::make(
        Kind::Other,
        QStringLiteral("%1: %2 failed: %3")
            .arg(m_clusterName, what, QString::fromUtf8(amqp_error_string2(status))));
}

QString AmqpConnection::serverProperty(const char *key) const
{
    const amqp_table_t *props = amqp_get_server_properties(m_conn);
    if (!props)
        return {};
    const QVariant value = amqpTableToVariantMap(*props).value(QString::fromUtf8(key));
    return value.toString();
}

Result<bool> AmqpConnection::declareQueue(const QString &name, bool durable,
                                          const QVariantMap &arguments)
{
    const QByteArray queue = name.toUtf8();
    AmqpTableBuilder args(arguments);
    amqp_queue_declare(m_conn, 1, bytesOf(queue), 0, durable ? 1 : 0, 0, 0, args.table());
    return checkReply(QStringLiteral("declaring queue \"%1\"").arg(name));
}

Result<bool> AmqpConnection::deleteQueue(const QString &name)
{
    const QByteArray queue = name.toUtf8();
    amqp_queue_delete(m_conn, 1, bytesOf(queue), 0, 0);
    return checkReply(QStringLiteral("deleting queue \"%1\"").arg(name));
}

Result<bool> AmqpConnection::publish(const QString &exchange, const QString &routingKey,
                                     const QByteArray &body,
                                     const AmqpMessageProperties &properties)
{
    const QByteArray ex = exchange.toUtf8();
    const QByteArray key = routingKey.toUtf8();
    PropertiesBuffer props(properties);
    const int status = amqp_basic_publish(m_conn, 1, bytesOf(ex), bytesOf(key), 0, 0, &props.props,
                                          bytesOf(body));
    return checkStatus(status, QStringLiteral("publishing to exchange \"%1\"").arg(exchange));
}

Result<std::optional<AmqpMessage>> AmqpConnection::get(const QString &queue)
{
    const QByteArray name = queue.toUtf8();
    const amqp_rpc_reply_t reply = amqp_basic_get(m_conn, 1, bytesOf(name), 0 /* manual ack */);
    const QString what = QStringLiteral("reading from queue \"%1\"").arg(queue);
    if (reply.reply_type != AMQP_RESPONSE_NORMAL)
        return replyError(reply, what);
    if (reply.reply.id == AMQP_BASIC_GET_EMPTY_METHOD)
        return std::optional<AmqpMessage>();

    const auto *getOk = static_cast<amqp_basic_get_ok_t *>(reply.reply.decoded);
    AmqpMessage message;
    message.deliveryTag = getOk->delivery_tag;
    message.redelivered = getOk->redelivered != 0;
    message.exchange = textOf(getOk->exchange);
    message.routingKey = textOf(getOk->routing_key);
    message.messagesLeft = getOk->message_count;

    amqp_message_t raw {};
    const amqp_rpc_reply_t read = amqp_read_message(m_conn, 1, &raw, 0);
    if (read.reply_type != AMQP_RESPONSE_NORMAL)
        return replyError(read, what);
    message.body = QByteArray(static_cast<const char *>(raw.body.bytes),
                              static_cast<qsizetype>(raw.body.len));
    message.properties = propertiesOf(raw.properties);
    amqp_destroy_message(&raw);
    return std::optional<AmqpMessage>(std::move(message));
}

Result<bool> AmqpConnection::ack(quint64 deliveryTag)
{
    return checkStatus(amqp_basic_ack(m_conn, 1, deliveryTag, 0), QStringLiteral("ack"));
}

Result<bool> AmqpConnection::reject(quint64 deliveryTag, bool requeue)
{
    return checkStatus(amqp_basic_reject(m_conn, 1, deliveryTag, requeue ? 1 : 0),
                       QStringLiteral("reject"));
}

} // namespace veltrix
