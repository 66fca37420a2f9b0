#include "kafkahandle.h"

#include <cstring>

#include <QMutexLocker>
#include <QRegularExpression>

namespace veltrix {

namespace {

bool setProperty(rd_kafka_conf_t *conf, const QString &key, const QString &value, QString *error)
{
    char errstr[512];
    if (rd_kafka_conf_set(conf, key.toUtf8().constData(), value.toUtf8().constData(), errstr,
                          sizeof errstr)
        != RD_KAFKA_CONF_OK) {
        *error = QString::fromUtf8(errstr);
        return false;
    }
    return true;
}

} // namespace

KafkaHandle::~KafkaHandle()
{
    if (m_rk)
        rd_kafka_destroy_flags(m_rk, m_destroyFlags);
}

bool KafkaHandle::closeConsumer(std::chrono::milliseconds timeout)
{
    rd_kafka_queue_t *queue = rd_kafka_queue_new(m_rk);
    rd_kafka_error_t *error = rd_kafka_consumer_close_queue(m_rk, queue);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!error && !rd_kafka_consumer_closed(m_rk)
           && std::chrono::steady_clock::now() < deadline) {
        rd_kafka_event_t *event = rd_kafka_queue_poll(queue, 100);
        if (!event)
            continue;
        // Leaving the group revokes everything: give it up, as librdkafka asks here.
        if (rd_kafka_event_type(event) == RD_KAFKA_EVENT_REBALANCE) {
            if (std::strcmp(rd_kafka_rebalance_protocol(m_rk), "COOPERATIVE") == 0) {
                if (rd_kafka_error_t *unassign = rd_kafka_incremental_unassign(
                        m_rk, rd_kafka_event_topic_partition_list(event)))
                    rd_kafka_error_destroy(unassign);
            } else {
                rd_kafka_assign(m_rk, nullptr);
            }
        }
        rd_kafka_event_destroy(event);
    }
    const bool closed = !error && rd_kafka_consumer_closed(m_rk);
    if (error)
        rd_kafka_error_destroy(error);
    rd_kafka_queue_destroy(queue);
    if (!closed)
        m_destroyFlags = RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE;
    return closed;
}

Result<std::unique_ptr<KafkaHandle>>
KafkaHandle::create(const ClusterProfile &profile, rd_kafka_type_t type,
                    const QMap<QString, QString> &extraProperties, const ConfHook &configure)
{
    std::unique_ptr<KafkaHandle> handle(new KafkaHandle);
    handle->m_clusterName = profile.name;
    handle->m_bootstrap = profile.bootstrap;

    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    QMap<QString, QString> properties = {
        {QStringLiteral("bootstrap.servers"), profile.bootstrap},
        {QStringLiteral("client.id"), QStringLiteral("veltrix-console")},
        // Fail a dead bootstrap quickly instead of librdkafka's 1 s..10 s backoff ladder.
        {QStringLiteral("reconnect.backoff.max.ms"), QStringLiteral("2000")},
        {QStringLiteral("socket.connection.setup.timeout.ms"), QStringLiteral("5000")},
    };
    if (!profile.secretProblem.isEmpty()) {
        rd_kafka_conf_destroy(conf);
        return BrokerError::make(BrokerError::Kind::Configuration, profile.secretProblem);
    }
    for (auto it = profile.properties.cbegin(); it != profile.properties.cend(); ++it)
        properties.insert(it.key(), it.value());
    const QMap<QString, QString> security = securityProperties(profile);
    for (auto it = security.cbegin(); it != security.cend(); ++it)
        properties.insert(it.key(), it.value());
    for (auto it = extraProperties.cbegin(); it != extraProperties.cend(); ++it)
        properties.insert(it.key(), it.value());

    for (auto it = properties.cbegin(); it != properties.cend(); ++it) {
        QString error;
        if (!setProperty(conf, it.key(), it.value(), &error)) {
            rd_kafka_conf_destroy(conf);
            return BrokerError::make(
                BrokerError::Kind::Configuration,
                QStringLiteral("%1: Kafka property \"%2\" rejected: %3")
                    .arg(profile.name, it.key(), error),
                QStringLiteral("fix or remove it in the profile's \"properties\""));
        }
    }
    rd_kafka_conf_set_opaque(conf, handle.get());
    rd_kafka_conf_set_error_cb(conf, &KafkaHandle::onError);
    rd_kafka_conf_set_log_cb(conf, &KafkaHandle::onLog);
    if (configure)
        configure(conf);

    char errstr[512];
    handle->m_rk = rd_kafka_new(type, conf, errstr, sizeof errstr); // takes conf on success
    if (!handle->m_rk) {
        rd_kafka_conf_destroy(conf);
        return BrokerError::make(BrokerError::Kind::Configuration,
                                 QStringLiteral("%1: cannot create Kafka client: %2")
                                     .arg(profile.name, QString::fromUtf8(errstr)));
    }
    return handle;
}

QMap<QString, QString> KafkaHandle::securityProperties(const ClusterProfile &profile)
{
    QMap<QString, QString> out;
    const TlsSettings &tls = profile.tls;
    if (!tls.caFile.isEmpty())
        out.insert(QStringLiteral("ssl.ca.location"), tls.caFile);
    if (!tls.certFile.isEmpty()) {
        out.insert(QStringLiteral("ssl.certificate.location"), tls.certFile);
        out.insert(QStringLiteral("ssl.key.location"), tls.keyFile);
    }
    if (!tls.verify) {
        out.insert(QStringLiteral("enable.ssl.certificate.verification"), QStringLiteral("false"));
        out.insert(QStringLiteral("ssl.endpoint.identification.algorithm"), QStringLiteral("none"));
    } // else librdkafka 2.0's defaults verify both the chain and the host name
    // A "tls" object means TLS: unless the properties chose SASL over TLS already.
    const QString protocol
        = profile.properties.value(QStringLiteral("security.protocol")).toLower();
    if (!tls.isDefault() && protocol.isEmpty())
        out.insert(QStringLiteral("security.protocol"), QStringLiteral("ssl"));
    if (!profile.password.isEmpty())
        out.insert(QStringLiteral("sasl.password"), profile.password);
    if (!profile.keyPassphrase.isEmpty())
        out.insert(QStringLiteral("ssl.key.password"), profile.keyPassphrase);
    return out;
}

void KafkaHandle::onError(rd_kafka_t *, int err, const char *reason, void *opaque)
{
    // "n/n brokers are down" says nothing the per-broker error did not say better.
    if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
        return;
    static_cast<KafkaHandle *>(opaque)->rememberTransportError(QString::fromUtf8(reason));
}

void KafkaHandle::onLog(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    // Called on librdkafka's threads; we keep connection failures and drop the rest,
    // so nothing lands on the operator's terminal unasked.
    constexpr int LogWarning = 4;
    if (level > LogWarning || qstrcmp(fac, "FAIL") != 0)
        return;
    auto *handle = static_cast<KafkaHandle *>(rd_kafka_opaque(rk));
    if (handle)
        handle->rememberTransportError(QString::fromUtf8(buf));
}

void KafkaHandle::rememberTransportError(const QString &text)
{
    QMutexLocker lock(&m_mutex);
    m_lastTransportError = tidyTransportError(text);
}

QString tidyTransportError(const QString &text)
{
    // "host:9092/bootstrap: Connect to ipv4#… failed: Connection refused (after 0ms in
    // state CONNECT, 1 identical error(s) suppressed)": the broker is named by us already,
    // and the parenthesis is librdkafka's bookkeeping.
    static const QRegularExpression brokerPrefix(QStringLiteral("^\\S+/(bootstrap|\\d+): "));
    static const QRegularExpression bookkeeping(
        QStringLiteral("\\s*\\(after \\d+ms in state .*\\)$"));
    QString tidy = text;
    tidy.remove(brokerPrefix);
    tidy.remove(bookkeeping);
    return tidy;
}

QString KafkaHandle::lastTransportError() const
{
    QMutexLocker lock(&m_mutex);
    return m_lastTransportError;
}

BrokerError KafkaHandle::errorFor(rd_kafka_resp_err_t err, const QString &what) const
{
    rd_kafka_poll(m_rk, 0); // serves error_cb with what happened on the sockets
    return classifyKafkaTransportError(m_clusterName, m_bootstrap, lastTransportError(), err, what);
}

BrokerError classifyKafkaTransportError(const QString &clusterName, const QString &bootstrap,
                                        const QString &transportError, rd_kafka_resp_err_t err,
                                        const QString &what)
{
    using Kind = BrokerError::Kind;
    const QString code = QString::fromUtf8(rd_kafka_err2str(err));
    const QString detail = transportError.isEmpty() ? code : transportError;
    const QString prefix = QStringLiteral("%1: %2 failed: ").arg(clusterName, what);

    // A listener that does not speak SASL is not a wrong password.
    if (transportError.contains(QLatin1String("SASL"), Qt::CaseInsensitive)
        && transportError.contains(QLatin1String("not supported by broker"), Qt::CaseInsensitive))
        return BrokerError::make(
            Kind::Unsupported, prefix + detail,
            QStringLiteral("this listener does not take SASL: check security.protocol and that "
                           "the bootstrap servers are the brokers' SASL port"));
    if (transportError.contains(QLatin1String("SASL"), Qt::CaseInsensitive)
        || err == RD_KAFKA_RESP_ERR__AUTHENTICATION
        || err == RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED)
        return BrokerError::make(
            Kind::AuthenticationFailed, prefix + detail,
            QStringLiteral("check the SASL mechanism, user name and password"));
    if (transportError.contains(QLatin1String("mismatch"), Qt::CaseInsensitive))
        return BrokerError::make(
            Kind::TlsFailed, prefix + QStringLiteral("TLS: name mismatch (%1)").arg(detail),
            QStringLiteral("connect by a name the broker's certificate lists"));
    if (transportError.contains(QLatin1String("certificate verify failed"), Qt::CaseInsensitive))
        return BrokerError::make(
            Kind::TlsFailed,
            prefix
                + QStringLiteral("TLS: the broker's certificate is not trusted (%1)").arg(detail),
            QStringLiteral("name the CA that signed it in \"tls\".\"ca_file\""));
    if (transportError.contains(QLatin1String("SSL"), Qt::CaseInsensitive)
        || err == RD_KAFKA_RESP_ERR__SSL)
        return BrokerError::make(
            Kind::TlsFailed, prefix + detail,
            QStringLiteral("check the profile's \"tls\" (ca_file) and that the bootstrap "
                           "servers are the brokers' TLS listener"));
    if (transportError.contains(QLatin1String("Connection refused"))
        || transportError.contains(QLatin1String("resolve"))
        || transportError.contains(QLatin1String("Name or service not known"))
        || err == RD_KAFKA_RESP_ERR__TRANSPORT || err == RD_KAFKA_RESP_ERR__RESOLVE)
        return BrokerError::make(
            Kind::Unreachable,
            QStringLiteral("%1: cannot reach Kafka at %2: %3").arg(clusterName, bootstrap, detail),
            QStringLiteral("check the bootstrap servers and that the brokers are running"));
    if (err == RD_KAFKA_RESP_ERR__TIMED_OUT)
        return BrokerError::make(
            Kind::Timeout,
            QStringLiteral("%1: no answer from Kafka at %2 in time (%3)")
                .arg(clusterName, bootstrap, detail),
            QStringLiteral("check the bootstrap servers, firewalls and the brokers' advertised "
                           "listeners"));
    if (err == RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE)
        return BrokerError::make(Kind::Unsupported, prefix + detail);
    return BrokerError::make(Kind::Other, prefix + detail);
}

Result<bool> commitOffsetsWithoutJoining(const ClusterProfile &profile, const QString &group,
                                         const rd_kafka_topic_partition_list_t *offsets)
{
    auto handle
        = KafkaHandle::create(profile, RD_KAFKA_CONSUMER,
                              {{QStringLiteral("group.id"), group},
                               {QStringLiteral("enable.auto.commit"), QStringLiteral("false")}});
    if (!handle)
        return handle.error();
    const rd_kafka_resp_err_t err = rd_kafka_commit(handle.value()->get(), offsets, 0 /* sync */);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        return handle.value()->errorFor(err,
                                        QStringLiteral("committing offsets for %1").arg(group));
    return true;
}

} // namespace veltrix
