#include "queuerates.h"

#include "managementclient.h"
#include "rabbitqueuebrowser.h" // effectiveDeliveryLimit

#include <QJsonArray>
#include <QJsonObject>

namespace veltrix {

using namespace Qt::StringLiterals;

namespace {

double rateOf(const QJsonObject &stats, const QString &name)
{
    return stats.value(name + u"_details"_s).toObject().value(u"rate"_s).toDouble(0);
}

} // namespace

Result<QList<QueueRates>> parseQueueRates(const QJsonDocument &answer)
{
    if (!answer.isArray())
        return BrokerError::make(BrokerError::Kind::Protocol,
                                 u"the management API's queue list is not a JSON array"_s);
    QList<QueueRates> out;
    for (const QJsonValue &value : answer.array()) {
        if (!value.isObject())
            return BrokerError::make(BrokerError::Kind::Protocol,
                                     u"the management API's queue list holds a non-object"_s);
        const QJsonObject queue = value.toObject();
        QueueRates rates;
        rates.vhost = queue.value(u"vhost"_s).toString();
        rates.queue = queue.value(u"name"_s).toString();
        if (rates.queue.isEmpty())
            continue; // nothing to name it by
        rates.messages = queue.value(u"messages"_s).toInteger(-1);
        const QJsonObject stats = queue.value(u"message_stats"_s).toObject();
        rates.publish = rateOf(stats, u"publish"_s);
        rates.deliver = rateOf(stats, u"deliver_get"_s);
        rates.ack = rateOf(stats, u"ack"_s);
        rates.redeliver = rateOf(stats, u"redeliver"_s);
        rates.policy = queue.value(u"policy"_s).toString();
        if (const auto limit = effectiveDeliveryLimit(queue))
            rates.deliveryLimit = limit->value;
        rates.deadLetters
            = queue.value(u"arguments"_s).toObject().contains(u"x-dead-letter-exchange"_s)
            || queue.value(u"effective_policy_definition"_s)
                   .toObject()
                   .contains(u"dead-letter-exchange"_s);
        out.append(rates);
    }
    return out;
}

Result<QList<QueueRates>> fetchQueueRates(ManagementClient &client, const QString &vhost)
{
    const QString path
        = (vhost.isEmpty() ? u"/api/queues"_s
                           : u"/api/queues/"_s + ManagementClient::encodeSegment(vhost))
        + u"?columns=name,vhost,messages,message_stats.publish_details.rate,"
          "message_stats.deliver_get_details.rate,message_stats.ack_details.rate,"
          "message_stats.redeliver_details.rate,policy,arguments,effective_policy_definition"_s;
    auto answer = client.get(path);
    if (!answer)
        return answer.error();
    return parseQueueRates(answer.value());
}

} // namespace veltrix
