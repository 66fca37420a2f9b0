// libFuzzer target: the dead-letter parsers on whatever a broker could hand over, the
// triage grouping of what they make of it, and how the console shows such a message
// (payload kind, pretty JSON, escaped text, hex, header tree, the JSON export). Nothing
// may crash, hang or read out of bounds, and escaped text must give back every byte.
//
// Input: byte 0 picks the path, the rest is its data.
//  - even: Kafka record headers, each [name][value]. A name byte with the high bit set
//    stands for one of the convention's header names (index in the low bits), otherwise it
//    is the length of the name bytes that follow. The value is a 2-byte big-endian length
//    (0xffff: a null value) and its bytes. Bit 1 of byte 0: the record has no timestamp.
//  - odd: an AMQP field table in wire format, decoded by rabbitmq-c as a message's headers
//    are, through amqpTableToVariantMap() as the browser does.
#include "deadletter/deadletterparser.h"
#include "deadletter/messagejson.h"
#include "deadletter/payloadview.h"
#include "deadletter/springkafkaheaders.h"
#include "deadletter/triage.h"
#include "deadletter/xdeathparser.h"
#include "rabbitmq/amqptable.h"
#include "redrive/redrivetarget.h"

#include <amqp.h>

#include <QByteArrayView>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

using namespace veltrix;

namespace {

constexpr const char *KnownNames[] = {
    headers::DltOriginalTopic,
    headers::DltOriginalPartition,
    headers::DltOriginalOffset,
    headers::DltOriginalTimestamp,
    headers::DltOriginalTimestampType,
    headers::DltOriginalConsumerGroup,
    headers::DltExceptionFqcn,
    headers::DltExceptionCauseFqcn,
    headers::DltExceptionMessage,
    headers::DltExceptionStacktrace,
    headers::OriginalTopic,
    headers::OriginalPartition,
    headers::OriginalOffset,
    headers::OriginalTimestamp,
    headers::OriginalTimestampType,
    headers::OriginalConsumerGroup,
    headers::ExceptionFqcn,
    headers::ExceptionCauseFqcn,
    headers::ExceptionMessage,
    headers::ExceptionStacktrace,
    headers::RetryAttempts,
    headers::RetryBackoffTimestamp,
    headers::RetryOriginalTimestamp,
    headers::ConnectTopic,
    headers::ConnectPartition,
    headers::ConnectOffset,
    headers::ConnectConnectorName,
    headers::ConnectTaskId,
    headers::ConnectStage,
    headers::ConnectClassName,
    headers::ConnectExceptionClassName,
    headers::ConnectExceptionMessage,
    headers::ConnectExceptionStacktrace,
};
constexpr size_t KnownNameCount = sizeof(KnownNames) / sizeof(KnownNames[0]);

KafkaHeaderList kafkaHeaders(QByteArrayView bytes)
{
    KafkaHeaderList list;
    qsizetype at = 0;
    const auto take = [&](qsizetype n) -> std::optional<QByteArrayView> {
        if (n > bytes.size() - at)
            return std::nullopt;
        const QByteArrayView part = bytes.sliced(at, n);
        at += n;
        return part;
    };
    while (at < bytes.size()) {
        const auto nameByte = static_cast<quint8>(bytes.at(at++));
        QByteArray name;
        if (nameByte & 0x80) {
            name = KnownNames[(nameByte & 0x7f) % KnownNameCount];
        } else if (const auto raw = take(nameByte)) {
            name = raw->toByteArray();
        } else {
            break;
        }
        const auto length = take(2);
        if (!length)
            break;
        const int size
            = (static_cast<quint8>(length->at(0)) << 8) | static_cast<quint8>(length->at(1));
        if (size == 0xffff) {
            list.append({name, QByteArray()});
            continue;
        }
        const auto value = take(size);
        if (!value)
            break;
        list.append({name, value->toByteArray()}); // toByteArray(): never null
    }
    return list;
}

QVariantMap amqpHeaders(QByteArrayView bytes)
{
    amqp_pool_t pool;
    init_amqp_pool(&pool, 4096);
    amqp_table_t table;
    size_t offset = 0;
    QVariantMap map;
    const amqp_bytes_t encoded {size_t(bytes.size()), const_cast<char *>(bytes.data())};
    if (amqp_decode_table(encoded, &pool, &table, &offset) == AMQP_STATUS_OK)
        map = amqpTableToVariantMap(table);
    empty_amqp_pool(&pool);
    return map;
}

void triage(const DeadLetter &letter)
{
    TriageCounter counter(2);
    counter.add(letter);
    counter.add(DeadLetter());
    for (const TriageDimension dimension : AllTriageDimensions) {
        const QString value = triageValue(letter, dimension);
        if (value.isEmpty() || value.size() > 100'000 || !triageMatches(letter, dimension, value)
            || !counter.matches(letter, dimension, value))
            std::abort();
        if (counter.groups(dimension).isEmpty())
            std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const auto mode = static_cast<quint8>(data[0]);
    const QByteArrayView rest(reinterpret_cast<const char *>(data) + 1, qsizetype(size - 1));

    DeadLetter letter;
    BrowsedMessage message; // as a browser would hand it to the view
    message.payload = rest.toByteArray();
    message.payloadSize = message.payload.size();
    if ((mode & 1) == 0) {
        const QDateTime recordTimestamp
            = (mode & 2) ? QDateTime() : QDateTime::fromMSecsSinceEpoch(1700000000000, Qt::UTC);
        message.partition = 0;
        message.offset = 0;
        message.kafkaHeaders = kafkaHeaders(rest);
        letter = parseKafkaDeadLetter(message.kafkaHeaders, recordTimestamp);
        // Each header the parser reads yields at most one warning.
        if (letter.warnings.size() > 40)
            std::abort();
        if (letter.isDeadLetter() && letter.lastFailedAt != recordTimestamp)
            std::abort();
    } else {
        message.amqpHeaders = amqpHeaders(rest);
        letter = parseRabbitDeadLetter(message.amqpHeaders);
        if (letter.warnings.size() > ParseWarnings::MaxWarnings + 1)
            std::abort();
        if (letter.attempts < -1 || (letter.attempts == -1) != letter.deaths.isEmpty())
            std::abort();
    }
    if (!letter.isDeadLetter() && !(letter == DeadLetter()))
        std::abort();
    if (letter.firstFailedAt.isValid() && letter.lastFailedAt.isValid()
        && letter.firstFailedAt > letter.lastFailedAt)
        std::abort();
    triage(letter);

    message.deadLetter = letter;
    if (classifyPayload(message.payload) == PayloadKind::Json)
        prettyJson(message.payload);
    if (unescapeSafeText(safeText(message.payload)) != message.payload)
        std::abort();
    hexDump(message.payload, 4096);
    payloadPreview(message.payload, 160);
    headerTree(message);
    messageToJson(message);

    // What a redrive would publish from these bytes: every header kept, ours counted on.
    const QDateTime now = QDateTime::fromMSecsSinceEpoch(1700000000000, Qt::UTC);
    const bool kafka = (mode & 1) == 0;
    const DlqSource source {kafka ? ClusterKind::Kafka : ClusterKind::RabbitMq, QStringLiteral("c"),
                            QStringLiteral("/"), QStringLiteral("dlq")};
    const TargetResolution target = resolveRedriveTarget(message, source, RedriveDestination {});
    if (target.target.has_value() == !target.why.isEmpty())
        std::abort();
    if (kafka) {
        const KafkaHeaderList headers = redriveKafkaHeaders(message.kafkaHeaders, now);
        if (headers.size() < 2 || headers.at(headers.size() - 2).name != RedriveCountHeader.toUtf8()
            || headers.at(headers.size() - 2).value.toLongLong() < 1)
            std::abort();
    } else {
        AmqpMessageProperties properties;
        properties.headers = message.amqpHeaders;
        const AmqpMessageProperties redriven
            = redriveProperties(properties, DeathHistory::KeepAsPrevious, now);
        if (redriven.headers.value(RedriveCountHeader).toLongLong() < 1
            || redriven.headers.contains(QStringLiteral("x-death")))
            std::abort();
        AmqpTableBuilder encoded(redriven.headers); // what the publish would encode
    }

    // The message normaliser on arbitrary text as well.
    const QString text = QString::fromUtf8(rest);
    if (normaliseExceptionMessage(text).size() > NormalisedMessageMaxLength)
        std::abort();
    return 0;
}
