#pragma once

// What the librdkafka admin and metadata calls need around them, shared by the lag
// reader, the group lister and the cluster client so that each frees librdkafka's
// objects, and waits for admin answers, the same way.

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <memory>

namespace veltrix::kafka {

// librdkafka objects, owned: each is freed by its own destroy function.
struct MetadataDeleter
{
    void operator()(const rd_kafka_metadata_t *md) const { rd_kafka_metadata_destroy(md); }
};
struct EventDeleter
{
    void operator()(rd_kafka_event_t *ev) const { rd_kafka_event_destroy(ev); }
};
struct QueueDeleter
{
    void operator()(rd_kafka_queue_t *q) const { rd_kafka_queue_destroy(q); }
};
struct OptionsDeleter
{
    void operator()(rd_kafka_AdminOptions_t *o) const { rd_kafka_AdminOptions_destroy(o); }
};
struct PartitionListDeleter
{
    void operator()(rd_kafka_topic_partition_list_t *l) const
    {
        rd_kafka_topic_partition_list_destroy(l);
    }
};
using MetadataPtr = std::unique_ptr<const rd_kafka_metadata_t, MetadataDeleter>;
using EventPtr = std::unique_ptr<rd_kafka_event_t, EventDeleter>;
using QueuePtr = std::unique_ptr<rd_kafka_queue_t, QueueDeleter>;
using OptionsPtr = std::unique_ptr<rd_kafka_AdminOptions_t, OptionsDeleter>;
using PartitionListPtr = std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter>;

// librdkafka takes its timeouts as int milliseconds.
inline int toMs(std::chrono::milliseconds d)
{
    return static_cast<int>(d.count());
}

// librdkafka times an admin request out itself after request_timeout; waiting a little
// longer for its answer means we see its error instead of guessing.
constexpr std::chrono::milliseconds AdminGrace {1000};

inline OptionsPtr adminOptions(rd_kafka_t *rk, rd_kafka_admin_op_t op,
                               std::chrono::milliseconds timeout)
{
    OptionsPtr options(rd_kafka_AdminOptions_new(rk, op));
    char errstr[256];
    rd_kafka_AdminOptions_set_request_timeout(options.get(), toMs(timeout), errstr, sizeof errstr);
    return options;
}

} // namespace veltrix::kafka
