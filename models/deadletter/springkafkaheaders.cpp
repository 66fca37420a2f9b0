#include "springkafkaheaders.h"

#include <QtEndian>

#include <algorithm>
#include <array>

namespace veltrix {

std::optional<QByteArray> lastHeader(const KafkaHeaderList &list, QByteArrayView name)
{
    for (auto it = list.crbegin(); it != list.crend(); ++it) {
        if (it->name == name)
            return it->value;
    }
    return std::nullopt;
}

int retryTopicAttempts(const KafkaHeaderList &list)
{
    const auto value = lastHeader(list, headers::RetryAttempts);
    if (!value)
        return 1;
    int raw = 0;
    if (value->size() == 1)
        raw = static_cast<quint8>(value->at(0)); // written by Spring < 2.8
    else if (const auto wide = fromBigEndian32(*value))
        raw = *wide;
    return raw >= 1 && raw <= RetryTopicAttemptsHardCap ? raw : 1;
}

std::optional<qint64> retryTopicBackoffTimestamp(const KafkaHeaderList &list)
{
    const auto value = lastHeader(list, headers::RetryBackoffTimestamp);
    return value ? fromJavaBigIntegerBytes(*value) : std::nullopt;
}

QByteArray bigEndian32(qint32 value)
{
    QByteArray bytes(4, Qt::Uninitialized);
    qToBigEndian(value, bytes.data());
    return bytes;
}

QByteArray bigEndian64(qint64 value)
{
    QByteArray bytes(8, Qt::Uninitialized);
    qToBigEndian(value, bytes.data());
    return bytes;
}

std::optional<qint32> fromBigEndian32(QByteArrayView bytes)
{
    if (bytes.size() != 4)
        return std::nullopt;
    return qFromBigEndian<qint32>(bytes.data());
}

std::optional<qint64> fromBigEndian64(QByteArrayView bytes)
{
    if (bytes.size() != 8)
        return std::nullopt;
    return qFromBigEndian<qint64>(bytes.data());
}

QByteArray javaBigIntegerBytes(qint64 value)
{
    // Drop leading bytes that only repeat the sign, keeping the sign bit in the first one.
    const QByteArray full = bigEndian64(value);
    qsizetype start = 0;
    while (start < 7) {
        const auto byte = static_cast<quint8>(full.at(start));
        const auto next = static_cast<quint8>(full.at(start + 1));
        const bool redundant = (byte == 0x00 && !(next & 0x80)) || (byte == 0xff && (next & 0x80));
        if (!redundant)
            break;
        ++start;
    }
    return full.mid(start);
}

std::optional<qint64> fromJavaBigIntegerBytes(QByteArrayView bytes)
{
    if (bytes.isEmpty() || bytes.size() > 8)
        return std::nullopt;
    // Sign-extend to 8 bytes, then read as a fixed-size long.
    std::array<char, 8> full;
    const char fill = (static_cast<quint8>(bytes.front()) & 0x80) ? '\xff' : '\0';
    full.fill(fill);
    std::copy(bytes.begin(), bytes.end(), full.end() - bytes.size());
    return qFromBigEndian<qint64>(full.data());
}

} // namespace veltrix
