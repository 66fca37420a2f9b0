// The Kafka redrive through RedriveEngine::run against librdkafka's mock cluster over TCP:
// every record the test dead-lettered is read back at its destination with its key,
// payload and headers; the progress group's committed offsets are read back from the
// brokers and never pass a record that was not delivered; the audit log has a start and a
// finish line per run; and with every broker taken down mid-run nothing is lost.
#include "core/deadletterqueue.h"
#include "demo/springheaders.h"
#include "kafka/kafkaadmin.h"
#include "kafka/kafkahandle.h"
#include "kafka/kafkatopicbrowser.h"
#include "kafka/mockkafkacluster.h"
#include "kafka/partitionfetcher.h"
#include "redrive/kafkaredriver.h"
#include "redrive/redriveengine.h"
#include "testkafka.h"
#include "testprofiles.h"

#include <librdkafka/rdkafka.h>

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <thread>

using namespace veltrix;
using namespace std::chrono_literals;
using namespace Qt::StringLiterals;

namespace {

constexpr auto Timeout = 10s;

QByteArray headerValue(const KafkaHeaderList &headers, const char *name)
{
    for (qsizetype i = headers.size() - 1; i >= 0; --i)
        if (headers[i].name == name)
            return headers[i].value;
    return {};
}

// A record as Spring's DeadLetterPublishingRecoverer writes it to a DLT: the failed
// record's key, value and own headers, then the kafka_dlt-* headers naming where it was.
test::TestRecord dltRecord(int partition, const QString &originalTopic,
                           std::optional<QByteArray> key, const QByteArray &value,
                           const KafkaHeaderList &ownHeaders = {})
{
    const demo::FailedRecord failed {originalTopic,
                                     0,
                                     42,
                                     1'700'000'000'000,
                                     u"CreateTime"_s,
                                     key.value_or(QByteArray()),
                                     u"shop-service"_s,
                                     ownHeaders};
    const demo::JavaException error {u"org.springframework.kafka.listener."
                                     "ListenerExecutionFailedException"_s,
                                     u"Listener failed"_s, u"java.net.SocketTimeoutException"_s,
                                     u"Read timed out"_s,
                                     u"java.net.SocketTimeoutException: Read timed out"_s};
    test::TestRecord record;
    record.partition = partition;
    record.key = key;
    record.value = value;
    record.headers = demo::blockingRecovererDltHeaders(failed, error);
    return record;
}

// Every record of a topic, read with a browser (no group, commits nothing).
BrowsedMessageList readAll(const ClusterProfile &profile, const QString &topic)
{
    BrowsedMessageList all;
    auto browser = KafkaTopicBrowser::open(profile, topic, Timeout);
    if (!browser) {
        qWarning("%s", qPrintable(browser.error().describe()));
        return all;
    }
    auto extents = browser.value()->extents();
    if (!extents) {
        qWarning("%s", qPrintable(extents.error().describe()));
        return all;
    }
    for (const KafkaPartitionExtent &e : extents.value()) {
        for (qint64 offset = e.start; offset < e.end;) {
            auto page = browser.value()->read(e.partition, offset, 5000, -1);
            if (!page || page->isEmpty()) {
                qWarning("reading %s failed", qPrintable(topic));
                return all;
            }
            offset = page->constLast().offset + 1;
            all.append(page.value());
        }
    }
    return all;
}

QList<KafkaPartitionExtent> extentsOf(const ClusterProfile &profile, const QString &topic)
{
    auto browser = KafkaTopicBrowser::open(profile, topic, Timeout);
    if (!browser)
        return {};
    auto extents = browser.value()->extents();
    return extents ? extents.value() : QList<KafkaPartitionExtent> {};
}

// The progress group's offsets as the brokers have them: partition -> offset (-1: none).
QMap<int, qint64> committedOffsets(const ClusterProfile &profile, const QString &topic,
                                   int partitions)
{
    QMap<int, qint64> offsets;
    auto consumer = KafkaHandle::create(
        profile, RD_KAFKA_CONSUMER,
        {{u"group.id"_s, kafkaRedriveGroup(topic)}, {u"enable.auto.commit"_s, u"false"_s}});
    if (!consumer)
        return offsets;
    kafka::PartitionListPtr list(rd_kafka_topic_partition_list_new(partitions));
    for (int p = 0; p < partitions; ++p)
        rd_kafka_topic_partition_list_add(list.get(), topic.toUtf8().constData(), p);
    if (rd_kafka_committed(consumer.value()->get(), list.get(), 10000)
        != RD_KAFKA_RESP_ERR_NO_ERROR)
        return offsets;
    for (int i = 0; i < list->cnt; ++i)
        offsets.insert(list->elems[i].partition, std::max<int64_t>(list->elems[i].offset, -1));
    return offsets;
}

QString payloadsOf(const BrowsedMessageList &messages)
{
    QStringList list;
    for (const BrowsedMessage &m : messages)
        list << QString::fromUtf8(m.payload);
    list.sort();
    return list.join(u',');
}

qsizetype distinctPayloads(const BrowsedMessageList &messages)
{
    QSet<QByteArray> payloads;
    for (const BrowsedMessage &m : messages)
        payloads.insert(m.payload);
    return payloads.size();
}

QString describe(const RedriveReport &report)
{
    return QString::fromUtf8(QJsonDocument(report.toJson(20)).toJson(QJsonDocument::Compact));
}

} // namespace

class TestKafkaRedrive : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void watermarkNeverPassesWhatIsNotDone();
    void recordViewsAreWhatTheBrowserShows();
    void onlyFinalDeliveryErrorsPassTheProgress();
    void redrivesAllToTheirOriginalTopics();
    void secondRedriveCountsOn();
    void filterAndIdsChooseWhatMoves();
    void chosenTopicTakesEverything();
    void missingDestinationIsSkippedNotCreated();
    void recordsWithoutDestinationAreSkipped();
    void destinationEqualToTheDltIsSkipped();
    void dryRunSendsAndCommitsNothing();
    void progressGroupContinuesAndFromStartRepeats();
    void limitStopsAndTheNextRunGoesOn();
    void readOnlyProfileIsRefused();
    void missingDltIsAnErrorAndNotCreated();
    void repairReplacesPayloadAndHeaders();
    void cancelCommitsExactlyWhatWasDelivered();
    void pauseHoldsSendsUntilResumed();
    void brokersDownMidRunLoseNothing();
    void brokersDownTooLongStopAndARerunFinishes();

private:
    ClusterProfile profile(bool readOnly = false) const;
    RedriveRequest request(const QString &dlt) const;
    RedriveReport redrive(const RedriveRequest &request, bool readOnly = false,
                          const std::function<void(const RedriveProgress &)> &sink = {});
    bool createTopic(const QString &name, int partitions);
    bool produce(const QString &topic, const QList<test::TestRecord> &records);
    QList<QJsonObject> auditLines(const QString &runId) const;
    void checkAudit(const RedriveReport &report);
    void checkCommittedWithinDelivered(const QString &dlt, int partitions,
                                       const RedriveReport &report, const QString &destination,
                                       qsizetype window);
    // Runs a redrive on a thread while `during` runs here; the report once it is over.
    RedriveReport redriveWhile(const RedriveRequest &request, RedriveControl &control,
                               const std::function<void(std::atomic<bool> &done)> &during);

    RedriveProgress lastProgress()
    {
        QMutexLocker lock(&m_progressMutex);
        return m_progress;
    }

    std::unique_ptr<MockKafkaCluster> m_mock;
    QTemporaryDir m_dir;
    QString m_auditPath;
    QMutex m_progressMutex;
    RedriveProgress m_progress;
};

ClusterProfile TestKafkaRedrive::profile(bool readOnly) const
{
    ClusterProfile p = test::kafkaProfile(u"mock"_s, m_mock->bootstrapServers());
    p.readOnly = readOnly;
    return p;
}

RedriveRequest TestKafkaRedrive::request(const QString &dlt) const
{
    RedriveRequest r;
    r.source = {ClusterKind::Kafka, u"mock"_s, {}, dlt};
    r.window = 100;
    r.retryForSeconds = 30;
    return r;
}

RedriveReport TestKafkaRedrive::redrive(const RedriveRequest &request, bool readOnly,
                                        const std::function<void(const RedriveProgress &)> &sink)
{
    RedriveControl control;
    return RedriveEngine(profile(readOnly)).run(request, control, sink);
}

bool TestKafkaRedrive::createTopic(const QString &name, int partitions)
{
    const auto created = m_mock->createTopic(name, partitions);
    if (!created)
        qWarning("%s", qPrintable(created.error().describe()));
    return created.ok();
}

bool TestKafkaRedrive::produce(const QString &topic, const QList<test::TestRecord> &records)
{
    const auto done
        = test::produceRecords(profile(), topic, records, {{u"linger.ms"_s, u"5"_s}}, 60s);
    if (!done)
        qWarning("%s", qPrintable(done.error().describe()));
    return done.ok();
}

QList<QJsonObject> TestKafkaRedrive::auditLines(const QString &runId) const
{
    QList<QJsonObject> lines = test::readJsonLines(m_auditPath);
    lines.removeIf(
        [&](const QJsonObject &line) { return line.value(u"run_id"_s).toString() != runId; });
    return lines;
}

void TestKafkaRedrive::checkAudit(const RedriveReport &report)
{
    const QList<QJsonObject> lines = auditLines(report.runId);
    QCOMPARE(lines.size(), 2);
    QCOMPARE(lines[0].value(u"event"_s).toString(), u"redrive.start"_s);
    QCOMPARE(lines[0].value(u"dry_run"_s).toBool(), report.dryRun);
    const QJsonObject &finish = lines[1];
    QCOMPARE(finish.value(u"event"_s).toString(), u"redrive.finish"_s);
    QCOMPARE(finish.value(u"outcome"_s).toString(), redriveReportOutcomeName(report.outcome));
    QCOMPARE(finish.value(u"moved"_s).toInteger(), report.moved);
    QCOMPARE(finish.value(u"skipped"_s).toInteger(), report.skipped);
    QCOMPARE(finish.value(u"failed"_s).toInteger(), report.failed);
    QCOMPARE(finish.value(u"progress_group"_s).toString(), report.progressGroup);
    const QJsonArray ids
        = finish.value(report.dryRun ? u"would_move_ids"_s : u"moved_ids"_s).toArray();
    QCOMPARE(ids.size(), std::min<qint64>(report.moved, 10000));
    QSet<QString> movedIds;
    for (const RedriveItem &item : report.items)
        if (item.outcome == RedriveItem::Outcome::Moved)
            movedIds.insert(item.id);
    for (const QJsonValue &id : ids)
        QVERIFY2(movedIds.contains(id.toString()), qPrintable(id.toString()));
}

// Every DLT record below the committed offset is at the destination, and at most `window`
// more were delivered past it (with everything selected): what the next run sends again.
void TestKafkaRedrive::checkCommittedWithinDelivered(const QString &dlt, int partitions,
                                                     const RedriveReport &report,
                                                     const QString &destination, qsizetype window)
{
    const QMap<int, qint64> committed = committedOffsets(profile(), dlt, partitions);
    QCOMPARE(committed.size(), partitions);
    for (auto it = committed.cbegin(); it != committed.cend(); ++it)
        QCOMPARE(it.value(), report.committedOffsets.value(it.key(), -1));
    QSet<QByteArray> delivered;
    for (const BrowsedMessage &m : readAll(profile(), destination))
        delivered.insert(m.payload);
    qint64 below = 0;
    for (const BrowsedMessage &m : readAll(profile(), dlt)) {
        if (m.offset < committed.value(m.partition)) {
            ++below;
            QVERIFY2(
                delivered.contains(m.payload),
                qPrintable(u"%1 is below the committed offset but was not delivered"_s.arg(m.id)));
        }
    }
    QVERIFY2(delivered.size() >= below, qPrintable(describe(report)));
    // Delivered past the committed offset: what the next run sends again.
    QVERIFY2(delivered.size() - below <= window,
             qPrintable(u"%1 delivered past the committed offsets; "_s.arg(delivered.size() - below)
                        + describe(report)));
}

RedriveReport
TestKafkaRedrive::redriveWhile(const RedriveRequest &request, RedriveControl &control,
                               const std::function<void(std::atomic<bool> &done)> &during)
{
    RedriveReport report;
    std::atomic<bool> done {false};
    {
        QMutexLocker lock(&m_progressMutex);
        m_progress = {}; // not the last run's
    }
    {
        const RedriveEngine engine(profile());
        std::thread worker([&] {
            report = engine.run(request, control, [this](const RedriveProgress &p) {
                QMutexLocker lock(&m_progressMutex);
                m_progress = p;
            });
            done = true;
        });
        during(done);
        QElapsedTimer clock;
        clock.start();
        while (!done && clock.elapsed() < 240'000)
            QTest::qWait(20);
        if (!done) // a hung run fails the test; the worker cannot be left behind
            control.cancel();
        worker.join();
    }
    return report;
}

void TestKafkaRedrive::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_auditPath = m_dir.filePath(u"audit.jsonl"_s);
    qputenv("VELTRIX_AUDIT_LOG", m_auditPath.toUtf8());
    auto mock = MockKafkaCluster::start(3);
    QVERIFY2(mock.ok(), qPrintable(mock.error().describe()));
    m_mock = std::move(mock).value();
}

void TestKafkaRedrive::watermarkNeverPassesWhatIsNotDone()
{
    OffsetWatermark mark(10, 12); // a fromStart run; an earlier one committed 12
    QCOMPARE(mark.committable(), 10);
    QCOMPARE(mark.committedOffset(), 12);
    mark.handledUpTo(11); // 10: not selected
    QCOMPARE(mark.committable(), 11);
    mark.sent(11);
    mark.handledUpTo(12);
    mark.sent(12);
    mark.handledUpTo(13);
    mark.handledUpTo(15); // 13 and 14: skipped
    QCOMPARE(mark.committable(), 11);
    QCOMPARE(mark.inFlight(), 2);
    QCOMPARE(mark.uncommitted(), 1); // 11 is below the earlier commit: a crash resends 12 only
    mark.done(12); // reports may come out of order across retries
    QCOMPARE(mark.committable(), 11);
    mark.done(11);
    QCOMPARE(mark.committable(), 15);
    mark.committed(15);
    QCOMPARE(mark.uncommitted(), 0);
    mark.committed(13); // a late answer never moves it back
    QCOMPARE(mark.committedOffset(), 15);

    mark.sent(15);
    mark.sent(16);
    mark.handledUpTo(17);
    mark.hold(15); // not confirmed: never passed, even once the rest is done
    mark.done(16);
    mark.handledUpTo(20);
    QCOMPARE(mark.committable(), 15);
    QVERIFY(mark.holds());
    QCOMPARE(mark.inFlight(), 0);
    QCOMPARE(mark.uncommitted(), 2); // both go again in the next run
    mark.handledUpTo(3); // never back
    QCOMPARE(mark.handled(), 20);
}

void TestKafkaRedrive::onlyFinalDeliveryErrorsPassTheProgress()
{
    // Final: reported as failed, committed past. Anything else may have been delivered or
    // not, so the record stays ahead of the committed offset.
    QVERIFY(isPermanentDeliveryError(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE));
    QVERIFY(isPermanentDeliveryError(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED));
    QVERIFY(isPermanentDeliveryError(RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC));
    for (const rd_kafka_resp_err_t unknown :
         {RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, RD_KAFKA_RESP_ERR__PURGE_QUEUE,
          RD_KAFKA_RESP_ERR__PURGE_INFLIGHT, RD_KAFKA_RESP_ERR__FATAL, RD_KAFKA_RESP_ERR__TRANSPORT,
          RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
          RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER})
        QVERIFY2(!isPermanentDeliveryError(unknown), rd_kafka_err2name(unknown));
}

void TestKafkaRedrive::recordViewsAreWhatTheBrowserShows()
{
    // The redriver reads records as views (no copies); selection by id or filter must see
    // exactly what the console's table shows.
    QVERIFY(createTopic(u"view-check"_s, 1));
    QList<test::TestRecord> records {
        dltRecord(0, u"orders"_s, "k1"_ba, "{\"order\": 1}", {{"trace", "t-1"}}),
        test::TestRecord {0, std::nullopt, "null key", 1'700'000'000'123, {}},
        test::TestRecord {0, ""_ba, QByteArray(), 0, {{"null", QByteArray()}, {"empty", ""_ba}}},
        test::TestRecord {0, "k4"_ba, ""_ba, 0, {{"dup", "a"}, {"dup", "b"}}},
    };
    QVERIFY(produce(u"view-check"_s, records));
    auto consumer = KafkaHandle::create(
        profile(), RD_KAFKA_CONSUMER,
        {{u"group.id"_s, u"view-check-reader"_s}, {u"enable.auto.commit"_s, u"false"_s}});
    QVERIFY(consumer.ok());
    rd_kafka_t *rk = consumer.value()->get();
    kafka::PartitionListPtr list(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_list_add(list.get(), "view-check", 0)->offset
        = RD_KAFKA_OFFSET_BEGINNING;
    QCOMPARE(rd_kafka_assign(rk, list.get()), RD_KAFKA_RESP_ERR_NO_ERROR);
    int seen = 0;
    QElapsedTimer clock;
    clock.start();
    while (seen < records.size() && clock.elapsed() < 20000) {
        kafka::MessagePtr m(rd_kafka_consumer_poll(rk, 100));
        if (!m || m->err)
            continue;
        ++seen;
        const BrowsedMessage shown = browsedFromKafka(m.get(), -1);
        rd_kafka_headers_t *headers = nullptr;
        rd_kafka_message_headers(m.get(), &headers);
        const BrowsedMessage view = kafkaRecordView(m.get(), headers);
        QCOMPARE(view.id, shown.id);
        QCOMPARE(view.partition, shown.partition);
        QCOMPARE(view.offset, shown.offset);
        QCOMPARE(view.key.has_value(), shown.key.has_value());
        if (shown.key) {
            QCOMPARE(*view.key, *shown.key);
            QCOMPARE(view.key->isNull(), shown.key->isNull());
        }
        QCOMPARE(view.timestamp, shown.timestamp);
        QCOMPARE(view.payload, shown.payload);
        QCOMPARE(view.payload.isNull(), shown.payload.isNull());
        QCOMPARE(view.payloadSize, shown.payloadSize);
        QCOMPARE(view.kafkaHeaders, shown.kafkaHeaders);
        for (qsizetype i = 0; i < shown.kafkaHeaders.size(); ++i)
            QCOMPARE(view.kafkaHeaders[i].value.isNull(), shown.kafkaHeaders[i].value.isNull());
        QCOMPARE(view.deadLetter, shown.deadLetter);
    }
    QCOMPARE(seen, records.size());
}

void TestKafkaRedrive::redrivesAllToTheirOriginalTopics()
{
    QVERIFY(createTopic(u"orders"_s, 3));
    QVERIFY(createTopic(u"payments"_s, 2));
    QVERIFY(createTopic(u"shop-dlt"_s, 2));
    QList<test::TestRecord> records;
    for (int i = 0; i < 6; ++i)
        records << dltRecord(
            i % 2, u"orders"_s, "order-" + QByteArray::number(i % 3),
            "{\"order\": " + QByteArray::number(i) + "}",
            {{"traceparent", "00-trace-" + QByteArray::number(i)}, {"null-header", QByteArray()}});
    for (int i = 0; i < 4; ++i)
        records << dltRecord(1, u"payments"_s, i == 0 ? std::nullopt : std::optional("pay-a"_ba),
                             "{\"payment\": " + QByteArray::number(i) + "}");
    QVERIFY(produce(u"shop-dlt"_s, records));
    const BrowsedMessageList dlt = readAll(profile(), u"shop-dlt"_s);
    QCOMPARE(dlt.size(), 10);

    const QDateTime before = QDateTime::currentDateTimeUtc().addSecs(-1);
    const RedriveReport report = redrive(request(u"shop-dlt"_s));
    QVERIFY2(report.outcome == RedriveReport::Outcome::Completed, qPrintable(describe(report)));
    QCOMPARE(report.moved, 10);
    QCOMPARE(report.looked, 10);
    QCOMPARE(report.movedByTarget.value(u"topic orders"_s), 6);
    QCOMPARE(report.movedByTarget.value(u"topic payments"_s), 4);
    QCOMPARE(report.progressGroup, u"veltrix-redrive.shop-dlt"_s);
    checkAudit(report);

    QHash<QByteArray, BrowsedMessage> original;
    for (const BrowsedMessage &m : dlt)
        original.insert(m.payload, m);
    for (const QString &topic : {u"orders"_s, u"payments"_s}) {
        const BrowsedMessageList moved = readAll(profile(), topic);
        QCOMPARE(moved.size(), topic == u"orders"_s ? 6 : 4);
        QHash<QByteArray, int> partitionOfKey;
        for (const BrowsedMessage &m : moved) {
            QVERIFY2(original.contains(m.payload), m.payload.constData());
            const BrowsedMessage &from = original.value(m.payload);
            QCOMPARE(m.key, from.key); // a null key stays null
            QCOMPARE(from.deadLetter.originalDestination, topic);
            // Every header kept in order, then the two redrive headers.
            QCOMPARE(m.kafkaHeaders.size(), from.kafkaHeaders.size() + 2);
            QCOMPARE(m.kafkaHeaders.mid(0, from.kafkaHeaders.size()), from.kafkaHeaders);
            QCOMPARE(m.kafkaHeaders[from.kafkaHeaders.size()].name, RedriveCountHeader.toUtf8());
            QCOMPARE(headerValue(m.kafkaHeaders, "x-veltrix-redrive-count"), "1"_ba);
            const QDateTime at = QDateTime::fromString(
                QString::fromUtf8(headerValue(m.kafkaHeaders, "x-veltrix-redriven-at")),
                Qt::ISODateWithMs);
            QVERIFY(at.isValid() && at >= before && at <= QDateTime::currentDateTimeUtc());
            QVERIFY(m.timestamp >= before); // the producer's clock, not the DLT record's
            if (m.key) { // the same key, the same partition
                QVERIFY(partitionOfKey.value(*m.key, m.partition) == m.partition);
                partitionOfKey.insert(*m.key, m.partition);
            }
        }
    }
    // The progress group is at the DLT's end.
    const QMap<int, qint64> committed = committedOffsets(profile(), u"shop-dlt"_s, 2);
    for (const KafkaPartitionExtent &e : extentsOf(profile(), u"shop-dlt"_s)) {
        QCOMPARE(committed.value(e.partition), e.end);
        QCOMPARE(report.committedOffsets.value(e.partition), e.end);
    }
}

void TestKafkaRedrive::secondRedriveCountsOn()
{
    // What came back to "payments" dies again: Spring dead-letters it with its headers,
    // which now carry the first redrive's count.
    const BrowsedMessageList back = readAll(profile(), u"payments"_s);
    QCOMPARE(back.size(), 4);
    QList<test::TestRecord> again;
    for (const BrowsedMessage &m : back)
        again << dltRecord(0, u"payments"_s, m.key, m.payload + " again", m.kafkaHeaders);
    QVERIFY(produce(u"shop-dlt"_s, again));

    const RedriveReport report = redrive(request(u"shop-dlt"_s));
    QVERIFY2(report.outcome == RedriveReport::Outcome::Completed, qPrintable(describe(report)));
    QCOMPARE(report.moved, 4); // only the new ones: the rest went in the last run
    checkAudit(report);
    int twice = 0;
    for (const BrowsedMessage &m : readAll(profile(), u"payments"_s)) {
        if (!m.payload.endsWith(" again"))
            continue;
        ++twice;
        QCOMPARE(headerValue(m.kafkaHeaders, "x-veltrix-redrive-count"), "2"_ba);
        int counts = 0;
        for (const KafkaHeader &h : m.kafkaHeaders)
            counts += h.name == "x-veltrix-redrive-count" ? 1 : 0;
        QCOMPARE(counts, 1); // replaced, not added
    }
    QCOMPARE(twice, 4);
}

void TestKafkaRedrive::filterAndIdsChooseWhatMoves()
{
    QVERIFY(createTopic(u"stock"_s, 1));
    QVERIFY(createTopic(u"stock-dlt"_s, 1));
    QList<test::TestRecord> records;
    for (int i = 0; i < 10; ++i)
        records << dltRecord(0, u"stock"_s, "sku-" + QByteArray::number(i),
                             (i % 3 == 0 ? "warehouse down #"_ba : "bad sku #"_ba)
                                 + QByteArray::number(i));
    QVERIFY(produce(u"stock-dlt"_s, records));

    RedriveRequest filtered = request(u"stock-dlt"_s);
    filtered.filter.text = u"WAREHOUSE"_s; // any case
    const RedriveReport first = redrive(filtered);
    QVERIFY2(first.outcome == RedriveReport::Outcome::Completed, qPrintable(describe(first)));
    QCOMPARE(first.moved, 4);
    QCOMPARE(first.notSelected, 6);
    checkAudit(first);
    QCOMPARE(payloadsOf(readAll(profile(), u"stock"_s)),
             u"warehouse down #0,warehouse down #3,warehouse down #6,warehouse down #9"_s);

    // Not selected counts as done: the group passed them too. Chosen ids need fromStart.
    RedriveRequest chosen = request(u"stock-dlt"_s);
    chosen.ids = QSet<QString> {u"0:1"_s, u"0:4"_s};
    QCOMPARE(redrive(chosen).moved, 0);
    chosen.fromStart = true;
    const RedriveReport second = redrive(chosen);
    QVERIFY2(second.outcome == RedriveReport::Outcome::Completed, qPrintable(describe(second)));
    QCOMPARE(second.moved, 2);
    QCOMPARE(second.notSelected, 8);
    checkAudit(second);
    QCOMPARE(readAll(profile(), u"stock"_s).size(), 6);
    QVERIFY(payloadsOf(readAll(profile(), u"stock"_s)).contains(u"bad sku #4"_s));
    QCOMPARE(committedOffsets(profile(), u"stock-dlt"_s, 1).value(0), 10);
}

void TestKafkaRedrive::chosenTopicTakesEverything()
{
    QVERIFY(createTopic(u"mixed-dlt"_s, 2));
    QVERIFY(createTopic(u"quarantine"_s, 4));
    QList<test::TestRecord> records;
    for (int i = 0; i < 8; ++i)
        records << dltRecord(i % 2, i < 4 ? u"orders"_s : u"payments"_s,
                             "k" + QByteArray::number(i), "mixed #" + QByteArray::number(i));
    records << test::TestRecord {0, "bare"_ba, "no headers at all", 0, {}};
    QVERIFY(produce(u"mixed-dlt"_s, records));

    RedriveRequest r = request(u"mixed-dlt"_s);
    r.destination = {RedriveDestination::Mode::Topic, u"quarantine"_s, {}};
    const RedriveReport report = redrive(r);
    QVERIFY2(report.outcome == RedriveReport::Outcome::Completed, qPrintable(describe(report)));
    QCOMPARE(report.moved, 9); // a chosen topic needs no dead-letter headers
    QCOMPARE(report.movedByTarget, (QMap<QString, qint64> {{u"topic quarantine"_s, 9}}));
    checkAudit(report);
    QCOMPARE(readAll(profile(), u"quarantine"_s).size(), 9);
}

void TestKafkaRedrive::missingDestinationIsSkippedNotCreated()
{
    QVERIFY(createTopic(u"typo-dlt"_s, 1));
    QVERIFY(produce(u"typo-dlt"_s,
                    {dltRecord(0, u"ordres"_s, "k1"_ba, "to a typo"),
                     dltRecord(0, u"orders"_s, "k2"_ba, "to orders")}));
    const RedriveReport report = redrive(request(u"typo-dlt"_s));
    QVERIFY2(report.outcome == RedriveReport::Outcome::Completed, qPrintable(describe(report)));
    QCOMPARE(report.moved, 1);
    QCOMPARE(report.skipped, 1);
    QCOMPARE(report.skippedByReason.firstKey(), u"topic ordres does not exist"_s);
    checkAudit(report);
    // No topic was made from the typo.
    auto consumer = KafkaHandle::create(profile(), RD_KAFKA_PRODUCER);
    QVERIFY(consumer.ok());
    const rd_kafka_metadata_t *raw = nullptr;
    QCOMPARE(rd_kafka_metadata(consumer.value()->get(), 1, nullptr, &raw, 10000),
             RD_KAFKA_RESP_ERR_NO_ERROR);
    const kafka::MetadataPtr metadata(raw);
    for (int i = 0; i < metadata->topic_cnt; ++i)
        QVERIFY(qstrcmp(metadata->topics[i].topic, "ordres") != 0);
}

void TestKafkaRedrive::recordsWithoutDestinationAreSkipped()
{
    QVERIFY(createTopic(u"bare-dlt"_s, 1));
    QVERIFY(createTopic(u"inventory"_s, 1));
    QVERIFY(produce(u"bare-dlt"_s,
                    {dltRecord(0, u"inventory"_s, "a"_ba, "first"),
                     test::TestRecord {0, "b"_ba, "no dead-letter headers", 0, {{"x", "y"}}},
                     dltRecord(0, u"inventory"_s, "c"_ba, "third")}));
    const RedriveReport report = redrive(request(u"bare-dlt"_s));
    QVERIFY2(report.outcome == RedriveReport::Outcome::Completed, qPrintable(describe(report)));
    QCOMPARE(report.moved, 2);
    QCOMPARE(report.skipped, 1);
    const RedriveItem skipped
        = *std::find_if(report.items.cbegin(), report.items.cend(), [](const RedriveItem &item) {
              return item.outcome == RedriveItem::Outcome::Skipped;
          });
    QCOMPARE(skipped.id, u"0:1"_s);
    QVERIFY2(skipped.reason.contains(u"original topic"_s), qPrintable(skipped.reason));
    checkAudit(report);
    QCOMPARE(payloadsOf(readAll(profile(), u"inventory"_s)), u"first,third"_s);
    // Skipped is done: the next run does not look at it again.
    QCOMPARE(report.committedOffsets.value(0), 3);
}

void TestKafkaRedrive::destinationEqualToTheDltIsSkipped()
{
    QVERIFY(createTopic(u"loop-dlt"_s, 1));
    QVERIFY(produce(u"loop-dlt"_s, {dltRecord(0, u"loop-dlt"_s, "a"_ba, "would loop")}));
    RedriveReport report = redrive(request(u"loop-dlt"_s));
    QCOMPARE(report.moved, 0);
    QCOMPARE(report.skipped, 1);
    QVERIFY2(report.items.value(0).reason.contains(u"this DLQ itself"_s),
             qPrintable(describe(report)));

    RedriveRequest chosen = request(u"loop-dlt"_s);
    chosen.fromStart = true;
    chosen.destination = {RedriveDestination::Mode::Topic, u"loop-dlt"_s, {}};
    report = redrive(chosen);
    QCOMPARE(report.skipped, 1);
    QCOMPARE(report.moved, 0);
    checkAudit(report);
    QCOMPARE(readAll(profile(), u"loop-dlt"_s).size(), 1); // nothing was written to it
}

void TestKafkaRedrive::dryRunSendsAndCommitsNothing()
{
    QVERIFY(createTopic(u"preview-dlt"_s, 2));
    QVERIFY(createTopic(u"shipping"_s, 1));
    QVERIFY(createTopic(u"billing"_s, 1));
    QList<test::TestRecord> records;
    for (int i = 0; i < 5; ++i)
        records << dltRecord(i % 2, u"shipping"_s, "s"_ba, "ship " + QByteArray::number(i));
    for (int i = 0; i < 3; ++i)
        records << dltRecord(i % 2, u"billing"_s, "b"_ba, "bill " + QByteArray::number(i));
    records << test::TestRecord {0, "x"_ba, "headless", 0, {}};
    QVERIFY(produce(u"preview-dlt"_s, records));

    RedriveRequest r = request(u"preview-dlt"_s);
    r.dryRun = true;
    const RedriveReport report = redrive(r, true); // allowed on a read-only profile
    QVERIFY2(report.outcome == RedriveReport::Outcome::Completed, qPrintable(describe(report)));
    QVERIFY(report.dryRun);
    QCOMPARE(report.moved, 8);
    QCOMPARE(report.movedByTarget,
             (QMap<QString, qint64> {{u"topic shipping"_s, 5}, {u"topic billing"_s, 3}}));
    QCOMPARE(report.skipped, 1);
    QVERIFY(report.committedOffsets.isEmpty());
    checkAudit(report);
    QCOMPARE(readAll(profile(), u"shipping"_s).size(), 0);
    QCOMPARE(readAll(profile(), u"billing"_s).size(), 0);
    QCOMPARE(committedOffsets(profile(), u"preview-dlt"_s, 2),
             (QMap<int, qint64> {{0, -1}, {1, -1}}));
    // And the real run after it moves them all.
    QCOMPARE(redrive(request(u"preview-dlt"_s)).moved, 8);
}

void TestKafkaRedrive::progressGroupContinuesAndFromStartRepeats()
{
    QVERIFY(createTopic(u"again-dlt"_s, 3));
    QVERIFY(createTopic(u"returns"_s, 3));
    QList<test::TestRecord> records;
    for (int i = 0; i < 30; ++i)
        records << dltRecord(i % 3, u"returns"_s, "r" + QByteArray::number(i),
                             "return " + QByteArray::number(i));
    QVERIFY(produce(u"again-dlt"_s, records.mid(0, 20)));
    QCOMPARE(redrive(request(u"again-dlt"_s)).moved, 20);
    QCOMPARE(redrive(request(u"again-dlt"_s)).moved, 0); // nothing new
    QVERIFY(produce(u"again-dlt"_s, records.mid(20)));
    const RedriveReport next = redrive(request(u"again-dlt"_s));
    QCOMPARE(next.moved, 10); // only what arrived since
    QCOMPARE(next.looked, 10);
    QCOMPARE(readAll(profile(), u"returns"_s).size(), 30);

    RedriveRequest all = request(u"again-dlt"_s);
    all.fromStart = true;
    const RedriveReport repeated = redrive(all);
    QVERIFY2(repeated.outcome == RedriveReport::Outcome::Completed, qPrintable(describe(repeated)));
    QCOMPARE(repeated.moved, 30);
    checkAudit(repeated);
    QCOMPARE(readAll(profile(), u"returns"_s).size(), 60);
    for (const KafkaPartitionExtent &e : extentsOf(profile(), u"again-dlt"_s))
        QCOMPARE(repeated.committedOffsets.value(e.partition), e.end);
}

void TestKafkaRedrive::limitStopsAndTheNextRunGoesOn()
{
    QVERIFY(createTopic(u"limit-dlt"_s, 1));
    QVERIFY(createTopic(u"limited"_s, 2));
    QList<test::TestRecord> records;
    for (int i = 0; i < 10; ++i)
        records << dltRecord(0, u"limited"_s, "l"_ba, "limited " + QByteArray::number(i));
    QVERIFY(produce(u"limit-dlt"_s, records));

    RedriveRequest r = request(u"limit-dlt"_s);
    r.limit = 3;
    QList<qint64> totals;
    const RedriveReport first
        = redrive(r, false, [&](const RedriveProgress &p) { totals << p.total; });
    QVERIFY2(first.outcome == RedriveReport::Outcome::Completed, qPrintable(describe(first)));
    QCOMPARE(first.moved, 3);
    QCOMPARE(first.committedOffsets.value(0), 3);
    QCOMPARE(totals.constLast(), 3);
    checkAudit(first);
    const RedriveReport rest = redrive(request(u"limit-dlt"_s));
    QCOMPARE(rest.moved, 7);
    QCOMPARE(rest.committedOffsets.value(0), 10);
    const BrowsedMessageList moved = readAll(profile(), u"limited"_s);
    QCOMPARE(moved.size(), 10);
    QCOMPARE(distinctPayloads(moved), 10);
}

void TestKafkaRedrive::readOnlyProfileIsRefused()
{
    QVERIFY(createTopic(u"guarded-dlt"_s, 1));
    QVERIFY(createTopic(u"guarded"_s, 1));
    QVERIFY(produce(u"guarded-dlt"_s, {dltRecord(0, u"guarded"_s, "g"_ba, "stay")}));
    const RedriveReport report = redrive(request(u"guarded-dlt"_s), true);
    QCOMPARE(report.outcome, RedriveReport::Outcome::Refused);
    QVERIFY2(report.error.contains(u"read-only"_s), qPrintable(report.error));
    QCOMPARE(readAll(profile(), u"guarded"_s).size(), 0);
    QCOMPARE(committedOffsets(profile(), u"guarded-dlt"_s, 1).value(0), -1);
    const QList<QJsonObject> lines = auditLines(report.runId);
    QCOMPARE(lines.size(), 1); // the refusal, which is worth a line too
    QCOMPARE(lines[0].value(u"outcome"_s).toString(), u"refused"_s);
}

void TestKafkaRedrive::missingDltIsAnErrorAndNotCreated()
{
    const RedriveReport report = redrive(request(u"no-such-dlt"_s));
    QCOMPARE(report.outcome, RedriveReport::Outcome::Stopped);
    QVERIFY2(report.error.contains(u"does not exist"_s), qPrintable(report.error));
    checkAudit(report);
    QVERIFY(!KafkaTopicBrowser::open(profile(), u"no-such-dlt"_s, Timeout).ok());
}

void TestKafkaRedrive::repairReplacesPayloadAndHeaders()
{
    QVERIFY(createTopic(u"fix-dlt"_s, 1));
    QVERIFY(createTopic(u"fixed"_s, 1));
    QVERIFY(produce(u"fix-dlt"_s,
                    {dltRecord(0, u"fixed"_s, "a"_ba, "{\"qty\": -1}"),
                     dltRecord(0, u"fixed"_s, "b"_ba, "untouched"),
                     dltRecord(0, u"fixed"_s, "c"_ba, "new headers")}));
    RedriveRequest r = request(u"fix-dlt"_s);
    r.repairs.insert(u"0:0"_s, {"{\"qty\": 1}"_ba, std::nullopt, std::nullopt});
    r.repairs.insert(u"0:2"_s, {std::nullopt, std::nullopt, KafkaHeaderList {{"fixed-by", "ops"}}});
    const RedriveReport report = redrive(r);
    QVERIFY2(report.outcome == RedriveReport::Outcome::Completed, qPrintable(describe(report)));
    QCOMPARE(report.moved, 3);
    const BrowsedMessageList moved = readAll(profile(), u"fixed"_s);
    QCOMPARE(payloadsOf(moved), u"new headers,untouched,{\"qty\": 1}"_s);
    for (const BrowsedMessage &m : moved) {
        if (m.key == "c"_ba) {
            QCOMPARE(m.kafkaHeaders.size(), 3);
            QCOMPARE(m.kafkaHeaders[0], (KafkaHeader {"fixed-by", "ops"}));
        } else {
            QVERIFY(!headerValue(m.kafkaHeaders, "kafka_dlt-original-topic").isEmpty());
        }
    }
}

void TestKafkaRedrive::cancelCommitsExactlyWhatWasDelivered()
{
    QVERIFY(createTopic(u"cancel-dlt"_s, 3));
    QVERIFY(createTopic(u"cancelled"_s, 3));
    QList<test::TestRecord> records;
    for (int i = 0; i < 3000; ++i)
        records << dltRecord(i % 3, u"cancelled"_s, "c" + QByteArray::number(i % 50),
                             "cancel #" + QByteArray::number(i));
    QVERIFY(produce(u"cancel-dlt"_s, records));

    RedriveRequest r = request(u"cancel-dlt"_s);
    r.ratePerSecond = 2000;
    RedriveControl control;
    const RedriveReport report
        = RedriveEngine(profile()).run(r, control, [&control](const RedriveProgress &p) {
              if (p.moved >= 500)
                  control.cancel();
          });
    QVERIFY2(report.outcome == RedriveReport::Outcome::Cancelled, qPrintable(describe(report)));
    QVERIFY2(report.moved >= 500 && report.moved < 3000, qPrintable(describe(report)));
    checkAudit(report);
    // In-flight deliveries finished before the commit: the group is exactly at what moved.
    qint64 committedCount = 0;
    for (auto it = report.committedOffsets.cbegin(); it != report.committedOffsets.cend(); ++it)
        committedCount += it.value();
    QCOMPARE(committedCount, report.moved);
    const BrowsedMessageList moved = readAll(profile(), u"cancelled"_s);
    QCOMPARE(moved.size(), report.moved);
    checkCommittedWithinDelivered(u"cancel-dlt"_s, 3, report, u"cancelled"_s, 0);

    // The next run moves the rest, and nothing twice.
    const RedriveReport rest = redrive(request(u"cancel-dlt"_s));
    QCOMPARE(rest.moved + report.moved, 3000);
    const BrowsedMessageList all = readAll(profile(), u"cancelled"_s);
    QCOMPARE(all.size(), 3000);
    QCOMPARE(distinctPayloads(all), 3000);
}

void TestKafkaRedrive::pauseHoldsSendsUntilResumed()
{
    QVERIFY(createTopic(u"pause-dlt"_s, 1));
    QVERIFY(createTopic(u"paused"_s, 1));
    QList<test::TestRecord> records;
    for (int i = 0; i < 50; ++i)
        records << dltRecord(0, u"paused"_s, "p"_ba, "pause #" + QByteArray::number(i));
    QVERIFY(produce(u"pause-dlt"_s, records));
    RedriveControl control;
    control.setPaused(true);
    const RedriveReport report
        = redriveWhile(request(u"pause-dlt"_s), control, [&](std::atomic<bool> &done) {
              QTRY_VERIFY_WITH_TIMEOUT(done || lastProgress().paused, 20000);
              QVERIFY(!done);
              QCOMPARE(lastProgress().state, u"paused"_s);
              // Paused with a record read: it waits, and nothing reaches the topic.
              QTRY_VERIFY_WITH_TIMEOUT(lastProgress().looked >= 1, 20000);
              QCOMPARE(readAll(profile(), u"paused"_s).size(), 0);
              QCOMPARE(lastProgress().moved, 0);
              control.setPaused(false);
          });
    QVERIFY2(report.outcome == RedriveReport::Outcome::Completed, qPrintable(describe(report)));
    QCOMPARE(report.moved, 50);
    QCOMPARE(readAll(profile(), u"paused"_s).size(), 50);
}

void TestKafkaRedrive::brokersDownMidRunLoseNothing()
{
    constexpr int Records = 20000;
    // The mock keeps about 5 MiB per partition: enough partitions that it drops nothing.
    QVERIFY(createTopic(u"fault-dlt"_s, 8));
    QVERIFY(createTopic(u"recovered"_s, 8));
    QList<test::TestRecord> records;
    for (int i = 0; i < Records; ++i)
        records << dltRecord(i % 8, u"recovered"_s, "f" + QByteArray::number(i % 97),
                             "fault #" + QByteArray::number(i));
    QVERIFY(produce(u"fault-dlt"_s, records));
    for (const KafkaPartitionExtent &e : extentsOf(profile(), u"fault-dlt"_s))
        QVERIFY2(e.start == 0 && e.end == Records / 8, "the mock dropped records");

    RedriveRequest r = request(u"fault-dlt"_s);
    r.window = 500;
    r.ratePerSecond = 4000; // a run of seconds, so the outage lands in its middle
    RedriveControl control;
    bool sawWaiting = false;
    RedriveReport report = redriveWhile(r, control, [&](std::atomic<bool> &done) {
        QTRY_VERIFY_WITH_TIMEOUT(done || lastProgress().moved >= 3000, 60000);
        QVERIFY2(!done, "the run ended before the brokers could be taken down");
        for (int broker = 1; broker <= 3; ++broker)
            QVERIFY(m_mock->setBrokerUp(broker, false).ok());
        QElapsedTimer down;
        down.start();
        // Down until the run says it waits for them, and for 2.5 s at least.
        QTRY_VERIFY_WITH_TIMEOUT(
            (sawWaiting
             = sawWaiting || lastProgress().state.startsWith(u"waiting for the brokers"_s))
                && down.elapsed() >= 2500,
            20000);
        for (int broker = 1; broker <= 3; ++broker)
            QVERIFY(m_mock->setBrokerUp(broker, true).ok());
    });
    for (int broker = 1; broker <= 3; ++broker) // also when a QVERIFY above returned early
        QVERIFY(m_mock->setBrokerUp(broker, true).ok());
    QVERIFY(sawWaiting);
    checkAudit(report);
    if (report.outcome == RedriveReport::Outcome::Stopped) {
        qWarning("stopped: %s; running again", qPrintable(report.error));
        report = redrive(request(u"fault-dlt"_s));
    }
    QVERIFY2(report.outcome == RedriveReport::Outcome::Completed, qPrintable(describe(report)));
    QVERIFY2(report.reconnects >= 1, qPrintable(describe(report)));

    QHash<QByteArray, int> copies;
    for (const BrowsedMessage &m : readAll(profile(), u"recovered"_s))
        ++copies[m.payload];
    qint64 duplicates = 0;
    for (int i = 0; i < Records; ++i) {
        const int n = copies.value("fault #" + QByteArray::number(i));
        QVERIFY2(n >= 1, qPrintable(u"fault #%1 was lost"_s.arg(i)));
        duplicates += n - 1;
    }
    QVERIFY2(duplicates <= r.window, qPrintable(u"%1 duplicates"_s.arg(duplicates)));
    qInfo("fault test: %lld duplicates, %d reconnects", duplicates, report.reconnects);
    const QMap<int, qint64> committed = committedOffsets(profile(), u"fault-dlt"_s, 8);
    for (const KafkaPartitionExtent &e : extentsOf(profile(), u"fault-dlt"_s))
        QCOMPARE(committed.value(e.partition), e.end);
    for (const KafkaPartitionExtent &e : extentsOf(profile(), u"recovered"_s))
        QVERIFY2(e.start == 0, "the mock dropped records");
}

void TestKafkaRedrive::brokersDownTooLongStopAndARerunFinishes()
{
    constexpr int Records = 4000;
    QVERIFY(createTopic(u"outage-dlt"_s, 2));
    QVERIFY(createTopic(u"outlasted"_s, 2));
    QList<test::TestRecord> records;
    for (int i = 0; i < Records; ++i)
        records << dltRecord(i % 2, u"outlasted"_s, "o" + QByteArray::number(i % 13),
                             "outage #" + QByteArray::number(i));
    QVERIFY(produce(u"outage-dlt"_s, records));

    RedriveRequest r = request(u"outage-dlt"_s);
    r.window = 200;
    r.ratePerSecond = 2000;
    r.retryForSeconds = 3;
    RedriveControl control;
    const RedriveReport stopped = redriveWhile(r, control, [&](std::atomic<bool> &done) {
        QTRY_VERIFY_WITH_TIMEOUT(done || lastProgress().moved >= 500, 60000);
        for (int broker = 1; broker <= 3; ++broker)
            QVERIFY(m_mock->setBrokerUp(broker, false).ok());
        QTRY_VERIFY_WITH_TIMEOUT(done, 60000); // down for good: the run gives up
    });
    for (int broker = 1; broker <= 3; ++broker)
        QVERIFY(m_mock->setBrokerUp(broker, true).ok());
    QVERIFY2(stopped.outcome == RedriveReport::Outcome::Stopped, qPrintable(describe(stopped)));
    QVERIFY2(!stopped.error.isEmpty(), qPrintable(describe(stopped)));
    qInfo("stopped with: %s", qPrintable(stopped.error));
    checkAudit(stopped);
    // Whatever was committed was delivered.
    checkCommittedWithinDelivered(u"outage-dlt"_s, 2, stopped, u"outlasted"_s, r.window);

    const RedriveReport rerun = redrive(request(u"outage-dlt"_s));
    QVERIFY2(rerun.outcome == RedriveReport::Outcome::Completed, qPrintable(describe(rerun)));
    QHash<QByteArray, int> copies;
    for (const BrowsedMessage &m : readAll(profile(), u"outlasted"_s))
        ++copies[m.payload];
    qint64 duplicates = 0;
    for (int i = 0; i < Records; ++i) {
        const int n = copies.value("outage #" + QByteArray::number(i));
        QVERIFY2(n >= 1, qPrintable(u"outage #%1 was lost"_s.arg(i)));
        duplicates += n - 1;
    }
    QVERIFY2(duplicates <= r.window, qPrintable(u"%1 duplicates"_s.arg(duplicates)));
    for (const KafkaPartitionExtent &e : extentsOf(profile(), u"outage-dlt"_s))
        QCOMPARE(rerun.committedOffsets.value(e.partition), e.end);
}

QTEST_GUILESS_MAIN(TestKafkaRedrive)
#include "tst_kafkaredrive.moc"
