// libFuzzer target: the parsers of the statistics the dashboards read from brokers and
// clients — librdkafka's statistics JSON and the RabbitMQ management API's queue list,
// policy list and queue entry (whose retry settings are resolved) — and the Kafka
// retry-policy records of the policy topic.
// Whatever the bytes, they answer with data or an error in words; never a crash.
#include "kafka/kafkastatistics.h"
#include "rabbitmq/queuerates.h"
#include "retry/kafkaretrypolicy.h"
#include "retry/rabbitretrysettings.h"

#include <QJsonDocument>

#include <cstddef>
#include <cstdint>

using namespace veltrix;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes = QByteArray::fromRawData(reinterpret_cast<const char *>(data),
                                                     static_cast<qsizetype>(size));
    (void)parseKafkaStatistics(bytes);
    // A retry-policy record's value, as any producer could have written it.
    if (auto policy = parseKafkaRetryPolicy(bytes, QStringLiteral("g")))
        (void)kafkaRetryPolicyDiff(std::nullopt, policy.value());
    const QJsonDocument document = QJsonDocument::fromJson(bytes);
    (void)parseQueueRates(document);
    const auto policies = parsePolicies(document);
    if (policies)
        (void)winningPolicy(policies.value(), QStringLiteral("orders"));
    if (document.isObject()) // a queue entry, under every policy of a fixed set
        (void)resolveRetrySettings(
            document.object(),
            {{QStringLiteral("v"), QStringLiteral("p"), QStringLiteral(".*"),
              QStringLiteral("queues"), 1,
              document.object().value(QStringLiteral("definition")).toObject()}},
            {});
    return 0;
}
