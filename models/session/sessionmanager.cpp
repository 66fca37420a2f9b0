#include "sessionmanager.h"

#include "clustersession.h"

#include <QThread>

namespace veltrix {

SessionManager::SessionManager(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<ConnectionStatus>();
    qRegisterMetaType<ClusterTopology>();
    qRegisterMetaType<LagSnapshot>();
    qRegisterMetaType<DlqListing>();
}

SessionManager::~SessionManager()
{
    closeAll();
}

void SessionManager::open(const QList<ClusterProfile> &profiles)
{
    closeAll();
    m_profiles = profiles;
    for (const ClusterProfile &profile : profiles) {
        Worker worker;
        worker.thread = new QThread(this);
        worker.thread->setObjectName(QStringLiteral("session:") + profile.name);
        worker.session = new ClusterSession(profile);
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
        m_workers.push_back(worker);
    }
    if (profiles.isEmpty())
        Q_EMIT allSessionsReported();
}

void SessionManager::closeAll()
{
    for (const Worker &worker : m_workers) {
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
