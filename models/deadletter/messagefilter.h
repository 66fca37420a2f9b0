#pragma once

#include "core/browsedmessage.h"
#include "triage.h"

#include <QDateTime>
#include <QString>

#include <optional>

namespace veltrix {

// What the DLQ table is narrowed to: free text, one header's value, a time range and
// a triage group. Every part is optional; an empty filter matches everything.
struct MessageFilter
{
    QString text; // case-insensitive, in id, key, payload, header names and values
    QString headerName; // with headerValue: that header (any occurrence) contains the value
    QString headerValue;
    QDateTime from; // inclusive, on BrowsedMessage::shownTime(); invalid: open
    QDateTime to; // exclusive; invalid: open
    std::optional<TriageDimension> triageDimension;
    QString triageValue;
    // For the "(other)" group (triageOtherLabel()): the values the counter kept, which
    // "other" is everything but.
    QStringList triageKeptValues;

    bool isEmpty() const;
    bool matches(const BrowsedMessage &message) const;
    QString describe() const; // "text \"timeout\", header reason=..., since ..."
    bool operator==(const MessageFilter &) const = default;
};

} // namespace veltrix
