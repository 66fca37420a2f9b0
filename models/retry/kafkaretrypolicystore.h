#pragma once

#include "core/clusterprofile.h"
#include "kafkaretrypolicy.h"
#include "redrive/auditlog.h"

#include <chrono>
#include <memory>

namespace veltrix {

class KafkaHandle;

// A change to one group's policy: the version in force and the one to publish.
struct KafkaRetryPolicyPlan
{
    QString topic;
    std::optional<KafkaRetryPolicy> before; // nullopt: the group has none yet
    KafkaRetryPolicy after;
    QStringList diff; // "max_attempts: 5 → 1"
    QStringList errors; // not published when any
    QStringList warnings;

    bool ok() const { return errors.isEmpty(); }
    QJsonObject toJson() const;
};

// The compacted topic of Kafka retry policies: read the latest version per group and a
// group's history, and publish a new version (idempotent producer, acks=all, confirmed by
// its delivery report, read back). Refused on read-only profiles; audited. Blocking; one
// thread.
class KafkaRetryPolicyStore
{
public:
    static Result<std::unique_ptr<KafkaRetryPolicyStore>>
    open(const ClusterProfile &profile, const QString &topic = KafkaRetryPolicy::DefaultTopic,
         AuditLog audit = AuditLog(), std::chrono::milliseconds timeout = std::chrono::seconds(10));
    ~KafkaRetryPolicyStore();

    const QString &topic() const { return m_topic; }
    // Creates the topic (one partition, compacted) when it does not exist.
    Result<bool> ensureTopic();
    // Every record of the topic, oldest first; unreadable records carry their problem.
    // A missing topic is an empty list.
    Result<QList<KafkaRetryPolicyVersion>> versions();
    // The group's latest version; nullopt when it has none (or it was removed).
    Result<std::optional<KafkaRetryPolicy>> current(const QString &group);
    Result<QList<KafkaRetryPolicyVersion>> history(const QString &group);
    // The latest readable version of every group that has a policy, by group name.
    Result<QList<KafkaRetryPolicy>> currentPolicies();

    Result<KafkaRetryPolicyPlan> plan(const KafkaRetryPolicy &wanted);
    // Publishes plan.after (stamped with the time and the user) and reads it back.
    Result<KafkaRetryPolicyVersion> publish(const KafkaRetryPolicyPlan &plan);
    Result<bool> recordDryRun(const KafkaRetryPolicyPlan &plan);

private:
    KafkaRetryPolicyStore(ClusterProfile profile, QString topic, AuditLog audit,
                          std::chrono::milliseconds timeout);
    Result<bool> topicExists();

    ClusterProfile m_profile;
    QString m_topic;
    AuditLog m_audit;
    std::chrono::milliseconds m_timeout;
    std::unique_ptr<KafkaHandle> m_producer;
};

} // namespace veltrix
