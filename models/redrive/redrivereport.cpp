#include "redrivereport.h"

#include <QJsonArray>

namespace veltrix {

using namespace Qt::StringLiterals;

namespace {

QJsonObject countsJson(const QMap<QString, qint64> &counts)
{
    QJsonObject object;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        object.insert(it.key(), it.value());
    return object;
}

QString timeText(const QDateTime &time)
{
    return time.isValid() ? time.toUTC().toString(Qt::ISODateWithMs) : QString();
}

} // namespace

QString redriveOutcomeName(RedriveItem::Outcome outcome)
{
    switch (outcome) {
    case RedriveItem::Outcome::Moved:
        return u"moved"_s;
    case RedriveItem::Outcome::Failed:
        return u"failed"_s;
    case RedriveItem::Outcome::Skipped:
        return u"skipped"_s;
    }
    return {};
}

QString redriveReportOutcomeName(RedriveReport::Outcome outcome)
{
    switch (outcome) {
    case RedriveReport::Outcome::Completed:
        return u"completed"_s;
    case RedriveReport::Outcome::Cancelled:
        return u"cancelled"_s;
    case RedriveReport::Outcome::Stopped:
        return u"stopped"_s;
    case RedriveReport::Outcome::Refused:
        return u"refused"_s;
    }
    return {};
}

void RedriveReport::addItem(RedriveItem item)
{
    switch (item.outcome) {
    case RedriveItem::Outcome::Moved:
        ++moved;
        ++movedByTarget[item.target];
        break;
    case RedriveItem::Outcome::Failed:
        ++failed;
        ++failedByReason[item.reason];
        break;
    case RedriveItem::Outcome::Skipped:
        ++skipped;
        ++skippedByReason[item.reason];
        break;
    }
    items.append(std::move(item));
}

QJsonObject RedriveReport::toJson(qsizetype maxItems) const
{
    QJsonArray itemArray;
    const qsizetype shown = maxItems < 0 ? items.size() : std::min(items.size(), maxItems);
    for (qsizetype i = 0; i < shown; ++i) {
        const RedriveItem &item = items[i];
        QJsonObject object {{u"id"_s, item.id}, {u"outcome"_s, redriveOutcomeName(item.outcome)}};
        if (!item.target.isEmpty())
            object.insert(u"target"_s, item.target);
        if (!item.reason.isEmpty())
            object.insert(u"reason"_s, item.reason);
        itemArray.append(object);
    }
    QJsonObject json {
        {u"run_id"_s, runId},
        {u"user"_s, user},
        {u"profile"_s, profile},
        {u"source"_s, source.toString()},
        {u"destination"_s, destination},
        {u"filter"_s, filter},
        {u"dry_run"_s, dryRun},
        {u"started_at"_s, timeText(startedAt)},
        {u"finished_at"_s, timeText(finishedAt)},
        {u"outcome"_s, redriveReportOutcomeName(outcome)},
        {u"looked"_s, looked},
        {u"not_selected"_s, notSelected},
        {u"moved"_s, moved},
        {u"failed"_s, failed},
        {u"skipped"_s, skipped},
        {u"moved_by_target"_s, countsJson(movedByTarget)},
        {u"skipped_by_reason"_s, countsJson(skippedByReason)},
        {u"failed_by_reason"_s, countsJson(failedByReason)},
        {u"reconnects"_s, reconnects},
        {u"republished"_s, republished},
        {u"items"_s, itemArray},
        {u"items_left_out"_s, items.size() - shown},
    };
    if (!error.isEmpty())
        json.insert(u"error"_s, error);
    if (!progressGroup.isEmpty()) {
        QJsonObject offsets;
        for (auto it = committedOffsets.cbegin(); it != committedOffsets.cend(); ++it)
            offsets.insert(QString::number(it.key()), it.value());
        json.insert(u"progress_group"_s, progressGroup);
        json.insert(u"committed_offsets"_s, offsets);
    }
    return json;
}

QString RedriveReport::summary() const
{
    QString text = dryRun ? u"would move %1"_s.arg(moved) : u"moved %1"_s.arg(moved);
    auto reasons = [](const QMap<QString, qint64> &byReason) {
        QStringList parts;
        for (auto it = byReason.cbegin(); it != byReason.cend(); ++it)
            parts.append(u"%1: %2"_s.arg(it.value()).arg(it.key()));
        return parts.join(u"; "_s);
    };
    if (skipped > 0)
        text += u", skipped %1 (%2)"_s.arg(skipped).arg(reasons(skippedByReason));
    if (failed > 0)
        text += u", failed %1 (%2)"_s.arg(failed).arg(reasons(failedByReason));
    if (notSelected > 0)
        text += u", %1 not selected"_s.arg(notSelected);
    if (outcome != Outcome::Completed)
        text += u" — %1"_s.arg(redriveReportOutcomeName(outcome))
            + (error.isEmpty() ? QString() : u": "_s + error);
    return text;
}

} // namespace veltrix
