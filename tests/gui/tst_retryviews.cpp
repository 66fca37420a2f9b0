// The Retry tab on the private RabbitMQ node: settings with their sources, an edit
// previewed as a diff and applied only after the confirmation, a refusal that keeps Apply
// off, and a backoff ladder previewed as a diagram and built. With VELTRIX_SHOTS set to
// a folder, the editor is saved there as PNGs (for looking at it).
#include "kafka/mockkafkacluster.h"
#include "kafkaretrypolicyeditor.h"
#include "ladderdiagram.h"
#include "retry/rabbitretryclient.h"
#include "retrysettingspage.h"
#include "testprofiles.h"
#include "testrabbitnode.h"

#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace veltrix;
using namespace Qt::StringLiterals;

class TestRetryViews : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void editIsPreviewedAsADiffAndAppliedAfterConfirmation();
    void refusedChangeSaysWhyAndCannotBeApplied();
    void ladderIsDrawnThenBuiltOnlyWhenConfirmed();
    void kafkaGroupPolicyIsPreviewedPublishedAndKeptInItsHistory();
    void readOnlyProfileGreysApplyAndTheCoreRefuses();
    void readOnlyKafkaProfileGreysPublishAndTheCoreRefuses();

private:
    ClusterProfile profile() const;
    void openQueue(const QString &queue);
    QueueRetrySettings brokerSettings(const QString &queue);
    void shoot(const QString &name);

    LocalRabbitNodeInfo m_node;
    QTemporaryDir m_dir;
    std::unique_ptr<RetrySettingsPage> m_page;
    QStringList m_questions;
    bool m_answer = true;
    const QString m_vhost = u"retry-views"_s;
};

void TestRetryViews::initTestCase()
{
    QString whyNot;
    const auto node = testRabbitNodeFromEnvironment(&whyNot);
    if (!node)
        QFAIL(qPrintable(whyNot));
    m_node = *node;
    qputenv("VELTRIX_AUDIT_LOG", QFile::encodeName(m_dir.filePath(u"audit.jsonl"_s)));
}

void TestRetryViews::init()
{
    auto fresh = freshTestVhost(m_node, m_vhost);
    QVERIFY2(fresh.ok(), qPrintable(fresh.error().describe()));
    m_page = std::make_unique<RetrySettingsPage>();
    m_page->resize(1200, 820);
    m_page->setProfiles({profile()});
    m_questions.clear();
    m_answer = true;
    m_page->setConfirmer([this](const QString &question) {
        m_questions << question;
        return m_answer;
    });
    m_page->show();
}

void TestRetryViews::cleanup()
{
    m_page.reset();
}

ClusterProfile TestRetryViews::profile() const
{
    ClusterProfile p = test::rabbitProfile(u"shop-rabbit"_s, m_node);
    p.amqpUri = testAmqpUri(m_node, m_vhost);
    return p;
}

void TestRetryViews::openQueue(const QString &queue)
{
    QSignalSpy loaded(m_page.get(), &RetrySettingsPage::settingsLoaded);
    QVERIFY(m_page->open({ClusterKind::RabbitMq, u"shop-rabbit"_s, m_vhost, queue}));
    QVERIFY(m_page->busy()); // the broker is asked on a worker; the page waits, not blocks
    QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), 15000);
}

QueueRetrySettings TestRetryViews::brokerSettings(const QString &queue)
{
    auto client = RabbitRetryClient::open(profile());
    if (!client)
        return {};
    auto settings = client.value()->settings(m_vhost, queue);
    return settings ? settings.value() : QueueRetrySettings {};
}

void TestRetryViews::shoot(const QString &name)
{
    const QString folder = qEnvironmentVariable("VELTRIX_SHOTS");
    if (!folder.isEmpty())
        QVERIFY(m_page->grab().save(folder + u'/' + name));
}

void TestRetryViews::editIsPreviewedAsADiffAndAppliedAfterConfirmation()
{
    {
        auto amqp = test::openAmqp(profile().amqpUri);
        QVERIFY(amqp);
        QVERIFY(amqp->declareQueue(u"orders.process"_s, true,
                                   {{u"x-queue-type"_s, u"quorum"_s}, {u"x-max-length"_s, 5000}})
                    .ok());
    }
    openQueue(u"orders.process"_s);
    QTableWidget *table = m_page->table();
    const int limitRow = int(allRetryKeys().indexOf(RetryKey::DeliveryLimit));
    const int lengthRow = int(allRetryKeys().indexOf(RetryKey::MaxLength));
    QCOMPARE(table->item(limitRow, 1)->text(), u"—"_s);
    QCOMPARE(table->item(lengthRow, 1)->text(), u"5000"_s);
    QCOMPARE(table->item(lengthRow, 2)->text(), u"queue argument"_s);

    m_page->setChange(RetryKey::DeliveryLimit, u"3"_s);
    m_page->setChange(RetryKey::DeadLetterExchange, u"orders.dlx"_s);
    QSignalSpy planned(m_page.get(), &RetrySettingsPage::planReady);
    m_page->previewChange();
    QTRY_VERIFY_WITH_TIMEOUT(!planned.isEmpty(), 15000);
    QVERIFY(m_page->policyPlan()->diffLines().contains(
        u"delivery-limit: not set → 3 (policy veltrix-retry.orders.process)"_s));
    const QString plan = m_page->planText(); // what the operator reads
    QVERIFY2(plan.contains(u"veltrix-retry.orders.process (created, priority"_s), qPrintable(plan));
    QVERIFY(plan.contains(u"delivery-limit"_s) && plan.contains(u"dead-letter-exchange"_s));
    QVERIFY(!plan.contains(u"max-length"_s)); // unchanged settings are not in the diff
    QVERIFY(
        brokerSettings(u"orders.process"_s).setting(RetryKey::DeliveryLimit).value.isUndefined());
    shoot(u"retry-editor-diff.png"_s);

    QSignalSpy applied(m_page.get(), &RetrySettingsPage::applied);
    m_page->apply();
    QCOMPARE(m_questions.size(), 1);
    QVERIFY(m_questions.first().contains(u"delivery-limit: not set → 3"_s));
    QTRY_VERIFY_WITH_TIMEOUT(!applied.isEmpty(), 20000);
    QCOMPARE(table->item(limitRow, 1)->text(), u"3"_s);
    QCOMPARE(table->item(limitRow, 2)->text(), u"policy veltrix-retry.orders.process"_s);
    QCOMPARE(brokerSettings(u"orders.process"_s).setting(RetryKey::DeliveryLimit).value.toInt(), 3);
}

void TestRetryViews::refusedChangeSaysWhyAndCannotBeApplied()
{
    {
        auto amqp = test::openAmqp(profile().amqpUri);
        QVERIFY(amqp);
        QVERIFY(amqp->declareQueue(u"audit"_s, true).ok());
    }
    openQueue(u"audit"_s);
    m_page->setChange(RetryKey::DeliveryLimit, u"3"_s);
    QSignalSpy planned(m_page.get(), &RetrySettingsPage::planReady);
    m_page->previewChange();
    QTRY_VERIFY_WITH_TIMEOUT(!planned.isEmpty(), 15000);
    QVERIFY2(m_page->planText().contains(u"only quorum queues count deliveries"_s),
             qPrintable(m_page->planText()));
    m_page->apply(); // nothing to apply: the plan was refused
    QVERIFY(m_questions.isEmpty());

    // An edit after a preview makes it stale: Apply asks for a new preview first.
    m_page->setChange(RetryKey::DeliveryLimit, QString());
    m_page->setChange(RetryKey::MessageTtl, u"60000"_s);
    m_page->apply();
    QVERIFY(m_questions.isEmpty());
}

void TestRetryViews::ladderIsDrawnThenBuiltOnlyWhenConfirmed()
{
    {
        auto amqp = test::openAmqp(profile().amqpUri);
        QVERIFY(amqp);
        QVERIFY(amqp->declareExchange(u"shop.work"_s, u"direct"_s, true).ok());
        QVERIFY(amqp->declareQueue(u"payments.process"_s, true).ok());
        QVERIFY(amqp->bindQueue(u"payments.process"_s, u"shop.work"_s, u"payments"_s).ok());
    }
    openQueue(u"payments.process"_s);
    m_page->setLadder(u"1s, 5s, 30s"_s);
    QSignalSpy planned(m_page.get(), &RetrySettingsPage::planReady);
    m_page->previewLadder();
    QTRY_VERIFY_WITH_TIMEOUT(!planned.isEmpty(), 15000);
    QVERIFY(m_page->diagram()->hasPlan());
    QCOMPARE(m_page->ladderPlan()->steps.size(), 3);
    QCOMPARE(m_page->ladderPlan()->workExchange, u"shop.work"_s);
    QVERIFY2(m_page->planText().contains(u"ladder of 3 steps, 4 attempts in all"_s),
             qPrintable(m_page->planText()));
    shoot(u"retry-ladder.png"_s);

    m_answer = false; // the operator says no: nothing is built
    m_page->apply();
    QCOMPARE(m_questions.size(), 1);
    QVERIFY(m_questions.first().contains(u"payments.process.retry.3 (wait 30 s)"_s));
    QTest::qWait(300);
    QVERIFY(brokerSettings(u"payments.process"_s)
                .setting(RetryKey::DeadLetterExchange)
                .value.isUndefined());

    m_answer = true;
    QSignalSpy applied(m_page.get(), &RetrySettingsPage::applied);
    m_page->apply();
    QTRY_VERIFY_WITH_TIMEOUT(!applied.isEmpty(), 20000);
    QCOMPARE(brokerSettings(u"payments.process"_s)
                 .setting(RetryKey::DeadLetterExchange)
                 .value.toString(),
             u"payments.process.retry"_s);
    QCOMPARE(
        brokerSettings(u"payments.process.retry.2"_s).setting(RetryKey::MessageTtl).value.toInt(),
        5000);
}

void TestRetryViews::kafkaGroupPolicyIsPreviewedPublishedAndKeptInItsHistory()
{
    auto mock = MockKafkaCluster::start(3);
    QVERIFY2(mock.ok(), qPrintable(mock.error().describe()));
    const ClusterProfile kafka
        = test::kafkaProfile(u"shop-kafka"_s, mock.value()->bootstrapServers());
    KafkaRetryPolicyEditor editor;
    editor.resize(1200, 760);
    editor.setConfirmer([this](const QString &question) {
        m_questions << question;
        return m_answer;
    });
    editor.show();
    QSignalSpy loaded(&editor, &KafkaRetryPolicyEditor::loaded);
    editor.open(kafka, u"payment-service"_s);
    QVERIFY(editor.busy()); // read on a worker
    QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), 20000);
    QVERIFY(!editor.current());
    QCOMPARE(editor.historyTable()->rowCount(), 0);

    KafkaRetryPolicy policy;
    policy.group = u"payment-service"_s;
    policy.maxAttempts = 5;
    policy.initialBackoffMs = 200;
    policy.multiplier = 2;
    policy.maxBackoffMs = 1600;
    policy.jitter = 0.1;
    policy.dlt = u"payments-dlt"_s;
    editor.setForm(policy);
    QSignalSpy planned(&editor, &KafkaRetryPolicyEditor::planReady);
    editor.preview();
    QTRY_VERIFY_WITH_TIMEOUT(!planned.isEmpty(), 20000);
    QVERIFY(editor.plan()->diff.contains(u"max_attempts: - → 5"_s));
    QVERIFY2(editor.planText().contains(u"Creates the policy of payment-service"_s),
             qPrintable(editor.planText()));

    m_answer = false; // the operator says no: nothing is published
    editor.publish();
    QCOMPARE(m_questions.size(), 1);
    QVERIFY(m_questions.first().contains(u"max_attempts: - → 5"_s));
    auto store = KafkaRetryPolicyStore::open(kafka);
    QVERIFY(store.ok());
    QVERIFY(!store.value()->current(u"payment-service"_s).value());

    m_answer = true;
    QSignalSpy published(&editor, &KafkaRetryPolicyEditor::published);
    loaded.clear();
    editor.publish();
    QTRY_VERIFY_WITH_TIMEOUT(!published.isEmpty() && !loaded.isEmpty(), 30000);
    QCOMPARE(editor.current()->maxAttempts, 5);
    QCOMPARE(editor.historyTable()->rowCount(), 1);

    // Lowered to one attempt: previewed with its warning, published, two versions kept.
    policy.maxAttempts = 1;
    editor.setForm(policy);
    planned.clear();
    editor.preview();
    QTRY_VERIFY_WITH_TIMEOUT(!planned.isEmpty(), 20000);
    QCOMPARE(editor.plan()->diff, QStringList {u"max_attempts: 5 → 1"_s});
    QVERIFY(editor.planText().contains(u"straight to payments-dlt"_s));
    const QString folder = qEnvironmentVariable("VELTRIX_SHOTS");
    if (!folder.isEmpty())
        QVERIFY(editor.grab().save(folder + u"/retry-kafka.png"_s));
    loaded.clear();
    editor.publish();
    QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), 30000);
    QCOMPARE(editor.historyTable()->rowCount(), 2);
    QCOMPARE(store.value()->current(u"payment-service"_s).value()->maxAttempts, 1);
}

void TestRetryViews::readOnlyProfileGreysApplyAndTheCoreRefuses()
{
    {
        auto amqp = test::openAmqp(profile().amqpUri);
        QVERIFY(amqp);
        QVERIFY(amqp->declareQueue(u"orders.ro"_s, true, {{u"x-queue-type"_s, u"quorum"_s}}));
    }
    ClusterProfile readOnly = profile();
    readOnly.readOnly = true;
    m_page->setProfiles({readOnly});
    openQueue(u"orders.ro"_s);
    m_page->setChange(RetryKey::DeliveryLimit, u"3"_s);
    QSignalSpy planned(m_page.get(), &RetrySettingsPage::planReady);
    m_page->previewChange(); // a preview changes nothing: allowed
    QTRY_VERIFY_WITH_TIMEOUT(!planned.isEmpty(), 15000);
    QVERIFY(m_page->policyPlan()->ok());
    QVERIFY(!m_page->applyButton()->isEnabled());
    QVERIFY2(m_page->applyButton()->toolTip().contains(u"is read-only"_s),
             qPrintable(m_page->applyButton()->toolTip()));

    // Past the greyed button (a script, a stale window): the core refuses, nothing changes.
    QSignalSpy failed(m_page.get(), &RetrySettingsPage::failed);
    m_page->apply();
    QTRY_VERIFY_WITH_TIMEOUT(!failed.isEmpty(), 15000);
    QVERIFY2(failed.first().first().toString().contains(u"read-only"_s),
             qPrintable(failed.first().first().toString()));
    QVERIFY(brokerSettings(u"orders.ro"_s).setting(RetryKey::DeliveryLimit).value.isUndefined());
}

void TestRetryViews::readOnlyKafkaProfileGreysPublishAndTheCoreRefuses()
{
    auto mock = MockKafkaCluster::start(1);
    QVERIFY2(mock.ok(), qPrintable(mock.error().describe()));
    ClusterProfile kafka = test::kafkaProfile(u"ro-kafka"_s, mock.value()->bootstrapServers());
    kafka.readOnly = true;
    KafkaRetryPolicyEditor editor;
    editor.setConfirmer([](const QString &) { return true; });
    QSignalSpy loaded(&editor, &KafkaRetryPolicyEditor::loaded);
    editor.open(kafka, u"payment-service"_s);
    QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), 20000);
    KafkaRetryPolicy policy;
    policy.group = u"payment-service"_s;
    policy.maxAttempts = 2;
    policy.dlt = u"payments-dlt"_s;
    editor.setForm(policy);
    QSignalSpy planned(&editor, &KafkaRetryPolicyEditor::planReady);
    editor.preview();
    QTRY_VERIFY_WITH_TIMEOUT(!planned.isEmpty(), 20000);
    QVERIFY(!editor.publishButton()->isEnabled());
    QVERIFY2(editor.publishButton()->toolTip().contains(u"is read-only"_s),
             qPrintable(editor.publishButton()->toolTip()));
    QSignalSpy failed(&editor, &KafkaRetryPolicyEditor::failed);
    editor.publish();
    QTRY_VERIFY_WITH_TIMEOUT(!failed.isEmpty(), 20000);
    QVERIFY2(failed.first().first().toString().contains(u"read-only"_s),
             qPrintable(failed.first().first().toString()));
    ClusterProfile writable = kafka;
    writable.readOnly = false;
    auto store = KafkaRetryPolicyStore::open(writable);
    QVERIFY(store.ok());
    QVERIFY(!store.value()->current(u"payment-service"_s).value());
}

QTEST_MAIN(TestRetryViews)
#include "tst_retryviews.moc"
