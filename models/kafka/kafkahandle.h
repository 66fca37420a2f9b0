#pragma once

#include "core/clusterprofile.h"
#include "core/result.h"

#include <librdkafka/rdkafka.h>

#include <QMap>
#include <QMutex>
#include <QString>

#include <chrono>
#include <functional>
#include <memory>

namespace veltrix {

// Owns one rd_kafka_t built from a profile and remembers the last transport error
// librdkafka reported, because rd_kafka_metadata() itself only says "timed out".
class KafkaHandle
{
public:
    ~KafkaHandle();
    KafkaHandle(const KafkaHandle &) = delete;
    KafkaHandle &operator=(const KafkaHandle &) = delete;

    // extraProperties override the profile's (e.g. group.id for a consumer). configure
    // sets callbacks on the configuration last (e.g. a producer's delivery report
    // callback); it must leave the opaque alone, which is this handle.
    using ConfHook = std::function<void(rd_kafka_conf_t *)>;
    static Result<std::unique_ptr<KafkaHandle>>
    create(const ClusterProfile &profile, rd_kafka_type_t type,
           const QMap<QString, QString> &extraProperties = {}, const ConfHook &configure = {});

    // The librdkafka properties a profile's "tls" object and resolved secrets stand for.
    static QMap<QString, QString> securityProperties(const ClusterProfile &profile);

    rd_kafka_t *get() const { return m_rk; }
    const QString &clusterName() const { return m_clusterName; }

    // Turns a failed call into a BrokerError that says why, using what librdkafka
    // logged about the connection attempts.
    BrokerError errorFor(rd_kafka_resp_err_t err, const QString &what) const;

    QString lastTransportError() const;

    // A consumer's close (leave the group, final commits), bounded: librdkafka's own close
    // waits for ever when the group coordinator is gone. False when it did not finish in
    // time; the handle is then destroyed without closing again.
    bool closeConsumer(std::chrono::milliseconds timeout);

private:
    KafkaHandle() = default;
    static void onError(rd_kafka_t *rk, int err, const char *reason, void *opaque);
    static void onLog(const rd_kafka_t *rk, int level, const char *fac, const char *buf);
    void rememberTransportError(const QString &text);

    rd_kafka_t *m_rk = nullptr;
    int m_destroyFlags = 0;
    QString m_clusterName;
    QString m_bootstrap;
    mutable QMutex m_mutex;
    QString m_lastTransportError;
};

// Commits these offsets for a group without joining it: one synchronous OffsetCommit
// from a consumer that never subscribes. That is what "reset offsets" tools do and what
// a crashed consumer leaves behind, so the demo scenarios and the tests set lag up this way.
Result<bool> commitOffsetsWithoutJoining(const ClusterProfile &profile, const QString &group,
                                         const rd_kafka_topic_partition_list_t *offsets);

// Classifies librdkafka's words about a failed connection ("Connection refused",
// "SSL handshake failed", "SASL authentication error") into our error kinds.
// Strips librdkafka's broker prefix and bookkeeping suffix from a connection error.
QString tidyTransportError(const QString &text);

BrokerError classifyKafkaTransportError(const QString &clusterName, const QString &bootstrap,
                                        const QString &transportError, rd_kafka_resp_err_t err,
                                        const QString &what);

} // namespace veltrix
