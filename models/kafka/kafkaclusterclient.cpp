#include "kafkaclusterclient.h"

#include "kafkaadmin.h"
#include "kafkagrouplister.h"

#include <QElapsedTimer>

#include <algorithm>

namespace veltrix {

KafkaClusterClient::KafkaClusterClient(ClusterProfile profile, std::chrono::milliseconds timeout)
    : m_profile(std::move(profile))
    , m_timeout(timeout)
{ }

KafkaClusterClient::~KafkaClusterClient() = default;

Result<KafkaHandle *> KafkaClusterClient::handle()
{
    if (!m_handle) {
        auto created = KafkaHandle::create(m_profile, RD_KAFKA_PRODUCER);
        if (!created)
            return created.error();
        m_handle = std::move(created).value();
    }
    return m_handle.get();
}

ClusterCheck KafkaClusterClient::probe()
{
    QElapsedTimer clock;
    clock.start();
    ClusterCheck check;
    check.clusterName = m_profile.name;
    check.kind = ClusterKind::Kafka;

    auto topology = fetchTopology();
    check.elapsedMs = clock.elapsed();
    if (!topology) {
        check.fail(topology.error());
        return check;
    }
    check.reachable = true;
    check.brokerCount = static_cast<int>(topology->brokers.size());
    check.clusterId = topology->clusterId;
    if (!topology->groupsNote.isEmpty())
        check.notes << topology->groupsNote;
    return check;
}

Result<ClusterTopology> KafkaClusterClient::fetchTopology()
{
    auto h = handle();
    if (!h)
        return h.error();
    KafkaHandle *kafka = h.value();

    const rd_kafka_metadata_t *raw = nullptr;
    const rd_kafka_resp_err_t err = rd_kafka_metadata(kafka->get(), 1 /* all topics */, nullptr,
                                                      &raw, kafka::toMs(m_timeout));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        return kafka->errorFor(err, QStringLiteral("metadata request"));
    const kafka::MetadataPtr metadata(raw);

    ClusterTopology topology;
    topology.clusterName = m_profile.name;
    topology.kind = ClusterKind::Kafka;
    topology.fetchedAt = QDateTime::currentDateTimeUtc();
    for (int i = 0; i < metadata->broker_cnt; ++i) {
        const auto &b = metadata->brokers[i];
        topology.brokers.append({b.id, QString::fromUtf8(b.host), b.port});
    }
    for (int i = 0; i < metadata->topic_cnt; ++i) {
        const auto &t = metadata->topics[i];
        const QString name = QString::fromUtf8(t.topic);
        topology.topics.append({name, t.partition_cnt, name.startsWith(QLatin1String("__"))});
    }
    std::sort(topology.topics.begin(), topology.topics.end(),
              [](const auto &a, const auto &b) { return a.name < b.name; });

    // Cheap once metadata has arrived: both are cached by librdkafka.
    if (char *id = rd_kafka_clusterid(kafka->get(), 0)) {
        topology.clusterId = QString::fromUtf8(id);
        rd_kafka_mem_free(kafka->get(), id);
    }
    topology.controllerId = rd_kafka_controllerid(kafka->get(), 0);

    ConsumerGroupListing listing = listConsumerGroups(kafka->get(), m_profile.groups, m_timeout);
    topology.groups = std::move(listing.groups);
    topology.groupsNote = std::move(listing.note);
    return topology;
}

} // namespace veltrix
