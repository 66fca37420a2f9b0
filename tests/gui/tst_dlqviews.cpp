// The Dead letters tab on real brokers: the DLQ list from a real scan, a 3,000-record DLT
// paged lazily (only what is on screen is read), the triage panel grouping it and a
// click on a group filtering the table, the detail pane following the selection, and a
// RabbitMQ browse that puts every message back. Screenshots go to VELTRIX_SCREENSHOT_DIR.
#include "deadletter/dlqscanner.h"
#include "deadletterpage.h"
#include "demo/springheaders.h"
#include "dlqmessagesview.h"
#include "items/deadlettertablemodel.h"
#include "items/dlqlistmodel.h"
#include "items/triagemodel.h"
#include "messagedetailview.h"
#include "messagefilterbar.h"
#include "testkafka.h"
#include "testprofiles.h"
#include "testrabbitnode.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <QToolButton>
#include <QTreeView>

using namespace veltrix;
using namespace Qt::StringLiterals;

namespace {

constexpr int PerPartition = 1000;
const QString Dlt = u"orders-dlt"_s;
const QString Parking = u"dlqviews.parking"_s;
const QString Work = u"dlqviews.work"_s;
const QString Dlx = u"dlqviews.dlx"_s;

void keepScreenshot(QWidget &widget, const QString &name)
{
    const QImage image = widget.grab().toImage();
    QVERIFY(!image.isNull());
    const QString dir = qEnvironmentVariable("VELTRIX_SCREENSHOT_DIR");
    if (!dir.isEmpty())
        QVERIFY(image.save(QDir(dir).filePath(name), "PNG"));
}

// Every third record failed with a timeout, the others with a declined payment.
QList<test::TestRecord> deadLetters(int partition)
{
    QList<test::TestRecord> records;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (int i = 0; i < PerPartition; ++i) {
        demo::FailedRecord failed;
        failed.topic = u"orders"_s;
        failed.partition = partition;
        failed.offset = 5000 + i;
        failed.timestamp = now - 60000;
        failed.consumerGroup = u"order-service"_s;
        const bool timeout = i % 3 == 0;
        demo::JavaThrowable root {timeout ? u"java.util.concurrent.TimeoutException"_s
                                          : u"com.shop.PaymentDeclinedException"_s,
                                  timeout ? u"order %1 timed out after 30000 ms"_s.arg(i)
                                          : u"card ending %1 declined"_s.arg(1000 + i),
                                  {u"com.shop.OrderService.handle(OrderService.java:42)"_s}};
        test::TestRecord r;
        r.partition = partition;
        r.key = "order-" + QByteArray::number(i);
        r.value = R"({"order":)" + QByteArray::number(i) + R"(,"total":12.5})";
        r.timestamp = now - (PerPartition - i) * 100;
        r.headers = demo::retryableTopicDltHeaders(
            failed,
            demo::springListenerFailure(u"void com.shop.OrderListener.on(String)"_s, root, true,
                                        now),
            now);
        records.append(r);
    }
    return records;
}

} // namespace

class TestDlqViews : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void kafkaDltPagesLazilyAndTriageFilters();
    void kafkaJumpsToATimeAndTails();
    void bigPayloadIsCutAndLoadsWhole();
    void rabbitQueueIsBrowsedAndPutBack();

private:
    std::unique_ptr<MockKafkaCluster> m_mock;
    ClusterProfile m_kafka;
    ClusterProfile m_rabbit;
};

void TestDlqViews::initTestCase()
{
    auto mock = test::startMockKafka({u"orders"_s}, 3);
    QVERIFY2(mock.ok(), qPrintable(mock.error().describe()));
    m_mock = std::move(mock).value();
    QVERIFY(m_mock->createTopic(Dlt, 3, 1).ok());
    m_kafka = test::kafkaProfile(u"shop-kafka"_s, m_mock->bootstrapServers());
    for (int p = 0; p < 3; ++p) {
        const auto produced = test::produceRecords(m_kafka, Dlt, deadLetters(p));
        QVERIFY2(produced.ok(), qPrintable(produced.error().describe()));
    }

    QString whyNot;
    const auto node = testRabbitNodeFromEnvironment(&whyNot);
    if (!node)
        QFAIL(qPrintable(whyNot));
    m_rabbit = test::rabbitProfile(u"shop-rabbit"_s, *node);
    auto amqp = test::openAmqp(m_rabbit.amqpUri);
    QVERIFY(amqp);
    for (const QString &queue : {Work, Parking})
        QVERIFY(amqp->deleteQueue(queue).ok());
    QVERIFY(amqp->declareExchange(Dlx, u"fanout"_s, true).ok());
    QVERIFY(amqp->declareQueue(Work, true, {{u"x-dead-letter-exchange"_s, Dlx}}).ok());
    QVERIFY(amqp->declareQueue(Parking, true).ok());
    QVERIFY(amqp->bindQueue(Parking, Dlx, QString()).ok());
    for (int i = 0; i < 12; ++i) {
        AmqpMessageProperties properties;
        properties.messageId = u"pay-%1"_s.arg(i);
        properties.contentType = u"application/json"_s;
        QVERIFY(amqp->publish(QString(), Work, R"({"payment":)" + QByteArray::number(i) + "}",
                              properties)
                    .ok());
    }
    for (int i = 0; i < 12; ++i) {
        auto got = amqp->get(Work);
        QVERIFY(got.ok() && got.value());
        QVERIFY(amqp->reject(got.value()->deliveryTag, false).ok());
    }
}

void TestDlqViews::cleanupTestCase()
{
    if (auto amqp = test::openAmqp(m_rabbit.amqpUri))
        for (const QString &queue : {Work, Parking})
            amqp->deleteQueue(queue);
}

void TestDlqViews::kafkaDltPagesLazilyAndTriageFilters()
{
    DeadLetterPage page;
    page.resize(1500, 900);
    page.setProfiles({m_kafka});
    QAbstractItemModelTester listTester(page.listModel(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
    page.takeListing(DlqScanner(m_kafka, std::chrono::seconds(5)).scan());
    const int row = page.listModel()->rowOf(u"kafka:shop-kafka/orders-dlt"_s);
    QVERIFY(row >= 0);
    QCOMPARE(page.listModel()->infoAt(row)->depth, 3 * PerPartition);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));

    DlqMessagesView *view = page.messages();
    DeadLetterTableModel *model = view->model();
    QSignalSpy pagesAsked(model, &DeadLetterTableModel::pageNeeded);
    QVERIFY(page.openSource(u"kafka:shop-kafka/orders-dlt"_s));
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 3 * PerPartition, 10000);
    QVERIFY(model->isPaged());
    // The visible rows' page arrives; only pages near the screen were asked for.
    QTRY_VERIFY_WITH_TIMEOUT(model->messageAt(0), 10000);
    QVERIFY2(pagesAsked.size() <= 2, qPrintable(QString::number(pagesAsked.size())));
    QCOMPARE(model->messageAt(0)->deadLetter.originalDestination, u"orders"_s);

    // The triage scan of the newest messages fills the panel: two exception classes.
    TriageModel *triage = view->triageModel();
    QTRY_COMPARE_WITH_TIMEOUT(triage->total(), 3 * PerPartition, 15000);
    const QModelIndex classes = triage->index(1, 0);
    QCOMPARE(triage->rowCount(classes), 2);
    const QModelIndex declined = triage->index(0, 0, classes);
    QCOMPARE(declined.data().toString(), u"com.shop.PaymentDeclinedException"_s);
    QCOMPARE(triage->index(0, TriageModel::Count, classes).data().toLongLong(), 1998);
    // Messages differing only in numbers group together.
    QCOMPARE(triage->rowCount(triage->index(2, 0)), 2);

    // Scrolling to the end reads the last page, not the ones in between.
    view->table()->scrollToBottom();
    QTRY_VERIFY_WITH_TIMEOUT(model->messageAt(3 * PerPartition - 1), 10000);
    QCOMPARE(model->messageAt(3 * PerPartition - 1)->id, u"2:%1"_s.arg(PerPartition - 1));
    QVERIFY2(model->cachedPages() < 6, qPrintable(QString::number(model->cachedPages())));

    // Selecting a row shows it in the detail pane.
    view->table()->setCurrentIndex(model->index(3 * PerPartition - 1, 0));
    QTRY_VERIFY(view->detail()->hasMessage());
    QCOMPARE(view->detail()->message().id, u"2:%1"_s.arg(PerPartition - 1));

    // A click on a triage group narrows the table to it, from the scan.
    view->triageView()->expandAll();
    const QRect rect = view->triageView()->visualRect(triage->index(1, 0, classes));
    QTest::mouseClick(view->triageView()->viewport(), Qt::LeftButton, {}, rect.center());
    QTRY_COMPARE(model->rowCount(), 1002); // i % 3 == 0: 334 per partition
    QVERIFY(!model->isPaged());
    for (int r = 0; r < model->rowCount(); r += 97)
        QCOMPARE(model->messageAt(r)->deadLetter.exceptionClass,
                 u"java.util.concurrent.TimeoutException"_s);
    QVERIFY2(view->statusLabel()->text().contains(QLocale().toString(1002) + u" shown of "_s
                                                  + QLocale().toString(3000)),
             qPrintable(view->statusLabel()->text()));
    keepScreenshot(page, u"dlq-kafka-triage.png"_s);

    // Text on top of the group: one order.
    view->filterBar()->textEdit()->setText(u"\"order\":300,"_s);
    QTRY_COMPARE(model->rowCount(), 3); // order 300 in each partition
    // Clearing the group chip and the text brings the whole topic back, paged.
    view->filterBar()->textEdit()->clear();
    view->filterBar()->findChild<QToolButton *>(u"dlqTriageChip"_s)->click();
    QTRY_VERIFY(model->isPaged());
    QCOMPARE(model->rowCount(), 3 * PerPartition);
}

void TestDlqViews::kafkaJumpsToATimeAndTails()
{
    DeadLetterPage page;
    page.setProfiles({m_kafka});
    page.takeListing(DlqScanner(m_kafka, std::chrono::seconds(5)).scan());
    page.show();
    QVERIFY(page.openSource(u"kafka:shop-kafka/orders-dlt"_s));
    DlqMessagesView *view = page.messages();
    DeadLetterTableModel *model = view->model();
    QTRY_VERIFY_WITH_TIMEOUT(model->rowCount() >= 3 * PerPartition, 10000);

    // Partition 0's record 700 is the first at or after its own timestamp.
    QTRY_VERIFY_WITH_TIMEOUT(model->messageAt(0), 10000);
    const QDateTime firstTime = model->messageAt(0)->timestamp;
    view->jumpToTime(firstTime.addMSecs(700 * 100));
    QTRY_COMPARE_WITH_TIMEOUT(view->table()->currentIndex().row(), 700, 10000);
    QTRY_VERIFY(view->detail()->hasMessage());
    QCOMPARE(view->detail()->message().id, u"0:700"_s);

    // Tailing shows only what arrives from now on.
    QSignalSpy tailing(view, &DlqMessagesView::tailStarted);
    view->setTailing(true);
    QCOMPARE(model->rowCount(), 0);
    QVERIFY(tailing.wait(10000));
    QList<test::TestRecord> fresh;
    for (int i = 0; i < 5; ++i) {
        test::TestRecord r;
        r.partition = i % 3;
        r.value = "fresh-" + QByteArray::number(i);
        fresh.append(r);
    }
    QVERIFY(test::produceRecords(m_kafka, Dlt, fresh).ok());
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 5, 10000);
    QStringList payloads;
    for (int r = 0; r < 5; ++r)
        payloads << QString::fromUtf8(model->messageAt(r)->payload);
    payloads.sort();
    QCOMPARE(payloads.first(), u"fresh-0"_s);
    QCOMPARE(payloads.last(), u"fresh-4"_s);
    view->setTailing(false);
    QTRY_VERIFY(model->isPaged());
    QCOMPARE(model->rowCount(), 3 * PerPartition + 5);
}

void TestDlqViews::bigPayloadIsCutAndLoadsWhole()
{
    const QString topic = u"big-dlt"_s;
    QVERIFY(m_mock->createTopic(topic, 1, 1).ok());
    QByteArray large(1536 * 1024, 'x');
    large.prepend(R"({"note":")");
    large.append(R"("})");
    test::TestRecord big;
    big.value = large;
    QVERIFY(
        test::produceRecords(m_kafka, topic, {big}, {{u"message.max.bytes"_s, u"4000000"_s}}).ok());

    DeadLetterPage page;
    page.setProfiles({m_kafka});
    page.takeListing(DlqScanner(m_kafka, std::chrono::seconds(5)).scan());
    page.show();
    QVERIFY(page.openSource(u"kafka:shop-kafka/big-dlt"_s));
    DlqMessagesView *view = page.messages();
    // The first row is selected once it loads: its payload cut at 1 MiB, its size whole.
    QTRY_VERIFY_WITH_TIMEOUT(view->detail()->hasMessage(), 10000);
    QCOMPARE(view->detail()->message().payloadSize, large.size());
    QCOMPARE(view->detail()->message().payload.size(), 1 << 20);
    auto *loadAll = view->detail()->findChild<QPushButton *>(u"loadAllButton"_s);
    QVERIFY(loadAll && loadAll->isVisibleTo(view->detail()));
    loadAll->click();
    QTRY_COMPARE_WITH_TIMEOUT(view->detail()->message().payload.size(), large.size(), 10000);
    QVERIFY(view->detail()->message().payload == large);
    QVERIFY(!loadAll->isVisibleTo(view->detail()));
}

void TestDlqViews::rabbitQueueIsBrowsedAndPutBack()
{
    DeadLetterPage page;
    page.resize(1500, 900);
    page.setProfiles({m_rabbit});
    const QString source = u"rabbitmq:shop-rabbit/%2F/"_s + Parking;
    // The management API's counts trail by a few seconds: scan until the DLQ shows them.
    QTRY_VERIFY_WITH_TIMEOUT(
        (page.takeListing(DlqScanner(m_rabbit, std::chrono::seconds(5)).scan()),
         page.listModel()->rowOf(source) >= 0
             && page.listModel()->infoAt(page.listModel()->rowOf(source))->depth == 12),
        20000);
    page.show();
    QVERIFY(page.openSource(source));
    DlqMessagesView *view = page.messages();
    QVERIFY(view->noticeLabel()->text().contains(u"redelivered"_s));
    QCOMPARE(view->model()->rowCount(), 0); // nothing is read before the operator asks

    QSignalSpy shown(view, &DlqMessagesView::contentsShown);
    view->browseButton()->click();
    QVERIFY(shown.wait(10000));
    QCOMPARE(view->model()->rowCount(), 12);
    QCOMPARE(view->model()->messageAt(0)->id, u"pay-0"_s);
    QCOMPARE(view->model()->messageAt(0)->deadLetter.reason, u"rejected"_s);
    QCOMPARE(view->model()->messageAt(0)->deadLetter.originalDestination, Work);
    QVERIFY2(view->noticeLabel()->text().contains(u"put every one back"_s),
             qPrintable(view->noticeLabel()->text()));
    QCOMPARE(view->triageModel()->total(), 12);
    view->table()->setCurrentIndex(view->model()->index(3, 0));
    QTRY_VERIFY(view->detail()->hasMessage());
    keepScreenshot(page, u"dlq-rabbit-browse.png"_s);

    // Browsing again finds all twelve, in order: nothing was taken.
    shown.clear();
    view->browseButton()->click();
    QVERIFY(shown.wait(10000));
    QCOMPARE(view->model()->rowCount(), 12);
    for (int i = 0; i < 12; ++i)
        QCOMPARE(view->model()->messageAt(i)->id, u"pay-%1"_s.arg(i));

    // A read-only profile cannot insist past a delivery-limit: the box says why, greyed.
    ClusterProfile readOnly = m_rabbit;
    readOnly.readOnly = true;
    DlqInfo quorum = *page.listModel()->infoAt(page.listModel()->rowOf(source));
    quorum.deliveryLimit = 3;
    view->open(readOnly, quorum);
    QVERIFY(!view->insistBox()->isEnabled());
    QVERIFY(view->insistBox()->toolTip().contains(u"read-only"_s));
    view->open(m_rabbit, quorum);
    QVERIFY(view->insistBox()->isEnabled());
}

QTEST_MAIN(TestDlqViews)
#include "tst_dlqviews.moc"
