// veltrix-demo as scripts/demo runs it: a separate process, checked from outside with
// a plain librdkafka consumer and plain AMQP reads (no parser of ours reads the
// dead-letter headers here), then stopped with SIGTERM / SIGINT.
#include "core/profilefile.h"
#include "rabbitmq/amqpconnection.h"
#include "testrabbitnode.h"

#include <librdkafka/rdkafka.h>

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QProcess>
#include <QTcpSocket>
#include <QTest>
#include <QUrl>
#include <QtEndian>

#include <csignal>
#include <sys/prctl.h>

using namespace veltrix;

namespace {

using Headers = QMap<QString, QByteArray>;

struct DemoProcess
{
    DemoProcess()
    {
        // A test that crashes must not leave a demo (and its brokers) running.
        process.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
    }
    QProcess process;
    QByteArray output;
    // On a RabbitMQ of the user's (the fixture's node) instead of a private one.
    void startOn(const LocalRabbitNodeInfo &node)
    {
        process.start(qEnvironmentVariable("VELTRIX_DEMO"),
                      {QStringLiteral("--amqp"), node.amqpUri(), QStringLiteral("--management"),
                       node.managementUrl()});
    }
    QString value(const QString &label) const // "  Profiles             /tmp/..."
    {
        for (const QByteArray &line : output.split('\n')) {
            const QString text = QString::fromUtf8(line).trimmed();
            if (text.startsWith(label + QLatin1Char(' ')))
                return text.mid(label.size()).trimmed();
        }
        return {};
    }
    bool waitReady(int ms)
    {
        if (!process.waitForStarted(10000))
            return false;
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < ms && process.state() == QProcess::Running) {
            process.waitForReadyRead(200);
            output += process.readAllStandardOutput();
            if (output.contains("veltrix-demo: ready") && output.contains("Stop with Ctrl-C."))
                return true;
        }
        return false;
    }
};

// The first message of each DLT that carries headers, read by a plain consumer.
// topics: name → partition count
QMap<QString, Headers> firstDeadLetters(const QString &bootstrap, const QMap<QString, int> &topics,
                                        int timeoutMs)
{
    QMap<QString, Headers> found;
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.toUtf8().constData(), err, sizeof err);
    rd_kafka_conf_set(conf, "group.id", "tst-demo-reader", err, sizeof err);
    rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof err);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk)
        return found;
    rd_kafka_poll_set_consumer(rk);
    QElapsedTimer clock;
    clock.start();
    while (found.size() < topics.size() && clock.elapsed() < timeoutMs) {
        // Re-assign from the beginning each round: the DLTs fill while we wait.
        rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(8);
        for (auto it = topics.cbegin(); it != topics.cend(); ++it) {
            const QString &topic = it.key();
            if (found.contains(topic))
                continue;
            for (int p = 0; p < it.value(); ++p)
                rd_kafka_topic_partition_list_add(list, topic.toUtf8().constData(), p)->offset
                    = RD_KAFKA_OFFSET_BEGINNING;
        }
        rd_kafka_assign(rk, list);
        rd_kafka_topic_partition_list_destroy(list);
        QElapsedTimer round;
        round.start();
        while (round.elapsed() < 3000 && found.size() < topics.size()) {
            rd_kafka_message_t *msg = rd_kafka_consumer_poll(rk, 200);
            if (!msg)
                continue;
            rd_kafka_headers_t *hdrs = nullptr;
            if (!msg->err && rd_kafka_message_headers(msg, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
                Headers headers;
                const char *name = nullptr;
                const void *value = nullptr;
                size_t size = 0;
                for (size_t i = 0; rd_kafka_header_get_all(hdrs, i, &name, &value, &size)
                     == RD_KAFKA_RESP_ERR_NO_ERROR;
                     ++i)
                    headers.insert(QString::fromUtf8(name),
                                   QByteArray(static_cast<const char *>(value), qsizetype(size)));
                const QString topic = QString::fromUtf8(rd_kafka_topic_name(msg->rkt));
                if (!found.contains(topic))
                    found.insert(topic, headers);
            }
            rd_kafka_message_destroy(msg);
        }
    }
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return found;
}

qint64 groupLag(const QString &bootstrap, const QString &group, const QString &topic,
                int partitions)
{
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.toUtf8().constData(), err, sizeof err);
    rd_kafka_conf_set(conf, "group.id", group.toUtf8().constData(), err, sizeof err);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(partitions);
    for (int p = 0; p < partitions; ++p)
        rd_kafka_topic_partition_list_add(list, topic.toUtf8().constData(), p);
    qint64 lag = -1;
    if (rd_kafka_committed(rk, list, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        lag = 0;
        for (int i = 0; i < list->cnt; ++i) {
            int64_t low = 0, high = 0;
            rd_kafka_query_watermark_offsets(rk, topic.toUtf8().constData(),
                                             list->elems[i].partition, &low, &high, 5000);
            const int64_t committed = list->elems[i].offset >= 0 ? list->elems[i].offset : low;
            lag += high - committed;
        }
    }
    rd_kafka_topic_partition_list_destroy(list);
    rd_kafka_destroy(rk);
    return lag;
}

QVariantMap firstDeath(AmqpConnection &amqp, const QString &queue, int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < timeoutMs) {
        auto got = amqp.get(queue);
        if (got.ok() && got->has_value()) {
            const AmqpMessage message = *got.value();
            amqp.reject(message.deliveryTag, true); // leave the DLQ as it was
            const QVariantList deaths
                = message.properties.headers.value(QStringLiteral("x-death")).toList();
            return deaths.isEmpty() ? QVariantMap() : deaths.first().toMap();
        }
        QTest::qWait(500);
    }
    return {};
}

bool portOpen(quint16 port)
{
    QTcpSocket socket;
    socket.connectToHost(QStringLiteral("127.0.0.1"), port);
    return socket.waitForConnected(1000);
}

} // namespace

class TestDemo : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void fullDemoDeadLettersLikeProductionAndStopsOnSigterm();
    void demoOnAUsersNodeStopsOnSigint();
    void signalDuringStartupStillStopsInOrder();

private:
    LocalRabbitNodeInfo m_node;
};

void TestDemo::initTestCase()
{
    QString whyNot;
    const auto node = testRabbitNodeFromEnvironment(&whyNot);
    if (!node)
        QFAIL(qPrintable(whyNot));
    m_node = *node;
}

void TestDemo::fullDemoDeadLettersLikeProductionAndStopsOnSigterm()
{
    DemoProcess demo;
    demo.process.start(qEnvironmentVariable("VELTRIX_DEMO"), {});
    QVERIFY2(demo.waitReady(60000), demo.output.constData());

    const QString profilesPath = demo.value(QStringLiteral("Profiles"));
    const ProfileFileResult profiles = ProfileFile::load(profilesPath);
    if (!profiles.ok())
        QFAIL(qPrintable(profiles.error->describe()));
    QCOMPARE(profiles.clusters.size(), 2);
    const QString bootstrap = demo.value(QStringLiteral("Kafka bootstrap"));
    QCOMPARE(profiles.clusters.at(0).bootstrap, bootstrap);

    // Kafka: each convention, checked byte by byte.
    const auto dead = firstDeadLetters(bootstrap,
                                       {{QStringLiteral("orders-dlt"), 3},
                                        {QStringLiteral("payments-dlt"), 2},
                                        {QStringLiteral("inventory-dlt"), 2}},
                                       60000);
    QVERIFY2(dead.size() == 3, qPrintable(QStringList(dead.keys()).join(QLatin1Char(','))));
    const Headers retryable = dead.value(QStringLiteral("orders-dlt"));
    QCOMPARE(retryable.value(QStringLiteral("kafka_original-topic")), QByteArray("orders"));
    QCOMPARE(retryable.value(QStringLiteral("kafka_original-partition")).size(), 4);
    const qint32 partition = qFromBigEndian<qint32>(
        retryable.value(QStringLiteral("kafka_original-partition")).constData());
    QVERIFY(partition >= 0 && partition < 6);
    QCOMPARE(retryable.value(QStringLiteral("kafka_original-offset")).size(), 8);
    QCOMPARE(retryable.value(QStringLiteral("kafka_original-timestamp")).size(), 8);
    QVERIFY(!retryable.value(QStringLiteral("kafka_exception-fqcn")).isEmpty());
    QVERIFY(retryable.contains(QStringLiteral("retry_topic-attempts")));

    const Headers blocking = dead.value(QStringLiteral("payments-dlt"));
    QCOMPARE(blocking.value(QStringLiteral("kafka_dlt-original-topic")), QByteArray("payments"));
    QCOMPARE(blocking.value(QStringLiteral("kafka_dlt-original-partition")).size(), 4);
    QCOMPARE(blocking.value(QStringLiteral("kafka_dlt-original-offset")).size(), 8);
    QVERIFY(!blocking.value(QStringLiteral("kafka_dlt-exception-fqcn")).isEmpty());
    QVERIFY(!blocking.value(QStringLiteral("kafka_dlt-exception-message")).isEmpty());

    const Headers connect = dead.value(QStringLiteral("inventory-dlt"));
    QCOMPARE(connect.value(QStringLiteral("__connect.errors.topic")), QByteArray("inventory"));
    QVERIFY(!connect.value(QStringLiteral("__connect.errors.exception.class.name")).isEmpty());
    bool offsetIsText = false;
    connect.value(QStringLiteral("__connect.errors.offset")).toLongLong(&offsetIsText);
    QVERIFY(offsetIsText); // Connect writes every header as a string

    // RabbitMQ: the broker's own x-death, for each way a message dies.
    const QString amqpUri = demo.value(QStringLiteral("RabbitMQ AMQP"));
    auto endpoint = AmqpEndpoint::parse(amqpUri);
    QVERIFY2(endpoint.ok(), qPrintable(amqpUri));
    QCOMPARE(endpoint->vhost, QStringLiteral("shop"));
    auto amqp
        = AmqpConnection::open(QStringLiteral("tst"), endpoint.value(), std::chrono::seconds(5));
    QVERIFY2(amqp.ok(), qPrintable(amqp.error().describe()));
    const QVariantMap rejected = firstDeath(*amqp.value(), QStringLiteral("orders.dlq"), 30000);
    QCOMPARE(rejected.value(QStringLiteral("reason")).toString(), QStringLiteral("rejected"));
    QCOMPARE(rejected.value(QStringLiteral("queue")).toString(), QStringLiteral("orders.process"));
    QCOMPARE(rejected.value(QStringLiteral("exchange")).toString(), QStringLiteral("shop"));
    QVERIFY(rejected.value(QStringLiteral("count")).toLongLong() >= 1);
    const QVariantMap limited = firstDeath(*amqp.value(), QStringLiteral("payments.dlq"), 30000);
    QCOMPARE(limited.value(QStringLiteral("reason")).toString(), QStringLiteral("delivery_limit"));
    const QVariantMap expired = firstDeath(*amqp.value(), QStringLiteral("shipping.dlq"), 45000);
    QCOMPARE(expired.value(QStringLiteral("reason")).toString(), QStringLiteral("expired"));
    amqp.value().reset();

    // The slow group falls behind.
    qint64 maxLag = 0;
    QElapsedTimer clock;
    clock.start();
    while (maxLag <= 0 && clock.elapsed() < 60000) {
        maxLag = std::max(
            maxLag, groupLag(bootstrap, QStringLiteral("analytics"), QStringLiteral("orders"), 6));
        if (maxLag <= 0)
            QTest::qWait(2000);
    }
    QVERIFY2(maxLag > 0, "the analytics group never fell behind");

    // SIGTERM: workloads, broker and temporary data all go.
    const quint16 managementPort = QUrl(demo.value(QStringLiteral("RabbitMQ management"))).port();
    QVERIFY(portOpen(managementPort));
    ::kill(static_cast<pid_t>(demo.process.processId()), SIGTERM);
    QVERIFY(demo.process.waitForFinished(30000));
    QCOMPARE(demo.process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(demo.process.exitCode(), 0);
    demo.output += demo.process.readAllStandardOutput();
    QVERIFY2(demo.output.contains("veltrix-demo: stopped"), demo.output.right(2000).constData());
    QVERIFY2(!QFileInfo::exists(QFileInfo(profilesPath).absolutePath()), qPrintable(profilesPath));
    QVERIFY(!portOpen(managementPort));
    const quint16 kafkaPort
        = bootstrap.section(QLatin1Char(','), 0, 0).section(QLatin1Char(':'), 1).toUShort();
    QVERIFY(kafkaPort > 0);
    QVERIFY(!portOpen(kafkaPort)); // the broker process went with the demo
}

void TestDemo::demoOnAUsersNodeStopsOnSigint()
{
    DemoProcess demo;
    demo.startOn(m_node);
    QVERIFY2(demo.waitReady(30000), demo.output.constData());
    QCOMPARE(demo.value(QStringLiteral("RabbitMQ management")), m_node.managementUrl());
    ::kill(static_cast<pid_t>(demo.process.processId()), SIGINT);
    QVERIFY(demo.process.waitForFinished(20000));
    QCOMPARE(demo.process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(demo.process.exitCode(), 0);
    QVERIFY(portOpen(m_node.managementPort)); // the user's node is the user's: it keeps running
}

void TestDemo::signalDuringStartupStillStopsInOrder()
{
    DemoProcess demo;
    demo.startOn(m_node);
    QVERIFY(demo.process.waitForStarted(10000));
    // As soon as it says it is starting, before it is ready.
    QElapsedTimer clock;
    clock.start();
    while (!demo.output.contains("veltrix-demo: starting") && clock.elapsed() < 10000) {
        demo.process.waitForReadyRead(50);
        demo.output += demo.process.readAllStandardOutput();
    }
    QVERIFY2(!demo.output.contains("veltrix-demo: ready"), demo.output.constData());
    ::kill(static_cast<pid_t>(demo.process.processId()), SIGTERM);
    QVERIFY(demo.process.waitForFinished(30000));
    demo.output += demo.process.readAllStandardOutput();
    QCOMPARE(demo.process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(demo.process.exitCode(), 0);
    QVERIFY2(demo.output.contains("veltrix-demo: stopped"), demo.output.constData());
}

QTEST_GUILESS_MAIN(TestDemo)
#include "tst_demo.moc"
