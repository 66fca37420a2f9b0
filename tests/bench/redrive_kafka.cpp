// The Kafka half of the redrive bench: our engine (RedriveEngine::run) against what an
// operator's kcat pipe does, a plain librdkafka loop, on the same in-process mock cluster,
// the same DLT and the same topic layouts, measured in the same run.
//
// The DLT holds `messages` records as Spring's DeadLetterPublishingRecoverer writes them:
// a key, a ~200-byte payload, the service's own trace header and the kafka_dlt-* headers
// naming the original topic. The mock keeps about 5 MiB per partition and silently drops
// the oldest records beyond, so the partition count follows from the record size, and the
// DLT's extents are checked before anything is measured. Both sides produce with an
// idempotent acks=all producer (ours lingers 2 ms instead of 5: it keeps at most a window
// in flight); the sides take turns, three runs each, and the better run counts.
#include "benchoutput.h"
#include "deadletter/springkafkaheaders.h"
#include "kafka/kafkaadmin.h"
#include "kafka/kafkahandle.h"
#include "kafka/kafkatopicbrowser.h"
#include "kafka/mockkafkacluster.h"
#include "redrive.h"
#include "redrive/kafkaredriver.h"
#include "redrive/redriveengine.h"
#include "testprofiles.h"

#include <librdkafka/rdkafka.h>

#include <QElapsedTimer>
#include <QJsonArray>
#include <QTemporaryDir>

#include <algorithm>
#include <cmath>

#include <cstdio>
#include <sys/resource.h>

namespace veltrix::bench {

namespace {

using namespace Qt::StringLiterals;

constexpr qint64 MockPartitionLimit = 5 * 1024 * 1024; // librdkafka 2.0.2's mock, per partition
constexpr double PartitionBudget = 0.6; // of that limit: well clear of any drop
constexpr int Window = 1000;
const QString Dlt = u"orders-dlt"_s;
const QString Original = u"orders"_s; // where our engine sends them: the headers say so
const QString PlainDestination = u"orders-plain"_s;

[[noreturn]] void failKafka(const QString &what)
{
    fail("redrive", u"kafka: "_s + what);
}

struct DltRecord
{
    QByteArray key;
    QByteArray value;
    KafkaHeaderList headers;
};

DltRecord dltRecord(qint64 i)
{
    DltRecord r;
    r.key = "ord-" + QByteArray::number(100'000 + i % 5000);
    QByteArray value = R"({"order_id":")" + r.key + R"(","customer":"c-)"
        + QByteArray::number(i % 977)
        + R"(","items":[{"sku":"sku-1234","qty":2},{"sku":"sku-987","qty":1}],"total":)"
          R"(129.90,"currency":"EUR","note":")";
    value += QByteArray(std::max<qsizetype>(0, 198 - value.size()), 'x') + "\"}";
    r.value = value;
    r.headers = {
        {"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e" + QByteArray::number(i) + "-01"},
        {headers::DltOriginalTopic, Original.toUtf8()},
        {headers::DltOriginalPartition, bigEndian32(qint32(i % 12))},
        {headers::DltOriginalOffset, bigEndian64(7'000'000 + i)},
        {headers::DltOriginalTimestamp, bigEndian64(1'700'000'000'000 + i)},
        {headers::DltOriginalTimestampType, "CreateTime"},
        {headers::DltOriginalConsumerGroup, "order-service"},
        {headers::DltExceptionFqcn,
         "org.springframework.kafka.listener.ListenerExecutionFailedException"},
        {headers::DltExceptionCauseFqcn, "com.shop.orders.StockServiceUnavailableException"},
        {headers::DltExceptionMessage,
         "Listener failed; Stock service returned HTTP 503 for " + r.key},
    };
    return r;
}

// What a record takes in a v2 record batch, redrive headers included: varint lengths and
// deltas (~2 bytes each) around the key, the value and every header name and value.
qint64 batchBytes(const DltRecord &r)
{
    qint64 bytes = 16 + r.key.size() + r.value.size() + 2 * 40;
    for (const KafkaHeader &h : r.headers)
        bytes += 4 + h.name.size() + h.value.size();
    return bytes;
}

// One measured run: its throughput and the process's CPU time per message (all threads,
// the mock's included), which says more than the rate when the machine is shared.
struct Run
{
    double perSecond = 0;
    double cpuMicrosPerMessage = 0;
};

class RunClock
{
public:
    RunClock()
    {
        getrusage(RUSAGE_SELF, &m_usage);
        m_wall.start();
    }
    Run stop(qint64 messages) const
    {
        const double seconds = double(m_wall.nsecsElapsed()) / 1e9;
        rusage now {};
        getrusage(RUSAGE_SELF, &now);
        const auto micros
            = [](const timeval &t) { return double(t.tv_sec) * 1e6 + double(t.tv_usec); };
        const double cpu = micros(now.ru_utime) + micros(now.ru_stime) - micros(m_usage.ru_utime)
            - micros(m_usage.ru_stime);
        return {double(messages) / seconds, cpu / double(messages)};
    }

private:
    rusage m_usage {};
    QElapsedTimer m_wall;
};

rd_kafka_headers_t *toRdHeaders(const KafkaHeaderList &list)
{
    rd_kafka_headers_t *headers = rd_kafka_headers_new(static_cast<size_t>(list.size()));
    for (const KafkaHeader &h : list)
        rd_kafka_header_add(headers, h.name.constData(), h.name.size(), h.value.constData(),
                            h.value.size());
    return headers;
}

void fillDlt(const ClusterProfile &profile, int messages, int partitions)
{
    auto producer = KafkaHandle::create(profile, RD_KAFKA_PRODUCER,
                                        {{u"linger.ms"_s, u"20"_s},
                                         {u"batch.size"_s, u"1000000"_s},
                                         {u"acks"_s, u"1"_s},
                                         {u"queue.buffering.max.messages"_s, u"1000000"_s}});
    if (!producer)
        failKafka(producer.error().describe());
    rd_kafka_t *rk = producer.value()->get();
    const QByteArray topic = Dlt.toUtf8();
    for (qint64 i = 0; i < messages; ++i) {
        const DltRecord r = dltRecord(i);
        rd_kafka_headers_t *headers = toRdHeaders(r.headers);
        rd_kafka_resp_err_t err;
        while ((err = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic.constData()),
                                        RD_KAFKA_V_PARTITION(int32_t(i % partitions)),
                                        RD_KAFKA_V_KEY(r.key.constData(), size_t(r.key.size())),
                                        RD_KAFKA_V_VALUE(const_cast<char *>(r.value.constData()),
                                                         size_t(r.value.size())),
                                        RD_KAFKA_V_HEADERS(headers),
                                        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END))
               == RD_KAFKA_RESP_ERR__QUEUE_FULL)
            rd_kafka_poll(rk, 10);
        if (err) {
            rd_kafka_headers_destroy(headers);
            failKafka(producer.value()->errorFor(err, u"filling the DLT"_s).describe());
        }
        rd_kafka_poll(rk, 0);
    }
    if (const auto err = rd_kafka_flush(rk, 120'000); err)
        failKafka(producer.value()->errorFor(err, u"flushing the DLT"_s).describe());
}

void checkDlt(const ClusterProfile &profile, int messages, int partitions)
{
    auto browser = KafkaTopicBrowser::open(profile, Dlt, std::chrono::seconds(10));
    if (!browser)
        failKafka(browser.error().describe());
    auto extents = browser.value()->extents();
    if (!extents)
        failKafka(extents.error().describe());
    qint64 total = 0;
    for (const KafkaPartitionExtent &e : extents.value()) {
        if (e.start != 0)
            failKafka(u"the mock dropped records of partition %1"_s.arg(e.partition));
        total += e.count();
    }
    if (total != messages || extents->size() != partitions)
        failKafka(u"the DLT holds %1 records in %2 partitions, not %3"_s.arg(total)
                      .arg(extents->size())
                      .arg(messages));
}

// Each run is a first one: the progress group is set back to the start before (a run with
// fromStart would find every record below the group's offset and commit nothing).
Run ourRedrive(const ClusterProfile &profile, int messages, int partitions)
{
    kafka::PartitionListPtr start(rd_kafka_topic_partition_list_new(partitions));
    for (int p = 0; p < partitions; ++p)
        rd_kafka_topic_partition_list_add(start.get(), Dlt.toUtf8().constData(), p)->offset = 0;
    if (auto reset = commitOffsetsWithoutJoining(profile, kafkaRedriveGroup(Dlt), start.get());
        !reset)
        failKafka(reset.error().describe());
    RedriveRequest request;
    request.source = {ClusterKind::Kafka, profile.name, {}, Dlt};
    request.window = Window;
    RedriveControl control;
    const RunClock clock;
    const RedriveReport report = RedriveEngine(profile).run(request, control);
    const Run run = clock.stop(messages);
    if (report.outcome != RedriveReport::Outcome::Completed || report.moved != messages)
        failKafka(u"our redrive: "_s + report.summary());
    return run;
}

// What kcat -C | kcat -P does, with the same producer settings as ours: read every
// partition from the start without joining a group, produce each record with its key
// and headers, wait for every delivery.
Run plainLoop(const ClusterProfile &profile, int messages, int partitions)
{
    struct Deliveries
    {
        qint64 ok = 0;
        qint64 failed = 0;
    } deliveries;
    const RunClock clock;
    auto consumer = KafkaHandle::create(profile, RD_KAFKA_CONSUMER,
                                        {{u"group.id"_s, u"bench-plain-loop"_s},
                                         {u"enable.auto.commit"_s, u"false"_s},
                                         {u"enable.partition.eof"_s, u"true"_s},
                                         {u"fetch.wait.max.ms"_s, u"100"_s},
                                         {u"socket.nagle.disable"_s, u"true"_s}});
    auto producer
        = KafkaHandle::create(profile, RD_KAFKA_PRODUCER,
                              {{u"enable.idempotence"_s, u"true"_s},
                               {u"acks"_s, u"all"_s},
                               {u"partitioner"_s, u"murmur2_random"_s},
                               {u"linger.ms"_s, u"5"_s},
                               {u"socket.nagle.disable"_s, u"true"_s}},
                              [](rd_kafka_conf_t *conf) {
                                  rd_kafka_conf_set_dr_msg_cb(
                                      conf, [](rd_kafka_t *, const rd_kafka_message_t *m, void *) {
                                          auto *counts = static_cast<Deliveries *>(m->_private);
                                          ++(m->err ? counts->failed : counts->ok);
                                      });
                              });
    if (!consumer || !producer)
        failKafka((consumer ? producer.error() : consumer.error()).describe());
    rd_kafka_t *in = consumer.value()->get();
    rd_kafka_t *out = producer.value()->get();
    rd_kafka_poll_set_consumer(in);
    const QByteArray source = Dlt.toUtf8();
    // The leaders first, as ours does; assign() alone finds them a second later.
    rd_kafka_topic_t *dlt = rd_kafka_topic_new(in, source.constData(), nullptr);
    const rd_kafka_metadata_t *metadata = nullptr;
    if (rd_kafka_metadata(in, 0, dlt, &metadata, 10'000) == RD_KAFKA_RESP_ERR_NO_ERROR)
        rd_kafka_metadata_destroy(metadata);
    rd_kafka_topic_destroy(dlt);
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(partitions);
    for (int p = 0; p < partitions; ++p)
        rd_kafka_topic_partition_list_add(list, source.constData(), p)->offset
            = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_assign(in, list);
    rd_kafka_topic_partition_list_destroy(list);

    rd_kafka_topic_t *target
        = rd_kafka_topic_new(out, PlainDestination.toUtf8().constData(), nullptr);
    int ended = 0;
    qint64 read = 0;
    while (ended < partitions) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(in, 100);
        rd_kafka_poll(out, 0);
        if (!m)
            continue;
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            ++ended;
        } else if (m->err) {
            failKafka(u"plain loop: "_s + QString::fromUtf8(rd_kafka_message_errstr(m)));
        } else {
            ++read;
            rd_kafka_headers_t *headers = nullptr;
            rd_kafka_message_detach_headers(m, &headers);
            rd_kafka_resp_err_t err;
            while ((err = rd_kafka_producev(
                        out, RD_KAFKA_V_RKT(target), RD_KAFKA_V_KEY(m->key, m->key_len),
                        RD_KAFKA_V_VALUE(m->payload, m->len), RD_KAFKA_V_HEADERS(headers),
                        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(&deliveries),
                        RD_KAFKA_V_END))
                   == RD_KAFKA_RESP_ERR__QUEUE_FULL)
                rd_kafka_poll(out, 10);
            if (err)
                failKafka(u"plain loop: "_s + QString::fromUtf8(rd_kafka_err2str(err)));
        }
        rd_kafka_message_destroy(m);
    }
    if (rd_kafka_flush(out, 120'000) != RD_KAFKA_RESP_ERR_NO_ERROR)
        failKafka(u"plain loop: deliveries did not finish"_s);
    const Run run = clock.stop(messages);
    rd_kafka_topic_destroy(target);
    if (read != messages || deliveries.ok != messages)
        failKafka(u"plain loop: read %1, delivered %2 of %3 (%4 failed)"_s.arg(read)
                      .arg(deliveries.ok)
                      .arg(messages)
                      .arg(deliveries.failed));
    return run;
}

} // namespace

void benchKafkaRedrive(int messages)
{
    QTemporaryDir dir;
    if (!dir.isValid())
        failKafka(u"no temporary directory"_s);
    qputenv("VELTRIX_AUDIT_LOG", dir.filePath(u"audit.jsonl"_s).toUtf8());

    qint64 recordBytes = 0;
    for (qint64 i = 0; i < 1000; ++i)
        recordBytes = std::max(recordBytes, batchBytes(dltRecord(i)));
    const qint64 fit = qint64(PartitionBudget * double(MockPartitionLimit)) / recordBytes;
    const int partitions = int(std::max<qint64>(3, (messages + fit - 1) / fit));

    auto mock = MockKafkaCluster::start(3);
    if (!mock)
        failKafka(mock.error().describe());
    // The destinations get every run's records; the mock dropping their oldest ones later
    // costs nothing measurable, and deliveries are counted, not read back.
    for (const QString &topic : {Dlt, Original, PlainDestination})
        if (auto created = mock.value()->createTopic(topic, partitions); !created)
            failKafka(created.error().describe());
    const ClusterProfile profile = test::kafkaProfile(u"bench"_s, mock.value()->bootstrapServers());
    fillDlt(profile, messages, partitions);
    checkDlt(profile, messages, partitions);

    // Alternating, three rounds each: the better runs count, on a machine that others use.
    QList<Run> ours, plain;
    for (int round = 0; round < 3; ++round) {
        ours << ourRedrive(profile, messages, partitions);
        plain << plainLoop(profile, messages, partitions);
    }
    const auto best = [](const QList<Run> &runs) {
        return *std::max_element(runs.cbegin(), runs.cend(), [](const Run &a, const Run &b) {
            return a.perSecond < b.perSecond;
        });
    };
    const Run bestOurs = best(ours);
    const Run bestPlain = best(plain);
    const auto figure = [&](const QString &name, const Run &chosen, const QList<Run> &runs) {
        QJsonArray rates;
        for (const Run &r : runs)
            rates.append(qRound(r.perSecond));
        emitFigure("redrive",
                   {{u"figure"_s, name},
                    {u"value"_s, qRound(chosen.perSecond)},
                    {u"runs"_s, rates},
                    {u"cpu_us_per_msg"_s, std::round(chosen.cpuMicrosPerMessage * 10) / 10},
                    {u"messages"_s, messages},
                    {u"partitions"_s, partitions},
                    {u"record_bytes"_s, recordBytes}});
    };
    figure(u"kafka_redrive_msgs_per_s"_s, bestOurs, ours);
    figure(u"kafka_plain_loop_msgs_per_s"_s, bestPlain, plain);
    emitFigure("redrive",
               {{u"figure"_s, u"kafka_ratio"_s},
                {u"value"_s, std::round(bestOurs.perSecond / bestPlain.perSecond * 100) / 100},
                {u"goal"_s, u">= 0.7"_s}});
}

} // namespace veltrix::bench
