#pragma once

#include "core/clusterprofile.h"
#include "core/result.h"
#include "redrive/auditlog.h"

#include <QJsonObject>
#include <QList>

#include <chrono>
#include <optional>

namespace veltrix {

// Where a consumer group should resume: "earliest", "latest", "offset:N" or an ISO 8601
// time ("2026-12-07T10:00:00Z": the first record at or after it).
struct OffsetResetTarget
{
    enum class Kind { Earliest, Latest, Offset, Timestamp };
    Kind kind = Kind::Latest;
    qint64 value = 0; // Offset: the offset; Timestamp: ms since the epoch

    static std::optional<OffsetResetTarget> parse(const QString &text, QString *why);
    QString toString() const;
};

struct OffsetResetPlan
{
    QString group;
    QString topic;
    OffsetResetTarget target;
    struct Partition
    {
        int partition = 0;
        qint64 current = -1; // committed now; -1: nothing committed
        qint64 next = -1; // where the group will resume
    };
    QList<Partition> partitions;
    QStringList notes; // e.g. an offset past the end, clamped

    QJsonObject toJson() const;
};

// Moves a consumer group's committed offsets on one topic. plan() reads and changes
// nothing; apply() refuses on read-only profiles, writes the audit line first, and commits
// the plan's offsets as a group of none (Kafka refuses while the group has members: their
// consumers must be stopped, and the error says so).
class OffsetReset
{
public:
    OffsetReset(ClusterProfile profile, std::chrono::milliseconds timeout,
                AuditLog audit = AuditLog());
    Result<OffsetResetPlan> plan(const QString &group, const QString &topic,
                                 const OffsetResetTarget &target);
    Result<OffsetResetPlan> apply(const OffsetResetPlan &plan);
    // A dry run is audited too: who looked at resetting what.
    void recordDryRun(const OffsetResetPlan &plan);

private:
    Result<bool> record(const OffsetResetPlan &plan, const QString &outcome,
                        const QString &error = {});

    ClusterProfile m_profile;
    std::chrono::milliseconds m_timeout;
    AuditLog m_audit;
};

} // namespace veltrix
