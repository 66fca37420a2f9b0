#pragma once

#include "rabbitpolicy.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace veltrix {

// The retry and dead-letter settings the broker enforces on a queue.
enum class RetryKey {
    DeadLetterExchange,
    DeadLetterRoutingKey,
    DeadLetterStrategy,
    MessageTtl,
    DeliveryLimit,
    MaxLength,
    Overflow,
};
QList<RetryKey> allRetryKeys();
QString policyKeyName(RetryKey key); // "dead-letter-exchange", ...: the policy key, the CLI name
QString queueArgumentName(RetryKey key); // "x-dead-letter-exchange", ...
std::optional<RetryKey> retryKeyNamed(const QString &policyKey);

// One setting in force and where it comes from.
struct EffectiveSetting
{
    RetryKey key = RetryKey::DeadLetterExchange;
    QJsonValue value {QJsonValue::Undefined}; // Undefined: not set
    // "queue argument", "policy <name>", "operator policy <name>"; empty when not set.
    QString source;
    // Values that lost to it, e.g. "policy p: 60000 (the lower value applies)".
    QStringList overridden;
};

// What a queue runs with, per RetryKey, from its /api/queues/<vhost>/<name> entry and
// the vhost's policies and operator policies. RabbitMQ 3.10's rules: a queue argument
// beats a policy for dead-letter-exchange, -routing-key, -strategy and overflow; for
// message-ttl, delivery-limit and max-length the lowest of argument, policy and operator
// policy applies.
struct QueueRetrySettings
{
    QString vhost;
    QString queue;
    QString type; // "classic", "quorum", "stream"
    QString policy; // the policy in force, empty when none
    QString operatorPolicy;
    QJsonObject arguments; // the queue's own (x-...)
    QList<EffectiveSetting> settings; // one per RetryKey, in allRetryKeys() order

    const EffectiveSetting &setting(RetryKey key) const;
    // {"vhost","queue","type","policy","operator_policy","settings":{"<key>":{"value",
    //  "source","overridden":[...]}}}: veltrixctl retry get --json.
    QJsonObject toJson() const;
};

QueueRetrySettings resolveRetrySettings(const QJsonObject &queue,
                                        const QList<RabbitPolicy> &policies,
                                        const QList<RabbitPolicy> &operatorPolicies);

// A change to make: a value, or null/undefined to remove the key from the policy.
struct RetryChange
{
    RetryKey key = RetryKey::DeadLetterExchange;
    QJsonValue value;
    bool removes() const { return value.isNull() || value.isUndefined(); }
};

// What applying a set of changes to one queue means: the policy written (a new one or
// the one named), the settings in force before and after, and whether it is allowed.
struct RetryPolicyPlan
{
    QueueRetrySettings before;
    QueueRetrySettings after; // as the broker will resolve it once the policy is in place
    RabbitPolicy policy; // what is PUT
    std::optional<RabbitPolicy> replaced; // the same policy before the change, if it existed
    QStringList errors; // any error: not applied
    QStringList warnings; // shown with the diff; applying is still allowed

    bool ok() const { return errors.isEmpty(); }
    // Settings whose value or source changes: the diff shown before applying.
    QList<RetryKey> changedKeys() const;
    // Lines "key: before (source) -> after (source)" for the CLI and the GUI.
    QStringList diffLines() const;
    QJsonObject toJson() const; // {"policy", "changes":[{"key","before","after",...}], ...}
};

// Plans the changes on the queue described by `queue` (its /api/queues entry). Without
// `policyName` the console writes its own per-queue policy "veltrix-retry.<queue>" at a
// priority above every policy matching the queue, carrying over the keys of the policy
// it takes over from, so nothing else about the queue changes. With `policyName` that
// existing policy is edited instead (and must be the one in force for the queue).
RetryPolicyPlan planRetryPolicy(const QJsonObject &queue, const QList<RabbitPolicy> &policies,
                                const QList<RabbitPolicy> &operatorPolicies,
                                const QList<RetryChange> &changes, const QString &policyName = {});

// A value as an operator types it: whole numbers for message-ttl, delivery-limit and
// max-length (anything else stays text, and the plan says what is wrong), text otherwise.
QJsonValue retryValueFromText(RetryKey key, const QString &text);

// The name of the console's per-queue policy.
QString consolePolicyName(const QString &queue);

} // namespace veltrix
