#pragma once

#include "clusterclient.h"
#include "core/connectionstatus.h"
#include "core/deadletterqueue.h"
#include "core/lagsnapshot.h"

#include <QObject>

#include <memory>

class QTimer;

namespace veltrix {

class KafkaLagPoller;
class DlqScanner;
class MetricStore;
class RetryPolicyCache;

// One cluster's worker: lives on its own thread, makes the blocking calls there and
// publishes value snapshots through queued signals. Never two refreshes at once.
class ClusterSession : public QObject
{
    Q_OBJECT
public:
    explicit ClusterSession(ClusterProfile profile, QObject *parent = nullptr);
    ~ClusterSession() override;

    const ClusterProfile &profile() const { return m_profile; }
    // Lag snapshots and DLQ listings also become dashboard series here, on the worker.
    // Set before start().
    void setMetricStore(std::shared_ptr<MetricStore> store) { m_metrics = std::move(store); }

public Q_SLOTS:
    void start(); // call on the worker thread (queued)
    void refresh();
    void pollLag(); // Kafka only; on its own timer, never two at once
    void scanDlqs(); // on its own timer
    void stop();

Q_SIGNALS:
    void statusChanged(const veltrix::ConnectionStatus &status);
    void topologyAvailable(const veltrix::ClusterTopology &topology);
    // Emitted once, after the first refresh succeeded or failed.
    void firstOutcome(const QString &clusterName);
    void lagSnapshotAvailable(const veltrix::LagSnapshot &snapshot);
    void lagPollFailed(const QString &clusterName, const QString &error);
    void dlqListingAvailable(const veltrix::DlqListing &listing);

private:
    void publishStatus(ConnectionStatus::State state, const QString &detail);
    void publishReached(); // Connected, or Degraded by a partial failure
    void scheduleNext(bool failed);

    ClusterProfile m_profile;
    std::unique_ptr<ClusterClient> m_client;
    QTimer *m_timer = nullptr;
    std::unique_ptr<KafkaLagPoller> m_lagPoller;
    std::unique_ptr<RetryPolicyCache> m_retryPolicies; // Kafka, with a metric store
    QTimer *m_lagTimer = nullptr;
    std::unique_ptr<DlqScanner> m_dlqScanner;
    QTimer *m_dlqTimer = nullptr;
    std::shared_ptr<MetricStore> m_metrics;
    bool m_connected = false;
    QString m_connectedDetail; // the last refresh's "3 brokers" line
    QString m_lagProblem; // the last lag poll's failure, empty when it worked
    bool m_reportedFirstOutcome = false;
    int m_consecutiveFailures = 0;
};

} // namespace veltrix
