// libFuzzer target: the readers of Spring Kafka header bytes (big-endian
// integers, Java BigInteger bytes, retry attempts) on arbitrary record headers, as a
// broker could hand them over. They must never crash or read out of bounds.
#include "deadletter/springkafkaheaders.h"

#include <cstddef>
#include <cstdint>

using namespace veltrix;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView bytes(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    (void)fromBigEndian32(bytes);
    (void)fromBigEndian64(bytes);
    (void)fromJavaBigIntegerBytes(bytes);

    // Split the input into header values; names cycle through the ones the readers look up,
    // so repeated and missing headers both occur.
    static const QByteArray names[] = {QByteArrayLiteral("retry_topic-attempts"),
                                       QByteArrayLiteral("retry_topic-backoff-timestamp"),
                                       QByteArrayLiteral("retry_topic-original-timestamp"),
                                       QByteArrayLiteral("kafka_original-partition")};
    KafkaHeaderList headers;
    qsizetype start = 0;
    for (qsizetype i = 0; i <= bytes.size(); ++i) {
        if (i == bytes.size() || bytes.at(i) == '\n') {
            headers.append(
                {names[headers.size() % 4], bytes.sliced(start, i - start).toByteArray()});
            start = i + 1;
        }
    }
    (void)retryTopicAttempts(headers);
    (void)retryTopicBackoffTimestamp(headers);
    (void)lastHeader(headers, names[0]);
    return 0;
}
