#include "rabbitretrysettings.h"

#include <QJsonArray>
#include <QRegularExpression>

#include <algorithm>
#include <limits>

namespace veltrix {

using namespace Qt::StringLiterals;

namespace {

// For these the lowest of argument, policy and operator policy applies; for the others a
// queue argument beats the policy, and operator policies cannot set them.
bool lowestWins(RetryKey key)
{
    return key == RetryKey::MessageTtl || key == RetryKey::DeliveryLimit
        || key == RetryKey::MaxLength;
}

QString shown(const QJsonValue &value)
{
    if (value.isUndefined())
        return u"-"_s;
    if (value.isString())
        return value.toString().isEmpty() ? u"\"\" (default exchange)"_s
                                          : u"\""_s + value.toString() + u'"';
    if (value.isDouble())
        return QString::number(value.toInteger());
    return QString::fromUtf8(QJsonDocument(QJsonArray {value}).toJson(QJsonDocument::Compact))
        .mid(1)
        .chopped(1);
}

const RabbitPolicy *named(const QList<RabbitPolicy> &policies, const QString &name)
{
    for (const RabbitPolicy &policy : policies)
        if (policy.name == name)
            return &policy;
    return nullptr;
}

// The policy the broker says is in force, or (for a planned state) the one that would be.
const RabbitPolicy *inForce(const QJsonObject &queue, const QString &field,
                            const QList<RabbitPolicy> &policies)
{
    const QJsonValue said = queue.value(field);
    if (said.isString() && !said.toString().isEmpty())
        return named(policies, said.toString());
    if (said.isUndefined())
        return winningPolicy(policies, queue.value(u"name"_s).toString());
    return nullptr; // null or "": none
}

QString valueProblem(RetryKey key, const QJsonValue &value)
{
    if (value.isUndefined())
        return {};
    const QString name = policyKeyName(key);
    const auto nonNegativeInteger = [&] {
        return value.isDouble() && value.toDouble() >= 0
            && value.toDouble() == double(value.toInteger());
    };
    switch (key) {
    case RetryKey::DeadLetterExchange:
    case RetryKey::DeadLetterRoutingKey:
        return value.isString() ? QString() : name + u" must be a string"_s;
    case RetryKey::DeadLetterStrategy:
        return value == u"at-most-once"_s || value == u"at-least-once"_s
            ? QString()
            : name + u" must be \"at-most-once\" or \"at-least-once\", not "_s + shown(value);
    case RetryKey::Overflow:
        return value == u"drop-head"_s || value == u"reject-publish"_s
                || value == u"reject-publish-dlx"_s
            ? QString()
            : name + u" must be \"drop-head\", \"reject-publish\" or \"reject-publish-dlx\", not "_s
                + shown(value);
    case RetryKey::MessageTtl:
    case RetryKey::DeliveryLimit:
    case RetryKey::MaxLength:
        return nonNegativeInteger() ? QString()
                                    : name + u" must be a whole number ≥ 0, not "_s + shown(value);
    }
    return {};
}

} // namespace

QList<RetryKey> allRetryKeys()
{
    return {RetryKey::DeadLetterExchange,
            RetryKey::DeadLetterRoutingKey,
            RetryKey::DeadLetterStrategy,
            RetryKey::MessageTtl,
            RetryKey::DeliveryLimit,
            RetryKey::MaxLength,
            RetryKey::Overflow};
}

QString policyKeyName(RetryKey key)
{
    switch (key) {
    case RetryKey::DeadLetterExchange:
        return u"dead-letter-exchange"_s;
    case RetryKey::DeadLetterRoutingKey:
        return u"dead-letter-routing-key"_s;
    case RetryKey::DeadLetterStrategy:
        return u"dead-letter-strategy"_s;
    case RetryKey::MessageTtl:
        return u"message-ttl"_s;
    case RetryKey::DeliveryLimit:
        return u"delivery-limit"_s;
    case RetryKey::MaxLength:
        return u"max-length"_s;
    case RetryKey::Overflow:
        return u"overflow"_s;
    }
    return {};
}

QString queueArgumentName(RetryKey key)
{
    return u"x-"_s + policyKeyName(key);
}

std::optional<RetryKey> retryKeyNamed(const QString &policyKey)
{
    for (RetryKey key : allRetryKeys())
        if (policyKeyName(key) == policyKey)
            return key;
    return std::nullopt;
}

const EffectiveSetting &QueueRetrySettings::setting(RetryKey key) const
{
    return settings.at(allRetryKeys().indexOf(key));
}

QJsonObject QueueRetrySettings::toJson() const
{
    QJsonObject all;
    for (const EffectiveSetting &s : settings) {
        QJsonObject one {{u"value"_s, s.value.isUndefined() ? QJsonValue() : s.value},
                         {u"source"_s, s.source.isEmpty() ? QJsonValue() : s.source}};
        if (!s.overridden.isEmpty())
            one.insert(u"overridden"_s, QJsonArray::fromStringList(s.overridden));
        all.insert(policyKeyName(s.key), one);
    }
    return {{u"vhost"_s, vhost},
            {u"queue"_s, queue},
            {u"type"_s, type},
            {u"policy"_s, policy.isEmpty() ? QJsonValue() : policy},
            {u"operator_policy"_s, operatorPolicy.isEmpty() ? QJsonValue() : operatorPolicy},
            {u"settings"_s, all}};
}

QueueRetrySettings resolveRetrySettings(const QJsonObject &queue,
                                        const QList<RabbitPolicy> &policies,
                                        const QList<RabbitPolicy> &operatorPolicies)
{
    QueueRetrySettings out;
    out.vhost = queue.value(u"vhost"_s).toString();
    out.queue = queue.value(u"name"_s).toString();
    out.type = queue.value(u"type"_s).toString(u"classic"_s);
    out.arguments = queue.value(u"arguments"_s).toObject();
    const RabbitPolicy *policy = inForce(queue, u"policy"_s, policies);
    const RabbitPolicy *operatorPolicy = inForce(queue, u"operator_policy"_s, operatorPolicies);
    out.policy = policy ? policy->name : QString();
    out.operatorPolicy = operatorPolicy ? operatorPolicy->name : QString();
    for (RetryKey key : allRetryKeys()) {
        struct Candidate
        {
            QJsonValue value;
            QString source;
        };
        QList<Candidate> candidates;
        const QJsonValue argument = out.arguments.value(queueArgumentName(key));
        if (!argument.isUndefined())
            candidates.append({argument, u"queue argument"_s});
        if (policy && policy->definition.contains(policyKeyName(key)))
            candidates.append(
                {policy->definition.value(policyKeyName(key)), u"policy "_s + policy->name});
        if (operatorPolicy && lowestWins(key)
            && operatorPolicy->definition.contains(policyKeyName(key)))
            candidates.append({operatorPolicy->definition.value(policyKeyName(key)),
                               u"operator policy "_s + operatorPolicy->name});
        EffectiveSetting setting;
        setting.key = key;
        if (!candidates.isEmpty()) {
            qsizetype winner = 0; // the argument first: it wins unless the lowest does
            if (lowestWins(key))
                for (qsizetype i = 1; i < candidates.size(); ++i)
                    if (candidates[i].value.toDouble() < candidates[winner].value.toDouble())
                        winner = i;
            setting.value = candidates[winner].value;
            setting.source = candidates[winner].source;
            for (qsizetype i = 0; i < candidates.size(); ++i)
                if (i != winner)
                    setting.overridden.append(candidates[i].source + u": "_s
                                              + shown(candidates[i].value)
                                              + (lowestWins(key) ? u" (the lower value applies)"_s
                                                                 : u" (a queue argument wins)"_s));
        }
        out.settings.append(setting);
    }
    return out;
}

QJsonValue retryValueFromText(RetryKey key, const QString &text)
{
    if (!lowestWins(key))
        return text;
    bool ok = false;
    const qint64 number = text.trimmed().toLongLong(&ok);
    return ok ? QJsonValue(number) : QJsonValue(text);
}

QString consolePolicyName(const QString &queue)
{
    return u"veltrix-retry."_s + queue;
}

QList<RetryKey> RetryPolicyPlan::changedKeys() const
{
    QList<RetryKey> out;
    for (RetryKey key : allRetryKeys()) {
        const EffectiveSetting &was = before.setting(key);
        const EffectiveSetting &will = after.setting(key);
        if (was.value != will.value || was.source != will.source)
            out.append(key);
    }
    return out;
}

QStringList RetryPolicyPlan::diffLines() const
{
    QStringList lines;
    const auto side = [](const EffectiveSetting &s) {
        return s.source.isEmpty() ? u"not set"_s : shown(s.value) + u" ("_s + s.source + u')';
    };
    for (RetryKey key : changedKeys())
        lines << policyKeyName(key) + u": "_s + side(before.setting(key)) + u" → "_s
                + side(after.setting(key));
    return lines;
}

QJsonObject RetryPolicyPlan::toJson() const
{
    QJsonArray changes;
    for (RetryKey key : changedKeys()) {
        const auto side = [](const EffectiveSetting &s) {
            return QJsonObject {{u"value"_s, s.value.isUndefined() ? QJsonValue() : s.value},
                                {u"source"_s, s.source.isEmpty() ? QJsonValue() : s.source}};
        };
        changes.append(QJsonObject {{u"key"_s, policyKeyName(key)},
                                    {u"before"_s, side(before.setting(key))},
                                    {u"after"_s, side(after.setting(key))}});
    }
    QJsonObject written = policy.toApiBody();
    written.insert(u"name"_s, policy.name);
    written.insert(u"vhost"_s, policy.vhost);
    return {{u"vhost"_s, before.vhost},
            {u"queue"_s, before.queue},
            {u"policy"_s, written},
            {u"creates_policy"_s, !replaced.has_value()},
            {u"changes"_s, changes},
            {u"errors"_s, QJsonArray::fromStringList(errors)},
            {u"warnings"_s, QJsonArray::fromStringList(warnings)}};
}

RetryPolicyPlan planRetryPolicy(const QJsonObject &queue, const QList<RabbitPolicy> &policies,
                                const QList<RabbitPolicy> &operatorPolicies,
                                const QList<RetryChange> &changes, const QString &policyName)
{
    RetryPolicyPlan plan;
    plan.before = resolveRetrySettings(queue, policies, operatorPolicies);
    const QString &name = plan.before.queue;
    for (const RetryChange &change : changes)
        if (const QString problem
            = change.removes() ? QString() : valueProblem(change.key, change.value);
            !problem.isEmpty())
            plan.errors << problem;
    if (plan.before.type == u"stream")
        plan.errors << u"queue \"%1\" is a stream: streams neither dead-letter nor retry"_s.arg(
            name);

    int highestOther = std::numeric_limits<int>::min();
    const RabbitPolicy *current = winningPolicy(policies, name);
    const QString target = policyName.isEmpty() ? consolePolicyName(name) : policyName;
    for (const RabbitPolicy &p : policies)
        if (p.name != target && p.appliesToQueue(name))
            highestOther = std::max(highestOther, p.priority);

    if (const RabbitPolicy *existing = named(policies, target)) {
        plan.replaced = *existing;
        plan.policy = *existing;
    } else if (!policyName.isEmpty()) {
        plan.errors << u"vhost \"%1\" has no policy named \"%2\""_s.arg(plan.before.vhost,
                                                                        policyName);
        plan.policy.name = policyName;
    } else {
        plan.policy.vhost = plan.before.vhost;
        plan.policy.name = target;
        plan.policy.pattern = u'^' + QRegularExpression::escape(name) + u'$';
        plan.policy.applyTo = u"queues"_s;
        if (current) {
            plan.policy.definition = current->definition;
            QStringList carried = current->definition.keys();
            plan.warnings
                << u"queue \"%1\" is governed by policy \"%2\" (pattern %3, priority %4): "
                   "policy \"%5\" takes it over for this queue only, carrying over %6; "
                   "later changes to \"%2\" will not reach this queue"_s
                       .arg(name, current->name, current->pattern)
                       .arg(current->priority)
                       .arg(target,
                            carried.isEmpty() ? u"nothing"_s
                                              : u"its keys "_s + carried.join(u", "_s));
        }
    }
    if (policyName.isEmpty() && highestOther != std::numeric_limits<int>::min()
        && plan.policy.priority <= highestOther)
        plan.policy.priority = highestOther + 1; // only one policy applies: ours must win
    if (!policyName.isEmpty() && plan.replaced) {
        if (!plan.policy.appliesToQueue(name))
            plan.errors
                << u"policy \"%1\" (pattern %2, apply-to %3) does not apply to queue \"%4\""_s.arg(
                       policyName, plan.policy.pattern, plan.policy.applyTo, name);
        else if (current && current->name != policyName && current->priority > plan.policy.priority)
            plan.errors
                << u"policy \"%1\" would not apply to queue \"%2\": policy \"%3\" matches it "
                   "with a higher priority (%4 > %5)"_s.arg(policyName, name, current->name)
                       .arg(current->priority)
                       .arg(plan.policy.priority);
    }
    for (const RabbitPolicy &p : policies)
        if (p.name != plan.policy.name && p.appliesToQueue(name)
            && p.priority == plan.policy.priority)
            plan.warnings << u"policy \"%1\" matches queue \"%2\" with the same priority %3: "
                             "RabbitMQ picks one of them unpredictably"_s.arg(p.name, name)
                                 .arg(p.priority);

    for (const RetryChange &change : changes) {
        if (change.removes())
            plan.policy.definition.remove(policyKeyName(change.key));
        else
            plan.policy.definition.insert(policyKeyName(change.key), change.value);
    }
    if (plan.policy.definition.isEmpty())
        plan.errors << u"the policy would be left empty; delete policy \"%1\" instead"_s.arg(
            plan.policy.name);

    QList<RabbitPolicy> afterPolicies;
    for (const RabbitPolicy &p : policies)
        if (p.name != plan.policy.name)
            afterPolicies.append(p);
    afterPolicies.append(plan.policy);
    QJsonObject planned = queue;
    planned.remove(u"policy"_s); // the broker will choose again among the new set
    plan.after = resolveRetrySettings(planned, afterPolicies, operatorPolicies);

    const QString ours = u"policy "_s + plan.policy.name;
    const bool quorum = plan.before.type == u"quorum";
    for (const RetryChange &change : changes) {
        const EffectiveSetting &result = plan.after.setting(change.key);
        const QString key = policyKeyName(change.key);
        if (change.key == RetryKey::DeliveryLimit && !quorum && !change.removes())
            plan.errors << u"delivery-limit has no effect on %1 queue \"%2\": only quorum queues "
                           "count deliveries"_s.arg(plan.before.type, name);
        if (change.removes() || result.source == ours)
            continue;
        if (lowestWins(change.key))
            plan.warnings << u"%1: %2 = %3 is lower and stays in force"_s.arg(key, result.source,
                                                                              shown(result.value));
        else
            plan.errors << u"%1: the queue argument %2 = %3 wins over any policy, so this change "
                           "would have no effect (only re-declaring the queue changes it)"_s.arg(
                               key, queueArgumentName(change.key), shown(result.value));
    }
    const QJsonValue strategy = plan.after.setting(RetryKey::DeadLetterStrategy).value;
    if (strategy == u"at-least-once"_s) {
        if (!quorum)
            plan.errors
                << u"dead-letter-strategy at-least-once needs a quorum queue; \"%1\" is %2"_s.arg(
                       name, plan.before.type);
        else if (plan.after.setting(RetryKey::Overflow).value != u"reject-publish"_s)
            plan.errors << u"dead-letter-strategy at-least-once needs overflow reject-publish on "
                           "\"%1\" (RabbitMQ falls back to at-most-once otherwise)"_s.arg(name);
    }
    if (quorum && plan.after.setting(RetryKey::Overflow).value == u"reject-publish-dlx"_s)
        plan.errors << u"overflow reject-publish-dlx is not supported by quorum queues"_s;
    if (plan.after.setting(RetryKey::DeadLetterExchange).value.isUndefined()
        && !plan.after.setting(RetryKey::DeadLetterRoutingKey).value.isUndefined())
        plan.warnings << u"dead-letter-routing-key without a dead-letter-exchange: messages "
                         "are dropped, not dead-lettered"_s;
    return plan;
}

} // namespace veltrix
