#pragma once

#include "core/clusterprofile.h"
#include "core/clustertopology.h"
#include "core/connectionstatus.h"
#include "core/deadletterqueue.h"
#include "core/lagsnapshot.h"
#include "core/probeoutcome.h"

#include <QObject>
#include <QSet>

#include <memory>
#include <vector>

class QThread;

namespace veltrix {

class ClusterSession;
class MetricStore;
class MetricsSession;

// Owns one ClusterSession and its thread per profile; lives on the GUI thread and
// forwards the sessions' snapshots to it.
class SessionManager : public QObject
{
    Q_OBJECT
public:
    explicit SessionManager(QObject *parent = nullptr);
    ~SessionManager() override;

    // Where lag, DLQ, probe and rate series go for the dashboards; set before open().
    void setMetricStore(std::shared_ptr<MetricStore> store) { m_metrics = std::move(store); }
    void open(const QList<ClusterProfile> &profiles);
    void closeAll();

    const QList<ClusterProfile> &profiles() const { return m_profiles; }
    // True once every session has connected or failed at least once.
    bool allReported() const { return m_reported.size() == m_profiles.size(); }

Q_SIGNALS:
    void statusChanged(const veltrix::ConnectionStatus &status);
    void topologyAvailable(const veltrix::ClusterTopology &topology);
    void lagSnapshotAvailable(const veltrix::LagSnapshot &snapshot);
    void lagPollFailed(const QString &clusterName, const QString &error);
    void dlqListingAvailable(const veltrix::DlqListing &listing);
    void allSessionsReported();
    // A cluster's probes or rates failing, in words; empty once they work again.
    void metricsProblemChanged(const QString &cluster, const QString &problem);
    void probeOutcomesAvailable(const QString &cluster, const veltrix::ProbeTick &tick);

private:
    struct Worker
    {
        QThread *thread = nullptr;
        ClusterSession *session = nullptr;
        QThread *metricsThread = nullptr; // only when the profile has dashboard feeds
        MetricsSession *metrics = nullptr;
    };
    void startMetrics(Worker &worker, const ClusterProfile &profile);

    std::shared_ptr<MetricStore> m_metrics;
    QList<ClusterProfile> m_profiles;
    std::vector<Worker> m_workers;
    QSet<QString> m_reported;
};

} // namespace veltrix
