#pragma once

#include "core/clusterprofile.h"
#include "core/deadletterqueue.h"
#include "core/result.h"
#include "redrive/auditlog.h"

#include <chrono>

namespace veltrix {

struct PurgeOutcome
{
    DlqSource source;
    bool dryRun = false;
    qint64 messages = 0; // removed, or (dry run) that would be
};

// Empties a dead-letter queue for good: RabbitMQ queue.purge (ready messages; those
// delivered and not yet acknowledged stay), Kafka DeleteRecords up to each partition's end.
// Refused on read-only profiles (a dry run, which counts, is allowed); every run, dry or
// not, is a line in the audit log, written before anything is removed.
class DlqPurge
{
public:
    DlqPurge(ClusterProfile profile, std::chrono::milliseconds timeout,
             AuditLog audit = AuditLog());
    Result<PurgeOutcome> run(const DlqSource &source, bool dryRun);

private:
    Result<qint64> rabbit(const DlqSource &source, bool dryRun);
    Result<qint64> kafka(const DlqSource &source, bool dryRun);
    Result<bool> record(const DlqSource &source, const QString &outcome, qint64 messages,
                        const QString &error = {});

    ClusterProfile m_profile;
    std::chrono::milliseconds m_timeout;
    AuditLog m_audit;
};

} // namespace veltrix
