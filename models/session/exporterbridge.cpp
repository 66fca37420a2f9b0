#include "exporterbridge.h"

#include "metrics/exportermetrics.h"
#include "sessionmanager.h"

#include <QTimer>

namespace veltrix {

using namespace Qt::StringLiterals;

ExporterBridge::ExporterBridge(SessionManager *sessions, std::shared_ptr<ExporterMetrics> metrics,
                               const QString &auditPath, QObject *parent)
    : QObject(parent)
    , m_metrics(std::move(metrics))
    , m_audit(auditPath)
    , m_auditTimer(new QTimer(this))
{
    connect(sessions, &SessionManager::statusChanged, this, [this](const ConnectionStatus &s) {
        if (s.state == ConnectionStatus::State::Connecting)
            return;
        const bool up = s.state != ConnectionStatus::State::Failed;
        m_metrics->setClusterUp(s.clusterName, up);
        if (!up)
            m_metrics->recordPoll(s.clusterName, u"metadata"_s, 0, false);
    });
    connect(sessions, &SessionManager::topologyAvailable, this,
            [this](const ClusterTopology &topology) {
                m_metrics->recordPoll(topology.clusterName, u"metadata"_s,
                                      topology.fetchMs / 1000.0, true);
            });
    connect(sessions, &SessionManager::lagSnapshotAvailable, this,
            [this](const LagSnapshot &snapshot) { m_metrics->takeLag(snapshot); });
    connect(sessions, &SessionManager::lagPollFailed, this,
            [this](const QString &cluster, const QString &) {
                m_metrics->recordPoll(cluster, u"lag"_s, 0, false);
            });
    connect(sessions, &SessionManager::dlqListingAvailable, this,
            [this](const DlqListing &listing) { m_metrics->takeDlqs(listing); });
    connect(sessions, &SessionManager::probeOutcomesAvailable, this,
            [this](const QString &cluster, const ProbeTick &tick) {
                m_metrics->takeProbes(cluster, tick.outcomes);
            });
    connect(m_auditTimer, &QTimer::timeout, this, &ExporterBridge::followAudit);
    m_auditTimer->start(2000);
}

void ExporterBridge::followAudit()
{
    for (const QJsonObject &line : m_audit.readNew()) {
        const QString profile = line.value(u"profile"_s).toString();
        if (line.value(u"event"_s).toString() == u"redrive.finish"
            && !line.value(u"dry_run"_s).toBool()) {
            const QString source = line.value(u"source"_s).toString();
            for (const QString &outcome : {u"moved"_s, u"failed"_s, u"skipped"_s})
                if (const double n = line.value(outcome).toDouble(); n > 0)
                    m_metrics->countRedrive(profile, source, outcome, n);
            continue;
        }
        const QString action = line.value(u"action"_s).toString();
        const QString outcome = line.value(u"outcome"_s).toString();
        if (action.startsWith(u"retry.") && (outcome == u"applied" || outcome == u"published"))
            m_metrics->countRetryPolicyChange(profile, action.mid(6));
    }
}

} // namespace veltrix
