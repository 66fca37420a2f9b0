#include "messagejson.h"

#include "payloadview.h"

#include <QFileDevice>
#include <QJsonArray>
#include <QJsonDocument>
#include <QStringDecoder>

#include <cmath>
#include <limits>

namespace veltrix {

namespace {

constexpr int MaxTableDepth = 64; // deeper AMQP tables are cut, not recursed into

QJsonValue textOrNull(const QString &text)
{
    return text.isEmpty() ? QJsonValue() : QJsonValue(text);
}

QJsonValue timeOrNull(const QDateTime &time)
{
    return time.isValid() ? QJsonValue(time.toUTC().toString(Qt::ISODateWithMs)) : QJsonValue();
}

QJsonValue numberOrNull(qint64 value)
{
    return value >= 0 ? QJsonValue(value) : QJsonValue();
}

QJsonObject base64Object(const QByteArray &bytes)
{
    return {{QStringLiteral("base64"), QString::fromLatin1(bytes.toBase64())}};
}

// The bytes as text, keeping a leading BOM (it is part of the payload). For a truncated
// payload the decoder holds back a character cut at the end instead of inventing U+FFFD.
QString decodeText(const QByteArray &bytes)
{
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::ConvertInitialBom);
    return decoder.decode(bytes);
}

QJsonValue variantToJson(const QVariant &value, int depth);

QJsonObject tableToJson(const QVariantMap &table, int depth)
{
    QJsonObject object;
    for (auto it = table.cbegin(); it != table.cend(); ++it)
        object.insert(it.key(), variantToJson(it.value(), depth + 1));
    return object;
}

QJsonValue variantToJson(const QVariant &value, int depth)
{
    if (depth > MaxTableDepth)
        return QStringLiteral("(nested too deep)");
    switch (value.typeId()) {
    case QMetaType::UnknownType:
        return QJsonValue();
    case QMetaType::Bool:
        return value.toBool();
    case QMetaType::Int:
    case QMetaType::LongLong:
        return value.toLongLong();
    case QMetaType::UInt:
    case QMetaType::ULongLong: {
        const quint64 v = value.toULongLong();
        if (v <= quint64(std::numeric_limits<qint64>::max()))
            return qint64(v);
        return double(v);
    }
    case QMetaType::Float:
    case QMetaType::Double: {
        const double v = value.toDouble();
        return std::isfinite(v) ? QJsonValue(v) : QJsonValue(); // JSON has no NaN
    }
    case QMetaType::QString:
        return value.toString();
    case QMetaType::QByteArray:
        return base64Object(value.toByteArray());
    case QMetaType::QDateTime:
        return timeOrNull(value.toDateTime());
    case QMetaType::QVariantList: {
        QJsonArray array;
        for (const QVariant &item : value.toList())
            array.append(variantToJson(item, depth + 1));
        return array;
    }
    case QMetaType::QVariantMap:
        return tableToJson(value.toMap(), depth);
    default:
        return value.toString();
    }
}

QJsonObject kafkaHeadersToJson(const KafkaHeaderList &headers)
{
    QJsonObject object;
    for (const KafkaHeader &header : headers) // insert() replaces: the last occurrence wins
        object.insert(QString::fromUtf8(header.name),
                      header.value.isNull() ? QJsonValue() : bytesToJson(header.value));
    return object;
}

QJsonArray kafkaHeaderList(const KafkaHeaderList &headers)
{
    QJsonArray list;
    for (const KafkaHeader &header : headers) {
        QJsonObject entry {{QStringLiteral("name"), QString::fromUtf8(header.name)}};
        if (header.value.isNull())
            entry.insert(QStringLiteral("value"), QJsonValue());
        else if (isTextPayload(header.value))
            entry.insert(QStringLiteral("value"), decodeText(header.value));
        else
            entry.insert(QStringLiteral("value_base64"),
                         QString::fromLatin1(header.value.toBase64()));
        list.append(entry);
    }
    return list;
}

QJsonObject xDeathToJson(const XDeathEntry &entry)
{
    return {
        {QStringLiteral("count"), entry.count},
        {QStringLiteral("reason"), textOrNull(entry.reason)},
        {QStringLiteral("queue"), textOrNull(entry.queue)},
        {QStringLiteral("exchange"), textOrNull(entry.exchange)},
        {QStringLiteral("routing_keys"), QJsonArray::fromStringList(entry.routingKeys)},
        {QStringLiteral("time"), timeOrNull(entry.time)},
    };
}

QJsonObject deadLetterToJson(const DeadLetter &d)
{
    QJsonArray deaths;
    for (const XDeathEntry &entry : d.deaths)
        deaths.append(xDeathToJson(entry));
    return {
        {QStringLiteral("original_destination"), textOrNull(d.originalDestination)},
        {QStringLiteral("reason"), textOrNull(d.reason)},
        {QStringLiteral("exception_class"), textOrNull(d.exceptionClass)},
        {QStringLiteral("exception_message"), textOrNull(d.exceptionMessage)},
        {QStringLiteral("attempts"), d.attempts >= 0 ? QJsonValue(d.attempts) : QJsonValue()},
        {QStringLiteral("first_failed_at"), timeOrNull(d.firstFailedAt)},
        {QStringLiteral("last_failed_at"), timeOrNull(d.lastFailedAt)},
        // extensions
        {QStringLiteral("convention"), deadLetterConventionName(d.convention)},
        {QStringLiteral("original_partition"), numberOrNull(d.originalPartition)},
        {QStringLiteral("original_offset"), numberOrNull(d.originalOffset)},
        {QStringLiteral("original_timestamp"), timeOrNull(d.originalTimestamp)},
        {QStringLiteral("original_consumer_group"), textOrNull(d.originalConsumerGroup)},
        {QStringLiteral("original_exchange"), textOrNull(d.originalExchange)},
        {QStringLiteral("original_routing_keys"),
         QJsonArray::fromStringList(d.originalRoutingKeys)},
        {QStringLiteral("exception_stacktrace"), textOrNull(d.stackTrace)},
        {QStringLiteral("connector_name"), textOrNull(d.connectorName)},
        {QStringLiteral("connect_task_id"), numberOrNull(d.connectTaskId)},
        {QStringLiteral("x_death"), deaths},
        {QStringLiteral("warnings"), QJsonArray::fromStringList(d.warnings)},
    };
}

QVariant jsonToAmqpValue(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Bool:
        return value.toBool();
    case QJsonValue::Double:
        return value.toVariant(); // LongLong when whole, as AMQP's long-long-int
    case QJsonValue::String:
        return value.toString();
    case QJsonValue::Array: {
        QVariantList list;
        for (const QJsonValue &item : value.toArray())
            list.append(jsonToAmqpValue(item));
        return list;
    }
    case QJsonValue::Object: {
        const QJsonObject object = value.toObject();
        // How messageJson writes bytes that are not text: read back as bytes.
        if (object.size() == 1 && object.value(QLatin1String("base64")).isString())
            return QByteArray::fromBase64(
                object.value(QLatin1String("base64")).toString().toLatin1());
        QVariantMap map;
        for (auto it = object.begin(); it != object.end(); ++it)
            map.insert(it.key(), jsonToAmqpValue(it.value()));
        return map;
    }
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        break;
    }
    return {};
}

} // namespace

QJsonValue bytesToJson(const QByteArray &bytes)
{
    if (isTextPayload(bytes))
        return decodeText(bytes);
    return base64Object(bytes);
}

QJsonObject amqpTableToJson(const QVariantMap &table)
{
    return tableToJson(table, 0);
}

QJsonObject messageToJson(const BrowsedMessage &message)
{
    const bool kafka = message.partition >= 0;
    QJsonObject o {
        {QStringLiteral("id"), message.id},
        {QStringLiteral("key"), message.key ? bytesToJson(*message.key) : QJsonValue()},
        {QStringLiteral("timestamp"), timeOrNull(message.timestamp)},
        {QStringLiteral("size"), message.payloadSize},
        {QStringLiteral("headers"),
         kafka || !message.kafkaHeaders.isEmpty() ? kafkaHeadersToJson(message.kafkaHeaders)
                                                  : amqpTableToJson(message.amqpHeaders)},
        {QStringLiteral("dead_letter"), deadLetterToJson(message.deadLetter)},
        // extensions
        {QStringLiteral("payload_truncated"), message.payloadTruncated()},
    };

    const bool truncated = message.payloadTruncated();
    const QString contentType
        = message.amqpProperties.value(QStringLiteral("content_type")).toString();
    if (classifyPayload(message.payload, contentType, truncated) == PayloadKind::Binary)
        o.insert(QStringLiteral("payload_base64"), QString::fromLatin1(message.payload.toBase64()));
    else
        o.insert(QStringLiteral("payload_text"), decodeText(message.payload));

    if (kafka) {
        o.insert(QStringLiteral("partition"), message.partition);
        o.insert(QStringLiteral("offset"), message.offset);
        o.insert(QStringLiteral("header_list"), kafkaHeaderList(message.kafkaHeaders));
    } else {
        o.insert(QStringLiteral("position"), numberOrNull(message.position));
        if (message.offset >= 0)
            o.insert(QStringLiteral("offset"), message.offset);
        o.insert(QStringLiteral("properties"), amqpTableToJson(message.amqpProperties));
    }
    return o;
}

QByteArray messagesToJsonLines(const BrowsedMessageList &messages)
{
    QByteArray lines;
    for (const BrowsedMessage &message : messages) {
        lines += QJsonDocument(messageToJson(message)).toJson(QJsonDocument::Compact);
        lines += '\n';
    }
    return lines;
}

bool writeJsonLines(QIODevice &device, const BrowsedMessageList &messages, QString *error)
{
    const auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        return false;
    };
    if (!device.isWritable())
        return fail(QStringLiteral("the output is not open for writing"));
    for (const BrowsedMessage &message : messages) {
        QByteArray line = QJsonDocument(messageToJson(message)).toJson(QJsonDocument::Compact);
        line += '\n';
        if (device.write(line) != line.size())
            return fail(QStringLiteral("writing message %1 failed: %2")
                            .arg(message.id, device.errorString()));
    }
    // A file buffers: a full disk only shows when the buffer is flushed.
    if (auto *file = qobject_cast<QFileDevice *>(&device); file && !file->flush())
        return fail(QStringLiteral("writing failed: %1").arg(file->errorString()));
    return true;
}

QVariantMap amqpTableFromJson(const QJsonObject &json, const QVariantMap &original)
{
    const QJsonObject originalJson = amqpTableToJson(original);
    QVariantMap table;
    for (auto it = json.begin(); it != json.end(); ++it) {
        if (original.contains(it.key()) && originalJson.value(it.key()) == it.value())
            table.insert(it.key(), original.value(it.key()));
        else
            table.insert(it.key(), jsonToAmqpValue(it.value()));
    }
    return table;
}

} // namespace veltrix
