// Kafka consumer-group retry policies on librdkafka's mock cluster: published to the
// compacted policy topic, read back with their history, refused when they cannot work or
// the profile is read-only, audited; and followed live by the demo's workers — lowering
// payment-service's max attempts from 5 to 1 raises its DLT inflow within 30 s.
#include "demo/demosettings.h"
#include "demo/kafkabrokerprocess.h"
#include "demo/kafkaworkload.h"
#include "kafka/kafkahandle.h"
#include "kafka/kafkatopicbrowser.h"
#include "kafka/mockkafkacluster.h"
#include "retry/kafkaretrypolicystore.h"
#include "testprofiles.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace veltrix;
using namespace veltrix::demo;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

KafkaRetryPolicy paymentPolicy(int attempts)
{
    KafkaRetryPolicy policy;
    policy.group = names::PaymentServiceGroup;
    policy.maxAttempts = attempts;
    policy.initialBackoffMs = 200;
    policy.multiplier = 1.0;
    policy.maxBackoffMs = 200;
    policy.dlt = names::PaymentsDlt;
    return policy;
}

// Records in the topic's partitions, summed: how many dead letters have arrived so far.
qint64 recordsIn(const ClusterProfile &profile, const QString &topic)
{
    auto browser = KafkaTopicBrowser::open(profile, topic, 10s);
    if (!browser)
        return -1;
    auto extents = browser.value()->extents();
    if (!extents)
        return -1;
    qint64 total = 0;
    for (const KafkaPartitionExtent &extent : extents.value())
        total += extent.end;
    return total;
}

} // namespace

class TestKafkaRetry : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void policyIsPublishedReadBackWithItsHistory();
    void policiesThatCannotWorkAreRefused();
    void readOnlyProfilesAreRefused();
    void unreadableRecordsDoNotHideTheLastGoodPolicy();
    void demoFollowsALoweredMaxAttempts();

private:
    std::unique_ptr<KafkaRetryPolicyStore> store(const ClusterProfile &profile);

    std::unique_ptr<MockKafkaCluster> m_mock;
    ClusterProfile m_profile;
    QTemporaryDir m_dir;
    QString m_audit;
};

void TestKafkaRetry::initTestCase()
{
    auto mock = MockKafkaCluster::start(3);
    QVERIFY2(mock.ok(), qPrintable(mock.error().describe()));
    m_mock = std::move(mock).value();
    m_profile = test::kafkaProfile(u"k"_s, m_mock->bootstrapServers());
    m_audit = m_dir.filePath(u"audit.jsonl"_s);
}

std::unique_ptr<KafkaRetryPolicyStore> TestKafkaRetry::store(const ClusterProfile &profile)
{
    auto opened
        = KafkaRetryPolicyStore::open(profile, u"test.retry-policies"_s, AuditLog(m_audit), 10s);
    if (!opened) {
        qWarning("%s", qPrintable(opened.error().describe()));
        return nullptr;
    }
    return std::move(opened).value();
}

void TestKafkaRetry::policyIsPublishedReadBackWithItsHistory()
{
    auto policies = store(m_profile);
    QVERIFY(policies);
    auto none = policies->versions();
    QVERIFY2(none.ok(), qPrintable(none.error().describe()));
    QVERIFY(none->isEmpty()); // no topic yet: no policies, not an error

    auto first = policies->plan(paymentPolicy(5));
    QVERIFY(first.ok());
    QVERIFY(!first->before);
    QVERIFY(first->diff.contains(u"max_attempts: - → 5"_s));
    auto published = policies->publish(first.value());
    QVERIFY2(published.ok(), qPrintable(published.error().describe()));
    QCOMPARE(published->group, names::PaymentServiceGroup);
    QVERIFY(published->policy->updatedAt.isValid());
    QVERIFY(!published->policy->updatedBy.isEmpty());

    auto second = policies->plan(paymentPolicy(1));
    QVERIFY(second.ok() && second->ok());
    QCOMPARE(second->before->maxAttempts, 5);
    QCOMPARE(second->diff, QStringList {u"max_attempts: 5 → 1"_s});
    QVERIFY(second->warnings.join(u' ').contains(u"straight to payments-dlt"_s));
    QVERIFY(policies->publish(second.value()).ok());

    auto current = policies->current(names::PaymentServiceGroup);
    QVERIFY(current.ok() && current.value());
    QCOMPARE(current.value()->maxAttempts, 1);
    auto history = policies->history(names::PaymentServiceGroup);
    QVERIFY(history.ok());
    QCOMPARE(history->size(), 2);
    QCOMPARE(history->first().policy->maxAttempts, 5);
    QVERIFY(history->first().offset < history->last().offset);
    QVERIFY(policies->history(u"someone-else"_s)->isEmpty());

    // The record is the documented JSON, readable by any service.
    auto browser = KafkaTopicBrowser::open(m_profile, u"test.retry-policies"_s, 10s);
    QVERIFY(browser.ok());
    auto records = browser.value()->read(history->last().partition, history->last().offset, 1);
    QVERIFY(records.ok() && records->size() == 1);
    QCOMPARE(*records->first().key, QByteArray("payment-service"));
    const QJsonObject json = QJsonDocument::fromJson(records->first().payload).object();
    QCOMPARE(json.value(u"schema"_s).toInt(), 1);
    QCOMPARE(json.value(u"max_attempts"_s).toInt(), 1);
    QCOMPARE(json.value(u"dlt"_s).toString(), u"payments-dlt"_s);
    QVERIFY(json.value(u"retry_topics"_s).isArray());

    const QList<QJsonObject> audit = test::readJsonLines(m_audit);
    QVERIFY(audit.size() >= 4); // started + applied, twice
    QCOMPARE(audit.last().value(u"action"_s).toString(), u"retry.kafka-policy"_s);
    QCOMPARE(audit.last().value(u"outcome"_s).toString(), u"applied"_s);
}

void TestKafkaRetry::policiesThatCannotWorkAreRefused()
{
    auto policies = store(m_profile);
    QVERIFY(policies);
    KafkaRetryPolicy bad = paymentPolicy(3);
    bad.multiplier = 0.5;
    bad.maxBackoffMs = 10;
    bad.retryTopics = {u"payments-retry-0"_s};
    bad.dlt.clear();
    auto plan = policies->plan(bad);
    QVERIFY(plan.ok());
    const QString errors = plan->errors.join(u"; "_s);
    QVERIFY2(errors.contains(u"multiplier must be 1 to 100"_s), qPrintable(errors));
    QVERIFY(errors.contains(u"max_backoff_ms (10) must not be below"_s));
    QVERIFY(errors.contains(u"1 retry topics for 3 attempts"_s));
    QVERIFY(errors.contains(u"dlt"_s));
    auto refused = policies->publish(plan.value());
    QVERIFY(!refused.ok());
    // The same settings again change nothing: refused as such.
    auto same = policies->plan(paymentPolicy(1));
    QVERIFY(same.ok());
    QVERIFY(same->errors.join(u' ').contains(u"already has exactly this policy"_s));
}

void TestKafkaRetry::readOnlyProfilesAreRefused()
{
    ClusterProfile readOnly = m_profile;
    readOnly.readOnly = true;
    auto policies = store(readOnly);
    QVERIFY(policies);
    auto plan = policies->plan(paymentPolicy(4));
    QVERIFY(plan.ok() && plan->ok()); // looking is allowed
    auto refused = policies->publish(plan.value());
    QVERIFY(!refused.ok());
    QVERIFY(refused.error().describe().contains(u"read-only"_s));
    QCOMPARE(policies->current(names::PaymentServiceGroup).value()->maxAttempts, 1);
}

void TestKafkaRetry::unreadableRecordsDoNotHideTheLastGoodPolicy()
{
    // Another tool writes garbage under the group's key.
    auto producer = KafkaHandle::create(m_profile, RD_KAFKA_PRODUCER);
    QVERIFY(producer.ok());
    const QByteArray key = "payment-service", value = "{\"schema\": 7}";
    QCOMPARE(rd_kafka_producev(
                 producer.value()->get(), RD_KAFKA_V_TOPIC("test.retry-policies"),
                 RD_KAFKA_V_KEY(key.constData(), size_t(key.size())),
                 RD_KAFKA_V_VALUE(const_cast<char *>(value.constData()), size_t(value.size())),
                 RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END),
             RD_KAFKA_RESP_ERR_NO_ERROR);
    QCOMPARE(rd_kafka_flush(producer.value()->get(), 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
    auto policies = store(m_profile);
    QVERIFY(policies);
    auto history = policies->history(names::PaymentServiceGroup);
    QVERIFY(history.ok());
    QVERIFY2(history->last().problem.contains(u"schema 7"_s), qPrintable(history->last().problem));
    QCOMPARE(policies->current(names::PaymentServiceGroup).value()->maxAttempts, 1);
}

void TestKafkaRetry::demoFollowsALoweredMaxAttempts()
{
    // The demo's Kafka half on a mock of its own, with its topics.
    auto mock = MockKafkaCluster::start(3);
    QVERIFY2(mock.ok(), qPrintable(mock.error().describe()));
    QVERIFY(createDemoTopics(*mock.value()).ok());
    const ClusterProfile demo
        = test::kafkaProfile(u"shop-kafka"_s, mock.value()->bootstrapServers());
    DemoSettings settings;
    settings.randomSeed = 7;
    KafkaWorkload workload(demo, settings);
    auto started = workload.start();
    QVERIFY2(started.ok(), qPrintable(started.error().describe()));
    QTRY_COMPARE_WITH_TIMEOUT(
        workload.stats().value(u"retry_policies"_s)[names::PaymentServiceGroup].toInt(), 3, 10000);

    auto opened
        = KafkaRetryPolicyStore::open(demo, KafkaRetryPolicy::DefaultTopic, AuditLog(m_audit), 10s);
    QVERIFY(opened.ok());
    KafkaRetryPolicyStore &policies = *opened.value();
    // The built-in policy the demo published is the current one.
    QCOMPARE(policies.current(names::PaymentServiceGroup).value()->maxAttempts, 3);

    const auto setAttempts = [&](int attempts) {
        auto plan = policies.plan(paymentPolicy(attempts));
        return plan.ok() && policies.publish(plan.value()).ok();
    };
    QVERIFY(setAttempts(5));
    QTRY_COMPARE_WITH_TIMEOUT(
        workload.stats().value(u"retry_policies"_s)[names::PaymentServiceGroup].toInt(), 5, 10000);
    // Inflow with 5 attempts: only poison records (2 %) reach the DLT.
    QTest::qWait(3000);
    const qint64 before0 = recordsIn(demo, names::PaymentsDlt);
    QTest::qWait(10000);
    const qint64 before1 = recordsIn(demo, names::PaymentsDlt);

    QVERIFY(setAttempts(1));
    QElapsedTimer sinceChange;
    sinceChange.start();
    QTRY_COMPARE_WITH_TIMEOUT(
        workload.stats().value(u"retry_policies"_s)[names::PaymentServiceGroup].toInt(), 1, 10000);
    const qint64 after0 = recordsIn(demo, names::PaymentsDlt);
    QTest::qWait(10000);
    const qint64 after1 = recordsIn(demo, names::PaymentsDlt);
    const qint64 inflowBefore = before1 - before0;
    const qint64 inflowAfter = after1 - after0;
    qInfo("payments-dlt inflow over 10 s: %lld with 5 attempts, %lld with 1 (measured %lld ms "
          "after the change)",
          qlonglong(inflowBefore), qlonglong(inflowAfter), qlonglong(sinceChange.elapsed()));
    QVERIFY(before0 >= 0 && after0 >= 0);
    QVERIFY2(sinceChange.elapsed() <= 30000, "the effect must show within 30 s");
    // With one attempt, transient failures (5 % of payments) are dead-lettered too, next
    // to the poison ones (2 %), and no record waits out retries: over 10 s at the demo's
    // ~36 payments/s that is ~25 records instead of ~7. Asked: clearly more, at least 2×.
    QVERIFY2(inflowAfter >= 2 * std::max<qint64>(inflowBefore, 1) && inflowAfter >= 10,
             qPrintable(u"%1 → %2"_s.arg(inflowBefore).arg(inflowAfter)));
    workload.stop();
}

QTEST_GUILESS_MAIN(TestKafkaRetry)
#include "tst_kafkaretry.moc"
