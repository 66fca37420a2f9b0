// KafkaTopicBrowser against librdkafka's mock cluster over TCP: every record it returns is
// one this test produced (keys, values, headers, timestamps byte for byte, null kept apart
// from empty), pages meet without gaps or duplicates in both directions, reading stops at
// the end without waiting, offsets for a time and the tail are exact, the brokers never
// see a group request or a commit from it, and the dead-letter headers the demo's Spring
// and Connect writers produce come back parsed field by field.
#include "core/deadletter.h"
#include "countingmockcluster.h"
#include "demo/springheaders.h"
#include "kafka/kafkahandle.h"
#include "kafka/kafkatopicbrowser.h"
#include "kafka/mockkafkacluster.h"
#include "testkafka.h"
#include "testprofiles.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <QElapsedTimer>
#include <QSet>
#include <QTest>

#include <algorithm>
#include <future>

using namespace veltrix;
using namespace std::chrono_literals;

namespace {

constexpr auto Timeout = 10s;
constexpr qint64 Base = 1'700'000'000'000; // ms: record timestamps the test can recognise

// Record i of partition p: every kind of key, value and header Kafka allows, so a mix-up
// of null and empty, or a lost byte, shows.
test::TestRecord recordAt(int partition, int i)
{
    test::TestRecord r;
    r.partition = partition;
    r.timestamp = Base + partition * 1000 + i;
    switch (i % 4) {
    case 0:
        r.key = std::nullopt;
        break;
    case 1:
        r.key = QByteArray("");
        break;
    case 2:
        r.key = QByteArray("\x00\xffkey", 5);
        break;
    default:
        r.key = QStringLiteral("key-%1-%2").arg(partition).arg(i).toUtf8();
    }
    switch (i % 5) {
    case 0:
        r.value = QByteArray(); // a tombstone
        break;
    case 1:
        r.value = QByteArray("");
        break;
    case 2:
        r.value = QByteArray("\x00\x01\xfe\xff binary", 12);
        break;
    default:
        r.value
            = QStringLiteral("{\"order\": %1, \"partition\": %2}").arg(i).arg(partition).toUtf8();
    }
    if (i % 3 == 1)
        r.headers = {{"trace-id", QByteArray("t-") + QByteArray::number(i)},
                     {"null-value", QByteArray()},
                     {"trace-id", "repeated name"}};
    else if (i % 3 == 2)
        r.headers = {{"binary", QByteArray("\x00\x00\x00\x2a\xff", 5)}, {"empty", QByteArray("")}};
    return r;
}

QString show(const QByteArray &bytes)
{
    return bytes.isNull() ? QStringLiteral("<null>")
                          : QString::fromLatin1(bytes.toHex(' ')) + QStringLiteral(" (")
            + QString::number(bytes.size()) + QLatin1Char(')');
}

// What differs between a produced record (at `offset`) and what the browser returned;
// empty when they are the same.
QString mismatch(const test::TestRecord &want, qint64 offset, const BrowsedMessage &got)
{
    QStringList problems;
    const QString id = QStringLiteral("%1:%2").arg(want.partition).arg(offset);
    if (got.id != id || got.partition != want.partition || got.offset != offset)
        problems << QStringLiteral("id %1 (partition %2, offset %3)")
                        .arg(got.id)
                        .arg(got.partition)
                        .arg(got.offset);
    if (got.key.has_value() != want.key.has_value()
        || (want.key && (*got.key != *want.key || got.key->isNull())))
        problems << QStringLiteral("key %1").arg(got.key ? show(*got.key) : QStringLiteral("null"));
    if (got.payload != want.value || got.payload.isNull() != want.value.isNull()
        || got.payloadSize != want.value.size())
        problems
            << QStringLiteral("payload %1 size %2").arg(show(got.payload)).arg(got.payloadSize);
    if (got.timestamp != QDateTime::fromMSecsSinceEpoch(want.timestamp, Qt::UTC))
        problems << QStringLiteral("timestamp %1").arg(got.timestamp.toString(Qt::ISODateWithMs));
    bool sameHeaders = got.kafkaHeaders.size() == want.headers.size();
    for (qsizetype h = 0; sameHeaders && h < want.headers.size(); ++h)
        sameHeaders = got.kafkaHeaders[h].name == want.headers[h].name
            && got.kafkaHeaders[h].value == want.headers[h].value
            && got.kafkaHeaders[h].value.isNull() == want.headers[h].value.isNull();
    if (!sameHeaders) {
        QStringList headers;
        for (const KafkaHeader &h : got.kafkaHeaders)
            headers << QString::fromUtf8(h.name) + QLatin1Char('=') + show(h.value);
        problems << QStringLiteral("headers [%1]").arg(headers.join(QStringLiteral(", ")));
    }
    return problems.isEmpty() ? QString() : id + QStringLiteral(": ") + problems.join(u"; ");
}

// Compares a run of returned messages with the produced records of one partition from
// `first` on.
QString mismatches(const QList<test::TestRecord> &produced, qint64 first,
                   const BrowsedMessageList &got)
{
    if (first + got.size() > produced.size())
        return QStringLiteral("%1 messages from offset %2, but only %3 were produced")
            .arg(got.size())
            .arg(first)
            .arg(produced.size());
    for (qsizetype i = 0; i < got.size(); ++i)
        if (const QString problem = mismatch(produced[first + i], first + i, got[i]);
            !problem.isEmpty())
            return problem;
    return {};
}

QString ids(const BrowsedMessageList &messages)
{
    QStringList list;
    for (const BrowsedMessage &m : messages)
        list << m.id;
    return list.join(QLatin1Char(' '));
}

QString extentsLine(const QList<KafkaPartitionExtent> &extents)
{
    QStringList parts;
    for (const KafkaPartitionExtent &e : extents)
        parts << QStringLiteral("p%1 [%2, %3) leader %4")
                     .arg(e.partition)
                     .arg(e.start)
                     .arg(e.end)
                     .arg(e.leader);
    return parts.join(QStringLiteral(", "));
}

} // namespace

class TestKafkaBrowse : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void pagesForwardAndBackwardExactly();
    void readsSeveralRangesInRequestOrder();
    void stopsAtTheEndWithoutWaiting();
    void readsFromTheLogStartWhenOffsetsAreGone();
    void cutsLongPayloadsButKeepsTheirSize();
    void jumpsToTheOffsetOfATime();
    void tailsRecordsProducedAfterTheCallStarted();
    void interruptEndsABlockedRead();
    void neverJoinsAGroupNorCommits();
    void reportsAPartitionWithoutLeader();
    void unknownTopicFailsInWords();
    void unreachableClusterFailsWithinTimeout();
    void brokersGoingDownFailReadsInTime();
    void parsesSpringAndConnectDeadLetters();

private:
    ClusterProfile profile() const
    {
        return test::kafkaProfile(QStringLiteral("mock"), m_mock->bootstrapServers());
    }
    std::unique_ptr<KafkaTopicBrowser> open(const QString &topic)
    {
        auto browser = KafkaTopicBrowser::open(profile(), topic, Timeout);
        if (!browser) {
            qWarning("%s", qPrintable(browser.error().describe()));
            return nullptr;
        }
        return std::move(browser).value();
    }
    bool produce(const QString &topic, const QList<test::TestRecord> &records,
                 const QMap<QString, QString> &properties = {})
    {
        const auto done = test::produceRecords(profile(), topic, records, properties);
        if (!done)
            qWarning("%s", qPrintable(done.error().describe()));
        return done.ok();
    }

    std::unique_ptr<MockKafkaCluster> m_mock;
    // Topic "browse-exact": what was produced to each partition, in offset order.
    QMap<int, QList<test::TestRecord>> m_exact;
};

void TestKafkaBrowse::initTestCase()
{
    auto mock = MockKafkaCluster::start(3);
    QVERIFY2(mock.ok(), qPrintable(mock.error().describe()));
    m_mock = std::move(mock).value();

    QVERIFY(m_mock->createTopic(QStringLiteral("browse-exact"), 3).ok());
    const QMap<int, int> counts {{0, 37}, {1, 0}, {2, 23}};
    QList<test::TestRecord> all;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it) {
        m_exact[it.key()] = {};
        for (int i = 0; i < it.value(); ++i) {
            m_exact[it.key()] << recordAt(it.key(), i);
            all << m_exact[it.key()].last();
        }
    }
    QVERIFY(produce(QStringLiteral("browse-exact"), all));
}

void TestKafkaBrowse::pagesForwardAndBackwardExactly()
{
    auto browser = open(QStringLiteral("browse-exact"));
    QVERIFY(browser);
    QCOMPARE(browser->topic(), QStringLiteral("browse-exact"));
    QCOMPARE(browser->partitionCount(), 3);
    const auto extents = browser->extents();
    QVERIFY2(extents.ok(), qPrintable(extents.error().describe()));
    QCOMPARE(extents->size(), 3);
    for (const KafkaPartitionExtent &e : extents.value())
        QVERIFY2(e.start == 0 && e.end == m_exact.value(e.partition).size() && e.leader >= 1
                     && e.count() == e.end,
                 qPrintable(extentsLine(extents.value())));

    constexpr int PageSize = 7;
    for (const KafkaPartitionExtent &e : extents.value()) {
        const QList<test::TestRecord> &produced = m_exact[e.partition];
        // Forward, as a table scrolls down: each page from where the last one ended.
        BrowsedMessageList forward;
        qint64 next = e.start;
        for (int pages = 0; pages < 100; ++pages) {
            const auto page = browser->readPage({{e.partition, next, PageSize}});
            QVERIFY2(page.ok(), qPrintable(page.error().describe()));
            QCOMPARE(page->ranges.size(), 1);
            const KafkaRangeRead &range = page->ranges[0];
            QVERIFY2(page->messages.size() <= PageSize && range.count == page->messages.size()
                         && range.firstOffset == next && range.note.isEmpty(),
                     qPrintable(ids(page->messages)));
            forward << page->messages;
            next = range.nextOffset;
            if (range.reachedEnd())
                break;
            QCOMPARE(page->messages.size(), PageSize); // only the last page is short
        }
        QVERIFY2(mismatches(produced, 0, forward).isEmpty() && forward.size() == produced.size(),
                 qPrintable(mismatches(produced, 0, forward) + QLatin1Char(' ') + ids(forward)));

        // Backward, as a table scrolls up from the end.
        QList<BrowsedMessageList> pagesFromTheEnd;
        for (qint64 end = e.end; end > e.start; end -= PageSize) {
            const qint64 first = std::max(e.start, end - PageSize);
            const auto page = browser->read(e.partition, first, int(end - first));
            QVERIFY2(page.ok(), qPrintable(page.error().describe()));
            QVERIFY2(page->size() == end - first, qPrintable(ids(page.value())));
            pagesFromTheEnd.prepend(page.value());
        }
        BrowsedMessageList backward;
        for (const BrowsedMessageList &page : std::as_const(pagesFromTheEnd))
            backward << page;
        QVERIFY2(mismatches(produced, 0, backward).isEmpty() && backward.size() == produced.size(),
                 qPrintable(mismatches(produced, 0, backward) + QLatin1Char(' ') + ids(backward)));
    }

    // maxCount is a ceiling in the middle too, and nothing asked for nothing given.
    const auto three = browser->read(0, 10, 3);
    QVERIFY2(three.ok() && three->size() == 3
                 && mismatches(m_exact[0], 10, three.value()).isEmpty(),
             qPrintable(three.ok() ? ids(three.value()) : three.error().describe()));
    const auto none = browser->read(0, 10, 0);
    QVERIFY(none.ok() && none->isEmpty());
}

void TestKafkaBrowse::readsSeveralRangesInRequestOrder()
{
    auto browser = open(QStringLiteral("browse-exact"));
    QVERIFY(browser);
    // Later partitions first, one partition twice, an empty partition and a range past
    // the end: grouped in request order, each exact.
    const QList<KafkaReadRequest> requests {{2, 20, 10},  {0, 5, 4},  {1, 0, 10},
                                            {0, 30, 100}, {2, 23, 5}, {0, 0, 2}};
    const auto page = browser->readPage(requests);
    QVERIFY2(page.ok(), qPrintable(page.error().describe()));
    QCOMPARE(page->ranges.size(), requests.size());
    const QList<int> counts {3, 4, 0, 7, 0, 2};
    qsizetype at = 0;
    for (qsizetype i = 0; i < requests.size(); ++i) {
        const KafkaRangeRead &range = page->ranges[i];
        QVERIFY2(range.partition == requests[i].partition
                     && range.requestedOffset == requests[i].offset && range.count == counts[i],
                 qPrintable(QStringLiteral("request %1: %2 records, ").arg(i).arg(range.count)
                            + ids(page->messages)));
        const BrowsedMessageList part = page->messages.mid(at, range.count);
        QVERIFY2(mismatches(m_exact[range.partition], requests[i].offset, part).isEmpty(),
                 qPrintable(mismatches(m_exact[range.partition], requests[i].offset, part)));
        at += range.count;
    }
    QCOMPARE(at, page->messages.size());
    QVERIFY(page->ranges[0].reachedEnd() && page->ranges[3].reachedEnd()
            && !page->ranges[1].reachedEnd());
    QCOMPARE(page->ranges[1].nextOffset, 9);

    // read() gives the same records.
    const auto flat = browser->read(requests);
    QVERIFY2(flat.ok(), qPrintable(flat.error().describe()));
    QCOMPARE(ids(flat.value()), ids(page->messages));
}

void TestKafkaBrowse::stopsAtTheEndWithoutWaiting()
{
    auto browser = open(QStringLiteral("browse-exact"));
    QVERIFY(browser);
    QVERIFY(browser->extents().ok());
    QElapsedTimer clock;
    clock.start();
    // Far more than exist: all 37, and no wait for a 38th.
    const auto all = browser->read(0, 0, 10'000);
    const qint64 allMs = clock.elapsed();
    QVERIFY2(all.ok() && all->size() == 37,
             qPrintable(all.ok() ? ids(all.value()) : all.error().describe()));
    // At the end, past the end, an empty partition: nothing, at once.
    for (const KafkaReadRequest &r :
         QList<KafkaReadRequest> {{0, 37, 10}, {0, 1'000'000, 10}, {1, 0, 10}, {2, 22, 10}}) {
        clock.restart();
        const auto page = browser->read(r.partition, r.offset, r.maxCount);
        QVERIFY2(page.ok(), qPrintable(page.error().describe()));
        QCOMPARE(page->size(), r.partition == 2 ? 1 : 0);
        QVERIFY2(
            clock.elapsed() < 1000,
            qPrintable(QStringLiteral("%1 ms at offset %2").arg(clock.elapsed()).arg(r.offset)));
    }
    QVERIFY2(allMs < 1000, qPrintable(QString::number(allMs)));
    // A partition that does not exist is an error in words, not an empty page.
    const auto missing = browser->read(7, 0, 10);
    QVERIFY(!missing.ok());
    QVERIFY2(missing.error().message.contains(QLatin1String("partition 7 of browse-exact does not "
                                                            "exist")),
             qPrintable(missing.error().describe()));
}

void TestKafkaBrowse::readsFromTheLogStartWhenOffsetsAreGone()
{
    // The mock keeps about 5 MiB per partition and drops the oldest message sets beyond:
    // the records before the new log start are gone, as after retention.
    const QString topic = QStringLiteral("browse-retention");
    QVERIFY(m_mock->createTopic(topic, 1).ok());
    QList<test::TestRecord> records;
    for (int i = 0; i < 91; ++i) {
        test::TestRecord r;
        r.value = QByteArray(100 * 1024, char('a' + i % 26));
        r.timestamp = Base + i;
        records << r;
    }
    QVERIFY(produce(topic, records, {{QStringLiteral("linger.ms"), QStringLiteral("0")}}));

    auto browser = open(topic);
    QVERIFY(browser);
    const auto extents = browser->extents();
    QVERIFY2(extents.ok(), qPrintable(extents.error().describe()));
    const KafkaPartitionExtent extent = extents->at(0);
    QVERIFY2(extent.start > 0 && extent.end == 91, qPrintable(extentsLine(extents.value())));

    const auto page = browser->readPage({{0, 0, 5}});
    QVERIFY2(page.ok(), qPrintable(page.error().describe()));
    const KafkaRangeRead &range = page->ranges[0];
    QVERIFY2(range.requestedOffset == 0 && range.firstOffset == extent.start && range.count == 5
                 && range.nextOffset == extent.start + 5,
             qPrintable(ids(page->messages)));
    QVERIFY2(
        range.note.contains(QStringLiteral("offsets 0 to %1 no longer exist").arg(extent.start - 1))
            && range.note.contains(QLatin1String("log start")),
        qPrintable(range.note));
    for (int i = 0; i < 5; ++i)
        QVERIFY2(page->messages[i].offset == extent.start + i
                     && page->messages[i].payload == records[extent.start + i].value,
                 qPrintable(ids(page->messages)));
}

void TestKafkaBrowse::cutsLongPayloadsButKeepsTheirSize()
{
    const QString topic = QStringLiteral("browse-large");
    QVERIFY(m_mock->createTopic(topic, 1).ok());
    QByteArray large(1536 * 1024, '\0');
    for (qsizetype i = 0; i < large.size(); ++i)
        large[i] = char(i * 7 % 251);
    test::TestRecord small;
    small.value = "small";
    test::TestRecord big;
    big.value = large;
    QVERIFY(produce(topic, {small, big, small},
                    {{QStringLiteral("message.max.bytes"), QStringLiteral("4000000")}}));

    auto browser = open(topic);
    QVERIFY(browser);
    const auto cut = browser->read(0, 0, 10); // the default cap: 1 MiB
    QVERIFY2(cut.ok(), qPrintable(cut.error().describe()));
    QCOMPARE(cut->size(), 3);
    QCOMPARE(cut->at(1).payloadSize, large.size());
    QCOMPARE(cut->at(1).payload, large.left(1 << 20));
    QVERIFY(cut->at(1).payloadTruncated() && !cut->at(0).payloadTruncated());
    QCOMPARE(cut->at(2).payload, QByteArray("small"));

    const auto whole = browser->read(0, 1, 1, -1);
    QVERIFY2(whole.ok(), qPrintable(whole.error().describe()));
    QCOMPARE(whole->size(), 1);
    QVERIFY(whole->at(0).payload == large && !whole->at(0).payloadTruncated());
    const auto tiny = browser->read(0, 0, 1, 2);
    QVERIFY(tiny.ok() && tiny->at(0).payload == "sm" && tiny->at(0).payloadSize == 5);
}

void TestKafkaBrowse::jumpsToTheOffsetOfATime()
{
    auto browser = open(QStringLiteral("browse-exact"));
    QVERIFY(browser);
    // Record i of partition p is stamped Base + p * 1000 + i.
    const auto at = [](qint64 ms) { return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC); };
    const auto middle = browser->offsetsForTime(at(Base + 2000 + 4));
    QVERIFY2(middle.ok(), qPrintable(middle.error().describe()));
    // Partition 0's records are all older: its end. Partition 1 is empty: its end, 0.
    const QMap<int, qint64> expected {{0, 37}, {1, 0}, {2, 4}};
    QCOMPARE(middle.value(), expected);
    const auto page = browser->read(2, middle->value(2), 1);
    QVERIFY2(page.ok() && page->size() == 1, "no record at the offset found");
    QCOMPARE(page->at(0).timestamp, at(Base + 2000 + 4));

    const auto between = browser->offsetsForTime(at(Base + 36));
    QVERIFY(between.ok());
    QCOMPARE(between->value(0), 36);
    const auto before = browser->offsetsForTime(at(Base - 60'000));
    QVERIFY(before.ok());
    QCOMPARE(before.value(), (QMap<int, qint64> {{0, 0}, {1, 0}, {2, 0}}));
    const auto after = browser->offsetsForTime(at(Base + 60'000));
    QVERIFY(after.ok());
    QCOMPARE(after.value(), (QMap<int, qint64> {{0, 37}, {1, 0}, {2, 23}}));

    // Every record's own time finds that record, and a millisecond later the next one.
    for (int p : {0, 2}) {
        for (qint64 i = 0; i < m_exact[p].size(); ++i) {
            for (const qint64 later : {0, 1}) {
                const auto found = browser->offsetsForTime(at(m_exact[p][i].timestamp + later));
                QVERIFY2(found.ok(), qPrintable(found.error().describe()));
                QVERIFY2(found->value(p, -1) == i + later,
                         qPrintable(QStringLiteral("partition %1, time of record %2 + %3 ms: "
                                                   "offset %4")
                                        .arg(p)
                                        .arg(i)
                                        .arg(later)
                                        .arg(found->value(p, -1))));
            }
        }
    }
}

void TestKafkaBrowse::tailsRecordsProducedAfterTheCallStarted()
{
    const QString topic = QStringLiteral("browse-tail");
    QVERIFY(m_mock->createTopic(topic, 2).ok());
    QVERIFY(produce(topic, {recordAt(0, 0), recordAt(0, 1), recordAt(1, 0)}));
    auto browser = open(topic);
    QVERIFY(browser);
    const auto extents = browser->extents();
    QVERIFY(extents.ok());
    QMap<int, qint64> next;
    for (const KafkaPartitionExtent &e : extents.value())
        next.insert(e.partition, e.end);
    QCOMPARE(next, (QMap<int, qint64> {{0, 2}, {1, 1}}));

    // Nothing new: empty after the wait, not before and not much later.
    QElapsedTimer clock;
    clock.start();
    const auto quiet = browser->readNew(next, 100, 300ms);
    QVERIFY2(quiet.ok(), qPrintable(quiet.error().describe()));
    QVERIFY2(quiet->isEmpty(), qPrintable(ids(quiet.value())));
    QVERIFY2(clock.elapsed() >= 290 && clock.elapsed() < 2000,
             qPrintable(QString::number(clock.elapsed())));

    // Records produced while a call waits come back from it, long before its wait is up.
    clock.restart();
    auto waiting = std::async(std::launch::async,
                              [&browser, &next] { return browser->readNew(next, 100, 20s); });
    const QList<test::TestRecord> fresh {recordAt(1, 1), recordAt(0, 2), recordAt(1, 2)};
    QVERIFY(produce(topic, fresh));
    auto first = waiting.get();
    QVERIFY2(first.ok(), qPrintable(first.error().describe()));
    QVERIFY2(!first->isEmpty() && clock.elapsed() < 10'000,
             qPrintable(QString::number(clock.elapsed())));
    BrowsedMessageList arrived = first.value();
    const QDeadlineTimer deadline(10s);
    while (arrived.size() < fresh.size() && !deadline.hasExpired()) {
        auto more = browser->readNew(next, 100, 1s);
        QVERIFY2(more.ok(), qPrintable(more.error().describe()));
        arrived << more.value();
    }
    std::sort(arrived.begin(), arrived.end(), [](const auto &a, const auto &b) {
        return std::pair(a.partition, a.offset) < std::pair(b.partition, b.offset);
    });
    QCOMPARE(ids(arrived), QStringLiteral("0:2 1:1 1:2"));
    QVERIFY(mismatch(fresh[1], 2, arrived[0]).isEmpty());
    QVERIFY2(mismatch(fresh[0], 1, arrived[1]).isEmpty(),
             qPrintable(mismatch(fresh[0], 1, arrived[1])));
    QVERIFY(mismatch(fresh[2], 2, arrived[2]).isEmpty());
    QCOMPARE(next, (QMap<int, qint64> {{0, 3}, {1, 3}}));

    // Nothing twice, and a new record after that is the only one.
    const auto again = browser->readNew(next, 100, 200ms);
    QVERIFY(again.ok() && again->isEmpty());
    QVERIFY(produce(topic, {recordAt(0, 3)}));
    BrowsedMessageList last;
    const QDeadlineTimer lastDeadline(10s);
    while (last.isEmpty() && !lastDeadline.hasExpired()) {
        auto more = browser->readNew(next, 100, 1s);
        QVERIFY2(more.ok(), qPrintable(more.error().describe()));
        last << more.value();
    }
    QCOMPARE(ids(last), QStringLiteral("0:3"));
}

void TestKafkaBrowse::interruptEndsABlockedRead()
{
    auto browser = open(QStringLiteral("browse-exact"));
    QVERIFY(browser);
    QVERIFY(browser->extents().ok());

    // A tail waiting for records that never come ends when interrupted from another thread.
    QMap<int, qint64> next {{0, 37}, {2, 23}};
    QElapsedTimer clock;
    clock.start();
    auto tail = std::async(std::launch::async,
                           [&browser, &next] { return browser->readNew(next, 10, 60s); });
    // Each call starts uninterrupted, so keep asking until the waiting call has seen it.
    while (tail.wait_for(20ms) != std::future_status::ready && clock.elapsed() < 10'000)
        browser->interrupt();
    QVERIFY2(clock.elapsed() < 10'000, "readNew() was not interrupted");
    const auto tailed = tail.get();
    QVERIFY(!tailed.ok());
    QVERIFY2(tailed.error().message.contains(QLatin1String("interrupted")),
             qPrintable(tailed.error().describe()));
    QVERIFY(browser->wasInterrupted());

    // A read stuck on a slow broker ends too: every broker answers after 3 s now.
    for (int broker = 1; broker <= 3; ++broker)
        QVERIFY(m_mock->setBrokerRtt(broker, 3000).ok());
    clock.restart();
    auto read = std::async(std::launch::async, [&browser] { return browser->read(0, 0, 10); });
    while (read.wait_for(20ms) != std::future_status::ready && clock.elapsed() < 15'000)
        browser->interrupt();
    const qint64 readMs = clock.elapsed();
    const auto stuck = read.get();
    for (int broker = 1; broker <= 3; ++broker)
        QVERIFY(m_mock->setBrokerRtt(broker, 0).ok());
    QVERIFY2(readMs < 2000, qPrintable(QString::number(readMs))); // before any answer
    QVERIFY2(!stuck.ok() && stuck.error().message.contains(QLatin1String("interrupted")),
             qPrintable(stuck.ok() ? ids(stuck.value()) : stuck.error().describe()));

    // The next call is not interrupted.
    const auto after = browser->read(0, 0, 2);
    QVERIFY2(after.ok() && after->size() == 2,
             qPrintable(after.ok() ? ids(after.value()) : after.error().describe()));
    QVERIFY(!browser->wasInterrupted());
}

void TestKafkaBrowse::neverJoinsAGroupNorCommits()
{
    // The brokers log every request they receive: the browser's must hold no group or
    // offset-commit request at all (it has no group.id to send one with).
    test::CountingMockCluster counting;
    QVERIFY2(counting.ok(), qPrintable(counting.error()));
    const QString topic = QStringLiteral("browse-untouched");
    QCOMPARE(rd_kafka_mock_topic_create(counting.handle(), "browse-untouched", 2, 1),
             RD_KAFKA_RESP_ERR_NO_ERROR);
    const ClusterProfile profile
        = test::kafkaProfile(QStringLiteral("counted"), counting.bootstrap());
    QList<test::TestRecord> records;
    for (int i = 0; i < 20; ++i)
        records << recordAt(0, i) << recordAt(1, i);
    QVERIFY(test::produceRecords(profile, topic, records).ok());
    QVERIFY(test::commitOffsets(profile, QStringLiteral("billing"), topic, {{0, 5}, {1, 7}}).ok());

    counting.reset();
    {
        auto opened = KafkaTopicBrowser::open(profile, topic, Timeout);
        QVERIFY2(opened.ok(), qPrintable(opened.error().describe()));
        KafkaTopicBrowser &browser = *opened.value();
        QVERIFY(browser.extents().ok());
        QVERIFY(browser.read(0, 0, 7).ok());
        QVERIFY(browser.read({{1, 3, 5}, {0, 15, 100}}).ok());
        QVERIFY(browser.offsetsForTime(QDateTime::fromMSecsSinceEpoch(Base + 1005, Qt::UTC)).ok());
        QMap<int, qint64> next {{0, 20}, {1, 20}};
        QVERIFY(browser.readNew(next, 10, 300ms).ok());
        QVERIFY(browser.read(1, 19, 5).ok());
    } // closed: a consumer that could commit would do so now
    const QHash<QString, qint64> received = counting.totals();
    QStringList seen;
    for (auto it = received.cbegin(); it != received.cend(); ++it)
        seen << QStringLiteral("%1=%2").arg(it.key()).arg(it.value());
    seen.sort();
    QVERIFY2(received.value(QStringLiteral("Fetch")) > 0
                 && received.value(QStringLiteral("ListOffsets")) > 0,
             qPrintable(seen.join(u' '))); // the log really counts the browser's requests
    for (const char *forbidden : {"FindCoordinator", "JoinGroup", "SyncGroup", "Heartbeat",
                                  "LeaveGroup", "OffsetCommit", "TxnOffsetCommit", "OffsetFetch"})
        QVERIFY2(!received.contains(QLatin1String(forbidden)), qPrintable(seen.join(u' ')));

    // The real group's committed offsets are what they were: asked with an OffsetFetch of
    // its own, from a consumer of that group.
    auto consumer
        = KafkaHandle::create(profile, RD_KAFKA_CONSUMER,
                              {{QStringLiteral("group.id"), QStringLiteral("billing")},
                               {QStringLiteral("enable.auto.commit"), QStringLiteral("false")}});
    QVERIFY(consumer.ok());
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(2);
    rd_kafka_topic_partition_list_add(list, "browse-untouched", 0);
    rd_kafka_topic_partition_list_add(list, "browse-untouched", 1);
    const rd_kafka_resp_err_t err = rd_kafka_committed(consumer.value()->get(), list, 10'000);
    const qint64 committed0 = list->elems[0].offset, committed1 = list->elems[1].offset;
    rd_kafka_topic_partition_list_destroy(list);
    QCOMPARE(err, RD_KAFKA_RESP_ERR_NO_ERROR);
    QCOMPARE(committed0, 5);
    QCOMPARE(committed1, 7);
    QVERIFY(counting.total(QStringLiteral("OffsetFetch")) > 0); // that one did ask
}

void TestKafkaBrowse::reportsAPartitionWithoutLeader()
{
    const QString topic = QStringLiteral("browse-leaderless");
    QVERIFY(m_mock->createTopic(topic, 3).ok());
    QVERIFY(produce(topic, {recordAt(0, 0), recordAt(1, 0), recordAt(2, 0), recordAt(2, 1)}));
    QCOMPARE(rd_kafka_mock_partition_set_leader(m_mock->handle(), "browse-leaderless", 1, -1),
             RD_KAFKA_RESP_ERR_NO_ERROR);
    auto browser = open(topic);
    QElapsedTimer clock;
    clock.start();
    const auto extents
        = browser ? browser->extents() : Result<QList<KafkaPartitionExtent>>(BrokerError {});
    const qint64 extentsMs = clock.elapsed();
    clock.restart();
    const auto leaderless
        = browser ? browser->read(1, 0, 10) : Result<BrowsedMessageList>(BrokerError {});
    const qint64 readMs = clock.elapsed();
    const auto led = browser ? browser->read(2, 0, 10) : Result<BrowsedMessageList>(BrokerError {});
    // A leader again before any check, so a failure leaves the cluster whole.
    QCOMPARE(rd_kafka_mock_partition_set_leader(m_mock->handle(), "browse-leaderless", 1, 1),
             RD_KAFKA_RESP_ERR_NO_ERROR);
    QVERIFY(browser);

    QVERIFY2(extents.ok(), qPrintable(extents.error().describe()));
    QVERIFY2(extentsMs < 3000, qPrintable(QString::number(extentsMs))); // not waited for
    QVERIFY2(extents->size() == 3 && extents->at(1).leader == -1 && extents->at(1).start == -1
                 && extents->at(1).end == -1 && extents->at(1).count() == 0
                 && extents->at(2).leader >= 1 && extents->at(2).end == 2,
             qPrintable(extentsLine(extents.value())));
    QVERIFY(!leaderless.ok());
    QVERIFY2(readMs < 3000, qPrintable(QString::number(readMs)));
    QCOMPARE(leaderless.error().kind, BrokerError::Kind::Unreachable);
    QVERIFY2(leaderless.error().message.startsWith(QLatin1String("mock: "))
                 && leaderless.error().message.contains(
                     QLatin1String("partition 1 of browse-leaderless has no leader"))
                 && !leaderless.error().hint.isEmpty(),
             qPrintable(leaderless.error().describe()));
    QVERIFY2(led.ok() && led->size() == 2,
             qPrintable(led.ok() ? ids(led.value()) : led.error().describe()));
}

void TestKafkaBrowse::unknownTopicFailsInWords()
{
    QElapsedTimer clock;
    clock.start();
    const auto browser = KafkaTopicBrowser::open(profile(), QStringLiteral("no-such-dlt"), Timeout);
    QVERIFY(!browser.ok());
    QVERIFY2(clock.elapsed() < 5000, qPrintable(QString::number(clock.elapsed())));
    QVERIFY2(browser.error().message == QLatin1String("mock: topic \"no-such-dlt\" does not exist")
                 && !browser.error().hint.isEmpty(),
             qPrintable(browser.error().describe()));
}

void TestKafkaBrowse::unreachableClusterFailsWithinTimeout()
{
    const QString dead = test::deadEndpoint();
    QElapsedTimer clock;
    clock.start();
    const auto browser = KafkaTopicBrowser::open(test::kafkaProfile(QStringLiteral("gone"), dead),
                                                 QStringLiteral("orders-dlt"), 3s);
    const qint64 elapsed = clock.elapsed();
    QVERIFY(!browser.ok());
    QVERIFY2(elapsed < 6000, qPrintable(QString::number(elapsed)));
    const BrokerError &error = browser.error();
    QVERIFY2(error.kind == BrokerError::Kind::Unreachable
                 || error.kind == BrokerError::Kind::Timeout,
             qPrintable(error.kindName()));
    QVERIFY2(error.message.startsWith(QLatin1String("gone: ")) && error.message.contains(dead),
             qPrintable(error.describe()));
    QVERIFY2(!error.hint.isEmpty(), qPrintable(error.describe()));
}

void TestKafkaBrowse::brokersGoingDownFailReadsInTime()
{
    auto opened = KafkaTopicBrowser::open(profile(), QStringLiteral("browse-exact"), 3s);
    QVERIFY2(opened.ok(), qPrintable(opened.error().describe()));
    KafkaTopicBrowser &browser = *opened.value();
    QVERIFY(browser.extents().ok());
    QVERIFY(browser.read(0, 0, 1).ok());

    for (int broker = 1; broker <= 3; ++broker)
        QVERIFY(m_mock->setBrokerUp(broker, false).ok());
    QElapsedTimer clock;
    clock.start();
    const auto page = browser.read(2, 5, 10); // within the known extent: a fetch is needed
    const qint64 readMs = clock.elapsed();
    clock.restart();
    const auto extents = browser.extents();
    const qint64 extentsMs = clock.elapsed();
    for (int broker = 1; broker <= 3; ++broker)
        QVERIFY(m_mock->setBrokerUp(broker, true).ok());

    for (const auto &[error, ms] :
         {std::pair(page.ok() ? BrokerError {} : page.error(), readMs),
          std::pair(extents.ok() ? BrokerError {} : extents.error(), extentsMs)}) {
        QVERIFY2(!error.message.isEmpty(), "a call succeeded with every broker down");
        QVERIFY2(ms < 6000, qPrintable(QStringLiteral("%1 ms: ").arg(ms) + error.describe()));
        QVERIFY2(error.kind == BrokerError::Kind::Unreachable
                     || error.kind == BrokerError::Kind::Timeout,
                 qPrintable(error.describe()));
        QVERIFY2(error.message.startsWith(QLatin1String("mock: ")) && !error.hint.isEmpty(),
                 qPrintable(error.describe()));
    }
    // And once they are back, reading works again.
    const QDeadlineTimer deadline(20s);
    Result<BrowsedMessageList> again = BrokerError {};
    while (!again.ok() && !deadline.hasExpired())
        again = browser.read(2, 5, 10);
    QVERIFY2(again.ok() && mismatches(m_exact[2], 5, again.value()).isEmpty()
                 && again->size() == 10,
             qPrintable(again.ok() ? ids(again.value()) : again.error().describe()));
}

void TestKafkaBrowse::parsesSpringAndConnectDeadLetters()
{
    using namespace veltrix::demo;
    const auto at = [](qint64 ms) { return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC); };
    const QString paymentListener = QStringLiteral(
        "public void com.shop.payments.PaymentListener.onPayment(org.apache.kafka.clients."
        "consumer.ConsumerRecord<java.lang.String, java.lang.String>)");
    const QString orderListener = QStringLiteral(
        "public void com.shop.orders.OrderListener.onOrder(org.apache.kafka.clients.consumer."
        "ConsumerRecord<java.lang.String, java.lang.String>)");

    // 1. The blocking DeadLetterPublishingRecoverer, once.
    const FailedRecord payment {QStringLiteral("payments"),
                                7,
                                123'456,
                                Base - 90'000,
                                QStringLiteral("CreateTime"),
                                "pay-000123",
                                QStringLiteral("payment-service"),
                                {{"traceparent", "00-abc-01"}}};
    const JavaException declined = springListenerFailure(
        paymentListener,
        {QStringLiteral("com.shop.payments.CardDeclinedException"),
         QStringLiteral("Card declined for payment pay-000123: issuer response code 51"),
         {QStringLiteral("com.shop.payments.PaymentService.authorize(PaymentService.java:131)")}},
        false, Base - 1000);
    test::TestRecord blocking;
    blocking.partition = 0;
    blocking.key = payment.key;
    blocking.value = "{\"payment\": \"pay-000123\"}";
    blocking.timestamp = Base - 1000;
    blocking.headers = blockingRecovererDltHeaders(payment, declined);

    // 2. @RetryableTopic: orders -> orders-retry-0 -> orders-retry-1 -> orders-dlt, a
    // different failure on each hop.
    const auto orderFailure = [&](const QString &fqcn, const QString &message, qint64 failedAt) {
        return springListenerFailure(
            orderListener,
            {fqcn,
             message,
             {QStringLiteral("com.shop.orders.OrderService.place(OrderService.java:88)")}},
            true, failedAt);
    };
    const FailedRecord order {QStringLiteral("orders"),
                              3,
                              42,
                              Base - 60'000,
                              QStringLiteral("CreateTime"),
                              "ord-42",
                              QStringLiteral("order-service"),
                              {}};
    const KafkaHeaderList hop1 = retryTopicHeaders(
        order,
        orderFailure(QStringLiteral("com.shop.orders.StockServiceUnavailableException"),
                     QStringLiteral("Stock service returned HTTP 503"), Base - 50'000),
        Base - 50'000, 1000);
    const KafkaHeaderList hop2 = retryTopicHeaders(
        {QStringLiteral("orders-retry-0"), 0, 7, Base - 49'000, QStringLiteral("CreateTime"),
         "ord-42", QStringLiteral("order-service"), hop1},
        orderFailure(QStringLiteral("com.shop.orders.StockServiceUnavailableException"),
                     QStringLiteral("Stock service returned HTTP 503 again"), Base - 40'000),
        Base - 40'000, 2000);
    const JavaException lastOrderFailure = orderFailure(
        QStringLiteral("com.shop.orders.InvalidOrderException"),
        QStringLiteral("Order ord-42 rejected: customer c-9 is blocked"), Base - 2000);
    test::TestRecord retryable;
    retryable.partition = 0;
    retryable.key = QByteArray("ord-42");
    retryable.value = "{\"order\": \"ord-42\"}";
    retryable.timestamp = Base - 2000;
    retryable.headers = retryableTopicDltHeaders({QStringLiteral("orders-retry-1"), 1, 3,
                                                  Base - 38'000, QStringLiteral("CreateTime"),
                                                  "ord-42", QStringLiteral("order-service"), hop2},
                                                 lastOrderFailure, Base - 2000);

    // 3. A Kafka Connect sink's DLQ reporter.
    const ConnectError sinkError {
        QStringLiteral("inventory-jdbc-sink"),
        2,
        QStringLiteral("VALUE_CONVERTER"),
        QStringLiteral("org.apache.kafka.connect.json.JsonConverter"),
        QStringLiteral("org.apache.kafka.connect.errors.DataException"),
        QStringLiteral("JsonConverter with schemas.enable requires \"schema\" and \"payload\" "
                       "fields"),
        javaStackTrace({{QStringLiteral("org.apache.kafka.connect.errors.DataException"),
                         QStringLiteral("JsonConverter with schemas.enable requires \"schema\" and "
                                        "\"payload\" fields"),
                         {QStringLiteral("org.apache.kafka.connect.json.JsonConverter."
                                         "toConnectData(JsonConverter.java:328)")}}})};
    test::TestRecord connect;
    connect.partition = 1;
    connect.key = QByteArray("sku-77");
    connect.value = "not json";
    connect.timestamp = Base - 500;
    connect.headers = connectDlqHeaders({QStringLiteral("inventory"),
                                         2,
                                         99,
                                         Base - 500,
                                         QStringLiteral("CreateTime"),
                                         "sku-77",
                                         QString(),
                                         {}},
                                        sinkError);

    const QString topic = QStringLiteral("browse-dlt");
    QVERIFY(m_mock->createTopic(topic, 2).ok());
    QVERIFY(produce(topic, {blocking, retryable, connect}));
    auto browser = open(topic);
    QVERIFY(browser);
    const auto read = browser->read({{0, 0, 10}, {1, 0, 10}});
    QVERIFY2(read.ok(), qPrintable(read.error().describe()));
    QCOMPARE(ids(read.value()), QStringLiteral("0:0 0:1 1:0"));
    QVERIFY2(mismatch(blocking, 0, read->at(0)).isEmpty(),
             qPrintable(mismatch(blocking, 0, read->at(0))));
    QVERIFY2(mismatch(retryable, 1, read->at(1)).isEmpty(),
             qPrintable(mismatch(retryable, 1, read->at(1))));
    QVERIFY2(mismatch(connect, 0, read->at(2)).isEmpty(),
             qPrintable(mismatch(connect, 0, read->at(2))));

    // Every field, written out from what the writers were given (not from the parser).
    const DeadLetter &spring = read->at(0).deadLetter;
    QCOMPARE(spring.convention, DeadLetterConvention::SpringBlocking);
    QCOMPARE(spring.originalDestination, QStringLiteral("payments"));
    QCOMPARE(spring.originalPartition, 7);
    QCOMPARE(spring.originalOffset, 123'456);
    QCOMPARE(spring.originalTimestamp, at(Base - 90'000));
    QCOMPARE(spring.originalConsumerGroup, QStringLiteral("payment-service"));
    QCOMPARE(spring.exceptionClass, QStringLiteral("com.shop.payments.CardDeclinedException"));
    QCOMPARE(spring.exceptionMessage,
             QStringLiteral("Listener method '%1' threw exception; Card declined for payment "
                            "pay-000123: issuer response code 51")
                 .arg(paymentListener));
    QVERIFY2(spring.stackTrace.startsWith(QLatin1String(
                 "org.springframework.kafka.listener.ListenerExecutionFailedException: "
                 "Listener method '"))
                 && spring.stackTrace.contains(QLatin1String(
                     "Caused by: com.shop.payments.CardDeclinedException: Card declined"))
                 && spring.stackTrace == declined.stackTrace,
             qPrintable(spring.stackTrace));
    QCOMPARE(spring.reason, QStringLiteral("listener failed"));
    QCOMPARE(spring.attempts, -1); // the blocking recoverer does not record them
    QVERIFY(!spring.firstFailedAt.isValid());
    QCOMPARE(spring.lastFailedAt, at(Base - 1000));
    QVERIFY(spring.connectorName.isEmpty() && spring.connectTaskId == -1
            && spring.deaths.isEmpty());
    QVERIFY2(spring.warnings.isEmpty(), qPrintable(spring.warnings.join(u'\n')));

    const DeadLetter &retried = read->at(1).deadLetter;
    QCOMPARE(retried.convention, DeadLetterConvention::SpringRetryable);
    // kafka_original-* are written by the first hop and kept: the main topic's record.
    QCOMPARE(retried.originalDestination, QStringLiteral("orders"));
    QCOMPARE(retried.originalPartition, 3);
    QCOMPARE(retried.originalOffset, 42);
    QCOMPARE(retried.originalTimestamp, at(Base - 60'000));
    QCOMPARE(retried.originalConsumerGroup, QStringLiteral("order-service"));
    // The exception headers are replaced on each hop: the last failure's.
    QCOMPARE(retried.exceptionClass, QStringLiteral("com.shop.orders.InvalidOrderException"));
    QCOMPARE(retried.exceptionMessage,
             QStringLiteral("Listener failed; Order ord-42 rejected: customer c-9 is blocked"));
    QCOMPARE(retried.stackTrace, lastOrderFailure.stackTrace);
    QCOMPARE(retried.reason, QStringLiteral("retries exhausted"));
    // retry_topic-attempts: 2, 3, then 4 on the hop to the DLT: three failed deliveries.
    QCOMPARE(retried.attempts, 3);
    QVERIFY(!retried.firstFailedAt.isValid());
    QCOMPARE(retried.lastFailedAt, at(Base - 2000));
    QVERIFY2(retried.warnings.isEmpty(), qPrintable(retried.warnings.join(u'\n')));

    const DeadLetter &sink = read->at(2).deadLetter;
    QCOMPARE(sink.convention, DeadLetterConvention::KafkaConnect);
    QCOMPARE(sink.originalDestination, QStringLiteral("inventory"));
    QCOMPARE(sink.originalPartition, 2);
    QCOMPARE(sink.originalOffset, 99);
    QVERIFY(!sink.originalTimestamp.isValid()); // Connect does not record it
    QVERIFY(sink.originalConsumerGroup.isEmpty());
    QCOMPARE(sink.connectorName, QStringLiteral("inventory-jdbc-sink"));
    QCOMPARE(sink.connectTaskId, 2);
    QCOMPARE(sink.reason, QStringLiteral("VALUE_CONVERTER"));
    QCOMPARE(sink.exceptionClass, QStringLiteral("org.apache.kafka.connect.errors.DataException"));
    QCOMPARE(sink.exceptionMessage, sinkError.message);
    QCOMPARE(sink.stackTrace, sinkError.stackTrace);
    QCOMPARE(sink.attempts, -1);
    QVERIFY(!sink.firstFailedAt.isValid());
    QCOMPARE(sink.lastFailedAt, at(Base - 500));
    QVERIFY2(sink.warnings.isEmpty(), qPrintable(sink.warnings.join(u'\n')));
}

QTEST_GUILESS_MAIN(TestKafkaBrowse)
#include "tst_kafkabrowse.moc"
