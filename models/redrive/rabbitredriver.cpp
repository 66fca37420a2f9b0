// RabbitMQ redrive: consume the DLQ with manual acks, publish each selected message with
// publisher confirms and the mandatory flag, ack the DLQ copy only after the broker
// confirmed the new one. Everything not moved stays unacknowledged until the end and is
// then given back in one nack, so a classic queue keeps its order and nothing is lost when
// the connection drops: the broker requeues whatever was unacknowledged.
#include "redriveengine.h"

#include "rabbitmq/amqpconnection.h"
#include "rabbitmq/amqpendpoint.h"
#include "rabbitmq/rabbitqueuebrowser.h"

#include <QSet>

#include <poll.h>

#include <limits>
#include <map>
#include <set>
#include <utility>

namespace veltrix {

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

constexpr qint64 WholePayload = std::numeric_limits<qint64>::max();

// Where a message stood in the queue when the run began, for "#<position>" ids: after a
// reconnect the broker redelivers what is left in the original order (classic queues), so
// the n-th delivery is the n-th position not moved yet.
class QueuePositions
{
public:
    void restart() { m_next = 0; }
    qint64 next()
    {
        while (m_moved.count(m_next))
            ++m_next;
        return m_next++;
    }
    void markMoved(qint64 position) { m_moved.insert(position); }

private:
    qint64 m_next = 0;
    std::set<qint64> m_moved;
};

// The message ids most recently acknowledged on the DLQ: an ack has no confirm, so the
// last ones sent before a fault may be lost and their messages come back although the
// destination holds them. Two generations bound the memory on long runs; only the newest
// acks can be lost.
class RecentAcks
{
public:
    explicit RecentAcks(qsizetype generation)
        : m_generation(generation)
    { }
    void add(const QString &id)
    {
        if (m_current.size() >= m_generation)
            m_previous = std::exchange(m_current, {});
        m_current.insert(id);
    }
    QSet<QString> take()
    {
        QSet<QString> all = std::exchange(m_previous, {});
        all.unite(std::exchange(m_current, {}));
        return all;
    }

private:
    qsizetype m_generation;
    QSet<QString> m_current, m_previous;
};

struct InFlight
{
    quint64 dlqTag = 0;
    qint64 position = 0;
    QString id;
    QString target;
    // For matching a basic.return to its publish: returns carry no sequence number.
    QString exchange, routingKey, messageId;
    QByteArray body;
    QString returnedBecause; // set when the broker returned it
    bool againAfterFault = false; // a copy of a message already counted as moved
};

// Whether a failed call is worth a reconnect: the connection dropped or timed out, or the
// broker shut down (320 CONNECTION_FORCED). While a node restarts after a fault its vhost
// and queues come back one by one, so those errors are worth waiting out too.
bool isTransient(const BrokerError &error, int closeCode, bool afterFault)
{
    using Kind = BrokerError::Kind;
    switch (error.kind) {
    case Kind::Unreachable:
    case Kind::Timeout:
    case Kind::Other:
        return true;
    case Kind::Protocol:
        return closeCode == 320 || (afterFault && closeCode == 404);
    case Kind::VhostMissing:
        return afterFault;
    default:
        return false;
    }
}

QString returnReason(const AmqpMessage &returned)
{
    return u"unroutable: the broker returned it (%1 %2): no queue is bound for it"_s.arg(
        QString::number(returned.replyCode), returned.replyText);
}

class RabbitRedriver
{
public:
    explicit RabbitRedriver(RedriveRun &run)
        : m_run(run)
        , m_request(run.request)
        , m_report(run.report)
    { }

    void run();

private:
    void dryRun();
    Result<bool> connect();
    Result<bool> pass(); // until done, cancelled or a fault
    Result<bool> take(AmqpMessage message);
    Result<bool> publish(const AmqpMessage &message, const BrowsedMessage &browsed,
                         const RedriveTarget &target, bool againAfterFault = false);
    Result<bool> settle();
    Result<bool> ackDlqCopies(const QList<quint64> &tags);
    Result<bool> drainInFlight(std::chrono::milliseconds timeout);
    Result<bool> giveBackHeld();
    Result<bool> consume(); // a fresh consumer on the DLQ
    void disconnect();
    Result<bool> waitForBroker(std::chrono::milliseconds timeout);
    void hold(quint64 tag) { m_held.insert(tag); }
    void leaveBehind(const QString &id) { m_leftBehind.insert(id); }
    bool lookedAtAll() const { return m_total >= 0 && looked() >= m_total; }
    qint64 looked() const
    {
        return m_report.moved + m_report.failed + m_report.skipped + m_report.notSelected;
    }
    void progress(const QString &state, bool force = false)
    {
        m_report.looked = looked();
        m_run.progress(m_total, looked(), state, force);
    }
    void stop(RedriveReport::Outcome outcome, const QString &error)
    {
        m_report.outcome = outcome;
        m_report.error = error;
    }

    RedriveRun &m_run;
    const RedriveRequest &m_request;
    RedriveReport &m_report;

    RabbitQueueFacts m_facts;
    bool m_quorum = false;
    qint64 m_total = -1;
    // Two connections, as the shovel has: consuming and acking on one, publishing and
    // confirms on the other, so the broker works on both sides at once.
    std::unique_ptr<AmqpConnection> m_source;
    std::unique_ptr<AmqpConnection> m_sink;
    QString m_consumerTag;
    qint64 m_heldSinceConsume = 0;
    std::map<quint64, InFlight> m_inFlight; // by publish sequence
    std::set<quint64> m_held; // DLQ delivery tags left unacknowledged until the end
    QSet<QString> m_leftBehind; // ids decided "stays", so a redelivery is not counted twice
    RecentAcks m_recentAcks {std::max<qsizetype>(4 * m_request.window, 4096)};
    QSet<QString> m_mayComeBack; // ids acked just before a connection failed
    QueuePositions m_positions;
    bool m_selectionDone = false; // the limit is reached
    bool m_everConnected = false;
    int m_takenSincePump = 0;
};

void RabbitRedriver::run()
{
    RabbitQueueBrowser browser(m_run.profile, m_run.timeout);
    auto facts = browser.facts(m_request.source.vhost, m_request.source.name);
    if (!facts)
        return stop(RedriveReport::Outcome::Stopped, facts.error().describe());
    m_facts = facts.value();
    m_quorum = m_facts.type == u"quorum"_s;
    if (m_facts.type == u"stream"_s)
        return stop(RedriveReport::Outcome::Refused,
                    u"%1 is a stream: its messages cannot be taken out, so a redrive would "
                    "copy them; browse it and republish instead"_s.arg(m_facts.name));
    const bool narrowed = m_request.ids || !m_request.filter.isEmpty();
    if (m_quorum && m_facts.deliveryLimit && narrowed && !m_request.dryRun)
        return stop(RedriveReport::Outcome::Refused,
                    u"quorum queue %1 has a delivery-limit of %2 (%3): every message a "
                    "narrowed redrive leaves behind counts a delivery and can be "
                    "dead-lettered or dropped; redrive the whole queue or raise the limit"_s
                        .arg(m_facts.name)
                        .arg(*m_facts.deliveryLimit)
                        .arg(m_facts.deliveryLimitSource));
    if (m_request.dryRun)
        return dryRun();

    const auto retryFor = std::chrono::seconds(m_request.retryForSeconds);
    // A plain time point with a flag: GCC 12 misreads an optional here as uninitialised.
    std::chrono::steady_clock::time_point faultSince {};
    bool inFault = false;
    auto backoff = 250ms;
    int attempt = 0;
    while (!m_run.control.isCancelled()) {
        Result<bool> connected = true;
        if (!m_source) {
            connected = connect();
            if (connected && inFault) { // recovered: a later fault gets its own retries
                ++m_report.reconnects;
                inFault = false;
                backoff = 250ms;
                attempt = 0;
            }
        }
        auto finished = connected ? pass() : connected;
        if (finished)
            break; // done or cancelled
        // A fault: the broker requeues every unacknowledged message when the connection
        // goes, so the held ones and the unconfirmed ones are back in the DLQ. The
        // unconfirmed ones may also have reached the destination: they are republished
        // on the next pass, which is where duplicates come from, at most a window's worth.
        const int closeCode = std::max(m_source ? m_source->lastCloseCode() : 0,
                                       m_sink ? m_sink->lastCloseCode() : 0);
        m_report.republished += qint64(m_inFlight.size());
        m_inFlight.clear();
        m_held.clear();
        m_mayComeBack.unite(m_recentAcks.take());
        disconnect();
        // A broker that never answered is an error to report now, not to wait out.
        if (!m_everConnected || !isTransient(finished.error(), closeCode, inFault))
            return stop(RedriveReport::Outcome::Stopped, finished.error().describe());
        const auto now = std::chrono::steady_clock::now();
        if (!inFault) {
            inFault = true;
            faultSince = now;
        }
        if (now - faultSince > retryFor)
            return stop(RedriveReport::Outcome::Stopped,
                        u"gave up after %1 s of retrying: %2"_s.arg(m_request.retryForSeconds)
                            .arg(finished.error().describe()));
        progress(u"reconnecting in %1 ms (attempt %2): %3"_s.arg(backoff.count())
                     .arg(++attempt)
                     .arg(finished.error().describe()),
                 true);
        m_run.sleepFor(backoff);
        backoff = std::min<std::chrono::milliseconds>(backoff * 2, 5s);
    }
    if (m_source) {
        // Cancelled or done: let what is in flight finish, then give the rest back.
        auto drained = drainInFlight(m_run.timeout);
        auto returned = drained ? giveBackHeld() : drained;
        if (!returned)
            m_report.republished += qint64(m_inFlight.size());
        disconnect(); // closing requeues anything still unacknowledged
    }
    if (m_run.control.isCancelled())
        m_report.outcome = RedriveReport::Outcome::Cancelled;
    progress(u"finished"_s, true);
}

void RabbitRedriver::dryRun()
{
    // Browsing reads and returns every message, like the DLQ view, and changes nothing.
    RabbitQueueBrowser browser(m_run.profile, m_run.timeout);
    RabbitBrowseOptions options;
    options.limit = int(std::min<qint64>(std::max<qint64>(m_facts.messages, 0) + 1000,
                                         std::numeric_limits<int>::max()));
    options.maxPayloadBytes = WholePayload;
    progress(u"reading the DLQ"_s, true);
    auto browsed = browser.browse(m_facts.vhost, m_facts.name, options);
    if (!browsed)
        return stop(RedriveReport::Outcome::Stopped, browsed.error().describe());
    m_total = browsed->messages.size();
    for (const BrowsedMessage &message : browsed->messages) {
        if (!m_run.selects(message))
            continue;
        if (!m_run.wantsMore()) {
            ++m_report.notSelected;
            continue;
        }
        m_run.countSelected();
        if (auto target = m_run.targetFor(message))
            m_report.addItem({RedriveItem::Outcome::Moved, message.id, target->describe(), {}});
    }
    if (browsed->stoppedForSafety)
        stop(RedriveReport::Outcome::Stopped, browsed->safetyNote);
    progress(u"finished"_s, true);
}

Result<bool> RabbitRedriver::connect()
{
    auto endpoint = AmqpEndpoint::forProfile(m_run.profile);
    if (!endpoint)
        return endpoint.error();
    endpoint.value().vhost = m_facts.vhost;
    progress(u"connecting"_s, true);
    auto source = AmqpConnection::open(m_run.profile.name, endpoint.value(), m_run.timeout);
    if (!source)
        return source.error();
    auto sink = AmqpConnection::open(m_run.profile.name, endpoint.value(), m_run.timeout);
    if (!sink)
        return sink.error();
    m_source = std::move(source).value();
    m_sink = std::move(sink).value();
    m_everConnected = true;
    if (m_total < 0) {
        // The ready count now bounds the run: messages that die again while it runs come
        // back behind these and are not looped over.
        auto counts = m_source->inspectQueue(m_facts.name);
        if (!counts)
            return counts.error();
        m_total = counts->messages;
        const bool narrowed = m_request.ids || !m_request.filter.isEmpty();
        if (!narrowed && m_request.limit >= 0)
            m_total = std::min(m_total, m_request.limit);
    }
    // A chosen exchange that is missing would close the channel at the first publish.
    if (m_request.destination.mode == RedriveDestination::Mode::Exchange
        && !m_request.destination.name.isEmpty())
        if (auto ok = m_sink->checkExchange(m_request.destination.name); !ok)
            return ok;
    if (auto ok = m_sink->selectConfirms(); !ok)
        return ok;
    m_sink->setTrackSettlements(true);
    if (auto ok = m_source->setPrefetch(quint16(std::min(m_request.window, 65535))); !ok)
        return ok;
    m_positions.restart();
    return consume();
}

Result<bool> RabbitRedriver::pass()
{
    auto idleSince = std::chrono::steady_clock::now();
    while (!m_run.control.isCancelled()) {
        if (auto ok = settle(); !ok)
            return ok;
        const bool allTaken = lookedAtAll() || m_selectionDone;
        if (allTaken && m_inFlight.empty())
            return true;
        const bool room = !m_run.control.isPaused() && !allTaken
            && qsizetype(m_inFlight.size()) < m_request.window;
        if (room) {
            auto delivery = m_source->nextDelivery(0ms);
            if (!delivery)
                return delivery.error();
            if (delivery->has_value()) {
                idleSince = std::chrono::steady_clock::now();
                if (auto ok = take(std::move(*delivery.value())); !ok)
                    return ok;
                // Read confirms as they come, not only once the window is full: the
                // acks they allow keep the broker delivering without a pause.
                if (++m_takenSincePump >= 32) {
                    m_takenSincePump = 0;
                    if (auto ok = waitForBroker(0ms); !ok)
                        return ok;
                }
                progress(u"running"_s);
                continue;
            }
        }
        if (room && m_inFlight.empty() && std::chrono::steady_clock::now() - idleSince > 2s) {
            // Nothing arrives although the run expected more: someone else took them.
            auto counts = m_source->inspectQueue(m_facts.name);
            if (!counts)
                return counts.error();
            if (counts->messages == 0)
                return true;
            idleSince = std::chrono::steady_clock::now();
        }
        progress(u"running"_s);
        if (auto arrived = waitForBroker(50ms); !arrived)
            return arrived.error();
    }
    return true;
}

Result<bool> RabbitRedriver::take(AmqpMessage message)
{
    const QString &messageId = message.properties.messageId;
    if (message.redelivered && !messageId.isEmpty() && m_mayComeBack.remove(messageId)) {
        // Moved already, but its ack was lost with the connection. Published again rather
        // than dropped (a different message may share the id: never lose one), not counted
        // twice, and holding no queue position (it was at the destination before).
        const BrowsedMessage copy = browsedFromAmqp(message, -1, WholePayload, m_quorum);
        if (const auto target = m_run.targetFor(copy))
            return publish(message, copy, *target, true);
    }
    const qint64 position = m_positions.next();
    const BrowsedMessage browsed = browsedFromAmqp(message, position, WholePayload, m_quorum);
    if (m_leftBehind.contains(browsed.id) || lookedAtAll()) {
        // Seen before a reconnect, or beyond what the run covers: stays where it is.
        hold(message.deliveryTag);
        return true;
    }
    if (!m_run.selects(browsed)) {
        leaveBehind(browsed.id);
        hold(message.deliveryTag);
        ++m_heldSinceConsume;
    } else if (!m_run.wantsMore()) {
        m_selectionDone = true;
        hold(message.deliveryTag);
        return true;
    } else {
        m_run.countSelected();
        const auto target = m_run.targetFor(browsed);
        if (!target) {
            leaveBehind(browsed.id);
            hold(message.deliveryTag);
            ++m_heldSinceConsume;
        } else {
            for (auto delay = m_run.sendDelay(); delay.count() > 0; delay = m_run.sendDelay()) {
                // Wait for the pace without going deaf to confirms.
                const auto slice = std::chrono::duration_cast<std::chrono::milliseconds>(delay);
                if (auto ok = waitForBroker(std::max(slice, 1ms)); !ok)
                    return ok;
                if (auto ok = settle(); !ok)
                    return ok;
            }
            if (auto ok = publish(message, browsed, *target); !ok)
                return ok;
        }
    }
    // Messages left behind stay unacknowledged and use up the consumer's prefetch; a new
    // consumer starts with a fresh prefetch while the old one's messages stay ours.
    if (m_heldSinceConsume >= std::max(1, m_request.window / 2)) {
        if (auto ok = m_source->cancel(m_consumerTag); !ok)
            return ok;
        return consume();
    }
    return true;
}

Result<bool> RabbitRedriver::publish(const AmqpMessage &message, const BrowsedMessage &browsed,
                                     const RedriveTarget &target, bool againAfterFault)
{
    AmqpMessageProperties properties = message.properties;
    QByteArray body = message.body;
    if (const auto repair = m_request.repairs.constFind(browsed.id);
        repair != m_request.repairs.cend()) {
        if (repair->payload)
            body = *repair->payload;
        if (repair->amqpHeaders)
            properties.headers = *repair->amqpHeaders;
    }
    properties
        = redriveProperties(properties, m_request.deathHistory, QDateTime::currentDateTimeUtc());
    if (auto ok = m_sink->publish(target.exchange, target.routingKey, body, properties, true); !ok)
        return ok;
    m_inFlight.emplace(m_sink->lastPublishSequence(),
                       InFlight {message.deliveryTag,
                                 browsed.position,
                                 browsed.id,
                                 target.describe(),
                                 target.exchange,
                                 target.routingKey,
                                 properties.messageId,
                                 body,
                                 {},
                                 againAfterFault});
    return true;
}

Result<bool> RabbitRedriver::settle()
{
    for (const AmqpMessage &returned : m_sink->takeReturned()) {
        for (auto &[sequence, flight] : m_inFlight) {
            if (flight.returnedBecause.isEmpty() && flight.exchange == returned.exchange
                && flight.routingKey == returned.routingKey
                && flight.messageId == returned.properties.messageId
                && flight.body == returned.body) {
                flight.returnedBecause = returnReason(returned);
                break;
            }
        }
    }
    QList<quint64> confirmedTags; // ascending: the broker confirms in publish order
    for (const AmqpConnection::Settlement &settled : m_sink->takeSettlements()) {
        auto found = m_inFlight.find(settled.sequence);
        if (found == m_inFlight.end())
            continue;
        InFlight flight = std::move(found->second);
        m_inFlight.erase(found);
        if (settled.acked && flight.returnedBecause.isEmpty()) {
            confirmedTags.append(flight.dlqTag);
            if (!flight.messageId.isEmpty()) // a position can't tell a copy: no message id
                m_recentAcks.add(flight.messageId);
            if (flight.againAfterFault) {
                ++m_report.republished;
                continue;
            }
            m_positions.markMoved(flight.position);
            m_report.addItem({RedriveItem::Outcome::Moved, flight.id, flight.target, {}});
            continue;
        }
        if (flight.againAfterFault) { // the first copy arrived; this one stays in the DLQ
            hold(flight.dlqTag);
            continue;
        }
        hold(flight.dlqTag);
        leaveBehind(flight.id);
        if (!flight.returnedBecause.isEmpty())
            m_report.addItem(
                {RedriveItem::Outcome::Skipped, flight.id, flight.target, flight.returnedBecause});
        else
            m_report.addItem({RedriveItem::Outcome::Failed, flight.id, flight.target,
                              u"the broker refused it (basic.nack)"_s});
    }
    return ackDlqCopies(confirmedTags);
}

// Takes the confirmed messages out of the DLQ. One ack with "multiple" when nothing still
// unacknowledged lies below them (the usual case: confirms come in runs), else one by one,
// so a message left behind is never acknowledged by accident.
Result<bool> RabbitRedriver::ackDlqCopies(const QList<quint64> &tags)
{
    if (tags.isEmpty())
        return true;
    quint64 lowestOutstanding = std::numeric_limits<quint64>::max();
    if (!m_held.empty())
        lowestOutstanding = *m_held.begin();
    // Deliveries are published in the order they arrive, so the oldest publish holds the
    // lowest delivery tag in flight.
    if (!m_inFlight.empty())
        lowestOutstanding = std::min(lowestOutstanding, m_inFlight.begin()->second.dlqTag);
    const quint64 highest = *std::max_element(tags.cbegin(), tags.cend());
    if (highest < lowestOutstanding)
        return m_source->ack(highest, true);
    for (quint64 tag : tags)
        if (auto ok = m_source->ack(tag); !ok)
            return ok;
    return true;
}

Result<bool> RabbitRedriver::drainInFlight(std::chrono::milliseconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!m_inFlight.empty()) {
        if (std::chrono::steady_clock::now() > deadline)
            return BrokerError::make(
                BrokerError::Kind::Timeout,
                u"%1 messages were not confirmed in time"_s.arg(m_inFlight.size()));
        if (auto ok = waitForBroker(50ms); !ok)
            return ok;
        if (auto ok = settle(); !ok)
            return ok;
    }
    return true;
}

Result<bool> RabbitRedriver::giveBackHeld()
{
    // Stop deliveries first; late ones are held like the rest.
    if (auto ok = m_source->cancel(m_consumerTag); !ok)
        return ok;
    for (;;) {
        auto late = m_source->nextDelivery(0ms);
        if (!late)
            return late.error();
        if (!late->has_value())
            break;
        hold(late->value().deliveryTag);
    }
    if (m_held.empty())
        return true;
    // Nothing else is unacknowledged now, so one nack returns them all, in order.
    return m_source->nack(*m_held.rbegin(), true, true);
}

Result<bool> RabbitRedriver::consume()
{
    auto tag = m_source->consume(m_facts.name, AmqpConnection::AckMode::Manual);
    if (!tag)
        return tag.error();
    m_consumerTag = tag.value();
    m_heldSinceConsume = 0;
    return true;
}

void RabbitRedriver::disconnect()
{
    // The sink first: the source's unacknowledged messages are requeued when it closes.
    m_sink.reset();
    m_source.reset();
}

// Waits until either connection has something (a delivery, a confirm, a return), then
// reads what has arrived on both.
Result<bool> RabbitRedriver::waitForBroker(std::chrono::milliseconds timeout)
{
    AmqpConnection *both[] = {m_source.get(), m_sink.get()};
    if (!m_source->hasBufferedInput() && !m_sink->hasBufferedInput()) {
        pollfd fds[2] = {{m_source->socketFd(), POLLIN, 0}, {m_sink->socketFd(), POLLIN, 0}};
        const int ready = ::poll(fds, 2, int(timeout.count()));
        if (ready <= 0)
            return true; // nothing yet (or EINTR): the caller loops
    }
    for (AmqpConnection *connection : both) {
        // A bounded number per call keeps the two sides fair.
        for (int frames = 0; frames < 256; ++frames) {
            auto arrived = connection->poll(0ms);
            if (!arrived)
                return arrived.error();
            if (!arrived.value())
                break;
        }
    }
    return true;
}

} // namespace

void runRabbitRedrive(RedriveRun &run)
{
    RabbitRedriver(run).run();
}

} // namespace veltrix
