#include "clusterchecker.h"

#include "clusterclient.h"

#include <QThreadPool>
#include <QtConcurrent/QtConcurrentMap>

namespace veltrix {

QList<ClusterCheck> checkClusters(const QList<ClusterProfile> &profiles,
                                  std::chrono::milliseconds timeout)
{
    QThreadPool pool; // sized to the profiles, not to the cores: the work is waiting, not computing
    pool.setMaxThreadCount(std::max(1, static_cast<int>(profiles.size())));
    return QtConcurrent::blockingMapped<QList<ClusterCheck>>(
        &pool, profiles, [timeout](const ClusterProfile &profile) {
            return ClusterClient::create(profile, timeout)->probe();
        });
}

} // namespace veltrix
