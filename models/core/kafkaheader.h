#pragma once

#include <QByteArray>
#include <QList>

namespace veltrix {

// One Kafka record header. Kafka allows repeated names and null values, so a record's
// headers are an ordered list, not a map.
struct KafkaHeader
{
    QByteArray name;
    QByteArray value; // a null QByteArray is a null header value
    friend bool operator==(const KafkaHeader &, const KafkaHeader &) = default;
};
using KafkaHeaderList = QList<KafkaHeader>;

} // namespace veltrix
