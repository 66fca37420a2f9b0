#include "redriveengine.h"

#include <QJsonArray>
#include <QUuid>

namespace veltrix {

using namespace Qt::StringLiterals;

namespace {

constexpr qsizetype MaxAuditIds = 10000;

QString describeSelection(const RedriveRequest &request)
{
    QStringList parts;
    if (request.ids)
        parts.append(u"%1 chosen messages"_s.arg(request.ids->size()));
    if (!request.filter.isEmpty())
        parts.append(request.filter.describe());
    if (request.limit >= 0)
        parts.append(u"at most %1"_s.arg(request.limit));
    return parts.isEmpty() ? u"all messages"_s : parts.join(u", "_s);
}

QJsonObject startRecord(const RedriveReport &report, const RedriveRequest &request)
{
    return {{u"event"_s, u"redrive.start"_s},
            {u"run_id"_s, report.runId},
            {u"profile"_s, report.profile},
            {u"source"_s, report.source.toString()},
            {u"destination"_s, report.destination},
            {u"filter"_s, report.filter},
            {u"dry_run"_s, report.dryRun},
            {u"rate_per_s"_s, request.ratePerSecond},
            {u"window"_s, request.window},
            {u"repaired"_s, request.repairs.size()},
            {u"death_history"_s, deathHistoryName(request.deathHistory)},
            {u"from_start"_s, request.fromStart}};
}

} // namespace

RedriveEngine::RedriveEngine(ClusterProfile profile, AuditLog audit)
    : m_profile(std::move(profile))
    , m_audit(std::move(audit))
{ }

QString RedriveEngine::refusal(const RedriveRequest &request) const
{
    if (request.source.kind != m_profile.kind || request.source.cluster != m_profile.name)
        return u"%1 is not on profile \"%2\""_s.arg(request.source.toString(), m_profile.name);
    if (!request.dryRun && m_profile.readOnly)
        return u"profile \"%1\" is read-only: a redrive publishes messages and takes them out "
               "of the DLQ (a dry run is allowed)"_s.arg(m_profile.name);
    if (request.window < 1 || request.window > 10000)
        return u"the in-flight window must be 1 to 10000, not %1"_s.arg(request.window);
    if (request.ratePerSecond < 0)
        return u"the rate must not be negative"_s;
    const bool kafka = request.source.kind == ClusterKind::Kafka;
    using Mode = RedriveDestination::Mode;
    const Mode mode = request.destination.mode;
    if (mode != Mode::Original && kafka != (mode == Mode::Topic))
        return u"destination %1 does not fit a %2 DLQ"_s.arg(request.destination.toString(),
                                                             clusterKindName(request.source.kind));
    return {};
}

RedriveReport RedriveEngine::run(const RedriveRequest &request, RedriveControl &control,
                                 const RedriveProgressSink &onProgress) const
{
    RedriveReport report;
    report.runId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    report.user = AuditLog::currentUser();
    report.profile = m_profile.name;
    report.source = request.source;
    report.destination = request.destination.toString();
    report.filter = describeSelection(request);
    report.dryRun = request.dryRun;
    report.startedAt = QDateTime::currentDateTimeUtc();

    auto finish = [&](RedriveReport::Outcome outcome, const QString &error) {
        report.outcome = outcome;
        report.error = error;
        report.finishedAt = QDateTime::currentDateTimeUtc();
    };
    if (const QString why = refusal(request); !why.isEmpty()) {
        finish(RedriveReport::Outcome::Refused, why);
        // A refusal is worth a line too: someone tried. It may fail to write; the report
        // says so.
        if (auto logged = m_audit.append(redriveAuditRecord(report)); !logged)
            report.error += u"; "_s + logged.error().describe();
        return report;
    }
    // Nothing moves unless the audit log takes the line first.
    if (auto logged = m_audit.append(startRecord(report, request)); !logged) {
        finish(RedriveReport::Outcome::Refused, logged.error().describe());
        return report;
    }

    RedriveRun run(m_profile, request, control, onProgress, report);
    if (request.source.kind == ClusterKind::Kafka)
        runKafkaRedrive(run);
    else
        runRabbitRedrive(run);
    report.finishedAt = QDateTime::currentDateTimeUtc();
    if (report.outcome == RedriveReport::Outcome::Completed && control.isCancelled())
        report.outcome = RedriveReport::Outcome::Cancelled;

    if (auto logged = m_audit.append(redriveAuditRecord(report)); !logged)
        report.error = (report.error.isEmpty() ? QString() : report.error + u"; "_s)
            + u"the run finished but its audit line was not written: "_s
            + logged.error().describe();
    return report;
}

QJsonObject redriveAuditRecord(const RedriveReport &report)
{
    QJsonObject record = report.toJson(0);
    record.remove(u"items"_s);
    record.remove(u"items_left_out"_s);
    record.insert(u"event"_s, u"redrive.finish"_s);
    QJsonArray movedIds;
    QJsonArray leftBehind;
    qsizetype movedLeftOut = 0;
    for (const RedriveItem &item : report.items) {
        if (item.outcome == RedriveItem::Outcome::Moved) {
            if (movedIds.size() < MaxAuditIds)
                movedIds.append(item.id);
            else
                ++movedLeftOut;
        } else if (leftBehind.size() < MaxAuditIds) {
            leftBehind.append(QJsonObject {{u"id"_s, item.id},
                                           {u"outcome"_s, redriveOutcomeName(item.outcome)},
                                           {u"reason"_s, item.reason}});
        }
    }
    record.insert(report.dryRun ? u"would_move_ids"_s : u"moved_ids"_s, movedIds);
    if (movedLeftOut > 0)
        record.insert(u"moved_ids_left_out"_s, movedLeftOut);
    record.insert(u"not_moved"_s, leftBehind);
    return record;
}

} // namespace veltrix
