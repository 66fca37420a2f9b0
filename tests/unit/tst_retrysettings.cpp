// The retry-settings rules without a broker: which value is in force and why (RabbitMQ
// 3.10's precedence), what a policy change plans and refuses, and how a ladder is laid out.
// The broker's side of the same rules is in tst_rabbitretry.
#include "retry/rabbitretryladder.h"

#include <QJsonArray>
#include <QTest>

using namespace veltrix;
using namespace Qt::StringLiterals;

namespace {

QJsonObject queueEntry(const QString &name, const QString &type = u"classic"_s,
                       const QJsonObject &arguments = {})
{
    return {
        {u"name"_s, name}, {u"vhost"_s, u"shop"_s}, {u"type"_s, type}, {u"arguments"_s, arguments}};
}

RabbitPolicy policy(const QString &name, const QString &pattern, int priority,
                    const QJsonObject &definition)
{
    return {u"shop"_s, name, pattern, u"queues"_s, priority, definition};
}

QJsonObject binding(const QString &source, const QString &destination, const QString &key)
{
    return {{u"source"_s, source},
            {u"destination"_s, destination},
            {u"destination_type"_s, u"queue"_s},
            {u"routing_key"_s, key},
            {u"properties_key"_s, key}};
}

} // namespace

class TestRetrySettings : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void lowestNumberWinsAndArgumentsWinTheRest();
    void operatorPoliciesOnlyCapNumbers();
    void policyInForceIsTheHighestPriorityMatch();
    void planTakesOverWithHigherPriorityAndCarriesKeysOver();
    void planEditsTheConsolesOwnPolicyInPlace();
    void planRefusesWhatCannotWork_data();
    void planRefusesWhatCannotWork();
    void planWarnsAboutWhatStillWins();
    void policiesParseOrSayWhy();
    void topicKeysMatchLikeTheBroker_data();
    void topicKeysMatchLikeTheBroker();
    void ladderIsLaidOutStepByStep();
    void ladderNeedsOneRoutableWorkExchange();
    void ladderWarnsAboutWildcardListenersAndDropsStaleSteps();
};

void TestRetrySettings::lowestNumberWinsAndArgumentsWinTheRest()
{
    const QJsonObject queue = queueEntry(u"orders"_s, u"quorum"_s,
                                         {{u"x-message-ttl"_s, 5000},
                                          {u"x-max-length"_s, 900},
                                          {u"x-dead-letter-exchange"_s, u"arg.dlx"_s}});
    const QList<RabbitPolicy> policies {policy(u"p"_s, u"^orders$"_s, 0,
                                               {{u"message-ttl"_s, 60000},
                                                {u"max-length"_s, 100},
                                                {u"dead-letter-exchange"_s, u"policy.dlx"_s},
                                                {u"delivery-limit"_s, 7}})};
    const QueueRetrySettings s = resolveRetrySettings(queue, policies, {});
    QCOMPARE(s.policy, u"p"_s);
    QCOMPARE(s.setting(RetryKey::MessageTtl).value.toInt(), 5000);
    QCOMPARE(s.setting(RetryKey::MessageTtl).source, u"queue argument"_s);
    QCOMPARE(s.setting(RetryKey::MessageTtl).overridden,
             QStringList {u"policy p: 60000 (the lower value applies)"_s});
    QCOMPARE(s.setting(RetryKey::MaxLength).value.toInt(), 100);
    QCOMPARE(s.setting(RetryKey::MaxLength).source, u"policy p"_s);
    QCOMPARE(s.setting(RetryKey::DeadLetterExchange).value.toString(), u"arg.dlx"_s);
    QCOMPARE(s.setting(RetryKey::DeadLetterExchange).overridden,
             QStringList {u"policy p: \"policy.dlx\" (a queue argument wins)"_s});
    QCOMPARE(s.setting(RetryKey::DeliveryLimit).value.toInt(), 7);
    QVERIFY(s.setting(RetryKey::Overflow).value.isUndefined());
    QVERIFY(s.setting(RetryKey::Overflow).source.isEmpty());
}

void TestRetrySettings::operatorPoliciesOnlyCapNumbers()
{
    QJsonObject queue = queueEntry(u"orders"_s);
    queue.insert(u"operator_policy"_s, u"cap"_s);
    const QList<RabbitPolicy> operators {policy(u"cap"_s, u".*"_s, 0,
                                                {{u"max-length"_s, 50},
                                                 {u"message-ttl"_s, 999999},
                                                 {u"dead-letter-exchange"_s, u"ignored"_s}})};
    const QList<RabbitPolicy> policies {
        policy(u"p"_s, u".*"_s, 0, {{u"max-length"_s, 1000}, {u"message-ttl"_s, 1000}})};
    const QueueRetrySettings s = resolveRetrySettings(queue, policies, operators);
    QCOMPARE(s.setting(RetryKey::MaxLength).value.toInt(), 50);
    QCOMPARE(s.setting(RetryKey::MaxLength).source, u"operator policy cap"_s);
    QCOMPARE(s.setting(RetryKey::MessageTtl).source, u"policy p"_s);
    QVERIFY(s.setting(RetryKey::DeadLetterExchange).value.isUndefined());
}

void TestRetrySettings::policyInForceIsTheHighestPriorityMatch()
{
    const QList<RabbitPolicy> policies {
        policy(u"wide"_s, u".*"_s, 1, {{u"max-length"_s, 1}}),
        policy(u"narrow"_s, u"^orders"_s, 5, {{u"max-length"_s, 2}}),
        policy(u"other"_s, u"^payments"_s, 9, {{u"max-length"_s, 3}}),
        {u"shop"_s, u"exchanges-only"_s, u".*"_s, u"exchanges"_s, 99, {{u"max-length"_s, 4}}}};
    QCOMPARE(winningPolicy(policies, u"orders.process"_s)->name, u"narrow"_s);
    QCOMPARE(winningPolicy(policies, u"audit"_s)->name, u"wide"_s);
    QVERIFY(!winningPolicy({}, u"audit"_s));
    // The broker's word beats our guess: the queue entry names the policy in force.
    QJsonObject queue = queueEntry(u"orders.process"_s);
    queue.insert(u"policy"_s, u"wide"_s);
    QCOMPARE(resolveRetrySettings(queue, policies, {}).policy, u"wide"_s);
    queue.insert(u"policy"_s, QJsonValue()); // null: none
    QVERIFY(resolveRetrySettings(queue, policies, {}).policy.isEmpty());
}

void TestRetrySettings::planTakesOverWithHigherPriorityAndCarriesKeysOver()
{
    const QList<RabbitPolicy> policies {
        policy(u"shop"_s, u"^orders"_s, 3, {{u"max-length"_s, 1000}, {u"message-ttl"_s, 60000}}),
        policy(u"all"_s, u".*"_s, 1, {{u"max-length"_s, 5}})};
    const RetryPolicyPlan plan = planRetryPolicy(
        queueEntry(u"orders.process"_s), policies, {},
        {{RetryKey::MessageTtl, 30000}, {RetryKey::DeadLetterExchange, u"shop.dlx"_s}});
    QVERIFY2(plan.ok(), qPrintable(plan.errors.join(u"; "_s)));
    QCOMPARE(plan.policy.name, u"veltrix-retry.orders.process"_s);
    QCOMPARE(plan.policy.pattern, u"^orders\\.process$"_s);
    QCOMPARE(plan.policy.priority, 4);
    QCOMPARE(plan.policy.definition.value(u"max-length"_s).toInt(), 1000);
    QCOMPARE(plan.policy.definition.value(u"message-ttl"_s).toInt(), 30000);
    QVERIFY(!plan.replaced);
    QCOMPARE(plan.after.policy, plan.policy.name);
    QCOMPARE(plan.changedKeys(),
             (QList<RetryKey> {RetryKey::DeadLetterExchange, RetryKey::MessageTtl,
                               RetryKey::MaxLength}));
    QCOMPARE(plan.diffLines().at(1),
             u"message-ttl: 60000 (policy shop) → 30000 (policy veltrix-retry.orders.process)"_s);
    QVERIFY(plan.warnings.join(u' ').contains(u"takes it over for this queue only"_s));
    const QJsonObject json = plan.toJson();
    QVERIFY(json.value(u"creates_policy"_s).toBool());
    QCOMPARE(json.value(u"changes"_s).toArray().size(), 3);
}

void TestRetrySettings::planEditsTheConsolesOwnPolicyInPlace()
{
    const QList<RabbitPolicy> policies {
        policy(u"veltrix-retry.jobs"_s, u"^jobs$"_s, 8,
               {{u"delivery-limit"_s, 4}, {u"dead-letter-exchange"_s, u"x"_s}})};
    QJsonObject queue = queueEntry(u"jobs"_s, u"quorum"_s);
    queue.insert(u"policy"_s, u"veltrix-retry.jobs"_s);
    const RetryPolicyPlan plan
        = planRetryPolicy(queue, policies, {}, {{RetryKey::DeliveryLimit, QJsonValue()}});
    QVERIFY(plan.ok());
    QVERIFY(plan.replaced);
    QCOMPARE(plan.policy.priority, 8);
    QVERIFY(!plan.policy.definition.contains(u"delivery-limit"_s));
    QCOMPARE(plan.changedKeys(), QList<RetryKey> {RetryKey::DeliveryLimit});
    QCOMPARE(plan.diffLines(),
             QStringList {u"delivery-limit: 4 (policy veltrix-retry.jobs) → "
                          "not set"_s});
    // Removing the last key would leave an empty policy: refused.
    const RetryPolicyPlan empty = planRetryPolicy(
        queue, policies, {},
        {{RetryKey::DeliveryLimit, QJsonValue()}, {RetryKey::DeadLetterExchange, QJsonValue()}});
    QVERIFY(empty.errors.join(u' ').contains(u"left empty"_s));
}

void TestRetrySettings::planRefusesWhatCannotWork_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QJsonObject>("arguments");
    QTest::addColumn<int>("key");
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<QString>("says");
    const auto row = [](const char *name, const QString &type, const QJsonObject &arguments,
                        RetryKey key, const QJsonValue &value, const QString &says) {
        QTest::newRow(name) << type << arguments << int(key) << value << says;
    };
    row("delivery-limit on classic", u"classic"_s, {}, RetryKey::DeliveryLimit, 3,
        u"only quorum queues count deliveries"_s);
    row("argument shadows", u"classic"_s, {{u"x-dead-letter-exchange"_s, u"a"_s}},
        RetryKey::DeadLetterExchange, u"b"_s, u"wins over any policy"_s);
    row("negative ttl", u"classic"_s, {}, RetryKey::MessageTtl, -1, u"whole number ≥ 0"_s);
    row("fractional limit", u"quorum"_s, {}, RetryKey::DeliveryLimit, 2.5, u"whole number ≥ 0"_s);
    row("ttl as text", u"classic"_s, {}, RetryKey::MessageTtl, u"soon"_s, u"whole number ≥ 0"_s);
    row("unknown overflow", u"classic"_s, {}, RetryKey::Overflow, u"drop-tail"_s,
        u"overflow must be"_s);
    row("at-least-once on classic", u"classic"_s, {}, RetryKey::DeadLetterStrategy,
        u"at-least-once"_s, u"needs a quorum queue"_s);
    row("at-least-once without reject-publish", u"quorum"_s, {}, RetryKey::DeadLetterStrategy,
        u"at-least-once"_s, u"needs overflow reject-publish"_s);
    row("reject-publish-dlx on quorum", u"quorum"_s, {}, RetryKey::Overflow,
        u"reject-publish-dlx"_s, u"not supported by quorum queues"_s);
    row("stream", u"stream"_s, {}, RetryKey::MaxLength, 5, u"streams neither dead-letter"_s);
    row("exchange as number", u"classic"_s, {}, RetryKey::DeadLetterExchange, 5,
        u"must be a string"_s);
}

void TestRetrySettings::planRefusesWhatCannotWork()
{
    QFETCH(QString, type);
    QFETCH(QJsonObject, arguments);
    QFETCH(int, key);
    QFETCH(QJsonValue, value);
    QFETCH(QString, says);
    const RetryPolicyPlan plan
        = planRetryPolicy(queueEntry(u"q"_s, type, arguments), {}, {}, {{RetryKey(key), value}});
    QVERIFY(!plan.ok());
    QVERIFY2(plan.errors.join(u"; "_s).contains(says), qPrintable(plan.errors.join(u"; "_s)));
}

void TestRetrySettings::planWarnsAboutWhatStillWins()
{
    QJsonObject queue = queueEntry(u"q"_s, u"quorum"_s, {{u"x-message-ttl"_s, 1000}});
    RetryPolicyPlan plan = planRetryPolicy(queue, {}, {}, {{RetryKey::MessageTtl, 5000}});
    QVERIFY(plan.ok()); // allowed, but the argument's lower TTL stays
    QVERIFY(plan.warnings.join(u' ').contains(u"queue argument = 1000 is lower"_s));
    plan = planRetryPolicy(queueEntry(u"q"_s), {}, {},
                           {{RetryKey::DeadLetterRoutingKey, u"dead"_s}});
    QVERIFY(plan.warnings.join(u' ').contains(u"without a dead-letter-exchange"_s));
    // Editing a named policy that another outranks for this queue.
    const QList<RabbitPolicy> policies {policy(u"low"_s, u"^q"_s, 1, {{u"max-length"_s, 1}}),
                                        policy(u"high"_s, u"^q$"_s, 4, {{u"max-length"_s, 2}}),
                                        policy(u"twin"_s, u"^q"_s, 1, {{u"max-length"_s, 3}})};
    plan = planRetryPolicy(queueEntry(u"q"_s), policies, {}, {{RetryKey::MessageTtl, 1}}, u"low"_s);
    QVERIFY(
        plan.errors.join(u' ').contains(u"\"high\" matches it with a higher priority (4 > 1)"_s));
    QVERIFY(plan.warnings.join(u' ').contains(
        u"\"twin\" matches queue \"q\" with the same priority"_s));
    plan = planRetryPolicy(queueEntry(u"zzz"_s), policies, {}, {{RetryKey::MessageTtl, 1}},
                           u"low"_s);
    QVERIFY(plan.errors.join(u' ').contains(u"does not apply to queue \"zzz\""_s));
}

void TestRetrySettings::policiesParseOrSayWhy()
{
    const auto parsed = parsePolicies(QJsonDocument::fromJson(
        R"([{"vhost":"shop","name":"p","pattern":"^a","apply-to":"queues","priority":3,
             "definition":{"max-length":5}}])"));
    QVERIFY(parsed.ok());
    QCOMPARE(parsed->first(), policy(u"p"_s, u"^a"_s, 3, {{u"max-length"_s, 5}}));
    QVERIFY(!parsePolicies(QJsonDocument::fromJson(R"({"error":"x"})")).ok());
    QVERIFY(!parsePolicies(QJsonDocument::fromJson(R"([{"pattern":"^a"}])")).ok());
    QVERIFY(!parsePolicies(QJsonDocument::fromJson(R"([7])")).ok());
    // A pattern RabbitMQ would reject matches nothing here rather than everything.
    QVERIFY(!policy(u"bad"_s, u"(["_s, 0, {}).appliesToQueue(u"q"_s));
}

void TestRetrySettings::topicKeysMatchLikeTheBroker_data()
{
    QTest::addColumn<QString>("binding");
    QTest::addColumn<QString>("key");
    QTest::addColumn<bool>("matches");
    QTest::newRow("hash alone") << u"#"_s << u"a.b.c"_s << true;
    QTest::newRow("hash matches zero words") << u"a.#"_s << u"a"_s << true;
    QTest::newRow("star is one word") << u"a.*"_s << u"a.b.c"_s << false;
    QTest::newRow("star in the middle") << u"a.*.c"_s << u"a.b.c"_s << true;
    QTest::newRow("literal") << u"orders.attempt.2"_s << u"orders.attempt.2"_s << true;
    QTest::newRow("other literal") << u"orders.attempt.2"_s << u"orders.attempt.3"_s << false;
    QTest::newRow("hash then literal") << u"#.2"_s << u"orders.attempt.2"_s << true;
}

void TestRetrySettings::topicKeysMatchLikeTheBroker()
{
    QFETCH(QString, binding);
    QFETCH(QString, key);
    QFETCH(bool, matches);
    QCOMPARE(topicMatches(binding, key), matches);
}

void TestRetrySettings::ladderIsLaidOutStepByStep()
{
    LadderFacts facts;
    facts.queue = queueEntry(u"tasks"_s);
    facts.queueBindings
        = {binding(u""_s, u"tasks"_s, u"tasks"_s), binding(u"work"_s, u"tasks"_s, u"tasks"_s)};
    facts.exchanges = {QJsonObject {{u"name"_s, u"work"_s}, {u"type"_s, u"direct"_s}}};
    const LadderPlan plan = planLadder({u"shop"_s, u"tasks"_s, {1000, 5000, 30000}, {}, {}}, facts);
    QVERIFY2(plan.ok(), qPrintable(plan.errors.join(u"; "_s)));
    QCOMPARE(plan.workExchange, u"work"_s);
    QCOMPARE(plan.retryExchange, u"tasks.retry"_s);
    QCOMPARE(plan.steps.size(), 3);
    QCOMPARE(plan.steps[1].queue, u"tasks.retry.2"_s);
    QCOMPARE(plan.steps[1].returnKey, u"tasks.attempt.3"_s);
    const QJsonObject step2 = plan.steps[1].policy.policy.definition;
    QCOMPARE(step2.value(u"message-ttl"_s).toInt(), 5000);
    QCOMPARE(step2.value(u"dead-letter-exchange"_s).toString(), u"work"_s);
    QCOMPARE(step2.value(u"dead-letter-routing-key"_s).toString(), u"tasks.attempt.3"_s);
    QCOMPARE(plan.dlqKey, u"tasks.attempt.4"_s);
    QCOMPARE(plan.workQueuePolicy.policy.definition.value(u"dead-letter-exchange"_s).toString(),
             u"tasks.retry"_s);
    const QStringList diagram = plan.diagram();
    QCOMPARE(diagram.size(), 5);
    QVERIFY(diagram[3].contains(u"tasks.retry.3 (wait 30 s)"_s));
    QVERIFY(diagram[4].contains(u"tasks.dlq"_s));
    QCOMPARE(plan.toJson().value(u"steps"_s).toArray().size(), 3);
}

void TestRetrySettings::ladderNeedsOneRoutableWorkExchange()
{
    LadderFacts facts;
    facts.queue = queueEntry(u"tasks"_s);
    facts.exchanges = {QJsonObject {{u"name"_s, u"fan"_s}, {u"type"_s, u"fanout"_s}},
                       QJsonObject {{u"name"_s, u"a"_s}, {u"type"_s, u"direct"_s}}};
    const auto errors = [&](const LadderRequest &request) {
        return planLadder(request, facts).errors.join(u"; "_s);
    };
    QVERIFY(errors({u"shop"_s, u"tasks"_s, {1000}, {}, {}}).contains(u"bound to no exchange"_s));
    facts.queueBindings = {binding(u"a"_s, u"tasks"_s, u"x"_s), binding(u"fan"_s, u"tasks"_s, {})};
    QVERIFY(
        errors({u"shop"_s, u"tasks"_s, {1000}, {}, {}}).contains(u"several exchanges (a, fan)"_s));
    QVERIFY(errors({u"shop"_s, u"tasks"_s, {1000}, u"fan"_s, {}}).contains(u"fanout exchange"_s));
    QVERIFY(errors({u"shop"_s, u"tasks"_s, {1000}, u"nope"_s, {}}).contains(u"does not exist"_s));
    QVERIFY(errors({u"shop"_s, u"tasks"_s, {}, u"a"_s, {}}).contains(u"at least one step"_s));
    QVERIFY(errors({u"shop"_s, u"tasks"_s, {0}, u"a"_s, {}}).contains(u"between 1 ms and 24 h"_s));
    QVERIFY(errors({u"shop"_s, u"tasks"_s, {1000}, u"a"_s, {}}).isEmpty());
    // A dead-letter exchange fixed by a queue argument cannot be pointed at the ladder.
    facts.queue = queueEntry(u"tasks"_s, u"classic"_s, {{u"x-dead-letter-exchange"_s, u"d"_s}});
    QVERIFY(
        errors({u"shop"_s, u"tasks"_s, {1000}, u"a"_s, {}}).contains(u"wins over any policy"_s));
}

void TestRetrySettings::ladderWarnsAboutWildcardListenersAndDropsStaleSteps()
{
    LadderFacts facts;
    facts.queue = queueEntry(u"tasks"_s);
    facts.queueBindings = {binding(u"events"_s, u"tasks"_s, u"tasks.created"_s)};
    facts.exchanges = {QJsonObject {{u"name"_s, u"events"_s}, {u"type"_s, u"topic"_s}}};
    facts.bindings = {binding(u"events"_s, u"audit"_s, u"#"_s),
                      binding(u"events"_s, u"billing"_s, u"invoices.*"_s),
                      // an earlier, longer ladder
                      binding(u"tasks.retry"_s, u"tasks.retry.2"_s, u"tasks.attempt.2"_s),
                      binding(u"tasks.retry"_s, u"tasks.retry.3"_s, u"tasks.attempt.3"_s),
                      binding(u"tasks.retry"_s, u"tasks.dlq"_s, u"tasks.attempt.4"_s)};
    const LadderPlan plan = planLadder({u"shop"_s, u"tasks"_s, {1000, 2000}, {}, {}}, facts);
    QVERIFY2(plan.ok(), qPrintable(plan.errors.join(u"; "_s)));
    const QString warnings = plan.warnings.join(u"; "_s);
    QVERIFY2(warnings.contains(u"\"audit\" is bound to \"events\" with \"#\""_s),
             qPrintable(warnings));
    QVERIFY(!warnings.contains(u"billing"_s));
    // Kept: attempt.2 -> step 2. Stale: attempt.3 -> old step 3, attempt.4 -> DLQ.
    QCOMPARE(plan.staleBindings.size(), 2);
}

QTEST_GUILESS_MAIN(TestRetrySettings)
#include "tst_retrysettings.moc"
