// Bench: a 1,000,000-message dead-letter topic opened and paged with KafkaTopicBrowser
// (issue #5: the first page in under 300 ms, scrolling without freezing, memory bounded).
// Prints one JSON line per figure; never part of the pass/fail suite.
//
// The DLT lives in a mock cluster in a child process (this program run with --serve-dlt),
// so its ~2 GB of records are not counted as this process's memory. Every record carries
// the headers Spring's DeadLetterPublishingRecoverer writes (demo/springheaders.h), stack
// trace included. The mock keeps about 5 MiB per partition and silently drops the oldest
// message sets beyond, so the partition count follows from the record size, and the start
// offsets and the total are checked before anything is measured.
#include "benchoutput.h"
#include "demo/springheaders.h"
#include "dlqmessagesview.h"
#include "items/deadlettertablemodel.h"
#include "items/triagemodel.h"
#include "kafka/kafkahandle.h"
#include "kafka/kafkatopicbrowser.h"
#include "kafka/mockkafkacluster.h"
#include "testprofiles.h"

#include <librdkafka/rdkafka.h>

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QTableView>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <functional>

using namespace veltrix;
using namespace std::chrono_literals;

namespace {

using bench::msSince;
using bench::rssMiB;

constexpr qint64 Messages = 1'000'000;
constexpr int PageSize = 200;
constexpr qint64 MockPartitionLimit = 5 * 1024 * 1024; // librdkafka 2.0.2's mock, per partition
constexpr double PartitionBudget = 0.6; // of that limit: well clear of any drop
const QString Topic = QStringLiteral("payments-dlt");
const QByteArray BootstrapPrefix = "dlt-broker: bootstrap ";

void emitFigure(QJsonObject figure)
{
    bench::emitFigure("dlt_open", std::move(figure));
}

[[noreturn]] void fail(const QString &what)
{
    bench::fail("dlt_open", what);
}

// ---- The DLT ------------------------------------------------------------------------

// Record i of the DLT: a payment that failed in partition p of "payments" and was
// dead-lettered by the payment service, with a few different failures.
struct DltRecord
{
    QByteArray key;
    QByteArray value;
    KafkaHeaderList headers;
};

class DltWriter
{
public:
    DltWriter()
    {
        const QString listener = QStringLiteral(
            "public void com.shop.payments.PaymentListener.onPayment(org.apache.kafka.clients."
            "consumer.ConsumerRecord<java.lang.String, java.lang.String>)");
        const QStringList frames {
            QStringLiteral("com.shop.payments.PaymentService.authorize(PaymentService.java:131)"),
            QStringLiteral("com.shop.payments.PaymentListener.onPayment(PaymentListener.java:42)")};
        const QList<QPair<QString, QString>> causes {
            {QStringLiteral("com.shop.payments.CardDeclinedException"),
             QStringLiteral("Card declined: issuer response code 51")},
            {QStringLiteral("com.shop.payments.GatewayTimeoutException"),
             QStringLiteral("Gateway psp-eu-2 did not answer within 2000 ms")},
            {QStringLiteral("com.shop.payments.FraudSuspectedException"),
             QStringLiteral("Payment blocked: fraud score 0.91 above threshold 0.85")},
            {QStringLiteral("com.fasterxml.jackson.core.JsonParseException"),
             QStringLiteral("Unexpected character ('}' (code 125)): was expecting a value")}};
        for (const auto &[fqcn, message] : causes)
            m_failures << demo::springListenerFailure(listener, {fqcn, message, frames}, false,
                                                      1'700'000'000'000);
    }

    DltRecord record(qint64 i) const
    {
        demo::FailedRecord failed;
        failed.topic = QStringLiteral("payments");
        failed.partition = qint32(i % 12);
        failed.offset = 5'000'000 + i;
        failed.timestamp = 1'700'000'000'000 + i * 10;
        failed.key = QByteArray("pay-") + QByteArray::number(100'000 + i);
        failed.consumerGroup = QStringLiteral("payment-service");
        DltRecord r;
        r.key = failed.key;
        // ~100 bytes of JSON, as the payment service consumed it.
        r.value = QByteArray(R"({"payment_id":")") + failed.key + R"(","order_id":"ord-)"
            + QByteArray::number(i * 7 % 1'000'003)
            + R"(","amount":129.90,"currency":"EUR","card":"4111-xxxx"})";
        r.headers
            = demo::blockingRecovererDltHeaders(failed, m_failures[int(i % m_failures.size())]);
        return r;
    }

    // What a record takes in a v2 record batch: varint lengths and deltas (~2 bytes each)
    // around the key, the value and every header name and value.
    static qint64 batchBytes(const DltRecord &r)
    {
        qint64 bytes = 16 + r.key.size() + r.value.size();
        for (const KafkaHeader &h : r.headers)
            bytes += 4 + h.name.size() + h.value.size();
        return bytes;
    }

private:
    QList<demo::JavaException> m_failures;
};

struct DltShape
{
    qint64 recordBytes = 0; // the largest of a sample
    int partitions = 0;
    qint64 perPartition = 0; // at most; the first Messages % partitions get one more
    qint64 count(int partition) const
    {
        return Messages / partitions + (partition < Messages % partitions ? 1 : 0);
    }
};

DltShape shapeOf(const DltWriter &writer)
{
    DltShape shape;
    for (qint64 i = 0; i < 1000; ++i)
        shape.recordBytes = std::max(shape.recordBytes, DltWriter::batchBytes(writer.record(i)));
    const qint64 fit = qint64(PartitionBudget * double(MockPartitionLimit)) / shape.recordBytes;
    shape.partitions = int((Messages + fit - 1) / fit);
    shape.perPartition = (Messages + shape.partitions - 1) / shape.partitions;
    return shape;
}

// The child: the mock cluster with the DLT, filled, served until stdin closes.
int serveDlt()
{
    const DltWriter writer;
    const DltShape shape = shapeOf(writer);
    auto mock = MockKafkaCluster::start(3);
    if (!mock) {
        std::fprintf(stderr, "dlt-broker: %s\n", qPrintable(mock.error().describe()));
        return 1;
    }
    if (auto created = mock.value()->createTopic(Topic, shape.partitions); !created) {
        std::fprintf(stderr, "dlt-broker: %s\n", qPrintable(created.error().describe()));
        return 1;
    }
    const ClusterProfile profile
        = test::kafkaProfile(QStringLiteral("dlt"), mock.value()->bootstrapServers());
    auto producer = KafkaHandle::create(
        profile, RD_KAFKA_PRODUCER,
        {{QStringLiteral("linger.ms"), QStringLiteral("50")},
         {QStringLiteral("batch.size"), QStringLiteral("1000000")},
         {QStringLiteral("acks"), QStringLiteral("1")},
         {QStringLiteral("compression.codec"), QStringLiteral("none")},
         {QStringLiteral("queue.buffering.max.messages"), QStringLiteral("1000000")},
         {QStringLiteral("queue.buffering.max.kbytes"), QStringLiteral("2097151")}});
    if (!producer) {
        std::fprintf(stderr, "dlt-broker: %s\n", qPrintable(producer.error().describe()));
        return 1;
    }
    rd_kafka_t *rk = producer.value()->get();
    const QByteArray topic = Topic.toUtf8();
    qint64 i = 0;
    for (int p = 0; p < shape.partitions; ++p) {
        for (qint64 n = 0; n < shape.count(p); ++n, ++i) {
            const DltRecord r = writer.record(i);
            rd_kafka_headers_t *headers = rd_kafka_headers_new(size_t(r.headers.size()));
            for (const KafkaHeader &h : r.headers)
                rd_kafka_header_add(headers, h.name.constData(), h.name.size(),
                                    h.value.isNull() ? nullptr : h.value.constData(),
                                    h.value.size());
            rd_kafka_resp_err_t err;
            while ((err = rd_kafka_producev(
                        rk, RD_KAFKA_V_TOPIC(topic.constData()), RD_KAFKA_V_PARTITION(p),
                        RD_KAFKA_V_KEY(r.key.constData(), size_t(r.key.size())),
                        RD_KAFKA_V_VALUE(const_cast<char *>(r.value.constData()),
                                         size_t(r.value.size())),
                        RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                        RD_KAFKA_V_END))
                   == RD_KAFKA_RESP_ERR__QUEUE_FULL)
                rd_kafka_poll(rk, 10);
            if (err) {
                rd_kafka_headers_destroy(headers);
                std::fprintf(stderr, "dlt-broker: producing: %s\n", rd_kafka_err2str(err));
                return 1;
            }
        }
        rd_kafka_poll(rk, 0);
    }
    if (const auto err = rd_kafka_flush(rk, 120'000); err) {
        std::fprintf(stderr, "dlt-broker: flushing: %s\n", rd_kafka_err2str(err));
        return 1;
    }
    producer.value().reset();
    std::printf("%s%s\n", BootstrapPrefix.constData(),
                qPrintable(mock.value()->bootstrapServers()));
    std::fflush(stdout);
    char buffer[256];
    while (std::fread(buffer, 1, sizeof buffer, stdin) > 0) { }
    return 0;
}

// The parent's handle on the child.
class DltBroker
{
public:
    ~DltBroker()
    {
        m_process.closeWriteChannel(); // the child's signal to exit
        if (!m_process.waitForFinished(10'000))
            m_process.kill();
        m_process.waitForFinished(5000);
    }
    QString start(std::chrono::milliseconds timeout)
    {
        m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_process.start(QCoreApplication::applicationFilePath(), {QStringLiteral("--serve-dlt")});
        QElapsedTimer clock;
        clock.start();
        QByteArray output;
        while (clock.elapsed() < timeout.count() && m_process.state() != QProcess::NotRunning) {
            m_process.waitForReadyRead(200);
            output += m_process.readAllStandardOutput();
            const qsizetype at = output.indexOf(BootstrapPrefix);
            const qsizetype end = output.indexOf('\n', at);
            if (at >= 0 && end > at)
                return QString::fromUtf8(
                    output.mid(at + BootstrapPrefix.size(), end - at - BootstrapPrefix.size()));
        }
        fail(QStringLiteral("the DLT broker process did not get ready in %1 s (exit code %2)")
                 .arg(timeout.count() / 1000)
                 .arg(m_process.exitCode()));
    }

private:
    QProcess m_process;
};

// What every figure gets: where the DLT is and how it is laid out (checked).
struct BenchDlt
{
    ClusterProfile profile;
    QString topic;
    QList<KafkaPartitionExtent> extents;
};

std::unique_ptr<KafkaTopicBrowser> openOrFail(const BenchDlt &dlt)
{
    auto browser = KafkaTopicBrowser::open(dlt.profile, dlt.topic, 10s);
    if (!browser)
        fail(browser.error().describe());
    return std::move(browser).value();
}

BrowsedMessageList readOrFail(KafkaTopicBrowser &browser, int partition, qint64 offset)
{
    auto page = browser.read(partition, offset, PageSize);
    if (!page)
        fail(page.error().describe());
    if (page->size() != PageSize || page->first().offset != offset)
        fail(QStringLiteral("partition %1 at %2: %3 records from offset %4")
                 .arg(partition)
                 .arg(offset)
                 .arg(page->size())
                 .arg(page->isEmpty() ? -1 : page->first().offset));
    return std::move(page).value();
}

// Nothing may have been dropped: every partition starts at 0 and the counts add up.
BenchDlt checkedDlt(const QString &bootstrap, const DltShape &shape)
{
    BenchDlt dlt {test::kafkaProfile(QStringLiteral("dlt"), bootstrap), Topic, {}};
    auto browser = openOrFail(dlt);
    auto extents = browser->extents();
    if (!extents)
        fail(extents.error().describe());
    qint64 total = 0;
    for (const KafkaPartitionExtent &e : extents.value()) {
        if (e.start != 0 || e.leader < 0 || e.end != shape.count(e.partition))
            fail(QStringLiteral("partition %1 holds [%2, %3), leader %4: the mock dropped records "
                                "or lost a leader; expected [0, %5)")
                     .arg(e.partition)
                     .arg(e.start)
                     .arg(e.end)
                     .arg(e.leader)
                     .arg(shape.count(e.partition)));
        total += e.count();
    }
    if (total != Messages || extents->size() != shape.partitions)
        fail(QStringLiteral("%1 records in %2 partitions, expected exactly %3 in %4")
                 .arg(total)
                 .arg(extents->size())
                 .arg(Messages)
                 .arg(shape.partitions));
    dlt.extents = extents.value();
    // The records are what was written: the parser finds the Spring headers.
    const BrowsedMessageList first = readOrFail(*browser, 0, 0);
    if (first.first().deadLetter.originalDestination != QLatin1String("payments")
        || first.first().kafkaHeaders.size() != 10)
        fail(QStringLiteral("the first record does not carry the Spring DLT headers"));
    return dlt;
}

// ---- The figures ----------------------------------------------------------------------

// Opening the DLT as the console does: a new browser (new connections), the extents of
// every partition, the first page. Median of five.
void benchFirstPage(const BenchDlt &dlt)
{
    QList<double> totals, opens, extents, reads;
    for (int run = 0; run < 5; ++run) {
        QElapsedTimer clock;
        clock.start();
        auto browser = openOrFail(dlt);
        const double opened = msSince(clock);
        auto found = browser->extents();
        if (!found)
            fail(found.error().describe());
        const double extented = msSince(clock);
        readOrFail(*browser, found->first().partition, found->first().start);
        const double total = msSince(clock);
        totals << total;
        opens << opened;
        extents << extented - opened;
        reads << total - extented;
    }
    emitFigure({{QStringLiteral("figure"), QStringLiteral("first_page_ms")},
                {QStringLiteral("value"), bench::median(totals)},
                {QStringLiteral("goal"), 300},
                {QStringLiteral("open_ms"), bench::median(opens)},
                {QStringLiteral("extents_ms"), bench::median(extents)},
                {QStringLiteral("read_ms"), bench::median(reads)},
                {QStringLiteral("max_ms"), *std::max_element(totals.cbegin(), totals.cend())},
                {QStringLiteral("page"), PageSize},
                {QStringLiteral("partitions"), dlt.extents.size()}});
}

// Jumping: a page in the middle of the topic and the last page, on an open browser.
void benchRandomAccess(const BenchDlt &dlt)
{
    auto browser = openOrFail(dlt);
    QList<double> middle, end, random;
    const KafkaPartitionExtent &centre = dlt.extents[dlt.extents.size() / 2];
    const KafkaPartitionExtent &last = dlt.extents.last();
    QRandomGenerator random64(5); // the same pages every run
    for (int run = 0; run < 9; ++run) {
        QElapsedTimer clock;
        clock.start();
        readOrFail(*browser, centre.partition, centre.count() / 2);
        middle << msSince(clock);
        clock.restart();
        readOrFail(*browser, last.partition, last.end - PageSize);
        end << msSince(clock);
        const KafkaPartitionExtent &e = dlt.extents[random64.bounded(int(dlt.extents.size()))];
        const qint64 offset = random64.bounded(e.count() - PageSize);
        clock.restart();
        readOrFail(*browser, e.partition, offset);
        random << msSince(clock);
    }
    emitFigure({{QStringLiteral("figure"), QStringLiteral("middle_page_ms")},
                {QStringLiteral("value"), bench::median(middle)}});
    emitFigure({{QStringLiteral("figure"), QStringLiteral("end_page_ms")},
                {QStringLiteral("value"), bench::median(end)}});
    emitFigure({{QStringLiteral("figure"), QStringLiteral("random_page_ms")},
                {QStringLiteral("value"), bench::median(random)},
                {QStringLiteral("max_ms"), *std::max_element(random.cbegin(), random.cend())}});
}

// Jumping to a time: the offsets of the records at the middle one's timestamp. The mock
// cannot look times up, so this is the browser's fallback, a binary search by reading.
void benchTimeJump(const BenchDlt &dlt)
{
    auto browser = openOrFail(dlt);
    const KafkaPartitionExtent &centre = dlt.extents[dlt.extents.size() / 2];
    const BrowsedMessageList middle = readOrFail(*browser, centre.partition, centre.count() / 2);
    QElapsedTimer clock;
    clock.start();
    auto offsets = browser->offsetsForTime(middle.first().timestamp);
    const double ms = msSince(clock);
    if (!offsets)
        fail(offsets.error().describe());
    if (offsets->value(centre.partition, -1) > centre.count() / 2)
        fail(QStringLiteral("the time of offset %1 of partition %2 was found at offset %3")
                 .arg(centre.count() / 2)
                 .arg(centre.partition)
                 .arg(offsets->value(centre.partition, -1)));
    emitFigure({{QStringLiteral("figure"), QStringLiteral("time_jump_ms")},
                {QStringLiteral("value"), ms},
                {QStringLiteral("how"), QStringLiteral("binary search by reading (mock)")}});
}

// Scrolling: 50 pages one after the other in table order (partition after partition),
// each from where the last one ended, on a browser opened as the console opens it.
void benchScrolling(const BenchDlt &dlt)
{
    auto browser = openOrFail(dlt);
    if (auto extents = browser->extents(); !extents)
        fail(extents.error().describe());
    constexpr int Pages = 50;
    qsizetype partition = dlt.extents.size() / 3;
    qint64 next = dlt.extents[partition].start;
    double slowest = 0;
    qint64 records = 0;
    QElapsedTimer clock;
    clock.start();
    for (int page = 0; page < Pages; ++page) {
        QElapsedTimer pageClock;
        pageClock.start();
        auto read = browser->readPage({{dlt.extents[partition].partition, next, PageSize}});
        if (!read)
            fail(read.error().describe());
        slowest = std::max(slowest, msSince(pageClock));
        records += read->messages.size();
        next = read->ranges[0].nextOffset;
        if (read->ranges[0].reachedEnd()) {
            partition = (partition + 1) % dlt.extents.size();
            next = dlt.extents[partition].start;
        }
    }
    const double seconds = msSince(clock) / 1000;
    emitFigure({{QStringLiteral("figure"), QStringLiteral("scroll_pages_per_s")},
                {QStringLiteral("value"), Pages / seconds},
                {QStringLiteral("pages"), Pages},
                {QStringLiteral("records"), records},
                {QStringLiteral("slowest_page_ms"), slowest}});
}

// Memory: the process's resident set across 2,000 pages all over the topic, after a
// warm-up. Only the browser and its pages live here; the DLT is in the child.
void benchMemory(const BenchDlt &dlt)
{
    auto browser = openOrFail(dlt);
    QRandomGenerator random64(7);
    const auto somePage = [&] {
        const KafkaPartitionExtent &e = dlt.extents[random64.bounded(int(dlt.extents.size()))];
        readOrFail(*browser, e.partition, random64.bounded(e.count() - PageSize));
    };
    for (int page = 0; page < 100; ++page)
        somePage();
    const double before = rssMiB();
    double peak = before;
    QElapsedTimer clock;
    clock.start();
    for (int page = 0; page < 2000; ++page) {
        somePage();
        if (page % 50 == 0)
            peak = std::max(peak, rssMiB());
    }
    const double after = rssMiB();
    emitFigure({{QStringLiteral("figure"), QStringLiteral("rss_growth_mib")},
                {QStringLiteral("value"), after - before},
                {QStringLiteral("goal"), QStringLiteral("bounded: < 32")},
                {QStringLiteral("rss_before_mib"), before},
                {QStringLiteral("rss_after_mib"), after},
                {QStringLiteral("rss_peak_mib"), peak},
                {QStringLiteral("pages"), 2000},
                {QStringLiteral("seconds"), msSince(clock) / 1000}});
}

// The console's view of the DLT: the table model over a KafkaTopicBrowser. Its figures
// (first rows shown, rows per second while scrolling, memory) go here; the QApplication
// is up (offscreen) and the DLT is checked. Called last from main().
// The GUI's path: the Dead letters view opening the DLT (its worker thread opens the
// browser, reads the extents and the first page) until the first row shows, then jumps
// to 300 random rows as an operator dragging the scroll bar would, each until its row is
// loaded. A 5 ms heartbeat on the GUI thread measures the longest stall: the view must
// never wait for the broker. The table's page cache must stay within its budget.
void benchTableModel(const BenchDlt &dlt)
{
    const double rssBefore = rssMiB();
    DlqMessagesView view;
    view.resize(1400, 900);
    view.show();
    QElapsedTimer heartbeat;
    double longestStallMs = 0;
    QTimer beat;
    beat.setInterval(5);
    QObject::connect(&beat, &QTimer::timeout, [&] {
        longestStallMs = std::max(longestStallMs, msSince(heartbeat));
        heartbeat.restart();
    });
    DlqInfo info;
    info.source = {ClusterKind::Kafka, dlt.profile.name, {}, dlt.topic};
    info.depth = Messages;
    info.partitions = int(dlt.extents.size());
    DeadLetterTableModel *model = view.model();
    const auto waitFor = [](const std::function<bool()> &done, std::chrono::seconds limit) {
        QElapsedTimer clock;
        clock.start();
        while (!done() && clock.elapsed() < std::chrono::milliseconds(limit).count())
            QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        return done();
    };

    QElapsedTimer clock;
    clock.start();
    heartbeat.start();
    beat.start();
    view.open(dlt.profile, info);
    if (!waitFor([&] { return model->messageAt(0) != nullptr; }, 30s))
        fail(QStringLiteral("the view never showed the first row"));
    const double firstRowMs = msSince(clock);
    if (model->rowCount() != Messages)
        fail(QStringLiteral("the table has %1 rows, not %2").arg(model->rowCount()).arg(Messages));
    emitFigure({{QStringLiteral("figure"), QStringLiteral("view_first_row_ms")},
                {QStringLiteral("value"), firstRowMs},
                {QStringLiteral("goal"), 300},
                {QStringLiteral("rows"), model->rowCount()}});
    // The triage scan of the newest 10,000 runs on the worker meanwhile; let it finish so
    // the scroll figures are the table's own.
    waitFor([&] { return view.triageModel()->total() > 0; }, 60s);
    const double rssAfterScan = rssMiB();

    QRandomGenerator random(42);
    QList<double> jumps;
    longestStallMs = 0;
    heartbeat.restart();
    const int jumpCount = qEnvironmentVariableIntValue("DLT_OPEN_JUMPS") > 0
        ? qEnvironmentVariableIntValue("DLT_OPEN_JUMPS")
        : 300;
    for (int i = 0; i < jumpCount; ++i) {
        const int row = int(random.bounded(quint32(Messages)));
        QElapsedTimer jump;
        jump.start();
        view.table()->scrollTo(model->index(row, 0), QAbstractItemView::PositionAtCenter);
        if (!waitFor([&] { return model->messageAt(row) != nullptr; }, 10s))
            fail(QStringLiteral("row %1 never loaded").arg(row));
        jumps << msSince(jump);
    }
    std::sort(jumps.begin(), jumps.end());
    emitFigure({{QStringLiteral("figure"), QStringLiteral("view_random_jump_ms")},
                {QStringLiteral("value"), bench::median(jumps)},
                {QStringLiteral("p95"), jumps[int(jumps.size() * 95 / 100)]},
                {QStringLiteral("max"), jumps.last()},
                {QStringLiteral("jumps"), int(jumps.size())}});
    emitFigure({{QStringLiteral("figure"), QStringLiteral("view_longest_gui_stall_ms")},
                {QStringLiteral("value"), longestStallMs},
                {QStringLiteral("goal"), 50}});
    emitFigure({{QStringLiteral("figure"), QStringLiteral("view_page_cache_mib")},
                {QStringLiteral("value"), double(model->cachedBytes()) / (1024 * 1024)},
                {QStringLiteral("pages"), model->cachedPages()},
                {QStringLiteral("budget_mib"),
                 double(DeadLetterTableModel::DefaultCacheBytes) / (1024 * 1024)},
                {QStringLiteral("rss_before_view_mib"), rssBefore},
                {QStringLiteral("rss_after_triage_scan_mib"), rssAfterScan},
                {QStringLiteral("rss_after_jumps_mib"), rssMiB()}});
}

} // namespace

int main(int argc, char *argv[])
{
    if (argc > 1 && qstrcmp(argv[1], "--serve-dlt") == 0)
        return serveDlt();
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);

    const DltShape shape = shapeOf(DltWriter());
    QElapsedTimer setup;
    setup.start();
    DltBroker broker;
    const QString bootstrap = broker.start(180s);
    const BenchDlt dlt = checkedDlt(bootstrap, shape);
    emitFigure({{QStringLiteral("figure"), QStringLiteral("setup_s")},
                {QStringLiteral("value"), msSince(setup) / 1000},
                {QStringLiteral("messages"), Messages},
                {QStringLiteral("partitions"), shape.partitions},
                {QStringLiteral("record_bytes"), shape.recordBytes},
                {QStringLiteral("partition_mib"),
                 double(shape.perPartition * shape.recordBytes) / (1024 * 1024)},
                {QStringLiteral("mock_partition_limit_mib"), 5}});

    benchFirstPage(dlt);
    benchRandomAccess(dlt);
    benchTimeJump(dlt);
    benchScrolling(dlt);
    benchMemory(dlt);
    benchTableModel(dlt);
    return 0;
}
