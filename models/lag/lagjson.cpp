#include "lagjson.h"

#include <QJsonArray>

namespace veltrix {

namespace {

QJsonValue orNull(const std::optional<qint64> &value)
{
    return value ? QJsonValue(*value) : QJsonValue();
}

QJsonValue orNull(const std::optional<double> &value)
{
    // Tenths of a second: finer is noise from poll timing.
    return value ? QJsonValue(qRound64(*value * 10.0) / 10.0) : QJsonValue();
}

QJsonValue offsetOrNull(qint64 offset)
{
    return offset >= 0 ? QJsonValue(offset) : QJsonValue();
}

QJsonObject partitionToJson(const PartitionLag &p)
{
    QJsonObject member;
    if (!p.memberClientId.isEmpty() || !p.memberHost.isEmpty())
        member = {{QStringLiteral("client_id"), p.memberClientId},
                  {QStringLiteral("host"), p.memberHost}};
    return {
        {QStringLiteral("topic"), p.topic},
        {QStringLiteral("partition"), p.partition},
        {QStringLiteral("committed"), orNull(p.committed)},
        {QStringLiteral("end_offset"), offsetOrNull(p.endOffset)},
        {QStringLiteral("start_offset"), offsetOrNull(p.startOffset)},
        {QStringLiteral("lag"), orNull(p.lag)},
        {QStringLiteral("time_lag_s"), orNull(p.timeLagSeconds)},
        {QStringLiteral("flags"), QJsonArray::fromStringList(lagFlagNames(p.flags))},
        // extensions
        {QStringLiteral("time_lag_source"), timeLagSourceName(p.timeLagSource)},
        {QStringLiteral("verdict"), lagVerdictName(p.verdict)},
        {QStringLiteral("verdict_reason"), p.verdictReason},
        {QStringLiteral("leader"), p.leader >= 0 ? QJsonValue(p.leader) : QJsonValue()},
        {QStringLiteral("member"), member.isEmpty() ? QJsonValue() : QJsonValue(member)},
    };
}

QJsonObject groupToJson(const GroupLag &g, bool withPartitions)
{
    QJsonObject o {
        {QStringLiteral("group"), g.group},
        {QStringLiteral("state"), g.state.isEmpty() ? QJsonValue() : QJsonValue(g.state)},
        {QStringLiteral("verdict"), lagVerdictName(g.verdict)},
        {QStringLiteral("total_lag"), g.totalLag},
        {QStringLiteral("max_time_lag_s"), orNull(g.maxTimeLagSeconds)},
        // extensions
        {QStringLiteral("verdict_reason"), g.verdictReason},
        {QStringLiteral("max_time_lag_source"), timeLagSourceName(g.maxTimeLagSource)},
        {QStringLiteral("members"), g.memberCount >= 0 ? QJsonValue(g.memberCount) : QJsonValue()},
        {QStringLiteral("topics"), QJsonArray::fromStringList(g.topics)},
        {QStringLiteral("error"), g.error.isEmpty() ? QJsonValue() : QJsonValue(g.error)},
    };
    if (withPartitions) {
        QJsonArray partitions;
        for (const PartitionLag &p : g.partitions)
            partitions.append(partitionToJson(p));
        o.insert(QStringLiteral("partitions"), partitions);
    }
    return o;
}

} // namespace

QJsonObject lagSnapshotToJson(const LagSnapshot &snapshot, bool withPartitions)
{
    QJsonArray groups;
    for (const GroupLag &g : snapshot.groups)
        groups.append(groupToJson(g, withPartitions));
    QStringList notes;
    for (const QString &note : {snapshot.groupsNote, snapshot.membershipNote})
        if (!note.isEmpty())
            notes << note;
    const LagRequestCounts &r = snapshot.requests;
    return {
        {QStringLiteral("cluster"), snapshot.cluster},
        {QStringLiteral("polled_at"), snapshot.polledAt.toUTC().toString(Qt::ISODateWithMs)},
        {QStringLiteral("groups"), groups},
        // extensions
        {QStringLiteral("window_s"), snapshot.windowSeconds},
        {QStringLiteral("poll_ms"), snapshot.pollMs},
        {QStringLiteral("notes"), QJsonArray::fromStringList(notes)},
        {QStringLiteral("requests"),
         QJsonObject {{QStringLiteral("metadata"), r.metadata},
                      {QStringLiteral("list_offsets"), r.listOffsets},
                      {QStringLiteral("offset_fetch"), r.offsetFetch},
                      {QStringLiteral("describe_groups"), r.describeGroups},
                      {QStringLiteral("fetch"), r.fetch}}},
    };
}

} // namespace veltrix
