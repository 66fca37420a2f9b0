#include "deadletterparser.h"
#include "springkafkaheaders.h"

#include <QStringDecoder>

#include <algorithm>
#include <array>
#include <limits>
#include <optional>
#include <utility>

namespace veltrix {

using namespace Qt::StringLiterals;

namespace {

// The header names of one Spring recoverer family: the blocking DLPR's kafka_dlt-* or
// @RetryableTopic's kafka_original-* / kafka_exception-*.
struct SpringNames
{
    const char *topic, *partition, *offset, *timestamp, *timestampType, *consumerGroup;
    const char *exceptionFqcn, *exceptionCauseFqcn, *exceptionMessage, *exceptionStacktrace;
};

constexpr SpringNames BlockingNames {
    headers::DltOriginalTopic,         headers::DltOriginalPartition,
    headers::DltOriginalOffset,        headers::DltOriginalTimestamp,
    headers::DltOriginalTimestampType, headers::DltOriginalConsumerGroup,
    headers::DltExceptionFqcn,         headers::DltExceptionCauseFqcn,
    headers::DltExceptionMessage,      headers::DltExceptionStacktrace};

constexpr SpringNames RetryableNames {
    headers::OriginalTopic,      headers::OriginalPartition,     headers::OriginalOffset,
    headers::OriginalTimestamp,  headers::OriginalTimestampType, headers::OriginalConsumerGroup,
    headers::ExceptionFqcn,      headers::ExceptionCauseFqcn,    headers::ExceptionMessage,
    headers::ExceptionStacktrace};

constexpr std::array ConnectNames {headers::ConnectTopic,
                                   headers::ConnectPartition,
                                   headers::ConnectOffset,
                                   headers::ConnectConnectorName,
                                   headers::ConnectTaskId,
                                   headers::ConnectStage,
                                   headers::ConnectClassName,
                                   headers::ConnectExceptionClassName,
                                   headers::ConnectExceptionMessage,
                                   headers::ConnectExceptionStacktrace};

bool isOneOf(const QByteArray &name, const SpringNames &names)
{
    for (const char *n :
         {names.topic, names.partition, names.offset, names.timestamp, names.timestampType,
          names.consumerGroup, names.exceptionFqcn, names.exceptionCauseFqcn,
          names.exceptionMessage, names.exceptionStacktrace}) {
        if (name == n)
            return true;
    }
    return false;
}

DeadLetterConvention conventionOf(const QByteArray &name)
{
    if (isOneOf(name, BlockingNames))
        return DeadLetterConvention::SpringBlocking;
    if (isOneOf(name, RetryableNames) || name == headers::RetryAttempts
        || name == headers::RetryBackoffTimestamp || name == headers::RetryOriginalTimestamp)
        return DeadLetterConvention::SpringRetryable;
    if (std::any_of(ConnectNames.cbegin(), ConnectNames.cend(),
                    [&](const char *n) { return name == n; }))
        return DeadLetterConvention::KafkaConnect;
    return DeadLetterConvention::None;
}

// The convention of the latest failure. Every recoverer appends its headers after the
// record's own (Spring re-appends its exception and retry headers on each hop), so when
// a record carries several conventions - a Spring consumer re-dead-lettering a Connect DLQ
// record, or the reverse - the one written last is the latest.
DeadLetterConvention latestConvention(const KafkaHeaderList &list)
{
    for (auto it = list.crbegin(); it != list.crend(); ++it) {
        if (it->value.isNull())
            continue; // a null value is an absent header
        if (const auto convention = conventionOf(it->name);
            convention != DeadLetterConvention::None)
            return convention;
    }
    return DeadLetterConvention::None;
}

QString byteCount(const QByteArray &raw)
{
    return raw.size() == 1 ? u"1 byte"_s : u"%1 bytes"_s.arg(raw.size());
}

// Typed reads of the last header of a name; what is malformed becomes a warning naming
// the header and is read as absent.
class HeaderReader
{
public:
    explicit HeaderReader(const KafkaHeaderList &list)
        : m_list(list)
    { }

    std::optional<QByteArray> bytes(const char *name) const
    {
        auto value = lastHeader(m_list, QByteArrayView(name));
        if (!value || value->isNull())
            return std::nullopt;
        return value;
    }

    std::optional<QString> text(const char *name)
    {
        const auto raw = bytes(name);
        if (!raw)
            return std::nullopt;
        QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
        QString text = decoder(*raw);
        if (decoder.hasError()) {
            warn(name, u"not valid UTF-8 text (%1)"_s.arg(byteCount(*raw)));
            return std::nullopt;
        }
        return text;
    }

    // Java's ByteBuffer.putInt(): exactly 4 bytes.
    std::optional<qint32> int32(const char *name)
    {
        const auto raw = bytes(name);
        if (!raw)
            return std::nullopt;
        const auto value = fromBigEndian32(*raw);
        if (!value)
            warn(name, u"expected a 4-byte big-endian int, got %1"_s.arg(byteCount(*raw)));
        return value;
    }

    // Java's ByteBuffer.putLong(): exactly 8 bytes.
    std::optional<qint64> int64(const char *name)
    {
        const auto raw = bytes(name);
        if (!raw)
            return std::nullopt;
        const auto value = fromBigEndian64(*raw);
        if (!value)
            warn(name, u"expected an 8-byte big-endian long, got %1"_s.arg(byteCount(*raw)));
        return value;
    }

    // Java's BigInteger.toByteArray() of a long: 1..8 bytes.
    std::optional<qint64> bigInteger(const char *name)
    {
        const auto raw = bytes(name);
        if (!raw)
            return std::nullopt;
        const auto value = fromJavaBigIntegerBytes(*raw);
        if (!value)
            warn(name, u"expected a 1..8-byte Java BigInteger, got %1"_s.arg(byteCount(*raw)));
        return value;
    }

    // Kafka Connect's Integer/Long.toString(): an optional '-' and ASCII digits only.
    std::optional<qint64> decimal(const char *name)
    {
        const auto raw = bytes(name);
        if (!raw)
            return std::nullopt;
        const QByteArrayView digits
            = raw->startsWith('-') ? QByteArrayView(*raw).sliced(1) : QByteArrayView(*raw);
        const bool allDigits = !digits.isEmpty()
            && std::all_of(digits.begin(), digits.end(),
                           [](char c) { return c >= '0' && c <= '9'; });
        bool ok = false;
        const qint64 value = allDigits ? raw->toLongLong(&ok) : 0;
        if (!ok) {
            warn(name, u"expected a decimal number, got \"%1\""_s.arg(preview(*raw)));
            return std::nullopt;
        }
        return value;
    }

    // A value that must lie in [min, max]: Kafka partitions, offsets, task ids.
    template<typename T>
    std::optional<T> inRange(const char *name, std::optional<qint64> value, qint64 min, qint64 max)
    {
        if (!value)
            return std::nullopt;
        if (*value < min || *value > max) {
            warn(name, u"%1 is out of range"_s.arg(*value));
            return std::nullopt;
        }
        return T(*value);
    }

    // Kafka record timestamps: ms since the epoch; -1 is Kafka's "no timestamp".
    std::optional<QDateTime> timestamp(const char *name, std::optional<qint64> ms)
    {
        if (!ms || *ms == -1)
            return std::nullopt;
        // Qt's QDateTime covers far more than Kafka's timestamps; the bound keeps the
        // arithmetic away from qint64's edges.
        constexpr qint64 Limit = qint64(1) << 50; // ~35,700 years
        const QDateTime time
            = *ms >= 0 && *ms < Limit ? QDateTime::fromMSecsSinceEpoch(*ms, Qt::UTC) : QDateTime();
        if (!time.isValid()) {
            warn(name, u"timestamp %1 ms is out of range"_s.arg(*ms));
            return std::nullopt;
        }
        return time;
    }

    void warn(const char *name, const QString &problem)
    {
        m_warnings.append(QLatin1String(name) + u": "_s + problem);
    }
    QStringList takeWarnings() { return std::exchange(m_warnings, {}); }

private:
    static QString preview(const QByteArray &raw)
    {
        constexpr qsizetype Max = 40;
        QString text = QString::fromUtf8(raw.left(Max));
        for (QChar &c : text) {
            if (!c.isPrint())
                c = QChar::ReplacementCharacter; // keep the warning on one readable line
        }
        return raw.size() > Max ? text + u"…"_s : text;
    }

    const KafkaHeaderList &m_list;
    QStringList m_warnings;
};

void readSpring(HeaderReader &r, const SpringNames &names, DeadLetter &letter)
{
    letter.originalDestination = r.text(names.topic).value_or(QString());
    letter.originalPartition = r.inRange<int>(names.partition, r.int32(names.partition), 0,
                                              std::numeric_limits<qint32>::max())
                                   .value_or(-1);
    letter.originalOffset = r.inRange<qint64>(names.offset, r.int64(names.offset), 0,
                                              std::numeric_limits<qint64>::max())
                                .value_or(-1);
    letter.originalTimestamp
        = r.timestamp(names.timestamp, r.int64(names.timestamp)).value_or(QDateTime());
    letter.originalConsumerGroup = r.text(names.consumerGroup).value_or(QString());
    // Spring's cause header holds the root cause (ErrorHandlingUtils.findRootCause()), which
    // says what went wrong; the fqcn header mostly says ListenerExecutionFailedException.
    const auto cause = r.text(names.exceptionCauseFqcn);
    const auto fqcn = r.text(names.exceptionFqcn);
    letter.exceptionClass = cause && !cause->isEmpty() ? *cause : fqcn.value_or(QString());
    letter.exceptionMessage = r.text(names.exceptionMessage).value_or(QString());
    letter.stackTrace = r.text(names.exceptionStacktrace).value_or(QString());
}

// retry_topic-attempts as Spring's getAttempts() reads it (last header, 4 bytes or a
// legacy single byte, 1..32767), turned into failed deliveries: every hop writes the
// attempt number the next topic will make, one more than the failures so far.
std::optional<int> failedDeliveries(HeaderReader &r)
{
    const auto raw = r.bytes(headers::RetryAttempts);
    if (!raw)
        return std::nullopt;
    qint64 attempt = 0;
    if (raw->size() == 1) {
        attempt = static_cast<quint8>(raw->at(0)); // written by Spring < 2.8
    } else if (const auto wide = fromBigEndian32(*raw)) {
        attempt = *wide;
    } else {
        r.warn(headers::RetryAttempts,
               u"expected a 4-byte big-endian int (or Spring < 2.8's single byte), got "_s
                   + byteCount(*raw));
        return std::nullopt;
    }
    if (attempt < 1 || attempt > RetryTopicAttemptsHardCap) {
        r.warn(headers::RetryAttempts,
               u"%1 is out of range (1..%2)"_s.arg(attempt).arg(RetryTopicAttemptsHardCap));
        return std::nullopt;
    }
    // A record only reaches a retry topic or the DLT after a failure, so at least one.
    return std::max<int>(int(attempt) - 1, 1);
}

void readConnect(HeaderReader &r, DeadLetter &letter)
{
    letter.originalDestination = r.text(headers::ConnectTopic).value_or(QString());
    letter.originalPartition
        = r.inRange<int>(headers::ConnectPartition, r.decimal(headers::ConnectPartition), 0,
                         std::numeric_limits<qint32>::max())
              .value_or(-1);
    letter.originalOffset
        = r.inRange<qint64>(headers::ConnectOffset, r.decimal(headers::ConnectOffset), 0,
                            std::numeric_limits<qint64>::max())
              .value_or(-1);
    letter.connectorName = r.text(headers::ConnectConnectorName).value_or(QString());
    letter.connectTaskId = r.inRange<int>(headers::ConnectTaskId, r.decimal(headers::ConnectTaskId),
                                          0, std::numeric_limits<qint32>::max())
                               .value_or(-1);
    letter.reason = r.text(headers::ConnectStage).value_or(QString());
    letter.exceptionClass = r.text(headers::ConnectExceptionClassName).value_or(QString());
    letter.exceptionMessage = r.text(headers::ConnectExceptionMessage).value_or(QString());
    letter.stackTrace = r.text(headers::ConnectExceptionStacktrace).value_or(QString());
}

} // namespace

DeadLetter parseKafkaDeadLetter(const KafkaHeaderList &list, const QDateTime &recordTimestamp)
{
    DeadLetter letter;
    letter.convention = latestConvention(list);
    HeaderReader r(list);
    switch (letter.convention) {
    case DeadLetterConvention::None:
    case DeadLetterConvention::RabbitXDeath:
        return letter;
    case DeadLetterConvention::SpringBlocking:
        readSpring(r, BlockingNames, letter);
        letter.reason = u"listener failed"_s;
        break;
    case DeadLetterConvention::SpringRetryable:
        readSpring(r, RetryableNames, letter);
        if (!letter.originalTimestamp.isValid())
            letter.originalTimestamp = r.timestamp(headers::RetryOriginalTimestamp,
                                                   r.bigInteger(headers::RetryOriginalTimestamp))
                                           .value_or(QDateTime());
        letter.reason = u"retries exhausted"_s;
        letter.attempts = failedDeliveries(r).value_or(-1);
        break;
    case DeadLetterConvention::KafkaConnect:
        readConnect(r, letter);
        break;
    }
    // The dead-letter record was written when the last failure was handled; neither Spring
    // nor Connect records the first failure, which is the same moment only when there was one.
    if (recordTimestamp.isValid()) {
        letter.lastFailedAt = recordTimestamp;
        if (letter.attempts == 1)
            letter.firstFailedAt = recordTimestamp;
    }
    letter.warnings = r.takeWarnings();
    return letter;
}

} // namespace veltrix
