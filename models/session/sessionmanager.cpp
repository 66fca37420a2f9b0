#include "sessionmanager.h"

#include "clustersession.h"
#include "metrics/metricstore.h"
#include "metricssession.h"

#include <QThread>

#include <algorithm>

namespace veltrix {

SessionManager::SessionManager(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<ConnectionStatus>();
    qRegisterMetaType<ClusterTopology>();
    qRegisterMetaType<LagSnapshot>();
    qRegisterMetaType<DlqListing>();
    qRegisterMetaType<ProbeTick>();
}

SessionManager::~SessionManager()
{
    closeAll();
}

void SessionManager::open(const QList<ClusterProfile> &profiles)
{
    closeAll();
    for (const ClusterProfile &old : std::as_const(m_profiles)) {
        const bool kept = std::any_of(profiles.begin(), profiles.end(),
                                      [&](const ClusterProfile &p) { return p.name == old.name; });
        if (m_metrics && !kept)
            m_metrics->forgetCluster(old.name);
    }
    m_profiles = profiles;
    for (const ClusterProfile &profile : profiles) {
        Worker worker;
        worker.thread = new QThread(this);
        worker.thread->setObjectName(QStringLiteral("session:") + profile.name);
        worker.session = new ClusterSession(profile);
        worker.session->setMetricStore(m_metrics);
        worker.session->moveToThread(worker.thread);
        connect(worker.thread, &QThread::finished, worker.session, &QObject::deleteLater);
        connect(worker.session, &ClusterSession::statusChanged, this,
                &SessionManager::statusChanged, Qt::QueuedConnection);
        connect(worker.session, &ClusterSession::topologyAvailable, this,
                &SessionManager::topologyAvailable, Qt::QueuedConnection);
        connect(worker.session, &ClusterSession::lagSnapshotAvailable, this,
                &SessionManager::lagSnapshotAvailable, Qt::QueuedConnection);
        connect(worker.session, &ClusterSession::lagPollFailed, this,
                &SessionManager::lagPollFailed, Qt::QueuedConnection);
        connect(worker.session, &ClusterSession::dlqListingAvailable, this,
                &SessionManager::dlqListingAvailable, Qt::QueuedConnection);
        connect(
            worker.session, &ClusterSession::firstOutcome, this,
            [this](const QString &name) {
                m_reported.insert(name);
                if (allReported())
                    Q_EMIT allSessionsReported();
            },
            Qt::QueuedConnection);
        worker.thread->start();
        QMetaObject::invokeMethod(worker.session, &ClusterSession::start, Qt::QueuedConnection);
        startMetrics(worker, profile);
        m_workers.push_back(worker);
    }
    if (profiles.isEmpty())
        Q_EMIT allSessionsReported();
}

void SessionManager::startMetrics(Worker &worker, const ClusterProfile &profile)
{
    if (!m_metrics || !MetricsSession::wanted(profile))
        return;
    worker.metricsThread = new QThread(this);
    worker.metricsThread->setObjectName(QStringLiteral("metrics:") + profile.name);
    worker.metrics = new MetricsSession(profile, m_metrics);
    worker.metrics->moveToThread(worker.metricsThread);
    connect(worker.metricsThread, &QThread::finished, worker.metrics, &QObject::deleteLater);
    connect(worker.metrics, &MetricsSession::problemChanged, this,
            &SessionManager::metricsProblemChanged, Qt::QueuedConnection);
    connect(worker.metrics, &MetricsSession::probeOutcomes, this,
            &SessionManager::probeOutcomesAvailable, Qt::QueuedConnection);
    worker.metricsThread->start();
    QMetaObject::invokeMethod(worker.metrics, &MetricsSession::start, Qt::QueuedConnection);
}

void SessionManager::closeAll()
{
    for (const Worker &worker : m_workers) {
        if (worker.metrics) {
            QMetaObject::invokeMethod(worker.metrics, &MetricsSession::stop,
                                      Qt::BlockingQueuedConnection);
            worker.metricsThread->quit();
            worker.metricsThread->wait();
        }
        // stop() runs on the worker so connections close on the thread that opened them;
        // it waits behind a refresh in progress, which every call's timeout bounds.
        QMetaObject::invokeMethod(worker.session, &ClusterSession::stop,
                                  Qt::BlockingQueuedConnection);
        worker.thread->quit();
        worker.thread->wait();
    }
    m_workers.clear();
    m_reported.clear();
}

} // namespace veltrix
