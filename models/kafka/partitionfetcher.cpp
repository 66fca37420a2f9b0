#include "partitionfetcher.h"

#include "kafkaadmin.h"

namespace veltrix::kafka {

PartitionFetcher::~PartitionFetcher()
{
    if (!m_kafka)
        return;
    for (int p : std::as_const(m_started)) // before the handle goes, librdkafka says
        rd_kafka_consume_stop(m_topic.get(), p);
    for (rd_kafka_queue_t *queue : std::as_const(m_queues)) {
        rd_kafka_queue_cb_event_enable(queue, nullptr, nullptr);
        rd_kafka_queue_destroy(queue);
    }
    m_topic.reset();
    m_kafka.reset();
}

Result<std::unique_ptr<PartitionFetcher>>
PartitionFetcher::create(const ClusterProfile &profile, const QByteArray &topic,
                         std::chrono::milliseconds fetchWait, Waker *waker)
{
    std::unique_ptr<PartitionFetcher> fetcher(new PartitionFetcher);
    fetcher->m_topicName = topic;
    fetcher->m_waker = waker;
    // No group.id (see above); the commit properties are off as well, so nothing is
    // stored even should a profile add one.
    auto created = KafkaHandle::create(
        profile, RD_KAFKA_CONSUMER,
        {{QStringLiteral("enable.auto.commit"), QStringLiteral("false")},
         {QStringLiteral("enable.auto.offset.store"), QStringLiteral("false")},
         {QStringLiteral("auto.commit.enable"), QStringLiteral("false")}, // legacy consumer's
         {QStringLiteral("enable.partition.eof"), QStringLiteral("true")},
         // An offset outside the log is reported, never silently moved to either end.
         {QStringLiteral("auto.offset.reset"), QStringLiteral("error")},
         // A page is ~200 records: fetch about that much per partition.
         {QStringLiteral("fetch.message.max.bytes"), QStringLiteral("524288")},
         {QStringLiteral("fetch.max.bytes"), QStringLiteral("8388608")},
         {QStringLiteral("fetch.wait.max.ms"), QString::number(fetchWait.count())},
         {QStringLiteral("fetch.error.backoff.ms"), QStringLiteral("100")},
         // Prefetch per partition while a call reads it. queued.min.messages keeps its
         // default: low values make librdkafka 2.0.2 back off fetching for 1 s.
         {QStringLiteral("queued.max.messages.kbytes"), QStringLiteral("4096")},
         // Small requests go out at once, not after the previous one's ACK.
         {QStringLiteral("socket.nagle.disable"), QStringLiteral("true")}});
    if (!created)
        return created.error();
    fetcher->m_kafka = std::move(created).value();
    return fetcher;
}

Result<bool> PartitionFetcher::start(int partition, int64_t offset)
{
    // The topic object only now: making one asks the brokers for the topic's metadata in a
    // way that creates the topic where auto-creation is on (librdkafka 2.0.2 ignores
    // allow.auto.create.topics there), so it waits until the topic is known to exist.
    if (!m_topic)
        m_topic.reset(rd_kafka_topic_new(rk(), m_topicName.constData(), nullptr));
    if (!m_topic)
        return m_kafka->errorFor(
            rd_kafka_last_error(),
            QStringLiteral("opening topic %1").arg(QString::fromUtf8(m_topicName)));
    if (m_started.contains(partition)) {
        PartitionListPtr list(rd_kafka_topic_partition_list_new(1));
        rd_kafka_topic_partition_list_add(list.get(), m_topicName.constData(), partition)->offset
            = offset;
        // Resumed first: a resume does not wake the broker's thread, a seek does, so in the
        // other order the fetch would wait for that thread's next round (up to 1 s).
        if (m_paused.remove(partition))
            rd_kafka_resume_partitions(rk(), list.get());
        // A seek drops what was prefetched and waits until the fetcher has moved.
        rd_kafka_error_t *error = rd_kafka_seek_partitions(rk(), list.get(), 5000);
        const bool moved = !error && list->elems[0].err == RD_KAFKA_RESP_ERR_NO_ERROR;
        if (error)
            rd_kafka_error_destroy(error);
        if (moved)
            return true;
        // Not fetching any more (e.g. after an offset out of range): start it over.
        rd_kafka_consume_stop(m_topic.get(), partition);
        m_started.remove(partition);
        m_paused.remove(partition);
    }
    if (rd_kafka_consume_start(m_topic.get(), partition, offset) == -1)
        return m_kafka->errorFor(rd_kafka_last_error(),
                                 QStringLiteral("starting to read partition %1 of %2")
                                     .arg(partition)
                                     .arg(QString::fromUtf8(m_topicName)));
    m_started.insert(partition);
    if (!m_queues.contains(partition)) {
        rd_kafka_queue_t *queue
            = rd_kafka_queue_get_partition(rk(), m_topicName.constData(), partition);
        if (queue) {
            rd_kafka_queue_cb_event_enable(queue, &Waker::onQueueEvent, m_waker);
            m_queues.insert(partition, queue);
        }
    }
    return true;
}

void PartitionFetcher::pause(int partition)
{
    if (!m_started.contains(partition) || m_paused.contains(partition))
        return;
    PartitionListPtr list(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_list_add(list.get(), m_topicName.constData(), partition);
    rd_kafka_pause_partitions(rk(), list.get());
    m_paused.insert(partition);
    m_settling.insert(partition);
    drop(partition);
}

void PartitionFetcher::pauseAll()
{
    PartitionListPtr list(rd_kafka_topic_partition_list_new(0));
    for (int p : std::as_const(m_started))
        if (!m_paused.contains(p))
            rd_kafka_topic_partition_list_add(list.get(), m_topicName.constData(), p);
    if (list->cnt > 0)
        rd_kafka_pause_partitions(rk(), list.get());
    for (int i = 0; i < list->cnt; ++i) {
        m_paused.insert(list->elems[i].partition);
        m_settling.insert(list->elems[i].partition);
        drop(list->elems[i].partition);
    }
    rd_kafka_poll(rk(), 0); // serves error callbacks queued meanwhile
}

void PartitionFetcher::settle()
{
    for (int p : std::as_const(m_settling))
        if (m_paused.contains(p))
            drop(p);
    m_settling.clear();
}

void PartitionFetcher::drop(int partition)
{
    // Reading the queue discards the outdated messages; anything else goes too.
    for (;;) {
        const ssize_t n
            = rd_kafka_consume_batch(m_topic.get(), partition, 0, m_batch.data(), m_batch.size());
        for (ssize_t i = 0; i < n; ++i)
            rd_kafka_message_destroy(m_batch[size_t(i)]);
        if (n < ssize_t(m_batch.size()))
            return;
    }
}

Result<std::vector<MessagePtr>> PartitionFetcher::take(int partition, int max)
{
    std::vector<MessagePtr> messages;
    const ssize_t n = max <= 0 || !m_topic
        ? 0
        : rd_kafka_consume_batch(m_topic.get(), partition, 0, m_batch.data(),
                                 std::min<size_t>(m_batch.size(), max));
    if (n < 0)
        return m_kafka->errorFor(rd_kafka_last_error(),
                                 QStringLiteral("reading partition %1 of %2")
                                     .arg(partition)
                                     .arg(QString::fromUtf8(m_topicName)));
    messages.reserve(static_cast<size_t>(n));
    for (ssize_t i = 0; i < n; ++i)
        messages.emplace_back(m_batch[static_cast<size_t>(i)]);
    return messages;
}

qint64 PartitionFetcher::fetchedHighWatermark(int partition) const
{
    int64_t low = -1, high = -1;
    if (rd_kafka_get_watermark_offsets(rk(), m_topicName.constData(), partition, &low, &high)
        != RD_KAFKA_RESP_ERR_NO_ERROR)
        return -1;
    return high;
}

} // namespace veltrix::kafka
