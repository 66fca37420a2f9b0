#include "lagtracker.h"

#include <QSet>

#include <algorithm>

namespace veltrix {

namespace {

constexpr qint64 RateSpanMs = 30000;

// Who owns each partition of a group, when the broker said.
QHash<TopicPartition, const ObservedMember *> ownersOf(const ObservedGroup &group)
{
    QHash<TopicPartition, const ObservedMember *> owners;
    for (const ObservedMember &member : group.members)
        for (const TopicPartition &tp : member.assignment)
            owners.insert(tp, &member);
    return owners;
}

// The topics a group consumes: where it has committed something or owns a partition.
QStringList topicsOf(const ObservedGroup &group)
{
    QSet<QString> topics;
    for (auto it = group.committed.cbegin(); it != group.committed.cend(); ++it)
        topics.insert(it.key().topic);
    for (const ObservedMember &member : group.members)
        for (const TopicPartition &tp : member.assignment)
            topics.insert(tp.topic);
    QStringList sorted(topics.cbegin(), topics.cend());
    sorted.sort();
    return sorted;
}

unsigned flagsFor(const PartitionLag &p)
{
    unsigned flags = 0;
    if (!p.committed)
        flags |= NoCommittedOffset;
    if (p.committed && p.startOffset >= 0 && *p.committed < p.startOffset)
        flags |= OutOfRangeOffset;
    if (p.leader < 0)
        flags |= NoLeader;
    else if (p.endOffset < 0)
        flags |= OffsetsUnavailable;
    if (p.lag && *p.lag < 0)
        flags |= NegativeLag;
    return flags;
}

} // namespace

LagTracker::LagTracker(QString clusterName, LagSettings settings)
    : m_clusterName(std::move(clusterName))
    , m_settings(settings)
{ }

QList<OffsetTimestampRequest> LagTracker::timestampsWanted(const LagObservation &observation) const
{
    QHash<TopicPartition, const TopicPartitionOffsets *> offsetsOf;
    for (const TopicOffsets &topic : observation.topics)
        for (const TopicPartitionOffsets &p : topic.partitions)
            offsetsOf.insert({topic.name, p.partition}, &p);

    struct Candidate
    {
        OffsetTimestampRequest request;
        qint64 lag = 0;
    };
    QHash<TopicPartition, Candidate> byPartition; // one per partition: the largest lag
    for (const ObservedGroup &group : observation.groups) {
        for (auto it = group.committed.cbegin(); it != group.committed.cend(); ++it) {
            const TopicPartitionOffsets *offsets = offsetsOf.value(it.key());
            // Out of range: the message is gone, and a fetch there would only fail.
            if (!offsets || offsets->endOffset < 0 || it.value() < offsets->startOffset)
                continue;
            const qint64 lag = offsets->endOffset - it.value();
            if (lag <= 0)
                continue;
            if (m_messageTimestamps.value(it.key()).contains(it.value()))
                continue;
            // Once this poll's point is added the timeline can interpolate any offset at
            // or past its first end; only older ones need the message itself.
            const auto timeline = m_timelines.constFind(it.key());
            if (timeline != m_timelines.cend() && timeline->firstEndOffset()
                && it.value() >= *timeline->firstEndOffset())
                continue;
            auto &best = byPartition[it.key()];
            if (lag > best.lag)
                best = {{it.key(), it.value()}, lag};
        }
    }
    QList<Candidate> candidates = byPartition.values();
    std::sort(candidates.begin(), candidates.end(),
              [](const Candidate &a, const Candidate &b) { return a.lag > b.lag; });
    QList<OffsetTimestampRequest> wanted;
    wanted.reserve(candidates.size());
    for (const Candidate &c : candidates)
        wanted.append(c.request);
    return wanted;
}

void LagTracker::addMessageTimestamp(const TopicPartition &partition, qint64 offset,
                                     qint64 timestampMs)
{
    m_messageTimestamps[partition].insert(offset, timestampMs);
}

LagTracker::TimeLag LagTracker::timeLagOf(const TopicPartition &tp, qint64 committed, qint64 lag,
                                          qint64 nowMs) const
{
    if (lag <= 0)
        return {0.0, TimeLagSource::CaughtUp};
    const auto toSeconds
        = [nowMs](qint64 thenMs) { return std::max(0.0, double(nowMs - thenMs) / 1000.0); };
    const auto timeline = m_timelines.constFind(tp);
    if (timeline != m_timelines.cend())
        if (const auto appended = timeline->appendTimeMs(committed))
            return {toSeconds(*appended), TimeLagSource::Interpolated};
    const auto cached = m_messageTimestamps.constFind(tp);
    if (cached != m_messageTimestamps.cend()) {
        const auto ts = cached->constFind(committed);
        if (ts != cached->cend())
            return {toSeconds(*ts), TimeLagSource::MessageTimestamp};
    }
    return {std::nullopt, TimeLagSource::Unknown};
}

LagSnapshot LagTracker::update(const LagObservation &observation, qint64 pollMs)
{
    const qint64 nowMs = observation.at.toMSecsSinceEpoch();
    const qint64 windowMs = m_settings.window.count();

    LagSnapshot snapshot;
    snapshot.cluster = m_clusterName;
    snapshot.polledAt = observation.at;
    snapshot.pollMs = pollMs;
    snapshot.windowSeconds = double(windowMs) / 1000.0;
    snapshot.groupsNote = observation.groupsNote;
    snapshot.membershipNote = observation.membershipNote;
    snapshot.requests = observation.requests;

    // Log-end histories: one per partition, shared by every group reading it.
    QHash<QString, const TopicOffsets *> topicByName;
    QSet<TopicPartition> seen;
    snapshot.topics = observation.topics;
    std::sort(snapshot.topics.begin(), snapshot.topics.end(),
              [](const TopicOffsets &a, const TopicOffsets &b) { return a.name < b.name; });
    for (TopicOffsets &topic : snapshot.topics) {
        double rate = 0;
        bool rateKnown = false;
        for (const TopicPartitionOffsets &p : topic.partitions) {
            const TopicPartition tp {topic.name, p.partition};
            OffsetTimeline &timeline = m_timelines[tp];
            timeline.add(nowMs, p.endOffset);
            if (const auto r = timeline.messagesPerSecond(RateSpanMs)) {
                rate += *r;
                rateKnown = true;
            }
            seen.insert(tp);
        }
        if (rateKnown)
            topic.messagesPerSecond = rate;
    }
    for (const TopicOffsets &topic : std::as_const(snapshot.topics))
        topicByName.insert(topic.name, &topic);
    m_timelines.removeIf([&](const auto &it) { return !seen.contains(it.key()); });

    QSet<GroupPartitionKey> liveWindows;
    QHash<TopicPartition, QSet<qint64>> committedInUse;
    for (const ObservedGroup &observed : observation.groups) {
        GroupLag group;
        group.group = observed.group;
        group.state = observed.state;
        group.memberCount = observed.membershipKnown ? int(observed.members.size()) : -1;
        group.error = observed.error;
        group.topics = topicsOf(observed);
        const auto owners = ownersOf(observed);

        for (const QString &topicName : std::as_const(group.topics)) {
            const TopicOffsets *topic = topicByName.value(topicName);
            if (!topic)
                continue; // committed offsets for a deleted topic: nothing to measure
            for (const TopicPartitionOffsets &offsets : topic->partitions) {
                const TopicPartition tp {topicName, offsets.partition};
                PartitionLag p;
                p.topic = topicName;
                p.partition = offsets.partition;
                p.leader = offsets.leader;
                p.startOffset = offsets.startOffset;
                p.endOffset = offsets.endOffset;
                const auto committed = observed.committed.constFind(tp);
                if (committed != observed.committed.cend()) {
                    p.committed = committed.value();
                    committedInUse[tp].insert(committed.value());
                }
                if (p.committed && p.endOffset >= 0)
                    p.lag = p.endOffset - *p.committed;
                if (p.committed && p.lag) {
                    const TimeLag t = timeLagOf(tp, *p.committed, *p.lag, nowMs);
                    p.timeLagSeconds = t.seconds;
                    p.timeLagSource = t.source;
                }
                Membership membership = Membership::Unknown;
                if (observed.membershipKnown) {
                    const ObservedMember *owner = owners.value(tp);
                    membership = owner ? Membership::Assigned : Membership::Unassigned;
                    if (owner) {
                        p.memberClientId = owner->clientId;
                        p.memberHost = owner->host;
                    }
                }
                p.flags = flagsFor(p);

                const GroupPartitionKey key {observed.group, tp};
                PartitionWindow &window = m_windows[key];
                window.record({nowMs, p.committed, p.endOffset, p.startOffset}, windowMs);
                const LagJudgement judgement = window.judge(windowMs, membership, p.timeLagSeconds);
                p.verdict = judgement.verdict;
                p.verdictReason = judgement.reason;
                liveWindows.insert(key);

                if (p.lag && *p.lag > 0)
                    group.totalLag += *p.lag;
                if (p.timeLagSeconds
                    && (!group.maxTimeLagSeconds || *p.timeLagSeconds > *group.maxTimeLagSeconds)) {
                    group.maxTimeLagSeconds = p.timeLagSeconds;
                    group.maxTimeLagSource = p.timeLagSource;
                }
                group.partitions.append(std::move(p));
            }
        }
        judgeGroup(group);
        snapshot.groups.append(std::move(group));
    }
    std::sort(snapshot.groups.begin(), snapshot.groups.end(),
              [](const GroupLag &a, const GroupLag &b) { return a.group < b.group; });

    m_windows.removeIf([&](const auto &it) { return !liveWindows.contains(it.key()); });
    // Message timestamps matter only while some group's committed offset sits there.
    for (auto it = m_messageTimestamps.begin(); it != m_messageTimestamps.end();) {
        const QSet<qint64> inUse = committedInUse.value(it.key());
        it->removeIf([&](const auto &entry) { return !inUse.contains(entry.key()); });
        it = it->isEmpty() ? m_messageTimestamps.erase(it) : std::next(it);
    }
    return snapshot;
}

void LagTracker::judgeGroup(GroupLag &group)
{
    if (!group.error.isEmpty()) {
        group.verdict = LagVerdict::Pending;
        group.verdictReason = group.error;
        return;
    }
    if (group.partitions.isEmpty()) {
        group.verdict = LagVerdict::NoOffset;
        group.verdictReason = QStringLiteral("the group has no committed offsets");
        return;
    }
    const auto worst = std::max_element(
        group.partitions.cbegin(), group.partitions.cend(),
        [](const PartitionLag &a, const PartitionLag &b) { return a.verdict < b.verdict; });
    group.verdict = worst->verdict;
    group.verdictReason
        = QStringLiteral("%1: %2").arg(worst->key().toString(), worst->verdictReason);
}

} // namespace veltrix
