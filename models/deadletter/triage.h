#pragma once

#include "core/deadletter.h"

#include <QHash>
#include <QList>
#include <QString>

#include <array>

namespace veltrix {

// The triage panel's groupings: how many dead letters share a reason, an exception class,
// an exception message (numbers and ids normalised away) or an original destination.
enum class TriageDimension { Reason, ExceptionClass, ExceptionMessage, OriginalDestination };
inline constexpr std::array AllTriageDimensions {
    TriageDimension::Reason, TriageDimension::ExceptionClass, TriageDimension::ExceptionMessage,
    TriageDimension::OriginalDestination};

// An exception message with what varies per message replaced, so that "Order 12345 not
// found" and "Order 987 not found" share a group. In this order, so that the parts of a
// longer pattern are not taken by a shorter one:
//  - quoted text longer than 40 characters ('...' or "..."; a quote that opens or
//    closes a word, as in "can't", is not a quote) -> '…' / "…": payload excerpts and
//    long values; shorter quoted text (field names, enum values) stays, because it tells
//    problems apart, with the rules below applied inside
//  - ISO 8601 dates and timestamps (2024-01-15, 2024-01-15T10:20:30.123Z, with a space
//    instead of T, with an offset) -> <time>
//  - UUIDs -> <uuid>
//  - e-mail addresses -> <email>
//  - 0x-prefixed hex, and words of 8+ hex digits with at least one digit and one letter
//    (object ids, hashes) -> <hex>
//  - numbers: digit runs, also inside words (ORD-0100042 -> ORD-<n>, user42 -> user<n>),
//    with a decimal part, and with a minus sign when it is not a hyphen -> <n>
// Then whitespace runs collapse to one space, and the result is cut at 200 characters
// (with "…"). Only the first 1,000 characters of the message are looked at.
QString normaliseExceptionMessage(const QString &message);
inline constexpr qsizetype NormalisedMessageMaxLength = 200;

// The group a dead letter belongs to. Empty fields get a label in parentheses, e.g.
// "(no exception)", "(unknown destination)", which no real value looks like.
QString triageValue(const DeadLetter &letter, TriageDimension dimension);
// Spring's "Listener failed; " / "Listener method '...' threw exception; " prefix taken off
// an exception message, when a cause's message follows it.
QString withoutListenerWrapper(const QString &message);
// Whether a dead letter belongs to the group `value` (as triageValue() gives it).
bool triageMatches(const DeadLetter &letter, TriageDimension dimension, const QString &value);
// The group that collects the values beyond TriageCounter's cap.
QString triageOtherLabel();

struct TriageGroup
{
    QString value;
    qint64 count = 0;
    friend bool operator==(const TriageGroup &, const TriageGroup &) = default;
};

// Counts dead letters per group in every dimension. Memory is bounded: each dimension keeps
// at most maxDistinctValues groups; dead letters with values beyond that are counted under
// triageOtherLabel().
class TriageCounter
{
public:
    static constexpr int DefaultMaxDistinctValues = 1000;
    explicit TriageCounter(int maxDistinctValues = DefaultMaxDistinctValues);

    void add(const DeadLetter &letter);
    void clear();
    qint64 total() const { return m_total; }

    // Sorted by count, largest first, then by value; the "(other)" group, when there is
    // one, sorts like the rest.
    QList<TriageGroup> groups(TriageDimension dimension) const;

    // triageMatches(), plus "(other)": the dead letters whose value was not kept.
    bool matches(const DeadLetter &letter, TriageDimension dimension, const QString &value) const;

private:
    struct Counts
    {
        QHash<QString, qint64> byValue;
        qint64 other = 0;
    };
    Counts &countsOf(TriageDimension dimension);
    const Counts &countsOf(TriageDimension dimension) const;

    int m_maxDistinctValues;
    std::array<Counts, AllTriageDimensions.size()> m_counts;
    qint64 m_total = 0;
};

} // namespace veltrix
