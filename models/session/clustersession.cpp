#include "clustersession.h"

#include "deadletter/dlqscanner.h"
#include "kafka/kafkalagpoller.h"
#include "metrics/metricfeeder.h"
#include "retry/retrypolicycache.h"

#include <QElapsedTimer>
#include <QTimer>

#include <algorithm>

namespace veltrix {

namespace {
constexpr int RefreshIntervalMs = 10000;
constexpr int MaxBackoffMs = 30000;
constexpr int DlqScanIntervalMs = 5000;

QString describeConnected(const ClusterTopology &topology)
{
    if (topology.kind == ClusterKind::Kafka)
        return QStringLiteral("%1 broker(s), %2 topic(s)")
            .arg(topology.brokers.size())
            .arg(topology.topics.size());
    qsizetype queues = 0;
    for (const auto &vhost : topology.vhosts)
        queues += vhost.queues.size();
    return QStringLiteral("RabbitMQ %1, %2 queue(s)").arg(topology.serverVersion).arg(queues);
}
} // namespace

ClusterSession::ClusterSession(ClusterProfile profile, QObject *parent)
    : QObject(parent)
    , m_profile(std::move(profile))
{ }

ClusterSession::~ClusterSession() = default;

void ClusterSession::start()
{
    m_client = ClusterClient::create(m_profile);
    m_timer = new QTimer(this);
    m_timer->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this, &ClusterSession::refresh);
    publishStatus(ConnectionStatus::State::Connecting, QString());
    if (m_profile.kind == ClusterKind::Kafka) {
        m_lagPoller
            = std::make_unique<KafkaLagPoller>(m_profile, m_profile.lag, std::chrono::seconds(5));
        m_lagTimer = new QTimer(this);
        m_lagTimer->setSingleShot(true);
        connect(m_lagTimer, &QTimer::timeout, this, &ClusterSession::pollLag);
    }
    m_dlqScanner = std::make_unique<DlqScanner>(m_profile, std::chrono::seconds(5));
    m_dlqTimer = new QTimer(this);
    m_dlqTimer->setSingleShot(true);
    connect(m_dlqTimer, &QTimer::timeout, this, &ClusterSession::scanDlqs);
    refresh();
    if (m_lagTimer)
        pollLag();
    scanDlqs();
}

void ClusterSession::scanDlqs()
{
    if (!m_dlqScanner)
        return;
    // A cluster that is down would cost this thread a timeout per scan; the status bar
    // already says why, and the DLQ list keeps the last rows it had.
    if (m_connected) {
        QElapsedTimer clock;
        clock.start();
        DlqListing listing = m_dlqScanner->scan();
        listing.scanMs = clock.elapsed();
        if (m_metrics)
            feedDlqListing(*m_metrics, listing);
        Q_EMIT dlqListingAvailable(listing);
    }
    m_dlqTimer->start(DlqScanIntervalMs); // after the scan: a slow one never stacks up
}

void ClusterSession::pollLag()
{
    if (!m_lagPoller)
        return;
    auto snapshot = m_lagPoller->poll();
    if (snapshot && m_metrics) {
        feedLagSnapshot(*m_metrics, snapshot.value());
        if (!m_retryPolicies)
            m_retryPolicies = std::make_unique<RetryPolicyCache>(m_profile);
        feedKafkaRetries(*m_metrics, snapshot.value(), m_retryPolicies->policies());
    }
    if (snapshot)
        Q_EMIT lagSnapshotAvailable(snapshot.value());
    else
        Q_EMIT lagPollFailed(m_profile.name, snapshot.error().describe());
    // A cluster that answers metadata but not lag is degraded, not fine: say so at once.
    const QString lagProblem = snapshot
        ? QString()
        : QStringLiteral("lag polls fail: ") + snapshot.error().describe().section(u" — "_qs, 0, 0);
    if (lagProblem != m_lagProblem) {
        m_lagProblem = lagProblem;
        if (m_connected)
            publishReached();
    }
    // Single-shot, restarted after the poll: a slow poll delays the next one rather
    // than stacking them.
    const auto interval = m_lagPoller->settings().interval;
    m_lagTimer->start(snapshot ? interval : std::max(interval, std::chrono::milliseconds(5000)));
}

void ClusterSession::stop()
{
    if (m_timer)
        m_timer->stop();
    if (m_lagTimer)
        m_lagTimer->stop();
    if (m_dlqTimer)
        m_dlqTimer->stop();
    m_lagPoller.reset();
    m_retryPolicies.reset();
    m_dlqScanner.reset();
    m_client.reset(); // closes connections on this (the worker) thread
}

void ClusterSession::refresh()
{
    if (!m_client)
        return;
    QElapsedTimer clock;
    clock.start();
    auto topology = m_client->fetchTopology();
    if (topology) {
        topology.value().fetchMs = clock.elapsed();
        m_connected = true;
        m_consecutiveFailures = 0;
        m_connectedDetail = describeConnected(topology.value());
        publishReached();
        Q_EMIT topologyAvailable(topology.value());
    } else {
        m_connected = false;
        ++m_consecutiveFailures;
        // A failed client may hold a broken connection: start clean next time.
        m_client = ClusterClient::create(m_profile);
        publishStatus(ConnectionStatus::State::Failed, topology.error().describe());
    }
    if (!m_reportedFirstOutcome) {
        m_reportedFirstOutcome = true;
        Q_EMIT firstOutcome(m_profile.name);
    }
    scheduleNext(!topology.ok());
}

void ClusterSession::scheduleNext(bool failed)
{
    int delay = RefreshIntervalMs;
    if (failed) // reconnect with backoff: 2 s, 4 s, 8 s ... 30 s
        delay = std::min(MaxBackoffMs, 1000 << std::min(m_consecutiveFailures, 5));
    m_timer->start(delay);
}

void ClusterSession::publishReached()
{
    QStringList partial;
    if (!m_lagProblem.isEmpty())
        partial << m_lagProblem;
    Q_EMIT statusChanged(ConnectionStatus::reached(m_profile.name, m_connectedDetail, partial));
}

void ClusterSession::publishStatus(ConnectionStatus::State state, const QString &detail)
{
    Q_EMIT statusChanged(ConnectionStatus {m_profile.name, state, detail});
}

} // namespace veltrix
