#include "kafkagrouplister.h"

#include "kafkaadmin.h"

#include <algorithm>

namespace veltrix {

using namespace kafka;

QStringList ConsumerGroupListing::names() const
{
    QStringList names;
    names.reserve(groups.size());
    for (const KafkaGroupInfo &group : groups)
        names.append(group.name);
    return names;
}

ConsumerGroupListing listConsumerGroups(rd_kafka_t *rk, const QStringList &profileGroups,
                                        std::chrono::milliseconds timeout)
{
    ConsumerGroupListing listing;
    const QueuePtr queue(rd_kafka_queue_new(rk));
    const OptionsPtr options = adminOptions(rk, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS, timeout);
    rd_kafka_ListConsumerGroups(rk, options.get(), queue.get());
    const EventPtr event(rd_kafka_queue_poll(queue.get(), toMs(timeout + AdminGrace)));

    // The wording is user-facing (CLI, status notes) and checked by the integration tests.
    const auto fallBack = [&](const QString &why) {
        for (const QString &group : profileGroups)
            listing.groups.append({group, QString()});
        listing.note = why
            + QStringLiteral("; showing the %1 group(s) named in the profile")
                  .arg(profileGroups.size());
    };
    if (!event) {
        fallBack(QStringLiteral("ListConsumerGroups did not answer in time"));
        return listing;
    }
    if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        fallBack(QStringLiteral("ListConsumerGroups failed: %1")
                     .arg(QString::fromUtf8(rd_kafka_event_error_string(event.get()))));
        return listing;
    }
    const auto *result = rd_kafka_event_ListConsumerGroups_result(event.get());
    size_t validCount = 0;
    size_t errorCount = 0;
    const auto **valid = rd_kafka_ListConsumerGroups_result_valid(result, &validCount);
    const auto **errors = rd_kafka_ListConsumerGroups_result_errors(result, &errorCount);
    const bool unsupported
        = validCount == 0 && errorCount > 0
        && std::all_of(errors, errors + errorCount, [](const rd_kafka_error_t *e) {
               return rd_kafka_error_code(e) == RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE;
           });
    // Some broker listed its groups (or all answered, with none): the APIs are there.
    // Errors alone (brokers down) prove nothing either way.
    if (unsupported)
        listing.apis = GroupApis::Unsupported;
    else if (validCount > 0 || errorCount == 0)
        listing.apis = GroupApis::Supported;
    if (unsupported) {
        fallBack(QStringLiteral("the brokers do not support ListGroups"));
        return listing;
    }
    for (size_t i = 0; i < validCount; ++i) {
        listing.groups.append({QString::fromUtf8(rd_kafka_ConsumerGroupListing_group_id(valid[i])),
                               QString::fromUtf8(rd_kafka_consumer_group_state_name(
                                   rd_kafka_ConsumerGroupListing_state(valid[i])))});
    }
    if (errorCount > 0)
        listing.note = QStringLiteral("%1 broker(s) did not list their groups: %2")
                           .arg(errorCount)
                           .arg(QString::fromUtf8(rd_kafka_error_string(errors[0])));
    std::sort(listing.groups.begin(), listing.groups.end(),
              [](const auto &a, const auto &b) { return a.name < b.name; });
    return listing;
}

} // namespace veltrix
