#pragma once

#include "core/clusterprofile.h"
#include "core/result.h"

namespace veltrix::demo {

// Two consumer groups in trouble, set up once at start so the lag view has every
// verdict to show, not only the live groups' OK / WARN:
//  - fraud-check read `payments` up to its end at start-up and then died: its lag
//    grows with the traffic and it turns STOP once a window has passed;
//  - audit-archiver committed offset 0 of `audit-log`, which then received more than
//    the mock broker keeps per partition (5 MiB): retention moved the log start past
//    the committed offset, so its next read would fail with OffsetOutOfRange.
// Plain librdkafka calls with explicit commits: nobody joins these groups.
class LagScenarios
{
public:
    explicit LagScenarios(ClusterProfile profile);

    Result<bool> setUp(std::chrono::milliseconds timeout = std::chrono::seconds(20));

    // What audit-log holds once set up: enough to push the log start past 0.
    static constexpr int AuditRecordBytes = 100 * 1024;
    static constexpr int AuditRecordCount = 70; // 7 MiB

private:
    Result<bool> commitPaymentsEnd(std::chrono::milliseconds timeout);
    Result<bool> fillAuditLog(std::chrono::milliseconds timeout);

    ClusterProfile m_profile;
};

} // namespace veltrix::demo
