#include "dlqscanner.h"

#include "kafka/kafkahandle.h"
#include "kafkadlqfinder.h"
#include "rabbitdlqfinder.h"
#include "rabbitmq/managementclient.h"

namespace veltrix {

void DlqInflowTracker::update(QList<DlqInfo> &queues, qint64 elapsedMs)
{
    QHash<QString, Sighting> seen;
    for (DlqInfo &queue : queues) {
        const QString key = queue.source.toString();
        const Sighting last = m_last.value(key);
        // A smaller total means the topic or queue was recreated: start over.
        if (queue.arrivedTotal >= 0 && last.arrivedTotal >= 0
            && queue.arrivedTotal >= last.arrivedTotal && elapsedMs > last.atMs)
            queue.inflowPerSecond = double(queue.arrivedTotal - last.arrivedTotal) * 1000.0
                / double(elapsedMs - last.atMs);
        seen.insert(key, {elapsedMs, queue.arrivedTotal});
    }
    m_last = std::move(seen); // forget DLQs that are gone
}

struct DlqScanner::Connections
{
    std::unique_ptr<KafkaHandle> kafka;
    std::unique_ptr<ManagementClient> management;
};

DlqScanner::DlqScanner(ClusterProfile profile, std::chrono::milliseconds timeout)
    : m_profile(std::move(profile))
    , m_timeout(timeout)
    , m_connections(std::make_unique<Connections>())
{
    m_clock.start();
}

DlqScanner::~DlqScanner() = default;

DlqListing DlqScanner::scan()
{
    DlqListing listing;
    listing.clusterName = m_profile.name;
    listing.kind = m_profile.kind;
    const QStringList patterns = m_profile.effectiveDeadLetterPatterns();

    Result<QList<DlqInfo>> found = BrokerError {};
    if (m_profile.kind == ClusterKind::Kafka) {
        if (!m_connections->kafka) {
            auto created = KafkaHandle::create(m_profile, RD_KAFKA_PRODUCER);
            if (created)
                m_connections->kafka = std::move(created).value();
            else
                found = created.error();
        }
        if (m_connections->kafka)
            found = fetchKafkaDlqs(*m_connections->kafka, patterns, m_timeout);
    } else {
        if (!m_connections->management) {
            auto created = ManagementClient::forProfile(
                m_profile, m_timeout,
                QStringLiteral("finding DLQs needs the management API's queues, policies and "
                               "bindings; add \"management\": \"http://host:15672\""));
            if (created)
                m_connections->management = std::move(created).value();
            else
                found = created.error();
        }
        if (m_connections->management)
            found = fetchRabbitDlqs(*m_connections->management, m_profile.name, patterns);
    }

    listing.scannedAt = QDateTime::currentDateTimeUtc();
    if (!found) {
        listing.error = found.error().describe();
        listing.queues = m_lastGood;
        return listing;
    }
    listing.queues = std::move(found).value();
    m_inflow.update(listing.queues, m_clock.elapsed());
    m_lastGood = listing.queues;
    return listing;
}

} // namespace veltrix
