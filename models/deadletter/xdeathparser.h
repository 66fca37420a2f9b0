#pragma once

#include "core/deadletter.h"

#include <QStringList>
#include <QVariant>

namespace veltrix {

namespace headers {
// RabbitMQ's dead-lettering headers (rabbit_dead_letter): x-death is an array of tables,
// one per (queue, reason) pair, most recent first; x-first-death-* never change once set;
// x-last-death-* (3.13+) follow the latest death.
inline constexpr char XDeath[] = "x-death";
inline constexpr char XFirstDeathQueue[] = "x-first-death-queue";
inline constexpr char XFirstDeathReason[] = "x-first-death-reason";
inline constexpr char XFirstDeathExchange[] = "x-first-death-exchange";
inline constexpr char XLastDeathQueue[] = "x-last-death-queue";
inline constexpr char XLastDeathReason[] = "x-last-death-reason";
inline constexpr char XLastDeathExchange[] = "x-last-death-exchange";
} // namespace headers

// Problems found while reading broker-supplied metadata, in words. Bounded: a hostile
// header cannot grow it without limit (the rest become one "... more" line).
class ParseWarnings
{
public:
    static constexpr int MaxWarnings = 32;

    void add(const QString &warning);
    QStringList take(); // the warnings, with the "... more" line when some were dropped

private:
    QStringList m_warnings;
    qint64 m_dropped = 0;
};

// Reads the x-death header's value (a QVariantList of QVariantMap as
// amqpTableToVariantMap() gives it) into entries, in the broker's order. Entries and
// fields that are not what RabbitMQ writes are reported ("x-death[1].count: expected a
// number, got text") and left at their defaults; the rest is kept.
QList<XDeathEntry> parseXDeath(const QVariant &xDeath, ParseWarnings &warnings);

// "text", "a number", "a timestamp", ...: what a header value turned out to be.
QString describeVariantKind(const QVariant &value);

} // namespace veltrix
