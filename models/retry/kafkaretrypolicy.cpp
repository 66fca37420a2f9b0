#include "kafkaretrypolicy.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>

namespace veltrix {

using namespace Qt::StringLiterals;

qint64 KafkaRetryPolicy::backoffBeforeAttempt(int attempt) const
{
    if (attempt < 2)
        return 0;
    const double raw = double(initialBackoffMs) * std::pow(multiplier, attempt - 2);
    return qint64(std::min(raw, double(maxBackoffMs)));
}

QStringList KafkaRetryPolicy::problems() const
{
    QStringList out;
    if (group.isEmpty())
        out << u"the policy names no consumer group"_s;
    if (maxAttempts < 1 || maxAttempts > 1000)
        out << u"max_attempts must be 1 to 1000, not %1"_s.arg(maxAttempts);
    if (initialBackoffMs < 0 || initialBackoffMs > 24LL * 3600 * 1000)
        out << u"initial_backoff_ms must be 0 to 86400000, not %1"_s.arg(initialBackoffMs);
    if (!(multiplier >= 1.0 && multiplier <= 100.0))
        out << u"multiplier must be 1 to 100, not %1"_s.arg(multiplier);
    if (maxBackoffMs < initialBackoffMs)
        out << u"max_backoff_ms (%1) must not be below initial_backoff_ms (%2)"_s.arg(maxBackoffMs)
                   .arg(initialBackoffMs);
    if (!(jitter >= 0.0 && jitter <= 1.0))
        out << u"jitter must be 0 to 1, not %1"_s.arg(jitter);
    if (dlt.isEmpty())
        out << u"dlt (the dead-letter topic after the last attempt) is required"_s;
    if (!retryTopics.isEmpty() && retryTopics.size() != maxAttempts - 1)
        out << u"%1 retry topics for %2 attempts: one topic per retry (%3), or none to retry in "
               "place"_s.arg(retryTopics.size())
                   .arg(maxAttempts)
                   .arg(maxAttempts - 1);
    if (retryTopics.contains(dlt))
        out << u"the dlt \"%1\" is also a retry topic"_s.arg(dlt);
    return out;
}

QJsonObject KafkaRetryPolicy::toJson() const
{
    QJsonObject json {{u"schema"_s, Schema},
                      {u"group"_s, group},
                      {u"max_attempts"_s, maxAttempts},
                      {u"initial_backoff_ms"_s, initialBackoffMs},
                      {u"multiplier"_s, multiplier},
                      {u"max_backoff_ms"_s, maxBackoffMs},
                      {u"jitter"_s, jitter},
                      {u"retry_topics"_s, QJsonArray::fromStringList(retryTopics)},
                      {u"dlt"_s, dlt}};
    if (updatedAt.isValid())
        json.insert(u"updated_at"_s, updatedAt.toUTC().toString(Qt::ISODateWithMs));
    if (!updatedBy.isEmpty())
        json.insert(u"updated_by"_s, updatedBy);
    return json;
}

QByteArray KafkaRetryPolicy::toRecordValue() const
{
    return QJsonDocument(toJson()).toJson(QJsonDocument::Compact);
}

bool KafkaRetryPolicy::sameSettings(const KafkaRetryPolicy &other) const
{
    return group == other.group && maxAttempts == other.maxAttempts
        && initialBackoffMs == other.initialBackoffMs && multiplier == other.multiplier
        && maxBackoffMs == other.maxBackoffMs && jitter == other.jitter
        && retryTopics == other.retryTopics && dlt == other.dlt;
}

Result<KafkaRetryPolicy> parseKafkaRetryPolicy(const QByteArray &value, const QString &key)
{
    const auto fail = [](const QString &why) {
        return BrokerError::make(BrokerError::Kind::Protocol, u"retry policy record: "_s + why);
    };
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(value, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return fail(u"not a JSON object ("_s + error.errorString() + u')');
    const QJsonObject json = document.object();
    if (json.value(u"schema"_s).toInt(-1) != KafkaRetryPolicy::Schema)
        return fail(u"schema %1 is not the schema this console reads (%2)"_s
                        .arg(json.value(u"schema"_s).toVariant().toString())
                        .arg(KafkaRetryPolicy::Schema));
    KafkaRetryPolicy policy;
    policy.group = json.value(u"group"_s).toString(key);
    if (!key.isEmpty() && policy.group != key)
        return fail(
            u"the record's key \"%1\" and its group \"%2\" differ"_s.arg(key, policy.group));
    const auto number = [&](const QString &field, double fallback, bool *ok) {
        const QJsonValue v = json.value(field);
        if (v.isUndefined())
            return fallback;
        *ok = *ok && v.isDouble();
        return v.toDouble();
    };
    bool ok = true;
    policy.maxAttempts = int(number(u"max_attempts"_s, -1, &ok));
    policy.initialBackoffMs = qint64(number(u"initial_backoff_ms"_s, 0, &ok));
    policy.multiplier = number(u"multiplier"_s, 1.0, &ok);
    policy.maxBackoffMs = qint64(number(u"max_backoff_ms"_s, double(policy.initialBackoffMs), &ok));
    policy.jitter = number(u"jitter"_s, 0.0, &ok);
    if (!ok)
        return fail(u"a numeric field holds something else than a number"_s);
    const QJsonValue topics = json.value(u"retry_topics"_s);
    if (!topics.isUndefined() && !topics.isArray())
        return fail(u"retry_topics must be a list of topic names"_s);
    for (const QJsonValue &topic : topics.toArray())
        policy.retryTopics << topic.toString();
    policy.dlt = json.value(u"dlt"_s).toString();
    policy.updatedAt
        = QDateTime::fromString(json.value(u"updated_at"_s).toString(), Qt::ISODateWithMs);
    policy.updatedBy = json.value(u"updated_by"_s).toString();
    if (const QStringList problems = policy.problems(); !problems.isEmpty())
        return fail(problems.join(u"; "_s));
    return policy;
}

std::optional<KafkaRetryPolicy> policyInForce(const QList<KafkaRetryPolicyVersion> &versions)
{
    for (auto it = versions.crbegin(); it != versions.crend(); ++it)
        if (it->problem.isEmpty())
            return it->policy;
    return std::nullopt;
}

QStringList kafkaRetryPolicyDiff(const std::optional<KafkaRetryPolicy> &before,
                                 const std::optional<KafkaRetryPolicy> &after)
{
    const QJsonObject a = before ? before->toJson() : QJsonObject();
    const QJsonObject b = after ? after->toJson() : QJsonObject();
    QStringList lines;
    for (const QString &field : {u"max_attempts"_s, u"initial_backoff_ms"_s, u"multiplier"_s,
                                 u"max_backoff_ms"_s, u"jitter"_s, u"retry_topics"_s, u"dlt"_s}) {
        const QJsonValue was = a.value(field);
        const QJsonValue will = b.value(field);
        if (was == will)
            continue;
        const auto text = [](const QJsonValue &v) -> QString {
            if (v.isUndefined())
                return u"-"_s;
            if (v.isArray())
                return u"["_s + v.toVariant().toStringList().join(u", "_s) + u']';
            return v.toVariant().toString();
        };
        lines << u"%1: %2 → %3"_s.arg(field, text(was), text(will));
    }
    return lines;
}

} // namespace veltrix
