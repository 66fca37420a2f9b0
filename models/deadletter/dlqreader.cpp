#include "dlqreader.h"

#include "payloadmasker.h"

#include "kafka/kafkatopicbrowser.h"
#include "rabbitmq/rabbitqueuebrowser.h"

#include <algorithm>

namespace veltrix {

using namespace Qt::StringLiterals;

namespace {

Result<DlqReadResult> readKafka(const ClusterProfile &profile, const DlqSource &source,
                                const DlqReadOptions &options, std::chrono::milliseconds timeout)
{
    auto browser = KafkaTopicBrowser::open(profile, source.name, timeout);
    if (!browser)
        return browser.error();
    auto extents = browser.value()->extents();
    if (!extents)
        return extents.error();
    QMap<int, qint64> fromTime;
    if (options.since.isValid()) {
        auto found = browser.value()->offsetsForTime(options.since);
        if (!found)
            return found.error();
        fromTime = found.value();
    }

    DlqReadResult result;
    result.source = source;
    result.depth = 0;
    QList<KafkaReadRequest> requests;
    for (const KafkaPartitionExtent &e : extents.value()) {
        if (e.leader < 0) {
            result.notes << u"partition %1 has no leader: not read"_s.arg(e.partition);
            continue;
        }
        result.depth += e.count();
        if (options.partition && e.partition != *options.partition)
            continue;
        const qint64 start = options.since.isValid() ? fromTime.value(e.partition, e.end)
                                                     : std::max(options.offset, e.start);
        if (start < e.end)
            requests.append({e.partition, start, options.limit});
    }
    if (options.partition && std::none_of(extents->begin(), extents->end(), [&](const auto &e) {
            return e.partition == *options.partition;
        }))
        return BrokerError::make(BrokerError::Kind::Configuration,
                                 u"%1 has no partition %2 (it has %3)"_s.arg(source.name)
                                     .arg(*options.partition)
                                     .arg(extents->size()));
    if (requests.isEmpty() || options.limit <= 0)
        return result;
    auto read = browser.value()->read(requests, options.maxPayloadBytes);
    if (!read)
        return read.error();
    result.messages = std::move(read).value();
    std::stable_sort(result.messages.begin(), result.messages.end(),
                     [](const BrowsedMessage &a, const BrowsedMessage &b) {
                         return std::tie(a.timestamp, a.partition, a.offset)
                             < std::tie(b.timestamp, b.partition, b.offset);
                     });
    if (result.messages.size() > options.limit)
        result.messages.resize(options.limit);
    return result;
}

Result<DlqReadResult> readRabbit(const ClusterProfile &profile, const DlqSource &source,
                                 const DlqReadOptions &options, std::chrono::milliseconds timeout)
{
    RabbitQueueBrowser browser(profile, timeout);
    RabbitBrowseOptions browse;
    browse.offset = options.offset;
    browse.limit = options.limit;
    browse.insist = options.insist;
    browse.maxPayloadBytes = options.maxPayloadBytes;
    auto read = browser.browse(source.vhost, source.name, browse);
    if (!read)
        return read.error();
    DlqReadResult result;
    result.source = source;
    result.depth = read->queue.messages;
    result.messages = read->messages;
    result.stoppedForSafety = read->stoppedForSafety;
    if (read->markedRedelivered)
        result.notes << u"read %1 message(s) and put every one back: RabbitMQ now marks them "
                        "redelivered"_s.arg(read->returned);
    if (read->queue.deliveryLimit)
        result.notes << u"quorum queue with delivery-limit %1 (%2)%3"_s.arg(
            QString::number(*read->queue.deliveryLimit), read->queue.deliveryLimitSource,
            read->highestDeliveryCount >= 0 ? u"; highest delivery count now "_s
                    + QString::number(read->highestDeliveryCount + 1)
                                            : QString());
    if (!read->safetyNote.isEmpty())
        result.notes << read->safetyNote;
    return result;
}

} // namespace

Result<DlqReadResult> readDlq(const ClusterProfile &profile, const DlqSource &source,
                              const DlqReadOptions &options, std::chrono::milliseconds timeout)
{
    if (source.kind != profile.kind)
        return BrokerError::make(
            BrokerError::Kind::Configuration,
            u"cluster %1 is a %2 cluster, not %3"_s.arg(profile.name, clusterKindName(profile.kind),
                                                        clusterKindName(source.kind)));
    Result<DlqReadResult> read = source.kind == ClusterKind::Kafka
        ? readKafka(profile, source, options, timeout)
        : readRabbit(profile, source, options, timeout);
    if (read)
        PayloadMasker(profile.masking).mask(read.value().messages);
    return read;
}

} // namespace veltrix
