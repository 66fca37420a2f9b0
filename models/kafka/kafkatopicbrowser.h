#pragma once

#include "core/browsedmessage.h"
#include "core/clusterprofile.h"
#include "core/result.h"

#include <QDateTime>
#include <QList>
#include <QMap>
#include <QString>

#include <chrono>
#include <memory>

struct rd_kafka_message_s;

namespace veltrix {

// A consumed record as the DLQ views show it: id "<partition>:<offset>", key, headers,
// payload cut at maxPayloadBytes (< 0: never), dead-letter metadata parsed.
BrowsedMessage browsedFromKafka(const rd_kafka_message_s *message, qint64 maxPayloadBytes);

// One partition's offsets: records live in [start, end).
struct KafkaPartitionExtent
{
    int partition = -1;
    qint64 start = 0; // log start offset
    qint64 end = 0; // high watermark
    qint64 count() const { return end - start; }
    // -1: the partition has no leader, so nothing can be read from it. start and end are
    // -1 then, and when its leader did not answer for it.
    int leader = -1;
};

struct KafkaReadRequest
{
    int partition = -1;
    qint64 offset = 0;
    int maxCount = 0;
};

// What one request of a read found besides its records.
struct KafkaRangeRead
{
    int partition = -1;
    qint64 requestedOffset = 0;
    // Where reading began: the requested offset, or the log start when the records before
    // it are gone (retention, compaction, deleted records).
    qint64 firstOffset = 0;
    // Where the next page starts. It can be past the last record returned + 1: transaction
    // markers and compacted-away records leave gaps.
    qint64 nextOffset = 0;
    qint64 end = 0; // the partition's end as known when the request was done
    int count = 0; // records returned
    bool reachedEnd() const { return nextOffset >= end; }
    QString note; // why firstOffset differs from requestedOffset, in words; else empty
};

struct KafkaPage
{
    BrowsedMessageList messages; // grouped by request, in request order
    QList<KafkaRangeRead> ranges; // one per request, in the same order
};

// Reads a topic without disturbing it: consumer handles without a group.id, so they never
// join a group and never commit (one for pages, one more for tails). Blocking, each call
// bounded by the timeout given to open(); use it from one thread (interrupt() excepted).
class KafkaTopicBrowser
{
public:
    ~KafkaTopicBrowser();
    KafkaTopicBrowser(const KafkaTopicBrowser &) = delete;
    KafkaTopicBrowser &operator=(const KafkaTopicBrowser &) = delete;

    // Fails when the cluster cannot be reached or the topic does not exist.
    static Result<std::unique_ptr<KafkaTopicBrowser>>
    open(const ClusterProfile &profile, const QString &topic, std::chrono::milliseconds timeout);

    const QString &topic() const;
    int partitionCount() const; // as of the last metadata (open() or extents())

    // Every partition's log start and high watermark: one Metadata request, then one
    // ListOffsets per leader broker and kind (latest, then earliest). Partitions without a
    // leader are listed with leader, start and end -1.
    Result<QList<KafkaPartitionExtent>> extents();

    // Up to maxCount records of `partition` from `offset` on, ascending, stopping at the
    // high watermark (never waiting for records beyond it). An offset at or past the end
    // gives nothing; one below the log start reads from the log start (readPage() says so).
    // Payloads longer than maxPayloadBytes are cut (< 0: never); payloadSize keeps the
    // real size. deadLetter is parseKafkaDeadLetter() of the headers.
    Result<BrowsedMessageList> read(int partition, qint64 offset, int maxCount,
                                    qint64 maxPayloadBytes = 1 << 20);
    // Several ranges in one go (their partitions fetched in parallel), grouped in request
    // order.
    Result<BrowsedMessageList> read(const QList<KafkaReadRequest> &requests,
                                    qint64 maxPayloadBytes = 1 << 20);
    // The same, with where each range began and ended, for paging.
    Result<KafkaPage> readPage(const QList<KafkaReadRequest> &requests,
                               qint64 maxPayloadBytes = 1 << 20);

    // First offset per partition whose timestamp >= time (the partition's end when none):
    // one ListOffsets per leader broker. Where the brokers cannot look a time up (the mock
    // cluster), a binary search over the records instead. Partitions without a leader are
    // left out.
    Result<QMap<int, qint64>> offsetsForTime(const QDateTime &time);

    // Tail: records at or after nextOffsets[p] for every partition in nextOffsets (a
    // negative offset: from the partition's end now), waiting up to `wait` for the first
    // one; then returns what has arrived (at most maxCount) and advances nextOffsets past
    // it, so the next call goes on without a gap. Nothing within `wait` is not an error.
    // Tails fetch on a handle of their own, with a long fetch wait.
    Result<BrowsedMessageList> readNew(QMap<int, qint64> &nextOffsets, int maxCount,
                                       std::chrono::milliseconds wait,
                                       qint64 maxPayloadBytes = 1 << 20);

    // Safe from any thread: makes the call waiting for records now return at once with an
    // "interrupted" error (for cancelling a long scan; Metadata and ListOffsets requests
    // are not cut short, only bounded by the timeout). Each call starts uninterrupted, so a
    // scan loop also checks its own cancel flag between calls.
    void interrupt();
    bool wasInterrupted() const; // whether the last call ended because of interrupt()

private:
    struct Impl;
    explicit KafkaTopicBrowser(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> d;
};

} // namespace veltrix
