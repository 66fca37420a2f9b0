#include "amqptable.h"

#include <QDateTime>
#include <QStringDecoder>

namespace veltrix {

namespace {

QByteArray toByteArray(amqp_bytes_t bytes)
{
    return QByteArray(static_cast<const char *>(bytes.bytes), static_cast<qsizetype>(bytes.len));
}

QVariant textOrBytes(amqp_bytes_t bytes)
{
    const QByteArray raw = toByteArray(bytes);
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    QString text = decoder(raw);
    if (decoder.hasError())
        return raw;
    return text;
}

} // namespace

QVariant amqpFieldToVariant(const amqp_field_value_t &value)
{
    switch (value.kind) {
    case AMQP_FIELD_KIND_BOOLEAN:
        return bool(value.value.boolean);
    case AMQP_FIELD_KIND_I8:
        return int(value.value.i8);
    case AMQP_FIELD_KIND_U8:
        return uint(value.value.u8);
    case AMQP_FIELD_KIND_I16:
        return int(value.value.i16);
    case AMQP_FIELD_KIND_U16:
        return uint(value.value.u16);
    case AMQP_FIELD_KIND_I32:
        return qint32(value.value.i32);
    case AMQP_FIELD_KIND_U32:
        return quint32(value.value.u32);
    case AMQP_FIELD_KIND_I64:
        return qint64(value.value.i64);
    case AMQP_FIELD_KIND_U64:
        return quint64(value.value.u64);
    case AMQP_FIELD_KIND_F32:
        return double(value.value.f32);
    case AMQP_FIELD_KIND_F64:
        return value.value.f64;
    case AMQP_FIELD_KIND_DECIMAL: {
        double v = value.value.decimal.value;
        for (int i = 0; i < value.value.decimal.decimals; ++i)
            v /= 10.0;
        return v;
    }
    case AMQP_FIELD_KIND_UTF8:
        return textOrBytes(value.value.bytes);
    case AMQP_FIELD_KIND_BYTES:
        return toByteArray(value.value.bytes);
    case AMQP_FIELD_KIND_TIMESTAMP:
        return QDateTime::fromSecsSinceEpoch(static_cast<qint64>(value.value.u64), Qt::UTC);
    case AMQP_FIELD_KIND_ARRAY: {
        QVariantList list;
        for (int i = 0; i < value.value.array.num_entries; ++i)
            list.append(amqpFieldToVariant(value.value.array.entries[i]));
        return list;
    }
    case AMQP_FIELD_KIND_TABLE:
        return amqpTableToVariantMap(value.value.table);
    case AMQP_FIELD_KIND_VOID:
        break;
    }
    return QVariant();
}

QVariantMap amqpTableToVariantMap(const amqp_table_t &table)
{
    QVariantMap map;
    for (int i = 0; i < table.num_entries; ++i) {
        const amqp_table_entry_t &entry = table.entries[i];
        map.insert(QString::fromUtf8(toByteArray(entry.key)), amqpFieldToVariant(entry.value));
    }
    return map;
}

AmqpTableBuilder::AmqpTableBuilder(const QVariantMap &values)
{
    auto &entries = m_entries.emplace_back();
    entries.reserve(static_cast<size_t>(values.size()));
    for (auto it = values.cbegin(); it != values.cend(); ++it)
        entries.push_back({keep(it.key().toUtf8()), toField(it.value())});
    m_table = {static_cast<int>(entries.size()), entries.data()};
}

amqp_bytes_t AmqpTableBuilder::keep(const QByteArray &bytes)
{
    const QByteArray &kept = m_storage.emplace_back(bytes);
    return {static_cast<size_t>(kept.size()), const_cast<char *>(kept.constData())};
}

amqp_field_value_t AmqpTableBuilder::toField(const QVariant &value)
{
    amqp_field_value_t field {};
    switch (value.typeId()) {
    case QMetaType::Bool:
        field.kind = AMQP_FIELD_KIND_BOOLEAN;
        field.value.boolean = value.toBool();
        break;
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::LongLong:
    case QMetaType::ULongLong:
        // RabbitMQ reads numeric queue arguments as signed long (the 'l' type).
        field.kind = AMQP_FIELD_KIND_I64;
        field.value.i64 = value.toLongLong();
        break;
    case QMetaType::Double:
        field.kind = AMQP_FIELD_KIND_F64;
        field.value.f64 = value.toDouble();
        break;
    case QMetaType::QByteArray:
        field.kind = AMQP_FIELD_KIND_BYTES;
        field.value.bytes = keep(value.toByteArray());
        break;
    case QMetaType::QDateTime:
        field.kind = AMQP_FIELD_KIND_TIMESTAMP;
        field.value.u64 = static_cast<uint64_t>(value.toDateTime().toSecsSinceEpoch());
        break;
    case QMetaType::QVariantList: {
        auto &items = m_arrays.emplace_back();
        for (const QVariant &item : value.toList())
            items.push_back(toField(item));
        field.kind = AMQP_FIELD_KIND_ARRAY;
        field.value.array = {static_cast<int>(items.size()), items.data()};
        break;
    }
    case QMetaType::QVariantMap: {
        auto &nested = m_nested.emplace_back(std::make_unique<AmqpTableBuilder>(value.toMap()));
        field.kind = AMQP_FIELD_KIND_TABLE;
        field.value.table = nested->table();
        break;
    }
    default:
        if (!value.isValid()) {
            field.kind = AMQP_FIELD_KIND_VOID;
            break;
        }
        field.kind = AMQP_FIELD_KIND_UTF8;
        field.value.bytes = keep(value.toString().toUtf8());
        break;
    }
    return field;
}

} // namespace veltrix
