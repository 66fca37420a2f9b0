#include "kafkaretrypolicystore.h"

#include "kafka/kafkahandle.h"
#include "kafka/kafkatopicbrowser.h"
#include "kafka/kafkatopiccreator.h"

#include <QJsonArray>
#include <QThread>

#include <map>

namespace veltrix {

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

// What the delivery report said about the one record a publish sends.
struct Delivery
{
    bool reported = false;
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
    qint32 partition = -1;
    qint64 offset = -1;
};

void onDelivery(rd_kafka_t *, const rd_kafka_message_t *m, void *)
{
    auto *delivery = static_cast<Delivery *>(m->_private);
    if (!delivery)
        return;
    delivery->reported = true;
    delivery->err = m->err;
    delivery->partition = m->partition;
    delivery->offset = m->offset;
}

} // namespace

QJsonObject KafkaRetryPolicyPlan::toJson() const
{
    return {{u"topic"_s, topic},
            {u"group"_s, after.group},
            {u"before"_s, before ? QJsonValue(before->toJson()) : QJsonValue()},
            {u"after"_s, after.toJson()},
            {u"changes"_s, QJsonArray::fromStringList(diff)},
            {u"errors"_s, QJsonArray::fromStringList(errors)},
            {u"warnings"_s, QJsonArray::fromStringList(warnings)}};
}

Result<std::unique_ptr<KafkaRetryPolicyStore>>
KafkaRetryPolicyStore::open(const ClusterProfile &profile, const QString &topic, AuditLog audit,
                            std::chrono::milliseconds timeout)
{
    if (profile.kind != ClusterKind::Kafka)
        return BrokerError::make(BrokerError::Kind::Configuration,
                                 u"%1 is not a Kafka profile"_s.arg(profile.name));
    std::unique_ptr<KafkaRetryPolicyStore> store(
        new KafkaRetryPolicyStore(profile, topic, std::move(audit), timeout));
    auto producer = KafkaHandle::create(
        profile, RD_KAFKA_PRODUCER,
        {{u"enable.idempotence"_s, u"true"_s},
         {u"acks"_s, u"all"_s},
         {u"linger.ms"_s, u"0"_s},
         {u"delivery.timeout.ms"_s, QString::number(timeout.count())}},
        [](rd_kafka_conf_t *conf) { rd_kafka_conf_set_dr_msg_cb(conf, &onDelivery); });
    if (!producer)
        return producer.error();
    store->m_producer = std::move(producer).value();
    return store;
}

KafkaRetryPolicyStore::KafkaRetryPolicyStore(ClusterProfile profile, QString topic, AuditLog audit,
                                             std::chrono::milliseconds timeout)
    : m_profile(std::move(profile))
    , m_topic(std::move(topic))
    , m_audit(std::move(audit))
    , m_timeout(timeout)
{ }

KafkaRetryPolicyStore::~KafkaRetryPolicyStore() = default;

Result<bool> KafkaRetryPolicyStore::topicExists()
{
    // All topics, not this one alone: asking for one topic auto-creates it on brokers that
    // allow that, uncompacted.
    const rd_kafka_metadata_t *metadata = nullptr;
    const rd_kafka_resp_err_t err
        = rd_kafka_metadata(m_producer->get(), 1, nullptr, &metadata, int(m_timeout.count()));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        return m_producer->errorFor(err, u"reading the topic list"_s);
    bool found = false;
    const QByteArray name = m_topic.toUtf8();
    for (int i = 0; i < metadata->topic_cnt; ++i)
        found
            = found || (name == metadata->topics[i].topic && metadata->topics[i].partition_cnt > 0);
    rd_kafka_metadata_destroy(metadata);
    return found;
}

Result<bool> KafkaRetryPolicyStore::ensureTopic()
{
    auto exists = topicExists();
    if (!exists || exists.value())
        return exists.ok() ? Result<bool>(true) : exists;
    // Compacted, so every group's latest version is kept however long ago it was written.
    // A cluster whose brokers cannot create topics this way (librdkafka's mock) may still
    // auto-create it on a metadata request naming it, with the broker's defaults.
    auto created
        = createKafkaTopic(*m_producer, m_topic, 1, 1, {{u"cleanup.policy"_s, u"compact"_s}},
                           std::min<std::chrono::milliseconds>(m_timeout, 3s));
    if (!created && created.error().kind != BrokerError::Kind::Timeout)
        return created;
    if (!created) {
        rd_kafka_topic_t *topic
            = rd_kafka_topic_new(m_producer->get(), m_topic.toUtf8().constData(), nullptr);
        const rd_kafka_metadata_t *metadata = nullptr;
        if (rd_kafka_metadata(m_producer->get(), 0, topic, &metadata, int(m_timeout.count()))
            == RD_KAFKA_RESP_ERR_NO_ERROR)
            rd_kafka_metadata_destroy(metadata);
        rd_kafka_topic_destroy(topic);
    }
    for (int attempt = 0; attempt < 20; ++attempt) {
        auto now = topicExists();
        if (!now)
            return now;
        if (now.value())
            return true;
        QThread::msleep(100);
    }
    return BrokerError::make(
        BrokerError::Kind::Timeout,
        u"%1: topic %2 was created but does not show up"_s.arg(m_profile.name, m_topic));
}

Result<QList<KafkaRetryPolicyVersion>> KafkaRetryPolicyStore::versions()
{
    auto exists = topicExists();
    if (!exists)
        return exists.error();
    if (!exists.value())
        return QList<KafkaRetryPolicyVersion> {};
    auto browser = KafkaTopicBrowser::open(m_profile, m_topic, m_timeout);
    if (!browser)
        return browser.error();
    auto extents = browser.value()->extents();
    if (!extents)
        return extents.error();
    QList<KafkaRetryPolicyVersion> out;
    for (const KafkaPartitionExtent &extent : extents.value()) {
        for (qint64 next = extent.start; next < extent.end;) {
            auto page = browser.value()->read(extent.partition, next, 500);
            if (!page)
                return page.error();
            if (page->isEmpty())
                break; // compacted away up to the end
            for (const BrowsedMessage &record : page.value()) {
                KafkaRetryPolicyVersion version;
                version.group = record.key ? QString::fromUtf8(*record.key) : QString();
                version.partition = record.partition;
                version.offset = record.offset;
                if (record.payloadSize > 0) { // an empty or null value is a tombstone
                    auto policy = parseKafkaRetryPolicy(record.payload, version.group);
                    if (policy)
                        version.policy = policy.value();
                    else
                        version.problem = policy.error().message;
                }
                out.append(version);
                next = record.offset + 1;
            }
        }
    }
    std::sort(out.begin(), out.end(), [](const auto &a, const auto &b) {
        return a.partition != b.partition ? a.partition < b.partition : a.offset < b.offset;
    });
    return out;
}

Result<std::optional<KafkaRetryPolicy>> KafkaRetryPolicyStore::current(const QString &group)
{
    auto all = history(group);
    if (!all)
        return all.error();
    return policyInForce(all.value());
}

Result<QList<KafkaRetryPolicyVersion>> KafkaRetryPolicyStore::history(const QString &group)
{
    auto all = versions();
    if (!all)
        return all.error();
    QList<KafkaRetryPolicyVersion> out;
    for (const KafkaRetryPolicyVersion &version : all.value())
        if (version.group == group)
            out.append(version);
    return out;
}

Result<QList<KafkaRetryPolicy>> KafkaRetryPolicyStore::currentPolicies()
{
    auto all = versions();
    if (!all)
        return all.error();
    std::map<QString, QList<KafkaRetryPolicyVersion>> byGroup;
    for (const KafkaRetryPolicyVersion &version : all.value())
        byGroup[version.group].append(version);
    QList<KafkaRetryPolicy> out;
    for (const auto &[group, versions] : byGroup)
        if (const auto policy = policyInForce(versions))
            out.append(*policy);
    return out;
}

Result<KafkaRetryPolicyPlan> KafkaRetryPolicyStore::plan(const KafkaRetryPolicy &wanted)
{
    KafkaRetryPolicyPlan plan;
    plan.topic = m_topic;
    plan.after = wanted;
    auto before = current(wanted.group);
    if (!before)
        return before.error();
    plan.before = before.value();
    plan.diff = kafkaRetryPolicyDiff(plan.before, plan.after);
    plan.errors = wanted.problems();
    if (plan.before && plan.before->sameSettings(wanted))
        plan.errors << u"group \"%1\" already has exactly this policy"_s.arg(wanted.group);
    if (wanted.maxAttempts == 1)
        plan.warnings << u"max_attempts 1: every failure goes straight to %1"_s.arg(wanted.dlt);
    if (wanted.jitter == 0 && wanted.maxAttempts > 1 && wanted.initialBackoffMs > 0)
        plan.warnings << u"no jitter: consumers that fail together retry together"_s;
    return plan;
}

Result<bool> KafkaRetryPolicyStore::recordDryRun(const KafkaRetryPolicyPlan &plan)
{
    return m_audit.append({{u"action"_s, u"retry.kafka-policy"_s},
                           {u"profile"_s, m_profile.name},
                           {u"plan"_s, plan.toJson()},
                           {u"outcome"_s, u"dry-run"_s}});
}

Result<KafkaRetryPolicyVersion> KafkaRetryPolicyStore::publish(const KafkaRetryPolicyPlan &plan)
{
    if (m_profile.readOnly)
        return BrokerError::make(BrokerError::Kind::Configuration,
                                 u"profile \"%1\" is read-only: publishing a retry policy is "
                                 "refused (a dry run is allowed)"_s.arg(m_profile.name));
    if (!plan.ok())
        return BrokerError::make(BrokerError::Kind::Configuration, plan.errors.join(u"; "_s));
    KafkaRetryPolicy stamped = plan.after;
    stamped.updatedAt = QDateTime::currentDateTimeUtc();
    stamped.updatedBy = AuditLog::currentUser();
    QJsonObject record {{u"action"_s, u"retry.kafka-policy"_s},
                        {u"profile"_s, m_profile.name},
                        {u"plan"_s, plan.toJson()},
                        {u"outcome"_s, u"started"_s}};
    if (auto logged = m_audit.append(record); !logged)
        return logged.error();
    auto done = [&]() -> Result<KafkaRetryPolicyVersion> {
        if (auto topic = ensureTopic(); !topic)
            return topic.error();
        const QByteArray key = stamped.group.toUtf8();
        const QByteArray value = stamped.toRecordValue();
        const QByteArray topic = m_topic.toUtf8();
        Delivery delivery;
        const rd_kafka_resp_err_t err = rd_kafka_producev(
            m_producer->get(), RD_KAFKA_V_TOPIC(topic.constData()),
            RD_KAFKA_V_KEY(key.constData(), size_t(key.size())),
            RD_KAFKA_V_VALUE(const_cast<char *>(value.constData()), size_t(value.size())),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(&delivery), RD_KAFKA_V_END);
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
            return m_producer->errorFor(err, u"publishing the retry policy of "_s + stamped.group);
        // flush() serves the delivery report; the record is only published once it came.
        rd_kafka_flush(m_producer->get(), int(m_timeout.count()) + 1000);
        if (!delivery.reported)
            return BrokerError::make(BrokerError::Kind::Timeout,
                                     u"%1: no delivery report for the retry policy of %2"_s.arg(
                                         m_profile.name, stamped.group));
        if (delivery.err != RD_KAFKA_RESP_ERR_NO_ERROR)
            return m_producer->errorFor(delivery.err,
                                        u"publishing the retry policy of "_s + stamped.group);
        // Read back: the latest version of the group must be the one just written.
        auto back = history(stamped.group);
        if (!back)
            return back.error();
        if (back->isEmpty() || back->last().offset != delivery.offset || !back->last().policy
            || !back->last().policy->sameSettings(stamped))
            return BrokerError::make(BrokerError::Kind::Protocol,
                                     u"%1: the retry policy of %2 does not read back as "
                                     "published"_s.arg(m_profile.name, stamped.group));
        return back->last();
    }();
    record.insert(u"outcome"_s, done ? u"applied"_s : u"failed"_s);
    if (done)
        record.insert(u"offset"_s, done->offset);
    else
        record.insert(u"error"_s, done.error().describe());
    (void)m_audit.append(record);
    return done;
}

} // namespace veltrix
