#include "amqpconnection.h"

#include "amqptable.h"
#include "core/tlslibrarylifetime.h"

#include <amqp_ssl_socket.h>
#include <amqp_tcp_socket.h>

#include <QFile>

#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>

namespace veltrix {

namespace {

using Kind = BrokerError::Kind;
using namespace std::chrono_literals;

timeval toTimeval(std::chrono::milliseconds timeout)
{
    timeval tv {};
    tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
    return tv;
}

std::chrono::milliseconds remaining(std::chrono::steady_clock::time_point deadline)
{
    using namespace std::chrono;
    return std::max(milliseconds(0), ceil<milliseconds>(deadline - steady_clock::now()));
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
        , expiration(p.expiration.toUtf8())
        , contentEncoding(p.contentEncoding.toUtf8())
        , type(p.type.toUtf8())
        , appId(p.appId.toUtf8())
        , userId(p.userId.toUtf8())
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
        set(expiration, props.expiration, AMQP_BASIC_EXPIRATION_FLAG);
        set(contentEncoding, props.content_encoding, AMQP_BASIC_CONTENT_ENCODING_FLAG);
        set(type, props.type, AMQP_BASIC_TYPE_FLAG);
        set(appId, props.app_id, AMQP_BASIC_APP_ID_FLAG);
        set(userId, props.user_id, AMQP_BASIC_USER_ID_FLAG);
        if (p.priority >= 0) {
            props.priority = static_cast<uint8_t>(p.priority);
            props._flags |= AMQP_BASIC_PRIORITY_FLAG;
        }
        if (p.timestamp > 0) {
            props.timestamp = static_cast<uint64_t>(p.timestamp);
            props._flags |= AMQP_BASIC_TIMESTAMP_FLAG;
        }
        if (!p.headers.isEmpty()) {
            props.headers = headers.table();
            props._flags |= AMQP_BASIC_HEADERS_FLAG;
        }
    }
    QByteArray contentType, messageId, correlationId, replyTo, expiration;
    QByteArray contentEncoding, type, appId, userId;
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
    if (p._flags & AMQP_BASIC_EXPIRATION_FLAG)
        out.expiration = textOf(p.expiration);
    out.deliveryMode = (p._flags & AMQP_BASIC_DELIVERY_MODE_FLAG) ? p.delivery_mode : 1;
    if (p._flags & AMQP_BASIC_PRIORITY_FLAG)
        out.priority = p.priority;
    if (p._flags & AMQP_BASIC_TIMESTAMP_FLAG)
        out.timestamp = static_cast<qint64>(p.timestamp);
    if (p._flags & AMQP_BASIC_HEADERS_FLAG)
        out.headers = amqpTableToVariantMap(p.headers);
    if (p._flags & AMQP_BASIC_CONTENT_ENCODING_FLAG)
        out.contentEncoding = textOf(p.content_encoding);
    if (p._flags & AMQP_BASIC_TYPE_FLAG)
        out.type = textOf(p.type);
    if (p._flags & AMQP_BASIC_APP_ID_FLAG)
        out.appId = textOf(p.app_id);
    if (p._flags & AMQP_BASIC_USER_ID_FLAG)
        out.userId = textOf(p.user_id);
    return out;
}

bool isSocketGone(int status)
{
    return status == AMQP_STATUS_CONNECTION_CLOSED || status == AMQP_STATUS_SOCKET_ERROR
        || status == AMQP_STATUS_SOCKET_CLOSED || status == AMQP_STATUS_HEARTBEAT_TIMEOUT;
}

QByteArray bodyOf(const amqp_message_t &message)
{
    return QByteArray(static_cast<const char *>(message.body.bytes),
                      static_cast<qsizetype>(message.body.len));
}

} // namespace

AmqpConnection::~AmqpConnection()
{
    if (!m_conn)
        return;
    if (!m_broken) {
        // The polite close takes milliseconds on a live broker; on a hung one it must not
        // hold up whoever is shutting down for two full timeouts.
        timeval tv = toTimeval(std::min<std::chrono::milliseconds>(m_timeout, 1s));
        amqp_set_rpc_timeout(m_conn, &tv);
        const bool channelClosed = !m_channelOpen
            || amqp_channel_close(m_conn, 1, AMQP_REPLY_SUCCESS).reply_type == AMQP_RESPONSE_NORMAL;
        if (channelClosed)
            amqp_connection_close(m_conn, AMQP_REPLY_SUCCESS);
    }
    amqp_destroy_connection(m_conn);
}

Result<std::unique_ptr<AmqpConnection>> AmqpConnection::open(const QString &clusterName,
                                                             const AmqpEndpoint &endpoint,
                                                             std::chrono::milliseconds timeout)
{
    std::unique_ptr<AmqpConnection> c(new AmqpConnection);
    c->m_clusterName = clusterName;
    c->m_endpoint = endpoint;
    c->m_timeout = timeout;
    c->m_conn = amqp_new_connection();
    Result<amqp_socket_t *> socket = c->newSocket(); // owned by the connection
    c->m_broken = true; // nothing to close politely until the socket is open
    if (!socket)
        return socket.error();

    timeval tv = toTimeval(timeout);
    amqp_set_handshake_timeout(c->m_conn, &tv);
    amqp_set_rpc_timeout(c->m_conn, &tv);

    const QByteArray host = endpoint.host.toUtf8();
    const int status
        = amqp_socket_open_noblock(socket.value(), host.constData(), endpoint.port, &tv);
    if (status != AMQP_STATUS_OK)
        return c->openError(status);
    c->m_broken = false;

    const QByteArray vhost = endpoint.vhost.toUtf8();
    const QByteArray user = endpoint.user.toUtf8();
    const QByteArray password = endpoint.password.toUtf8();
    // consumer_cancel_notify: without it the broker silently drops a consumer whose queue
    // is deleted, and nextDelivery() would wait forever. The name shows in the management
    // UI's connection list. rabbitmq-c merges these with its own capabilities.
    const AmqpTableBuilder clientProperties(
        {{QStringLiteral("connection_name"), QStringLiteral("Veltrix: %1").arg(clusterName)},
         {QStringLiteral("capabilities"),
          QVariantMap {{QStringLiteral("consumer_cancel_notify"), true}}}});
    const amqp_rpc_reply_t login = amqp_login_with_properties(
        c->m_conn, vhost.constData(), 0, 131072, 0, &clientProperties.table(),
        AMQP_SASL_METHOD_PLAIN, user.constData(), password.constData());
    if (login.reply_type != AMQP_RESPONSE_NORMAL)
        return c->replyError(login, QStringLiteral("login"));

    amqp_channel_open(c->m_conn, 1);
    if (auto ok = c->checkReply(QStringLiteral("opening a channel")); !ok)
        return ok.error();
    c->m_channelOpen = true;
    c->m_sockfd = amqp_socket_get_sockfd(socket.value());
    return c;
}

Result<amqp_socket_t *> AmqpConnection::newSocket()
{
    if (!m_endpoint.tls) {
        if (amqp_socket_t *socket = amqp_tcp_socket_new(m_conn))
            return socket;
        return BrokerError::make(Kind::Other,
                                 QStringLiteral("%1: cannot create a socket").arg(m_clusterName));
    }
    keepTlsLibraryUntilExit();
    amqp_socket_t *socket = amqp_ssl_socket_new(m_conn);
    if (!socket)
        return BrokerError::make(
            Kind::TlsFailed, QStringLiteral("%1: cannot set up TLS (OpenSSL)").arg(m_clusterName));
    const TlsSettings &tls = m_endpoint.tlsSettings;
    // Without a CA file the system's trust store decides, as for any TLS client.
    const QByteArray caFile = QFile::encodeName(
        tls.caFile.isEmpty() ? QStringLiteral("/etc/ssl/certs/ca-certificates.crt") : tls.caFile);
    if (amqp_ssl_socket_set_cacert(socket, caFile.constData()) != AMQP_STATUS_OK)
        return BrokerError::make(
            Kind::Configuration,
            QStringLiteral("%1: TLS: cannot read the CA file %2").arg(m_clusterName, tls.caFile),
            QStringLiteral("\"tls\".\"ca_file\" must name a readable PEM file"));
    if (!tls.certFile.isEmpty()) {
        // rabbitmq-c may keep the pointer until the key is read: it lives past set_key.
        const QByteArray passphrase = m_endpoint.keyPassphrase.toUtf8();
        if (!passphrase.isEmpty())
            amqp_ssl_socket_set_key_passwd(socket, passphrase.constData());
        const QByteArray cert = QFile::encodeName(tls.certFile);
        const QByteArray key = QFile::encodeName(tls.keyFile);
        if (amqp_ssl_socket_set_key(socket, cert.constData(), key.constData()) != AMQP_STATUS_OK)
            return BrokerError::make(
                Kind::Configuration,
                QStringLiteral("%1: TLS: cannot use the client certificate %2 with key %3")
                    .arg(m_clusterName, tls.certFile, tls.keyFile),
                QStringLiteral("both must be readable PEM files that belong together; an "
                               "encrypted key needs \"key_passphrase\""));
    }
    amqp_ssl_socket_set_verify_peer(socket, tls.verify ? 1 : 0);
    amqp_ssl_socket_set_verify_hostname(socket, tls.verify ? 1 : 0);
    return socket;
}

BrokerError AmqpConnection::openError(int status) const
{
    const QString where = QStringLiteral("%1:%2").arg(m_endpoint.host).arg(m_endpoint.port);
    const QString why = QString::fromUtf8(amqp_error_string2(status));
    switch (status) {
    case AMQP_STATUS_TIMEOUT:
        return BrokerError::make(Kind::Timeout,
                                 QStringLiteral("%1: no answer from RabbitMQ at %2 within %3 ms")
                                     .arg(m_clusterName, where)
                                     .arg(m_timeout.count()),
                                 QStringLiteral("check the host, the port and firewalls"));
    case AMQP_STATUS_SSL_PEER_VERIFY_FAILED:
        return BrokerError::make(
            Kind::TlsFailed,
            QStringLiteral("%1: TLS: the certificate of %2 is not trusted")
                .arg(m_clusterName, where),
            m_endpoint.tlsSettings.caFile.isEmpty()
                ? QStringLiteral("no CA in the system's trust store signed it; name its CA in "
                                 "\"tls\".\"ca_file\"")
                : QStringLiteral("%1 did not sign it; is it the broker's CA?")
                      .arg(m_endpoint.tlsSettings.caFile));
    case AMQP_STATUS_SSL_HOSTNAME_VERIFY_FAILED:
        return BrokerError::make(
            Kind::TlsFailed,
            QStringLiteral("%1: TLS: name mismatch: the certificate of %2 is not issued for \"%3\"")
                .arg(m_clusterName, where, m_endpoint.host),
            QStringLiteral("connect by a name the certificate lists (its subject alternative "
                           "names)"));
    case AMQP_STATUS_SSL_CONNECTION_FAILED:
    case AMQP_STATUS_SSL_ERROR:
        return BrokerError::make(
            Kind::TlsFailed,
            QStringLiteral("%1: TLS handshake with %2 failed: %3").arg(m_clusterName, where, why),
            QStringLiteral("is %1 the broker's TLS port (usually 5671)? Does it accept this "
                           "client certificate?")
                .arg(m_endpoint.port));
    default:
        break;
    }
    return BrokerError::make(
        Kind::Unreachable,
        QStringLiteral("%1: cannot reach RabbitMQ at %2: %3").arg(m_clusterName, where, why),
        QStringLiteral("check the host and port in the AMQP URI and that the broker is running"));
}

BrokerError AmqpConnection::replyError(const amqp_rpc_reply_t &reply, const QString &what)
{
    const QString prefix = QStringLiteral("%1: %2 failed").arg(m_clusterName, what);
    m_lastCloseCode = 0;
    if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION) {
        const QString why = QString::fromUtf8(amqp_error_string2(reply.library_error));
        // After a timed-out RPC rabbitmq-c's state is undefined, and a dead socket cannot
        // carry the polite close: the destructor just drops the connection.
        if (reply.library_error == AMQP_STATUS_TIMEOUT || isSocketGone(reply.library_error))
            m_broken = true;
        if (reply.library_error == AMQP_STATUS_TIMEOUT)
            return BrokerError::make(Kind::Timeout, prefix + QStringLiteral(": ") + why);
        // TLS 1.3 finishes the handshake before the server has judged our certificate: a
        // refused one shows up as a TLS error on the first read, i.e. during login.
        if (what == QLatin1String("login") && m_endpoint.tls
            && reply.library_error == AMQP_STATUS_SSL_ERROR)
            return BrokerError::make(
                Kind::TlsFailed,
                prefix + QStringLiteral(": the broker ended the TLS session (%1)").arg(why),
                m_endpoint.tlsSettings.certFile.isEmpty()
                    ? QStringLiteral(
                        "it may require a client certificate: set \"tls\".\"cert_file\" "
                        "and \"key_file\"")
                    : QStringLiteral("it does not accept the client certificate %1: is it "
                                     "signed by a CA the broker trusts?")
                          .arg(m_endpoint.tlsSettings.certFile));
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
            m_lastCloseCode = close->reply_code;
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
            m_lastCloseCode = close->reply_code;
            // The broker closed our channel: acknowledge and reopen it so the
            // connection stays usable for the next call.
            reopenChannel();
            const Kind kind
                = close->reply_code == AMQP_ACCESS_REFUSED ? Kind::AccessDenied : Kind::Protocol;
            return BrokerError::make(
                kind, prefix + QStringLiteral(": %1 %2").arg(close->reply_code).arg(text));
        }
    }
    return BrokerError::make(Kind::Other, prefix);
}

bool AmqpConnection::reopenChannel()
{
    amqp_channel_close_ok_t closeOk {};
    amqp_send_method(m_conn, 1, AMQP_CHANNEL_CLOSE_OK_METHOD, &closeOk);
    amqp_channel_open(m_conn, 1);
    m_channelOpen = amqp_get_rpc_reply(m_conn).reply_type == AMQP_RESPONSE_NORMAL;
    // A new channel has no consumers and is not in confirm mode; nothing in flight on the
    // old one will ever be confirmed, and its delivery tags mean nothing on the new one
    // (the broker requeued those messages).
    m_confirmMode = false;
    m_nextPublishSeq = 1;
    m_unconfirmed.clear();
    m_nacked.clear();
    m_settlements.clear();
    m_deliveries.clear();
    return m_channelOpen;
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
    if (isSocketGone(status))
        m_broken = true;
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

Result<QString> AmqpConnection::declareTemporaryQueue()
{
    amqp_queue_declare_ok_t *ok
        = amqp_queue_declare(m_conn, 1, amqp_empty_bytes, 0, 0, 1, 1, amqp_empty_table);
    if (auto checked = checkReply(QStringLiteral("declaring a temporary queue")); !checked)
        return checked.error();
    if (!ok)
        return BrokerError::make(BrokerError::Kind::Protocol,
                                 QStringLiteral("the broker named no temporary queue"));
    return QString::fromUtf8(static_cast<const char *>(ok->queue.bytes), qsizetype(ok->queue.len));
}

Result<bool> AmqpConnection::checkExchange(const QString &name)
{
    const QByteArray exchange = name.toUtf8();
    amqp_exchange_declare(m_conn, 1, bytesOf(exchange), amqp_cstring_bytes("direct"), 1, 0, 0, 0,
                          amqp_empty_table);
    return checkReply(QStringLiteral("looking up exchange \"%1\"").arg(name));
}

Result<bool> AmqpConnection::deleteQueue(const QString &name)
{
    const QByteArray queue = name.toUtf8();
    amqp_queue_delete(m_conn, 1, bytesOf(queue), 0, 0);
    return checkReply(QStringLiteral("deleting queue \"%1\"").arg(name));
}

Result<qint64> AmqpConnection::purgeQueue(const QString &name)
{
    const QByteArray queue = name.toUtf8();
    const amqp_queue_purge_ok_t *ok = amqp_queue_purge(m_conn, 1, bytesOf(queue));
    if (auto checked = checkReply(QStringLiteral("purging queue \"%1\"").arg(name)); !checked)
        return checked.error();
    return ok ? qint64(ok->message_count) : qint64(0);
}

Result<bool> AmqpConnection::publish(const QString &exchange, const QString &routingKey,
                                     const QByteArray &body,
                                     const AmqpMessageProperties &properties, bool mandatory)
{
    const QByteArray ex = exchange.toUtf8();
    const QByteArray key = routingKey.toUtf8();
    PropertiesBuffer props(properties);
    const int status = amqp_basic_publish(m_conn, 1, bytesOf(ex), bytesOf(key), mandatory ? 1 : 0,
                                          0, &props.props, bytesOf(body));
    auto ok = checkStatus(status, QStringLiteral("publishing to exchange \"%1\"").arg(exchange));
    // In confirm mode the broker numbers publishes 1, 2, ... per channel; its acks name them.
    if (ok && m_confirmMode)
        m_unconfirmed.insert(m_nextPublishSeq++);
    return ok;
}

Result<std::optional<AmqpMessage>> AmqpConnection::get(const QString &queue)
{
    // Frees what earlier replies decoded into the connection's pools (copied out by now);
    // without this a long-lived connection grows with every call.
    amqp_maybe_release_buffers(m_conn);
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
    message.body = bodyOf(raw);
    message.properties = propertiesOf(raw.properties);
    amqp_destroy_message(&raw);
    return std::optional<AmqpMessage>(std::move(message));
}

Result<bool> AmqpConnection::ack(quint64 deliveryTag, bool multiple)
{
    return checkStatus(amqp_basic_ack(m_conn, 1, deliveryTag, multiple ? 1 : 0),
                       QStringLiteral("ack"));
}

Result<bool> AmqpConnection::reject(quint64 deliveryTag, bool requeue)
{
    return checkStatus(amqp_basic_reject(m_conn, 1, deliveryTag, requeue ? 1 : 0),
                       QStringLiteral("reject"));
}

Result<bool> AmqpConnection::nack(quint64 deliveryTag, bool multiple, bool requeue)
{
    return checkStatus(amqp_basic_nack(m_conn, 1, deliveryTag, multiple ? 1 : 0, requeue ? 1 : 0),
                       QStringLiteral("nack"));
}

Result<AmqpConnection::QueueCounts> AmqpConnection::inspectQueue(const QString &name)
{
    const QByteArray queue = name.toUtf8();
    const amqp_queue_declare_ok_t *ok
        = amqp_queue_declare(m_conn, 1, bytesOf(queue), 1 /* passive */, 0, 0, 0, amqp_empty_table);
    if (!ok)
        return replyError(amqp_get_rpc_reply(m_conn),
                          QStringLiteral("looking up queue \"%1\"").arg(name));
    return QueueCounts {qint64(ok->message_count), qint64(ok->consumer_count)};
}

Result<bool> AmqpConnection::declareExchange(const QString &name, const QString &type, bool durable,
                                             const QVariantMap &arguments)
{
    const QByteArray exchange = name.toUtf8();
    const QByteArray kind = type.toUtf8();
    AmqpTableBuilder args(arguments);
    amqp_exchange_declare(m_conn, 1, bytesOf(exchange), bytesOf(kind), 0, durable ? 1 : 0, 0, 0,
                          args.table());
    return checkReply(QStringLiteral("declaring exchange \"%1\"").arg(name));
}

Result<bool> AmqpConnection::bindQueue(const QString &queue, const QString &exchange,
                                       const QString &bindingKey, const QVariantMap &arguments)
{
    const QByteArray q = queue.toUtf8();
    const QByteArray ex = exchange.toUtf8();
    const QByteArray key = bindingKey.toUtf8();
    AmqpTableBuilder args(arguments);
    amqp_queue_bind(m_conn, 1, bytesOf(q), bytesOf(ex), bytesOf(key), args.table());
    return checkReply(QStringLiteral("binding queue \"%1\" to exchange \"%2\" with key \"%3\"")
                          .arg(queue, exchange, bindingKey));
}

Result<bool> AmqpConnection::setPrefetch(quint16 count)
{
    amqp_basic_qos(m_conn, 1, 0, count, 0);
    return checkReply(QStringLiteral("setting the prefetch count"));
}

Result<QString> AmqpConnection::consume(const QString &queue, AckMode ackMode,
                                        const QString &consumerTag, const QVariantMap &arguments)
{
    const QByteArray q = queue.toUtf8();
    const QByteArray tag = consumerTag.toUtf8();
    AmqpTableBuilder args(arguments);
    const amqp_basic_consume_ok_t *ok = amqp_basic_consume(
        m_conn, 1, bytesOf(q), bytesOf(tag), 0, ackMode == AckMode::Auto ? 1 : 0, 0, args.table());
    if (!ok)
        return replyError(amqp_get_rpc_reply(m_conn),
                          QStringLiteral("consuming from queue \"%1\"").arg(queue));
    return textOf(ok->consumer_tag);
}

Result<bool> AmqpConnection::cancel(const QString &consumerTag)
{
    const QByteArray tag = consumerTag.toUtf8();
    amqp_basic_cancel(m_conn, 1, bytesOf(tag));
    return checkReply(QStringLiteral("cancelling consumer \"%1\"").arg(consumerTag));
}

Result<std::optional<AmqpMessage>> AmqpConnection::nextDelivery(std::chrono::milliseconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (m_deliveries.empty()) {
        auto arrived = pump(deadline);
        if (!arrived)
            return arrived.error();
        if (!arrived.value())
            return std::optional<AmqpMessage>();
    }
    std::optional<AmqpMessage> message(std::move(m_deliveries.front()));
    m_deliveries.pop_front();
    return message;
}

Result<bool> AmqpConnection::poll(std::chrono::milliseconds timeout)
{
    // Reads even when deliveries are waiting: a caller that is not taking deliveries now
    // (its window is full) waits for the confirms behind them.
    return pump(std::chrono::steady_clock::now() + timeout);
}

bool AmqpConnection::hasBufferedInput() const
{
    return !m_deliveries.empty() || amqp_frames_enqueued(m_conn) || amqp_data_in_buffer(m_conn);
}

BrokerError AmqpConnection::connectionLost(int status, const QString &what)
{
    m_broken = true;
    m_channelOpen = false;
    return BrokerError::make(
        Kind::Unreachable,
        QStringLiteral("%1: %2 failed: the connection to %3 was lost (%4)")
            .arg(m_clusterName, what, m_endpoint.display(),
                 QString::fromUtf8(amqp_error_string2(status))),
        QStringLiteral("the broker stopped or the network dropped; connect again"));
}

// Waits until the broker sends something or the deadline passes. True when something
// arrived (deliveries go to m_deliveries, confirms and returns are recorded), false when
// nothing did.
Result<bool> AmqpConnection::pump(std::chrono::steady_clock::time_point deadline)
{
    const QString what = QStringLiteral("waiting for the broker");
    if (m_broken)
        return connectionLost(AMQP_STATUS_SOCKET_CLOSED, what);
    amqp_maybe_release_buffers(m_conn);
    timeval tv = toTimeval(remaining(deadline));
    amqp_envelope_t envelope {};
    const amqp_rpc_reply_t reply = amqp_consume_message(m_conn, &envelope, &tv, 0);
    if (reply.reply_type == AMQP_RESPONSE_NORMAL) {
        AmqpMessage message;
        message.deliveryTag = envelope.delivery_tag;
        message.redelivered = envelope.redelivered != 0;
        message.exchange = textOf(envelope.exchange);
        message.routingKey = textOf(envelope.routing_key);
        message.consumerTag = textOf(envelope.consumer_tag);
        message.body = bodyOf(envelope.message);
        message.properties = propertiesOf(envelope.message.properties);
        amqp_destroy_envelope(&envelope);
        m_deliveries.push_back(std::move(message));
        return true;
    }
    if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION) {
        if (reply.library_error == AMQP_STATUS_TIMEOUT)
            return false;
        // Not a delivery: rabbitmq-c put the frame back for us to read.
        if (reply.library_error == AMQP_STATUS_UNEXPECTED_STATE)
            return handleFrame();
        return connectionLost(reply.library_error, what);
    }
    return replyError(reply, what);
}

Result<bool> AmqpConnection::handleFrame()
{
    const QString what = QStringLiteral("waiting for the broker");
    amqp_frame_t frame {};
    timeval tv = toTimeval(m_timeout);
    const int status = amqp_simple_wait_frame_noblock(m_conn, &frame, &tv);
    if (status != AMQP_STATUS_OK)
        return connectionLost(status, what);
    if (frame.frame_type != AMQP_FRAME_METHOD)
        return true; // a stray content frame of a message nobody waits for
    void *decoded = frame.payload.method.decoded;
    switch (frame.payload.method.id) {
    case AMQP_BASIC_ACK_METHOD: {
        const auto *ack = static_cast<const amqp_basic_ack_t *>(decoded);
        settleConfirms(ack->delivery_tag, ack->multiple != 0, true);
        return true;
    }
    case AMQP_BASIC_NACK_METHOD: {
        const auto *nack = static_cast<const amqp_basic_nack_t *>(decoded);
        settleConfirms(nack->delivery_tag, nack->multiple != 0, false);
        return true;
    }
    case AMQP_BASIC_RETURN_METHOD: {
        const auto *returned = static_cast<const amqp_basic_return_t *>(decoded);
        AmqpMessage message;
        message.replyCode = returned->reply_code;
        message.replyText = textOf(returned->reply_text);
        message.exchange = textOf(returned->exchange);
        message.routingKey = textOf(returned->routing_key);
        // The returned message's header and body frames follow the method at once.
        amqp_message_t raw {};
        const amqp_rpc_reply_t read = amqp_read_message(m_conn, frame.channel, &raw, 0);
        if (read.reply_type != AMQP_RESPONSE_NORMAL)
            return replyError(read, QStringLiteral("reading a returned message"));
        message.body = bodyOf(raw);
        message.properties = propertiesOf(raw.properties);
        amqp_destroy_message(&raw);
        m_returned.append(std::move(message));
        ++m_returnedSinceWait;
        return true;
    }
    case AMQP_BASIC_CANCEL_METHOD: {
        const auto *cancel = static_cast<const amqp_basic_cancel_t *>(decoded);
        return BrokerError::make(
            Kind::Protocol,
            QStringLiteral("%1: the broker cancelled consumer \"%2\"")
                .arg(m_clusterName, textOf(cancel->consumer_tag)),
            QStringLiteral("its queue was deleted or its node went down; consume again once "
                           "the queue is back"));
    }
    case AMQP_CHANNEL_CLOSE_METHOD:
    case AMQP_CONNECTION_CLOSE_METHOD: {
        amqp_rpc_reply_t reply {};
        reply.reply_type = AMQP_RESPONSE_SERVER_EXCEPTION;
        reply.reply = frame.payload.method;
        if (frame.payload.method.id == AMQP_CHANNEL_CLOSE_METHOD)
            return replyError(reply, what); // answers close-ok and reopens the channel
        BrokerError error = replyError(reply, what);
        amqp_connection_close_ok_t closeOk {};
        amqp_send_method(m_conn, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &closeOk);
        m_broken = true;
        m_channelOpen = false;
        return error;
    }
    default:
        return true; // e.g. connection.blocked: nothing for us to do
    }
}

void AmqpConnection::settleConfirms(quint64 tag, bool multiple, bool acked)
{
    const auto first = multiple ? m_unconfirmed.begin() : m_unconfirmed.find(tag);
    const auto last = multiple ? m_unconfirmed.upper_bound(tag)
                               : (first == m_unconfirmed.end() ? first : std::next(first));
    if (!acked)
        m_nacked.insert(first, last);
    if (m_trackSettlements)
        for (auto it = first; it != last; ++it)
            m_settlements.append({*it, acked});
    m_unconfirmed.erase(first, last);
}

Result<bool> AmqpConnection::selectConfirms()
{
    if (m_confirmMode)
        return true;
    amqp_confirm_select(m_conn, 1);
    if (auto ok = checkReply(QStringLiteral("selecting publisher confirms")); !ok)
        return ok;
    m_confirmMode = true;
    m_nextPublishSeq = 1;
    return true;
}

Result<AmqpConfirm> AmqpConnection::publishConfirmed(const QString &exchange,
                                                     const QString &routingKey,
                                                     const QByteArray &body,
                                                     const AmqpMessageProperties &properties,
                                                     bool mandatory)
{
    if (auto ok = selectConfirms(); !ok)
        return ok.error();
    const int returnedBefore = m_returnedSinceWait;
    if (auto ok = publish(exchange, routingKey, body, properties, mandatory); !ok)
        return ok.error();
    const quint64 seq = m_nextPublishSeq - 1;
    const auto deadline = std::chrono::steady_clock::now() + m_timeout;
    while (m_unconfirmed.count(seq)) {
        auto arrived = pump(deadline);
        if (!arrived)
            return arrived.error();
        if (!arrived.value())
            return BrokerError::make(
                Kind::Timeout,
                QStringLiteral("%1: the broker did not confirm a message to exchange \"%2\" "
                               "within %3 ms")
                    .arg(m_clusterName, exchange)
                    .arg(m_timeout.count()));
    }
    if (m_nacked.erase(seq))
        return AmqpConfirm::Nacked;
    if (m_returnedSinceWait > returnedBefore) {
        m_returnedSinceWait = returnedBefore; // reported here, not again by waitForConfirms()
        return AmqpConfirm::Returned;
    }
    return AmqpConfirm::Acked;
}

Result<bool> AmqpConnection::waitForConfirms(std::chrono::milliseconds timeout)
{
    if (!m_confirmMode)
        return BrokerError::make(
            Kind::Configuration,
            QStringLiteral("%1: waiting for confirms without confirm mode").arg(m_clusterName),
            QStringLiteral("call selectConfirms() before publishing"));
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!m_unconfirmed.empty()) {
        auto arrived = pump(deadline);
        if (!arrived)
            return arrived.error();
        if (!arrived.value())
            return BrokerError::make(
                Kind::Timeout,
                QStringLiteral("%1: the broker did not confirm %2 messages within %3 ms")
                    .arg(m_clusterName)
                    .arg(m_unconfirmed.size())
                    .arg(timeout.count()));
    }
    const bool allTaken = m_nacked.empty() && m_returnedSinceWait == 0;
    m_nacked.clear();
    m_returnedSinceWait = 0;
    return allTaken;
}

QList<AmqpMessage> AmqpConnection::takeReturned()
{
    return std::exchange(m_returned, {});
}

void AmqpConnection::interrupt()
{
    // shutdown(), not close(): the descriptor stays ours until the owner destroys the
    // connection, so it cannot be reused under rabbitmq-c's feet.
    const int fd = m_sockfd.load();
    if (fd >= 0)
        ::shutdown(fd, SHUT_RDWR);
}

} // namespace veltrix
