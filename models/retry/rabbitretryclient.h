#pragma once

#include "core/clusterprofile.h"
#include "rabbitretryladder.h"
#include "rabbitretrysettings.h"
#include "redrive/auditlog.h"

#include <chrono>
#include <functional>
#include <memory>

namespace veltrix {

class ManagementClient;

// Reads and changes RabbitMQ retry settings through the management API: what the
// console's retry editor and `veltrixctl retry` share. Blocking; one thread.
// Every change is refused on a read-only profile, needs a plan without errors, is
// checked by reading it back, and is appended to the audit log (dry runs too).
class RabbitRetryClient
{
public:
    static Result<std::unique_ptr<RabbitRetryClient>>
    open(const ClusterProfile &profile, AuditLog audit = AuditLog(),
         std::chrono::milliseconds timeout = std::chrono::seconds(10));
    ~RabbitRetryClient();

    Result<QueueRetrySettings> settings(const QString &vhost, const QString &queue);
    Result<RetryPolicyPlan> planPolicy(const QString &vhost, const QString &queue,
                                       const QList<RetryChange> &changes,
                                       const QString &policyName = {});
    // Writes the policy, then waits (up to 10 s) until the queue runs with it and returns
    // the settings read back; an error when they differ from the plan's.
    Result<QueueRetrySettings> applyPolicy(const RetryPolicyPlan &plan);

    Result<LadderPlan> planLadder(const LadderRequest &request);
    // Builds the path first (DLQ, step queues and their policies, exchanges, bindings,
    // stale bindings removed) and points the work queue at it last, so a rejection never
    // meets half a ladder.
    Result<QueueRetrySettings> applyLadder(const LadderPlan &plan);

    // The audit line of a dry run: what would have changed.
    Result<bool> recordDryRun(const QString &action, const QJsonObject &plan);

private:
    RabbitRetryClient(ClusterProfile profile, std::unique_ptr<ManagementClient> api,
                      AuditLog audit);
    // What planning and resolving need: the queue's entry and the vhost's policies.
    struct QueueState
    {
        QJsonObject queue;
        QList<RabbitPolicy> policies;
        QList<RabbitPolicy> operatorPolicies;
    };
    Result<QueueState> queueState(const QString &vhost, const QString &queue);
    Result<QJsonObject> queueEntry(const QString &vhost, const QString &queue);
    Result<QList<RabbitPolicy>> policies(const QString &vhost, bool operatorPolicies);
    Result<QJsonArray> array(const QString &path);
    Result<bool> refuseIfReadOnly(const QString &what) const;
    Result<bool> writePolicy(const RabbitPolicy &policy);
    Result<QueueRetrySettings> waitForSettings(const RetryPolicyPlan &plan);
    Result<bool> audit(const QString &action, const QJsonObject &plan, const QString &outcome,
                       const QString &error = {});
    // Every change's frame: refused on a read-only profile (`what` says what) or a plan
    // with errors; a "started" line before anything is written, the outcome after.
    Result<QueueRetrySettings> audited(const QString &what, const QString &action,
                                       const QStringList &errors, const QJsonObject &plan,
                                       const std::function<Result<QueueRetrySettings>()> &change);

    ClusterProfile m_profile;
    std::unique_ptr<ManagementClient> m_api;
    AuditLog m_audit;
};

} // namespace veltrix
