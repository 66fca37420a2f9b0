#include "countingmockcluster.h"

#include <QRegularExpression>

namespace veltrix::test {

CountingMockCluster::CountingMockCluster(int brokers)
{
    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "debug", "mock", errstr, sizeof errstr);
    rd_kafka_conf_set_opaque(conf, this);
    rd_kafka_conf_set_log_cb(conf, &CountingMockCluster::onLog);
    m_owner = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!m_owner) {
        rd_kafka_conf_destroy(conf);
        m_error = QStringLiteral("mock owner handle: ") + QString::fromUtf8(errstr);
        return;
    }
    m_cluster = rd_kafka_mock_cluster_new(m_owner, brokers);
    if (!m_cluster)
        m_error = QStringLiteral("mock cluster did not start");
}

CountingMockCluster::~CountingMockCluster()
{
    if (m_cluster)
        rd_kafka_mock_cluster_destroy(m_cluster);
    if (m_owner)
        rd_kafka_destroy(m_owner);
}

QString CountingMockCluster::bootstrap() const
{
    return QString::fromUtf8(rd_kafka_mock_cluster_bootstraps(m_cluster));
}

void CountingMockCluster::reset()
{
    QMutexLocker lock(&m_mutex);
    m_received.clear();
}

QMap<int, int> CountingMockCluster::received(const QString &request) const
{
    QMutexLocker lock(&m_mutex);
    return m_received.value(request);
}

int CountingMockCluster::total(const QString &request) const
{
    int sum = 0;
    for (int n : received(request))
        sum += n;
    return sum;
}

QHash<QString, qint64> CountingMockCluster::totals() const
{
    QMutexLocker lock(&m_mutex);
    QHash<QString, qint64> totals;
    for (auto it = m_received.cbegin(); it != m_received.cend(); ++it)
        for (int n : it.value())
            totals[it.key()] += n;
    return totals;
}

void CountingMockCluster::onLog(const rd_kafka_t *rk, int, const char *, const char *line)
{
    // "[thrd:mock]: Broker 2: Received ListOffsetsRequestV2 from 127.0.0.1:40196"
    static const QRegularExpression pattern(
        QStringLiteral("Broker (\\d+): Received (\\w+)RequestV\\d+ from"));
    const auto match = pattern.match(QString::fromUtf8(line));
    if (!match.hasMatch())
        return;
    auto *self = static_cast<CountingMockCluster *>(rd_kafka_opaque(rk));
    QMutexLocker lock(&self->m_mutex);
    ++self->m_received[match.captured(2)][match.captured(1).toInt()];
}

} // namespace veltrix::test
