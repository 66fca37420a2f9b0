#pragma once

#include "core/clusterprofile.h"
#include "core/deadletterqueue.h"
#include "core/kafkaheader.h"
#include "deadletter/messagefilter.h"

#include <QByteArray>
#include <QHash>
#include <QMetaType>
#include <QSet>
#include <QString>
#include <QVariantMap>

#include <optional>

namespace veltrix {

// Where redriven messages go: back where each one came from (its dead-letter metadata
// says), or one place the operator chose. Written on the command line as
//   original | topic:<name> | queue:<name> | exchange:<name>[/<routing key>]
// (a bare name is a topic on Kafka and a queue on RabbitMQ).
struct RedriveDestination
{
    enum class Mode { Original, Topic, Queue, Exchange };
    Mode mode = Mode::Original;
    QString name; // topic, queue or exchange ("" is RabbitMQ's default exchange)
    QString routingKey; // Exchange only

    static std::optional<RedriveDestination> parse(const QString &text, ClusterKind kind,
                                                   QString *error);
    QString toString() const; // the parse() form
    bool operator==(const RedriveDestination &) const = default;
};

// What becomes of a RabbitMQ dead letter's x-death history when it is redriven. Keeping
// it as is makes the next death count on from the old ones (RabbitMQ appends to the same
// array); renaming keeps the history readable without that.
enum class DeathHistory {
    KeepAsPrevious, // x-death -> x-veltrix-previous-death (the default)
    Keep,
    Strip,
};
QString deathHistoryName(DeathHistory history); // "previous", "keep", "strip"
std::optional<DeathHistory> deathHistoryFromName(const QString &name);

// "Repair and resubmit": what to send instead of a message's own payload / headers.
struct MessageRepair
{
    std::optional<QByteArray> payload;
    std::optional<QVariantMap> amqpHeaders; // RabbitMQ: replaces the headers table
    std::optional<KafkaHeaderList> kafkaHeaders; // Kafka: replaces the record headers
    bool operator==(const MessageRepair &) const = default;
};

// One redrive run, as the GUI and veltrixctl describe it to the engine.
struct RedriveRequest
{
    DlqSource source;
    RedriveDestination destination;

    // Which messages: those whose BrowsedMessage id is listed (nullopt: every message),
    // narrowed by the filter, at most `limit` of them (< 0: no limit).
    std::optional<QSet<QString>> ids;
    MessageFilter filter;
    qint64 limit = -1;

    double ratePerSecond = 0; // 0: as fast as the brokers confirm
    int window = 200; // messages published but not yet confirmed, at most
    DeathHistory deathHistory = DeathHistory::KeepAsPrevious;
    QHash<QString, MessageRepair> repairs; // by message id
    bool dryRun = false; // count what would go where; send nothing, change nothing
    // Kafka: start at the log start instead of where the last run of this DLT stopped
    // (its progress group's committed offsets), so offsets can be redriven again.
    bool fromStart = false;

    // Faults: how long the engine keeps reconnecting before it stops with a report.
    int retryForSeconds = 120;
};

} // namespace veltrix

Q_DECLARE_METATYPE(veltrix::RedriveRequest)
