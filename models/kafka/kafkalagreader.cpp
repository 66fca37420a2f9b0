#include "kafkalagreader.h"

#include "kafkaadmin.h"
#include "kafkagrouplister.h"
#include "kafkahandle.h"
#include "kafkatopiclayout.h"

#include <QDeadlineTimer>
#include <QSet>

#include <algorithm>
#include <future>
#include <vector>

namespace veltrix {

using namespace kafka;

namespace {

QString errorText(const rd_kafka_error_t *error)
{
    return QString::fromUtf8(rd_kafka_error_string(error));
}

QString partitionName(const rd_kafka_topic_partition_t &p)
{
    return TopicPartition {QString::fromUtf8(p.topic), p.partition}.toString();
}

// ---- DescribeConsumerGroups + OffsetFetch, in flight together -------------------------

struct Membership
{
    bool known = false;
    QString state;
    QList<ObservedMember> members;
};

struct GroupAnswers
{
    QHash<QString, Membership> membership;
    QString membershipNote;
    QHash<QString, ObservedGroup> offsets; // committed + error, by group
    bool offsetsAsked = false; // false: no partition to ask about
};

ObservedMember memberFrom(const rd_kafka_MemberDescription_t *m)
{
    ObservedMember member;
    member.clientId = QString::fromUtf8(rd_kafka_MemberDescription_client_id(m));
    member.host = QString::fromUtf8(rd_kafka_MemberDescription_host(m));
    const rd_kafka_MemberAssignment_t *assignment = rd_kafka_MemberDescription_assignment(m);
    const rd_kafka_topic_partition_list_t *partitions
        = assignment ? rd_kafka_MemberAssignment_partitions(assignment) : nullptr;
    for (int i = 0; partitions && i < partitions->cnt; ++i)
        member.assignment.append(
            {QString::fromUtf8(partitions->elems[i].topic), partitions->elems[i].partition});
    return member;
}

void takeDescription(rd_kafka_event_t *event, GroupAnswers &answers)
{
    if (rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        answers.membershipNote
            = QStringLiteral("DescribeConsumerGroups failed: %1; group states "
                             "and members are unknown")
                  .arg(QString::fromUtf8(rd_kafka_err2str(rd_kafka_event_error(event))));
        return;
    }
    size_t count = 0;
    const auto **groups = rd_kafka_DescribeConsumerGroups_result_groups(
        rd_kafka_event_DescribeConsumerGroups_result(event), &count);
    int failed = 0;
    QString firstError;
    for (size_t i = 0; i < count; ++i) {
        const QString name
            = QString::fromUtf8(rd_kafka_ConsumerGroupDescription_group_id(groups[i]));
        if (const rd_kafka_error_t *error = rd_kafka_ConsumerGroupDescription_error(groups[i])) {
            if (failed++ == 0)
                firstError = QStringLiteral("%1: %2").arg(name, errorText(error));
            continue;
        }
        Membership membership;
        membership.known = true;
        membership.state = QString::fromUtf8(
            rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupDescription_state(groups[i])));
        const size_t members = rd_kafka_ConsumerGroupDescription_member_count(groups[i]);
        for (size_t m = 0; m < members; ++m)
            membership.members.append(
                memberFrom(rd_kafka_ConsumerGroupDescription_member(groups[i], m)));
        answers.membership.insert(name, std::move(membership));
    }
    if (failed > 0)
        answers.membershipNote
            = QStringLiteral("DescribeConsumerGroups failed for %1 group(s) (%2); their states "
                             "and members are unknown")
                  .arg(failed)
                  .arg(firstError);
}

// groupName: whose call this answers (the event's opaque), as a failed call may carry
// no group result to say it.
void takeOffsets(rd_kafka_event_t *event, const QString &groupName, GroupAnswers &answers)
{
    ObservedGroup &group = answers.offsets[groupName];
    group.group = groupName;
    if (rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        // The code's words: the event's string wraps them in librdkafka's internals.
        group.error = QStringLiteral("OffsetFetch failed: %1")
                          .arg(QString::fromUtf8(rd_kafka_err2str(rd_kafka_event_error(event))));
        return;
    }
    size_t count = 0;
    const auto **results = rd_kafka_ListConsumerGroupOffsets_result_groups(
        rd_kafka_event_ListConsumerGroupOffsets_result(event), &count);
    if (count == 0) {
        group.error = QStringLiteral("OffsetFetch answered without the group");
        return;
    }
    const rd_kafka_group_result_t *result = results[0]; // one group per call
    if (const rd_kafka_error_t *error = rd_kafka_group_result_error(result)) {
        group.error = QStringLiteral("OffsetFetch failed: %1").arg(errorText(error));
        return;
    }
    const rd_kafka_topic_partition_list_t *partitions = rd_kafka_group_result_partitions(result);
    int failed = 0;
    QString firstError;
    for (int i = 0; partitions && i < partitions->cnt; ++i) {
        const rd_kafka_topic_partition_t &p = partitions->elems[i];
        if (p.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            if (failed++ == 0)
                firstError = QStringLiteral("%1: %2").arg(
                    partitionName(p), QString::fromUtf8(rd_kafka_err2str(p.err)));
            continue;
        }
        // The broker answers -1 (RD_KAFKA_OFFSET_INVALID) for partitions without a commit.
        if (p.offset >= 0)
            group.committed.insert({QString::fromUtf8(p.topic), p.partition}, p.offset);
    }
    if (failed > 0)
        group.error = QStringLiteral("OffsetFetch failed for %1 partition(s) (%2)")
                          .arg(failed)
                          .arg(firstError);
}

// librdkafka 2.0.2 matches an OffsetFetch answer to its request partition by partition
// in O(n²): 8 ms of its main thread per group at 2,000 named partitions. Named requests
// therefore go in chunks of this many partitions (one request per group and chunk);
// asking for "all", as real brokers allow, is a single request per group.
constexpr int NamedPartitionsPerOffsetFetch = 500;

// nullptr (ask for all) stays one nullptr "chunk".
std::vector<PartitionListPtr> chunksOf(const rd_kafka_topic_partition_list_t *partitions)
{
    std::vector<PartitionListPtr> chunks;
    if (!partitions) {
        chunks.emplace_back(nullptr);
        return chunks;
    }
    for (int start = 0; start < partitions->cnt; start += NamedPartitionsPerOffsetFetch) {
        const int end = std::min(partitions->cnt, start + NamedPartitionsPerOffsetFetch);
        PartitionListPtr chunk(rd_kafka_topic_partition_list_new(end - start));
        for (int i = start; i < end; ++i)
            rd_kafka_topic_partition_list_add(chunk.get(), partitions->elems[i].topic,
                                              partitions->elems[i].partition);
        chunks.push_back(std::move(chunk));
    }
    return chunks;
}

// Sends one DescribeConsumerGroups call (when wanted) and one ListConsumerGroupOffsets per
// group and chunk of named partitions (librdkafka takes one group per call, and one OffsetFetch per
// group is what Kafka's protocol allows before KIP-709) onto one queue, and collects them as they
// come. partitions: those to ask for; nullptr asks for all the group has committed.
GroupAnswers askGroups(rd_kafka_t *rk, const QStringList &groups, bool describe, bool fetchOffsets,
                       const rd_kafka_topic_partition_list_t *partitions,
                       std::chrono::milliseconds timeout)
{
    GroupAnswers answers;
    const QueuePtr queue(rd_kafka_queue_new(rk));
    int outstanding = 0;

    QList<QByteArray> names; // keeps the C strings alive for the call
    for (const QString &group : groups)
        names.append(group.toUtf8());
    if (describe && !names.isEmpty()) {
        QList<const char *> raw;
        for (const QByteArray &name : std::as_const(names))
            raw.append(name.constData());
        const OptionsPtr options
            = adminOptions(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS, timeout);
        rd_kafka_DescribeConsumerGroups(rk, raw.data(), static_cast<size_t>(raw.size()),
                                        options.get(), queue.get());
        ++outstanding;
    }
    if (fetchOffsets) {
        const std::vector<PartitionListPtr> chunks = chunksOf(partitions);
        for (qsizetype i = 0; i < names.size(); ++i) {
            for (const PartitionListPtr &chunk : chunks) {
                const OptionsPtr options
                    = adminOptions(rk, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS, timeout);
                // The event's opaque: 1 + the group's index (0 would read as "none").
                rd_kafka_AdminOptions_set_opaque(options.get(), reinterpret_cast<void *>(i + 1));
                rd_kafka_ListConsumerGroupOffsets_t *request
                    = rd_kafka_ListConsumerGroupOffsets_new(names[i].constData(), chunk.get());
                rd_kafka_ListConsumerGroupOffsets(rk, &request, 1, options.get(), queue.get());
                rd_kafka_ListConsumerGroupOffsets_destroy(request);
                ++outstanding;
            }
        }
    }

    bool describeAnswered = !describe || names.isEmpty();
    const QDeadlineTimer deadline(timeout + AdminGrace);
    while (outstanding > 0 && !deadline.hasExpired()) {
        const EventPtr event(
            rd_kafka_queue_poll(queue.get(), static_cast<int>(deadline.remainingTime())));
        if (!event)
            break;
        switch (rd_kafka_event_type(event.get())) {
        case RD_KAFKA_EVENT_DESCRIBECONSUMERGROUPS_RESULT:
            takeDescription(event.get(), answers);
            describeAnswered = true;
            --outstanding;
            break;
        case RD_KAFKA_EVENT_LISTCONSUMERGROUPOFFSETS_RESULT: {
            const auto index = reinterpret_cast<qsizetype>(rd_kafka_event_opaque(event.get())) - 1;
            if (index >= 0 && index < groups.size())
                takeOffsets(event.get(), groups[index], answers);
            --outstanding;
            break;
        }
        default:
            break;
        }
    }
    if (!describeAnswered)
        answers.membershipNote = QStringLiteral("DescribeConsumerGroups did not answer within "
                                                "%1 ms; group states and members are unknown")
                                     .arg(timeout.count());
    return answers;
}

int leaderCount(const QList<TopicOffsets> &topics)
{
    QSet<int> leaders;
    for (const TopicOffsets &topic : topics)
        for (const TopicPartitionOffsets &p : topic.partitions)
            if (p.leader >= 0)
                leaders.insert(p.leader);
    return static_cast<int>(leaders.size());
}

PartitionListPtr consumablePartitions(const QList<TopicOffsets> &topics)
{
    PartitionListPtr list(rd_kafka_topic_partition_list_new(0));
    for (const TopicOffsets &topic : topics) {
        if (topic.internal)
            continue;
        const QByteArray name = topic.name.toUtf8();
        for (const TopicPartitionOffsets &p : topic.partitions)
            rd_kafka_topic_partition_list_add(list.get(), name.constData(), p.partition);
    }
    return list;
}

} // namespace

// ---- The reader -----------------------------------------------------------------------

struct KafkaLagReader::Impl
{
    ClusterProfile profile;
    std::chrono::milliseconds timeout;
    std::unique_ptr<KafkaHandle> admin; // metadata, admin APIs, ListOffsets
    std::unique_ptr<KafkaHandle> fetcher; // reads messages at committed offsets
    // Learned from ListConsumerGroups, once per admin handle. librdkafka 2.0.2 deadlocks
    // its main thread (and then rd_kafka_destroy) when DescribeConsumerGroups meets a
    // broker without DescribeGroups, so it is only called once the brokers have listed
    // groups: both requests date from Kafka 0.9, a broker has both or neither.
    GroupApis groupApis = GroupApis::Unknown;
    // How OffsetFetch names partitions, learned from the first answers (see readGroups).
    enum class OffsetScope { Unknown, All, Named } offsetScope = OffsetScope::Unknown;
    QHash<TopicPartition, int> leaders; // of the last poll, for readTimestamps' estimate

    Result<KafkaHandle *> adminHandle();
    GroupAnswers readGroups(rd_kafka_t *rk, const QStringList &names, bool describe,
                            const QList<TopicOffsets> &topics, LagRequestCounts &requests);
    Result<KafkaHandle *> fetcherHandle();
};

Result<KafkaHandle *> KafkaLagReader::Impl::adminHandle()
{
    if (!admin) {
        // One OffsetFetch per group goes out at once, several to the same coordinator:
        // without TCP_NODELAY each small request would wait for the previous one's ACK.
        auto created = KafkaHandle::create(
            profile, RD_KAFKA_PRODUCER,
            {{QStringLiteral("socket.nagle.disable"), QStringLiteral("true")}});
        if (!created)
            return created.error();
        admin = std::move(created).value();
    }
    return admin.get();
}

Result<KafkaHandle *> KafkaLagReader::Impl::fetcherHandle()
{
    if (!fetcher) {
        // A group id is required by rd_kafka_assign, but the handle never subscribes,
        // joins or commits: it reads at the offsets it is told, nothing else.
        auto created = KafkaHandle::create(
            profile, RD_KAFKA_CONSUMER,
            {{QStringLiteral("group.id"), QStringLiteral("veltrix-console-lag-timestamps")},
             {QStringLiteral("enable.auto.commit"), QStringLiteral("false")},
             {QStringLiteral("enable.auto.offset.store"), QStringLiteral("false")},
             {QStringLiteral("enable.partition.eof"), QStringLiteral("true")},
             // An offset past the end or before the start yields an error, never some
             // other message's timestamp.
             {QStringLiteral("auto.offset.reset"), QStringLiteral("error")},
             // One message per partition is wanted: small fetches (a partition is paused
             // once it gave one). The prefetch queue limits stay at their defaults: a
             // partition over them backs off 1 s in librdkafka 2.0.2, and the backoff
             // outlives the assignment, delaying the next read.
             {QStringLiteral("fetch.message.max.bytes"), QStringLiteral("65536")},
             {QStringLiteral("fetch.wait.max.ms"), QStringLiteral("100")},
             {QStringLiteral("fetch.error.backoff.ms"), QStringLiteral("100")}});
        if (!created)
            return created.error();
        fetcher = std::move(created).value();
    }
    return fetcher.get();
}

// Committed offsets (and, alongside, the groups' descriptions). Kafka answers an
// OffsetFetch without partitions with everything the group committed: cheap at any
// cluster size. The 2.0.2 mock answers it with nothing. Naming every partition works
// everywhere but costs librdkafka 2.0.2 O(partitions^2) per group to match the answer to
// the request (measured: 8 ms a group at 2,000 partitions, 28 ms at 4,000; minutes for a
// first poll of 100 groups on 20,000 partitions). So polls ask for "all" until some group
// answers with offsets; while every answer is empty they re-ask by name, and keep to
// naming once that finds what "all" did not. One OffsetFetch per group once learned
// (and per 500 named partitions: see NamedPartitionsPerOffsetFetch).
GroupAnswers KafkaLagReader::Impl::readGroups(rd_kafka_t *rk, const QStringList &names,
                                              bool describe, const QList<TopicOffsets> &topics,
                                              LagRequestCounts &requests)
{
    const PartitionListPtr named = consumablePartitions(topics);
    const bool byName = offsetScope == OffsetScope::Named;
    const bool fetch = !names.isEmpty() && !(byName && named->cnt == 0);
    GroupAnswers answers
        = askGroups(rk, names, describe, fetch, byName ? named.get() : nullptr, timeout);
    answers.offsetsAsked = fetch;
    const auto perGroup = [&named](bool namedRequest) {
        const int chunks
            = (named->cnt + NamedPartitionsPerOffsetFetch - 1) / NamedPartitionsPerOffsetFetch;
        return namedRequest ? std::max(1, chunks) : 1;
    };
    if (fetch)
        requests.offsetFetch = static_cast<int>(names.size()) * perGroup(byName);
    if (describe && !names.isEmpty())
        requests.describeGroups = static_cast<int>(names.size()); // one request per group
    if (!fetch || offsetScope != OffsetScope::Unknown)
        return answers;

    // "All" works wherever it found something. When it found nothing anywhere, either no
    // group has committed or the brokers ignore "all": asking by name tells which.
    QStringList answeredEmpty;
    for (const QString &name : names) {
        const auto group = answers.offsets.constFind(name);
        if (group == answers.offsets.cend() || !group->error.isEmpty())
            continue;
        if (!group->committed.isEmpty()) {
            offsetScope = OffsetScope::All;
            return answers;
        }
        answeredEmpty << name;
    }
    if (answeredEmpty.isEmpty() || named->cnt == 0)
        return answers;
    GroupAnswers again = askGroups(rk, answeredEmpty, false, true, named.get(), timeout);
    requests.offsetFetch += static_cast<int>(answeredEmpty.size()) * perGroup(true);
    for (const QString &name : std::as_const(answeredEmpty)) {
        if (!again.offsets.contains(name)) {
            answers.offsets.remove(name); // reported as unanswered, not as empty
            continue;
        }
        ObservedGroup group = again.offsets.take(name);
        if (!group.committed.isEmpty())
            offsetScope = OffsetScope::Named; // "all" missed what naming found
        answers.offsets.insert(name, std::move(group));
    }
    return answers;
}

KafkaLagReader::KafkaLagReader(ClusterProfile profile, std::chrono::milliseconds timeout)
    : d(new Impl {
        std::move(profile), timeout, {}, {}, GroupApis::Unknown, Impl::OffsetScope::Unknown, {}})
{ }

KafkaLagReader::~KafkaLagReader() = default;

Result<LagObservation> KafkaLagReader::poll(const QStringList &groups)
{
    auto handle = d->adminHandle();
    if (!handle)
        return handle.error();
    KafkaHandle *kafka = handle.value();
    rd_kafka_t *rk = kafka->get();

    LagObservation observation;
    auto layout = readTopicLayout(kafka, d->timeout);
    if (!layout)
        return layout.error();
    observation.topics = std::move(layout).value();
    observation.requests.metadata = 1;
    d->leaders.clear();
    for (const TopicOffsets &topic : std::as_const(observation.topics))
        for (const TopicPartitionOffsets &p : topic.partitions)
            d->leaders.insert({topic.name, p.partition}, p.leader);

    // Which groups: the caller's, or the cluster's list (the profile's when it has none).
    QStringList names = groups;
    if (groups.isEmpty() || d->groupApis == GroupApis::Unknown) {
        ConsumerGroupListing listing = listConsumerGroups(rk, d->profile.groups, d->timeout);
        if (listing.apis != GroupApis::Unknown)
            d->groupApis = listing.apis;
        if (groups.isEmpty()) {
            names = listing.names();
            observation.groupsNote = std::move(listing.note);
        }
    }
    names.removeDuplicates();
    names.sort();

    const bool describe = d->groupApis == GroupApis::Supported;
    if (d->groupApis == GroupApis::Unsupported)
        observation.membershipNote
            = QStringLiteral("the brokers do not support the consumer-group APIs (ListGroups, "
                             "DescribeGroups); group states and members are unknown");
    else if (!describe)
        observation.membershipNote
            = QStringLiteral("group states and members are unknown: the brokers have not "
                             "answered ListConsumerGroups yet, so they were not described");

    GroupAnswers answers
        = d->readGroups(rk, names, describe, observation.topics, observation.requests);
    if (describe && !names.isEmpty())
        observation.membershipNote = answers.membershipNote;

    // Log offsets after the committed ones, so a busy consumer never looks ahead of the
    // log; both kinds in flight at once.
    auto ends = std::async(std::launch::async, listOffsets, rk, std::cref(observation.topics),
                           int64_t {RD_KAFKA_OFFSET_END}, d->timeout);
    const auto starts = listOffsets(rk, observation.topics, RD_KAFKA_OFFSET_BEGINNING, d->timeout);
    const auto endOffsets = ends.get();
    observation.at = QDateTime::currentDateTimeUtc();
    observation.requests.listOffsets = 2 * leaderCount(observation.topics);
    for (TopicOffsets &topic : observation.topics) {
        for (TopicPartitionOffsets &p : topic.partitions) {
            const TopicPartition key {topic.name, p.partition};
            p.startOffset = starts.value(key, -1);
            p.endOffset = endOffsets.value(key, -1);
        }
    }

    observation.groups.reserve(names.size());
    for (const QString &name : std::as_const(names)) {
        ObservedGroup group;
        if (answers.offsets.contains(name))
            group = answers.offsets.take(name);
        else if (answers.offsetsAsked)
            group.error
                = QStringLiteral("OffsetFetch did not answer within %1 ms").arg(d->timeout.count());
        group.group = name;
        const Membership membership = answers.membership.value(name);
        group.membershipKnown = membership.known;
        group.state = membership.state;
        group.members = membership.members;
        observation.groups.append(std::move(group));
    }
    return observation;
}

KafkaLagReader::TimestampRead
KafkaLagReader::readTimestamps(const QList<OffsetTimestampRequest> &wanted,
                               std::chrono::milliseconds budget)
{
    TimestampRead read;
    QHash<TopicPartition, qint64> pending; // partition -> the offset asked for
    PartitionListPtr assignment(rd_kafka_topic_partition_list_new(0));
    for (const OffsetTimestampRequest &request : wanted) {
        if (request.offset < 0 || pending.contains(request.partition))
            continue;
        pending.insert(request.partition, request.offset);
        rd_kafka_topic_partition_list_add(assignment.get(),
                                          request.partition.topic.toUtf8().constData(),
                                          request.partition.partition)
            ->offset
            = request.offset;
    }
    if (pending.isEmpty())
        return read;
    auto handle = d->fetcherHandle();
    if (!handle)
        return read; // nothing read: the time lag stays unknown, as the caller expects
    rd_kafka_t *rk = handle.value()->get();

    // An estimate: librdkafka's request counters come only with its statistics, on a
    // timer. Each leader broker's thread fetches all its assigned partitions in one
    // request, and the first answer usually settles every partition (a message or EOF);
    // the thread sends one more before the pauses land. tst_kafkalag compares it with what
    // the brokers received (48 partitions on 3 leaders: 6 estimated, 6 or 7 received).
    QSet<int> leaders;
    for (auto it = pending.cbegin(); it != pending.cend(); ++it)
        leaders.insert(d->leaders.value(it.key(), -1));
    leaders.remove(-1);
    read.fetchRequests = 2 * static_cast<int>(leaders.size());

    const QDeadlineTimer deadline(budget);
    if (rd_kafka_assign(rk, assignment.get()) != RD_KAFKA_RESP_ERR_NO_ERROR)
        return read;
    PartitionListPtr settled(rd_kafka_topic_partition_list_new(0));
    while (!pending.isEmpty() && !deadline.hasExpired()) {
        const int waitMs = static_cast<int>(std::clamp<qint64>(deadline.remainingTime(), 1, 100));
        std::unique_ptr<rd_kafka_message_t, void (*)(rd_kafka_message_t *)> message(
            rd_kafka_consumer_poll(rk, waitMs), rd_kafka_message_destroy);
        if (!message || !message->rkt)
            continue; // a client-wide error (a broker down): wait for the others or the budget
        const TopicPartition tp {QString::fromUtf8(rd_kafka_topic_name(message->rkt)),
                                 message->partition};
        const auto asked = pending.constFind(tp);
        if (asked == pending.cend())
            continue; // a second message of a settled partition, fetched in the same batch
        if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR && message->offset >= *asked) {
            const int64_t timestamp = rd_kafka_message_timestamp(message.get(), nullptr);
            if (timestamp >= 0)
                read.found.append({tp, *asked, timestamp});
        }
        // A message, the partition's end, or an error (offset out of range): either way
        // there is nothing more to learn from this partition now.
        pending.erase(asked);
        rd_kafka_topic_partition_list_t *one = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(one, rd_kafka_topic_name(message->rkt),
                                          message->partition);
        rd_kafka_pause_partitions(rk, one); // stop fetching it while the others finish
        rd_kafka_topic_partition_list_add(settled.get(), rd_kafka_topic_name(message->rkt),
                                          message->partition);
        rd_kafka_topic_partition_list_destroy(one);
    }
    // A pause outlives the assignment in librdkafka; lift it for the next read.
    if (settled->cnt > 0)
        rd_kafka_resume_partitions(rk, settled.get());
    rd_kafka_assign(rk, nullptr);
    rd_kafka_poll(rk, 0); // serves error callbacks queued meanwhile
    return read;
}

} // namespace veltrix
