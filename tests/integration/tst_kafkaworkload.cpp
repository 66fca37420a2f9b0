// The demo's Kafka workload against librdkafka's mock cluster: poison records must end in
// each dead-letter topic with the headers Spring Kafka and Kafka Connect write, decoded
// here by hand (not by the code under test), and the slow analytics group must lag.
#include "demo/demosettings.h"
#include "demo/kafkabrokerprocess.h"
#include "demo/kafkaworkload.h"
#include "kafka/kafkahandle.h"
#include "kafka/mockkafkacluster.h"
#include "testprofiles.h"

#include <librdkafka/rdkafka.h>

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <algorithm>
#include <arpa/inet.h>
#include <array>
#include <cstring>
#include <map>

using namespace veltrix;
using namespace veltrix::demo;

namespace {

struct Record
{
    qint32 partition = 0;
    QByteArray value;
    std::multimap<QByteArray, QByteArray> headers;

    // Kafka's lastHeader(): the value of the last header of that name.
    QByteArray last(const char *name) const
    {
        QByteArray value;
        for (const auto &[key, v] : headers) {
            if (key == name)
                value = v; // multimap keeps insertion order among equal keys
        }
        return value;
    }
    bool has(const char *name) const { return headers.count(QByteArray(name)) > 0; }
};

// Hand decoding, independent of springheaders.cpp: Java's ByteBuffer.putInt/putLong.
// (Copied out first: GCC 12 -Warray-bounds cannot tell that a sized QByteArray's
// constData() is never its 1-byte empty sentinel.)
qint32 int32Of(const QByteArray &bytes)
{
    std::array<char, 4> copy {};
    if (bytes.size() != 4)
        return -1;
    std::copy(bytes.cbegin(), bytes.cend(), copy.begin());
    quint32 raw = 0;
    std::memcpy(&raw, copy.data(), sizeof raw);
    return static_cast<qint32>(ntohl(raw));
}

// One line per header for the log: text as it is, binary values in hex.
QByteArray describe(const Record &r)
{
    QByteArray text = "partition " + QByteArray::number(r.partition) + ", value " + r.value;
    for (const auto &[name, value] : r.headers) {
        const bool binary = std::any_of(value.cbegin(), value.cend(),
                                        [](char c) { return c != '\n' && c != '\t' && (c < 32); });
        text += "\n  " + name + ": " + (binary ? "0x" + value.toHex() : value.left(160));
    }
    return text;
}

qint64 int64Of(const QByteArray &bytes)
{
    std::array<char, 8> copy {};
    if (bytes.size() != 8)
        return -1;
    std::copy(bytes.cbegin(), bytes.cend(), copy.begin());
    quint32 high = 0, low = 0;
    std::memcpy(&high, copy.data(), 4);
    std::memcpy(&low, copy.data() + 4, 4);
    return static_cast<qint64>((quint64(ntohl(high)) << 32) | ntohl(low));
}

} // namespace

class TestKafkaWorkload : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void deadLettersCarryEveryConvention();

private:
    QList<Record> readAll(const QString &topic, int partitions);
    qint64 analyticsLag();
    qint64 highWatermark(const QString &topic, int partition);

    std::unique_ptr<MockKafkaCluster> m_mock;
    ClusterProfile m_profile;
    std::unique_ptr<KafkaHandle> m_probe; // group "analytics": committed offsets only
};

void TestKafkaWorkload::initTestCase()
{
    auto mock = MockKafkaCluster::start(3);
    QVERIFY2(mock.ok(), qPrintable(mock.error().describe()));
    m_mock = std::move(mock).value();
    const auto topics = createDemoTopics(*m_mock); // the demo's own topics
    QVERIFY2(topics.ok(), qPrintable(topics.error().describe()));
    m_profile = test::kafkaProfile(QStringLiteral("mock"), m_mock->bootstrapServers());

    auto probe = KafkaHandle::create(m_profile, RD_KAFKA_CONSUMER,
                                     {{QStringLiteral("group.id"), names::AnalyticsGroup}});
    QVERIFY2(probe.ok(), qPrintable(probe.error().describe()));
    m_probe = std::move(probe).value();
}

void TestKafkaWorkload::deadLettersCarryEveryConvention()
{
    DemoSettings settings;
    settings.messagesPerSecond = 400 / KafkaWorkload::KafkaShare; // ~400 msg/s on Kafka
    settings.poisonShare = 0.05;
    settings.transientShare = 0.05;
    settings.slowGroupWaveSeconds = 12;
    settings.randomSeed = 42;
    KafkaWorkload workload(m_profile, settings);
    const auto started = workload.start();
    QVERIFY2(started.ok(), qPrintable(started.error().describe()));

    const auto dlt = [&](const QString &topic) {
        return workload.stats()
            .value(u"dead_lettered_by_topic")
            .toObject()
            .value(topic)
            .toInteger();
    };
    qint64 maxLag = 0;
    QTRY_VERIFY_WITH_TIMEOUT((maxLag = std::max(maxLag, analyticsLag())) > 0
                                 && dlt(names::OrdersDlt) > 0 && dlt(names::PaymentsDlt) > 0
                                 && dlt(names::InventoryDlt) > 0,
                             25000);
    const QJsonObject stats = workload.stats();
    qInfo("stats while running: %s, analytics lag seen: %lld",
          QJsonDocument(stats).toJson(QJsonDocument::Compact).constData(), maxLag);
    QVERIFY(stats.value(u"produced").toInteger() > 0);
    QVERIFY(stats.value(u"processed").toInteger() > 0);
    QVERIFY(stats.value(u"retried").toInteger() > 0);

    QElapsedTimer stopping;
    stopping.start();
    workload.stop();
    qInfo("stop() took %lld ms", stopping.elapsed());
    QVERIFY(stopping.elapsed() < 10000);
    const QJsonObject final = workload.stats();
    QVERIFY2(final.value(u"errors").toInteger() == 0,
             qPrintable(final.value(u"last_error").toString()));

    // @RetryableTopic: kafka_original-* / kafka_exception-* and retry_topic-*.
    const QList<Record> orders = readAll(names::OrdersDlt, 3);
    QVERIFY(!orders.isEmpty());
    for (const Record &r : orders) {
        for (const char *name :
             {"kafka_original-topic", "kafka_original-partition", "kafka_original-offset",
              "kafka_original-timestamp", "kafka_original-timestamp-type",
              "kafka_original-consumer-group", "kafka_exception-fqcn", "kafka_exception-cause-fqcn",
              "kafka_exception-message", "kafka_exception-stacktrace", "retry_topic-attempts",
              "retry_topic-original-timestamp", "retry_topic-backoff-timestamp"})
            QVERIFY2(r.has(name), name);
        QVERIFY(!r.has("kafka_dlt-original-topic"));
        QCOMPARE(r.last("kafka_original-topic"), QByteArray("orders"));
        QCOMPARE(r.last("kafka_original-partition").size(), 4);
        const qint32 partition = int32Of(r.last("kafka_original-partition"));
        QVERIFY(partition >= 0 && partition < 6);
        QCOMPARE(r.last("kafka_original-offset").size(), 8);
        const qint64 offset = int64Of(r.last("kafka_original-offset"));
        QVERIFY(offset >= 0 && offset < highWatermark(names::OrdersTopic, partition));
        QCOMPARE(r.last("kafka_original-timestamp").size(), 8);
        QCOMPARE(r.last("kafka_original-consumer-group"), QByteArray("order-service"));
        QCOMPARE(r.last("kafka_exception-fqcn"),
                 QByteArray("org.springframework.kafka.listener.ListenerExecutionFailedException"));
        QCOMPARE(r.last("retry_topic-attempts").size(), 4);
        QCOMPARE(int32Of(r.last("retry_topic-attempts")), 4); // main + 2 retries failed
        QCOMPARE(r.headers.count("retry_topic-attempts"), 3u); // one per hop
        QCOMPARE(r.last("content-type"), QByteArray("application/json"));
    }

    // Blocking recoverer: kafka_dlt-*.
    const QList<Record> payments = readAll(names::PaymentsDlt, 2);
    QVERIFY(!payments.isEmpty());
    for (const Record &r : payments) {
        for (const char *name :
             {"kafka_dlt-original-topic", "kafka_dlt-original-partition",
              "kafka_dlt-original-offset", "kafka_dlt-original-timestamp",
              "kafka_dlt-original-timestamp-type", "kafka_dlt-original-consumer-group",
              "kafka_dlt-exception-fqcn", "kafka_dlt-exception-cause-fqcn",
              "kafka_dlt-exception-message", "kafka_dlt-exception-stacktrace"})
            QVERIFY2(r.has(name), name);
        QVERIFY(!r.has("kafka_original-topic"));
        QCOMPARE(r.last("kafka_dlt-original-topic"), QByteArray("payments"));
        QCOMPARE(r.last("kafka_dlt-original-partition").size(), 4);
        const qint32 partition = int32Of(r.last("kafka_dlt-original-partition"));
        QVERIFY(partition >= 0 && partition < 4);
        QCOMPARE(r.last("kafka_dlt-original-offset").size(), 8);
        const qint64 offset = int64Of(r.last("kafka_dlt-original-offset"));
        QVERIFY(offset >= 0 && offset < highWatermark(names::PaymentsTopic, partition));
        QCOMPARE(r.last("kafka_dlt-original-timestamp").size(), 8);
        QCOMPARE(r.last("kafka_dlt-original-timestamp-type"), QByteArray("CreateTime"));
        QCOMPARE(r.last("kafka_dlt-original-consumer-group"), QByteArray("payment-service"));
        QVERIFY(r.last("kafka_dlt-exception-cause-fqcn").startsWith("com.shop.payments."));
        QVERIFY(r.last("kafka_dlt-exception-message").contains("PAY-"));
    }

    // Kafka Connect: __connect.errors.*, all text.
    const QList<Record> inventory = readAll(names::InventoryDlt, 2);
    QVERIFY(!inventory.isEmpty());
    for (const Record &r : inventory) {
        QCOMPARE(r.last("__connect.errors.topic"), QByteArray("inventory"));
        bool ok = false;
        const int partition = r.last("__connect.errors.partition").toInt(&ok);
        QVERIFY(ok && partition >= 0 && partition < 4);
        r.last("__connect.errors.offset").toLongLong(&ok);
        QVERIFY(ok);
        QCOMPARE(r.last("__connect.errors.connector.name"), QByteArray("inventory-jdbc-sink"));
        QCOMPARE(r.last("__connect.errors.task.id"), QByteArray("0"));
        const QByteArray stage = r.last("__connect.errors.stage");
        QVERIFY2(stage == "VALUE_CONVERTER" || stage == "TASK_PUT", stage.constData());
        for (const char *name :
             {"__connect.errors.class.name", "__connect.errors.exception.class.name",
              "__connect.errors.exception.message", "__connect.errors.exception.stacktrace"})
            QVERIFY2(!r.last(name).isEmpty(), name);
    }

    for (const QList<Record> *records : {&orders, &payments, &inventory}) {
        for (const Record &r : *records) {
            const QJsonDocument doc = QJsonDocument::fromJson(r.value);
            QVERIFY(doc.isObject());
            QCOMPARE(doc.object().value(u"fail").toString(), QStringLiteral("poison"));
        }
    }
}

QList<Record> TestKafkaWorkload::readAll(const QString &topic, int partitions)
{
    // A plain assign()-ed consumer from the beginning up to each partition's end.
    auto consumer
        = KafkaHandle::create(m_profile, RD_KAFKA_CONSUMER,
                              {{QStringLiteral("group.id"), QStringLiteral("tst-reader-") + topic},
                               {QStringLiteral("enable.auto.commit"), QStringLiteral("false")},
                               {QStringLiteral("enable.partition.eof"), QStringLiteral("true")}});
    if (!consumer.ok())
        return {};
    rd_kafka_t *rk = consumer.value()->get();
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *assignment = rd_kafka_topic_partition_list_new(partitions);
    for (int p = 0; p < partitions; ++p)
        rd_kafka_topic_partition_list_add(assignment, topic.toUtf8().constData(), p)->offset
            = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_assign(rk, assignment);
    rd_kafka_topic_partition_list_destroy(assignment);

    QList<Record> records;
    int atEnd = 0;
    QElapsedTimer clock;
    clock.start();
    while (atEnd < partitions && clock.elapsed() < 15000) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 200);
        if (!m)
            continue;
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            ++atEnd;
        } else if (!m->err) {
            Record r;
            r.partition = m->partition;
            r.value
                = QByteArray(static_cast<const char *>(m->payload), static_cast<qsizetype>(m->len));
            rd_kafka_headers_t *hdrs = nullptr;
            if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
                const char *name = nullptr;
                const void *value = nullptr;
                size_t size = 0;
                for (size_t i = 0; !rd_kafka_header_get_all(hdrs, i, &name, &value, &size); ++i)
                    r.headers.emplace(
                        QByteArray(name),
                        QByteArray(static_cast<const char *>(value), static_cast<qsizetype>(size)));
            }
            records.append(r);
        }
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(rk);
    qInfo("%s: %lld records%s%s", qPrintable(topic), static_cast<long long>(records.size()),
          records.isEmpty() ? "" : ", the first: ",
          records.isEmpty() ? "" : describe(records.first()).constData());
    return records;
}

qint64 TestKafkaWorkload::highWatermark(const QString &topic, int partition)
{
    int64_t low = 0, high = 0;
    if (rd_kafka_query_watermark_offsets(m_probe->get(), topic.toUtf8().constData(), partition,
                                         &low, &high, 5000))
        return -1;
    return high;
}

// The analytics group's lag on orders: high watermark minus committed offset, summed.
qint64 TestKafkaWorkload::analyticsLag()
{
    constexpr int Partitions = 6;
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(Partitions);
    for (int p = 0; p < Partitions; ++p)
        rd_kafka_topic_partition_list_add(list, "orders", p);
    qint64 lag = 0;
    if (rd_kafka_committed(m_probe->get(), list, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        for (int i = 0; i < list->cnt; ++i) {
            const qint64 committed = list->elems[i].offset;
            if (committed < 0) // nothing committed yet: not a measurement
                continue;
            lag += std::max<qint64>(
                0, highWatermark(names::OrdersTopic, list->elems[i].partition) - committed);
        }
    }
    rd_kafka_topic_partition_list_destroy(list);
    return lag;
}

QTEST_GUILESS_MAIN(TestKafkaWorkload)
#include "tst_kafkaworkload.moc"
