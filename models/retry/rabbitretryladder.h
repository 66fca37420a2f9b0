#pragma once

#include "rabbitretrysettings.h"

#include <QJsonArray>

namespace veltrix {

// A backoff ladder for a work queue, built from broker features only, so consumers need
// nothing but basic.reject(requeue=false):
//
//   work queue --dead-letter--> <q>.retry (direct; alternate exchange <q>.retry.first)
//     first rejection (original routing key, unbound) -> <q>.retry.first -> step 1
//     routing key <q>.attempt.<n>                                        -> step n
//     routing key <q>.attempt.<steps+1>                                  -> the DLQ
//   step n: a queue whose policy sets message-ttl (the delay) and dead-letters to the work
//   exchange with routing key <q>.attempt.<n+1>, a key the work queue is bound with.
//
// The routing key counts the attempts, so each rejection moves one step down the ladder.
struct LadderRequest
{
    QString vhost;
    QString queue;
    QList<qint64> delaysMs; // one per step, e.g. 1000, 5000, 30000
    QString workExchange; // empty: the one exchange the queue is bound to
    QString dlq; // empty: <queue>.dlq
};

struct LadderStep
{
    QString queue; // <queue>.retry.<n>
    qint64 delayMs = 0;
    QString returnKey; // <queue>.attempt.<n+1>
    RetryPolicyPlan policy; // message-ttl and the way back
};

// What the broker holds about the work queue, for planning.
struct LadderFacts
{
    QJsonObject queue; // /api/queues/<vhost>/<queue>
    QJsonArray queueBindings; // /api/queues/<vhost>/<queue>/bindings
    QJsonArray exchanges; // /api/exchanges/<vhost>
    QJsonArray bindings; // /api/bindings/<vhost>
    QList<RabbitPolicy> policies;
    QList<RabbitPolicy> operatorPolicies;
};

struct LadderPlan
{
    QString vhost;
    QString workQueue;
    QString workExchange;
    QString retryExchange; // <queue>.retry
    QString firstStepExchange; // <queue>.retry.first
    QList<LadderStep> steps;
    QString dlq;
    QString dlqKey; // <queue>.attempt.<steps+1>
    RetryPolicyPlan workQueuePolicy; // dead-letter-exchange = retryExchange
    // Earlier ladder bindings on the retry exchange that this plan no longer has (a
    // shorter ladder): removed, or their messages would still go to the old step.
    QList<QJsonObject> staleBindings;
    QStringList errors;
    QStringList warnings;

    bool ok() const { return errors.isEmpty(); }
    QStringList diagram() const; // text, one line per path
    QJsonObject toJson() const;
};

LadderPlan planLadder(const LadderRequest &request, const LadderFacts &facts);

// "1s", "500ms", "2m", "1h", "1.5s" (a bare number is seconds) in ms; nullopt otherwise.
std::optional<qint64> parseDelay(const QString &text);
// A comma-separated list of them; nullopt and the bad item in *bad otherwise.
std::optional<QList<qint64>> parseDelays(const QString &list, QString *bad = nullptr);
// "1 s", "5 min", "250 ms": for diagrams.
QString delayText(qint64 ms);

} // namespace veltrix
