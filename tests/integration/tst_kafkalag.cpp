// KafkaLagReader against librdkafka's mock cluster over TCP: every offset it reports is
// one this test produced or committed, the requests it sends are counted at the brokers
// (one ListOffsets per leader and kind, one OffsetFetch per group, never one per
// partition), and a dead cluster fails in words within the timeout.
#include "countingmockcluster.h"
#include "kafka/kafkahandle.h"
#include "kafka/kafkalagpoller.h"
#include "kafka/kafkalagreader.h"
#include "kafka/mockkafkacluster.h"
#include "session/sessionmanager.h"
#include "testkafka.h"
#include "testprofiles.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <QElapsedTimer>
#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

using namespace veltrix;
using namespace std::chrono_literals;

namespace {

constexpr auto Timeout = 5s;

struct Commit
{
    QString topic;
    int partition = -1;
    qint64 offset = -1;
};

// test::producePartitionCounts with what these tests also need: message i of partition p
// stamped timestampBase + p * 1000 + i (when timestampBase >= 0), and large values.
bool produceRecords(const QString &bootstrap, const QString &topic, const QMap<int, int> &counts,
                    qint64 timestampBase = -1, int valueSize = 16)
{
    test::ProduceOptions options;
    options.timestampBase = timestampBase;
    options.valueSize = valueSize;
    options.producerProperties = {{QStringLiteral("linger.ms"), QStringLiteral("5")}};
    options.flushTimeout = 30s;
    const auto done = test::producePartitionCounts(
        test::kafkaProfile(QStringLiteral("producer"), bootstrap), topic, counts, options);
    if (!done)
        qWarning("%s", qPrintable(done.error().describe()));
    return done.ok();
}

bool produceCounts(const QString &bootstrap, const QString &topic, const QList<int> &counts)
{
    const auto done = test::produceCounts(test::kafkaProfile(QStringLiteral("producer"), bootstrap),
                                          topic, counts);
    if (!done)
        qWarning("%s", qPrintable(done.error().describe()));
    return done.ok();
}

QHash<TopicPartition, qint64> offsetsOf(const QList<Commit> &commits)
{
    QHash<TopicPartition, qint64> offsets;
    for (const Commit &c : commits)
        offsets.insert({c.topic, c.partition}, c.offset);
    return offsets;
}

// Commits offsets without joining the group (test::commitOffsets).
bool commitDirectly(const QString &bootstrap, const QString &group, const QList<Commit> &commits)
{
    const auto done = test::commitOffsets(
        test::kafkaProfile(QStringLiteral("committer"), bootstrap), group, offsetsOf(commits));
    if (!done)
        qWarning("%s", qPrintable(done.error().describe()));
    return done.ok();
}

QString describe(const QHash<TopicPartition, qint64> &offsets)
{
    QStringList parts;
    for (auto it = offsets.cbegin(); it != offsets.cend(); ++it)
        parts << QStringLiteral("%1=%2").arg(it.key().toString()).arg(it.value());
    parts.sort();
    return parts.join(QLatin1Char(' '));
}

const TopicOffsets *topicIn(const LagObservation &observation, const QString &name)
{
    for (const TopicOffsets &topic : observation.topics)
        if (topic.name == name)
            return &topic;
    return nullptr;
}

const ObservedGroup *groupIn(const LagObservation &observation, const QString &name)
{
    for (const ObservedGroup &group : observation.groups)
        if (group.group == name)
            return &group;
    return nullptr;
}

const PartitionLag *partitionIn(const LagSnapshot &snapshot, const QString &group,
                                const QString &topic, int partition)
{
    const GroupLag *g = snapshot.group(group);
    if (!g)
        return nullptr;
    for (const PartitionLag &p : g->partitions)
        if (p.topic == topic && p.partition == partition)
            return &p;
    return nullptr;
}

QString offsetsLine(const TopicOffsets &topic)
{
    QStringList parts;
    for (const TopicPartitionOffsets &p : topic.partitions)
        parts << QStringLiteral("p%1 leader %2 [%3, %4)")
                     .arg(p.partition)
                     .arg(p.leader)
                     .arg(p.startOffset)
                     .arg(p.endOffset);
    return topic.name + QStringLiteral(": ") + parts.join(QStringLiteral(", "));
}

QString countsLine(const test::CountingMockCluster &mock)
{
    QStringList parts;
    for (const char *name :
         {"Metadata", "ListOffsets", "OffsetFetch", "FindCoordinator", "DescribeGroups", "Fetch"})
        parts << QStringLiteral("%1=%2")
                     .arg(QLatin1String(name))
                     .arg(mock.total(QLatin1String(name)));
    return parts.join(QLatin1Char(' '));
}

} // namespace

class TestKafkaLag : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void readsProducedAndCommittedOffsetsExactly();
    void readsOffsetsCommittedByASubscribedConsumer();
    void reportsLogStartPastTheCommittedOffset();
    void reportsPartitionWithoutLeader();
    void failedOffsetFetchFailsOnlyItsGroup();
    void batchesRequestsByLeaderAndGroup();
    void namesManyPartitionsInChunks();
    void unreachableClusterFailsWithinTimeout();
    void readsMessageTimestampsAtOffsets();
    void pollerJudgesLagFlagsAndVerdicts();
    void sessionPollsOffTheGuiThreadOneAtATime();

private:
    ClusterProfile profile(const QStringList &groups = {}) const
    {
        return test::kafkaProfile(QStringLiteral("mock"), m_mock->bootstrapServers(), groups);
    }

    std::unique_ptr<MockKafkaCluster> m_mock;
    // "lag-retention": group "retention-lagger" committed 0, then ~9 MiB produced, more
    // than the mock keeps per partition (~5 MiB), so the log start moved past it.
    qint64 m_retentionEnd = 0;
};

void TestKafkaLag::initTestCase()
{
    auto mock = MockKafkaCluster::start(3);
    QVERIFY2(mock.ok(), qPrintable(mock.error().describe()));
    m_mock = std::move(mock).value();

    QVERIFY(m_mock->createTopic(QStringLiteral("lag-retention"), 1).ok());
    QVERIFY(produceCounts(m_mock->bootstrapServers(), QStringLiteral("lag-retention"), {1}));
    QVERIFY(commitDirectly(m_mock->bootstrapServers(), QStringLiteral("retention-lagger"),
                           {{QStringLiteral("lag-retention"), 0, 0}}));
    constexpr int BigMessages = 90;
    QVERIFY(produceRecords(m_mock->bootstrapServers(), QStringLiteral("lag-retention"),
                           {{0, BigMessages}}, -1, 100 * 1024));
    m_retentionEnd = 1 + BigMessages;
}

void TestKafkaLag::readsProducedAndCommittedOffsetsExactly()
{
    const QString bootstrap = m_mock->bootstrapServers();
    QVERIFY(m_mock->createTopic(QStringLiteral("exact-orders"), 4).ok());
    QVERIFY(m_mock->createTopic(QStringLiteral("exact-audit"), 2).ok());
    const QList<int> produced {10, 20, 30, 0};
    QVERIFY(produceCounts(bootstrap, QStringLiteral("exact-orders"), produced));
    QVERIFY(produceCounts(bootstrap, QStringLiteral("exact-audit"), {5, 7}));

    const QList<Commit> billing {{QStringLiteral("exact-orders"), 0, 4},
                                 {QStringLiteral("exact-orders"), 1, 20},
                                 {QStringLiteral("exact-orders"), 2, 0}};
    const QList<Commit> archive {{QStringLiteral("exact-orders"), 1, 1},
                                 {QStringLiteral("exact-audit"), 0, 5}};
    QVERIFY(commitDirectly(bootstrap, QStringLiteral("exact-billing"), billing));
    QVERIFY(commitDirectly(bootstrap, QStringLiteral("exact-archive"), archive));

    // No groups asked: the mock cannot list them, so the profile's are used, with a note.
    KafkaLagReader reader(profile({QStringLiteral("exact-billing"), QStringLiteral("exact-archive"),
                                   QStringLiteral("exact-idle")}),
                          Timeout);
    const QDateTime before = QDateTime::currentDateTimeUtc();
    auto observation = reader.poll();
    const QDateTime after = QDateTime::currentDateTimeUtc();
    QVERIFY2(observation.ok(), qPrintable(observation.error().describe()));
    const LagObservation &o = observation.value();

    QVERIFY2(o.groupsNote.contains(QLatin1String("the brokers do not support ListGroups"))
                 && o.groupsNote.contains(QLatin1String("3 group(s) named in the profile")),
             qPrintable(o.groupsNote));
    QVERIFY2(o.membershipNote.contains(QLatin1String("DescribeGroups")),
             qPrintable(o.membershipNote));
    QVERIFY2(o.at >= before && o.at <= after, qPrintable(o.at.toString(Qt::ISODateWithMs)));

    const TopicOffsets *orders = topicIn(o, QStringLiteral("exact-orders"));
    QVERIFY(orders);
    QCOMPARE(orders->partitions.size(), 4);
    QVERIFY(!orders->internal);
    for (int p = 0; p < 4; ++p) {
        const TopicPartitionOffsets &offsets = orders->partitions.at(p);
        QCOMPARE(offsets.partition, p);
        QVERIFY2(offsets.leader >= 1 && offsets.leader <= 3, qPrintable(offsetsLine(*orders)));
        QVERIFY2(offsets.replicas.contains(offsets.leader), qPrintable(offsetsLine(*orders)));
        QVERIFY2(!offsets.isr.isEmpty(), qPrintable(offsetsLine(*orders)));
        QVERIFY2(offsets.startOffset == 0 && offsets.endOffset == produced.at(p),
                 qPrintable(offsetsLine(*orders)));
    }
    const TopicOffsets *audit = topicIn(o, QStringLiteral("exact-audit"));
    QVERIFY(audit);
    QVERIFY2(audit->partitions.size() == 2 && audit->partitions[0].endOffset == 5
                 && audit->partitions[1].endOffset == 7,
             qPrintable(offsetsLine(*audit)));

    QStringList names;
    for (const ObservedGroup &g : o.groups)
        names << g.group;
    QCOMPARE(names,
             (QStringList {QStringLiteral("exact-archive"), QStringLiteral("exact-billing"),
                           QStringLiteral("exact-idle")}));
    const ObservedGroup *billingGroup = groupIn(o, QStringLiteral("exact-billing"));
    QVERIFY(billingGroup);
    // Partition 3 has no commit: absent, not 0 or -1.
    QVERIFY2(billingGroup->committed == offsetsOf(billing),
             qPrintable(describe(billingGroup->committed)));
    QVERIFY2(billingGroup->error.isEmpty(), qPrintable(billingGroup->error));
    QVERIFY(!billingGroup->membershipKnown);
    QVERIFY(billingGroup->state.isEmpty());
    const ObservedGroup *archiveGroup = groupIn(o, QStringLiteral("exact-archive"));
    QVERIFY(archiveGroup);
    QVERIFY2(archiveGroup->committed == offsetsOf(archive),
             qPrintable(describe(archiveGroup->committed)));
    const ObservedGroup *idle = groupIn(o, QStringLiteral("exact-idle"));
    QVERIFY(idle);
    QVERIFY2(idle->committed.isEmpty() && idle->error.isEmpty(),
             qPrintable(describe(idle->committed) + idle->error));

    QCOMPARE(o.requests.metadata, 1);
    // A first poll asks each group for "all" its offsets; the 2.0.2 mock answers that
    // with nothing, so each group is asked again, by partition: 3 + 3.
    QCOMPARE(o.requests.offsetFetch, 6);
    QCOMPARE(o.requests.describeGroups, 0); // the mock has no DescribeGroups
    QSet<int> leaders;
    for (const TopicOffsets &topic : o.topics)
        for (const TopicPartitionOffsets &p : topic.partitions)
            if (p.leader >= 0)
                leaders.insert(p.leader);
    QCOMPARE(o.requests.listOffsets, 2 * int(leaders.size()));
    QCOMPARE(o.requests.fetch, 0);

    // The same reader again: its handles are reused and the figures stay exact.
    auto again = reader.poll({QStringLiteral("exact-billing")});
    QVERIFY2(again.ok(), qPrintable(again.error().describe()));
    QCOMPARE(again->groups.size(), 1);
    QCOMPARE(again->requests.offsetFetch, 1); // by partition straight away, now it knows
    QVERIFY(again->groupsNote.isEmpty()); // asked by name: nothing was listed
    QVERIFY2(again->groups[0].committed == offsetsOf(billing),
             qPrintable(describe(again->groups[0].committed)));
}

void TestKafkaLag::readsOffsetsCommittedByASubscribedConsumer()
{
    const QString bootstrap = m_mock->bootstrapServers();
    const QString topic = QStringLiteral("live-events");
    QVERIFY(m_mock->createTopic(topic, 3).ok());
    QVERIFY(produceCounts(bootstrap, topic, {10, 10, 10}));

    auto consumer
        = KafkaHandle::create(profile(), RD_KAFKA_CONSUMER,
                              {{QStringLiteral("group.id"), QStringLiteral("live-consumer")},
                               {QStringLiteral("enable.auto.commit"), QStringLiteral("false")},
                               {QStringLiteral("auto.offset.reset"), QStringLiteral("earliest")}});
    QVERIFY2(consumer.ok(), qPrintable(consumer.error().describe()));
    rd_kafka_t *rk = consumer.value()->get();
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *subscription = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(subscription, "live-events", RD_KAFKA_PARTITION_UA);
    QCOMPARE(rd_kafka_subscribe(rk, subscription), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_topic_partition_list_destroy(subscription);

    // Consume 14 of the 30 (the mock's first assignment takes ~3 s), then commit the
    // positions synchronously: the next offset of each partition a message came from.
    constexpr int Wanted = 14;
    QHash<TopicPartition, qint64> expected;
    int consumed = 0;
    QElapsedTimer clock;
    clock.start();
    while (consumed < Wanted && clock.elapsed() < 20000) {
        rd_kafka_message_t *message = rd_kafka_consumer_poll(rk, 200);
        if (!message)
            continue;
        if (!message->err) {
            expected.insert({topic, message->partition}, message->offset + 1);
            ++consumed;
        }
        rd_kafka_message_destroy(message);
    }
    QCOMPARE(consumed, Wanted);
    QCOMPARE(rd_kafka_commit(rk, nullptr, 0 /* sync */), RD_KAFKA_RESP_ERR_NO_ERROR);

    KafkaLagReader reader(profile(), Timeout);
    auto observation = reader.poll({QStringLiteral("live-consumer")});
    rd_kafka_consumer_close(rk);
    QVERIFY2(observation.ok(), qPrintable(observation.error().describe()));
    QCOMPARE(observation->groups.size(), 1);
    const ObservedGroup &group = observation->groups.at(0);
    QCOMPARE(group.group, QStringLiteral("live-consumer"));
    QVERIFY2(group.committed == expected,
             qPrintable(describe(group.committed) + QStringLiteral(" vs ") + describe(expected)));
    const TopicOffsets *events = topicIn(observation.value(), topic);
    QVERIFY(events);
    for (const TopicPartitionOffsets &p : events->partitions)
        QVERIFY2(p.endOffset == 10 && p.startOffset == 0, qPrintable(offsetsLine(*events)));
}

void TestKafkaLag::reportsLogStartPastTheCommittedOffset()
{
    KafkaLagReader reader(profile(), Timeout);
    auto observation = reader.poll({QStringLiteral("retention-lagger")});
    QVERIFY2(observation.ok(), qPrintable(observation.error().describe()));
    const TopicOffsets *topic = topicIn(observation.value(), QStringLiteral("lag-retention"));
    QVERIFY(topic);
    QCOMPARE(topic->partitions.size(), 1);
    const TopicPartitionOffsets &p = topic->partitions.at(0);
    const ObservedGroup *group = groupIn(observation.value(), QStringLiteral("retention-lagger"));
    QVERIFY(group);
    const qint64 committed = group->committed.value({QStringLiteral("lag-retention"), 0}, -1);
    QCOMPARE(committed, 0);
    QVERIFY2(p.endOffset == m_retentionEnd, qPrintable(offsetsLine(*topic)));
    // The mock dropped the oldest message sets: the committed offset is gone.
    QVERIFY2(p.startOffset > committed && p.startOffset < p.endOffset,
             qPrintable(offsetsLine(*topic)));
}

void TestKafkaLag::reportsPartitionWithoutLeader()
{
    const QString topic = QStringLiteral("leaderless");
    QVERIFY(m_mock->createTopic(topic, 3).ok());
    QVERIFY(produceCounts(m_mock->bootstrapServers(), topic, {3, 4, 5}));
    QCOMPARE(rd_kafka_mock_partition_set_leader(m_mock->handle(), "leaderless", 1, -1),
             RD_KAFKA_RESP_ERR_NO_ERROR);

    KafkaLagReader reader(profile(), Timeout);
    QElapsedTimer clock;
    clock.start();
    auto observation = reader.poll({});
    const qint64 elapsed = clock.elapsed();
    // A leader again (any broker) before any check, so a failure leaves the cluster whole.
    QCOMPARE(rd_kafka_mock_partition_set_leader(m_mock->handle(), "leaderless", 1, 1),
             RD_KAFKA_RESP_ERR_NO_ERROR);
    QVERIFY2(observation.ok(), qPrintable(observation.error().describe()));
    // Not waited for: a partition without a leader is known from the metadata.
    QVERIFY2(elapsed < 3000, qPrintable(QString::number(elapsed)));
    const TopicOffsets *offsets = topicIn(observation.value(), topic);
    QVERIFY(offsets);
    QVERIFY2(offsets->partitions.size() == 3 && offsets->partitions[1].leader == -1
                 && offsets->partitions[1].startOffset == -1
                 && offsets->partitions[1].endOffset == -1,
             qPrintable(offsetsLine(*offsets)));
    QVERIFY2(offsets->partitions[0].leader >= 0 && offsets->partitions[0].endOffset == 3
                 && offsets->partitions[2].leader >= 0 && offsets->partitions[2].endOffset == 5,
             qPrintable(offsetsLine(*offsets)));
}

void TestKafkaLag::failedOffsetFetchFailsOnlyItsGroup()
{
    const QString topic = QStringLiteral("guarded");
    QVERIFY(m_mock->createTopic(topic, 2).ok());
    QVERIFY(produceCounts(m_mock->bootstrapServers(), topic, {4, 4}));
    const QStringList groups {QStringLiteral("guarded-a"), QStringLiteral("guarded-b")};
    for (const QString &group : groups)
        QVERIFY(commitDirectly(m_mock->bootstrapServers(), group, {{topic, 0, 3}}));

    KafkaLagReader reader(profile(), Timeout);
    QVERIFY(reader.poll(groups).ok()); // learns how to ask: one OffsetFetch per group next
    // The next OffsetFetch the brokers receive, whichever group's, is refused.
    constexpr int16_t OffsetFetchApiKey = 9;
    rd_kafka_mock_push_request_errors(m_mock->handle(), OffsetFetchApiKey, 1,
                                      RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED);
    auto observation = reader.poll(groups);
    QVERIFY2(observation.ok(), qPrintable(observation.error().describe()));
    QCOMPARE(observation->groups.size(), 2);
    int failed = 0;
    for (const ObservedGroup &group : observation->groups) {
        if (group.error.isEmpty()) {
            QVERIFY2(group.committed.value({topic, 0}, -1) == 3,
                     qPrintable(group.group + QLatin1Char(' ') + describe(group.committed)));
            continue;
        }
        ++failed;
        QVERIFY2(group.error.startsWith(QLatin1String("OffsetFetch failed"))
                     && group.error.contains(QLatin1String("authoriz"), Qt::CaseInsensitive),
                 qPrintable(group.error));
        QVERIFY2(group.committed.isEmpty(), qPrintable(describe(group.committed)));
    }
    QCOMPARE(failed, 1);
    // Offsets of the topics are still there for everyone.
    const TopicOffsets *offsets = topicIn(observation.value(), topic);
    QVERIFY(offsets);
    QVERIFY2(offsets->partitions[0].endOffset == 4, qPrintable(offsetsLine(*offsets)));
}

void TestKafkaLag::namesManyPartitionsInChunks()
{
    // 1,100 partitions named: three OffsetFetch of at most 500, and nothing lost at the
    // chunks' edges.
    test::CountingMockCluster mock;
    QVERIFY2(mock.ok(), qPrintable(mock.error()));
    QCOMPARE(rd_kafka_mock_topic_create(mock.handle(), "wide", 1100, 1),
             RD_KAFKA_RESP_ERR_NO_ERROR);
    QVERIFY(produceRecords(mock.bootstrap(), QStringLiteral("wide"),
                           {{0, 5}, {499, 5}, {500, 5}, {1099, 5}}, 1'700'000'000'000));
    const QString group = QStringLiteral("wide-group");
    QVERIFY(commitDirectly(mock.bootstrap(), group,
                           {{QStringLiteral("wide"), 0, 1},
                            {QStringLiteral("wide"), 499, 2},
                            {QStringLiteral("wide"), 500, 3},
                            {QStringLiteral("wide"), 1099, 4}}));
    KafkaLagReader reader(test::kafkaProfile(QStringLiteral("wide"), mock.bootstrap(), {group}),
                          Timeout);
    QVERIFY(reader.poll().ok()); // learns that the mock needs partitions named
    mock.reset();
    auto warm = reader.poll();
    QVERIFY2(warm.ok(), qPrintable(warm.error().describe()));
    QCOMPARE(warm->groups.size(), 1);
    const auto &committed = warm->groups[0].committed;
    QCOMPARE(committed.size(), 4);
    QCOMPARE(committed.value({QStringLiteral("wide"), 0}), 1);
    QCOMPARE(committed.value({QStringLiteral("wide"), 499}), 2);
    QCOMPARE(committed.value({QStringLiteral("wide"), 500}), 3);
    QCOMPARE(committed.value({QStringLiteral("wide"), 1099}), 4);
    QCOMPARE(mock.total(QStringLiteral("OffsetFetch")), 3);
    QCOMPARE(warm->requests.offsetFetch, 3);
}

void TestKafkaLag::batchesRequestsByLeaderAndGroup()
{
    test::CountingMockCluster mock;
    QVERIFY2(mock.ok(), qPrintable(mock.error()));
    constexpr int Topics = 4;
    constexpr int Partitions = 12;
    constexpr int Groups = 6;
    QList<Commit> everywhere;
    for (int t = 0; t < Topics; ++t) {
        const QString topic = QStringLiteral("batch-%1").arg(t);
        QCOMPARE(
            rd_kafka_mock_topic_create(mock.handle(), topic.toUtf8().constData(), Partitions, 1),
            RD_KAFKA_RESP_ERR_NO_ERROR);
        QMap<int, int> counts;
        for (int p = 0; p < Partitions; ++p) {
            counts.insert(p, 2 + p);
            everywhere.append({topic, p, 1});
        }
        QVERIFY(produceRecords(mock.bootstrap(), topic, counts, 1'700'000'000'000));
    }
    QStringList groups;
    for (int g = 0; g < Groups; ++g) {
        groups << QStringLiteral("batch-group-%1").arg(g);
        QVERIFY(commitDirectly(mock.bootstrap(), groups.last(), everywhere));
    }

    KafkaLagReader reader(test::kafkaProfile(QStringLiteral("counted"), mock.bootstrap(), groups),
                          Timeout);
    mock.reset();
    auto cold = reader.poll();
    QVERIFY2(cold.ok(), qPrintable(cold.error().describe()));
    const QString coldCounts = countsLine(mock);

    // A warm poll, as every 2 s: connections and coordinators are known.
    mock.reset();
    auto warm = reader.poll();
    QVERIFY2(warm.ok(), qPrintable(warm.error().describe()));
    qInfo("%d partitions, %d groups; cold poll received: %s; warm poll received: %s",
          Topics * Partitions, Groups, qPrintable(coldCounts), qPrintable(countsLine(mock)));

    QSet<int> leaders;
    for (const TopicOffsets &topic : warm->topics)
        for (const TopicPartitionOffsets &p : topic.partitions)
            leaders.insert(p.leader);
    QCOMPARE(leaders.size(), 3);
    // One ListOffsets per leader for each kind (earliest, latest): 6, not 2 x 48.
    const QMap<int, int> listOffsets = mock.received(QStringLiteral("ListOffsets"));
    QVERIFY2(listOffsets.size() == 3, qPrintable(countsLine(mock)));
    for (auto it = listOffsets.cbegin(); it != listOffsets.cend(); ++it)
        QVERIFY2(it.value() == 2,
                 qPrintable(
                     QStringLiteral("broker %1 got %2 ListOffsets").arg(it.key()).arg(it.value())));
    QCOMPARE(mock.total(QStringLiteral("OffsetFetch")), Groups);
    QCOMPARE(mock.total(QStringLiteral("Metadata")), 1);
    QCOMPARE(mock.total(QStringLiteral("Fetch")), 0);
    // What the reader says it sent is what the brokers received.
    QCOMPARE(warm->requests.listOffsets, mock.total(QStringLiteral("ListOffsets")));
    QCOMPARE(warm->requests.offsetFetch, mock.total(QStringLiteral("OffsetFetch")));
    QCOMPARE(warm->requests.metadata, mock.total(QStringLiteral("Metadata")));
    // The cold poll sends the same batched requests (plus connection set-up), and asks
    // each group twice: for "all" its offsets, which the mock answers with nothing, then
    // by partition.
    QVERIFY2(coldCounts.contains(QLatin1String("ListOffsets=6"))
                 && coldCounts.contains(QStringLiteral("OffsetFetch=%1").arg(2 * Groups)),
             qPrintable(coldCounts));
    QCOMPARE(cold->requests.offsetFetch, 2 * Groups);

    // Every figure still exact at this size.
    for (const ObservedGroup &group : warm->groups)
        QVERIFY2(group.committed == offsetsOf(everywhere) && group.error.isEmpty(),
                 qPrintable(group.group + QLatin1Char(' ') + group.error));
    for (const TopicOffsets &topic : warm->topics)
        for (const TopicPartitionOffsets &p : topic.partitions)
            QVERIFY2(p.startOffset == 0 && p.endOffset == 2 + p.partition,
                     qPrintable(offsetsLine(topic)));

    // The time-lag fallback's reads: one assignment, Fetch requests per leader, not per
    // partition; the reader's estimate is compared with what the brokers received.
    QList<OffsetTimestampRequest> wanted;
    for (int t = 0; t < Topics; ++t)
        for (int p = 0; p < Partitions; ++p)
            wanted.append({{QStringLiteral("batch-%1").arg(t), p}, 1});
    mock.reset();
    const auto read = reader.readTimestamps(wanted, 5s);
    const int fetches = mock.total(QStringLiteral("Fetch"));
    qInfo("timestamps of %lld partitions: %lld found, %d Fetch requests received, %d estimated",
          qlonglong(wanted.size()), qlonglong(read.found.size()), fetches, read.fetchRequests);
    QCOMPARE(read.found.size(), wanted.size());
    for (const auto &found : read.found)
        QVERIFY2(found.offset == 1
                     && found.timestampMs
                         == 1'700'000'000'000 + found.partition.partition * 1000 + 1,
                 qPrintable(found.partition.toString()));
    QVERIFY2(fetches >= 1 && fetches < Topics * Partitions / 2, qPrintable(countsLine(mock)));
    // The estimate (two per leader) is the order of magnitude: librdkafka fetches again
    // while partitions become ready, a few times more per leader on a loaded machine
    // (CI measured 13 for 6 under sanitizers), never once per partition.
    QVERIFY2(fetches <= 3 * read.fetchRequests,
             qPrintable(
                 QStringLiteral("estimated %1, received %2").arg(read.fetchRequests).arg(fetches)));
}

void TestKafkaLag::unreachableClusterFailsWithinTimeout()
{
    const QString dead = test::deadEndpoint();
    KafkaLagReader reader(test::kafkaProfile(QStringLiteral("gone"), dead), 3s);
    QElapsedTimer clock;
    clock.start();
    auto observation = reader.poll();
    const qint64 elapsed = clock.elapsed();
    QVERIFY(!observation.ok());
    QVERIFY2(elapsed < 6000, qPrintable(QString::number(elapsed)));
    const BrokerError &error = observation.error();
    QVERIFY2(error.kind == BrokerError::Kind::Unreachable
                 || error.kind == BrokerError::Kind::Timeout,
             qPrintable(error.kindName()));
    QVERIFY2(error.message.startsWith(QLatin1String("gone: ")) && error.message.contains(dead),
             qPrintable(error.describe()));
    QVERIFY2(!error.hint.isEmpty(), qPrintable(error.describe()));
}

void TestKafkaLag::readsMessageTimestampsAtOffsets()
{
    const QString topic = QStringLiteral("stamped");
    constexpr qint64 Base = 1'650'000'000'000;
    QVERIFY(m_mock->createTopic(topic, 3).ok());
    QVERIFY(produceRecords(m_mock->bootstrapServers(), topic, {{0, 5}, {1, 5}, {2, 5}}, Base));

    KafkaLagReader reader(profile(), Timeout);
    QVERIFY(reader.poll({}).ok()); // learns the leaders, as the poller does before reading
    // On a handle created for the occasion. A budget with room for a loaded machine (CI
    // under the sanitizers once ran out of the default 1 s): how fast it is, is the bench's.
    const auto budget = std::chrono::milliseconds(Timeout);
    const auto read = reader.readTimestamps({{{topic, 0}, 2},
                                             {{topic, 0}, 4}, // a second ask: ignored
                                             {{topic, 1}, 4},
                                             {{topic, 2}, 50}}, // past the end: nothing
                                            budget);
    QHash<TopicPartition, QPair<qint64, qint64>> found;
    for (const auto &f : read.found)
        found.insert(f.partition, {f.offset, f.timestampMs});
    QCOMPARE(found.size(), 2);
    QCOMPARE(found.value({topic, 0}), qMakePair(qint64(2), Base + 2));
    QCOMPARE(found.value({topic, 1}), qMakePair(qint64(4), Base + 1000 + 4));
    QVERIFY(read.fetchRequests >= 1);

    // Again on the same handle: the first read's bookkeeping (pauses, fetch backoffs) does
    // not hold this one up, and the offset at the end answers nothing without waiting out
    // the budget.
    const auto secondBudget = 3 * budget;
    QElapsedTimer clock;
    clock.start();
    const auto second = reader.readTimestamps({{{topic, 0}, 3}, {{topic, 2}, 5}}, secondBudget);
    QVERIFY2(clock.elapsed() < secondBudget.count(), qPrintable(QString::number(clock.elapsed())));
    QCOMPARE(second.found.size(), 1);
    QCOMPARE(second.found.at(0).partition, (TopicPartition {topic, 0}));
    QCOMPARE(second.found.at(0).timestampMs, Base + 3);
}

void TestKafkaLag::pollerJudgesLagFlagsAndVerdicts()
{
    const QString bootstrap = m_mock->bootstrapServers();
    const QString topic = QStringLiteral("judged");
    QVERIFY(m_mock->createTopic(topic, 2).ok());
    QVERIFY(produceCounts(bootstrap, topic, {100, 10}));
    QVERIFY(commitDirectly(bootstrap, QStringLiteral("rewinder"), {{topic, 0, 50}}));

    KafkaLagPoller poller(profile(), LagSettings {}, Timeout);
    const QStringList groups {QStringLiteral("rewinder"), QStringLiteral("retention-lagger")};
    auto first = poller.poll(groups);
    QVERIFY2(first.ok(), qPrintable(first.error().describe()));
    const PartitionLag *p0 = partitionIn(first.value(), QStringLiteral("rewinder"), topic, 0);
    const PartitionLag *p1 = partitionIn(first.value(), QStringLiteral("rewinder"), topic, 1);
    QVERIFY(p0 && p1);
    QVERIFY2(p0->lag == 50 && p0->committed == 50 && p0->endOffset == 100,
             qPrintable(p0->verdictReason));
    QVERIFY2(!p1->committed && !p1->lag && (p1->flags & NoCommittedOffset),
             qPrintable(lagFlagNames(p1->flags).join(QLatin1Char(','))));
    QVERIFY(lagFlagNames(p1->flags).contains(QStringLiteral("no_offset")));
    QCOMPARE(p1->verdict, LagVerdict::NoOffset);

    const PartitionLag *lost = partitionIn(first.value(), QStringLiteral("retention-lagger"),
                                           QStringLiteral("lag-retention"), 0);
    QVERIFY(lost);
    QVERIFY2(lost->committed == 0 && lost->startOffset > 0 && lost->lag == m_retentionEnd,
             qPrintable(lost->verdictReason));
    QVERIFY2(lagFlagNames(lost->flags).contains(QStringLiteral("out_of_range")),
             qPrintable(lagFlagNames(lost->flags).join(QLatin1Char(','))));
    QVERIFY2(lost->verdict == LagVerdict::OutOfRange, qPrintable(lagVerdictName(lost->verdict)));
    const GroupLag *lagger = first->group(QStringLiteral("retention-lagger"));
    QVERIFY(lagger);
    QCOMPARE(lagger->verdict, LagVerdict::OutOfRange);

    QVERIFY(commitDirectly(bootstrap, QStringLiteral("rewinder"), {{topic, 0, 20}}));
    auto second = poller.poll(groups);
    QVERIFY2(second.ok(), qPrintable(second.error().describe()));
    p0 = partitionIn(second.value(), QStringLiteral("rewinder"), topic, 0);
    QVERIFY(p0);
    QVERIFY2(p0->lag == 80 && p0->committed == 20, qPrintable(p0->verdictReason));
    QVERIFY2(p0->verdict == LagVerdict::Rewind,
             qPrintable(lagVerdictName(p0->verdict) + QStringLiteral(": ") + p0->verdictReason));
    const GroupLag *rewinder = second->group(QStringLiteral("rewinder"));
    QVERIFY(rewinder);
    QCOMPARE(rewinder->verdict, LagVerdict::Rewind);
    QCOMPARE(rewinder->totalLag, 80);
}

void TestKafkaLag::sessionPollsOffTheGuiThreadOneAtATime()
{
    // Slow brokers (400 ms a response) make each poll take well over its 300 ms
    // interval: the GUI thread must keep ticking, and the polls must follow one another.
    auto mock = test::startMockKafka({QStringLiteral("slow")}, 2);
    QVERIFY2(mock.ok(), qPrintable(mock.error().describe()));
    ClusterProfile profile
        = test::kafkaProfile(QStringLiteral("slow-kafka"), mock.value()->bootstrapServers(),
                             {QStringLiteral("slow-group")});
    QVERIFY(test::produceCounts(profile, QStringLiteral("slow"), {30, 10}).ok());
    QVERIFY(test::commitOffsets(profile, QStringLiteral("slow-group"), QStringLiteral("slow"),
                                {{0, 25}, {1, 10}})
                .ok());
    for (int broker = 1; broker <= 3; ++broker)
        QVERIFY(mock.value()->setBrokerRtt(broker, 400).ok());
    profile.lag.interval = std::chrono::milliseconds(300);

    SessionManager sessions;
    QSignalSpy snapshots(&sessions, &SessionManager::lagSnapshotAvailable);
    QElapsedTimer sinceTick;
    qint64 longestGapMs = 0;
    QTimer ticker;
    ticker.setInterval(10);
    connect(&ticker, &QTimer::timeout, this,
            [&] { longestGapMs = std::max(longestGapMs, sinceTick.restart()); });
    sinceTick.start();
    ticker.start();
    sessions.open({profile});
    QTRY_VERIFY_WITH_TIMEOUT(snapshots.size() >= 3, 60000);
    ticker.stop();
    sessions.closeAll();

    qInfo("GUI thread's longest gap between 10 ms ticks: %lld ms", longestGapMs);
    QVERIFY2(longestGapMs < 250,
             qPrintable(QStringLiteral("the GUI thread stalled %1 ms").arg(longestGapMs)));
    QList<LagSnapshot> polls;
    for (const auto &args : std::as_const(snapshots))
        polls.append(args.first().value<LagSnapshot>());
    for (qsizetype i = 1; i < polls.size(); ++i) {
        const qint64 apart = polls[i - 1].polledAt.msecsTo(polls[i].polledAt);
        qInfo("poll %lld: %lld ms, %lld ms after the previous one", qint64(i), polls[i].pollMs,
              apart);
        QVERIFY2(polls[i].pollMs >= 400, qPrintable(QString::number(polls[i].pollMs)));
        // Overlapping polls would land 300 ms apart; one after another, a whole poll apart.
        QVERIFY2(
            apart >= polls[i].pollMs && apart >= 300,
            qPrintable(
                QStringLiteral("polls %1 ms apart, each %2 ms").arg(apart).arg(polls[i].pollMs)));
    }
    const GroupLag *group = polls.last().group(QStringLiteral("slow-group"));
    QVERIFY(group);
    QCOMPARE(group->totalLag, 5);
}

QTEST_GUILESS_MAIN(TestKafkaLag)
#include "tst_kafkalag.moc"
