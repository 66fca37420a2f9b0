#pragma once

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <QHash>
#include <QMap>
#include <QMutex>
#include <QString>

namespace veltrix::test {

// A librdkafka mock cluster whose brokers log each request they receive (librdkafka's
// "mock" debug context), so a test or bench counts what a client really sent, not what
// the client says it sent.
class CountingMockCluster
{
public:
    explicit CountingMockCluster(int brokers = 3);
    ~CountingMockCluster();
    CountingMockCluster(const CountingMockCluster &) = delete;
    CountingMockCluster &operator=(const CountingMockCluster &) = delete;

    bool ok() const { return m_cluster != nullptr; }
    QString error() const { return m_error; } // why it did not start
    rd_kafka_mock_cluster_t *handle() const { return m_cluster; }
    QString bootstrap() const;

    void reset();
    // Requests of one kind ("ListOffsets", "OffsetFetch", ...) received since reset(), by
    // broker id.
    QMap<int, int> received(const QString &request) const;
    int total(const QString &request) const;
    // Every kind received since reset(), summed over the brokers.
    QHash<QString, qint64> totals() const;

private:
    static void onLog(const rd_kafka_t *rk, int level, const char *facility, const char *line);

    rd_kafka_t *m_owner = nullptr;
    rd_kafka_mock_cluster_t *m_cluster = nullptr;
    QString m_error;
    mutable QMutex m_mutex;
    QHash<QString, QMap<int, int>> m_received;
};

} // namespace veltrix::test
