#include "kafkaclusterclient.h"

#include <QElapsedTimer>

#include <algorithm>

namespace veltrix {

namespace {

struct MetadataDeleter
{
    void operator()(const rd_kafka_metadata_t *md) const { rd_kafka_metadata_destroy(md); }
};
using MetadataPtr = std::unique_ptr<const rd_kafka_metadata_t, MetadataDeleter>;

struct EventDeleter
{
    void operator()(rd_kafka_event_t *ev) const { rd_kafka_event_destroy(ev); }
};

int timeoutMs(std::chrono::milliseconds timeout)
{
    return static_cast<int>(timeout.count());
}

} // namespace

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
    const rd_kafka_resp_err_t err
        = rd_kafka_metadata(kafka->get(), 1 /* all topics */, nullptr, &raw, timeoutMs(m_timeout));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        return kafka->errorFor(err, QStringLiteral("metadata request"));
    const MetadataPtr metadata(raw);

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

    GroupListing listing = listGroups(kafka);
    topology.groups = std::move(listing.groups);
    topology.groupsNote = std::move(listing.note);
    return topology;
}

KafkaClusterClient::GroupListing KafkaClusterClient::listGroups(KafkaHandle *kafka)
{
    GroupListing listing;
    rd_kafka_t *rk = kafka->get();
    std::unique_ptr<rd_kafka_queue_t, void (*)(rd_kafka_queue_t *)> queue(rd_kafka_queue_new(rk),
                                                                          rd_kafka_queue_destroy);
    std::unique_ptr<rd_kafka_AdminOptions_t, void (*)(rd_kafka_AdminOptions_t *)> options(
        rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS),
        rd_kafka_AdminOptions_destroy);
    char errstr[256];
    rd_kafka_AdminOptions_set_request_timeout(options.get(), timeoutMs(m_timeout), errstr,
                                              sizeof errstr);
    rd_kafka_ListConsumerGroups(rk, options.get(), queue.get());

    std::unique_ptr<rd_kafka_event_t, EventDeleter> event(
        rd_kafka_queue_poll(queue.get(), timeoutMs(m_timeout) + 1000));
    const auto fallBack = [&](const QString &why) {
        for (const QString &group : m_profile.groups)
            listing.groups.append({group, QString()});
        listing.note = why
            + QStringLiteral("; showing the %1 group(s) named in the profile")
                  .arg(m_profile.groups.size());
    };
    if (!event) {
        fallBack(QStringLiteral("ListConsumerGroups did not answer in time"));
        return listing;
    }
    if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        fallBack(QStringLiteral("ListConsumerGroups failed: %1")
                     .arg(QString::fromUtf8(rd_kafka_event_error_string(event.get()))));
        return listing;
    }
    const auto *result = rd_kafka_event_ListConsumerGroups_result(event.get());
    size_t validCount = 0;
    size_t errorCount = 0;
    const auto **valid = rd_kafka_ListConsumerGroups_result_valid(result, &validCount);
    const auto **errors = rd_kafka_ListConsumerGroups_result_errors(result, &errorCount);
    const bool allUnsupported
        = errorCount > 0 && std::all_of(errors, errors + errorCount, [](const rd_kafka_error_t *e) {
              return rd_kafka_error_code(e) == RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE;
          });
    if (validCount == 0 && allUnsupported) {
        fallBack(QStringLiteral("the brokers do not support ListGroups"));
        return listing;
    }
    for (size_t i = 0; i < validCount; ++i) {
        listing.groups.append({QString::fromUtf8(rd_kafka_ConsumerGroupListing_group_id(valid[i])),
                               QString::fromUtf8(rd_kafka_consumer_group_state_name(
                                   rd_kafka_ConsumerGroupListing_state(valid[i])))});
    }
    if (errorCount > 0)
        listing.note = QStringLiteral("%1 broker(s) did not list their groups: %2")
                           .arg(errorCount)
                           .arg(QString::fromUtf8(rd_kafka_error_string(errors[0])));
    std::sort(listing.groups.begin(), listing.groups.end(),
              [](const auto &a, const auto &b) { return a.name < b.name; });
    return listing;
}

} // namespace veltrix
