// Our RabbitMQ redrive against RabbitMQ's own "move messages" (the shovel management
// plugin's dynamic shovel: src-delete-after queue-length, ack-mode on-confirm), on one
// private node with the shovel plugins enabled, same message count, same sizes, publisher
// confirms on both sides. Each side runs twice; the better run counts.
#include "benchoutput.h"
#include "redrive.h"

#include "rabbitmq/amqpconnection.h"
#include "rabbitmq/amqpendpoint.h"
#include "rabbitmq/localrabbitnode.h"
#include "rabbitmq/managementclient.h"
#include "redrive/redriveengine.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QThread>

#include <atomic>
#include <thread>

namespace veltrix::bench {

namespace {

using namespace std::chrono_literals;
constexpr const char *Bench = "redrive";

QString check(const BrokerError &error)
{
    return error.describe();
}

std::unique_ptr<AmqpConnection> connect(const LocalRabbitNodeInfo &node)
{
    auto endpoint = AmqpEndpoint::parse(node.amqpUri());
    if (!endpoint)
        fail(Bench, check(endpoint.error()));
    auto amqp = AmqpConnection::open(QStringLiteral("bench"), endpoint.value(), 30s);
    if (!amqp)
        fail(Bench, check(amqp.error()));
    return std::move(amqp).value();
}

// `count` persistent ~200-byte dead letters in `dlq`, each with the x-death RabbitMQ writes
// when a consumer of `work` rejects it.
void fillDlq(AmqpConnection &amqp, const QString &dlq, const QString &work, int count)
{
    if (!amqp.declareQueue(dlq, true) || !amqp.declareQueue(work, true) || !amqp.selectConfirms())
        fail(Bench, QStringLiteral("cannot declare the queues"));
    const QVariantMap death {{QStringLiteral("count"), qint64(1)},
                             {QStringLiteral("reason"), QStringLiteral("rejected")},
                             {QStringLiteral("queue"), work},
                             {QStringLiteral("exchange"), QString()},
                             {QStringLiteral("routing-keys"), QVariantList {work}}};
    const QByteArray body
        = R"({"order":12345,"sku":"A-1","error":"timeout"})" + QByteArray(150, 'x');
    for (int i = 0; i < count; ++i) {
        AmqpMessageProperties props;
        props.messageId = QStringLiteral("m-%1").arg(i);
        props.contentType = QStringLiteral("application/json");
        props.headers = {{QStringLiteral("x-death"), QVariantList {death}}};
        if (!amqp.publish(QString(), dlq, body, props))
            fail(Bench, QStringLiteral("publishing the dead letters failed"));
        if (i % 5000 == 4999 || i == count - 1) {
            auto confirmed = amqp.waitForConfirms(120s);
            if (!confirmed || !confirmed.value())
                fail(Bench, QStringLiteral("the broker did not confirm the dead letters"));
        }
    }
}

qint64 ready(AmqpConnection &amqp, const QString &queue)
{
    auto counts = amqp.inspectQueue(queue);
    return counts ? counts->messages : -1;
}

ClusterProfile profileFor(const LocalRabbitNodeInfo &node)
{
    ClusterProfile profile;
    profile.name = QStringLiteral("bench");
    profile.kind = ClusterKind::RabbitMq;
    profile.amqpUri = node.amqpUri();
    profile.managementUrl = node.managementUrl();
    return profile;
}

// `<prefix>.dlq` full of `count` dead letters of an empty `<prefix>.work`.
std::unique_ptr<AmqpConnection> freshDlq(const LocalRabbitNodeInfo &node, const QString &prefix,
                                         int count)
{
    auto amqp = connect(node);
    amqp->deleteQueue(prefix + QStringLiteral(".dlq"));
    amqp->deleteQueue(prefix + QStringLiteral(".work"));
    fillDlq(*amqp, prefix + QStringLiteral(".dlq"), prefix + QStringLiteral(".work"), count);
    return amqp;
}

double oursPerSecond(const LocalRabbitNodeInfo &node, int count)
{
    const QString dlq = QStringLiteral("ours.dlq"), work = QStringLiteral("ours.work");
    auto amqp = freshDlq(node, QStringLiteral("ours"), count);

    const ClusterProfile profile = profileFor(node);
    RedriveRequest request;
    request.source = {ClusterKind::RabbitMq, profile.name, QStringLiteral("/"), dlq};
    request.window = 1000; // the shovel's default prefetch
    // Timed as the shovel is: from the start until the destination holds every message.
    RedriveControl control;
    RedriveReport report;
    std::atomic<bool> finished {false};
    QElapsedTimer clock;
    clock.start();
    std::thread run([&] {
        report = RedriveEngine(profile).run(request, control);
        finished = true;
    });
    auto watcher = connect(node);
    while (ready(*watcher, work) < count && !finished)
        QThread::msleep(5);
    const double seconds = clock.nsecsElapsed() / 1e9;
    run.join();
    if (report.outcome != RedriveReport::Outcome::Completed || report.moved != count
        || ready(*amqp, work) != count)
        fail(Bench, QStringLiteral("our redrive did not move everything: ") + report.summary());
    return count / seconds;
}

double shovelPerSecond(const LocalRabbitNodeInfo &node, int count)
{
    const QString dlq = QStringLiteral("shovel.dlq"), work = QStringLiteral("shovel.work");
    auto amqp = freshDlq(node, QStringLiteral("shovel"), count);

    auto management
        = ManagementClient::forProfile(profileFor(node), 30s, QStringLiteral("the shovel"));
    if (!management)
        fail(Bench, check(management.error()));
    // Exactly what the management UI's "Move messages" button creates.
    const QJsonObject value {{QStringLiteral("src-protocol"), QStringLiteral("amqp091")},
                             {QStringLiteral("src-uri"), QStringLiteral("amqp:///%2F")},
                             {QStringLiteral("src-queue"), dlq},
                             {QStringLiteral("src-delete-after"), QStringLiteral("queue-length")},
                             {QStringLiteral("dest-protocol"), QStringLiteral("amqp091")},
                             {QStringLiteral("dest-uri"), QStringLiteral("amqp:///%2F")},
                             {QStringLiteral("dest-queue"), work},
                             {QStringLiteral("ack-mode"), QStringLiteral("on-confirm")}};
    QElapsedTimer clock;
    clock.start();
    auto created = management.value()->put(QStringLiteral("/api/parameters/shovel/%2F/move-bench"),
                                           {{QStringLiteral("value"), value}});
    if (!created)
        fail(Bench, QStringLiteral("creating the shovel: ") + check(created.error()));
    QDeadlineTimer deadline(600s);
    while (ready(*amqp, work) < count) {
        if (deadline.hasExpired())
            fail(Bench, QStringLiteral("the shovel did not move everything in time"));
        QThread::msleep(5);
    }
    const double seconds = clock.nsecsElapsed() / 1e9;
    management.value()->remove(QStringLiteral("/api/parameters/shovel/%2F/move-bench"));
    return count / seconds;
}

} // namespace

void benchRabbitRedrive(int messages)
{
    QTemporaryDir dir;
    if (!dir.isValid())
        fail(Bench, QStringLiteral("no temporary directory"));
    qputenv("VELTRIX_AUDIT_LOG", QFile::encodeName(dir.filePath(QStringLiteral("audit.jsonl"))));
    LocalRabbitNode node(dir.filePath(QStringLiteral("node")));
    node.setExtraPlugins(
        {QStringLiteral("rabbitmq_shovel"), QStringLiteral("rabbitmq_shovel_management")});
    auto started = node.start(LocalRabbitNode::Lifetime::Attached);
    if (!started)
        fail(Bench, QStringLiteral("cannot start a RabbitMQ node: ") + check(started.error()));

    QList<double> ours, shovel;
    for (int round = 0; round < 2; ++round) {
        shovel << shovelPerSecond(started.value(), messages);
        ours << oursPerSecond(started.value(), messages);
    }
    const double best = *std::max_element(ours.cbegin(), ours.cend());
    const double bestShovel = *std::max_element(shovel.cbegin(), shovel.cend());
    emitFigure(Bench,
               {{QStringLiteral("figure"), QStringLiteral("rabbitmq_redrive_msgs_per_s")},
                {QStringLiteral("value"), qRound(best)},
                {QStringLiteral("messages"), messages},
                {QStringLiteral("window"), 1000}});
    emitFigure(Bench,
               {{QStringLiteral("figure"), QStringLiteral("rabbitmq_shovel_move_msgs_per_s")},
                {QStringLiteral("value"), qRound(bestShovel)},
                {QStringLiteral("messages"), messages}});
    emitFigure(Bench,
               {{QStringLiteral("figure"), QStringLiteral("rabbitmq_redrive_vs_shovel")},
                {QStringLiteral("value"), best / bestShovel},
                {QStringLiteral("goal"), QStringLiteral(">= 1.0")}});
    node.stop();
}

} // namespace veltrix::bench
