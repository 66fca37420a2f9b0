#include "rabbitretryladder.h"

#include <QJsonObject>
#include <QRegularExpression>

namespace veltrix {

using namespace Qt::StringLiterals;

namespace {

QString exchangeType(const QJsonArray &exchanges, const QString &name)
{
    for (const QJsonValue &value : exchanges)
        if (value.toObject().value(u"name"_s).toString() == name)
            return value.toObject().value(u"type"_s).toString();
    return {};
}

} // namespace

LadderPlan planLadder(const LadderRequest &request, const LadderFacts &facts)
{
    LadderPlan plan;
    plan.vhost = request.vhost;
    plan.workQueue = request.queue;
    plan.retryExchange = request.queue + u".retry"_s;
    plan.firstStepExchange = request.queue + u".retry.first"_s;
    plan.dlq = request.dlq.isEmpty() ? request.queue + u".dlq"_s : request.dlq;
    const auto attemptKey
        = [&](qsizetype n) { return u"%1.attempt.%2"_s.arg(request.queue).arg(n); };
    plan.dlqKey = attemptKey(request.delaysMs.size() + 1);

    if (request.delaysMs.isEmpty())
        plan.errors << u"a ladder needs at least one step (e.g. --backoff 1s,5s,30s)"_s;
    if (request.delaysMs.size() > 20)
        plan.errors << u"%1 steps: at most 20"_s.arg(request.delaysMs.size());
    for (qint64 delay : request.delaysMs)
        if (delay <= 0 || delay > 24LL * 3600 * 1000)
            plan.errors << u"a step's delay must be between 1 ms and 24 h, not %1 ms"_s.arg(delay);

    // The work exchange: named, or the one exchange the queue is bound to.
    plan.workExchange = request.workExchange;
    if (plan.workExchange.isEmpty()) {
        QStringList sources;
        for (const QJsonValue &binding : facts.queueBindings) {
            const QString source = binding.toObject().value(u"source"_s).toString();
            if (!source.isEmpty() && !sources.contains(source) && source != plan.retryExchange)
                sources << source;
        }
        if (sources.size() == 1)
            plan.workExchange = sources.first();
        else if (sources.isEmpty())
            plan.errors << u"queue \"%1\" is bound to no exchange (only the default one, which "
                           "routes by queue name): name the work exchange with --exchange"_s.arg(
                               request.queue);
        else
            plan.errors << u"queue \"%1\" is bound to several exchanges (%2): name the work "
                           "exchange with --exchange"_s.arg(request.queue, sources.join(u", "_s));
    }
    const QString type = exchangeType(facts.exchanges, plan.workExchange);
    if (!plan.workExchange.isEmpty() && type.isEmpty())
        plan.errors << u"exchange \"%1\" does not exist in vhost \"%2\""_s.arg(plan.workExchange,
                                                                               request.vhost);
    else if (!type.isEmpty() && type != u"direct" && type != u"topic")
        plan.errors << u"exchange \"%1\" is a %2 exchange: a ladder returns messages by routing "
                       "key, so it needs a direct or topic exchange"_s.arg(plan.workExchange, type);

    // Other queues a topic exchange would also hand the returning messages to.
    for (const QJsonValue &value : facts.bindings) {
        const QJsonObject binding = value.toObject();
        if (type != u"topic" || binding.value(u"source"_s).toString() != plan.workExchange
            || binding.value(u"destination"_s).toString() == request.queue)
            continue;
        for (qsizetype n = 2; n <= request.delaysMs.size() + 1; ++n) {
            if (topicMatches(binding.value(u"routing_key"_s).toString(), attemptKey(n))) {
                plan.warnings
                    << u"%1 \"%2\" is bound to \"%3\" with \"%4\": it would get a copy of "
                       "every retried message"_s.arg(
                           binding.value(u"destination_type"_s).toString(),
                           binding.value(u"destination"_s).toString(), plan.workExchange,
                           binding.value(u"routing_key"_s).toString());
                break;
            }
        }
    }

    for (qsizetype i = 0; i < request.delaysMs.size(); ++i) {
        LadderStep step;
        step.queue = u"%1.retry.%2"_s.arg(request.queue).arg(i + 1);
        step.delayMs = request.delaysMs[i];
        step.returnKey = attemptKey(i + 2);
        const QJsonObject stepQueue {
            {u"name"_s, step.queue}, {u"vhost"_s, request.vhost}, {u"type"_s, u"classic"_s}};
        step.policy = planRetryPolicy(stepQueue, facts.policies, facts.operatorPolicies,
                                      {{RetryKey::MessageTtl, step.delayMs},
                                       {RetryKey::DeadLetterExchange, plan.workExchange},
                                       {RetryKey::DeadLetterRoutingKey, step.returnKey}});
        plan.errors << step.policy.errors;
        plan.steps.append(step);
    }
    plan.workQueuePolicy = planRetryPolicy(facts.queue, facts.policies, facts.operatorPolicies,
                                           {{RetryKey::DeadLetterExchange, plan.retryExchange},
                                            {RetryKey::DeadLetterRoutingKey, QJsonValue()}});
    plan.errors << plan.workQueuePolicy.errors;
    plan.warnings << plan.workQueuePolicy.warnings;
    if (facts.queue.value(u"type"_s).toString() == u"quorum"
        && !plan.workQueuePolicy.after.setting(RetryKey::DeliveryLimit).value.isUndefined())
        plan.warnings << u"the queue also has a delivery-limit: a message requeued that often is "
                         "dead-lettered into the ladder too, one step further down"_s;

    // Bindings of the retry exchange as "<routing key> -> <queue>".
    QSet<QString> planned {plan.dlqKey + u" -> "_s + plan.dlq};
    for (qsizetype n = 2; n <= plan.steps.size(); ++n)
        planned.insert(attemptKey(n) + u" -> "_s + plan.steps[n - 1].queue);
    for (const QJsonValue &value : facts.bindings) {
        const QJsonObject binding = value.toObject();
        const QString route = binding.value(u"routing_key"_s).toString() + u" -> "_s
            + binding.value(u"destination"_s).toString();
        if (binding.value(u"source"_s).toString() == plan.retryExchange && !planned.contains(route))
            plan.staleBindings.append(binding);
    }
    for (const QJsonObject &stale : plan.staleBindings)
        plan.warnings << u"the old ladder binding %1 → %2 (%3) is removed"_s.arg(
            plan.retryExchange, stale.value(u"destination"_s).toString(),
            stale.value(u"routing_key"_s).toString());
    return plan;
}

QStringList LadderPlan::diagram() const
{
    QStringList lines;
    lines << u"%1 ──rejected──▶ %2"_s.arg(workQueue, retryExchange);
    for (qsizetype i = 0; i < steps.size(); ++i) {
        const LadderStep &step = steps[i];
        const QString via
            = i == 0 ? u"first rejection"_s : u"%1.attempt.%2"_s.arg(workQueue).arg(i + 1);
        lines << u"  [%1] ──▶ %2 (wait %3) ──▶ %4 [%5] ──▶ %6"_s.arg(
            via, step.queue, delayText(step.delayMs), workExchange, step.returnKey, workQueue);
    }
    lines << u"  [%1] ──▶ %2 (dead letters)"_s.arg(dlqKey, dlq);
    return lines;
}

QJsonObject LadderPlan::toJson() const
{
    QJsonArray stepArray;
    for (const LadderStep &step : steps)
        stepArray.append(QJsonObject {{u"queue"_s, step.queue},
                                      {u"delay_ms"_s, step.delayMs},
                                      {u"return_routing_key"_s, step.returnKey},
                                      {u"policy"_s, step.policy.policy.name}});
    return {{u"vhost"_s, vhost},
            {u"queue"_s, workQueue},
            {u"work_exchange"_s, workExchange},
            {u"retry_exchange"_s, retryExchange},
            {u"steps"_s, stepArray},
            {u"dlq"_s, dlq},
            {u"dlq_routing_key"_s, dlqKey},
            {u"work_queue_policy"_s, workQueuePolicy.toJson()},
            {u"diagram"_s, QJsonArray::fromStringList(diagram())},
            {u"errors"_s, QJsonArray::fromStringList(errors)},
            {u"warnings"_s, QJsonArray::fromStringList(warnings)}};
}

QString delayText(qint64 ms)
{
    if (ms % 60000 == 0)
        return u"%1 min"_s.arg(ms / 60000);
    if (ms % 1000 == 0)
        return u"%1 s"_s.arg(ms / 1000);
    return u"%1 ms"_s.arg(ms);
}

std::optional<qint64> parseDelay(const QString &text)
{
    static const QRegularExpression form(u"^(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|min|h)?$"_s);
    const auto match = form.match(text.trimmed());
    if (!match.hasMatch())
        return std::nullopt;
    const QString unit = match.captured(2);
    const double factor = unit == u"ms"  ? 1
        : unit == u"m" || unit == u"min" ? 60000
        : unit == u"h"                   ? 3600000
                                         : 1000;
    return qint64(match.captured(1).toDouble() * factor);
}

std::optional<QList<qint64>> parseDelays(const QString &list, QString *bad)
{
    QList<qint64> out;
    for (const QString &item : list.split(u',', Qt::SkipEmptyParts)) {
        const auto ms = parseDelay(item);
        if (!ms) {
            if (bad)
                *bad = item.trimmed();
            return std::nullopt;
        }
        out.append(*ms);
    }
    return out;
}

} // namespace veltrix
