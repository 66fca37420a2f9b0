#pragma once

#include "core/clusterprofile.h"
#include "core/clustertopology.h"
#include "core/connectionstatus.h"
#include "core/deadletterqueue.h"
#include "core/lagsnapshot.h"

#include <QObject>
#include <QSet>

#include <vector>

class QThread;

namespace veltrix {

class ClusterSession;

// Owns one ClusterSession and its thread per profile; lives on the GUI thread and
// forwards the sessions' snapshots to it.
class SessionManager : public QObject
{
    Q_OBJECT
public:
    explicit SessionManager(QObject *parent = nullptr);
    ~SessionManager() override;

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

private:
    struct Worker
    {
        QThread *thread = nullptr;
        ClusterSession *session = nullptr;
    };
    QList<ClusterProfile> m_profiles;
    std::vector<Worker> m_workers;
    QSet<QString> m_reported;
};

} // namespace veltrix
