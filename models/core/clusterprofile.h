#pragma once

#include "connectionsecurity.h"
#include "lagsettings.h"
#include "probesettings.h"
#include "redriveproducersettings.h"

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace veltrix {

enum class ClusterKind { Kafka, RabbitMq };

QString clusterKindName(ClusterKind kind); // "kafka" / "rabbitmq", as in the profiles file

// One entry of the profiles file: how to reach one cluster. A plain value, copied
// freely into worker threads.
struct ClusterProfile
{
    QString name;
    ClusterKind kind = ClusterKind::Kafka;
    bool readOnly = false;
    // "dead_letter_patterns": globs naming DLQ topics / queues; replaces the defaults
    // (defaultDeadLetterPatterns) when set.
    std::optional<QStringList> deadLetterPatterns;
    QStringList effectiveDeadLetterPatterns() const;
    ProbeSettings probe; // "probe": {"enabled", "topic" (Kafka), "rate", "deadline_s"}
    // Kafka: "redrive_producer": {"acks", "enable.idempotence",
    // "max.in.flight.requests.per.connection", "retries", "retry.backoff.ms",
    // "delivery.timeout.ms"}
    RedriveProducerSettings redriveProducer;
    TlsSettings tls; // "tls": {"ca_file", "cert_file", "key_file", "verify"}
    // "password" / "key_passphrase": {"from": "keychain"|"env"|"prompt", "name": VAR}
    SecretSource passwordSource;
    SecretSource keyPassphraseSource;
    MaskingRules masking; // "masking": {"defaults", "headers", "json_paths", "patterns"}

    // Resolved secrets: filled in memory by SecretResolver from the sources above, never
    // written to the profiles file, never printed. Empty: the URI's / properties' own.
    QString password;
    QString keyPassphrase;
    // Why a named secret could not be had ("the password comes from SHOP_PW, which is not
    // set"): every connection of this profile fails with it, the others go on.
    QString secretProblem;
    bool secretsResolved() const;

    // Kafka
    QString bootstrap; // "host:port,host:port"
    QMap<QString, QString> properties; // passed to librdkafka as they are
    QStringList groups; // consumer groups to watch when the broker cannot list them
    LagSettings lag; // "lag": {"interval_s", "window_s"}

    // RabbitMQ
    QString amqpUri; // amqp://user[:password]@host:port/vhost
    QString managementUrl; // http://host:15672

    bool operator==(const ClusterProfile &) const = default;
};

} // namespace veltrix
