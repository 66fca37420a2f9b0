#pragma once

#include "core/deadletterqueue.h"

#include <QElapsedTimer>
#include <QHash>

#include <chrono>
#include <memory>

namespace veltrix {

// Turns successive arrived totals into messages per second per DLQ.
class DlqInflowTracker
{
public:
    // Fills inflowPerSecond of each queue from its previous sighting `elapsedMs` ago
    // on a monotonic clock.
    void update(QList<DlqInfo> &queues, qint64 elapsedMs);

private:
    struct Sighting
    {
        qint64 atMs = 0;
        qint64 arrivedTotal = -1;
    };
    QHash<QString, Sighting> m_last; // by DlqSource::toString()
};

// Lists one cluster's DLQs with depth and inflow. Blocking; use it from one thread (the
// cluster session's worker). Keeps its connection between scans.
class DlqScanner
{
public:
    DlqScanner(ClusterProfile profile, std::chrono::milliseconds timeout);
    ~DlqScanner();

    // Never fails outright: on an error the listing says why and carries the last good list.
    DlqListing scan();

private:
    struct Connections;
    ClusterProfile m_profile;
    std::chrono::milliseconds m_timeout;
    std::unique_ptr<Connections> m_connections;
    DlqInflowTracker m_inflow;
    QElapsedTimer m_clock;
    QList<DlqInfo> m_lastGood;
};

} // namespace veltrix
