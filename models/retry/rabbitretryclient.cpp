#include "rabbitretryclient.h"

#include "rabbitmq/managementclient.h"

#include <QDeadlineTimer>
#include <QJsonArray>
#include <QThread>

namespace veltrix {

using namespace Qt::StringLiterals;

namespace {

QString segment(const QString &name)
{
    return ManagementClient::encodeSegment(name);
}

} // namespace

Result<std::unique_ptr<RabbitRetryClient>>
RabbitRetryClient::open(const ClusterProfile &profile, AuditLog audit,
                        std::chrono::milliseconds timeout)
{
    if (profile.kind != ClusterKind::RabbitMq)
        return BrokerError::make(BrokerError::Kind::Configuration,
                                 u"%1 is not a RabbitMQ profile"_s.arg(profile.name));
    auto api = ManagementClient::forProfile(
        profile, timeout,
        u"add \"management\" (the management API URL) to the profile: retry settings are "
        "policies, read and written through it"_s);
    if (!api)
        return api.error();
    return std::unique_ptr<RabbitRetryClient>(
        new RabbitRetryClient(profile, std::move(api).value(), std::move(audit)));
}

RabbitRetryClient::RabbitRetryClient(ClusterProfile profile, std::unique_ptr<ManagementClient> api,
                                     AuditLog audit)
    : m_profile(std::move(profile))
    , m_api(std::move(api))
    , m_audit(std::move(audit))
{ }

RabbitRetryClient::~RabbitRetryClient() = default;

Result<QJsonObject> RabbitRetryClient::queueEntry(const QString &vhost, const QString &queue)
{
    auto answer = m_api->get(u"/api/queues/%1/%2"_s.arg(segment(vhost), segment(queue)));
    if (!answer)
        return answer.error();
    if (!answer->isObject())
        return BrokerError::make(BrokerError::Kind::Protocol,
                                 u"%1: the management API's answer for queue \"%2\" is not an "
                                 "object"_s.arg(m_profile.name, queue));
    return answer->object();
}

Result<QList<RabbitPolicy>> RabbitRetryClient::policies(const QString &vhost, bool operatorPolicies)
{
    auto answer = m_api->get((operatorPolicies ? u"/api/operator-policies/"_s : u"/api/policies/"_s)
                             + segment(vhost));
    if (!answer)
        return answer.error();
    return parsePolicies(answer.value());
}

Result<QJsonArray> RabbitRetryClient::array(const QString &path)
{
    auto answer = m_api->get(path);
    if (!answer)
        return answer.error();
    if (!answer->isArray())
        return BrokerError::make(BrokerError::Kind::Protocol,
                                 u"%1: %2 did not answer a JSON array"_s.arg(m_profile.name, path));
    return answer->array();
}

Result<RabbitRetryClient::QueueState> RabbitRetryClient::queueState(const QString &vhost,
                                                                    const QString &queue)
{
    auto entry = queueEntry(vhost, queue);
    if (!entry)
        return entry.error();
    auto own = policies(vhost, false);
    if (!own)
        return own.error();
    auto operators = policies(vhost, true);
    if (!operators)
        return operators.error();
    return QueueState {entry.value(), own.value(), operators.value()};
}

Result<QueueRetrySettings> RabbitRetryClient::settings(const QString &vhost, const QString &queue)
{
    auto state = queueState(vhost, queue);
    if (!state)
        return state.error();
    return resolveRetrySettings(state->queue, state->policies, state->operatorPolicies);
}

Result<RetryPolicyPlan> RabbitRetryClient::planPolicy(const QString &vhost, const QString &queue,
                                                      const QList<RetryChange> &changes,
                                                      const QString &policyName)
{
    auto state = queueState(vhost, queue);
    if (!state)
        return state.error();
    RetryPolicyPlan plan = planRetryPolicy(state->queue, state->policies, state->operatorPolicies,
                                           changes, policyName);
    plan.policy.vhost = vhost;
    return plan;
}

Result<bool> RabbitRetryClient::refuseIfReadOnly(const QString &what) const
{
    if (!m_profile.readOnly)
        return true;
    return BrokerError::make(BrokerError::Kind::Configuration,
                             u"profile \"%1\" is read-only: %2 is refused (a dry run is "
                             "allowed)"_s.arg(m_profile.name, what));
}

Result<bool> RabbitRetryClient::writePolicy(const RabbitPolicy &policy)
{
    auto put = m_api->put(u"/api/policies/%1/%2"_s.arg(segment(policy.vhost), segment(policy.name)),
                          policy.toApiBody());
    if (!put)
        return put.error();
    // Read back: what the broker holds must be what was written.
    auto back
        = m_api->get(u"/api/policies/%1/%2"_s.arg(segment(policy.vhost), segment(policy.name)));
    if (!back)
        return back.error();
    auto parsed = parsePolicies(QJsonDocument(QJsonArray {back->object()}));
    if (!parsed || parsed->size() != 1 || parsed->first().definition != policy.definition
        || parsed->first().pattern != policy.pattern || parsed->first().priority != policy.priority
        || parsed->first().applyTo != policy.applyTo)
        return BrokerError::make(
            BrokerError::Kind::Protocol,
            u"%1: policy \"%2\" reads back differently from what was "
            "written: %3"_s.arg(m_profile.name, policy.name,
                                QString::fromUtf8(back->toJson(QJsonDocument::Compact))));
    return true;
}

Result<QueueRetrySettings> RabbitRetryClient::waitForSettings(const RetryPolicyPlan &plan)
{
    // Policies reach queues asynchronously: poll until the queue shows the planned state.
    const QDeadlineTimer deadline(10000);
    for (;;) {
        auto now = settings(plan.before.vhost, plan.before.queue);
        if (!now)
            return now.error();
        bool same = true;
        for (RetryKey key : allRetryKeys())
            same = same && now->setting(key).value == plan.after.setting(key).value
                && now->setting(key).source == plan.after.setting(key).source;
        if (same)
            return now;
        if (deadline.hasExpired()) {
            QStringList differences;
            for (RetryKey key : allRetryKeys())
                if (now->setting(key).value != plan.after.setting(key).value)
                    differences << policyKeyName(key);
            return BrokerError::make(BrokerError::Kind::Protocol,
                                     u"%1: queue \"%2\" does not run with the new settings after "
                                     "10 s (%3 differ)"_s.arg(m_profile.name, plan.before.queue,
                                                              differences.join(u", "_s)));
        }
        QThread::msleep(100);
    }
}

Result<bool> RabbitRetryClient::audit(const QString &action, const QJsonObject &plan,
                                      const QString &outcome, const QString &error)
{
    QJsonObject record {{u"action"_s, action},
                        {u"profile"_s, m_profile.name},
                        {u"plan"_s, plan},
                        {u"outcome"_s, outcome}};
    if (!error.isEmpty())
        record.insert(u"error"_s, error);
    return m_audit.append(record);
}

Result<bool> RabbitRetryClient::recordDryRun(const QString &action, const QJsonObject &plan)
{
    return audit(action, plan, u"dry-run"_s);
}

Result<QueueRetrySettings>
RabbitRetryClient::audited(const QString &what, const QString &action, const QStringList &errors,
                           const QJsonObject &plan,
                           const std::function<Result<QueueRetrySettings>()> &change)
{
    if (auto allowed = refuseIfReadOnly(what); !allowed)
        return allowed.error();
    if (!errors.isEmpty())
        return BrokerError::make(BrokerError::Kind::Configuration, errors.join(u"; "_s));
    // No line in the log, no change: the audit trail must not miss one.
    if (auto logged = audit(action, plan, u"started"_s); !logged)
        return logged.error();
    auto done = change();
    audit(action, plan, done ? u"applied"_s : u"failed"_s,
          done ? QString() : done.error().describe());
    return done;
}

Result<QueueRetrySettings> RabbitRetryClient::applyPolicy(const RetryPolicyPlan &plan)
{
    return audited(u"changing a retry policy"_s, u"retry.policy"_s, plan.errors, plan.toJson(),
                   [&]() -> Result<QueueRetrySettings> {
                       if (auto written = writePolicy(plan.policy); !written)
                           return written.error();
                       return waitForSettings(plan);
                   });
}

Result<LadderPlan> RabbitRetryClient::planLadder(const LadderRequest &request)
{
    auto state = queueState(request.vhost, request.queue);
    if (!state)
        return state.error();
    const QString vhost = segment(request.vhost);
    auto queueBindings = array(u"/api/queues/%1/%2/bindings"_s.arg(vhost, segment(request.queue)));
    auto exchanges = array(u"/api/exchanges/%1"_s.arg(vhost));
    auto bindings = array(u"/api/bindings/%1"_s.arg(vhost));
    for (const BrokerError *error :
         {queueBindings ? nullptr : &queueBindings.error(),
          exchanges ? nullptr : &exchanges.error(), bindings ? nullptr : &bindings.error()})
        if (error)
            return *error;
    const LadderFacts facts {state->queue,     queueBindings.value(), exchanges.value(),
                             bindings.value(), state->policies,       state->operatorPolicies};
    LadderPlan plan = veltrix::planLadder(request, facts);
    for (LadderStep &step : plan.steps)
        step.policy.policy.vhost = request.vhost;
    plan.workQueuePolicy.policy.vhost = request.vhost;
    return plan;
}

Result<QueueRetrySettings> RabbitRetryClient::applyLadder(const LadderPlan &plan)
{
    const QString vhost = segment(plan.vhost);
    const auto declareQueue = [&](const QString &name) {
        return m_api->put(u"/api/queues/%1/%2"_s.arg(vhost, segment(name)),
                          {{u"durable"_s, true}, {u"auto_delete"_s, false}});
    };
    const auto declareExchange = [&](const QString &name, const QString &type,
                                     const QJsonObject &arguments) {
        return m_api->put(u"/api/exchanges/%1/%2"_s.arg(vhost, segment(name)),
                          {{u"type"_s, type}, {u"durable"_s, true}, {u"arguments"_s, arguments}});
    };
    const auto bind = [&](const QString &exchange, const QString &queue, const QString &key) {
        return m_api->post(
            u"/api/bindings/%1/e/%2/q/%3"_s.arg(vhost, segment(exchange), segment(queue)),
            {{u"routing_key"_s, key}});
    };
    return audited(
        u"building a retry ladder"_s, u"retry.ladder"_s, plan.errors, plan.toJson(),
        [&]() -> Result<QueueRetrySettings> {
            if (auto ok = declareQueue(plan.dlq); !ok)
                return ok.error();
            for (const LadderStep &step : plan.steps) {
                if (auto ok = declareQueue(step.queue); !ok)
                    return ok.error();
                if (auto ok = writePolicy(step.policy.policy); !ok)
                    return ok.error();
            }
            if (auto ok = declareExchange(plan.firstStepExchange, u"fanout"_s, {}); !ok)
                return ok.error();
            if (auto ok = declareExchange(plan.retryExchange, u"direct"_s,
                                          {{u"alternate-exchange"_s, plan.firstStepExchange}});
                !ok)
                return ok.error();
            if (auto ok = bind(plan.firstStepExchange, plan.steps.first().queue, {}); !ok)
                return ok.error();
            for (qsizetype i = 1; i < plan.steps.size(); ++i)
                if (auto ok
                    = bind(plan.retryExchange, plan.steps[i].queue, plan.steps[i - 1].returnKey);
                    !ok)
                    return ok.error();
            if (auto ok = bind(plan.retryExchange, plan.dlq, plan.dlqKey); !ok)
                return ok.error();
            for (const LadderStep &step : plan.steps)
                if (auto ok = bind(plan.workExchange, plan.workQueue, step.returnKey); !ok)
                    return ok.error();
            for (const QJsonObject &stale : plan.staleBindings) {
                const QString kind = stale.value(u"destination_type"_s).toString() == u"exchange"
                    ? u"e"_s
                    : u"q"_s;
                if (auto ok = m_api->remove(u"/api/bindings/%1/e/%2/%3/%4/%5"_s.arg(
                        vhost, segment(plan.retryExchange), kind,
                        segment(stale.value(u"destination"_s).toString()),
                        segment(stale.value(u"properties_key"_s).toString())));
                    !ok)
                    return ok.error();
            }
            // Last: the work queue starts dead-lettering into the finished ladder.
            if (auto ok = writePolicy(plan.workQueuePolicy.policy); !ok)
                return ok.error();
            return waitForSettings(plan.workQueuePolicy);
        });
}

} // namespace veltrix
