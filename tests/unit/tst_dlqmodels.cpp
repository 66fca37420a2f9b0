// DLQ discovery and the DLQ view's models, without a broker: sources as operators write
// them, name patterns, which RabbitMQ queues are DLQs (from management API answers
// shaped like 3.10's), inflow from successive scans, filters, the lazy message table
// (rows map to offsets, only visible pages are asked for, the cache stays within its
// budget) and the triage and list models under QAbstractItemModelTester.
#include "deadletter/dlqscanner.h"
#include "deadletter/kafkadlqfinder.h"
#include "deadletter/messagefilter.h"
#include "deadletter/rabbitdlqfinder.h"
#include "items/deadlettertablemodel.h"
#include "items/dlqlistmodel.h"
#include "items/triagemodel.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

using namespace veltrix;
using namespace Qt::StringLiterals;

namespace {

QJsonArray jsonArray(const char *text)
{
    return QJsonDocument::fromJson(QByteArray(text)).array();
}

BrowsedMessage kafkaMessage(int partition, qint64 offset, const QString &reason = {},
                            const QString &exception = {})
{
    BrowsedMessage m;
    m.partition = partition;
    m.offset = offset;
    m.id = u"%1:%2"_s.arg(partition).arg(offset);
    m.payload = "payload-" + QByteArray::number(offset);
    m.payloadSize = m.payload.size();
    m.timestamp = QDateTime::fromMSecsSinceEpoch(1'700'000'000'000 + offset * 1000, Qt::UTC);
    m.deadLetter.convention = DeadLetterConvention::SpringRetryable;
    m.deadLetter.reason = reason;
    m.deadLetter.exceptionClass = exception;
    m.deadLetter.originalDestination = u"orders"_s;
    return m;
}

BrowsedMessageList pageOf(int partition, qint64 first, qint64 end)
{
    BrowsedMessageList page;
    for (qint64 o = first; o < std::min(end, first + DeadLetterTableModel::PageSize); ++o)
        page.append(kafkaMessage(partition, o));
    return page;
}

} // namespace

class TestDlqModels : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void sourcesParseAndPrint_data();
    void sourcesParseAndPrint();
    void badSourcesSayWhy_data();
    void badSourcesSayWhy();
    void patternsMatchLikeShellGlobs();
    void rabbitDlqsAreFoundByDeadLetterExchangeAndName();
    void kafkaDlqsAreFoundByNameWithDepth();
    void inflowComesFromSuccessiveTotals();
    void filterNarrowsByEveryPart();
    void pagedTableMapsRowsToOffsetsAndAsksOnlyForVisiblePages();
    void pagedTableCacheStaysWithinBudget();
    void pagedTableGrowsWithoutReset();
    void listTableFiltersAndAppends();
    void triageModelGroupsAndTellsTheClickedGroup();
    void dlqListMergesScansWithoutReset();
};

void TestDlqModels::sourcesParseAndPrint_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("cluster");
    QTest::addColumn<QString>("vhost");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("printed");
    QTest::newRow("kafka") << u"kafka:shop/orders-dlt"_s << int(ClusterKind::Kafka) << u"shop"_s
                           << QString() << u"orders-dlt"_s << u"kafka:shop/orders-dlt"_s;
    QTest::newRow("rabbit") << u"rabbitmq:local/shop/orders.dlq"_s << int(ClusterKind::RabbitMq)
                            << u"local"_s << u"shop"_s << u"orders.dlq"_s
                            << u"rabbitmq:local/shop/orders.dlq"_s;
    QTest::newRow("root vhost encoded")
        << u"rabbitmq:local/%2F/dead"_s << int(ClusterKind::RabbitMq) << u"local"_s << u"/"_s
        << u"dead"_s << u"rabbitmq:local/%2F/dead"_s;
    QTest::newRow("root vhost empty")
        << u"rabbitmq:local//dead"_s << int(ClusterKind::RabbitMq) << u"local"_s << u"/"_s
        << u"dead"_s << u"rabbitmq:local/%2F/dead"_s;
    QTest::newRow("slash in queue")
        << u"rabbitmq:local/v/a/b"_s << int(ClusterKind::RabbitMq) << u"local"_s << u"v"_s
        << u"a/b"_s << u"rabbitmq:local/v/a%2Fb"_s;
}

void TestDlqModels::sourcesParseAndPrint()
{
    QFETCH(QString, text);
    QString error;
    const auto source = DlqSource::parse(text, &error);
    QVERIFY2(source, qPrintable(error));
    QFETCH(int, kind);
    QCOMPARE(int(source->kind), kind);
    QTEST(source->cluster, "cluster");
    QTEST(source->vhost, "vhost");
    QTEST(source->name, "name");
    QTEST(source->toString(), "printed");
    QCOMPARE(DlqSource::parse(source->toString(), &error), source); // round trip
}

void TestDlqModels::badSourcesSayWhy_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("no kind") << u"orders-dlt"_s << u"kafka:<cluster>/<topic>"_s;
    QTest::newRow("unknown kind") << u"sqs:q/x"_s << u"unknown kind \"sqs\""_s;
    QTest::newRow("kafka without topic") << u"kafka:shop"_s << u"kafka:<cluster>/<topic>"_s;
    QTest::newRow("rabbit without queue") << u"rabbitmq:local/shop"_s << u"<vhost>/<queue>"_s;
}

void TestDlqModels::badSourcesSayWhy()
{
    QFETCH(QString, text);
    QFETCH(QString, mentions);
    QString error;
    QVERIFY(!DlqSource::parse(text, &error));
    QVERIFY2(error.contains(mentions) && error.contains(text), qPrintable(error));
}

void TestDlqModels::patternsMatchLikeShellGlobs()
{
    const QStringList kafka = defaultDeadLetterPatterns(ClusterKind::Kafka);
    QCOMPARE(matchingDeadLetterPattern(u"orders-dlt"_s, kafka), u"*-dlt"_s);
    QCOMPARE(matchingDeadLetterPattern(u"payments.DLT"_s, kafka), u"*.DLT"_s);
    QCOMPARE(matchingDeadLetterPattern(u"orders-retry-0"_s, kafka), u"*-retry*"_s);
    QCOMPARE(matchingDeadLetterPattern(u"payments.dlt"_s, kafka), QString()); // case matters
    QCOMPARE(matchingDeadLetterPattern(u"orders"_s, kafka), QString());
    QCOMPARE(matchingDeadLetterPattern(u"dlt"_s, kafka), QString()); // "-" is literal
    const QStringList rabbit = defaultDeadLetterPatterns(ClusterKind::RabbitMq);
    QCOMPARE(matchingDeadLetterPattern(u"orders.dlq"_s, rabbit), u"*.dlq"_s);
    QCOMPARE(matchingDeadLetterPattern(u"jobs.dead"_s, rabbit), u"*.dead"_s);
    QCOMPARE(matchingDeadLetterPattern(u"a/b-dlq"_s, rabbit), u"*-dlq"_s); // '/' is a character
    QCOMPARE(matchingDeadLetterPattern(u"x.dlqx"_s, rabbit), QString()); // anchored
    QCOMPARE(matchingDeadLetterPattern(u"a+b.c"_s, {u"a+b.?"_s}),
             u"a+b.?"_s); // regex chars literal
    QCOMPARE(matchingDeadLetterPattern(u"aab.c"_s, {u"a+b.?"_s}), QString());

    ClusterProfile profile;
    profile.kind = ClusterKind::RabbitMq;
    QCOMPARE(profile.effectiveDeadLetterPatterns(), rabbit);
    profile.deadLetterPatterns = QStringList {u"*.parking"_s};
    QCOMPARE(profile.effectiveDeadLetterPatterns(), QStringList {u"*.parking"_s});
}

void TestDlqModels::rabbitDlqsAreFoundByDeadLetterExchangeAndName()
{
    // As /api/queues, /api/policies and /api/bindings answer on 3.10.
    const QJsonArray queues = jsonArray(R"([
      {"name": "orders.process", "vhost": "shop", "type": "classic", "messages": 3,
       "arguments": {"x-dead-letter-exchange": "shop.dlx"}},
      {"name": "payments.process", "vhost": "shop", "type": "quorum", "messages": 0,
       "arguments": {"x-queue-type": "quorum"}, "effective_policy_definition": {"delivery-limit": 3}},
      {"name": "dead.orders", "vhost": "shop", "type": "classic", "messages": 42,
       "arguments": {}, "message_stats": {"ack": 8}},
      {"name": "parked", "vhost": "shop", "type": "quorum", "messages": 5,
       "arguments": {"x-delivery-limit": 7}},
      {"name": "rk-target", "vhost": "other", "type": "classic", "messages": 1, "arguments": {}},
      {"name": "work", "vhost": "other", "type": "classic", "messages": 0,
       "arguments": {"x-dead-letter-exchange": "", "x-dead-letter-routing-key": "rk-target"}},
      {"name": "audit.dlq", "vhost": "other", "type": "stream", "messages": 9, "arguments": {}},
      {"name": "plain", "vhost": "other", "type": "classic", "messages": 1, "arguments": {}},
      {"name": "dead.orders", "vhost": "other", "type": "classic", "messages": 1, "arguments": {}}
    ])");
    const QJsonArray policies = jsonArray(R"([
      {"vhost": "shop", "name": "payments-dlx", "pattern": "^payments",
       "definition": {"dead-letter-exchange": "pay.dlx", "delivery-limit": 3}}
    ])");
    const QJsonArray bindings = jsonArray(R"([
      {"source": "shop.dlx", "vhost": "shop", "destination": "dead.orders", "destination_type": "queue"},
      {"source": "pay.dlx", "vhost": "shop", "destination": "parked", "destination_type": "queue"},
      {"source": "shop.dlx", "vhost": "shop", "destination": "e2", "destination_type": "exchange"},
      {"source": "shop.dlx", "vhost": "other", "destination": "plain", "destination_type": "queue"},
      {"source": "", "vhost": "shop", "destination": "orders.process", "destination_type": "queue"}
    ])");
    const QList<DlqInfo> found = findRabbitDlqs(u"local"_s, queues, policies, bindings,
                                                defaultDeadLetterPatterns(ClusterKind::RabbitMq));
    QStringList names;
    for (const DlqInfo &info : found)
        names << info.source.vhost + u'/' + info.source.name + u" | "_s + info.why;
    // "plain" is bound to an exchange called shop.dlx in another vhost, where nothing
    // names it as a DLX; the second dead.orders likewise.
    QCOMPARE(names,
             (QStringList {u"shop/dead.orders | bound to dead-letter exchange shop.dlx"_s,
                           u"shop/parked | bound to dead-letter exchange pay.dlx"_s,
                           u"other/rk-target | dead-letter routing key of queue work"_s,
                           u"other/audit.dlq | name matches *.dlq"_s}));
    QCOMPARE(found[0].depth, 42);
    QCOMPARE(found[0].arrivedTotal, 50); // 42 there + 8 acknowledged by a consumer
    QCOMPARE(found[0].source.toString(), u"rabbitmq:local/shop/dead.orders"_s);
    QCOMPARE(found[1].queueType, u"quorum"_s);
    QCOMPARE(found[1].deliveryLimit, std::optional<int>(7));
    QCOMPARE(found[3].queueType, u"stream"_s);
    QVERIFY(!found[0].deliveryLimit);
}

void TestDlqModels::kafkaDlqsAreFoundByNameWithDepth()
{
    auto topic = [](const QString &name, QList<std::pair<qint64, qint64>> ranges) {
        TopicOffsets t;
        t.name = name;
        t.internal = name.startsWith(u"__"_s);
        int p = 0;
        for (const auto &[start, end] : ranges) {
            TopicPartitionOffsets o;
            o.partition = p++;
            o.leader = 1;
            o.startOffset = start;
            o.endOffset = end;
            t.partitions.append(o);
        }
        return t;
    };
    const QList<TopicOffsets> topics {
        topic(u"orders"_s, {{0, 100}}), topic(u"orders-dlt"_s, {{10, 40}, {0, 5}}),
        topic(u"orders-retry-1"_s, {{0, 0}}), topic(u"__consumer_offsets-dlt"_s, {{0, 3}}),
        topic(u"payments.DLT"_s, {{0, 7}, {-1, -1}})};
    const QList<DlqInfo> found
        = findKafkaDlqs(u"shop"_s, topics, defaultDeadLetterPatterns(ClusterKind::Kafka));
    QCOMPARE(found.size(), 3);
    QCOMPARE(found[0].source.toString(), u"kafka:shop/orders-dlt"_s);
    QCOMPARE(found[0].depth, 35);
    QCOMPARE(found[0].arrivedTotal, 45);
    QCOMPARE(found[0].partitions, 2);
    QVERIFY(!found[0].retry);
    QVERIFY(found[1].retry);
    QCOMPARE(found[1].depth, 0);
    // A partition without offsets (no leader) makes the depth unknown, not smaller.
    QCOMPARE(found[2].depth, -1);
    QCOMPARE(found[2].arrivedTotal, -1);
}

void TestDlqModels::inflowComesFromSuccessiveTotals()
{
    DlqInflowTracker tracker;
    auto queue = [](const QString &name, qint64 arrived) {
        DlqInfo info;
        info.source = {ClusterKind::Kafka, u"c"_s, {}, name};
        info.arrivedTotal = arrived;
        return info;
    };
    QList<DlqInfo> first {queue(u"a"_s, 100), queue(u"b"_s, -1)};
    tracker.update(first, 1000);
    QCOMPARE(first[0].inflowPerSecond, -1.0); // one sighting is no rate
    QList<DlqInfo> second {queue(u"a"_s, 150), queue(u"b"_s, 10)};
    tracker.update(second, 3000);
    QCOMPARE(second[0].inflowPerSecond, 25.0); // 50 messages in 2 s
    QCOMPARE(second[1].inflowPerSecond, -1.0); // unknown before
    QList<DlqInfo> third {queue(u"a"_s, 20), queue(u"b"_s, 30)};
    tracker.update(third, 4000);
    QCOMPARE(third[0].inflowPerSecond, -1.0); // recreated: fewer than before
    QCOMPARE(third[1].inflowPerSecond, 20.0);
}

void TestDlqModels::filterNarrowsByEveryPart()
{
    BrowsedMessage m = kafkaMessage(0, 5, u"retries exhausted"_s, u"com.shop.PaymentDeclined"_s);
    m.deadLetter.exceptionMessage = u"card 4111 declined"_s;
    m.kafkaHeaders = {{"trace-id", "abc-123"}, {"empty", QByteArray()}};
    m.key = QByteArray("customer-9");
    MessageFilter f;
    QVERIFY(f.isEmpty());
    QVERIFY(f.matches(m));
    f.text = u"DECLINED"_s;
    QVERIFY(f.matches(m)); // case-insensitive, in the exception message
    f.text = u"customer-9"_s;
    QVERIFY(f.matches(m)); // the key
    f.text = u"abc-1"_s;
    QVERIFY(f.matches(m)); // a header value
    f.text = u"nowhere"_s;
    QVERIFY(!f.matches(m));
    f = {};
    f.headerName = u"trace-id"_s;
    QVERIFY(f.matches(m));
    f.headerValue = u"xyz"_s;
    QVERIFY(!f.matches(m));
    f.headerName = u"empty"_s;
    f.headerValue.clear();
    QVERIFY(f.matches(m)); // present with a null value
    f = {};
    f.from = m.timestamp;
    QVERIFY(f.matches(m)); // inclusive
    f.to = m.timestamp;
    QVERIFY(!f.matches(m)); // exclusive
    f = {};
    f.triageDimension = TriageDimension::Reason;
    f.triageValue = triageValue(m.deadLetter, TriageDimension::Reason);
    QVERIFY(f.matches(m));
    f.triageValue = u"something else"_s;
    QVERIFY(!f.matches(m));
    QVERIFY(f.describe().contains(u"something else"_s));

    // "(other)": every reason the counter did not keep.
    f = {};
    f.triageDimension = TriageDimension::Reason;
    f.triageValue = triageOtherLabel();
    f.triageKeptValues = {u"expired"_s};
    QVERIFY(f.matches(m)); // "retries exhausted" was not kept
    f.triageKeptValues << u"retries exhausted"_s;
    QVERIFY(!f.matches(m));

    BrowsedMessage amqp;
    // No timestamp property: the time range goes by when it died, as the table shows.
    amqp.deadLetter.lastFailedAt = m.timestamp;
    f = {};
    f.from = m.timestamp.addSecs(-1);
    QVERIFY(f.matches(amqp));
    f.from = m.timestamp.addSecs(1);
    QVERIFY(!f.matches(amqp));
    amqp.amqpHeaders
        = {{u"x-death"_s, QVariantList {QVariantMap {{u"queue"_s, u"orders.process"_s}}}}};
    f = {};
    f.headerName = u"x-death"_s;
    f.headerValue = u"orders.proc"_s;
    QVERIFY(f.matches(amqp)); // nested tables are searched
}

void TestDlqModels::pagedTableMapsRowsToOffsetsAndAsksOnlyForVisiblePages()
{
    DeadLetterTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy asked(&model, &DeadLetterTableModel::pageNeeded);
    // Partition 1 is empty and partition 2 has no leader: neither takes rows.
    model.showExtents({{0, 100, 600, 1}, {1, 50, 50, 1}, {2, -1, -1, -1}, {3, 0, 1000, 1}});
    asked.clear(); // the tester reads cells too
    QCOMPARE(model.rowCount(), 1500);
    QCOMPARE(model.rowOf(0, 100), 0);
    QCOMPARE(model.rowOf(0, 599), 499);
    QCOMPARE(model.rowOf(3, 0), 500);
    QCOMPARE(model.rowOf(3, 999), 1499);
    QCOMPARE(model.rowOf(0, 99), -1); // below the log start
    QCOMPARE(model.rowOf(1, 50), -1);

    // An unloaded row shows where it is and asks for its page, once.
    QCOMPARE(model.index(505, DeadLetterTableModel::Id).data().toString(), u"3:5 …"_s);
    QCOMPARE(model.index(505, DeadLetterTableModel::Payload).data(), QVariant());
    QVERIFY(!model.index(505, 0).data(DeadLetterTableModel::LoadedRole).toBool());
    model.index(506, DeadLetterTableModel::Payload).data();
    QCOMPARE(asked.size(), 1);
    QCOMPARE(asked[0][0].toInt(), 3);
    QCOMPARE(asked[0][1].toLongLong(), 0); // pages sit at whole multiples of PageSize
    QCOMPARE(asked[0][2].toInt(), DeadLetterTableModel::PageSize);
    model.index(250, 0).data(); // offset 350: partition 0's page of offsets 200-399
    QCOMPARE(asked.size(), 2);
    QCOMPARE(asked[1][0].toInt(), 0);
    QCOMPARE(asked[1][1].toLongLong(), 200);

    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.addPage(3, 0, pageOf(3, 0, 1000));
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed[0][0].toModelIndex().row(), 500);
    QCOMPARE(changed[0][1].toModelIndex().row(), 699);
    QCOMPARE(model.index(505, DeadLetterTableModel::Id).data().toString(), u"3:5"_s);
    QCOMPARE(model.index(505, DeadLetterTableModel::Payload).data().toString(), u"payload-5"_s);
    QCOMPARE(model.messageAt(505)->offset, 5);

    // The log starts at 100: the first page holds 100-199. One with a gap (a transaction
    // marker at 103) shows the gap as nothing there, not as loading.
    BrowsedMessageList gappy = pageOf(0, 100, 600);
    gappy.removeAt(3);
    model.addPage(0, 0, gappy);
    QVERIFY(model.messageAt(2));
    QVERIFY(!model.messageAt(3));
    QVERIFY(model.index(3, 0).data().toString().startsWith(u"0:103 (no record"_s));
    // A failed read is asked for again, not taken for a gap.
    model.index(300, 0).data(); // partition 0, offset 400
    model.pageFailed(0, 400);
    asked.clear();
    model.index(300, 0).data();
    QCOMPARE(asked.size(), 1);
    QVERIFY(model.index(300, 0).data().toString().endsWith(u" …"_s));
}

void TestDlqModels::pagedTableCacheStaysWithinBudget()
{
    DeadLetterTableModel model;
    model.setCacheBudget(64 * 1024);
    model.showExtents({{0, 0, 1'000'000, 1}});
    QCOMPARE(model.rowCount(), 1'000'000);
    for (qint64 first = 0; first < 100 * DeadLetterTableModel::PageSize;
         first += DeadLetterTableModel::PageSize) {
        BrowsedMessageList page;
        for (qint64 o = first; o < first + DeadLetterTableModel::PageSize; ++o) {
            BrowsedMessage m = kafkaMessage(0, o);
            m.payload = QByteArray(100, 'x');
            page.append(m);
        }
        model.addPage(0, first, page);
        QVERIFY2(model.cachedBytes() <= 64 * 1024 || model.cachedPages() <= 2,
                 qPrintable(QString::number(model.cachedBytes())));
    }
    QVERIFY(model.cachedPages() < 100);
    // The newest page is kept; the oldest went.
    QVERIFY(model.messageAt(99 * DeadLetterTableModel::PageSize));
    QSignalSpy asked(&model, &DeadLetterTableModel::pageNeeded);
    QVERIFY(!model.messageAt(0));
    QCOMPARE(asked.size(), 1);
}

void TestDlqModels::pagedTableGrowsWithoutReset()
{
    DeadLetterTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.showExtents({{0, 0, 300, 1}, {1, 0, 300, 1}});
    model.addPage(1, 0, pageOf(1, 0, 300)); // full: offsets 0-199
    model.addPage(1, 200, pageOf(1, 200, 300)); // short: 200-299 of 200-399
    const QPersistentModelIndex p1 = model.index(350, 0); // partition 1, offset 50
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy asked(&model, &DeadLetterTableModel::pageNeeded);
    // 20 records arrived on partition 0, 5 on partition 1.
    model.updateExtents({{0, 0, 320, 1}, {1, 0, 305, 1}});
    QCOMPARE(reset.size(), 0);
    QCOMPARE(inserted.size(), 2);
    QCOMPARE(model.rowCount(), 625);
    QCOMPARE(p1.row(), 370); // moved down by partition 0's new rows, still the same record
    QVERIFY(model.messageAt(p1.row())); // its full page stayed
    QCOMPARE(model.messageAt(p1.row())->offset, 50);
    QCOMPARE(model.rowOf(1, 304), 624);
    // The short page was dropped: its new records are read, not shown as gaps.
    QVERIFY(!model.messageAt(model.rowOf(1, 250)));
    const bool askedAgain = std::any_of(asked.begin(), asked.end(), [](const QList<QVariant> &a) {
        return a[0].toInt() == 1 && a[1].toLongLong() == 200;
    });
    QVERIFY(askedAgain);
    QVERIFY(model.index(model.rowOf(1, 302), 0).data().toString().endsWith(u" …"_s));
    // Retention moved partition 0's start: its rows are re-cut, partition 1's kept.
    model.updateExtents({{0, 100, 320, 1}, {1, 0, 305, 1}});
    QCOMPARE(reset.size(), 0);
    QCOMPARE(model.rowCount(), 525);
    QCOMPARE(model.rowOf(0, 100), 0);
    QCOMPARE(p1.row(), 270);
    QCOMPARE(model.messageAt(p1.row())->offset, 50);
    // Another set of partitions is another table.
    model.updateExtents({{0, 0, 10, 1}});
    QCOMPARE(reset.size(), 1);
    QCOMPARE(model.rowCount(), 10);
}

void TestDlqModels::listTableFiltersAndAppends()
{
    DeadLetterTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    BrowsedMessageList messages;
    for (int i = 0; i < 10; ++i)
        messages.append(kafkaMessage(0, i, i % 3 == 0 ? u"expired"_s : u"rejected"_s));
    model.showMessages(messages);
    QCOMPARE(model.rowCount(), 10);
    MessageFilter filter;
    filter.triageDimension = TriageDimension::Reason;
    filter.triageValue = u"expired"_s;
    model.setFilter(filter);
    QCOMPARE(model.rowCount(), 4); // 0, 3, 6, 9
    QCOMPARE(model.messageAt(1)->offset, 3);
    QCOMPARE(model.unfilteredCount(), 10);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    model.appendMessages({kafkaMessage(0, 10, u"rejected"_s), kafkaMessage(0, 12, u"expired"_s)});
    QCOMPARE(model.rowCount(), 5); // only the matching one shows
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(model.visibleMessages().last().offset, 12);
    model.setFilter({});
    QCOMPARE(model.rowCount(), 12);
}

void TestDlqModels::triageModelGroupsAndTellsTheClickedGroup()
{
    TriageModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    TriageCounter counter;
    for (int i = 0; i < 6; ++i) {
        DeadLetter dl = kafkaMessage(0, i, i < 4 ? u"retries exhausted"_s : u"listener failed"_s,
                                     u"com.shop.Timeout"_s)
                            .deadLetter;
        dl.exceptionMessage = u"order %1 timed out after 30s"_s.arg(1000 + i);
        counter.add(dl);
    }
    model.setCounts(counter);
    QCOMPARE(model.rowCount(), 4);
    const QModelIndex reasons = model.index(0, 0);
    QCOMPARE(model.rowCount(reasons), 2);
    QCOMPARE(model.index(0, TriageModel::Group, reasons).data().toString(), u"retries exhausted"_s);
    QCOMPARE(model.index(0, TriageModel::Count, reasons).data().toLongLong(), 4);
    QCOMPARE(model.index(0, TriageModel::Share, reasons).data().toString(), u"66.7 %"_s);
    // Six messages differing only in numbers are one exception-message group.
    QCOMPARE(model.rowCount(model.index(2, 0)), 1);
    const auto group = model.groupAt(model.index(1, 0, reasons));
    QVERIFY(group);
    QCOMPARE(group->first, TriageDimension::Reason);
    QCOMPARE(group->second, u"listener failed"_s);
    QVERIFY(!model.groupAt(reasons));
}

void TestDlqModels::dlqListMergesScansWithoutReset()
{
    DlqListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    auto info = [](const QString &cluster, const QString &name, qint64 depth) {
        DlqInfo i;
        i.source = {ClusterKind::Kafka, cluster, {}, name};
        i.depth = depth;
        i.partitions = 3;
        return i;
    };
    DlqListing kafka {u"k"_s,
                      ClusterKind::Kafka,
                      {},
                      {info(u"k"_s, u"b-dlt"_s, 1), info(u"k"_s, u"a-dlt"_s, 2)},
                      {}};
    model.takeListing(kafka);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(0, DlqListModel::Name).data().toString(), u"a-dlt"_s);
    const QPersistentModelIndex b = model.index(1, 0);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    kafka.queues
        = {info(u"k"_s, u"a-dlt"_s, 2), info(u"k"_s, u"b-dlt"_s, 9), info(u"k"_s, u"c-dlt"_s, 0)};
    model.takeListing(kafka);
    QCOMPARE(reset.size(), 0);
    QCOMPARE(changed.size(), 1); // only b changed
    QCOMPARE(b.row(), 1);
    QCOMPARE(model.index(1, DlqListModel::Depth).data().toString(), QLocale().toString(9));
    // Another cluster's scan adds its rows and keeps these; a failed scan says why.
    DlqListing failing {
        u"z"_s, ClusterKind::Kafka, {}, {info(u"z"_s, u"x-dlt"_s, 1)}, u"timed out"_s};
    model.takeListing(failing);
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.errors().value(u"z"_s), u"timed out"_s);
    QCOMPARE(model.rowOf(u"kafka:z/x-dlt"_s), 3);
}

QTEST_GUILESS_MAIN(TestDlqModels)
#include "tst_dlqmodels.moc"
