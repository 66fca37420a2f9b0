// The RabbitMQ redrive through RedriveEngine against the private node the CTest fixture
// started (and, for the fault test, a node of its own that the test stops and restarts
// mid-run). Dead letters are made the real way: published to a work queue and rejected by
// a consumer, so RabbitMQ writes their x-death. Every check reads the queues back with
// plain basic.get.
#include "rabbitmq/amqpconnection.h"
#include "redrive/redriveengine.h"
#include "redrive/redrivetarget.h"
#include "testprofiles.h"
#include "testrabbitnode.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <thread>

using namespace veltrix;
using namespace std::chrono_literals;

namespace {

const QString kVhost = QStringLiteral("tst-redrive");

QString idOf(int i)
{
    return QStringLiteral("m-%1").arg(i, 5, 10, QLatin1Char('0'));
}

// Every third message "timed out", the others failed validation: a filter picks a third.
QByteArray payloadOf(int i)
{
    return R"({"order":)" + QByteArray::number(i) + R"(,"error":")"
        + (i % 3 == 0 ? "timeout" : "invalid") + R"("})";
}

AmqpMessageProperties propertiesOf(int i)
{
    AmqpMessageProperties props;
    props.messageId = idOf(i);
    props.correlationId = QStringLiteral("corr-%1").arg(i);
    props.contentType = QStringLiteral("application/json");
    props.priority = i % 5;
    props.deliveryMode = 2;
    props.headers
        = {{QStringLiteral("seq"), qint64(i)}, {QStringLiteral("tenant"), QStringLiteral("acme")}};
    return props;
}

struct Drained
{
    QStringList ids;
    QList<AmqpMessage> messages;
};

} // namespace

class TestRabbitRedrive : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void redrivesAllToTheOriginalQueue();
    void filteredSubsetLeavesTheRestInOrder();
    void chosenQueueAndExchange();
    void unroutableMessagesStayInTheDlq();
    void withoutDeadLetterMetadataIsSkipped();
    void deathHistoryOptions();
    void dryRunChangesNothing();
    void idsLimitAndRepair();
    void readOnlyProfileIsRefusedByTheEngine();
    void cancelLeavesNothingHalfMoved();
    void survivesANodeRestartMidRun();

private:
    std::unique_ptr<AmqpConnection> connect(const QString &uri = {});
    // Declares `work` (dead-lettering to `dlq` through the default exchange) and `dlq`,
    // publishes count messages to work and rejects them all, so they sit in dlq with x-death.
    void makeDeadLetters(const QString &work, const QString &dlq, int count);
    Drained drain(const QString &queue, const QString &uri = {});
    qint64 ready(const QString &queue);
    RedriveRequest request(const QString &dlq,
                           const QString &destination = QStringLiteral("original")) const;
    RedriveReport run(const RedriveRequest &request, const ClusterProfile *profile = nullptr);
    QList<QJsonObject> auditLines() const;

    LocalRabbitNodeInfo m_node;
    ClusterProfile m_profile;
    QTemporaryDir m_dir;
};

void TestRabbitRedrive::initTestCase()
{
    QString whyNot;
    const auto node = testRabbitNodeFromEnvironment(&whyNot);
    if (!node)
        QFAIL(qPrintable(whyNot));
    m_node = *node;
    m_profile = test::rabbitProfile(QStringLiteral("local"), m_node);
    auto vhost = freshTestVhost(m_node, kVhost);
    QVERIFY2(vhost.ok(), qPrintable(vhost.error().describe()));
    QVERIFY(m_dir.isValid());
    qputenv("VELTRIX_AUDIT_LOG", QFile::encodeName(m_dir.filePath(QStringLiteral("audit.jsonl"))));
}

void TestRabbitRedrive::cleanupTestCase()
{
    if (m_node.managementPort != 0)
        deleteTestVhost(m_node, kVhost);
}

std::unique_ptr<AmqpConnection> TestRabbitRedrive::connect(const QString &uri)
{
    return test::openAmqp(uri.isEmpty() ? testAmqpUri(m_node, kVhost) : uri, 10s);
}

void TestRabbitRedrive::makeDeadLetters(const QString &work, const QString &dlq, int count)
{
    auto amqp = connect();
    QVERIFY(amqp);
    QVERIFY(amqp->declareQueue(dlq, true).ok());
    const qint64 before = ready(dlq);
    QVERIFY(amqp->declareQueue(work, true,
                               {{QStringLiteral("x-dead-letter-exchange"), QString()},
                                {QStringLiteral("x-dead-letter-routing-key"), dlq}})
                .ok());
    QVERIFY(amqp->selectConfirms().ok());
    for (int i = 0; i < count; ++i)
        QVERIFY(amqp->publish(QString(), work, payloadOf(i), propertiesOf(i)).ok());
    auto confirmed = amqp->waitForConfirms(60s);
    QVERIFY(confirmed.ok() && confirmed.value());
    for (int i = 0; i < count; ++i) {
        auto message = amqp->get(work);
        QVERIFY(message.ok() && message->has_value());
        QVERIFY(amqp->reject(message.value()->deliveryTag, false).ok());
    }
    QTRY_COMPARE(ready(dlq), before + count);
}

Drained TestRabbitRedrive::drain(const QString &queue, const QString &uri)
{
    Drained out;
    for (const AmqpMessage &message :
         test::drainQueue(uri.isEmpty() ? testAmqpUri(m_node, kVhost) : uri, queue)) {
        out.ids << message.properties.messageId;
        out.messages << message;
    }
    return out;
}

qint64 TestRabbitRedrive::ready(const QString &queue)
{
    return test::readyCount(testAmqpUri(m_node, kVhost), queue);
}

RedriveRequest TestRabbitRedrive::request(const QString &dlq, const QString &destination) const
{
    RedriveRequest r;
    r.source = {ClusterKind::RabbitMq, m_profile.name, kVhost, dlq};
    QString error;
    const auto parsed = RedriveDestination::parse(destination, ClusterKind::RabbitMq, &error);
    if (!parsed)
        qFatal("bad destination in the test: %s", qPrintable(error));
    r.destination = *parsed;
    return r;
}

RedriveReport TestRabbitRedrive::run(const RedriveRequest &request, const ClusterProfile *profile)
{
    RedriveControl control;
    return RedriveEngine(profile ? *profile : m_profile).run(request, control);
}

QList<QJsonObject> TestRabbitRedrive::auditLines() const
{
    return test::readJsonLines(m_dir.filePath(QStringLiteral("audit.jsonl")));
}

void TestRabbitRedrive::redrivesAllToTheOriginalQueue()
{
    makeDeadLetters(QStringLiteral("all.work"), QStringLiteral("all.dlq"), 60);
    const qsizetype auditBefore = auditLines().size();

    const RedriveReport report = run(request(QStringLiteral("all.dlq")));
    QVERIFY2(report.outcome == RedriveReport::Outcome::Completed, qPrintable(report.summary()));
    QCOMPARE(report.moved, 60);
    QCOMPARE(report.skipped + report.failed + report.notSelected, 0);
    QCOMPARE(report.movedByTarget.value(QStringLiteral("queue all.work")), 60);
    QCOMPARE(ready(QStringLiteral("all.dlq")), 0);

    const Drained back = drain(QStringLiteral("all.work"));
    QCOMPARE(back.ids.size(), 60);
    for (int i = 0; i < 60; ++i) {
        const AmqpMessage &m = back.messages.at(i);
        const AmqpMessageProperties want = propertiesOf(i);
        QCOMPARE(m.properties.messageId, want.messageId); // and in order
        QCOMPARE(m.body, payloadOf(i));
        QCOMPARE(m.properties.correlationId, want.correlationId);
        QCOMPARE(m.properties.contentType, want.contentType);
        QCOMPARE(m.properties.priority, want.priority);
        QCOMPARE(m.properties.deliveryMode, 2);
        QCOMPARE(m.properties.headers.value(QStringLiteral("seq")).toLongLong(), qint64(i));
        QCOMPARE(m.properties.headers.value(QStringLiteral("tenant")).toString(),
                 QStringLiteral("acme"));
        QCOMPARE(m.properties.headers.value(RedriveCountHeader).toLongLong(), 1);
        QVERIFY(QDateTime::fromString(m.properties.headers.value(RedrivenAtHeader).toString(),
                                      Qt::ISODateWithMs)
                    .isValid());
        // The default: the history renamed, so the next death starts a fresh x-death.
        QVERIFY(!m.properties.headers.contains(QStringLiteral("x-death")));
        QVERIFY(!m.properties.headers.contains(QStringLiteral("x-first-death-queue")));
        const QVariantList previous = m.properties.headers.value(PreviousDeathHeader).toList();
        QCOMPARE(previous.size(), 1);
        QCOMPARE(previous.first().toMap().value(QStringLiteral("reason")).toString(),
                 QStringLiteral("rejected"));
    }

    // Audit: a start and a finish line, the finish with the counts and every id.
    const QList<QJsonObject> lines = auditLines();
    QCOMPARE(lines.size(), auditBefore + 2);
    const QJsonObject start = lines.at(auditBefore);
    const QJsonObject finish = lines.at(auditBefore + 1);
    QCOMPARE(start.value(QStringLiteral("event")).toString(), QStringLiteral("redrive.start"));
    QCOMPARE(finish.value(QStringLiteral("event")).toString(), QStringLiteral("redrive.finish"));
    QCOMPARE(finish.value(QStringLiteral("run_id")), start.value(QStringLiteral("run_id")));
    QCOMPARE(finish.value(QStringLiteral("source")).toString(),
             QStringLiteral("rabbitmq:local/tst-redrive/all.dlq"));
    QCOMPARE(finish.value(QStringLiteral("profile")).toString(), QStringLiteral("local"));
    QVERIFY(!finish.value(QStringLiteral("user")).toString().isEmpty());
    QCOMPARE(finish.value(QStringLiteral("moved")).toInteger(), 60);
    QCOMPARE(finish.value(QStringLiteral("outcome")).toString(), QStringLiteral("completed"));
    QCOMPARE(finish.value(QStringLiteral("moved_ids")).toArray().size(), 60);
    QCOMPARE(finish.value(QStringLiteral("moved_ids")).toArray().first().toString(), idOf(0));
}

void TestRabbitRedrive::filteredSubsetLeavesTheRestInOrder()
{
    makeDeadLetters(QStringLiteral("filter.work"), QStringLiteral("filter.dlq"), 90);
    RedriveRequest r = request(QStringLiteral("filter.dlq"));
    r.filter.text = QStringLiteral("timeout");
    r.window = 8; // smaller than what is left behind, so the consumer must make room
    const RedriveReport report = run(r);
    QVERIFY2(report.outcome == RedriveReport::Outcome::Completed, qPrintable(report.summary()));
    QCOMPARE(report.moved, 30);
    QCOMPARE(report.notSelected, 60);

    const Drained moved = drain(QStringLiteral("filter.work"));
    const Drained stayed = drain(QStringLiteral("filter.dlq"));
    QStringList wantMoved, wantStayed;
    for (int i = 0; i < 90; ++i)
        (i % 3 == 0 ? wantMoved : wantStayed) << idOf(i);
    QCOMPARE(moved.ids, wantMoved);
    QCOMPARE(stayed.ids, wantStayed); // in their original order
    // Those left behind keep their history untouched.
    QVERIFY(stayed.messages.first().properties.headers.contains(QStringLiteral("x-death")));
}

void TestRabbitRedrive::chosenQueueAndExchange()
{
    makeDeadLetters(QStringLiteral("chosen.work"), QStringLiteral("chosen.dlq"), 20);
    auto amqp = connect();
    QVERIFY(amqp);
    QVERIFY(amqp->declareQueue(QStringLiteral("chosen.other"), true).ok());
    QVERIFY(amqp->declareQueue(QStringLiteral("chosen.bound"), true).ok());
    QVERIFY(amqp->declareExchange(QStringLiteral("chosen.x"), QStringLiteral("direct"), true).ok());
    QVERIFY(amqp->bindQueue(QStringLiteral("chosen.bound"), QStringLiteral("chosen.x"),
                            QStringLiteral("retry"))
                .ok());

    RedriveRequest toQueue
        = request(QStringLiteral("chosen.dlq"), QStringLiteral("queue:chosen.other"));
    toQueue.limit = 5;
    RedriveReport report = run(toQueue);
    QCOMPARE(report.moved, 5);
    QCOMPARE(report.movedByTarget.value(QStringLiteral("queue chosen.other")), 5);
    QCOMPARE(drain(QStringLiteral("chosen.other")).ids,
             QStringList({idOf(0), idOf(1), idOf(2), idOf(3), idOf(4)}));

    report = run(request(QStringLiteral("chosen.dlq"), QStringLiteral("exchange:chosen.x/retry")));
    QVERIFY2(report.outcome == RedriveReport::Outcome::Completed, qPrintable(report.summary()));
    QCOMPARE(report.moved, 15);
    QCOMPARE(report.movedByTarget.value(QStringLiteral("exchange chosen.x/retry")), 15);
    const Drained bound = drain(QStringLiteral("chosen.bound"));
    QCOMPARE(bound.ids.size(), 15);
    QCOMPARE(bound.ids.first(), idOf(5));
    QCOMPARE(bound.messages.first().routingKey, QStringLiteral("retry"));
    QCOMPARE(ready(QStringLiteral("chosen.dlq")), 0);

    // A missing exchange is said before anything moves.
    makeDeadLetters(QStringLiteral("chosen.work"), QStringLiteral("chosen.dlq"), 3);
    report = run(request(QStringLiteral("chosen.dlq"), QStringLiteral("exchange:no.such.x/k")));
    QCOMPARE(report.outcome, RedriveReport::Outcome::Stopped);
    QVERIFY2(report.error.contains(QStringLiteral("no.such.x")), qPrintable(report.error));
    QCOMPARE(report.moved, 0);
    QCOMPARE(ready(QStringLiteral("chosen.dlq")), 3);
}

void TestRabbitRedrive::unroutableMessagesStayInTheDlq()
{
    makeDeadLetters(QStringLiteral("unroutable.work"), QStringLiteral("unroutable.dlq"), 25);
    const RedriveReport report
        = run(request(QStringLiteral("unroutable.dlq"), QStringLiteral("queue:no.such.queue")));
    QVERIFY2(report.outcome == RedriveReport::Outcome::Completed, qPrintable(report.summary()));
    QCOMPARE(report.moved, 0);
    QCOMPARE(report.skipped, 25);
    QCOMPARE(report.items.size(), 25);
    QVERIFY2(report.items.first().reason.contains(QStringLiteral("unroutable")),
             qPrintable(report.items.first().reason));
    QVERIFY(report.items.first().reason.contains(QStringLiteral("312")));
    const Drained stayed = drain(QStringLiteral("unroutable.dlq"));
    QCOMPARE(stayed.ids.size(), 25);
    QCOMPARE(stayed.ids.first(), idOf(0));
    QCOMPARE(stayed.ids.last(), idOf(24));
    // Untouched: still the original x-death, no redrive headers.
    QVERIFY(!stayed.messages.first().properties.headers.contains(RedriveCountHeader));
}

void TestRabbitRedrive::withoutDeadLetterMetadataIsSkipped()
{
    auto amqp = connect();
    QVERIFY(amqp);
    const QString dlq = QStringLiteral("bare.dlq");
    QVERIFY(amqp->declareQueue(dlq, true).ok());
    QVERIFY(amqp->publishConfirmed(QString(), dlq, "no history", propertiesOf(7)).ok());
    makeDeadLetters(QStringLiteral("bare.work"), dlq, 4);

    const RedriveReport report = run(request(dlq));
    QCOMPARE(report.moved, 4);
    QCOMPARE(report.skipped, 1);
    QCOMPARE(report.items.first().id, idOf(7));
    QVERIFY2(report.items.first().reason.contains(QStringLiteral("x-death")),
             qPrintable(report.items.first().reason));
    QCOMPARE(drain(dlq).ids, QStringList {idOf(7)});
}

void TestRabbitRedrive::deathHistoryOptions()
{
    makeDeadLetters(QStringLiteral("death.work"), QStringLiteral("death.dlq"), 2);
    RedriveRequest keep = request(QStringLiteral("death.dlq"));
    keep.deathHistory = DeathHistory::Keep;
    keep.limit = 1;
    QCOMPARE(run(keep).moved, 1);
    RedriveRequest strip = request(QStringLiteral("death.dlq"));
    strip.deathHistory = DeathHistory::Strip;
    QCOMPARE(run(strip).moved, 1);
    const Drained back = drain(QStringLiteral("death.work"));
    QCOMPARE(back.ids, QStringList({idOf(0), idOf(1)}));
    const QVariantMap kept = back.messages.at(0).properties.headers;
    QCOMPARE(kept.value(QStringLiteral("x-death")).toList().size(), 1);
    QVERIFY(!kept.contains(PreviousDeathHeader));
    const QVariantMap stripped = back.messages.at(1).properties.headers;
    QVERIFY(!stripped.contains(QStringLiteral("x-death")));
    QVERIFY(!stripped.contains(PreviousDeathHeader));
    QCOMPARE(stripped.value(RedriveCountHeader).toLongLong(), 1);
}

void TestRabbitRedrive::dryRunChangesNothing()
{
    makeDeadLetters(QStringLiteral("dry.work"), QStringLiteral("dry.dlq"), 30);
    auto amqp = connect();
    QVERIFY(amqp);
    QVERIFY(amqp->publishConfirmed(QString(), QStringLiteral("dry.dlq"), "bare", propertiesOf(99))
                .ok());
    const qsizetype auditBefore = auditLines().size();

    RedriveRequest r = request(QStringLiteral("dry.dlq"));
    r.dryRun = true;
    const RedriveReport report = run(r);
    QVERIFY2(report.outcome == RedriveReport::Outcome::Completed, qPrintable(report.summary()));
    QCOMPARE(report.moved, 30); // would move
    QCOMPARE(report.movedByTarget.value(QStringLiteral("queue dry.work")), 30);
    QCOMPARE(report.skipped, 1);
    QCOMPARE(ready(QStringLiteral("dry.dlq")), 31);
    QCOMPARE(ready(QStringLiteral("dry.work")), 0);
    const QList<QJsonObject> lines = auditLines();
    QCOMPARE(lines.size(), auditBefore + 2);
    QVERIFY(lines.last().value(QStringLiteral("dry_run")).toBool());
    QCOMPARE(lines.last().value(QStringLiteral("would_move_ids")).toArray().size(), 30);
}

void TestRabbitRedrive::idsLimitAndRepair()
{
    makeDeadLetters(QStringLiteral("ids.work"), QStringLiteral("ids.dlq"), 10);
    RedriveRequest r = request(QStringLiteral("ids.dlq"));
    r.ids = QSet<QString> {idOf(2), idOf(5), idOf(8)};
    r.limit = 2;
    MessageRepair repair;
    repair.payload = R"({"order":5,"error":"fixed"})";
    r.repairs.insert(idOf(5), repair);
    const RedriveReport report = run(r);
    QVERIFY2(report.outcome == RedriveReport::Outcome::Completed, qPrintable(report.summary()));
    QCOMPARE(report.moved, 2);
    const Drained back = drain(QStringLiteral("ids.work"));
    QCOMPARE(back.ids, QStringList({idOf(2), idOf(5)}));
    QCOMPARE(back.messages.at(0).body, payloadOf(2));
    QCOMPARE(back.messages.at(1).body, QByteArray(R"({"order":5,"error":"fixed"})"));
    QCOMPARE(back.messages.at(1).properties.correlationId, propertiesOf(5).correlationId);
    QCOMPARE(ready(QStringLiteral("ids.dlq")), 8);
}

void TestRabbitRedrive::readOnlyProfileIsRefusedByTheEngine()
{
    makeDeadLetters(QStringLiteral("ro.work"), QStringLiteral("ro.dlq"), 5);
    ClusterProfile readOnly = m_profile;
    readOnly.readOnly = true;
    const qsizetype auditBefore = auditLines().size();
    const RedriveReport report = run(request(QStringLiteral("ro.dlq")), &readOnly);
    QCOMPARE(report.outcome, RedriveReport::Outcome::Refused);
    QVERIFY2(report.error.contains(QStringLiteral("read-only")), qPrintable(report.error));
    QCOMPARE(ready(QStringLiteral("ro.dlq")), 5);
    QCOMPARE(ready(QStringLiteral("ro.work")), 0);
    // The refusal is on record.
    QCOMPARE(auditLines().size(), auditBefore + 1);
    QCOMPARE(auditLines().last().value(QStringLiteral("outcome")).toString(),
             QStringLiteral("refused"));
    // A dry run is allowed: it changes nothing.
    RedriveRequest dry = request(QStringLiteral("ro.dlq"));
    dry.dryRun = true;
    QCOMPARE(run(dry, &readOnly).moved, 5);
}

void TestRabbitRedrive::cancelLeavesNothingHalfMoved()
{
    const int total = 3000;
    makeDeadLetters(QStringLiteral("cancel.work"), QStringLiteral("cancel.dlq"), total);
    RedriveRequest r = request(QStringLiteral("cancel.dlq"));
    r.ratePerSecond = 2000;
    RedriveControl control;
    std::atomic<qint64> moved {0};
    RedriveReport report;
    std::thread worker([&] {
        report = RedriveEngine(m_profile).run(r, control,
                                              [&](const RedriveProgress &p) { moved = p.moved; });
    });
    QTRY_VERIFY_WITH_TIMEOUT(moved.load() >= 300, 20000);
    control.cancel();
    worker.join();
    QCOMPARE(report.outcome, RedriveReport::Outcome::Cancelled);
    QVERIFY(report.moved < total);
    // Every message is in exactly one place.
    const Drained work = drain(QStringLiteral("cancel.work"));
    const Drained dlq = drain(QStringLiteral("cancel.dlq"));
    QCOMPARE(qint64(work.ids.size()), report.moved);
    QCOMPARE(work.ids.size() + dlq.ids.size(), total);
    QCOMPARE(dlq.ids.first(), idOf(int(report.moved)));
}

void TestRabbitRedrive::survivesANodeRestartMidRun()
{
    // A node of our own: stopping the shared one would break the suites running beside us.
    QTemporaryDir nodeDir;
    QVERIFY(nodeDir.isValid());
    LocalRabbitNode node(nodeDir.path());
    auto started = node.start(LocalRabbitNode::Lifetime::Attached);
    QVERIFY2(started.ok(), qPrintable(started.error().describe()));
    const LocalRabbitNodeInfo info = started.value();
    node.setPorts(info.amqpPort, info.managementPort, info.distPort);
    const QString uri = info.amqpUri();
    ClusterProfile profile = test::rabbitProfile(QStringLiteral("restarting"), info);

    const int total = 20000;
    const QString dlq = QStringLiteral("fault.dlq"), work = QStringLiteral("fault.work");
    {
        auto amqp = connect(uri);
        QVERIFY(amqp);
        QVERIFY(amqp->declareQueue(dlq, true).ok());
        QVERIFY(amqp->declareQueue(work, true).ok());
        QVERIFY(amqp->selectConfirms().ok());
        // x-death as RabbitMQ writes it, so the original destination is the work queue.
        const QVariantMap death {{QStringLiteral("count"), qint64(1)},
                                 {QStringLiteral("reason"), QStringLiteral("rejected")},
                                 {QStringLiteral("queue"), work},
                                 {QStringLiteral("exchange"), QString()},
                                 {QStringLiteral("routing-keys"), QVariantList {work}}};
        for (int i = 0; i < total; ++i) {
            AmqpMessageProperties props = propertiesOf(i);
            props.headers.insert(QStringLiteral("x-death"), QVariantList {death});
            QVERIFY(amqp->publish(QString(), dlq, payloadOf(i), props).ok());
            if (i % 2000 == 1999) {
                auto confirmed = amqp->waitForConfirms(60s);
                QVERIFY(confirmed.ok() && confirmed.value());
            }
        }
    }

    RedriveRequest r;
    r.source = {ClusterKind::RabbitMq, profile.name, QStringLiteral("/"), dlq};
    r.ratePerSecond = 2500; // long enough to be stopped mid-way
    r.window = 200;
    RedriveControl control;
    std::atomic<qint64> moved {0};
    RedriveReport report;
    std::thread worker([&] {
        report = RedriveEngine(profile).run(r, control,
                                            [&](const RedriveProgress &p) { moved = p.moved; });
    });
    QTRY_VERIFY_WITH_TIMEOUT(moved.load() >= 4000, 30000);
    const qint64 movedWhenStopped = moved.load();
    QVERIFY(node.stop());
    auto restarted = node.start(LocalRabbitNode::Lifetime::Attached);
    QVERIFY2(restarted.ok(), qPrintable(restarted.error().describe()));
    worker.join();

    QVERIFY2(report.outcome == RedriveReport::Outcome::Completed, qPrintable(report.summary()));
    QVERIFY(movedWhenStopped < total);
    QVERIFY(report.reconnects >= 1);
    QCOMPARE(report.moved + report.skipped + report.failed, qint64(total));

    // Every id accounted for: at the destination, or still in the DLQ; none lost.
    const Drained arrived = drain(work, uri);
    const Drained left = drain(dlq, uri);
    QHash<QString, int> seen;
    for (const QString &id : arrived.ids)
        ++seen[id];
    for (const QString &id : left.ids)
        ++seen[id];
    for (int i = 0; i < total; ++i)
        QVERIFY2(seen.value(idOf(i)) >= 1, qPrintable(idOf(i) + QStringLiteral(" is lost")));
    const qsizetype duplicates = arrived.ids.size() + left.ids.size() - total;
    qInfo("moved %lld before the stop, %d reconnects, %lld republished, %lld duplicates",
          movedWhenStopped, report.reconnects, report.republished, qint64(duplicates));
    // Only what was in flight when the node went can arrive twice, and the report says how
    // many may have (a message whose ack was lost is counted there, not moved twice).
    QVERIFY(duplicates <= r.window);
    QVERIFY2(duplicates <= report.republished, qPrintable(report.summary()));
    QCOMPARE(left.ids.size(), 0);
    node.stop();
}

QTEST_GUILESS_MAIN(TestRabbitRedrive)
#include "tst_rabbitredrive.moc"
