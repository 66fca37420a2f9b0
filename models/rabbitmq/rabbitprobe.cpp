// The RabbitMQ probes, all on one thread:
//   publish→consume  a probe published to a temporary exclusive queue and consumed from it
//   publish→confirm  the publisher-confirm round trip of those same publishes
//   request→reply    a request to a responder (a second connection, served here too) that
//                    answers over direct reply-to, the request-response pattern of many
//                    RabbitMQ meshes
// Every queue is server-named and exclusive, so nothing is left behind on the broker.
#include "amqpconnection.h"
#include "amqpendpoint.h"
#include "metrics/probe.h"

#include <QDateTime>
#include <QUrl>

#include <poll.h>

#include <algorithm>
#include <map>

namespace veltrix {

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

const QString DirectReplyTo = u"amq.rabbitmq.reply-to"_s;
constexpr auto CallTimeout = 5s;

class RabbitProbe final : public Probe
{
public:
    RabbitProbe(const ClusterProfile &profile, const ProbeSettings &settings)
        : m_profile(profile)
        , m_settings(settings)
    { }

    Result<bool> open();
    Result<bool> step(std::chrono::milliseconds budget, bool sendProbes, ProbeTick &tick) override;
    int pending() const override { return int(m_pending.size()); }
    QString target() const override { return m_target; }
    int partitions() const override { return 1; }

private:
    struct Sent
    {
        double sentAt; // wall clock, seconds since the epoch
        Clock::time_point sentSteady;
    };
    using Key = std::pair<ProbeKind, quint64>;

    Result<bool> sendRound(ProbeTick &tick);
    Result<bool> waitForInput(Clock::time_point until);
    Result<bool> serveClient(ProbeTick &tick);
    Result<bool> serveResponder();
    void expire(ProbeTick &tick);
    void resolve(const Key &key, std::optional<double> latencyMs, ProbeTick &tick);
    static std::optional<quint64> sequenceOf(const QString &id, QStringView prefix);

    ClusterProfile m_profile;
    ProbeSettings m_settings;
    QString m_target;
    std::unique_ptr<AmqpConnection> m_client;
    std::unique_ptr<AmqpConnection> m_responder;
    QString m_probeQueue; // publish→consume, consumed by the client
    QString m_requestQueue; // request→reply, consumed by the responder
    QString m_probeConsumer;
    std::map<quint64, quint64> m_confirmOf; // publish sequence -> probe sequence
    std::map<Key, Sent> m_pending;
    quint64 m_nextSequence = 0;
    Clock::time_point m_nextRound;
};

Result<bool> RabbitProbe::open()
{
    auto endpoint = AmqpEndpoint::forProfile(m_profile);
    if (!endpoint)
        return endpoint.error();
    m_target = u"rabbitmq:%1/%2"_s.arg(
        m_profile.name, QString::fromUtf8(QUrl::toPercentEncoding(endpoint.value().vhost)));
    auto client = AmqpConnection::open(m_profile.name, endpoint.value(), CallTimeout);
    if (!client)
        return client.error();
    m_client = std::move(client).value();
    auto responder = AmqpConnection::open(m_profile.name, endpoint.value(), CallTimeout);
    if (!responder)
        return responder.error();
    m_responder = std::move(responder).value();

    auto probeQueue = m_client->declareTemporaryQueue();
    if (!probeQueue)
        return probeQueue.error();
    m_probeQueue = probeQueue.value();
    auto requestQueue = m_responder->declareTemporaryQueue();
    if (!requestQueue)
        return requestQueue.error();
    m_requestQueue = requestQueue.value();

    // Direct reply-to needs its consumer on the channel the requests go out on, in
    // auto-ack mode; the probe queue is consumed the same way (nothing to settle).
    auto consumer = m_client->consume(m_probeQueue, AmqpConnection::AckMode::Auto);
    if (!consumer)
        return consumer.error();
    m_probeConsumer = consumer.value();
    if (auto replies = m_client->consume(DirectReplyTo, AmqpConnection::AckMode::Auto); !replies)
        return replies.error();
    if (auto requests = m_responder->consume(m_requestQueue, AmqpConnection::AckMode::Auto);
        !requests)
        return requests.error();
    if (auto confirms = m_client->selectConfirms(); !confirms)
        return confirms;
    m_client->setTrackSettlements(true);
    m_nextRound = Clock::now();
    return true;
}

Result<bool> RabbitProbe::sendRound(ProbeTick &tick)
{
    const quint64 sequence = m_nextSequence++;
    const double wall = double(QDateTime::currentMSecsSinceEpoch()) / 1000.0;
    AmqpMessageProperties probe;
    probe.deliveryMode = 1; // a temporary queue: nothing to persist
    probe.messageId = u"pc-%1"_s.arg(sequence);
    const Clock::time_point sent = Clock::now();
    if (auto ok = m_client->publish({}, m_probeQueue, "veltrix probe", probe); !ok)
        return ok;
    m_confirmOf[m_client->lastPublishSequence()] = sequence;
    m_pending[{ProbeKind::RabbitPublishConsume, sequence}] = {wall, sent};
    m_pending[{ProbeKind::RabbitPublishConfirm, sequence}] = {wall, sent};

    AmqpMessageProperties request;
    request.deliveryMode = 1;
    request.replyTo = DirectReplyTo;
    request.correlationId = u"rr-%1"_s.arg(sequence);
    const Clock::time_point asked = Clock::now();
    if (auto ok = m_client->publish({}, m_requestQueue, "veltrix request", request); !ok)
        return ok;
    m_pending[{ProbeKind::RabbitRequestReply, sequence}] = {wall, asked};
    tick.sent += 3;
    return true;
}

Result<bool> RabbitProbe::waitForInput(Clock::time_point until)
{
    if (m_client->hasBufferedInput() || m_responder->hasBufferedInput())
        return true;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
    pollfd fds[2] = {{m_client->socketFd(), POLLIN, 0}, {m_responder->socketFd(), POLLIN, 0}};
    // Short waits: the next round may fall due meanwhile.
    if (::poll(fds, 2, int(std::clamp<qint64>(left.count(), 0, 20))) < 0 && errno != EINTR)
        return BrokerError::make(BrokerError::Kind::Other,
                                 u"%1: waiting for the probes failed"_s.arg(m_profile.name));
    return true;
}

std::optional<quint64> RabbitProbe::sequenceOf(const QString &id, QStringView prefix)
{
    if (!id.startsWith(prefix))
        return std::nullopt;
    bool ok = false;
    const quint64 sequence = QStringView(id).mid(prefix.size()).toULongLong(&ok);
    return ok ? std::optional<quint64>(sequence) : std::nullopt;
}

Result<bool> RabbitProbe::serveClient(ProbeTick &tick)
{
    for (;;) {
        auto delivery = m_client->nextDelivery(0ms);
        if (!delivery)
            return delivery.error();
        const Clock::time_point arrived = Clock::now();
        for (const AmqpConnection::Settlement &settlement : m_client->takeSettlements()) {
            const auto it = m_confirmOf.find(settlement.sequence);
            if (it == m_confirmOf.end())
                continue; // a request's confirm: not measured
            const Key key {ProbeKind::RabbitPublishConfirm, it->second};
            const auto sent = m_pending.find(key);
            if (sent != m_pending.end())
                resolve(key,
                        settlement.acked
                            ? std::optional<double>(std::chrono::duration<double, std::milli>(
                                                        arrived - sent->second.sentSteady)
                                                        .count())
                            : std::nullopt,
                        tick);
            m_confirmOf.erase(it);
        }
        if (!delivery.value())
            return true;
        const AmqpMessage &message = *delivery.value();
        const bool reply = message.consumerTag != m_probeConsumer;
        const auto sequence = reply ? sequenceOf(message.properties.correlationId, u"rr-")
                                    : sequenceOf(message.properties.messageId, u"pc-");
        if (!sequence)
            continue; // not ours
        const Key key {reply ? ProbeKind::RabbitRequestReply : ProbeKind::RabbitPublishConsume,
                       *sequence};
        if (const auto sent = m_pending.find(key); sent != m_pending.end())
            resolve(key,
                    std::chrono::duration<double, std::milli>(arrived - sent->second.sentSteady)
                        .count(),
                    tick);
    }
}

Result<bool> RabbitProbe::serveResponder()
{
    for (;;) {
        auto request = m_responder->nextDelivery(0ms);
        if (!request)
            return request.error();
        if (!request.value())
            return true;
        const AmqpMessage &message = *request.value();
        if (message.properties.replyTo.isEmpty())
            continue;
        AmqpMessageProperties reply;
        reply.deliveryMode = 1;
        reply.correlationId = message.properties.correlationId;
        if (auto ok = m_responder->publish({}, message.properties.replyTo, "veltrix reply", reply);
            !ok)
            return ok;
    }
}

void RabbitProbe::expire(ProbeTick &tick)
{
    const Clock::time_point now = Clock::now();
    std::vector<Key> late;
    for (const auto &[key, sent] : m_pending) {
        if (now - sent.sentSteady > m_settings.deadline)
            late.push_back(key);
    }
    for (const Key &key : late)
        resolve(key, std::nullopt, tick);
}

void RabbitProbe::resolve(const Key &key, std::optional<double> latencyMs, ProbeTick &tick)
{
    const auto it = m_pending.find(key);
    if (it == m_pending.end())
        return;
    if (latencyMs && *latencyMs > double(m_settings.deadline.count()))
        latencyMs.reset();
    ProbeOutcome outcome;
    outcome.kind = key.first;
    outcome.sentAt = it->second.sentAt;
    outcome.latencyMs = latencyMs;
    tick.outcomes.append(outcome);
    m_pending.erase(it);
}

Result<bool> RabbitProbe::step(std::chrono::milliseconds budget, bool sendProbes, ProbeTick &tick)
{
    const Clock::time_point until = Clock::now() + budget;
    const auto interval = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(1.0 / std::max(m_settings.rate, 0.01)));
    do {
        while (sendProbes && Clock::now() >= m_nextRound) {
            if (auto ok = sendRound(tick); !ok)
                return ok;
            m_nextRound += interval;
            if (Clock::now() - m_nextRound > interval) // behind: no burst to catch up
                m_nextRound = Clock::now() + interval;
        }
        if (auto ok = waitForInput(until); !ok)
            return ok;
        if (auto ok = serveResponder(); !ok)
            return ok;
        if (auto ok = serveClient(tick); !ok)
            return ok;
        expire(tick);
    } while (Clock::now() < until);
    return true;
}

} // namespace

Result<std::unique_ptr<Probe>> openRabbitProbe(const ClusterProfile &profile,
                                               const ProbeSettings &settings)
{
    auto probe = std::make_unique<RabbitProbe>(profile, settings);
    if (auto ok = probe->open(); !ok)
        return ok.error();
    return std::unique_ptr<Probe>(std::move(probe));
}

} // namespace veltrix
