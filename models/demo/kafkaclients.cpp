#include "kafkaclients.h"

#include "kafka/kafkahandle.h"

#include <algorithm>

using namespace Qt::Literals::StringLiterals;

namespace veltrix::demo {

using namespace std::chrono_literals;

WorkloadProducer::WorkloadProducer(std::unique_ptr<KafkaHandle> handle, ErrorSink onError)
    : m_handle(std::move(handle))
    , m_onError(std::move(onError))
    , m_events(rd_kafka_queue_get_main(m_handle->get()))
{ }

WorkloadProducer::~WorkloadProducer()
{
    if (!drain(2000) && m_outstanding > 0)
        m_onError(u"%1 records were still undelivered at shutdown"_s.arg(m_outstanding));
    rd_kafka_queue_destroy(m_events);
}

bool WorkloadProducer::send(const QString &topic, qint32 partition, const QByteArray &key,
                            const QByteArray &value, const KafkaHeaderList &headers,
                            std::atomic<qint64> *delivered, qint64 timestamp)
{
    rd_kafka_headers_t *hdrs = rd_kafka_headers_new(static_cast<size_t>(headers.size()));
    for (const KafkaHeader &h : headers)
        rd_kafka_header_add(hdrs, h.name.constData(), h.name.size(),
                            h.value.isNull() ? nullptr : h.value.constData(), h.value.size());
    const QByteArray topicName = topic.toUtf8();
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR__QUEUE_FULL;
    for (int attempt = 0; attempt < 3 && err == RD_KAFKA_RESP_ERR__QUEUE_FULL; ++attempt) {
        if (attempt > 0)
            serve(100); // a full queue drains as reports are served
        err = rd_kafka_producev(m_handle->get(), RD_KAFKA_V_TOPIC(topicName.constData()),
                                RD_KAFKA_V_PARTITION(partition),
                                RD_KAFKA_V_KEY(key.constData(), static_cast<size_t>(key.size())),
                                RD_KAFKA_V_VALUE(const_cast<char *>(value.constData()),
                                                 static_cast<size_t>(value.size())),
                                RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_TIMESTAMP(timestamp),
                                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                RD_KAFKA_V_OPAQUE(delivered), RD_KAFKA_V_END);
    }
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        rd_kafka_headers_destroy(hdrs); // ownership passes only on success
        m_onError(
            u"producing to %1 failed: %2"_s.arg(topic, QString::fromUtf8(rd_kafka_err2str(err))));
        return false;
    }
    ++m_outstanding;
    return true;
}

int WorkloadProducer::serve(int timeoutMs)
{
    int failed = 0;
    for (rd_kafka_event_t *ev = rd_kafka_queue_poll(m_events, timeoutMs); ev;
         ev = rd_kafka_queue_poll(m_events, 0)) {
        if (rd_kafka_event_type(ev) == RD_KAFKA_EVENT_DR) {
            while (const rd_kafka_message_t *m = rd_kafka_event_message_next(ev)) {
                --m_outstanding;
                if (m->err) {
                    ++failed;
                    m_onError(u"delivery to %1 failed: %2"_s.arg(
                        QString::fromUtf8(rd_kafka_topic_name(m->rkt)),
                        QString::fromUtf8(rd_kafka_err2str(m->err))));
                } else if (m->_private) { // the message's opaque: what to count
                    ++*static_cast<std::atomic<qint64> *>(m->_private);
                }
            }
        } else if (rd_kafka_event_type(ev) == RD_KAFKA_EVENT_ERROR
                   && rd_kafka_event_error_is_fatal(ev)) {
            m_onError(QString::fromUtf8(rd_kafka_event_error_string(ev)));
        }
        rd_kafka_event_destroy(ev);
    }
    return failed;
}

bool WorkloadProducer::drain(int timeoutMs)
{
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
    int failed = 0;
    while (m_outstanding > 0 && std::chrono::steady_clock::now() < deadline)
        failed += serve(100);
    return failed == 0 && m_outstanding == 0;
}

qint32 WorkloadProducer::sameOrAnyPartition(const QString &topic, qint32 partition)
{
    return partition < partitionCount(topic) ? partition : RD_KAFKA_PARTITION_UA;
}

int WorkloadProducer::partitionCount(const QString &topic)
{
    if (!m_metadataAsked) {
        m_metadataAsked = true; // once: an unknown count only costs the same-partition rule
        const rd_kafka_metadata_t *md = nullptr;
        if (rd_kafka_metadata(m_handle->get(), 1, nullptr, &md, 5000)
            == RD_KAFKA_RESP_ERR_NO_ERROR) {
            for (int i = 0; i < md->topic_cnt; ++i)
                m_partitions[QString::fromUtf8(md->topics[i].topic)] = md->topics[i].partition_cnt;
            rd_kafka_metadata_destroy(md);
        }
    }
    const auto it = m_partitions.find(topic);
    return it == m_partitions.end() ? 0 : it->second;
}

WorkloadConsumer::WorkloadConsumer(std::unique_ptr<KafkaHandle> handle, ErrorSink onError)
    : m_handle(std::move(handle))
    , m_onError(std::move(onError))
{ }

WorkloadConsumer::~WorkloadConsumer()
{
    commit(2000);
    // Bounded: with the broker already gone (it crashed, or was stopped first) an
    // unbounded close would keep the demo from ever stopping.
    m_handle->closeConsumer(std::chrono::seconds(5));
}

rd_kafka_message_t *WorkloadConsumer::poll(int timeoutMs)
{
    auto wake = Clock::now() + std::chrono::milliseconds(timeoutMs);
    for (auto it = m_held.begin(); it != m_held.end();) {
        if (it->second <= Clock::now()) {
            setPaused(it->first, -1, false);
            it = m_held.erase(it);
        } else {
            wake = std::min(wake, it->second);
            ++it;
        }
    }
    const auto wait = std::chrono::ceil<std::chrono::milliseconds>(wake - Clock::now());
    rd_kafka_message_t *m = rd_kafka_consumer_poll(
        m_handle->get(), static_cast<int>(std::max<qint64>(0, wait.count())));
    if (m_dirty && Clock::now() - m_lastCommit > 500ms)
        commit(0);
    if (!m)
        return nullptr;
    if (m->err || (!m_held.empty() && m_held.count(keyOf(m)))) {
        if (m->err && !isTransient(m->err))
            m_onError(u"consuming failed: %1"_s.arg(QString::fromUtf8(rd_kafka_message_errstr(m))));
        rd_kafka_message_destroy(m);
        return nullptr;
    }
    return m;
}

void WorkloadConsumer::done(const rd_kafka_message_t *m)
{
    m_next[keyOf(m)] = m->offset + 1;
    m_dirty = true;
}

void WorkloadConsumer::hold(const rd_kafka_message_t *m, Clock::time_point until)
{
    m_held[keyOf(m)] = until;
    setPaused(keyOf(m), m->offset, true);
}

bool WorkloadConsumer::isTransient(rd_kafka_resp_err_t err)
{
    switch (err) {
    case RD_KAFKA_RESP_ERR__PARTITION_EOF:
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
    case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
        return true;
    default:
        return false;
    }
}

WorkloadConsumer::TopicPartition WorkloadConsumer::keyOf(const rd_kafka_message_t *m)
{
    return {rd_kafka_topic_name(m->rkt), m->partition};
}

void WorkloadConsumer::setPaused(const TopicPartition &tp, qint64 seekTo, bool pause)
{
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(list, tp.first.c_str(), tp.second)->offset = seekTo;
    if (pause) {
        rd_kafka_pause_partitions(m_handle->get(), list);
        // Back to the held record, so it is fetched again after the resume. Asynchronous
        // (timeout 0): the partition's ops run in order, so the seek lands before the
        // resume, and a busy broker cannot time it out and lose the record (a 2 s wait did,
        // under the sanitizers in CI); failures arrive as consumer errors in poll().
        if (rd_kafka_error_t *error = rd_kafka_seek_partitions(m_handle->get(), list, 0)) {
            m_onError(u"seeking %1 [%2] failed: %3"_s.arg(QString::fromStdString(tp.first))
                          .arg(tp.second)
                          .arg(QString::fromUtf8(rd_kafka_error_string(error))));
            rd_kafka_error_destroy(error);
        }
    } else {
        rd_kafka_resume_partitions(m_handle->get(), list);
    }
    rd_kafka_topic_partition_list_destroy(list);
}

void WorkloadConsumer::commit(int waitMs)
{
    if (!m_dirty)
        return;
    rd_kafka_topic_partition_list_t *list
        = rd_kafka_topic_partition_list_new(static_cast<int>(m_next.size()));
    for (const auto &[tp, next] : m_next)
        rd_kafka_topic_partition_list_add(list, tp.first.c_str(), tp.second)->offset = next;
    if (waitMs == 0) {
        rd_kafka_commit(m_handle->get(), list, 1);
    } else {
        // The result on a private queue keeps the final commit's wait bounded
        // (rd_kafka_commit(async=0) would wait as long as the coordinator takes).
        rd_kafka_queue_t *results = rd_kafka_queue_new(m_handle->get());
        rd_kafka_commit_queue(m_handle->get(), list, results, nullptr, nullptr);
        if (rd_kafka_event_t *ev = rd_kafka_queue_poll(results, waitMs))
            rd_kafka_event_destroy(ev);
        rd_kafka_queue_destroy(results);
    }
    rd_kafka_topic_partition_list_destroy(list);
    m_dirty = false;
    m_lastCommit = Clock::now();
}

FailedRecord failedRecordOf(const rd_kafka_message_t *m, const QString &group)
{
    FailedRecord r;
    r.topic = QString::fromUtf8(rd_kafka_topic_name(m->rkt));
    r.partition = m->partition;
    r.offset = m->offset;
    rd_kafka_timestamp_type_t type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
    r.timestamp = rd_kafka_message_timestamp(m, &type);
    if (type == RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME)
        r.timestampType = QStringLiteral("LogAppendTime");
    else if (type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE)
        r.timestampType = QStringLiteral("NoTimestampType");
    r.key = QByteArray(static_cast<const char *>(m->key), static_cast<qsizetype>(m->key_len));
    r.consumerGroup = group;
    rd_kafka_headers_t *hdrs = nullptr;
    if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char *name = nullptr;
        const void *value = nullptr;
        size_t size = 0;
        for (size_t i = 0;
             rd_kafka_header_get_all(hdrs, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
             ++i)
            r.headers.append(
                {QByteArray(name),
                 value ? QByteArray(static_cast<const char *>(value), static_cast<qsizetype>(size))
                       : QByteArray()});
    }
    return r;
}

QByteArray payloadOf(const rd_kafka_message_t *m)
{
    return QByteArray(static_cast<const char *>(m->payload), static_cast<qsizetype>(m->len));
}

} // namespace veltrix::demo
