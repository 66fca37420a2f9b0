#include "mockkafkacluster.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

namespace veltrix {

namespace {

Result<bool> checked(rd_kafka_resp_err_t err, const QString &what)
{
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
        return true;
    return BrokerError::make(BrokerError::Kind::Other,
                             QStringLiteral("mock Kafka cluster: %1 failed: %2")
                                 .arg(what, QString::fromUtf8(rd_kafka_err2str(err))));
}

} // namespace

MockKafkaCluster::~MockKafkaCluster()
{
    if (m_cluster)
        rd_kafka_mock_cluster_destroy(m_cluster);
    if (m_owner)
        rd_kafka_destroy(m_owner);
}

Result<std::unique_ptr<MockKafkaCluster>> MockKafkaCluster::start(int brokerCount)
{
    std::unique_ptr<MockKafkaCluster> mock(new MockKafkaCluster);
    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "0", errstr, sizeof errstr); // the owner never connects
    mock->m_owner = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!mock->m_owner) {
        rd_kafka_conf_destroy(conf);
        return BrokerError::make(
            BrokerError::Kind::Other,
            QStringLiteral("mock Kafka cluster: cannot create its client handle: %1")
                .arg(QString::fromUtf8(errstr)));
    }
    mock->m_cluster = rd_kafka_mock_cluster_new(mock->m_owner, brokerCount);
    if (!mock->m_cluster)
        return BrokerError::make(
            BrokerError::Kind::Other,
            QStringLiteral("mock Kafka cluster: could not start %1 brokers (no free loopback "
                           "ports?)")
                .arg(brokerCount));
    mock->m_brokerCount = brokerCount;
    return mock;
}

QString MockKafkaCluster::bootstrapServers() const
{
    return QString::fromUtf8(rd_kafka_mock_cluster_bootstraps(m_cluster));
}

Result<bool> MockKafkaCluster::createTopic(const QString &name, int partitions,
                                           int replicationFactor)
{
    return checked(rd_kafka_mock_topic_create(m_cluster, name.toUtf8().constData(), partitions,
                                              replicationFactor),
                   QStringLiteral("creating topic \"%1\"").arg(name));
}

Result<bool> MockKafkaCluster::setBrokerUp(int brokerId, bool up)
{
    const rd_kafka_resp_err_t err = up ? rd_kafka_mock_broker_set_up(m_cluster, brokerId)
                                       : rd_kafka_mock_broker_set_down(m_cluster, brokerId);
    return checked(err,
                   QStringLiteral("setting broker %1 %2")
                       .arg(brokerId)
                       .arg(up ? QLatin1String("up") : QLatin1String("down")));
}

Result<bool> MockKafkaCluster::setBrokerRtt(int brokerId, int rttMs)
{
    return checked(rd_kafka_mock_broker_set_rtt(m_cluster, brokerId, rttMs),
                   QStringLiteral("setting broker %1 round-trip time").arg(brokerId));
}

} // namespace veltrix
