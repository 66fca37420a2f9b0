// The redrive GUI on real brokers: the dialog is set up, previews (the per-target counts
// it shows are checked), confirms through its seam, and the progress page is watched to
// the end; the report table, the saved report and the messages at their destination are
// read back. Pause/resume, cancel (nothing lost), a read-only profile, "repair and
// redrive" (invalid JSON refused, the repaired copy is what arrives), the DLQ view's
// entry points, and a Kafka DLT on the mock cluster. Screenshots of the setup page after
// a preview, a redrive caught mid-way and the final report go to VELTRIX_SCREENSHOT_DIR.
#include "demo/springheaders.h"
#include "dlqmessagesview.h"
#include "items/deadlettertablemodel.h"
#include "items/redrivereportmodel.h"
#include "kafka/kafkatopicbrowser.h"
#include "messagefilterbar.h"
#include "rabbitmq/rabbitqueuebrowser.h"
#include "redrive/redrivetarget.h"
#include "redrivedialog.h"
#include "redriveprogresspanel.h"
#include "repairdialog.h"
#include "session/redrivesession.h"
#include "testkafka.h"
#include "testprofiles.h"
#include "testrabbitnode.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QItemSelectionModel>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace veltrix;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

const QString Vhost = u"tst-redriveviews"_s;
const QString NoXDeath = u"no x-death header names the queue it died in"_s;
using Kind = RedriveCountsModel::Kind;

QString idOf(int i)
{
    return u"m-%1"_s.arg(i, 5, 10, QLatin1Char('0'));
}

QByteArray payloadOf(int i)
{
    return R"({"order":)" + QByteArray::number(i) + R"(,"total":"12,50"})";
}

void keepScreenshot(QWidget &widget, const QString &name)
{
    const QImage image = widget.grab().toImage();
    QVERIFY(!image.isNull());
    const QString dir = qEnvironmentVariable("VELTRIX_SCREENSHOT_DIR");
    if (!dir.isEmpty()) {
        QDir().mkpath(dir);
        QVERIFY(image.save(QDir(dir).filePath(name), "PNG"));
    }
}

// The longest the GUI thread went without running its event loop while it was measured.
class EventLoopWatch : public QObject
{
public:
    EventLoopWatch()
    {
        m_timer.setInterval(10);
        connect(&m_timer, &QTimer::timeout, this,
                [this] { m_longest = std::max(m_longest, m_since.restart()); });
        m_since.start();
        m_timer.start();
    }
    qint64 longestGapMs() const { return m_longest; }

private:
    QTimer m_timer;
    QElapsedTimer m_since;
    qint64 m_longest = 0;
};

struct Received
{
    QStringList ids;
    QList<AmqpMessage> messages;
};

} // namespace

class TestRedriveViews : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void modelsPassTheTester();
    void previewConfirmProgressAndReport();
    void cancelLeavesEveryMessageSomewhere();
    void readOnlyProfileDisablesRedrive();
    void repairRefusesInvalidJsonAndSendsTheRepair();
    void entryPointsInTheMessagesView();
    void kafkaPreviewRedriveAndRepair();

private:
    std::unique_ptr<AmqpConnection> connect();
    // `work` dead-letters to `dlq` through the default exchange; count messages are
    // published to work and rejected, so they sit in dlq with x-death naming work.
    void makeDeadLetters(const QString &work, const QString &dlq, int count);
    qint64 ready(const QString &queue);
    Received drain(const QString &queue);
    DlqSource rabbitSource(const QString &dlq) const
    {
        return {ClusterKind::RabbitMq, m_rabbit.name, Vhost, dlq};
    }
    // Previews (when `preview`), then presses Redrive, confirming through the seam, and
    // waits for the progress page.
    void startRedrive(RedriveDialog &dialog, bool preview, QStringList *asked = nullptr);
    RedriveReport waitForReport(RedriveDialog &dialog, int timeoutMs = 60000);
    QList<QJsonObject> auditLines() const;

    LocalRabbitNodeInfo m_node;
    ClusterProfile m_rabbit;
    std::unique_ptr<MockKafkaCluster> m_mock;
    ClusterProfile m_kafka;
    QTemporaryDir m_dir;
};

void TestRedriveViews::initTestCase()
{
    QVERIFY(m_dir.isValid());
    qputenv("VELTRIX_AUDIT_LOG", QFile::encodeName(m_dir.filePath(u"audit.jsonl"_s)));
    QString whyNot;
    const auto node = testRabbitNodeFromEnvironment(&whyNot);
    if (!node)
        QFAIL(qPrintable(whyNot));
    m_node = *node;
    m_rabbit = test::rabbitProfile(u"local-rabbit"_s, m_node);
    auto vhost = freshTestVhost(m_node, Vhost);
    QVERIFY2(vhost.ok(), qPrintable(vhost.error().describe()));

    auto mock = test::startMockKafka({u"orders"_s, u"orders-replay"_s}, 3);
    QVERIFY2(mock.ok(), qPrintable(mock.error().describe()));
    m_mock = std::move(mock).value();
    QVERIFY(m_mock->createTopic(u"orders-dlt"_s, 3, 1).ok());
    m_kafka = test::kafkaProfile(u"shop-kafka"_s, m_mock->bootstrapServers());
}

void TestRedriveViews::cleanupTestCase()
{
    if (m_node.managementPort != 0)
        deleteTestVhost(m_node, Vhost);
}

std::unique_ptr<AmqpConnection> TestRedriveViews::connect()
{
    return test::openAmqp(testAmqpUri(m_node, Vhost), 10s);
}

void TestRedriveViews::makeDeadLetters(const QString &work, const QString &dlq, int count)
{
    auto amqp = connect();
    QVERIFY(amqp);
    QVERIFY(amqp->declareQueue(dlq, true).ok());
    QVERIFY(amqp->declareQueue(work, true,
                               {{u"x-dead-letter-exchange"_s, QString()},
                                {u"x-dead-letter-routing-key"_s, dlq}})
                .ok());
    QVERIFY(amqp->selectConfirms().ok());
    for (int i = 0; i < count; ++i) {
        AmqpMessageProperties props;
        props.messageId = idOf(i);
        props.contentType = u"application/json"_s;
        props.headers = {{u"seq"_s, qint64(i)}, {u"tenant"_s, u"acme"_s}};
        QVERIFY(amqp->publish(QString(), work, payloadOf(i), props).ok());
    }
    auto confirmed = amqp->waitForConfirms(60s);
    QVERIFY(confirmed.ok() && confirmed.value());
    for (int i = 0; i < count; ++i) {
        auto message = amqp->get(work);
        QVERIFY(message.ok() && message->has_value());
        QVERIFY(amqp->reject(message.value()->deliveryTag, false).ok());
    }
    QTRY_COMPARE(ready(dlq), qint64(count));
}

qint64 TestRedriveViews::ready(const QString &queue)
{
    return test::readyCount(testAmqpUri(m_node, Vhost), queue);
}

Received TestRedriveViews::drain(const QString &queue)
{
    Received out;
    for (const AmqpMessage &message : test::drainQueue(testAmqpUri(m_node, Vhost), queue)) {
        out.ids << message.properties.messageId;
        out.messages << message;
    }
    return out;
}

void TestRedriveViews::startRedrive(RedriveDialog &dialog, bool preview, QStringList *asked)
{
    auto questions = std::make_shared<QStringList>();
    dialog.setConfirmer([questions](const QString &question) {
        questions->append(question);
        return true;
    });
    if (preview) {
        QSignalSpy previewed(&dialog, &RedriveDialog::previewShown);
        QTest::mouseClick(dialog.previewButton(), Qt::LeftButton);
        QVERIFY(previewed.wait(30000));
    }
    QVERIFY(dialog.redriveButton()->isEnabled());
    QTest::mouseClick(dialog.redriveButton(), Qt::LeftButton);
    // Without a current preview, Redrive runs one first and then asks.
    QTRY_COMPARE_WITH_TIMEOUT(questions->size(), 1, 30000);
    QVERIFY(dialog.isShowingProgress());
    QVERIFY(dialog.session()->isRunning());
    if (asked)
        *asked = *questions;
}

RedriveReport TestRedriveViews::waitForReport(RedriveDialog &dialog, int timeoutMs)
{
    RedriveProgressPanel *panel = dialog.progressPanel();
    QSignalSpy finished(&dialog, &RedriveDialog::redriveFinished);
    if (!panel->hasReport() && !finished.wait(timeoutMs))
        return {};
    return panel->report();
}

QList<QJsonObject> TestRedriveViews::auditLines() const
{
    return test::readJsonLines(m_dir.filePath(u"audit.jsonl"_s));
}

void TestRedriveViews::modelsPassTheTester()
{
    RedriveReportModel items;
    RedriveCountsModel counts;
    QAbstractItemModelTester itemsTester(&items,
                                         QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester countsTester(&counts,
                                          QAbstractItemModelTester::FailureReportingMode::QtTest);
    RedriveReport report;
    report.dryRun = true;
    report.notSelected = 7;
    for (int i = 0; i < 5; ++i)
        report.addItem({RedriveItem::Outcome::Moved, idOf(i), u"queue orders"_s, {}});
    report.addItem({RedriveItem::Outcome::Moved, idOf(5), u"queue payments"_s, {}});
    report.addItem({RedriveItem::Outcome::Skipped, idOf(6), {}, NoXDeath});
    report.addItem({RedriveItem::Outcome::Failed, idOf(7), u"queue orders"_s, u"nacked"_s});
    items.setReport(report);
    counts.setReport(report);

    QCOMPARE(items.rowCount(), 8);
    QCOMPARE(items.index(6, RedriveReportModel::Id).data().toString(), idOf(6));
    QCOMPARE(items.index(6, RedriveReportModel::Outcome).data().toString(), u"skipped"_s);
    QCOMPARE(items.index(6, RedriveReportModel::Target).data().toString(), u"—"_s);
    QCOMPARE(items.index(6, RedriveReportModel::Reason).data().toString(), NoXDeath);
    QCOMPARE(items.index(7, 0).data(RedriveReportModel::OutcomeRole).toInt(),
             int(RedriveItem::Outcome::Failed));

    // A row per target, per reason, and the messages left alone.
    QCOMPARE(counts.rowCount(), 5);
    QCOMPARE(counts.countOf(Kind::Moved, u"queue orders"_s), 5);
    QCOMPARE(counts.countOf(Kind::Moved, u"queue payments"_s), 1);
    QCOMPARE(counts.countOf(Kind::Skipped, NoXDeath), 1);
    QCOMPARE(counts.countOf(Kind::Failed, u"nacked"_s), 1);
    QCOMPARE(counts.index(0, RedriveCountsModel::Outcome).data().toString(), u"would go to"_s);
    QCOMPARE(counts.index(4, RedriveCountsModel::Count).data().toString(), u"7"_s);
    QCOMPARE(counts.index(4, 0).data(RedriveCountsModel::CountRole).toLongLong(), 7);

    items.clear();
    counts.clear();
    QCOMPARE(items.rowCount(), 0);
    QCOMPARE(counts.rowCount(), 0);
}

void TestRedriveViews::previewConfirmProgressAndReport()
{
    const QString work = u"rv.orders"_s;
    const QString dlq = u"rv.orders.dlq"_s;
    constexpr int Dead = 1000;
    constexpr int Orphans = 40;
    makeDeadLetters(work, dlq, Dead);
    {
        // Dead letters without x-death (published straight into the DLQ): nowhere to go.
        auto amqp = connect();
        QVERIFY(amqp);
        for (int i = 0; i < Orphans; ++i) {
            AmqpMessageProperties props;
            props.messageId = u"orphan-%1"_s.arg(i);
            QVERIFY(amqp->publishConfirmed(QString(), dlq, "orphan", props).ok());
        }
    }
    QTRY_COMPARE(ready(dlq), qint64(Dead + Orphans));
    const qsizetype auditBefore = auditLines().size();

    RedriveDialog dialog(m_rabbit, rabbitSource(dlq), {{}, {}, Dead + Orphans});
    QAbstractItemModelTester countsTester(dialog.countsModel(),
                                          QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester itemsTester(dialog.progressPanel()->itemsModel(),
                                         QAbstractItemModelTester::FailureReportingMode::QtTest);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QVERIFY(dialog.originalButton()->isChecked());
    QVERIFY(dialog.redriveButton()->isEnabled());
    QVERIFY(!dialog.readOnlyLabel()->isVisible());
    // Slow enough to be caught mid-way, pausing included.
    dialog.rateBox()->setValue(250);

    // Preview: how many go where, nothing sent.
    QSignalSpy previewed(&dialog, &RedriveDialog::previewShown);
    QTest::mouseClick(dialog.previewButton(), Qt::LeftButton);
    QVERIFY(!dialog.previewButton()->isEnabled()); // while it runs
    QVERIFY(previewed.wait(30000));
    RedriveCountsModel *counts = dialog.countsModel();
    QCOMPARE(counts->countOf(Kind::Moved, u"queue "_s + work), Dead);
    QCOMPARE(counts->countOf(Kind::Skipped, NoXDeath), Orphans);
    QCOMPARE(counts->rowCount(), 2);
    // What the operator reads: the table's cells and the line above it.
    QAbstractItemModel *shown = dialog.countsView()->model();
    QCOMPARE(shown->index(0, RedriveCountsModel::Where).data().toString(), u"queue "_s + work);
    QCOMPARE(shown->index(0, RedriveCountsModel::Count).data().toString(), u"1,000"_s);
    QCOMPARE(shown->index(1, RedriveCountsModel::Where).data().toString(), NoXDeath);
    QCOMPARE(shown->index(1, RedriveCountsModel::Count).data().toString(), u"40"_s);
    const QString line = dialog.previewLabel()->text();
    QVERIFY2(line.contains(u"1,000 would move to 1 destination"_s), qPrintable(line));
    QVERIFY2(line.contains(u"40 have no known destination"_s), qPrintable(line));
    QCOMPARE(ready(dlq), qint64(Dead + Orphans));
    QCOMPARE(ready(work), 0);
    keepScreenshot(dialog, u"redrive-setup-preview.png"_s);

    // Redrive: the confirmation shows the preview's counts, source and destination.
    QStringList asked;
    EventLoopWatch watch;
    startRedrive(dialog, false, &asked);
    const QString question = asked.value(0);
    QVERIFY2(question.contains(u"Redrive 1,000 message(s) from "_s + rabbitSource(dlq).toString()),
             qPrintable(question));
    QVERIFY2(question.contains(u"queue "_s + work + u": 1,000"_s), qPrintable(question));
    QVERIFY2(question.contains(u"40 stay in the DLQ"_s), qPrintable(question));
    QVERIFY2(question.contains(u"250 msg/s"_s), qPrintable(question));

    RedriveProgressPanel *panel = dialog.progressPanel();
    RedriveSession *session = dialog.session();
    QTRY_VERIFY_WITH_TIMEOUT(session->lastProgress().moved >= 200, 20000);
    QVERIFY(session->lastProgress().moved < Dead);
    QCOMPARE(panel->progressBar()->maximum(), Dead + Orphans);
    QVERIFY(panel->progressBar()->value() > 0);
    QVERIFY(panel->movedLabel()->text() != u"—"_s);
    keepScreenshot(dialog, u"redrive-progress.png"_s);

    // Pause holds the run still (once what was in flight settled); Resume goes on.
    QSignalSpy progressed(session, &RedriveSession::progressChanged);
    QTest::mouseClick(panel->pauseButton(), Qt::LeftButton);
    QCOMPARE(panel->pauseButton()->text(), u"Resume"_s);
    QTRY_VERIFY_WITH_TIMEOUT(session->lastProgress().paused, 5000);
    const auto waitSignals = [&progressed](int n) {
        const qsizetype until = progressed.size() + n;
        QDeadlineTimer deadline(10000);
        while (progressed.size() < until && !deadline.hasExpired())
            progressed.wait(1000);
        return progressed.size() >= until;
    };
    QVERIFY(waitSignals(3));
    const qint64 pausedAt = session->lastProgress().moved;
    QVERIFY(waitSignals(5)); // half a second or more
    QCOMPARE(session->lastProgress().moved, pausedAt);
    QCOMPARE(panel->stateLabel()->text(), u"State: paused"_s);
    QTest::mouseClick(panel->pauseButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(session->lastProgress().moved > pausedAt, 10000);
    // A live rate change: the rest as fast as the broker confirms, well within the time the
    // old pace needed for them.
    const qint64 remaining = Dead - session->lastProgress().moved;
    QElapsedTimer sinceChange;
    sinceChange.start();
    panel->rateBox()->setValue(0);

    const RedriveReport report = waitForReport(dialog);
    const qint64 pacedMs = remaining * 1000 / 250;
    QVERIFY2(sinceChange.elapsed() < pacedMs * 3 / 4,
             qPrintable(u"%1 ms for %2 messages"_s.arg(sinceChange.elapsed()).arg(remaining)));
    QVERIFY2(report.outcome == RedriveReport::Outcome::Completed, qPrintable(report.summary()));
    qInfo("longest the GUI thread went without its event loop during preview, redrive, pause: "
          "%lld ms",
          watch.longestGapMs());
    QVERIFY2(watch.longestGapMs() < 1000, qPrintable(QString::number(watch.longestGapMs())));
    QCOMPARE(report.moved, Dead);
    QCOMPARE(report.skipped, Orphans);
    QCOMPARE(panel->outcomeLabel()->text(), u"Redrive completed"_s);
    QCOMPARE(panel->summaryLabel()->text(), report.summary());
    QVERIFY(panel->summaryLabel()->text().startsWith(u"moved 1000, skipped 40"_s));
    QCOMPARE(panel->movedLabel()->text(), u"1,000"_s);
    QCOMPARE(panel->skippedLabel()->text(), u"40"_s);
    QVERIFY(!panel->pauseButton()->isVisible());
    QVERIFY(panel->saveButton()->isVisible());

    // The report table: every selected message with its fate.
    RedriveReportModel *items = panel->itemsModel();
    QCOMPARE(items->rowCount(), Dead + Orphans);
    QSet<QString> movedIds;
    int skipped = 0;
    for (int row = 0; row < items->rowCount(); ++row) {
        const QString outcome = items->index(row, RedriveReportModel::Outcome).data().toString();
        if (outcome == u"moved"_s) {
            movedIds.insert(items->index(row, RedriveReportModel::Id).data().toString());
            QCOMPARE(items->index(row, RedriveReportModel::Target).data().toString(),
                     u"queue "_s + work);
        } else {
            QCOMPARE(outcome, u"skipped"_s);
            QVERIFY(items->index(row, RedriveReportModel::Id)
                        .data()
                        .toString()
                        .startsWith(u"orphan-"_s));
            QCOMPARE(items->index(row, RedriveReportModel::Reason).data().toString(), NoXDeath);
            ++skipped;
        }
    }
    QCOMPARE(movedIds.size(), Dead);
    QCOMPARE(skipped, Orphans);
    // What did not move comes first; the box narrows the table to it.
    QAbstractItemModel *table = panel->itemsView()->model();
    QCOMPARE(table->index(0, RedriveReportModel::Outcome).data().toString(), u"skipped"_s);
    QCOMPARE(table->index(Orphans, RedriveReportModel::Outcome).data().toString(), u"moved"_s);
    keepScreenshot(dialog, u"redrive-report.png"_s);
    panel->onlyLeftBehindBox()->setChecked(true);
    QCOMPARE(table->rowCount(), Orphans);
    panel->onlyLeftBehindBox()->setChecked(false);
    QCOMPARE(table->rowCount(), Dead + Orphans);

    // Save report: the JSON reads back with every item.
    const QString path = m_dir.filePath(u"report.json"_s);
    QString error;
    QVERIFY2(panel->saveReport(path, &error), qPrintable(error));
    QFile saved(path);
    QVERIFY(saved.open(QIODevice::ReadOnly));
    QJsonParseError parseError;
    const QJsonObject json = QJsonDocument::fromJson(saved.readAll(), &parseError).object();
    QCOMPARE(parseError.error, QJsonParseError::NoError);
    QCOMPARE(json.value(u"outcome"_s).toString(), u"completed"_s);
    QCOMPARE(json.value(u"source"_s).toString(), rabbitSource(dlq).toString());
    QCOMPARE(json.value(u"destination"_s).toString(), u"original"_s);
    QCOMPARE(json.value(u"dry_run"_s).toBool(), false);
    QCOMPARE(json.value(u"moved"_s).toInteger(), Dead);
    QCOMPARE(json.value(u"skipped"_s).toInteger(), Orphans);
    QCOMPARE(json.value(u"moved_by_target"_s).toObject().value(u"queue "_s + work).toInteger(),
             Dead);
    QCOMPARE(json.value(u"items"_s).toArray().size(), Dead + Orphans);
    QCOMPARE(json.value(u"items_left_out"_s).toInteger(), 0);

    // The brokers: every dead letter is back in its work queue, the orphans stayed.
    QCOMPARE(ready(dlq), Orphans);
    const Received back = drain(work);
    QCOMPARE(back.ids.size(), Dead);
    QCOMPARE(QSet<QString>(back.ids.begin(), back.ids.end()), movedIds);
    for (const AmqpMessage &m : back.messages) {
        const QVariantMap &headers = m.properties.headers;
        QCOMPARE(headers.value(RedriveCountHeader).toLongLong(), 1);
        QVERIFY(headers.contains(PreviousDeathHeader));
        QVERIFY(!headers.contains(u"x-death"_s));
        QCOMPARE(m.body, payloadOf(int(headers.value(u"seq"_s).toLongLong())));
    }

    // The audit log has the preview and the run, each started and finished.
    const QList<QJsonObject> lines = auditLines().mid(auditBefore);
    QStringList events;
    for (const QJsonObject &l : lines)
        events << l.value(u"event"_s).toString()
                + (l.value(u"dry_run"_s).toBool() ? u"(dry)"_s : QString());
    QCOMPARE(events,
             QStringList({u"redrive.start(dry)"_s, u"redrive.finish(dry)"_s, u"redrive.start"_s,
                          u"redrive.finish"_s}));
    QCOMPARE(lines.last().value(u"moved"_s).toInteger(), Dead);
    QCOMPARE(lines.last().value(u"profile"_s).toString(), m_rabbit.name);
}

void TestRedriveViews::cancelLeavesEveryMessageSomewhere()
{
    const QString work = u"rv.cancel"_s;
    const QString dlq = u"rv.cancel.dlq"_s;
    constexpr int Dead = 600;
    makeDeadLetters(work, dlq, Dead);

    RedriveDialog dialog(m_rabbit, rabbitSource(dlq), {{}, {}, Dead});
    dialog.show();
    dialog.rateBox()->setValue(100);
    startRedrive(dialog, false); // Redrive previews by itself first
    QVERIFY(dialog.lastPreview());
    QCOMPARE(dialog.lastPreview()->moved, Dead);
    RedriveSession *session = dialog.session();
    QTRY_VERIFY_WITH_TIMEOUT(session->lastProgress().moved >= 30, 20000);
    QTest::mouseClick(dialog.progressPanel()->cancelButton(), Qt::LeftButton);
    QVERIFY(!dialog.progressPanel()->cancelButton()->isEnabled());
    const RedriveReport report = waitForReport(dialog);
    QVERIFY2(report.outcome == RedriveReport::Outcome::Cancelled, qPrintable(report.summary()));
    QVERIFY(report.moved >= 30 && report.moved < Dead);
    QCOMPARE(dialog.progressPanel()->outcomeLabel()->text(), u"Redrive cancelled"_s);
    QVERIFY(dialog.progressPanel()->progressBar()->value()
            < dialog.progressPanel()->progressBar()->maximum());
    keepScreenshot(dialog, u"redrive-cancelled.png"_s);
    // Nothing lost, nothing twice: each message is in exactly one of the two queues.
    QCOMPARE(ready(work), report.moved);
    QCOMPARE(ready(dlq), Dead - report.moved);

    // "Set up another" forgets the preview: the DLQ changed.
    QTest::mouseClick(dialog.progressPanel()->againButton(), Qt::LeftButton);
    QVERIFY(!dialog.isShowingProgress());
    QVERIFY(!dialog.lastPreview());

    // A session destroyed mid-run cancels and waits: still nothing lost.
    const qint64 movedBefore = ready(work);
    {
        RedriveSession running;
        RedriveRequest request = *dialog.request();
        request.ratePerSecond = 100;
        QVERIFY(running.start(m_rabbit, request));
        QVERIFY(!running.start(m_rabbit, request)); // one run at a time
        QTRY_VERIFY_WITH_TIMEOUT(running.lastProgress().moved >= 10, 20000);
        QVERIFY(running.isRunning());
    }
    const qint64 movedNow = ready(work);
    QVERIFY(movedNow > movedBefore);
    QCOMPARE(movedNow + ready(dlq), Dead);
}

void TestRedriveViews::readOnlyProfileDisablesRedrive()
{
    const QString work = u"rv.readonly"_s;
    const QString dlq = u"rv.readonly.dlq"_s;
    makeDeadLetters(work, dlq, 5);
    ClusterProfile readOnly = m_rabbit;
    readOnly.readOnly = true;

    RedriveDialog dialog(readOnly, rabbitSource(dlq), {{idOf(1), idOf(2)}, {}, 5});
    bool asked = false;
    dialog.setConfirmer([&asked](const QString &) { return asked = true; });
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QVERIFY(!dialog.redriveButton()->isEnabled());
    QVERIFY(dialog.readOnlyLabel()->isVisible());
    QVERIFY2(dialog.readOnlyLabel()->text().contains(u"read-only"_s),
             qPrintable(dialog.readOnlyLabel()->text()));
    QVERIFY(dialog.redriveButton()->toolTip().contains(u"read-only"_s));

    // Preview still works; Redrive does nothing, even when called directly.
    QVERIFY(dialog.previewButton()->isEnabled());
    dialog.setSelection(RedriveDialog::Selection::Selected);
    QSignalSpy previewed(&dialog, &RedriveDialog::previewShown);
    QTest::mouseClick(dialog.previewButton(), Qt::LeftButton);
    QVERIFY(previewed.wait(30000));
    QCOMPARE(dialog.countsModel()->countOf(Kind::Moved, u"queue "_s + work), 2);
    QCOMPARE(dialog.countsModel()->countOf(Kind::NotSelected,
                                           u"not chosen by the selection or the filter"_s),
             3);
    // The x-death choice reaches the request.
    QCOMPARE(dialog.request()->deathHistory, DeathHistory::KeepAsPrevious);
    dialog.deathHistoryBox()->setCurrentIndex(2);
    QCOMPARE(dialog.request()->deathHistory, DeathHistory::Strip);
    dialog.redrive();
    QVERIFY(!asked);
    QVERIFY(!dialog.isShowingProgress());
    QVERIFY(!dialog.redriveButton()->isEnabled());

    // The engine refuses by itself, whatever a GUI does.
    RedriveSession session;
    QSignalSpy finished(&session, &RedriveSession::finished);
    QVERIFY(session.start(readOnly, *dialog.request()));
    QVERIFY(finished.wait(10000));
    const auto report = finished.first().first().value<RedriveReport>();
    QVERIFY(report.outcome == RedriveReport::Outcome::Refused);
    QVERIFY2(report.error.contains(u"read-only"_s), qPrintable(report.error));
    QVERIFY(!session.isRunning());
    QCOMPARE(ready(dlq), 5);
    QCOMPARE(ready(work), 0);
}

void TestRedriveViews::repairRefusesInvalidJsonAndSendsTheRepair()
{
    const QString work = u"rv.repair"_s;
    const QString dlq = u"rv.repair.dlq"_s;
    makeDeadLetters(work, dlq, 3);
    RabbitBrowseOptions options;
    options.limit = 3;
    auto browsed = RabbitQueueBrowser(m_rabbit, 10s).browse(Vhost, dlq, options);
    QVERIFY2(browsed.ok(), qPrintable(browsed.error().describe()));
    QCOMPARE(browsed->messages.size(), 3);
    const BrowsedMessage message = browsed->messages.at(1);
    QCOMPARE(message.id, idOf(1));

    RepairDialog repair(message, ClusterKind::RabbitMq);
    repair.show();
    QVERIFY(QTest::qWaitForWindowExposed(&repair));
    // Pretty JSON to edit; nothing edited yet, so nothing to accept.
    QVERIFY(repair.payloadEdit()->toPlainText().contains(u"\n  \"order\": 1,"_s));
    QVERIFY(!repair.okButton()->isEnabled());

    repair.payloadEdit()->setPlainText(u"{\"order\": 1, \"total\": }"_s);
    QVERIFY(!repair.okButton()->isEnabled());
    QVERIFY2(repair.problemLabel()->text().contains(u"must stay JSON"_s),
             qPrintable(repair.problemLabel()->text()));
    QVERIFY2(repair.problemLabel()->text().contains(u"line 1, column"_s),
             qPrintable(repair.problemLabel()->text()));
    keepScreenshot(repair, u"repair-invalid-json.png"_s);
    repair.okButton()->click(); // refused
    QVERIFY(repair.isVisible());
    QCOMPARE(repair.result(), int(QDialog::Rejected));

    const QByteArray fixed = R"({"order": 1, "total": 12.5})";
    repair.payloadEdit()->setPlainText(QString::fromUtf8(fixed));
    QVERIFY(repair.okButton()->isEnabled());
    QVERIFY(repair.problem().isEmpty());

    // Headers: a broken table is refused too; an added header keeps the others' types.
    const QString headers = repair.amqpHeadersEdit()->toPlainText();
    QVERIFY(headers.contains(u"\"x-death\""_s));
    repair.amqpHeadersEdit()->setPlainText(u"[1, 2]"_s);
    QVERIFY(!repair.okButton()->isEnabled());
    QVERIFY(repair.problemLabel()->text().contains(u"one JSON object"_s));
    QString edited = headers;
    edited.replace(u"\"tenant\": \"acme\""_s,
                   u"\"tenant\": \"acme\",\n    \"repaired-by\": \"ops\""_s);
    QVERIFY(edited != headers);
    repair.amqpHeadersEdit()->setPlainText(edited);
    QVERIFY2(repair.okButton()->isEnabled(), qPrintable(repair.problem()));
    const MessageRepair fix = repair.repair();
    QCOMPARE(fix.payload.value_or(QByteArray()), fixed);
    QVERIFY(fix.amqpHeaders);
    QCOMPARE(fix.amqpHeaders->value(u"repaired-by"_s).toString(), u"ops"_s);
    QCOMPARE(fix.amqpHeaders->value(u"seq"_s).typeId(),
             message.amqpHeaders.value(u"seq"_s).typeId());
    QCOMPARE(fix.amqpHeaders->value(u"x-death"_s), message.amqpHeaders.value(u"x-death"_s));
    repair.okButton()->click();
    QCOMPARE(repair.result(), int(QDialog::Accepted));

    // Redriven through the same dialog and engine: that message alone, as repaired.
    RedriveDialog dialog(m_rabbit, rabbitSource(dlq), {{message.id}, {}, 3});
    dialog.setRepair(message.id, fix);
    dialog.show();
    const auto request = dialog.request();
    QVERIFY(request);
    QCOMPARE(request->ids, QSet<QString>({message.id}));
    QCOMPARE(request->repairs.value(message.id), fix);
    QStringList asked;
    startRedrive(dialog, true, &asked);
    QCOMPARE(dialog.lastPreview()->moved, 1);
    QCOMPARE(dialog.lastPreview()->notSelected, 2);
    QVERIFY2(asked.value(0).contains(u"sent as repaired"_s), qPrintable(asked.value(0)));
    const RedriveReport report = waitForReport(dialog);
    QVERIFY2(report.outcome == RedriveReport::Outcome::Completed, qPrintable(report.summary()));
    QCOMPARE(report.moved, 1);

    QCOMPARE(ready(dlq), 2);
    const Received back = drain(work);
    QCOMPARE(back.ids, QStringList({message.id}));
    const AmqpMessage &arrived = back.messages.first();
    QCOMPARE(arrived.body, fixed);
    QCOMPARE(arrived.properties.headers.value(u"repaired-by"_s).toString(), u"ops"_s);
    QCOMPARE(arrived.properties.headers.value(u"seq"_s).toLongLong(), 1);
    QCOMPARE(arrived.properties.headers.value(RedriveCountHeader).toLongLong(), 1);
}

void TestRedriveViews::entryPointsInTheMessagesView()
{
    const QString work = u"rv.entry"_s;
    const QString dlq = u"rv.entry.dlq"_s;
    const QString chosen = u"rv.entry.chosen"_s;
    makeDeadLetters(work, dlq, 5);
    {
        auto amqp = connect();
        QVERIFY(amqp);
        QVERIFY(amqp->declareQueue(chosen, true).ok());
    }

    DlqMessagesView view;
    view.resize(1400, 800);
    QVERIFY(!view.redriveButton()->isEnabled()); // no DLQ yet
    DlqInfo info;
    info.source = rabbitSource(dlq);
    info.queueType = u"classic"_s;
    info.depth = 5;
    view.open(m_rabbit, info);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(view.redriveButton()->isEnabled());
    QTest::mouseClick(view.browseButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(view.model()->rowCount(), 5, 15000);
    QCOMPARE(view.table()->contextMenuPolicy(), Qt::ActionsContextMenu);
    QVERIFY(view.table()->actions().contains(view.redriveSelectedAction()));
    QVERIFY(view.table()->actions().contains(view.repairAction()));

    // Three rows selected: "Redrive selected…" offers exactly those; repair needs one.
    QItemSelectionModel *selection = view.table()->selectionModel();
    selection->clearSelection();
    for (int row : {1, 2, 3})
        selection->select(view.model()->index(row, 0),
                          QItemSelectionModel::Select | QItemSelectionModel::Rows);
    QVERIFY(view.redriveSelectedAction()->isEnabled());
    QVERIFY(!view.repairAction()->isEnabled());
    view.redriveSelectedAction()->trigger();
    QPointer<RedriveDialog> dialog = view.redriveDialog();
    QVERIFY(dialog);
    QVERIFY(dialog->isVisible());
    QVERIFY(dialog->testAttribute(Qt::WA_DeleteOnClose));
    QCOMPARE(dialog->request()->ids, QSet<QString>({idOf(1), idOf(2), idOf(3)}));

    // To a chosen queue.
    QTest::mouseClick(dialog->chosenButton(), Qt::LeftButton);
    QVERIFY(!dialog->redriveButton()->isEnabled()); // no queue named yet
    QTest::keyClicks(dialog->destinationNameEdit(), chosen);
    QVERIFY(dialog->redriveButton()->isEnabled());
    QCOMPARE(dialog->request()->destination.toString(), u"queue:"_s + chosen);
    QStringList asked;
    startRedrive(*dialog, true, &asked);
    QVERIFY2(asked.value(0).contains(u"to queue "_s + chosen), qPrintable(asked.value(0)));
    const RedriveReport report = waitForReport(*dialog);
    QCOMPARE(report.moved, 3);
    QVERIFY2(view.statusLabel()->text().startsWith(u"Redrive completed: moved 3"_s),
             qPrintable(view.statusLabel()->text()));
    QCOMPARE(ready(chosen), 3);
    QCOMPARE(ready(dlq), 2);
    dialog->close();
    QTRY_VERIFY(!dialog); // deleted on close

    // The toolbar button: the whole DLQ by default.
    QTest::mouseClick(view.redriveButton(), Qt::LeftButton);
    dialog = view.redriveDialog();
    QVERIFY(dialog);
    QVERIFY(!dialog->request()->ids);
    QVERIFY(dialog->request()->filter.isEmpty());
    dialog->close();

    // One row: "Repair and redrive…" opens the repair dialog, then the redrive dialog
    // for that message alone.
    QTest::mouseClick(view.browseButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(view.model()->rowCount(), 2, 15000);
    selection->clearSelection();
    selection->select(view.model()->index(0, 0),
                      QItemSelectionModel::Select | QItemSelectionModel::Rows);
    QVERIFY(view.repairAction()->isEnabled());
    view.repairAction()->trigger();
    QPointer<RepairDialog> repair = view.repairDialog();
    QVERIFY(repair);
    QVERIFY(repair->isVisible());
    const QString id = repair->message().id;
    repair->payloadEdit()->setPlainText(u"{\"order\": 0}"_s);
    repair->okButton()->click();
    dialog = view.redriveDialog();
    QVERIFY(dialog);
    QCOMPARE(dialog->request()->ids, QSet<QString>({id}));
    QCOMPARE(dialog->request()->repairs.value(id).payload.value_or(QByteArray()),
             QByteArray(R"({"order": 0})"));
    dialog->close();

    // A filtered table: the toolbar button offers the filter, described.
    view.filterBar()->textEdit()->setText(u"order\":4"_s);
    QTRY_COMPARE(view.model()->rowCount(), 1);
    QTest::mouseClick(view.redriveButton(), Qt::LeftButton);
    dialog = view.redriveDialog();
    QVERIFY(dialog);
    QCOMPARE(dialog->request()->filter, view.model()->filter());
    QVERIFY(!dialog->request()->ids);
    const auto *filtered = dialog->findChild<QRadioButton *>(u"redriveFiltered"_s);
    QVERIFY(filtered && filtered->isChecked());
    QVERIFY2(filtered->text().contains(view.model()->filter().describe()),
             qPrintable(filtered->text()));
    dialog->close();
}

void TestRedriveViews::kafkaPreviewRedriveAndRepair()
{
    // 20 records Spring dead-lettered from "orders", 10 without dead-letter headers.
    QList<test::TestRecord> records;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (int i = 0; i < 30; ++i) {
        test::TestRecord r;
        r.partition = i % 3;
        r.key = "order-" + QByteArray::number(i);
        r.value = payloadOf(i);
        if (i < 20) {
            demo::FailedRecord failed;
            failed.topic = u"orders"_s;
            failed.partition = i % 3;
            failed.offset = 100 + i;
            failed.timestamp = now - 60000;
            failed.consumerGroup = u"order-service"_s;
            r.headers = demo::blockingRecovererDltHeaders(
                failed, {u"java.lang.IllegalStateException"_s, u"bad total"_s, {}, {}, {}});
        } else {
            r.headers = {{"origin", "manual"}};
        }
        records.append(r);
    }
    const auto produced = test::produceRecords(m_kafka, u"orders-dlt"_s, records);
    QVERIFY2(produced.ok(), qPrintable(produced.error().describe()));
    const DlqSource source {ClusterKind::Kafka, m_kafka.name, {}, u"orders-dlt"_s};

    RedriveDialog dialog(m_kafka, source, {{}, {}, 30});
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QVERIFY(dialog.fromStartBox());
    QVERIFY(!dialog.deathHistoryBox());
    QVERIFY(!dialog.destinationKindBox()->isVisible());

    // Original topics: 20 go back to "orders", 10 have no dead-letter headers.
    QSignalSpy previewed(&dialog, &RedriveDialog::previewShown);
    QTest::mouseClick(dialog.previewButton(), Qt::LeftButton);
    QVERIFY(previewed.wait(30000));
    QCOMPARE(dialog.countsModel()->countOf(Kind::Moved, u"topic orders"_s), 20);
    QCOMPARE(dialog.countsModel()->countOf(Kind::Skipped,
                                           u"no dead-letter header names the original topic"_s),
             10);
    // A chosen topic takes them all; the preview no longer counts.
    QTest::mouseClick(dialog.chosenButton(), Qt::LeftButton);
    QTest::keyClicks(dialog.destinationNameEdit(), u"orders-replay"_s);
    QVERIFY(dialog.previewLabel()->text().contains(u"changed"_s));
    QStringList asked;
    startRedrive(dialog, false, &asked);
    QVERIFY2(asked.value(0).contains(u"Redrive 30 message(s)"_s), qPrintable(asked.value(0)));
    QVERIFY2(asked.value(0).contains(u"topic orders-replay: 30"_s), qPrintable(asked.value(0)));
    const RedriveReport report = waitForReport(dialog);
    QVERIFY2(report.outcome == RedriveReport::Outcome::Completed, qPrintable(report.summary()));
    QCOMPARE(report.moved, 30);
    QVERIFY2(dialog.progressPanel()->detailsLabel()->text().contains(report.progressGroup),
             qPrintable(dialog.progressPanel()->detailsLabel()->text()));

    auto browser = KafkaTopicBrowser::open(m_kafka, u"orders-replay"_s, 10s);
    QVERIFY(browser.ok());
    const auto readAll = [&browser] {
        BrowsedMessageList all;
        auto extents = browser.value()->extents();
        if (!extents)
            return all;
        for (const KafkaPartitionExtent &e : extents.value())
            if (e.count() > 0)
                if (auto page = browser.value()->read(e.partition, e.start, 1000, -1))
                    all.append(page.value());
        return all;
    };
    QCOMPARE(readAll().size(), 30);

    // Again without "include offsets already redriven": nothing left to redrive.
    QTest::mouseClick(dialog.progressPanel()->againButton(), Qt::LeftButton);
    QTest::mouseClick(dialog.previewButton(), Qt::LeftButton);
    QVERIFY(previewed.wait(30000));
    QCOMPARE(dialog.lastPreview()->moved, 0);

    // Repair one record's payload and headers (Kafka: name/value rows), then redrive it
    // alone, offsets already redriven included.
    auto dlt = KafkaTopicBrowser::open(m_kafka, u"orders-dlt"_s, 10s);
    QVERIFY(dlt.ok());
    auto read = dlt.value()->read(1, 0, 1, -1);
    QVERIFY(read.ok() && read->size() == 1);
    const BrowsedMessage message = read->first();
    RepairDialog repair(message, ClusterKind::Kafka);
    repair.show();
    QTableWidget *table = repair.kafkaHeadersTable();
    QVERIFY(table);
    QCOMPARE(table->rowCount(), message.kafkaHeaders.size());
    repair.payloadEdit()->setPlainText(u"{\"order\": 1, \"total\": oops"_s);
    QVERIFY(!repair.okButton()->isEnabled());
    repair.payloadEdit()->setPlainText(u"{\"order\": 1, \"total\": 12.5}"_s);
    QVERIFY(repair.okButton()->isEnabled());
    QTest::mouseClick(repair.findChild<QPushButton *>(u"repairAddHeader"_s), Qt::LeftButton);
    QCOMPARE(table->rowCount(), message.kafkaHeaders.size() + 1);
    QVERIFY(!repair.okButton()->isEnabled()); // a header without a name
    QVERIFY(repair.problemLabel()->text().contains(u"no name"_s));
    const int added = table->rowCount() - 1;
    table->item(added, 0)->setText(u"repaired-by"_s);
    table->item(added, 1)->setText(u"ops"_s);
    QVERIFY2(repair.okButton()->isEnabled(), qPrintable(repair.problem()));
    keepScreenshot(repair, u"repair-kafka.png"_s);
    const MessageRepair fix = repair.repair();
    QVERIFY(fix.kafkaHeaders);
    QCOMPARE(fix.kafkaHeaders->mid(0, message.kafkaHeaders.size()), message.kafkaHeaders);
    QCOMPARE(fix.kafkaHeaders->last(), KafkaHeader({"repaired-by", "ops"}));

    QTest::mouseClick(dialog.progressPanel()->againButton(), Qt::LeftButton);
    dialog.setRepair(message.id, fix);
    dialog.fromStartBox()->setChecked(true);
    startRedrive(dialog, true);
    QCOMPARE(dialog.lastPreview()->moved, 1);
    const RedriveReport repaired = waitForReport(dialog);
    QVERIFY2(repaired.outcome == RedriveReport::Outcome::Completed, qPrintable(repaired.summary()));
    QCOMPARE(repaired.moved, 1);
    const BrowsedMessageList replay = readAll();
    QCOMPARE(replay.size(), 31);
    const auto last = std::find_if(replay.begin(), replay.end(), [](const BrowsedMessage &m) {
        return m.payload == R"({"order": 1, "total": 12.5})";
    });
    QVERIFY(last != replay.end());
    QCOMPARE(last->key, message.key);
    bool hasRepairHeader = false;
    for (const KafkaHeader &h : last->kafkaHeaders)
        hasRepairHeader = hasRepairHeader || (h.name == "repaired-by" && h.value == "ops");
    QVERIFY(hasRepairHeader);
}

QTEST_MAIN(TestRedriveViews)
#include "tst_redriveviews.moc"
