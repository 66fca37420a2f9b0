#pragma once

#include <amqp.h>

#include <QByteArray>
#include <QList>
#include <QVariant>

#include <deque>

namespace veltrix {

// Converts AMQP field tables (message headers, queue arguments) to QVariant and back.
// Long strings become QString when they are valid UTF-8 and stay QByteArray when not,
// so binary header values are never mangled.
QVariant amqpFieldToVariant(const amqp_field_value_t &value);
QVariantMap amqpTableToVariantMap(const amqp_table_t &table);

// Builds an amqp_table_t that stays valid as long as this object does.
class AmqpTableBuilder
{
public:
    explicit AmqpTableBuilder(const QVariantMap &values);
    AmqpTableBuilder(const AmqpTableBuilder &) = delete;
    AmqpTableBuilder &operator=(const AmqpTableBuilder &) = delete;

    const amqp_table_t &table() const { return m_table; }

private:
    amqp_field_value_t toField(const QVariant &value);
    amqp_bytes_t keep(const QByteArray &bytes);

    std::deque<QByteArray> m_storage; // deque: growing never moves what we point into
    std::deque<std::vector<amqp_table_entry_t>> m_entries;
    std::deque<std::vector<amqp_field_value_t>> m_arrays;
    std::deque<std::unique_ptr<AmqpTableBuilder>> m_nested;
    amqp_table_t m_table {0, nullptr};
};

} // namespace veltrix
