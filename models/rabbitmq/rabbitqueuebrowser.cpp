#include "rabbitqueuebrowser.h"

#include "amqpconnection.h"
#include "deadletter/deadletterparser.h"
#include "managementclient.h"

#include <QJsonObject>

#include <algorithm>
#include <functional>
#include <thread>

// How RabbitMQ 3.10 treats the messages a browse reads and gives back, measured on the
// Debian 3.10.8 node (tests/integration/tst_rabbitbrowse.cpp pins each point):
//
// - Classic queues put a requeued message back at its original position, so consume,
//   basic.nack(multiple, requeue) leaves the queue exactly as it was, apart from the
//   redelivered flag.
// - Quorum queues WITHOUT a delivery-limit append returned messages at the BACK (since
//   3.10, so the Raft log can be truncated). Reading a prefix and returning it rotates the
//   queue; pages would then show different messages each time. We therefore read the
//   whole queue and return all of it: the order comes out as it was (a message published
//   meanwhile ends up ahead of the old ones). The cost is one pass over the queue per page.
// - Quorum queues WITH a delivery-limit keep returned messages in a returns queue served
//   before the rest, in the order returned: the order survives a prefix read.
// - Every return to a quorum queue (nack, reject, channel or connection close) raises the
//   message's x-delivery-count by one; a delivery carries the count before that return.
//   With delivery-limit L, the return that takes the count past L (from L to L+1) makes
//   the broker dead-letter the message, or DROP it when there is no dead-letter exchange.
//   So a message can be delivered L+1 times (counts 0..L): "delivery-limit 3 -> 4
//   deliveries". A message read with count c is dead-lettered by its return when c >= L,
//   and after the return it can be read and returned L - (c + 1) more times.
// - Speed: consuming with a prefetch window and one basic.nack(multiple) is fast on both
//   types (10,000 messages read in ~0.3 s, back in the queue ~60 ms later). basic.get is
//   ~0.1 ms per message on a classic queue but their nack-requeue then took ~16 s to
//   settle; on a quorum queue every basic.get is a Raft command, ~2-3 ms each. We consume,
//   except on quorum queues with a delivery-limit: a consumer receives its whole prefetch
//   window at once, and every message delivered raises its count, so there we basic.get
//   one message at a time and stop before the next when the one in hand says so.
// - Streams refuse basic.get (540, closing the connection); they are read by consuming
//   with x-stream-offset, which starts at the chunk holding that offset: deliveries
//   before it are skipped.

namespace veltrix {

namespace {

using Kind = BrokerError::Kind;
using namespace std::chrono_literals;

constexpr qint64 kMaxPrefetch = 65535; // basic.qos prefetch-count is a short
const auto kStreamIdle = 300ms; // no delivery for this long after the known end: the end
const auto kMaxSettleWait = 2s; // quorum returns are applied asynchronously

QString deadLetterTarget(const RabbitQueueFacts &queue)
{
    return queue.deadLetterExchange.isEmpty()
        ? QStringLiteral("DROPS it (the queue has no dead-letter exchange)")
        : QStringLiteral("dead-letters it to exchange \"%1\"").arg(queue.deadLetterExchange);
}

qint64 deliveryCountOf(const AmqpMessage &message)
{
    return message.properties.headers.value(QStringLiteral("x-delivery-count")).toLongLong();
}

BrowsedMessage toBrowsed(const AmqpMessage &m, qint64 position, qint64 maxPayloadBytes, bool quorum)
{
    const AmqpMessageProperties &p = m.properties;
    BrowsedMessage b;
    b.position = position;
    b.id = p.messageId.isEmpty() ? QStringLiteral("#%1").arg(position) : p.messageId;
    if (p.timestamp > 0)
        b.timestamp = QDateTime::fromSecsSinceEpoch(p.timestamp, Qt::UTC);
    b.payloadSize = m.body.size();
    b.payload = m.body.size() > maxPayloadBytes ? m.body.left(maxPayloadBytes) : m.body;
    b.amqpHeaders = p.headers;

    QVariantMap &props = b.amqpProperties;
    const auto text = [&props](const char *key, const QString &value) {
        if (!value.isEmpty())
            props.insert(QString::fromLatin1(key), value);
    };
    text("content_type", p.contentType);
    text("content_encoding", p.contentEncoding);
    text("message_id", p.messageId);
    text("correlation_id", p.correlationId);
    text("reply_to", p.replyTo);
    text("type", p.type);
    text("app_id", p.appId);
    text("user_id", p.userId);
    text("expiration", p.expiration);
    if (p.priority >= 0)
        props.insert(QStringLiteral("priority"), p.priority);
    props.insert(QStringLiteral("delivery_mode"), p.deliveryMode);
    props.insert(QStringLiteral("exchange"), m.exchange);
    props.insert(QStringLiteral("routing_key"), m.routingKey);
    props.insert(QStringLiteral("redelivered"), m.redelivered);
    if (quorum)
        props.insert(QStringLiteral("delivery_count"), deliveryCountOf(m));

    b.deadLetter = parseRabbitDeadLetter(p.headers);
    return b;
}

} // namespace

BrowsedMessage browsedFromAmqp(const AmqpMessage &message, qint64 position, qint64 maxPayloadBytes,
                               bool quorum)
{
    return toBrowsed(message, position, maxPayloadBytes, quorum);
}

namespace {

// Consumers hold unacknowledged messages out of sight and share deliveries with us.
QString competitionNote(qint64 consumers)
{
    const QString who = consumers == 1 ? QStringLiteral("Another consumer is")
                                       : QStringLiteral("%1 other consumers are").arg(consumers);
    return who
        + QStringLiteral(" on this queue: messages held unacknowledged are not seen, and "
                         "consumers may take some during the browse, so a page can skip "
                         "messages.");
}

// A JSON number as an int, nullopt when absent or not a number.
std::optional<qint64> jsonInteger(const QJsonValue &value)
{
    if (!value.isDouble())
        return std::nullopt;
    return value.toInteger();
}

// basic.cancel, then `each` for the deliveries that were already on their way: the broker
// sends nothing to a consumer after cancel-ok, so they are all here by then.
Result<bool> cancelAndTakeLate(AmqpConnection &amqp, const QString &consumerTag,
                               const std::function<Result<bool>(const AmqpMessage &)> &each)
{
    if (auto ok = amqp.cancel(consumerTag); !ok)
        return ok.error();
    for (;;) {
        auto late = amqp.nextDelivery(0ms);
        if (!late)
            return late.error();
        if (!late->has_value())
            return true;
        if (auto ok = each(*late.value()); !ok)
            return ok.error();
    }
}

} // namespace

std::optional<DeliveryLimit> effectiveDeliveryLimit(const QJsonObject &queue)
{
    const auto fromArgument = jsonInteger(queue.value(QLatin1String("arguments"))
                                              .toObject()
                                              .value(QLatin1String("x-delivery-limit")));
    const auto fromPolicy = jsonInteger(queue.value(QLatin1String("effective_policy_definition"))
                                            .toObject()
                                            .value(QLatin1String("delivery-limit")));
    if (fromArgument && (!fromPolicy || *fromArgument <= *fromPolicy))
        return DeliveryLimit {int(*fromArgument), true};
    if (fromPolicy)
        return DeliveryLimit {int(*fromPolicy), false};
    return std::nullopt;
}

struct RabbitQueueBrowser::Inspected
{
    RabbitQueueFacts facts;
    qint64 ready = 0; // passive declare: fresh, unlike the management API's statistics
    qint64 consumers = 0;
    bool singleActiveConsumer = false;
};

RabbitQueueBrowser::RabbitQueueBrowser(ClusterProfile profile, std::chrono::milliseconds timeout)
    : m_profile(std::move(profile))
    , m_timeout(timeout)
{ }

RabbitQueueBrowser::~RabbitQueueBrowser()
{
    dropConnection();
}

void RabbitQueueBrowser::interrupt()
{
    m_interrupted = true;
    std::lock_guard lock(m_connectionMutex);
    if (m_connection)
        m_connection->interrupt();
}

BrokerError RabbitQueueBrowser::interrupted() const
{
    return BrokerError::make(Kind::Other,
                             QStringLiteral("%1: browsing was interrupted").arg(m_profile.name),
                             QStringLiteral("the broker requeues whatever had been read"));
}

Result<AmqpConnection *> RabbitQueueBrowser::connection(const QString &vhost)
{
    if (m_connection && m_connectionVhost == vhost)
        return m_connection.get();
    dropConnection();
    if (m_profile.kind != ClusterKind::RabbitMq)
        return BrokerError::make(
            Kind::Configuration,
            QStringLiteral("%1 is not a RabbitMQ cluster profile").arg(m_profile.name));
    auto endpoint = AmqpEndpoint::forProfile(m_profile);
    if (!endpoint)
        return endpoint.error();
    endpoint.value().vhost = vhost;
    auto opened = AmqpConnection::open(m_profile.name, endpoint.value(), m_timeout);
    if (!opened)
        return opened.error();
    std::lock_guard lock(m_connectionMutex);
    m_connection = std::move(opened).value();
    m_connectionVhost = vhost;
    return m_connection.get();
}

void RabbitQueueBrowser::dropConnection()
{
    std::unique_ptr<AmqpConnection> old;
    {
        std::lock_guard lock(m_connectionMutex);
        old = std::move(m_connection);
    }
    // Closing the channel makes the broker requeue anything still unacknowledged on it:
    // the last line of the nothing-lost guarantee on every error path.
    old.reset();
    m_connectionVhost.clear();
}

Result<ManagementClient *> RabbitQueueBrowser::management()
{
    if (!m_management) {
        auto created = ManagementClient::forProfile(
            m_profile, m_timeout,
            QStringLiteral("browsing needs the management API to learn the queue's type and "
                           "delivery-limit; add \"management\": \"http://host:15672\""));
        if (!created)
            return created.error();
        m_management = std::move(created).value();
    }
    return m_management.get();
}

Result<RabbitQueueFacts> RabbitQueueBrowser::facts(const QString &vhost, const QString &queue)
{
    if (m_interrupted.exchange(false))
        dropConnection(); // interrupted while idle: its socket is shut down
    auto inspected = inspect(vhost, queue);
    if (!inspected)
        return inspected.error();
    return inspected.value().facts;
}

Result<RabbitQueueBrowser::Inspected> RabbitQueueBrowser::inspect(const QString &vhost,
                                                                  const QString &queue)
{
    auto api = management(); // before any traffic: a profile without it cannot browse
    if (!api)
        return api.error();
    // AMQP first: it tells a missing vhost from a missing queue, fast and typed, and its
    // ready count is current where the management API's lags by its stats interval.
    auto amqp = connection(vhost);
    if (!amqp)
        return amqp.error();
    auto counts = amqp.value()->inspectQueue(queue);
    if (!counts) {
        if (amqp.value()->lastCloseCode() == AMQP_NOT_FOUND)
            return BrokerError::make(
                Kind::Other,
                QStringLiteral("%1: queue \"%2\" does not exist in vhost \"%3\"")
                    .arg(m_profile.name, queue, vhost),
                QStringLiteral("check the queue name; it may have been deleted"));
        dropConnection();
        return counts.error();
    }

    const QString path
        = QStringLiteral("/api/queues/%1/%2")
              .arg(ManagementClient::encodeSegment(vhost), ManagementClient::encodeSegment(queue));
    auto doc = api.value()->get(path);
    if (!doc)
        return doc.error();
    const QJsonObject q = doc->object();
    const QJsonObject args = q.value(QLatin1String("arguments")).toObject();
    const QJsonObject effective = q.value(QLatin1String("effective_policy_definition")).toObject();

    Inspected out;
    out.ready = counts->messages;
    out.consumers = counts->consumers;
    out.singleActiveConsumer = args.value(QLatin1String("x-single-active-consumer")).toBool();
    RabbitQueueFacts &f = out.facts;
    f.vhost = vhost;
    f.name = queue;
    f.type = q.value(QLatin1String("type")).toString(QStringLiteral("classic"));
    if (f.type == QLatin1String("stream")) {
        // A passive declare counts nothing in a stream; the API counts its messages.
        f.messages = jsonInteger(q.value(QLatin1String("messages"))).value_or(-1);
    } else {
        f.messages = out.ready
            + jsonInteger(q.value(QLatin1String("messages_unacknowledged"))).value_or(0);
    }

    if (f.type == QLatin1String("quorum")) {
        // 3.10 takes the smaller of the queue argument and the policies' value (the
        // effective definition already merges the policy with an operator policy). The API
        // learns of a policy change with the queue's next statistics, a few seconds late;
        // a limit added within those seconds is missed.
        const auto limit = effectiveDeliveryLimit(q);
        const auto fromPolicy = jsonInteger(effective.value(QLatin1String("delivery-limit")));
        if (limit && limit->fromArgument) {
            f.deliveryLimit = limit->value;
            f.deliveryLimitSource = QStringLiteral("queue argument");
        } else if (limit) {
            f.deliveryLimit = limit->value;
            const QString policy = q.value(QLatin1String("policy")).toString();
            const QString operatorPolicy = q.value(QLatin1String("operator_policy")).toString();
            bool fromOperator = policy.isEmpty();
            if (!policy.isEmpty() && !operatorPolicy.isEmpty()) {
                auto own = api.value()->get(QStringLiteral("/api/policies/%1/%2")
                                                .arg(ManagementClient::encodeSegment(vhost),
                                                     ManagementClient::encodeSegment(policy)));
                fromOperator = !own
                    || jsonInteger(own->object()
                                       .value(QLatin1String("definition"))
                                       .toObject()
                                       .value(QLatin1String("delivery-limit")))
                        != fromPolicy;
            }
            f.deliveryLimitSource = fromOperator
                ? QStringLiteral("operator policy %1").arg(operatorPolicy)
                : QStringLiteral("policy %1").arg(policy);
        }
    }
    // The queue argument wins over a policy here. An empty name is the default exchange
    // (dead-lettering by routing key straight to a queue): show it by its alias.
    QJsonValue dlx = args.value(QLatin1String("x-dead-letter-exchange"));
    if (dlx.isUndefined())
        dlx = effective.value(QLatin1String("dead-letter-exchange"));
    if (dlx.isString())
        f.deadLetterExchange
            = dlx.toString().isEmpty() ? QStringLiteral("amq.default") : dlx.toString();
    return out;
}

Result<RabbitBrowseResult> RabbitQueueBrowser::browse(const QString &vhost, const QString &queue,
                                                      const RabbitBrowseOptions &options)
{
    if (m_interrupted.exchange(false))
        dropConnection();
    if (options.offset < 0 || options.limit < 0 || options.maxPayloadBytes < 0
        || options.safetyMargin < 0)
        return BrokerError::make(
            Kind::Configuration,
            QStringLiteral("%1: offset, limit, payload cap and safety margin must not be "
                           "negative")
                .arg(m_profile.name));
    // Past the margin a read can dead-letter (or drop) a message: that changes the cluster,
    // which a read-only profile never does, whoever asks.
    if (options.insist && m_profile.readOnly)
        return BrokerError::make(
            Kind::AccessDenied,
            QStringLiteral("%1 is read-only: browsing past a delivery-limit margin can "
                           "dead-letter messages, so it is refused")
                .arg(m_profile.name),
            QStringLiteral("browse without insisting, or use a profile that is not read-only"));
    auto inspected = inspect(vhost, queue);
    if (m_interrupted)
        return interrupted();
    if (!inspected)
        return inspected.error();
    auto amqp = connection(vhost);
    if (!amqp)
        return amqp.error();
    // Deliveries a failed earlier call may have left behind belong to no one now.
    for (;;) {
        auto stale = amqp.value()->nextDelivery(0ms);
        if (!stale) {
            dropConnection();
            return stale.error();
        }
        if (!stale->has_value())
            break;
    }

    const RabbitQueueFacts &facts = inspected->facts;
    if (facts.type != QLatin1String("stream") && inspected->singleActiveConsumer
        && inspected->consumers > 0)
        return BrokerError::make(
            Kind::Unsupported,
            QStringLiteral("%1: queue \"%2\" has a single active consumer, which gets every "
                           "message; a browser would wait behind it and see nothing")
                .arg(m_profile.name, queue),
            QStringLiteral("browse it while its consumer is stopped"));
    Result<RabbitBrowseResult> result = BrokerError {};
    if (facts.type == QLatin1String("stream"))
        result = readStream(*amqp.value(), facts, options);
    else if (facts.type == QLatin1String("quorum") && facts.deliveryLimit)
        result = getCounted(*amqp.value(), inspected.value(), options);
    else if (facts.type == QLatin1String("classic") || facts.type == QLatin1String("quorum"))
        result = consumeAndReturn(*amqp.value(), inspected.value(), options);
    else
        return BrokerError::make(Kind::Unsupported,
                                 QStringLiteral("%1: cannot browse queue \"%2\" of type \"%3\"")
                                     .arg(m_profile.name, queue, facts.type));
    if (result && inspected->consumers > 0 && facts.type != QLatin1String("stream")) {
        QString &note = result.value().safetyNote;
        note = note.isEmpty() ? competitionNote(inspected->consumers)
                              : note + QLatin1Char(' ') + competitionNote(inspected->consumers);
    }
    if (!result) {
        // Whatever was read and not yet given back goes back when the channel closes.
        dropConnection();
        if (m_interrupted)
            return interrupted();
    }
    return result;
}

Result<RabbitBrowseResult> RabbitQueueBrowser::consumeAndReturn(AmqpConnection &amqp,
                                                                const Inspected &queue,
                                                                const RabbitBrowseOptions &options)
{
    RabbitBrowseResult result;
    result.queue = queue.facts;
    const bool quorum = queue.facts.type == QLatin1String("quorum");
    const qint64 end = options.offset + options.limit;
    // Quorum without a delivery-limit: read everything so the returns restore the order.
    const qint64 target = quorum ? queue.ready : std::min(end, queue.ready);
    if (target <= 0)
        return result;

    // The prefetch window is exactly what we want, so the broker sends no more; past a
    // short's range it is unlimited and the overshoot is read and returned like the rest.
    if (auto ok = amqp.setPrefetch(quint16(target <= kMaxPrefetch ? target : 0)); !ok)
        return ok.error();
    auto tag = amqp.consume(queue.facts.name, AmqpConnection::AckMode::Manual,
                            QStringLiteral("veltrix-browse"));
    if (!tag)
        return tag.error();

    const auto idle = std::min<std::chrono::milliseconds>(m_timeout, 1s);
    const auto take = [&](const AmqpMessage &message) {
        const qint64 position = result.returned++;
        if (position >= options.offset && position < end)
            result.messages.append(toBrowsed(message, position, options.maxPayloadBytes, quorum));
        if (quorum)
            result.highestDeliveryCount
                = int(std::max<qint64>(result.highestDeliveryCount, deliveryCountOf(message)));
    };
    while (result.returned < target) {
        if (m_interrupted)
            return interrupted();
        // Fewer than counted arrive only when another consumer took some meanwhile.
        auto next = amqp.nextDelivery(result.returned == 0 ? m_timeout : idle);
        if (!next)
            return next.error();
        if (!next->has_value())
            break;
        take(*next.value());
    }
    // What arrived before the cancel is read and returned with the rest.
    if (auto ok = cancelAndTakeLate(amqp, tag.value(),
                                    [&](const AmqpMessage &late) {
                                        take(late);
                                        return Result<bool>(true);
                                    });
        !ok)
        return ok.error();
    result.markedRedelivered = result.returned > 0;
    if (auto ok = returnAll(amqp, queue, queue.ready); !ok)
        return ok.error();
    return result;
}

Result<RabbitBrowseResult> RabbitQueueBrowser::getCounted(AmqpConnection &amqp,
                                                          const Inspected &queue,
                                                          const RabbitBrowseOptions &options)
{
    RabbitBrowseResult result;
    result.queue = queue.facts;
    const RabbitQueueFacts &facts = queue.facts;
    const qint64 limit = *facts.deliveryLimit;
    const QString key = facts.vhost + QLatin1Char('/') + facts.name;
    const QString insist = QStringLiteral("Use insist (--insist) to browse anyway.");
    const QString where = QStringLiteral("the queue's delivery-limit is %1 (%2)")
                              .arg(limit)
                              .arg(facts.deliveryLimitSource);

    // Message ids come from the broker: each note is filled in one multi-argument arg()
    // so a "%1" inside an id is never taken for a placeholder.

    // Our own last browse left the head where reading it once more would kill it.
    const auto known = m_headCounts.constFind(key);
    if (!options.insist && known != m_headCounts.cend() && known->count >= limit) {
        result.stoppedForSafety = true;
        result.safetyNote
            = QStringLiteral("Nothing was read: the last browse left the first message \"%1\" "
                             "at delivery count %2 and %3, so reading it again %4. %5")
                  .arg(known->id, QString::number(known->count), where, deadLetterTarget(facts),
                       insist);
        return result;
    }

    const qint64 end = std::min(options.offset + options.limit, queue.ready);
    QStringList notes;
    qint64 doomed = 0; // read at the limit: their return takes them out of the queue
    std::optional<HeadCount> head;
    while (result.returned < end) {
        if (m_interrupted)
            return interrupted();
        auto got = amqp.get(facts.name);
        if (!got)
            return got.error();
        if (!got->has_value())
            break;
        const AmqpMessage &message = *got.value();
        const qint64 position = result.returned++;
        const qint64 count = deliveryCountOf(message);
        BrowsedMessage browsed = toBrowsed(message, position, options.maxPayloadBytes, true);
        result.highestDeliveryCount = int(std::max<qint64>(result.highestDeliveryCount, count));
        if (position == 0)
            head = HeadCount {browsed.id, count + 1};
        const QString id = browsed.id;
        if (position >= options.offset)
            result.messages.append(std::move(browsed));

        if (count >= limit) {
            // Other consumers (or an insisting browse) took it this far; its count could
            // only be seen by reading it, and any way of giving it back is a return.
            ++doomed;
            notes << QStringLiteral("Message \"%1\" (position %2) came with x-delivery-count "
                                    "%3 and %4: giving it back %5.")
                         .arg(id, QString::number(position), QString::number(count), where,
                              deadLetterTarget(facts));
        }
        const qint64 readsLeft = limit - (count + 1);
        if (!options.insist && readsLeft < options.safetyMargin) {
            result.stoppedForSafety = true;
            if (count < limit)
                notes << QStringLiteral("Stopped after message \"%1\" (position %2): its "
                                        "x-delivery-count was %3 when read and is %4 now that "
                                        "it is back, and %5; %6. Nothing past it was read.")
                             .arg(id, QString::number(position), QString::number(count),
                                  QString::number(count + 1), where,
                                  readsLeft <= 0
                                      ? QStringLiteral("reading it once more (browsing "
                                                       "included) and giving it back %1")
                                            .arg(deadLetterTarget(facts))
                                      : QStringLiteral("it can be read and given back %1 more "
                                                       "time(s) (browsing included); the "
                                                       "return after that %2")
                                            .arg(readsLeft)
                                            .arg(deadLetterTarget(facts)));
            else
                notes << QStringLiteral("Nothing past it was read.");
            notes << insist;
            break;
        }
    }
    result.safetyNote = notes.join(QLatin1Char(' '));
    result.markedRedelivered = result.returned > 0;
    if (result.returned > 0) {
        if (auto ok = returnAll(amqp, queue, queue.ready - doomed); !ok)
            return ok.error();
    }
    if (head)
        m_headCounts.insert(key, *head);
    else if (queue.ready == 0)
        m_headCounts.remove(key);
    return result;
}

Result<bool> RabbitQueueBrowser::returnAll(AmqpConnection &amqp, const Inspected &queue,
                                           qint64 expectReady)
{
    // Delivery tag 0 with multiple: every unacknowledged delivery on the channel, seen or not.
    if (auto ok = amqp.nack(0, true, true); !ok)
        return ok;
    // A classic queue has applied the requeue before it answers the passive declare that
    // follows on the same channel; a quorum queue applies returns through its Raft log, so
    // wait (bounded) until the ready count is back, unless others consume and it never is.
    const auto deadline = std::chrono::steady_clock::now()
        + std::min<std::chrono::milliseconds>(m_timeout, kMaxSettleWait);
    for (;;) {
        auto counts = amqp.inspectQueue(queue.facts.name);
        if (!counts)
            return counts.error();
        if (counts->messages >= expectReady || queue.consumers > 0
            || std::chrono::steady_clock::now() >= deadline)
            return true;
        std::this_thread::sleep_for(10ms);
    }
}

Result<RabbitBrowseResult> RabbitQueueBrowser::readStream(AmqpConnection &amqp,
                                                          const RabbitQueueFacts &queue,
                                                          const RabbitBrowseOptions &options)
{
    RabbitBrowseResult result;
    result.queue = queue;
    if (options.limit == 0)
        return result;
    // Acks only return credit to a stream consumer; they remove nothing.
    if (auto ok = amqp.setPrefetch(quint16(std::min<qint64>(options.limit, 1000))); !ok)
        return ok.error();
    auto tag = amqp.consume(queue.name, AmqpConnection::AckMode::Manual,
                            QStringLiteral("veltrix-browse"),
                            {{QStringLiteral("x-stream-offset"), options.offset}});
    if (!tag)
        return tag.error();

    // While the API's message count says more exist, a gap is the broker being slow; past
    // it, a short quiet spell is the end of the stream.
    const auto expecting = std::min<std::chrono::milliseconds>(m_timeout, 3s);
    const auto quiet = std::min<std::chrono::milliseconds>(m_timeout, kStreamIdle);
    const auto idleStart = std::min<std::chrono::milliseconds>(m_timeout, 1s);
    qint64 nextOffset = options.offset;
    while (result.messages.size() < options.limit) {
        if (m_interrupted)
            return interrupted();
        // Unknown count (a new stream's statistics are not out yet): give the reader a
        // moment to start before calling the stream empty.
        const bool more = queue.messages > nextOffset;
        const bool first = result.messages.isEmpty() && queue.messages < 0;
        auto next = amqp.nextDelivery(more        ? expecting
                                          : first ? std::max(quiet, idleStart)
                                                  : quiet);
        if (!next)
            return next.error();
        if (!next->has_value())
            break;
        const AmqpMessage &message = *next.value();
        if (auto ok = amqp.ack(message.deliveryTag); !ok)
            return ok.error();
        const QVariant offsetHeader
            = message.properties.headers.value(QStringLiteral("x-stream-offset"));
        const qint64 offset = offsetHeader.isValid() ? offsetHeader.toLongLong() : nextOffset;
        if (offset < options.offset)
            continue; // the chunk holding the requested offset starts before it
        BrowsedMessage browsed = toBrowsed(message, -1, options.maxPayloadBytes, false);
        browsed.offset = offset;
        browsed.id = QStringLiteral("@%1").arg(offset);
        result.messages.append(std::move(browsed));
        nextOffset = offset + 1;
    }
    // A stream delivery's ack only returns credit: nothing is removed.
    if (auto ok = cancelAndTakeLate(
            amqp, tag.value(), [&](const AmqpMessage &late) { return amqp.ack(late.deliveryTag); });
        !ok)
        return ok.error();
    return result;
}

} // namespace veltrix
