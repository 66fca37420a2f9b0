#pragma once

#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace veltrix {

// The console's own producer when it redrives Kafka dead letters (profile field
// "redrive_producer"; Kafka only). The defaults are the safe ones: idempotent, acks=all,
// retried for as long as the run allows. Other combinations are allowed with a warning
// that says what they risk; the ones librdkafka refuses are errors.
struct RedriveProducerSettings
{
    QString acks = QStringLiteral("all"); // "all" (= "-1"), "1", "0"
    bool idempotence = true;
    int maxInFlight = 5; // max.in.flight.requests.per.connection
    int retries = 2147483647;
    int retryBackoffMs = 100;
    std::optional<int> deliveryTimeoutMs; // unset: the run's --retry-for

    bool operator==(const RedriveProducerSettings &) const = default;
    bool isDefault() const { return *this == RedriveProducerSettings {}; }
    // Combinations librdkafka refuses, in words.
    QStringList errors() const;
    // What a combination risks: lost or reordered or duplicated messages.
    QStringList warnings() const;
    // librdkafka properties ("acks", "enable.idempotence", …).
    QMap<QString, QString> properties() const;
};

} // namespace veltrix
