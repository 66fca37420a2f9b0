#include "rabbitdlqfinder.h"

#include "rabbitmq/managementclient.h"
#include "rabbitmq/rabbitqueuebrowser.h"

#include <QHash>
#include <QJsonObject>
#include <QSet>

namespace veltrix {

using namespace Qt::StringLiterals;

namespace {

const QString DlxArgument = u"x-dead-letter-exchange"_s;
const QString DlxRoutingKeyArgument = u"x-dead-letter-routing-key"_s;
const QString DlxPolicyKey = u"dead-letter-exchange"_s;
const QString DlxRoutingKeyPolicyKey = u"dead-letter-routing-key"_s;

using VhostName = QPair<QString, QString>;

// Where dead letters go in each vhost: the exchanges named as DLX and, for the default
// exchange, the queues named by the dead-letter routing key.
struct DeadLetterTargets
{
    QSet<VhostName> exchanges;
    QHash<VhostName, QString> queuesViaDefaultExchange; // queue -> who names it

    void add(const QString &vhost, const QJsonObject &definition, const QString &exchangeKey,
             const QString &routingKeyKey, const QString &namedBy)
    {
        if (!definition.contains(exchangeKey))
            return;
        const QString exchange = definition.value(exchangeKey).toString();
        if (!exchange.isEmpty()) {
            exchanges.insert({vhost, exchange});
            return;
        }
        const QString queue = definition.value(routingKeyKey).toString();
        if (!queue.isEmpty())
            queuesViaDefaultExchange.insert({vhost, queue}, namedBy);
    }
};

DeadLetterTargets deadLetterTargets(const QJsonArray &queues, const QJsonArray &policies)
{
    DeadLetterTargets targets;
    for (const QJsonValue &value : queues) {
        const QJsonObject queue = value.toObject();
        const QString vhost = queue.value(u"vhost"_s).toString();
        const QString name = queue.value(u"name"_s).toString();
        targets.add(vhost, queue.value(u"arguments"_s).toObject(), DlxArgument,
                    DlxRoutingKeyArgument, u"queue "_s + name);
        targets.add(vhost, queue.value(u"effective_policy_definition"_s).toObject(), DlxPolicyKey,
                    DlxRoutingKeyPolicyKey, u"queue "_s + name);
    }
    // A policy counts even when it matches no queue yet: its DLX is still where dead
    // letters will go.
    for (const QJsonValue &value : policies) {
        const QJsonObject policy = value.toObject();
        targets.add(policy.value(u"vhost"_s).toString(), policy.value(u"definition"_s).toObject(),
                    DlxPolicyKey, DlxRoutingKeyPolicyKey,
                    u"policy "_s + policy.value(u"name"_s).toString());
    }
    return targets;
}

// Messages that ever arrived: what is there now plus what consumers took away. The
// management API has no per-queue counter of dead-lettered arrivals, and a DLQ usually
// has no consumers, so this is exact for the common case.
qint64 arrivedTotalOf(const QJsonObject &queue)
{
    const QJsonValue messages = queue.value(u"messages"_s);
    if (!messages.isDouble())
        return -1;
    const QJsonObject stats = queue.value(u"message_stats"_s).toObject();
    qint64 consumed = 0;
    for (const QString &key : {u"ack"_s, u"deliver_no_ack"_s, u"get_no_ack"_s})
        consumed += qint64(stats.value(key).toDouble());
    return qint64(messages.toDouble()) + consumed;
}

} // namespace

QList<DlqInfo> findRabbitDlqs(const QString &clusterName, const QJsonArray &queues,
                              const QJsonArray &policies, const QJsonArray &bindings,
                              const QStringList &patterns)
{
    const DeadLetterTargets targets = deadLetterTargets(queues, policies);
    QHash<VhostName, QString> boundTo; // queue -> the DLX it is bound to
    for (const QJsonValue &value : bindings) {
        const QJsonObject binding = value.toObject();
        if (binding.value(u"destination_type"_s).toString() != u"queue")
            continue;
        const QString vhost = binding.value(u"vhost"_s).toString();
        const QString exchange = binding.value(u"source"_s).toString();
        if (targets.exchanges.contains({vhost, exchange}))
            boundTo.insert({vhost, binding.value(u"destination"_s).toString()}, exchange);
    }

    QList<DlqInfo> found;
    for (const QJsonValue &value : queues) {
        const QJsonObject queue = value.toObject();
        const VhostName key {queue.value(u"vhost"_s).toString(), queue.value(u"name"_s).toString()};
        QString why;
        if (const auto it = boundTo.constFind(key); it != boundTo.cend())
            why = u"bound to dead-letter exchange "_s + *it;
        else if (const auto it = targets.queuesViaDefaultExchange.constFind(key);
                 it != targets.queuesViaDefaultExchange.cend())
            why = u"dead-letter routing key of "_s + *it;
        else if (const QString pattern = matchingDeadLetterPattern(key.second, patterns);
                 !pattern.isEmpty())
            why = u"name matches "_s + pattern;
        else
            continue;

        DlqInfo info;
        info.source = {ClusterKind::RabbitMq, clusterName, key.first, key.second};
        info.queueType = queue.value(u"type"_s).toString(u"classic"_s);
        info.retry = key.second.contains(u"retry"_s);
        info.why = why;
        const QJsonValue messages = queue.value(u"messages"_s);
        info.depth = messages.isDouble() ? qint64(messages.toDouble()) : -1;
        info.arrivedTotal = arrivedTotalOf(queue);
        // The rule the browser enforces; classic queues have no delivery-limit.
        if (const auto limit = effectiveDeliveryLimit(queue); limit && info.queueType == u"quorum")
            info.deliveryLimit = limit->value;
        found.append(info);
    }
    return found;
}

Result<QList<DlqInfo>> fetchRabbitDlqs(ManagementClient &management, const QString &clusterName,
                                       const QStringList &patterns)
{
    auto queues = management.get(
        u"/api/queues?columns=name,vhost,type,messages,arguments,effective_policy_definition,"
        "message_stats.ack,message_stats.deliver_no_ack,message_stats.get_no_ack"_s);
    if (!queues)
        return queues.error();
    auto policies = management.get(u"/api/policies"_s);
    if (!policies)
        return policies.error();
    auto bindings
        = management.get(u"/api/bindings?columns=source,vhost,destination,destination_type"_s);
    if (!bindings)
        return bindings.error();
    return findRabbitDlqs(clusterName, queues->array(), policies->array(), bindings->array(),
                          patterns);
}

} // namespace veltrix
