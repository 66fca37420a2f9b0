#pragma once

#include "clusterprofile.h"

#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <optional>

namespace veltrix {

// Where a DLQ lives, as operators write it on the command line:
//   kafka:<cluster>/<topic>
//   rabbitmq:<cluster>/<vhost>/<queue>   (vhost "/" as "%2F" or empty: rabbitmq:c//q)
struct DlqSource
{
    ClusterKind kind = ClusterKind::Kafka;
    QString cluster;
    QString vhost; // RabbitMQ
    QString name; // topic or queue

    static std::optional<DlqSource> parse(const QString &text, QString *error);
    QString toString() const; // the parse() form; vhost "/" written "%2F"
    bool operator==(const DlqSource &) const = default;
};

// The name patterns a DLQ is recognised by when no dead-letter exchange points at it
// (profile field "dead_letter_patterns" replaces these). Shell-style globs, case-sensitive:
// Spring's "-dlt" and ".DLT" suffixes differ in case on purpose.
QStringList defaultDeadLetterPatterns(ClusterKind kind);
// The first pattern `name` matches, or an empty string.
QString matchingDeadLetterPattern(const QString &name, const QStringList &patterns);

// One DLQ (or retry topic) with how full it is and how fast it fills.
struct DlqInfo
{
    DlqSource source;
    QString queueType; // RabbitMQ: classic, quorum, stream
    bool retry = false; // a retry topic/queue (messages come back), not a final DLQ
    QString why; // "bound to dead-letter exchange shop.dlx", "name matches *-dlt"
    qint64 depth = -1; // messages in it now; -1: unknown
    int partitions = 0; // Kafka
    // Messages in per second over the last two scans; -1 until two scans were seen.
    double inflowPerSecond = -1;
    // Monotonic count of messages that ever arrived, for the inflow rate (Kafka: sum of
    // end offsets; RabbitMQ: depth plus what consumers acknowledged; -1: unknown).
    qint64 arrivedTotal = -1;
    std::optional<int> deliveryLimit; // RabbitMQ quorum queues
};

// One scan of a cluster's DLQs.
struct DlqListing
{
    QString clusterName;
    ClusterKind kind = ClusterKind::Kafka;
    QDateTime scannedAt;
    QList<DlqInfo> queues;
    QString error; // the scan failed: why, in words; queues then holds the last good list
    qint64 scanMs = 0; // how long the scan took (last: positional initializers stay valid)
};

} // namespace veltrix

Q_DECLARE_METATYPE(veltrix::DlqListing)
