#include "rabbitpolicy.h"

#include <QJsonArray>
#include <QRegularExpression>

#include <functional>

namespace veltrix {

using namespace Qt::StringLiterals;

bool RabbitPolicy::appliesToQueue(const QString &queue) const
{
    if (applyTo != u"queues" && applyTo != u"all")
        return false;
    // RabbitMQ matches with Erlang's re: unanchored, like QRegularExpression::match.
    const QRegularExpression expression(pattern);
    return expression.isValid() && expression.match(queue).hasMatch();
}

QJsonObject RabbitPolicy::toApiBody() const
{
    return {{u"pattern"_s, pattern},
            {u"definition"_s, definition},
            {u"priority"_s, priority},
            {u"apply-to"_s, applyTo}};
}

Result<QList<RabbitPolicy>> parsePolicies(const QJsonDocument &answer)
{
    if (!answer.isArray())
        return BrokerError::make(BrokerError::Kind::Protocol,
                                 u"the management API's policy list is not a JSON array"_s);
    QList<RabbitPolicy> out;
    for (const QJsonValue &value : answer.array()) {
        const QJsonObject object = value.toObject();
        RabbitPolicy policy;
        policy.vhost = object.value(u"vhost"_s).toString();
        policy.name = object.value(u"name"_s).toString();
        policy.pattern = object.value(u"pattern"_s).toString();
        policy.applyTo = object.value(u"apply-to"_s).toString(u"all"_s);
        policy.priority = object.value(u"priority"_s).toInt(0);
        policy.definition = object.value(u"definition"_s).toObject();
        if (!value.isObject() || policy.name.isEmpty())
            return BrokerError::make(BrokerError::Kind::Protocol,
                                     u"the management API's policy list holds an entry without "
                                     "a name"_s);
        out.append(policy);
    }
    return out;
}

const RabbitPolicy *winningPolicy(const QList<RabbitPolicy> &policies, const QString &queue)
{
    const RabbitPolicy *best = nullptr;
    for (const RabbitPolicy &policy : policies) {
        if (!policy.appliesToQueue(queue))
            continue;
        if (!best || policy.priority > best->priority
            || (policy.priority == best->priority && policy.name < best->name))
            best = &policy;
    }
    return best;
}

bool topicMatches(const QString &bindingKey, const QString &routingKey)
{
    const QStringList pattern = bindingKey.split(u'.');
    const QStringList words = routingKey.split(u'.');
    // Small inputs: plain recursion over (pattern word, routing word).
    std::function<bool(qsizetype, qsizetype)> from = [&](qsizetype p, qsizetype w) -> bool {
        if (p == pattern.size())
            return w == words.size();
        if (pattern[p] == u"#") {
            for (qsizetype skip = w; skip <= words.size(); ++skip)
                if (from(p + 1, skip))
                    return true;
            return false;
        }
        if (w == words.size())
            return false;
        return (pattern[p] == u"*" || pattern[p] == words[w]) && from(p + 1, w + 1);
    };
    return from(0, 0);
}

} // namespace veltrix
