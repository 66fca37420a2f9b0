#pragma once

#include "core/clusterprofile.h"
#include "core/probeoutcome.h"

#include <QObject>

#include <chrono>
#include <memory>

class QTimer;

namespace veltrix {

class ManagementClient;
class MetricStore;
class Probe;
class ProbeSeriesFeeder;

// One cluster's dashboard feed on its own worker thread: the end-to-end probes when the
// profile enables them, and RabbitMQ management's queue rates when it has a management
// URL. Probe steps block for up to StepBudget, which is why this is not the cluster's
// session thread (lag polls and DLQ scans must not wait behind probes).
class MetricsSession : public QObject
{
    Q_OBJECT
public:
    static constexpr std::chrono::milliseconds StepBudget {100};
    static constexpr std::chrono::milliseconds QueueRatesInterval {5000};

    MetricsSession(ClusterProfile profile, std::shared_ptr<MetricStore> store,
                   QObject *parent = nullptr);
    ~MetricsSession() override;

    // Whether a profile has anything for this session to do.
    static bool wanted(const ClusterProfile &profile);

public Q_SLOTS:
    void start(); // on the worker thread (queued)
    void stop(); // on the worker thread: closes connections where they were opened

Q_SIGNALS:
    // A probe or rates failure, in words; cleared (empty text) once it works again.
    void problemChanged(const QString &cluster, const QString &problem);
    // Each probe step's outcomes (the exporter's histograms); only steps that resolved some.
    void probeOutcomes(const QString &cluster, const veltrix::ProbeTick &tick);

private:
    void stepProbe();
    void pollQueueRates();
    void reportProblem(const QString &problem);

    ClusterProfile m_profile;
    std::shared_ptr<MetricStore> m_store;
    std::unique_ptr<Probe> m_probe;
    std::unique_ptr<ProbeSeriesFeeder> m_feeder;
    std::unique_ptr<ManagementClient> m_management;
    QTimer *m_probeTimer = nullptr;
    QTimer *m_ratesTimer = nullptr;
    std::chrono::milliseconds m_reopenDelay {0};
    QString m_problem;
};

} // namespace veltrix
