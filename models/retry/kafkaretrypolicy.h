#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace veltrix {

// A Kafka consumer group's retry policy as the console publishes it: one JSON record per
// version, keyed by the group id, in a compacted topic (default "veltrix.retry-policies")
// that any service can read. Kafka does not enforce it; the consumers do (the demo's
// workers follow it live). The JSON (schema 1):
//   {"schema": 1, "group": "payment-service", "max_attempts": 3,
//    "initial_backoff_ms": 200, "multiplier": 2.0, "max_backoff_ms": 10000,
//    "jitter": 0.1, "retry_topics": ["orders-retry-0"], "dlt": "payments-dlt",
//    "updated_at": "2026-12-07T10:00:00.000Z", "updated_by": "alice"}
// A record with a null value (a tombstone) removes the group's policy.
struct KafkaRetryPolicy
{
    static constexpr int Schema = 1;
    static inline const QString DefaultTopic = QStringLiteral("veltrix.retry-policies");

    QString group;
    int maxAttempts = 3; // deliveries in all, the first included
    qint64 initialBackoffMs = 1000;
    double multiplier = 2.0;
    qint64 maxBackoffMs = 30000;
    double jitter = 0.0; // 0..1: each backoff is drawn from ±jitter of its value
    QStringList retryTopics; // empty: retried in place (blocking)
    QString dlt;
    QDateTime updatedAt; // UTC
    QString updatedBy;

    // The wait before attempt `attempt` (2 = the first retry), without jitter.
    qint64 backoffBeforeAttempt(int attempt) const;
    // Every rule a consumer relies on, in words; empty when the policy is usable.
    QStringList problems() const;
    QJsonObject toJson() const;
    QByteArray toRecordValue() const; // compact JSON
    // The settings only (not who or when), for diffs and "is it the same".
    bool sameSettings(const KafkaRetryPolicy &other) const;
};

// Reads one record value. An error says what is wrong (not JSON, another schema, a
// missing or mistyped field); the group comes from the record's key when the JSON has
// none.
Result<KafkaRetryPolicy> parseKafkaRetryPolicy(const QByteArray &value, const QString &key);

// One version of a policy as the topic holds it.
struct KafkaRetryPolicyVersion
{
    QString group; // the record's key
    qint32 partition = 0;
    qint64 offset = -1;
    std::optional<KafkaRetryPolicy> policy; // nullopt: removed (a tombstone) or unreadable
    QString problem; // unreadable: why
    bool removed() const { return !policy && problem.isEmpty(); }
};

// The policy in force after these versions of one group (oldest first): the latest
// readable one — a tombstone removes it, an unreadable record does not replace it.
std::optional<KafkaRetryPolicy> policyInForce(const QList<KafkaRetryPolicyVersion> &versions);

// The lines "max_attempts: 5 → 1" between two versions (either may be absent).
QStringList kafkaRetryPolicyDiff(const std::optional<KafkaRetryPolicy> &before,
                                 const std::optional<KafkaRetryPolicy> &after);

} // namespace veltrix
