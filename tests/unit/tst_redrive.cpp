// The redrive engine's pure parts: destinations as operators write them, where each dead
// letter goes, what a redriven message carries, pacing, the report and the audit log, and
// the engine's refusals (which happen before any broker is touched).
#include "redrive/auditlog.h"
#include "redrive/redriveengine.h"
#include "redrive/redrivepacer.h"
#include "redrive/redrivetarget.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace veltrix;
using namespace std::chrono_literals;

namespace {

XDeathEntry death(const QString &queue, const QString &reason)
{
    XDeathEntry entry;
    entry.count = 1;
    entry.queue = queue;
    entry.reason = reason;
    entry.routingKeys = {QStringLiteral("order.created")};
    return entry;
}

BrowsedMessage rabbitDeadLetter(QList<XDeathEntry> deaths)
{
    BrowsedMessage m;
    m.id = QStringLiteral("m-1");
    m.deadLetter.convention = DeadLetterConvention::RabbitXDeath;
    m.deadLetter.deaths = deaths;
    if (!deaths.isEmpty())
        m.deadLetter.originalDestination = deaths.last().queue; // x-first-death-queue
    m.deadLetter.originalRoutingKeys = {QStringLiteral("order.created")};
    return m;
}

const DlqSource kRabbitSource {ClusterKind::RabbitMq, QStringLiteral("r"), QStringLiteral("/"),
                               QStringLiteral("orders.dlq")};
const DlqSource kKafkaSource {
    ClusterKind::Kafka, QStringLiteral("k"), {}, QStringLiteral("orders-dlt")};

RedriveDestination destination(const QString &text, ClusterKind kind)
{
    QString error;
    const auto parsed = RedriveDestination::parse(text, kind, &error);
    if (!parsed)
        qFatal("%s", qPrintable(error));
    return *parsed;
}

} // namespace

class TestRedrive : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void destinationsParseAndPrint_data();
    void destinationsParseAndPrint();
    void badDestinationsSayWhy_data();
    void badDestinationsSayWhy();
    void rabbitOriginalIsTheQueueThatGaveUp();
    void targetsForChosenDestinations();
    void nothingGoesBackIntoTheDlqItself();
    void propertiesKeepTheOriginalAndCountRedrives();
    void deathHistoryModes();
    void kafkaHeadersKeepOrderAndReplaceOurs();
    void rateLimiterPaces();
    void throughputMeterAndEta();
    void reportCountsAndJson();
    void auditLogAppendsLinesAndSaysWhenItCannot();
    void engineRefusesBeforeTouchingABroker();
};

void TestRedrive::destinationsParseAndPrint_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("kind");
    QTest::addColumn<int>("mode");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("printed");
    using Mode = RedriveDestination::Mode;
    const int kafka = int(ClusterKind::Kafka), rabbit = int(ClusterKind::RabbitMq);
    QTest::newRow("original") << "original" << kafka << int(Mode::Original) << ""
                              << ""
                              << "original";
    QTest::newRow("topic") << "topic:orders" << kafka << int(Mode::Topic) << "orders"
                           << ""
                           << "topic:orders";
    QTest::newRow("bare topic") << "orders" << kafka << int(Mode::Topic) << "orders"
                                << ""
                                << "topic:orders";
    QTest::newRow("bare queue") << "orders" << rabbit << int(Mode::Queue) << "orders"
                                << ""
                                << "queue:orders";
    QTest::newRow("exchange+key") << "exchange:shop/order.created.v2" << rabbit
                                  << int(Mode::Exchange) << "shop"
                                  << "order.created.v2"
                                  << "exchange:shop/order.created.v2";
    QTest::newRow("key with slash")
        << "exchange:shop/a/b" << rabbit << int(Mode::Exchange) << "shop"
        << "a/b"
        << "exchange:shop/a/b";
    QTest::newRow("own keys") << "exchange:shop" << rabbit << int(Mode::Exchange) << "shop"
                              << ""
                              << "exchange:shop/";
    QTest::newRow("default exchange") << "exchange:/orders" << rabbit << int(Mode::Exchange) << ""
                                      << "orders"
                                      << "exchange:/orders";
}

void TestRedrive::destinationsParseAndPrint()
{
    QFETCH(QString, text);
    QFETCH(int, kind);
    QFETCH(int, mode);
    QFETCH(QString, name);
    QFETCH(QString, key);
    QFETCH(QString, printed);
    QString error;
    const auto parsed = RedriveDestination::parse(text, ClusterKind(kind), &error);
    QVERIFY2(parsed, qPrintable(error));
    QCOMPARE(int(parsed->mode), mode);
    QCOMPARE(parsed->name, name);
    QCOMPARE(parsed->routingKey, key);
    QCOMPARE(parsed->toString(), printed);
    QCOMPARE(RedriveDestination::parse(printed, ClusterKind(kind), &error), parsed);
}

void TestRedrive::badDestinationsSayWhy_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("says");
    QTest::newRow("empty") << "" << int(ClusterKind::Kafka) << "empty";
    QTest::newRow("topic on rabbit") << "topic:x" << int(ClusterKind::RabbitMq) << "queue:<name>";
    QTest::newRow("queue on kafka") << "queue:x" << int(ClusterKind::Kafka) << "topic:<name>";
    QTest::newRow("unknown prefix") << "stream:x" << int(ClusterKind::RabbitMq) << "expected";
    QTest::newRow("empty topic") << "topic:" << int(ClusterKind::Kafka) << "name is empty";
}

void TestRedrive::badDestinationsSayWhy()
{
    QFETCH(QString, text);
    QFETCH(int, kind);
    QFETCH(QString, says);
    QString error;
    QVERIFY(!RedriveDestination::parse(text, ClusterKind(kind), &error));
    QVERIFY2(error.contains(says), qPrintable(error));
}

void TestRedrive::rabbitOriginalIsTheQueueThatGaveUp()
{
    const RedriveDestination original;
    // Retry chain, most recent first: expired in the wait queue, rejected in the work queue.
    BrowsedMessage m
        = rabbitDeadLetter({death(QStringLiteral("orders.wait"), QStringLiteral("expired")),
                            death(QStringLiteral("orders"), QStringLiteral("rejected"))});
    TargetResolution r = resolveRedriveTarget(m, kRabbitSource, original);
    QVERIFY(r.target);
    QCOMPARE(r.target->exchange, QString()); // the default exchange: that queue alone
    QCOMPARE(r.target->routingKey, QStringLiteral("orders"));
    QCOMPARE(r.target->describe(), QStringLiteral("queue orders"));

    // Only a TTL death: the first queue it died in.
    m = rabbitDeadLetter({death(QStringLiteral("orders.ttl"), QStringLiteral("expired"))});
    QCOMPARE(resolveRedriveTarget(m, kRabbitSource, original).target->routingKey,
             QStringLiteral("orders.ttl"));

    // A delivery-limit death counts as giving up.
    m = rabbitDeadLetter({death(QStringLiteral("payments"), QStringLiteral("delivery_limit"))});
    QCOMPARE(resolveRedriveTarget(m, kRabbitSource, original).target->routingKey,
             QStringLiteral("payments"));

    // No history: no target, and why.
    r = resolveRedriveTarget(BrowsedMessage {}, kRabbitSource, original);
    QVERIFY(!r.target);
    QVERIFY2(r.why.contains(QStringLiteral("x-death")), qPrintable(r.why));

    // Kafka: the original topic from the headers.
    BrowsedMessage k;
    k.deadLetter.convention = DeadLetterConvention::SpringBlocking;
    k.deadLetter.originalDestination = QStringLiteral("orders");
    QCOMPARE(resolveRedriveTarget(k, kKafkaSource, original).target->describe(),
             QStringLiteral("topic orders"));
    r = resolveRedriveTarget(BrowsedMessage {}, kKafkaSource, original);
    QVERIFY(!r.target);
    QVERIFY(r.why.contains(QStringLiteral("original topic")));
}

void TestRedrive::targetsForChosenDestinations()
{
    const BrowsedMessage m
        = rabbitDeadLetter({death(QStringLiteral("orders"), QStringLiteral("rejected"))});
    auto target = [&](const QString &text) {
        return resolveRedriveTarget(m, kRabbitSource, destination(text, ClusterKind::RabbitMq))
            .target;
    };
    QCOMPARE(target(QStringLiteral("queue:parking"))->describe(), QStringLiteral("queue parking"));
    QCOMPARE(target(QStringLiteral("exchange:shop/retry"))->describe(),
             QStringLiteral("exchange shop/retry"));
    // No key given: each message's own original routing key.
    QCOMPARE(target(QStringLiteral("exchange:shop"))->routingKey, QStringLiteral("order.created"));
    QCOMPARE(
        resolveRedriveTarget(BrowsedMessage {}, kKafkaSource,
                             destination(QStringLiteral("topic:orders-retry"), ClusterKind::Kafka))
            .target->topic,
        QStringLiteral("orders-retry"));
}

void TestRedrive::nothingGoesBackIntoTheDlqItself()
{
    const BrowsedMessage m
        = rabbitDeadLetter({death(QStringLiteral("orders.dlq"), QStringLiteral("expired"))});
    TargetResolution r = resolveRedriveTarget(m, kRabbitSource, RedriveDestination {});
    QVERIFY(!r.target);
    QVERIFY2(r.why.contains(QStringLiteral("DLQ itself")), qPrintable(r.why));
    r = resolveRedriveTarget(m, kKafkaSource,
                             destination(QStringLiteral("orders-dlt"), ClusterKind::Kafka));
    QVERIFY(!r.target);
    // Through an exchange it may well route elsewhere: allowed.
    QVERIFY(resolveRedriveTarget(
                m, kRabbitSource,
                destination(QStringLiteral("exchange:shop/orders.dlq"), ClusterKind::RabbitMq))
                .target);
}

void TestRedrive::propertiesKeepTheOriginalAndCountRedrives()
{
    AmqpMessageProperties original;
    original.contentType = QStringLiteral("application/json");
    original.messageId = QStringLiteral("m-1");
    original.correlationId = QStringLiteral("c-1");
    original.priority = 7;
    original.deliveryMode = 2;
    original.timestamp = 1'700'000'000;
    original.userId = QStringLiteral("orders-service");
    original.headers = {{QStringLiteral("tenant"), QStringLiteral("acme")},
                        {QStringLiteral("x-delivery-count"), 3}};
    const QDateTime now
        = QDateTime::fromString(QStringLiteral("2026-11-23T10:00:00.123Z"), Qt::ISODateWithMs);
    AmqpMessageProperties once = redriveProperties(original, DeathHistory::KeepAsPrevious, now);
    QCOMPARE(once.contentType, original.contentType);
    QCOMPARE(once.messageId, original.messageId);
    QCOMPARE(once.correlationId, original.correlationId);
    QCOMPARE(once.priority, 7);
    QCOMPARE(once.deliveryMode, 2);
    QCOMPARE(once.timestamp, original.timestamp);
    QCOMPARE(once.userId, QString()); // the broker would refuse another user's id
    QCOMPARE(once.headers.value(QStringLiteral("tenant")).toString(), QStringLiteral("acme"));
    QVERIFY(!once.headers.contains(QStringLiteral("x-delivery-count")));
    QCOMPARE(once.headers.value(RedriveCountHeader).toLongLong(), 1);
    QCOMPARE(once.headers.value(RedrivenAtHeader).toString(),
             QStringLiteral("2026-11-23T10:00:00.123Z"));
    const AmqpMessageProperties twice = redriveProperties(once, DeathHistory::KeepAsPrevious, now);
    QCOMPARE(twice.headers.value(RedriveCountHeader).toLongLong(), 2);
    // A count someone wrote as text still counts on.
    AmqpMessageProperties text = original;
    text.headers.insert(RedriveCountHeader, QStringLiteral("4"));
    QCOMPARE(redriveProperties(text, DeathHistory::Keep, now)
                 .headers.value(RedriveCountHeader)
                 .toLongLong(),
             5);
}

void TestRedrive::deathHistoryModes()
{
    AmqpMessageProperties original;
    const QVariantList deaths {QVariantMap {{QStringLiteral("queue"), QStringLiteral("orders")}}};
    original.headers = {{QStringLiteral("x-death"), deaths},
                        {QStringLiteral("x-first-death-queue"), QStringLiteral("orders")},
                        {QStringLiteral("x-first-death-reason"), QStringLiteral("rejected")},
                        {QStringLiteral("x-last-death-queue"), QStringLiteral("orders")}};
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QVariantMap previous
        = redriveProperties(original, DeathHistory::KeepAsPrevious, now).headers;
    QCOMPARE(previous.value(PreviousDeathHeader).toList(), deaths);
    QVERIFY(!previous.contains(QStringLiteral("x-death")));
    QVERIFY(!previous.contains(QStringLiteral("x-first-death-queue")));
    QVERIFY(!previous.contains(QStringLiteral("x-last-death-queue")));
    const QVariantMap kept = redriveProperties(original, DeathHistory::Keep, now).headers;
    QCOMPARE(kept.value(QStringLiteral("x-death")).toList(), deaths);
    QVERIFY(kept.contains(QStringLiteral("x-first-death-reason")));
    const QVariantMap stripped = redriveProperties(original, DeathHistory::Strip, now).headers;
    QVERIFY(!stripped.contains(QStringLiteral("x-death")));
    QVERIFY(!stripped.contains(PreviousDeathHeader));
    QVERIFY(!stripped.contains(QStringLiteral("x-first-death-reason")));
    QVERIFY(stripped.contains(RedriveCountHeader));
    QCOMPARE(deathHistoryFromName(QStringLiteral("strip")), DeathHistory::Strip);
    QVERIFY(!deathHistoryFromName(QStringLiteral("drop")));
}

void TestRedrive::kafkaHeadersKeepOrderAndReplaceOurs()
{
    const QDateTime now
        = QDateTime::fromString(QStringLiteral("2026-11-23T10:00:00Z"), Qt::ISODate);
    const KafkaHeaderList original {{"b", "1"}, {"a", QByteArray()}, {"b", "2"}};
    const KafkaHeaderList once = redriveKafkaHeaders(original, now);
    QCOMPARE(once.size(), 5);
    QCOMPARE(once.mid(0, 3), original); // repeated names and null values survive, in order
    QCOMPARE(once.at(3), (KafkaHeader {RedriveCountHeader.toUtf8(), "1"}));
    QCOMPARE(once.at(4).name, RedrivenAtHeader.toUtf8());
    QCOMPARE(once.at(4).value, QByteArray("2026-11-23T10:00:00.000Z"));
    const KafkaHeaderList twice = redriveKafkaHeaders(once, now.addSecs(60));
    QCOMPARE(twice.size(), 5); // replaced, not appended again
    QCOMPARE(twice.at(3).value, QByteArray("2"));
    QCOMPARE(twice.at(4).value, QByteArray("2026-11-23T10:01:00.000Z"));
}

void TestRedrive::rateLimiterPaces()
{
    using Clock = RateLimiter::Clock;
    const Clock::time_point t0 {};
    RateLimiter unlimited;
    for (int i = 0; i < 1000; ++i)
        QCOMPARE(unlimited.acquire(t0), 0ns);

    // 100/s: a burst of at most a tenth of a second, then one per 10 ms.
    RateLimiter limiter(100);
    int sentAtOnce = 0;
    while (limiter.acquire(t0) == 0ns)
        ++sentAtOnce;
    QCOMPARE(sentAtOnce, 1); // starts with one token, not a full burst
    QVERIFY(limiter.acquire(t0) <= 10ms);
    QCOMPARE(limiter.acquire(t0 + 10ms), 0ns);
    // Over a simulated second, at most rate + burst go.
    int sent = 0;
    for (auto t = t0 + 10ms; t < t0 + 1010ms; t += 1ms)
        while (limiter.acquire(t) == 0ns)
            ++sent;
    QVERIFY2(sent >= 99 && sent <= 100 + 10, qPrintable(QString::number(sent)));
    // Idle for a minute: the bucket holds a burst, not a minute's worth.
    int burst = 0;
    while (limiter.acquire(t0 + 61s) == 0ns)
        ++burst;
    QCOMPARE(burst, 10);
    // The operator slows it down mid-run.
    limiter.setRate(1);
    QVERIFY(limiter.acquire(t0 + 61s) > 900ms);
}

void TestRedrive::throughputMeterAndEta()
{
    using Clock = ThroughputMeter::Clock;
    const Clock::time_point t0 {};
    ThroughputMeter meter(5s);
    QCOMPARE(meter.ratePerSecond(), 0.0);
    QCOMPARE(meter.etaSeconds(100), -1);
    for (int s = 0; s <= 10; ++s)
        meter.record(t0 + std::chrono::seconds(s), s * 200);
    QCOMPARE(meter.ratePerSecond(), 200.0);
    QCOMPARE(meter.etaSeconds(1000), 5);
    QCOMPARE(meter.etaSeconds(0), 0);
    // It slows down: the rate follows within the window.
    for (int s = 11; s <= 20; ++s)
        meter.record(t0 + std::chrono::seconds(s), 2000 + (s - 10) * 50);
    QCOMPARE(meter.ratePerSecond(), 50.0);
}

void TestRedrive::reportCountsAndJson()
{
    RedriveReport report;
    report.source = kRabbitSource;
    report.addItem(
        {RedriveItem::Outcome::Moved, QStringLiteral("a"), QStringLiteral("queue orders"), {}});
    report.addItem(
        {RedriveItem::Outcome::Moved, QStringLiteral("b"), QStringLiteral("queue orders"), {}});
    report.addItem(
        {RedriveItem::Outcome::Skipped, QStringLiteral("c"), {}, QStringLiteral("no x-death")});
    report.addItem({RedriveItem::Outcome::Failed, QStringLiteral("d"),
                    QStringLiteral("queue orders"), QStringLiteral("nack")});
    report.notSelected = 5;
    QCOMPARE(report.moved, 2);
    QCOMPARE(report.skipped, 1);
    QCOMPARE(report.failed, 1);
    QCOMPARE(
        report.summary(),
        QStringLiteral("moved 2, skipped 1 (1: no x-death), failed 1 (1: nack), 5 not selected"));
    const QJsonObject json = report.toJson(3);
    QCOMPARE(json.value(QStringLiteral("source")).toString(),
             QStringLiteral("rabbitmq:r/%2F/orders.dlq"));
    QCOMPARE(json.value(QStringLiteral("items")).toArray().size(), 3);
    QCOMPARE(json.value(QStringLiteral("items_left_out")).toInteger(), 1);
    QCOMPARE(json.value(QStringLiteral("moved_by_target"))
                 .toObject()
                 .value(QStringLiteral("queue orders"))
                 .toInteger(),
             2);
    QCOMPARE(json.value(QStringLiteral("items"))
                 .toArray()
                 .at(2)
                 .toObject()
                 .value(QStringLiteral("reason"))
                 .toString(),
             QStringLiteral("no x-death"));
    QVERIFY(!json.contains(QStringLiteral("progress_group")));

    const QJsonObject audit = redriveAuditRecord(report);
    QCOMPARE(audit.value(QStringLiteral("event")).toString(), QStringLiteral("redrive.finish"));
    QCOMPARE(audit.value(QStringLiteral("moved_ids")).toArray(),
             QJsonArray({QStringLiteral("a"), QStringLiteral("b")}));
    QCOMPARE(audit.value(QStringLiteral("not_moved")).toArray().size(), 2);
    QVERIFY(!audit.contains(QStringLiteral("items")));
}

void TestRedrive::auditLogAppendsLinesAndSaysWhenItCannot()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("nested/audit.jsonl"));
    const AuditLog log(path);
    QVERIFY(log.append({{QStringLiteral("event"), QStringLiteral("one")}}).ok());
    QVERIFY(log.append({{QStringLiteral("event"), QStringLiteral("two")}}).ok());
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = file.readAll().split('\n');
    QCOMPARE(lines.size(), 3); // two lines and the empty rest
    const QJsonObject first = QJsonDocument::fromJson(lines.at(0)).object();
    QCOMPARE(first.value(QStringLiteral("event")).toString(), QStringLiteral("one"));
    QVERIFY(QDateTime::fromString(first.value(QStringLiteral("time")).toString(), Qt::ISODateWithMs)
                .isValid());
    QCOMPARE(first.value(QStringLiteral("user")).toString(), AuditLog::currentUser());
    QCOMPARE(QFile::permissions(path) & (QFile::ReadOther | QFile::WriteOther),
             QFile::Permissions());

    // A path that cannot be a file: the error names it.
    const AuditLog broken(dir.path()); // a directory
    const auto failed = broken.append({{QStringLiteral("event"), QStringLiteral("x")}});
    QVERIFY(!failed.ok());
    QVERIFY2(failed.error().describe().contains(dir.path()), qPrintable(failed.error().describe()));

    qputenv("VELTRIX_AUDIT_LOG", "/somewhere/else.jsonl");
    QCOMPARE(AuditLog::defaultPath(), QStringLiteral("/somewhere/else.jsonl"));
    qunsetenv("VELTRIX_AUDIT_LOG");
    qputenv("XDG_DATA_HOME", QFile::encodeName(dir.path()));
    QCOMPARE(AuditLog::defaultPath(), dir.filePath(QStringLiteral("veltrix/audit.jsonl")));
}

void TestRedrive::engineRefusesBeforeTouchingABroker()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("audit.jsonl"));
    ClusterProfile profile;
    profile.name = QStringLiteral("r");
    profile.kind = ClusterKind::RabbitMq;
    profile.amqpUri = QStringLiteral("amqp://guest:guest@127.0.0.1:1/%2F"); // never reached
    profile.readOnly = true;
    RedriveRequest request;
    request.source = kRabbitSource;
    RedriveControl control;

    const RedriveEngine engine(profile, AuditLog(path));
    RedriveReport report = engine.run(request, control);
    QCOMPARE(report.outcome, RedriveReport::Outcome::Refused);
    QVERIFY2(report.error.contains(QStringLiteral("read-only")), qPrintable(report.error));
    QCOMPARE(report.moved, 0);

    profile.readOnly = false;
    const RedriveEngine writable(profile, AuditLog(path));
    request.window = 0;
    QVERIFY(writable.refusal(request).contains(QStringLiteral("window")));
    request.window = 10;
    request.destination = destination(QStringLiteral("exchange:x/y"), ClusterKind::RabbitMq);
    QVERIFY(writable.refusal(request).isEmpty());
    request.destination.mode = RedriveDestination::Mode::Topic;
    QVERIFY(writable.refusal(request).contains(QStringLiteral("does not fit")));
    request.destination = {};
    request.source.cluster = QStringLiteral("other");
    QVERIFY(writable.refusal(request).contains(QStringLiteral("not on profile")));

    // No audit log, no redrive.
    request.source = kRabbitSource;
    const RedriveEngine unaudited(profile, AuditLog(dir.path()));
    report = unaudited.run(request, control);
    QCOMPARE(report.outcome, RedriveReport::Outcome::Refused);
    QVERIFY2(report.error.contains(QStringLiteral("audit log")), qPrintable(report.error));

    // The refusal above was written down.
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonObject line = QJsonDocument::fromJson(file.readLine()).object();
    QCOMPARE(line.value(QStringLiteral("outcome")).toString(), QStringLiteral("refused"));
    QCOMPARE(line.value(QStringLiteral("profile")).toString(), QStringLiteral("r"));
}

QTEST_GUILESS_MAIN(TestRedrive)
#include "tst_redrive.moc"
