#include "redrivetarget.h"

namespace veltrix {

using namespace Qt::StringLiterals;

namespace {

QString rabbitOriginalQueue(const DeadLetter &deadLetter)
{
    // x-death is most recent first. A retry chain (work queue -> TTL wait queue -> back)
    // records "expired" deaths in the wait queue; the consumer gave up where it rejected.
    for (const XDeathEntry &death : deadLetter.deaths)
        if (death.reason == u"rejected"_s || death.reason == u"delivery_limit"_s)
            return death.queue;
    if (!deadLetter.originalDestination.isEmpty())
        return deadLetter.originalDestination;
    return deadLetter.deaths.isEmpty() ? QString() : deadLetter.deaths.constFirst().queue;
}

QString originalRoutingKey(const BrowsedMessage &message)
{
    if (!message.deadLetter.originalRoutingKeys.isEmpty())
        return message.deadLetter.originalRoutingKeys.constFirst();
    return message.amqpProperties.value(u"routing_key"_s).toString();
}

qint64 previousRedriveCount(const QVariant &value)
{
    bool ok = false;
    const qint64 count = value.toLongLong(&ok);
    return ok && count > 0 ? count : 0;
}

} // namespace

QString RedriveTarget::describe() const
{
    if (!topic.isEmpty())
        return u"topic "_s + topic;
    if (exchange.isEmpty())
        return u"queue "_s + routingKey;
    return u"exchange "_s + exchange + u'/' + routingKey;
}

TargetResolution resolveRedriveTarget(const BrowsedMessage &message, const DlqSource &source,
                                      const RedriveDestination &destination)
{
    using Mode = RedriveDestination::Mode;
    RedriveTarget target;
    switch (destination.mode) {
    case Mode::Original:
        if (source.kind == ClusterKind::Kafka) {
            target.topic = message.deadLetter.originalDestination;
            if (target.topic.isEmpty())
                return {std::nullopt, u"no dead-letter header names the original topic"_s};
        } else {
            target.routingKey = rabbitOriginalQueue(message.deadLetter);
            if (target.routingKey.isEmpty())
                return {std::nullopt, u"no x-death header names the queue it died in"_s};
        }
        break;
    case Mode::Topic:
        target.topic = destination.name;
        break;
    case Mode::Queue:
        target.routingKey = destination.name;
        break;
    case Mode::Exchange:
        target.exchange = destination.name;
        target.routingKey = destination.routingKey.isEmpty() ? originalRoutingKey(message)
                                                             : destination.routingKey;
        break;
    }
    const bool backIntoSource = source.kind == ClusterKind::Kafka
        ? target.topic == source.name
        : target.exchange.isEmpty() && target.routingKey == source.name;
    if (backIntoSource)
        return {std::nullopt,
                u"its destination is this DLQ itself (%1); choose another"_s.arg(source.name)};
    return {target, {}};
}

AmqpMessageProperties redriveProperties(const AmqpMessageProperties &original, DeathHistory history,
                                        const QDateTime &now)
{
    AmqpMessageProperties properties = original;
    properties.userId.clear();
    QVariantMap &headers = properties.headers;
    // Quorum queues stamp their own count on every delivery; a copied one would mislead.
    headers.remove(u"x-delivery-count"_s);
    if (history != DeathHistory::Keep) {
        const QVariant deaths = headers.take(u"x-death"_s);
        for (const QString &name : headers.keys())
            if (name.startsWith(u"x-first-death-"_s) || name.startsWith(u"x-last-death-"_s))
                headers.remove(name);
        if (history == DeathHistory::KeepAsPrevious && deaths.isValid())
            headers.insert(PreviousDeathHeader, deaths);
    }
    headers.insert(RedriveCountHeader, previousRedriveCount(headers.value(RedriveCountHeader)) + 1);
    headers.insert(RedrivenAtHeader, now.toUTC().toString(Qt::ISODateWithMs));
    return properties;
}

KafkaHeaderList redriveKafkaHeaders(const KafkaHeaderList &original, const QDateTime &now)
{
    const QByteArray countName = RedriveCountHeader.toUtf8();
    const QByteArray atName = RedrivenAtHeader.toUtf8();
    qint64 count = 0;
    KafkaHeaderList headers;
    headers.reserve(original.size() + 2);
    for (const KafkaHeader &header : original) {
        if (header.name == countName)
            count = previousRedriveCount(QString::fromLatin1(header.value));
        else if (header.name != atName)
            headers.append(header);
    }
    headers.append({countName, QByteArray::number(count + 1)});
    headers.append({atName, now.toUTC().toString(Qt::ISODateWithMs).toUtf8()});
    return headers;
}

} // namespace veltrix
