#include "redriverequest.h"

namespace veltrix {

using namespace Qt::StringLiterals;

std::optional<RedriveDestination> RedriveDestination::parse(const QString &text, ClusterKind kind,
                                                            QString *error)
{
    auto fail = [&](const QString &why) -> std::optional<RedriveDestination> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    RedriveDestination destination;
    if (text == u"original"_s)
        return destination;
    const qsizetype colon = text.indexOf(u':');
    const QString prefix = colon < 0 ? QString() : text.left(colon);
    const QString rest = colon < 0 ? text : text.mid(colon + 1);
    if (prefix.isEmpty()) {
        if (text.isEmpty())
            return fail(u"the destination is empty"_s);
        destination.mode = kind == ClusterKind::Kafka ? Mode::Topic : Mode::Queue;
        destination.name = text;
        return destination;
    }
    if (prefix == u"topic"_s) {
        if (kind != ClusterKind::Kafka)
            return fail(u"\"%1\": a RabbitMQ DLQ redrives to queue:<name> or "
                        "exchange:<name>/<routing key>"_s.arg(text));
        destination.mode = Mode::Topic;
    } else if (prefix == u"queue"_s || prefix == u"exchange"_s) {
        if (kind != ClusterKind::RabbitMq)
            return fail(u"\"%1\": a Kafka DLT redrives to topic:<name>"_s.arg(text));
        destination.mode = prefix == u"queue"_s ? Mode::Queue : Mode::Exchange;
    } else {
        return fail(u"\"%1\": expected original, topic:<name>, queue:<name> or "
                    "exchange:<name>/<routing key>"_s.arg(text));
    }
    if (destination.mode == Mode::Exchange) {
        // The exchange name ends at the first '/'; the routing key may contain more.
        const qsizetype slash = rest.indexOf(u'/');
        destination.name = slash < 0 ? rest : rest.left(slash);
        destination.routingKey = slash < 0 ? QString() : rest.mid(slash + 1);
        return destination; // "" is the default exchange
    }
    if (rest.isEmpty())
        return fail(u"\"%1\": the %2 name is empty"_s.arg(text, prefix));
    destination.name = rest;
    return destination;
}

QString RedriveDestination::toString() const
{
    switch (mode) {
    case Mode::Original:
        return u"original"_s;
    case Mode::Topic:
        return u"topic:"_s + name;
    case Mode::Queue:
        return u"queue:"_s + name;
    case Mode::Exchange:
        return u"exchange:"_s + name + u'/' + routingKey;
    }
    return {};
}

QString deathHistoryName(DeathHistory history)
{
    switch (history) {
    case DeathHistory::KeepAsPrevious:
        return u"previous"_s;
    case DeathHistory::Keep:
        return u"keep"_s;
    case DeathHistory::Strip:
        return u"strip"_s;
    }
    return {};
}

std::optional<DeathHistory> deathHistoryFromName(const QString &name)
{
    for (DeathHistory history :
         {DeathHistory::KeepAsPrevious, DeathHistory::Keep, DeathHistory::Strip})
        if (deathHistoryName(history) == name)
            return history;
    return std::nullopt;
}

} // namespace veltrix
