#pragma once

#include "auditlog.h"
#include "core/clusterprofile.h"
#include "redriverun.h"

namespace veltrix {

// The one way anything in Veltrix moves dead letters: the console and veltrixctl both call
// run(). It refuses on read-only profiles (dry runs excepted: they change nothing), writes
// an audit line before and after every run, dry runs included, and refuses to start when
// it cannot, then hands the work to the broker's redriver. Blocking: call it from a
// worker thread; steer it through the RedriveControl.
class RedriveEngine
{
public:
    explicit RedriveEngine(ClusterProfile profile, AuditLog audit = AuditLog());

    // The report says what happened, including a refusal (outcome Refused, error why).
    RedriveReport run(const RedriveRequest &request, RedriveControl &control,
                      const RedriveProgressSink &onProgress = {}) const;

    // Why the request cannot run on this profile, or empty. The read-only check lives here.
    QString refusal(const RedriveRequest &request) const;

private:
    ClusterProfile m_profile;
    AuditLog m_audit;
};

// The audit line for a finished run: counts, outcome and the ids it moved (at most
// 10,000; then "moved_ids_left_out"), failed and skipped ids with reasons.
QJsonObject redriveAuditRecord(const RedriveReport &report);

// Each broker's half. They fill the report and return when the run is over.
void runRabbitRedrive(RedriveRun &run);
void runKafkaRedrive(RedriveRun &run);

} // namespace veltrix
