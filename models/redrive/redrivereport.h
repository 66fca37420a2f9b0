#pragma once

#include "core/deadletterqueue.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QMetaType>
#include <QString>

namespace veltrix {

// How far a run is, for a progress bar: emitted by the engine every ~100 ms.
struct RedriveProgress
{
    qint64 total = -1; // messages the run looks at (the DLQ's depth at the start, or the limit)
    qint64 looked = 0; // looked at so far
    // Confirmed at the destination: RabbitMQ acked out of the DLQ; Kafka delivery-reported
    // (the progress group's commit follows, at most a window behind).
    qint64 moved = 0;
    qint64 failed = 0;
    qint64 skipped = 0; // selected but left in the DLQ: no destination, unroutable...
    double ratePerSecond = 0; // moved per second over the last few seconds
    qint64 etaSeconds = -1; // -1: unknown
    bool paused = false;
    int reconnects = 0;
    QString state; // "running", "reconnecting (attempt 3): ...", "paused", "finishing"
};

// What happened to one message the run selected.
struct RedriveItem
{
    enum class Outcome { Moved, Failed, Skipped };
    Outcome outcome = Outcome::Moved;
    QString id; // BrowsedMessage id
    QString target; // RedriveTarget::describe(); empty when there was none
    QString reason; // Failed / Skipped: why, in words
};
QString redriveOutcomeName(RedriveItem::Outcome outcome); // "moved", "failed", "skipped"

// The end of a run: what moved where, what did not and why. Saved by the GUI, printed by
// veltrixctl --json, and (abridged) appended to the audit log.
struct RedriveReport
{
    enum class Outcome {
        Completed, // every selected message was looked at
        Cancelled, // the operator stopped it; nothing is half-moved
        Stopped, // a fault outlasted the retries; see error
        Refused, // nothing was done: read-only profile, bad request, no audit log...
    };
    Outcome outcome = Outcome::Completed;
    QString error; // Stopped / Refused: why

    QString runId;
    QString user;
    QString profile;
    DlqSource source;
    QString destination; // RedriveDestination::toString()
    QString filter; // MessageFilter::describe() plus the id list's size
    bool dryRun = false;
    QDateTime startedAt, finishedAt;

    qint64 looked = 0; // messages read from the DLQ
    qint64 notSelected = 0; // read, not selected, left where they were
    qint64 moved = 0; // dry run: would move
    qint64 failed = 0;
    qint64 skipped = 0;
    QMap<QString, qint64> movedByTarget; // dry run: would move
    QMap<QString, qint64> skippedByReason;
    QMap<QString, qint64> failedByReason;
    QList<RedriveItem> items; // every selected message, in the order they were handled
    int reconnects = 0;
    // Published again after a fault because their first publish was never confirmed, or
    // because the DLQ's ack of a moved one was lost with the connection and the broker
    // gave it back: the destination may hold each of these twice (bounded by the window).
    qint64 republished = 0;
    // Kafka: the progress group and the offsets it committed, per partition.
    QString progressGroup;
    QMap<int, qint64> committedOffsets;

    void addItem(RedriveItem item);
    // items: at most this many (< 0: all); the JSON says how many were left out.
    QJsonObject toJson(qsizetype maxItems = -1) const;
    QString summary() const; // one line: "moved 950, skipped 50 (no destination), failed 0"
};
QString redriveReportOutcomeName(RedriveReport::Outcome outcome);

} // namespace veltrix

Q_DECLARE_METATYPE(veltrix::RedriveProgress)
Q_DECLARE_METATYPE(veltrix::RedriveReport)
