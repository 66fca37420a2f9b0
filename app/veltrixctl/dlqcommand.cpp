#include "commands.h"

#include "deadletter/dlqreader.h"
#include "deadletter/dlqscanner.h"
#include "deadletter/messagejson.h"
#include "deadletter/payloadview.h"

#include <QJsonArray>
#include <QThread>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentMap>

namespace veltrix::ctl {

using namespace Qt::StringLiterals;

namespace {

struct DlqOptions
{
    QCommandLineOption limit {u"limit"_s,
                              u"dlq show: messages to show (default 20); dlq redrive: at most "
                              "N messages (default all)."_s,
                              u"N"_s, u"20"_s};
    QCommandLineOption offset {u"offset"_s,
                               u"dlq show: Kafka: offset to start at in each partition; "
                               "RabbitMQ: messages to skip from the head (default 0)."_s,
                               u"N"_s, u"0"_s};
    QCommandLineOption partition {u"partition"_s, u"dlq show: Kafka: only this partition."_s,
                                  u"P"_s};
    QCommandLineOption since {u"since"_s,
                              u"dlq show: Kafka: start at the first record at or after this "
                              "ISO 8601 time; dlq redrive: only messages at or after it."_s,
                              u"TIME"_s};
    QCommandLineOption insist {u"insist"_s,
                               u"dlq show: RabbitMQ quorum queues: browse past the delivery-limit "
                               "safety margin (a read can then dead-letter a message)."_s};
    QCommandLineOption sample {u"sample"_s,
                               u"dlq list: scan twice this many seconds apart and report the "
                               "inflow (default 0: depth only)."_s,
                               u"SECONDS"_s, u"0"_s};
};

DlqOptions &options()
{
    static DlqOptions o;
    return o;
}

std::optional<qint64> numberOption(const QCommandLineParser &parser,
                                   const QCommandLineOption &option, qint64 min)
{
    bool ok = false;
    const qint64 value = parser.value(option).toLongLong(&ok);
    if (!ok || value < min) {
        printError(u"--%1 must be a whole number of at least %2, not \"%3\""_s.arg(
            option.names().constFirst(), QString::number(min), parser.value(option)));
        return std::nullopt;
    }
    return value;
}

QJsonObject errorJson(const QString &cluster, const BrokerError &error)
{
    return {
        {u"cluster"_s, cluster}, {u"kind"_s, error.kindName()}, {u"message"_s, error.describe()}};
}

QJsonObject dlqJson(const DlqInfo &info)
{
    QJsonObject object {
        {u"source"_s, info.source.toString()},
        {u"cluster"_s, info.source.cluster},
        {u"kind"_s, clusterKindName(info.source.kind)},
        {u"name"_s, info.source.name},
        {u"retry"_s, info.retry},
        {u"depth"_s, info.depth >= 0 ? QJsonValue(info.depth) : QJsonValue()},
        {u"inflow_per_s"_s,
         info.inflowPerSecond >= 0 ? QJsonValue(info.inflowPerSecond) : QJsonValue()},
        {u"detected_by"_s, info.why}};
    if (info.source.kind == ClusterKind::Kafka) {
        object.insert(u"partitions"_s, info.partitions);
    } else {
        object.insert(u"vhost"_s, info.source.vhost);
        object.insert(u"type"_s, info.queueType);
        object.insert(u"delivery_limit"_s,
                      info.deliveryLimit ? QJsonValue(*info.deliveryLimit) : QJsonValue());
    }
    return object;
}

int runList(const CtlContext &context, const QCommandLineParser &parser,
            const QList<ClusterProfile> &clusters)
{
    const auto sample = numberOption(parser, options().sample, 0);
    if (!sample)
        return ExitUsage;
    const auto timeout = context.timeout(parser);
    // Clusters in parallel: a dead one costs its own timeout, not everyone's.
    QThreadPool pool;
    pool.setMaxThreadCount(std::max(1, int(clusters.size())));
    const QList<DlqListing> listings = QtConcurrent::blockingMapped<QList<DlqListing>>(
        &pool, clusters, [&](const ClusterProfile &profile) {
            DlqScanner scanner(profile, timeout);
            DlqListing listing = scanner.scan();
            if (*sample > 0 && listing.error.isEmpty()) {
                QThread::sleep(static_cast<unsigned long>(*sample));
                listing = scanner.scan();
            }
            return listing;
        });

    int exit = ExitOk;
    QJsonArray dlqs, errors;
    for (const DlqListing &listing : listings) {
        if (!listing.error.isEmpty()) {
            exit = ExitClusterFailed;
            errors.append(
                QJsonObject {{u"cluster"_s, listing.clusterName}, {u"message"_s, listing.error}});
        }
        for (const DlqInfo &info : listing.queues)
            dlqs.append(dlqJson(info));
    }
    if (context.json(parser)) {
        printJson({{u"dlqs"_s, dlqs}, {u"errors"_s, errors}});
        return exit;
    }
    printLine(u"%1 %2 %3 %4  %5"_s.arg(u"SOURCE"_s, -48)
                  .arg(u"DEPTH"_s, 10)
                  .arg(u"INFLOW/S"_s, 9)
                  .arg(u"TYPE"_s, -10)
                  .arg(u"DETECTED BY"_s));
    for (const DlqListing &listing : listings)
        for (const DlqInfo &info : listing.queues)
            printLine(u"%1 %2 %3 %4  %5"_s.arg(info.source.toString(), -48)
                          .arg(info.depth >= 0 ? QString::number(info.depth) : u"?"_s, 10)
                          .arg(info.inflowPerSecond >= 0
                                   ? QString::number(info.inflowPerSecond, 'f', 1)
                                   : u"-"_s,
                               9)
                          .arg(info.source.kind == ClusterKind::Kafka
                                   ? u"topic"_s
                                   : info.queueType + (info.deliveryLimit ? u"*"_s : QString()),
                               -10)
                          .arg(info.why));
    for (const QJsonValue &error : std::as_const(errors))
        printError(error[u"cluster"_s].toString() + u": "_s + error[u"message"_s].toString());
    return exit;
}

void printMessage(const BrowsedMessage &m)
{
    const DeadLetter &dl = m.deadLetter;
    printLine(u"%1  %2  %3"_s.arg(
        m.id, m.timestamp.isValid() ? m.timestamp.toUTC().toString(Qt::ISODateWithMs) : u"-"_s,
        formatByteSize(m.payloadSize)));
    if (m.key)
        printLine(u"  key:       "_s + payloadPreview(*m.key, 80));
    if (dl.isDeadLetter()) {
        printLine(u"  from:      %1  (%2)"_s.arg(dl.originalDestination,
                                                 deadLetterConventionName(dl.convention)));
        printLine(u"  reason:    "_s + dl.reason
                  + (dl.attempts >= 0 ? u"  after %1 attempt(s)"_s.arg(dl.attempts) : QString()));
        if (!dl.exceptionClass.isEmpty() || !dl.exceptionMessage.isEmpty())
            printLine(
                u"  exception: %1: %2"_s.arg(dl.exceptionClass, dl.exceptionMessage.left(200)));
    }
    for (const QString &warning : dl.warnings)
        printLine(u"  warning:   "_s + warning);
    printLine(u"  payload:   "_s + payloadPreview(m.payload, 160, m.payloadSize));
}

int runShow(const CtlContext &context, const QCommandLineParser &parser,
            const ClusterProfile &profile, const DlqSource &source)
{
    const DlqOptions &o = options();
    DlqReadOptions read;
    const auto limit = numberOption(parser, o.limit, 1);
    const auto offset = numberOption(parser, o.offset, 0);
    if (!limit || !offset)
        return ExitUsage;
    read.limit = int(std::min<qint64>(*limit, 1000000));
    read.offset = *offset;
    if (parser.isSet(o.partition)) {
        const auto partition = numberOption(parser, o.partition, 0);
        if (!partition)
            return ExitUsage;
        read.partition = int(*partition);
    }
    if (parser.isSet(o.since)) {
        read.since = QDateTime::fromString(parser.value(o.since), Qt::ISODateWithMs);
        if (!read.since.isValid()) {
            printError(
                u"--since must be an ISO 8601 time like 2026-11-23T10:00:00Z, not \"%1\""_s.arg(
                    parser.value(o.since)));
            return ExitUsage;
        }
    }
    read.insist = parser.isSet(o.insist);

    const auto result = readDlq(profile, source, read, context.timeout(parser));
    if (!result) {
        if (context.json(parser))
            printJson({{u"source"_s, source.toString()},
                       {u"error"_s, errorJson(profile.name, result.error())}});
        else
            printError(result.error().describe());
        return ExitClusterFailed;
    }
    if (context.json(parser)) {
        QJsonArray messages;
        for (const BrowsedMessage &m : result->messages)
            messages.append(messageToJson(m));
        printJson({{u"source"_s, source.toString()},
                   {u"depth"_s, result->depth >= 0 ? QJsonValue(result->depth) : QJsonValue()},
                   {u"messages"_s, messages},
                   {u"notes"_s, QJsonArray::fromStringList(result->notes)},
                   {u"stopped_for_safety"_s, result->stoppedForSafety}});
    } else {
        printLine(u"%1: %2 message(s) shown of %3"_s.arg(
            source.toString(), QString::number(result->messages.size()),
            result->depth >= 0 ? QString::number(result->depth) : u"?"_s));
        for (const BrowsedMessage &m : result->messages)
            printMessage(m);
    }
    for (const QString &note : result->notes)
        printError(u"note: "_s + note);
    return result->stoppedForSafety ? ExitVerdict : ExitOk;
}

} // namespace

void addDlqOptions(QCommandLineParser &parser)
{
    DlqOptions &o = options();
    parser.addOptions({o.limit, o.offset, o.partition, o.since, o.insist, o.sample});
}

int runDlq(const CtlContext &context, const QCommandLineParser &parser, const QStringList &args)
{
    const QString sub = args.value(0);
    if (sub != u"list" && sub != u"show" && sub != u"redrive" && sub != u"purge") {
        printError(u"dlq: expected \"dlq list\", \"dlq show SOURCE\", \"dlq redrive SOURCE\" "
                   "or \"dlq purge SOURCE\""_s);
        return ExitUsage;
    }
    if ((sub == u"list" && args.size() != 1) || (sub != u"list" && args.size() != 2)) {
        printError(sub == u"list" ? u"dlq list takes no argument"_s
                                  : u"dlq %1 takes one SOURCE: kafka:<cluster>/<topic> or "
                                    "rabbitmq:<cluster>/<vhost>/<queue>"_s.arg(sub));
        return ExitUsage;
    }
    auto clusters = context.resolveClusters(parser);
    if (!clusters)
        return ExitUsage;
    if (sub == u"list")
        return runList(context, parser, *clusters);

    QString why;
    const auto source = DlqSource::parse(args.at(1), &why);
    if (!source) {
        printError(why);
        return ExitUsage;
    }
    const auto profile
        = std::find_if(clusters->cbegin(), clusters->cend(),
                       [&](const ClusterProfile &p) { return p.name == source->cluster; });
    if (profile == clusters->cend()) {
        printError(u"dlq %1: no cluster named \"%2\" in the profiles"_s.arg(sub, source->cluster));
        return ExitUsage;
    }
    if (sub == u"purge")
        return runPurge(context, parser, *profile, *source);
    return sub == u"show" ? runShow(context, parser, *profile, *source)
                          : runRedrive(context, parser, *profile, *source);
}

} // namespace veltrix::ctl
