// The GUI's two irreversible actions, on real brokers: "Purge…" in the dead-letter view
// (counts, asks with the count, empties) and "Reset offsets…" for a consumer group
// (preview per partition, asks, commits). On read-only profiles both are greyed with the
// reason, and pressing past the grey is refused by the core, changing nothing.
#include "auditlogpage.h"
#include "deadletter/payloadmasker.h"
#include "dlqmessagesview.h"
#include "groupdetailview.h"
#include "items/auditlogmodel.h"
#include "items/laghistory.h"
#include "messagedetailview.h"
#include "offsetresetdialog.h"
#include "ops/offsetreset.h"
#include "testkafka.h"
#include "testprofiles.h"
#include "testrabbitnode.h"

#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace veltrix;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

class TestOpsViews : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void purgeAsksWithTheCountThenEmpties();
    void readOnlyPurgeIsGreyedAndRefused();
    void offsetResetPreviewsThenCommits();
    void readOnlyOffsetResetIsGreyedAndRefused();
    void auditLogPageShowsEveryChangeNewestFirst();
    void auditTailSkipsBrokenLinesAndReadsTheEnd();
    void detailSaysWhenFieldsAreMasked();

private:
    void fill(int count);
    DlqInfo queueInfo() const;
    QList<qint64> committed(const QString &group);

    LocalRabbitNodeInfo m_node;
    std::unique_ptr<MockKafkaCluster> m_kafka;
    ClusterProfile m_rabbit, m_kafkaProfile;
    QTemporaryDir m_dir;
    QStringList m_questions;
    bool m_answer = true;
    const QString m_vhost = u"ops-views"_s;
};

void TestOpsViews::initTestCase()
{
    QString whyNot;
    const auto node = testRabbitNodeFromEnvironment(&whyNot);
    if (!node)
        QFAIL(qPrintable(whyNot));
    m_node = *node;
    QVERIFY(freshTestVhost(m_node, m_vhost));
    m_rabbit = test::rabbitProfile(u"shop-rabbit"_s, m_node);
    m_rabbit.amqpUri = testAmqpUri(m_node, m_vhost);
    auto kafka = test::startMockKafka({u"orders"_s}, 2);
    QVERIFY2(kafka, qPrintable(kafka.error().describe()));
    m_kafka = std::move(kafka.value());
    m_kafkaProfile = test::kafkaProfile(u"shop-kafka"_s, m_kafka->bootstrapServers());
    QVERIFY(test::produceCounts(m_kafkaProfile, u"orders"_s, {6, 8}));
    QVERIFY(test::commitOffsets(m_kafkaProfile, u"billing"_s, u"orders"_s, {{0, 1}, {1, 2}}));
    qputenv("VELTRIX_AUDIT_LOG", QFile::encodeName(m_dir.filePath(u"audit.jsonl"_s)));
}

void TestOpsViews::cleanupTestCase()
{
    deleteTestVhost(m_node, m_vhost);
}

void TestOpsViews::fill(int count)
{
    auto amqp = test::openAmqp(m_rabbit.amqpUri);
    QVERIFY(amqp);
    QVERIFY(amqp->declareQueue(u"views.dlq"_s, true));
    for (int i = 0; i < count; ++i)
        QVERIFY(amqp->publish({}, u"views.dlq"_s, "dead"));
    QTRY_COMPARE_WITH_TIMEOUT(test::readyCount(m_rabbit.amqpUri, u"views.dlq"_s), count, 5000);
}

DlqInfo TestOpsViews::queueInfo() const
{
    DlqInfo info;
    info.source = {ClusterKind::RabbitMq, u"shop-rabbit"_s, m_vhost, u"views.dlq"_s};
    info.queueType = u"classic"_s;
    info.depth = 4;
    return info;
}

QList<qint64> TestOpsViews::committed(const QString &group)
{
    return test::committedOffsets(m_kafkaProfile, group, u"orders"_s, 2);
}

void TestOpsViews::purgeAsksWithTheCountThenEmpties()
{
    fill(4);
    DlqMessagesView view;
    view.setConfirmer([this](const QString &question) {
        m_questions << question;
        return m_answer;
    });
    view.open(m_rabbit, queueInfo());
    QVERIFY(view.purgeButton()->isEnabled());
    QSignalSpy finished(&view, &DlqMessagesView::purgeFinished);

    m_questions.clear();
    m_answer = false; // "Cancel": nothing goes
    view.purge();
    QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 15000);
    QCOMPARE(m_questions.size(), 1);
    QVERIFY2(m_questions.first().contains(u"Purge 4 message(s) from rabbitmq:shop-rabbit/ops-views/"
                                          "views.dlq for good"_s),
             qPrintable(m_questions.first()));
    QCOMPARE(test::readyCount(m_rabbit.amqpUri, u"views.dlq"_s), 4);

    m_answer = true;
    finished.clear();
    view.purge();
    QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 15000);
    QVERIFY(finished.first().first().toBool());
    QVERIFY2(view.statusLabel()->text().contains(u"Purged 4 message(s)"_s),
             qPrintable(view.statusLabel()->text()));
    QCOMPARE(test::readyCount(m_rabbit.amqpUri, u"views.dlq"_s), 0);
}

void TestOpsViews::readOnlyPurgeIsGreyedAndRefused()
{
    fill(3);
    ClusterProfile readOnly = m_rabbit;
    readOnly.readOnly = true;
    DlqMessagesView view;
    view.setConfirmer([](const QString &) { return true; });
    view.open(readOnly, queueInfo());
    QVERIFY(!view.purgeButton()->isEnabled());
    QVERIFY2(view.purgeButton()->toolTip().contains(u"is read-only"_s),
             qPrintable(view.purgeButton()->toolTip()));
    QSignalSpy finished(&view, &DlqMessagesView::purgeFinished);
    view.purge(); // past the grey: the core says no
    QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 15000);
    QVERIFY(!finished.first().first().toBool());
    QVERIFY2(view.statusLabel()->text().contains(u"read-only"_s),
             qPrintable(view.statusLabel()->text()));
    QCOMPARE(test::readyCount(m_rabbit.amqpUri, u"views.dlq"_s), 3);
}

void TestOpsViews::offsetResetPreviewsThenCommits()
{
    LagHistory history;
    GroupDetailView detail(&history);
    detail.setProfiles({m_kafkaProfile});
    GroupLag group;
    group.group = u"billing"_s;
    group.topics = {u"orders"_s};
    detail.showGroup(u"shop-kafka"_s, &group, QDateTime::currentDateTimeUtc());
    QVERIFY(detail.resetButton()->isEnabled());
    OffsetResetDialog *dialog = detail.openOffsetReset();
    QVERIFY(dialog);
    dialog->setConfirmer([this](const QString &question) {
        m_questions << question;
        return true;
    });
    dialog->setTarget(u"orders"_s, u"earliest"_s);
    QVERIFY(!dialog->resetButton()->isEnabled()); // nothing previewed yet
    QSignalSpy planned(dialog, &OffsetResetDialog::planReady);
    dialog->preview();
    QTRY_VERIFY_WITH_TIMEOUT(!planned.isEmpty(), 15000);
    QCOMPARE(dialog->table()->rowCount(), 2);
    QCOMPARE(dialog->table()->item(1, 1)->text(), u"2"_s);
    QCOMPARE(dialog->table()->item(1, 2)->text(), u"0"_s);
    QVERIFY(dialog->resetButton()->isEnabled());
    m_questions.clear();
    QSignalSpy done(dialog, &OffsetResetDialog::resetDone);
    dialog->reset();
    QTRY_VERIFY_WITH_TIMEOUT(!done.isEmpty(), 15000);
    QVERIFY2(done.first().first().toBool(), qPrintable(dialog->statusText()));
    QVERIFY(m_questions.first().contains(u"partition 1: 2 → 0"_s));
    QCOMPARE(committed(u"billing"_s), (QList<qint64> {0, 0}));
}

void TestOpsViews::readOnlyOffsetResetIsGreyedAndRefused()
{
    QVERIFY(test::commitOffsets(m_kafkaProfile, u"ro-group"_s, u"orders"_s, {{0, 3}, {1, 3}}));
    ClusterProfile readOnly = m_kafkaProfile;
    readOnly.readOnly = true;
    LagHistory history;
    GroupDetailView detail(&history);
    detail.setProfiles({readOnly});
    GroupLag group;
    group.group = u"ro-group"_s;
    group.topics = {u"orders"_s};
    detail.showGroup(u"shop-kafka"_s, &group, QDateTime::currentDateTimeUtc());
    QVERIFY(!detail.resetButton()->isEnabled());
    QVERIFY2(detail.resetButton()->toolTip().contains(u"is read-only"_s),
             qPrintable(detail.resetButton()->toolTip()));

    OffsetResetDialog dialog(readOnly, u"ro-group"_s, {u"orders"_s});
    dialog.setConfirmer([](const QString &) { return true; });
    dialog.setTarget(u"orders"_s, u"latest"_s);
    QSignalSpy planned(&dialog, &OffsetResetDialog::planReady);
    dialog.preview(); // previews are allowed
    QTRY_VERIFY_WITH_TIMEOUT(!planned.isEmpty(), 15000);
    QVERIFY(!dialog.resetButton()->isEnabled());
    QVERIFY(dialog.resetButton()->toolTip().contains(u"is read-only"_s));
    QSignalSpy done(&dialog, &OffsetResetDialog::resetDone);
    dialog.reset(); // past the grey
    QTRY_VERIFY_WITH_TIMEOUT(!done.isEmpty(), 15000);
    QVERIFY(!done.first().first().toBool());
    QVERIFY2(dialog.statusText().contains(u"read-only"_s), qPrintable(dialog.statusText()));
    QCOMPARE(committed(u"ro-group"_s), (QList<qint64> {3, 3}));
}

// Runs after the tests above: their purges, previews and resets are in the log.
void TestOpsViews::auditLogPageShowsEveryChangeNewestFirst()
{
    AuditLogPage page(m_dir.filePath(u"audit.jsonl"_s));
    QSignalSpy loaded(&page, &AuditLogPage::loaded);
    QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), 5000); // read on a worker
    AuditLogModel *model = page.model();
    QStringList rows;
    for (int row = 0; row < model->rowCount(); ++row)
        rows << u"%1 %2 %3"_s.arg(model->entry(row).action, model->entry(row).outcome,
                                  model->entry(row).subject);
    QVERIFY2(rows.contains(u"dlq.purge purged rabbitmq:shop-rabbit/ops-views/views.dlq"_s),
             qPrintable(rows.join(u'\n')));
    QVERIFY(rows.contains(u"offsets.reset applied group billing on orders"_s));
    QVERIFY(rows.contains(u"offsets.reset dry-run group ro-group on orders"_s));
    QVERIFY(model->entry(0).time >= model->entry(model->rowCount() - 1).time);
    QVERIFY(!rows.contains(u"offsets.reset applied group ro-group on orders"_s));

    // A change made now (veltrixctl beside the console) shows without pressing anything.
    const int before = model->rowCount();
    loaded.clear();
    QVERIFY(AuditLog(page.path())
                .append({{u"action"_s, u"dlq.purge"_s},
                         {u"outcome"_s, u"dry-run"_s},
                         {u"source"_s, u"rabbitmq:x/y/z"_s}}));
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), before + 1, 5000);
    QCOMPARE(model->entry(0).subject, u"rabbitmq:x/y/z"_s);
}

void TestOpsViews::auditTailSkipsBrokenLinesAndReadsTheEnd()
{
    const QString path = m_dir.filePath(u"tail.jsonl"_s);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    for (int i = 0; i < 1000; ++i)
        file.write(QByteArray(R"({"action":"a","outcome":"dry-run","n":)") + QByteArray::number(i)
                   + "}\n");
    file.write("not json\n{\"torn\":");
    file.close();
    const auto all = readAuditTail(path);
    QVERIFY(all);
    QCOMPARE(all->entries.size(), 1000);
    QCOMPARE(all->unreadableLines, 2);
    QVERIFY(!all->truncated);
    const auto end = readAuditTail(path, 4000);
    QVERIFY(end);
    QVERIFY(end->truncated);
    QVERIFY(end->entries.size() < 1000 && end->entries.size() > 50);
    QCOMPARE(end->entries.last().record[u"n"_s].toInt(), 999);
    const auto missing = readAuditTail(m_dir.filePath(u"none.jsonl"_s));
    QVERIFY(missing && missing->entries.isEmpty());
}

void TestOpsViews::detailSaysWhenFieldsAreMasked()
{
    BrowsedMessage message;
    message.id = u"m1"_s;
    message.payload = R"({"user":"ann","password":"hunter2"})";
    message.payloadSize = message.payload.size();
    PayloadMasker({}).mask(message);
    MessageDetailView detail;
    detail.setMessage(message);
    auto *info = detail.findChild<QLabel *>(u"payloadInfo"_s);
    QVERIFY(info);
    QVERIFY2(info->text().contains(u"1 field(s) masked by the profile"_s),
             qPrintable(info->text()));
    message.maskedFields = 0;
    message.payload = R"({"user":"ann"})";
    detail.setMessage(message);
    QVERIFY(!info->text().contains(u"masked"_s));
}

QTEST_MAIN(TestOpsViews)
#include "tst_opsviews.moc"
