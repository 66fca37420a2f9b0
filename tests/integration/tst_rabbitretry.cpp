// RabbitMQ retry settings on the private node: effective settings with their sources,
// policies written and read back, a delivery-limit that dead-letters, and a backoff
// ladder whose delays and last step the broker itself enforces. Every change is refused
// on a read-only profile and lands in the audit log.
#include "rabbitmq/amqpconnection.h"
#include "rabbitmq/managementclient.h"
#include "retry/rabbitretryclient.h"
#include "testprofiles.h"
#include "testrabbitnode.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>

using namespace veltrix;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

// The x-death entry of a dead-lettered message for this queue and reason; empty if none.
QVariantMap deathFor(const AmqpMessage &message, const QString &queue, const QString &reason)
{
    for (const QVariant &entry : message.properties.headers.value(u"x-death"_s).toList()) {
        const QVariantMap death = entry.toMap();
        if (death.value(u"queue"_s).toString() == queue
            && death.value(u"reason"_s).toString() == reason)
            return death;
    }
    return {};
}

// The next message a consumer gets within `timeout`, with the time it took.
std::optional<AmqpMessage> nextWithin(AmqpConnection &amqp, std::chrono::milliseconds timeout,
                                      double *seconds = nullptr)
{
    QElapsedTimer clock;
    clock.start();
    auto next = amqp.nextDelivery(timeout);
    if (seconds)
        *seconds = double(clock.elapsed()) / 1000;
    return next.ok() ? next.value() : std::nullopt;
}

} // namespace

class TestRabbitRetry : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void settingsSayWhereEachComesFrom();
    void policyIsWrittenReadBackAndInForce();
    void deliveryLimitOnAQuorumQueueDeadLettersAfterTheLimit();
    void changesThatCannotWorkAreRefusedInWords();
    void ladderRedeliversAfterItsDelaysThenDeadLetters();
    void readOnlyProfilesAreRefusedAndEveryChangeIsAudited();

private:
    ClusterProfile profile() const;
    std::unique_ptr<RabbitRetryClient> client(const ClusterProfile &p);

    LocalRabbitNodeInfo m_node;
    QTemporaryDir m_dir;
    QString m_auditPath;
    const QString m_vhost = u"retry-settings"_s;
};

void TestRabbitRetry::initTestCase()
{
    QString whyNot;
    const auto node = testRabbitNodeFromEnvironment(&whyNot);
    if (!node)
        QFAIL(qPrintable(whyNot));
    m_node = *node;
    m_auditPath = m_dir.filePath(u"audit.jsonl"_s);
}

void TestRabbitRetry::init()
{
    auto fresh = freshTestVhost(m_node, m_vhost);
    QVERIFY2(fresh.ok(), qPrintable(fresh.error().describe()));
}

ClusterProfile TestRabbitRetry::profile() const
{
    ClusterProfile p = test::rabbitProfile(u"r"_s, m_node);
    p.amqpUri = testAmqpUri(m_node, m_vhost);
    return p;
}

std::unique_ptr<RabbitRetryClient> TestRabbitRetry::client(const ClusterProfile &p)
{
    auto opened = RabbitRetryClient::open(p, AuditLog(m_auditPath));
    if (!opened) {
        qWarning("%s", qPrintable(opened.error().describe()));
        return nullptr;
    }
    return std::move(opened).value();
}

void TestRabbitRetry::settingsSayWhereEachComesFrom()
{
    auto amqp = test::openAmqp(profile().amqpUri);
    QVERIFY(amqp);
    QVERIFY(
        amqp->declareQueue(u"orders"_s, true,
                           {{u"x-message-ttl"_s, 60000}, {u"x-dead-letter-exchange"_s, u"own"_s}})
            .ok());
    ManagementClient api(u"r"_s, QUrl(m_node.managementUrl()), u"guest"_s, u"guest"_s, 10s);
    QVERIFY(api.put(u"/api/policies/%1/broad"_s.arg(m_vhost),
                    {{u"pattern"_s, u"^ord"_s},
                     {u"apply-to"_s, u"queues"_s},
                     {u"priority"_s, 1},
                     {u"definition"_s,
                      QJsonObject {{u"message-ttl"_s, 30000},
                                   {u"dead-letter-exchange"_s, u"from-policy"_s},
                                   {u"max-length"_s, 500}}}})
                .ok());
    auto retry = client(profile());
    QVERIFY(retry);
    QueueRetrySettings settings;
    QTRY_VERIFY_WITH_TIMEOUT(
        (settings = retry->settings(m_vhost, u"orders"_s).value()).policy == u"broad"_s, 10000);
    // The lower TTL wins (the policy's); the argument's dead-letter exchange wins.
    QCOMPARE(settings.setting(RetryKey::MessageTtl).value.toInt(), 30000);
    QCOMPARE(settings.setting(RetryKey::MessageTtl).source, u"policy broad"_s);
    QVERIFY(settings.setting(RetryKey::MessageTtl)
                .overridden.first()
                .startsWith(u"queue argument: 60000"_s));
    QCOMPARE(settings.setting(RetryKey::DeadLetterExchange).value.toString(), u"own"_s);
    QCOMPARE(settings.setting(RetryKey::DeadLetterExchange).source, u"queue argument"_s);
    QCOMPARE(settings.setting(RetryKey::MaxLength).value.toInt(), 500);
    QVERIFY(settings.setting(RetryKey::DeliveryLimit).source.isEmpty());
    QCOMPARE(settings.type, u"classic"_s);
    const QJsonObject json = settings.toJson();
    QCOMPARE(json.value(u"settings"_s)[u"max-length"_s][u"source"_s].toString(), u"policy broad"_s);
}

void TestRabbitRetry::policyIsWrittenReadBackAndInForce()
{
    auto amqp = test::openAmqp(profile().amqpUri);
    QVERIFY(amqp);
    QVERIFY(amqp->declareQueue(u"payments"_s, true).ok());
    ManagementClient api(u"r"_s, QUrl(m_node.managementUrl()), u"guest"_s, u"guest"_s, 10s);
    QVERIFY(api.put(u"/api/policies/%1/shop-wide"_s.arg(m_vhost),
                    {{u"pattern"_s, u".*"_s},
                     {u"apply-to"_s, u"queues"_s},
                     {u"priority"_s, 5},
                     {u"definition"_s, QJsonObject {{u"max-length"_s, 10000}}}})
                .ok());
    auto retry = client(profile());
    QVERIFY(retry);
    QTRY_COMPARE_WITH_TIMEOUT(retry->settings(m_vhost, u"payments"_s).value().policy,
                              u"shop-wide"_s, 10000);

    auto plan = retry->planPolicy(
        m_vhost, u"payments"_s,
        {{RetryKey::DeadLetterExchange, u"payments.dlx"_s}, {RetryKey::MessageTtl, 15000}});
    QVERIFY2(plan.ok(), qPrintable(plan.error().describe()));
    QVERIFY2(plan->ok(), qPrintable(plan->errors.join(u"; "_s)));
    // Its own policy, above the wide one, carrying the wide one's key over.
    QCOMPARE(plan->policy.name, u"veltrix-retry.payments"_s);
    QCOMPARE(plan->policy.priority, 6);
    QCOMPARE(plan->policy.definition.value(u"max-length"_s).toInt(), 10000);
    QVERIFY(plan->warnings.join(u' ').contains(u"shop-wide"_s));
    QCOMPARE(plan->changedKeys(),
             (QList<RetryKey> {RetryKey::DeadLetterExchange, RetryKey::MessageTtl,
                               RetryKey::MaxLength})); // max-length: same value, new source
    QVERIFY(plan->diffLines().first().startsWith(
        u"dead-letter-exchange: not set → \"payments.dlx\" (policy veltrix-retry.payments)"_s));

    auto applied = retry->applyPolicy(plan.value());
    QVERIFY2(applied.ok(), qPrintable(applied.error().describe()));
    QCOMPARE(applied->setting(RetryKey::MessageTtl).value.toInt(), 15000);
    QCOMPARE(applied->setting(RetryKey::DeadLetterExchange).source,
             u"policy veltrix-retry.payments"_s);
    // What the management API holds is exactly what was planned.
    auto back = api.get(u"/api/policies/%1/veltrix-retry.payments"_s.arg(m_vhost));
    QVERIFY(back.ok());
    QCOMPARE(back->object().value(u"definition"_s).toObject(), plan->policy.definition);
    QCOMPARE(back->object().value(u"pattern"_s).toString(), u"^payments$"_s);

    // Changing it again edits the same policy; removing a key takes it out.
    auto again = retry->planPolicy(m_vhost, u"payments"_s, {{RetryKey::MessageTtl, QJsonValue()}});
    QVERIFY(again.ok() && again->ok());
    QVERIFY(again->replaced.has_value());
    QCOMPARE(again->changedKeys(), QList<RetryKey> {RetryKey::MessageTtl});
    auto removed = retry->applyPolicy(again.value());
    QVERIFY2(removed.ok(), qPrintable(removed.error().describe()));
    QVERIFY(removed->setting(RetryKey::MessageTtl).value.isUndefined());
}

void TestRabbitRetry::deliveryLimitOnAQuorumQueueDeadLettersAfterTheLimit()
{
    auto amqp = test::openAmqp(profile().amqpUri);
    QVERIFY(amqp);
    QVERIFY(amqp->declareQueue(u"jobs"_s, true, {{u"x-queue-type"_s, u"quorum"_s}}).ok());
    QVERIFY(amqp->declareExchange(u"jobs.dlx"_s, u"fanout"_s, true).ok());
    QVERIFY(amqp->declareQueue(u"jobs.dead"_s, true).ok());
    QVERIFY(amqp->bindQueue(u"jobs.dead"_s, u"jobs.dlx"_s, {}).ok());
    auto retry = client(profile());
    QVERIFY(retry);
    auto plan = retry->planPolicy(
        m_vhost, u"jobs"_s,
        {{RetryKey::DeliveryLimit, 3}, {RetryKey::DeadLetterExchange, u"jobs.dlx"_s}});
    QVERIFY(plan.ok());
    QVERIFY2(plan->ok(), qPrintable(plan->errors.join(u"; "_s)));
    auto applied = retry->applyPolicy(plan.value());
    QVERIFY2(applied.ok(), qPrintable(applied.error().describe()));
    QCOMPARE(applied->setting(RetryKey::DeliveryLimit).value.toInt(), 3);

    QVERIFY(amqp->publish({}, u"jobs"_s, "job-1").ok());
    auto consumer = test::openAmqp(profile().amqpUri);
    QVERIFY(consumer);
    QVERIFY(consumer->consume(u"jobs"_s, AmqpConnection::AckMode::Manual).ok());
    // Reject with requeue each time, as a consumer failing on a poison message would.
    int deliveries = 0;
    while (auto message = nextWithin(*consumer, 2s)) {
        ++deliveries;
        QVERIFY(consumer->reject(message->deliveryTag, true).ok());
        QVERIFY2(deliveries < 10, "the delivery-limit did not stop the redeliveries");
    }
    // RabbitMQ 3.10 dead-letters when a return takes the count past the limit: the first
    // delivery plus three redeliveries.
    QCOMPARE(deliveries, 4);
    const QList<AmqpMessage> dead = test::drainQueue(profile().amqpUri, u"jobs.dead"_s);
    QCOMPARE(dead.size(), 1);
    QCOMPARE(dead.first().body, QByteArray("job-1"));
    const QVariantMap death = deathFor(dead.first(), u"jobs"_s, u"delivery_limit"_s);
    QVERIFY2(!death.isEmpty(), "no x-death entry for jobs / delivery_limit");
    QCOMPARE(death.value(u"count"_s).toInt(), 1);
}

void TestRabbitRetry::changesThatCannotWorkAreRefusedInWords()
{
    auto amqp = test::openAmqp(profile().amqpUri);
    QVERIFY(amqp);
    QVERIFY(
        amqp->declareQueue(u"classic-q"_s, true, {{u"x-dead-letter-exchange"_s, u"fixed"_s}}).ok());
    auto retry = client(profile());
    QVERIFY(retry);
    const auto errorsOf = [&](const QList<RetryChange> &changes, const QString &policy = {}) {
        auto plan = retry->planPolicy(m_vhost, u"classic-q"_s, changes, policy);
        return plan.ok() ? plan->errors.join(u"; "_s) : plan.error().describe();
    };
    QVERIFY(errorsOf({{RetryKey::DeliveryLimit, 5}})
                .contains(u"delivery-limit has no effect on classic queue"_s));
    QVERIFY(errorsOf({{RetryKey::DeadLetterExchange, u"other"_s}})
                .contains(u"queue argument x-dead-letter-exchange = \"fixed\" wins"_s));
    QVERIFY(errorsOf({{RetryKey::MessageTtl, -5}}).contains(u"whole number ≥ 0"_s));
    QVERIFY(errorsOf({{RetryKey::DeadLetterStrategy, u"at-least-once"_s}})
                .contains(u"needs a quorum queue"_s));
    QVERIFY(errorsOf({{RetryKey::MessageTtl, 1000}}, u"no-such-policy"_s)
                .contains(u"has no policy named \"no-such-policy\""_s));

    // Editing a policy that another one shadows for this queue.
    ManagementClient api(u"r"_s, QUrl(m_node.managementUrl()), u"guest"_s, u"guest"_s, 10s);
    for (const auto &[name, priority] : {std::pair {u"low"_s, 1}, std::pair {u"high"_s, 9}})
        QVERIFY(api.put(u"/api/policies/%1/%2"_s.arg(m_vhost, name),
                        {{u"pattern"_s, u"^classic"_s},
                         {u"apply-to"_s, u"queues"_s},
                         {u"priority"_s, priority},
                         {u"definition"_s, QJsonObject {{u"max-length"_s, 7}}}})
                    .ok());
    QVERIFY(errorsOf({{RetryKey::MessageTtl, 1000}}, u"low"_s)
                .contains(u"policy \"low\" would not apply to queue \"classic-q\": policy \"high\" "
                          "matches it with a higher priority (9 > 1)"_s));
    auto missing = retry->settings(m_vhost, u"no-such-queue"_s);
    QVERIFY(!missing.ok());
    QVERIFY(missing.error().describe().contains(u"no-such-queue"_s));
}

void TestRabbitRetry::ladderRedeliversAfterItsDelaysThenDeadLetters()
{
    auto amqp = test::openAmqp(profile().amqpUri);
    QVERIFY(amqp);
    QVERIFY(amqp->declareExchange(u"work"_s, u"direct"_s, true).ok());
    QVERIFY(amqp->declareQueue(u"tasks"_s, true).ok());
    QVERIFY(amqp->bindQueue(u"tasks"_s, u"work"_s, u"tasks"_s).ok());
    auto retry = client(profile());
    QVERIFY(retry);
    auto plan = retry->planLadder({m_vhost, u"tasks"_s, {1000, 2000}, {}, {}});
    QVERIFY2(plan.ok(), qPrintable(plan.error().describe()));
    QVERIFY2(plan->ok(), qPrintable(plan->errors.join(u"; "_s)));
    QCOMPARE(plan->workExchange, u"work"_s); // found from the queue's binding
    QCOMPARE(plan->steps.size(), 2);
    QCOMPARE(plan->dlq, u"tasks.dlq"_s);
    QVERIFY(plan->diagram().join(u'\n').contains(u"tasks.retry.2 (wait 2 s)"_s));
    auto built = retry->applyLadder(plan.value());
    QVERIFY2(built.ok(), qPrintable(built.error().describe()));
    QCOMPARE(built->setting(RetryKey::DeadLetterExchange).value.toString(), u"tasks.retry"_s);

    // A consumer that rejects everything (requeue=false), as a failing service would.
    auto consumer = test::openAmqp(profile().amqpUri);
    QVERIFY(consumer);
    QVERIFY(consumer->consume(u"tasks"_s, AmqpConnection::AckMode::Manual).ok());
    QVERIFY(amqp->publish(u"work"_s, u"tasks"_s, "task-1").ok());
    auto first = nextWithin(*consumer, 5s);
    QVERIFY(first);
    QVERIFY(consumer->reject(first->deliveryTag, false).ok());
    double waited = 0;
    auto second = nextWithin(*consumer, 5s, &waited);
    QVERIFY2(second, "the first step did not send it back");
    // TTL expiry is checked when a message reaches the queue head: a short message sits
    // there from the start, so the delay is the TTL plus delivery (bounds: -0.1 s / +0.8 s).
    QVERIFY2(waited >= 0.9 && waited <= 1.8, qPrintable(QString::number(waited)));
    QCOMPARE(second->routingKey, u"tasks.attempt.2"_s);
    QVERIFY(consumer->reject(second->deliveryTag, false).ok());
    auto third = nextWithin(*consumer, 5s, &waited);
    QVERIFY2(third, "the second step did not send it back");
    QVERIFY2(waited >= 1.9 && waited <= 2.8, qPrintable(QString::number(waited)));
    QVERIFY(consumer->reject(third->deliveryTag, false).ok());
    QVERIFY(!nextWithin(*consumer, 3500ms)); // past the last step: not back again
    const QList<AmqpMessage> dead = test::drainQueue(profile().amqpUri, u"tasks.dlq"_s);
    QCOMPARE(dead.size(), 1);
    QCOMPARE(dead.first().body, QByteArray("task-1"));
    QCOMPARE(deathFor(dead.first(), u"tasks"_s, u"rejected"_s).value(u"count"_s).toInt(), 3);
    QCOMPARE(deathFor(dead.first(), u"tasks.retry.1"_s, u"expired"_s).value(u"count"_s).toInt(), 1);
    QCOMPARE(deathFor(dead.first(), u"tasks.retry.2"_s, u"expired"_s).value(u"count"_s).toInt(), 1);

    // A shorter ladder replaces it: the old step 2 binding goes, the second rejection
    // now ends in the DLQ.
    auto shorter = retry->planLadder({m_vhost, u"tasks"_s, {1000}, {}, {}});
    QVERIFY(shorter.ok() && shorter->ok());
    QCOMPARE(shorter->staleBindings.size(), 2); // attempt.2 -> step 2, attempt.3 -> DLQ
    QVERIFY(retry->applyLadder(shorter.value()).ok());
    QVERIFY(amqp->publish(u"work"_s, u"tasks"_s, "task-2").ok());
    for (int attempt = 1; attempt <= 2; ++attempt) {
        auto message = nextWithin(*consumer, 5s);
        QVERIFY2(message, qPrintable(u"attempt %1 never came"_s.arg(attempt)));
        QVERIFY(consumer->reject(message->deliveryTag, false).ok());
    }
    QVERIFY(!nextWithin(*consumer, 2500ms));
    QTRY_COMPARE_WITH_TIMEOUT(test::readyCount(profile().amqpUri, u"tasks.dlq"_s), qint64(1), 5000);
}

void TestRabbitRetry::readOnlyProfilesAreRefusedAndEveryChangeIsAudited()
{
    auto amqp = test::openAmqp(profile().amqpUri);
    QVERIFY(amqp);
    QVERIFY(amqp->declareQueue(u"audited"_s, true).ok());
    ClusterProfile readOnly = profile();
    readOnly.readOnly = true;
    auto guarded = client(readOnly);
    QVERIFY(guarded);
    auto plan = guarded->planPolicy(m_vhost, u"audited"_s, {{RetryKey::MessageTtl, 5000}});
    QVERIFY(plan.ok() && plan->ok()); // looking is allowed
    auto refused = guarded->applyPolicy(plan.value());
    QVERIFY(!refused.ok());
    QVERIFY(refused.error().describe().contains(u"read-only"_s));
    auto unchanged = guarded->settings(m_vhost, u"audited"_s);
    QVERIFY2(unchanged.ok(), qPrintable(unchanged.error().describe()));
    QCOMPARE(unchanged->setting(RetryKey::MessageTtl).source, QString()); // nothing changed

    QFile::remove(m_auditPath);
    auto retry = client(profile());
    QVERIFY(retry);
    QVERIFY(retry->recordDryRun(u"retry.policy"_s, plan->toJson()).ok());
    QVERIFY(retry->applyPolicy(plan.value()).ok());
    const QList<QJsonObject> lines = test::readJsonLines(m_auditPath);
    QCOMPARE(lines.size(), 3); // the dry run, then started and applied
    QCOMPARE(lines[0].value(u"outcome"_s).toString(), u"dry-run"_s);
    QCOMPARE(lines[2].value(u"outcome"_s).toString(), u"applied"_s);
    QCOMPARE(lines[2].value(u"action"_s).toString(), u"retry.policy"_s);
    QCOMPARE(lines[2].value(u"plan"_s)[u"queue"_s].toString(), u"audited"_s);
    QVERIFY(!lines[2].value(u"user"_s).toString().isEmpty());
}

QTEST_GUILESS_MAIN(TestRabbitRetry)
#include "tst_rabbitretry.moc"
