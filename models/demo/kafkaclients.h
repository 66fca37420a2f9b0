#pragma once

#include "springheaders.h"

#include <librdkafka/rdkafka.h>

#include <QString>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace veltrix {
class KafkaHandle;
}

namespace veltrix::demo {

// The Kafka clients of the demo's workload threads; each object belongs to one thread.

// Told about every failure, in words (the workload counts them and keeps the last).
using ErrorSink = std::function<void(const QString &)>;

// A producer whose delivery reports arrive as events ("enabled_events" = DR) on its main
// queue, because KafkaHandle owns the conf and so no dr_msg_cb can be set. Sending threads
// serve the queue themselves; rd_kafka_flush() would never see the reports in this mode.
class WorkloadProducer
{
public:
    WorkloadProducer(std::unique_ptr<KafkaHandle> handle, ErrorSink onError);
    ~WorkloadProducer(); // waits up to 2 s for outstanding reports
    WorkloadProducer(const WorkloadProducer &) = delete;
    WorkloadProducer &operator=(const WorkloadProducer &) = delete;

    // Queues one record; `delivered` is counted once the brokers acknowledged it.
    // timestamp 0: now.
    bool send(const QString &topic, qint32 partition, const QByteArray &key,
              const QByteArray &value, const KafkaHeaderList &headers,
              std::atomic<qint64> *delivered, qint64 timestamp = 0);
    // Serves delivery reports, waiting up to timeoutMs for the first; returns the failures.
    int serve(int timeoutMs);
    // Waits for every queued record's report, like Spring's recoverer waiting on the send
    // result before the offset may be committed. False on a failure or timeout.
    bool drain(int timeoutMs);
    // Spring's DLPR keeps the record's partition when the destination has it, otherwise the
    // producer picks one (RD_KAFKA_PARTITION_UA).
    qint32 sameOrAnyPartition(const QString &topic, qint32 partition);

private:
    int partitionCount(const QString &topic); // 0: unknown

    std::unique_ptr<KafkaHandle> m_handle;
    ErrorSink m_onError;
    rd_kafka_queue_t *m_events;
    int m_outstanding = 0;
    bool m_metadataAsked = false;
    std::map<QString, int> m_partitions;
};

// A group member with manual, at-least-once commits: a record's offset becomes committable
// only once it is done, and a held record (not due yet, or its forwarding failed) pauses
// its partition and is fetched again when the partition resumes.
class WorkloadConsumer
{
public:
    using Clock = std::chrono::steady_clock;

    // `handle` is subscribed already.
    WorkloadConsumer(std::unique_ptr<KafkaHandle> handle, ErrorSink onError);
    ~WorkloadConsumer(); // commits (waiting up to 2 s) and leaves the group
    WorkloadConsumer(const WorkloadConsumer &) = delete;
    WorkloadConsumer &operator=(const WorkloadConsumer &) = delete;

    // The next record to process, or null (timeout, error, or a held partition's record).
    // The caller destroys it.
    rd_kafka_message_t *poll(int timeoutMs);
    void done(const rd_kafka_message_t *m);
    void hold(const rd_kafka_message_t *m, Clock::time_point until);

private:
    using TopicPartition = std::pair<std::string, qint32>;
    // Connection and coordinator hiccups that librdkafka recovers from by itself: not
    // failures of the workload.
    static bool isTransient(rd_kafka_resp_err_t err);
    static TopicPartition keyOf(const rd_kafka_message_t *m);
    void setPaused(const TopicPartition &tp, qint64 seekTo, bool pause);
    // Commits the done offsets: asynchronously while running, or waiting up to waitMs.
    void commit(int waitMs);

    std::unique_ptr<KafkaHandle> m_handle;
    ErrorSink m_onError;
    std::map<TopicPartition, qint64> m_next;
    std::map<TopicPartition, Clock::time_point> m_held;
    bool m_dirty = false;
    Clock::time_point m_lastCommit = Clock::now();
};

// The consumed record as a recoverer sees it (headers copied out).
FailedRecord failedRecordOf(const rd_kafka_message_t *m, const QString &group);
QByteArray payloadOf(const rd_kafka_message_t *m);

} // namespace veltrix::demo
