#pragma once

#include "redrive/auditfollower.h"

#include <QObject>

#include <memory>

class QTimer;

namespace veltrix {

class ExporterMetrics;
class SessionManager;

// Feeds the exporter's metrics from the cluster sessions (status, lag snapshots, DLQ
// scans, probe outcomes) and from the audit log (redrives and retry changes, whoever made
// them). The same wiring serves the console and `veltrixctl exporter`.
class ExporterBridge : public QObject
{
    Q_OBJECT
public:
    ExporterBridge(SessionManager *sessions, std::shared_ptr<ExporterMetrics> metrics,
                   const QString &auditPath, QObject *parent = nullptr);

    void followAudit(); // reads what the audit log gained; also on a timer

private:
    std::shared_ptr<ExporterMetrics> m_metrics;
    AuditFollower m_audit;
    QTimer *m_auditTimer;
};

} // namespace veltrix
