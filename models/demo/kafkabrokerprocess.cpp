#include "kafkabrokerprocess.h"

#include "demosettings.h"
#include "kafka/mockkafkacluster.h"

#include <QElapsedTimer>
#include <QProcess>

#include <cstdio>

namespace veltrix::demo {

namespace {

struct TopicSpec
{
    QString name;
    int partitions;
};

// Several partitions per topic so lag and redrive have something to spread over.
const TopicSpec DemoTopics[] = {
    {names::OrdersTopic, 6},   {names::PaymentsTopic, 4}, {names::InventoryTopic, 4},
    {names::OrdersRetry0, 6},  {names::OrdersRetry1, 6},  {names::OrdersDlt, 3},
    {names::PaymentsDlt, 2},   {names::InventoryDlt, 2},  {names::RetryPoliciesTopic, 1},
    {names::AuditLogTopic, 1}, {names::ProbeTopic, 3},
};

const QByteArray BootstrapPrefix = "kafka-broker: bootstrap ";

} // namespace

Result<bool> createDemoTopics(MockKafkaCluster &mock)
{
    for (const TopicSpec &topic : DemoTopics) {
        // Replication factor 3 on the 3 mock brokers, like production.
        if (auto ok = mock.createTopic(topic.name, topic.partitions, 3); !ok)
            return ok;
    }
    return true;
}

KafkaBrokerProcess::KafkaBrokerProcess() = default;

KafkaBrokerProcess::~KafkaBrokerProcess()
{
    stop();
}

Result<QString> KafkaBrokerProcess::start(const QString &program, std::chrono::milliseconds timeout)
{
    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_process->start(program, {QStringLiteral("--kafka-broker")});
    if (!m_process->waitForStarted(static_cast<int>(timeout.count())))
        return BrokerError::make(BrokerError::Kind::Configuration,
                                 QStringLiteral("cannot start the mock Kafka broker process %1: %2")
                                     .arg(program, m_process->errorString()));
    QElapsedTimer clock;
    clock.start();
    QByteArray output;
    while (clock.elapsed() < timeout.count() && m_process->state() == QProcess::Running) {
        m_process->waitForReadyRead(200);
        output += m_process->readAllStandardOutput();
        const qsizetype at = output.indexOf(BootstrapPrefix);
        const qsizetype end = output.indexOf('\n', at);
        if (at >= 0 && end > at)
            return QString::fromUtf8(
                output.mid(at + BootstrapPrefix.size(), end - at - BootstrapPrefix.size()));
    }
    stop();
    return BrokerError::make(BrokerError::Kind::Timeout,
                             QStringLiteral("the mock Kafka broker did not start within %1 ms: %2")
                                 .arg(timeout.count())
                                 .arg(QString::fromUtf8(output.trimmed())));
}

void KafkaBrokerProcess::stop()
{
    if (!m_process)
        return;
    // Closing its standard input is the broker's signal to exit.
    m_process->closeWriteChannel();
    if (!m_process->waitForFinished(5000)) {
        m_process->kill();
        m_process->waitForFinished(5000);
    }
    m_process.reset();
}

qint64 KafkaBrokerProcess::pid() const
{
    return m_process ? m_process->processId() : 0;
}

int KafkaBrokerProcess::runBroker()
{
    auto mock = MockKafkaCluster::start(3);
    if (!mock) {
        std::fprintf(stderr, "kafka-broker: %s\n", qPrintable(mock.error().describe()));
        return 1;
    }
    if (auto ok = createDemoTopics(*mock.value()); !ok) {
        std::fprintf(stderr, "kafka-broker: %s\n", qPrintable(ok.error().describe()));
        return 1;
    }
    std::printf("%s%s\n", BootstrapPrefix.constData(),
                qPrintable(mock.value()->bootstrapServers()));
    std::fflush(stdout);
    // Serve until the parent closes our standard input, or dies (which closes it too).
    char buffer[256];
    while (std::fread(buffer, 1, sizeof buffer, stdin) > 0) { }
    return 0;
}

} // namespace veltrix::demo
