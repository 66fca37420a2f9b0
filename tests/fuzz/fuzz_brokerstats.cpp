// libFuzzer target: the parsers of the statistics the dashboards read from brokers and
// clients — librdkafka's statistics JSON and the RabbitMQ management API's queue list.
// Whatever the bytes, they answer with data or an error in words; never a crash.
#include "kafka/kafkastatistics.h"
#include "rabbitmq/queuerates.h"

#include <QJsonDocument>

#include <cstddef>
#include <cstdint>

using namespace veltrix;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes = QByteArray::fromRawData(reinterpret_cast<const char *>(data),
                                                     static_cast<qsizetype>(size));
    (void)parseKafkaStatistics(bytes);
    (void)parseQueueRates(QJsonDocument::fromJson(bytes));
    return 0;
}
