#include "kafkastatistics.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace veltrix {

using namespace Qt::StringLiterals;

Result<QList<BrokerLatency>> parseKafkaStatistics(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return BrokerError::make(BrokerError::Kind::Protocol,
                                 u"librdkafka statistics are not a JSON object: "_s
                                     + error.errorString());
    const QJsonValue brokers = document.object().value(u"brokers"_s);
    if (!brokers.isObject())
        return BrokerError::make(BrokerError::Kind::Protocol,
                                 u"librdkafka statistics have no \"brokers\" object"_s);
    QList<BrokerLatency> out;
    const QJsonObject all = brokers.toObject();
    for (auto it = all.begin(); it != all.end(); ++it) {
        const QJsonObject broker = it->toObject();
        const int nodeId = broker.value(u"nodeid"_s).toInt(-1);
        const QJsonObject rtt = broker.value(u"rtt"_s).toObject();
        if (nodeId < 0 || rtt.value(u"cnt"_s).toInteger(0) <= 0)
            continue; // bootstrap placeholders, and brokers without a round trip yet
        const QJsonObject queue = broker.value(u"outbuf_latency"_s).toObject();
        const auto ms = [](const QJsonObject &window, const QString &key) {
            return window.value(key).toDouble(0) / 1000.0; // µs in the statistics
        };
        out.append({QString::number(nodeId), ms(rtt, u"p50"_s), ms(rtt, u"p99"_s),
                    ms(queue, u"p50"_s), ms(queue, u"p99"_s)});
    }
    std::sort(out.begin(), out.end(), [](const BrokerLatency &a, const BrokerLatency &b) {
        return a.broker.toInt() < b.broker.toInt();
    });
    return out;
}

} // namespace veltrix
