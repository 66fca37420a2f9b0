// veltrixctl dlq redrive SOURCE [--to DEST] [--filter TEXT] [--rate N] [--limit N]
//                              [--dry-run] [--json] ...
// The same engine as the console's Redrive dialog; this file only turns options into a
// RedriveRequest and the report into text or JSON.
#include "commands.h"

#include "redrive/redriveengine.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

#include <atomic>
#include <csignal>
#include <thread>
#include <unistd.h>

namespace veltrix::ctl {

using namespace Qt::StringLiterals;

namespace {

struct RedriveOptions
{
    QCommandLineOption to {u"to"_s,
                           u"dlq redrive: where to: original (default; each message's own "
                           "origin), topic:<name>, queue:<name> or exchange:<name>[/<key>]."_s,
                           u"DEST"_s, u"original"_s};
    QCommandLineOption filter {u"filter"_s,
                               u"dlq redrive: only messages containing this text (id, key, "
                               "payload, headers; case-insensitive)."_s,
                               u"TEXT"_s};
    QCommandLineOption header {u"header"_s,
                               u"dlq redrive: only messages whose header NAME contains VALUE."_s,
                               u"NAME=VALUE"_s};
    QCommandLineOption ids {u"ids"_s,
                            u"dlq redrive: only these message ids (comma-separated; Kafka "
                            "<partition>:<offset>, RabbitMQ the message-id or #<position>)."_s,
                            u"IDS"_s};
    QCommandLineOption rate {u"rate"_s,
                             u"dlq redrive: at most N messages per second (default 0: as fast "
                             "as the brokers confirm). probe: rounds per second (default 5)."_s,
                             u"N"_s, u"0"_s};
    QCommandLineOption window {u"in-flight"_s,
                               u"dlq redrive: messages in flight (published, not yet confirmed) "
                               "at most (default 200)."_s,
                               u"N"_s, u"200"_s};
    QCommandLineOption dryRun {u"dry-run"_s,
                               u"dlq redrive: count what would go where; send nothing."_s};
    QCommandLineOption death {u"death"_s,
                              u"dlq redrive: RabbitMQ x-death history: previous (default; kept "
                              "as x-veltrix-previous-death), keep or strip."_s,
                              u"MODE"_s, u"previous"_s};
    QCommandLineOption fromStart {u"from-start"_s,
                                  u"dlq redrive: Kafka: start at the log start, not where the "
                                  "last redrive of this topic stopped."_s};
    QCommandLineOption report {
        u"report"_s, u"dlq redrive: also write the full report (JSON) here."_s, u"FILE"_s};
    QCommandLineOption retryFor {u"retry-for"_s,
                                 u"dlq redrive: keep reconnecting after a fault this many "
                                 "seconds before stopping (default 120)."_s,
                                 u"SECONDS"_s, u"120"_s};
};

RedriveOptions &options()
{
    static RedriveOptions o;
    return o;
}

std::atomic<RedriveControl *> g_control {nullptr};

// Ctrl-C stops the run cleanly: in-flight messages finish, the rest stay in the DLQ.
extern "C" void cancelOnSignal(int)
{
    if (RedriveControl *control = g_control.load())
        control->cancel();
}

std::optional<double> numberValue(const QCommandLineParser &parser,
                                  const QCommandLineOption &option, double min, double max)
{
    bool ok = false;
    const double value = parser.value(option).toDouble(&ok);
    if (!ok || value < min || value > max) {
        printError(u"--%1 must be a number from %2 to %3, not \"%4\""_s.arg(
            option.names().constFirst(), QString::number(min), QString::number(max),
            parser.value(option)));
        return std::nullopt;
    }
    return value;
}

std::optional<RedriveRequest> requestFrom(const QCommandLineParser &parser, const DlqSource &source)
{
    const RedriveOptions &o = options();
    RedriveRequest request;
    request.source = source;
    QString why;
    const auto destination = RedriveDestination::parse(parser.value(o.to), source.kind, &why);
    if (!destination) {
        printError(u"--to: "_s + why);
        return std::nullopt;
    }
    request.destination = *destination;
    request.filter.text = parser.value(o.filter);
    if (parser.isSet(o.header)) {
        const QString pair = parser.value(o.header);
        const qsizetype equals = pair.indexOf(u'=');
        if (equals <= 0) {
            printError(u"--header must be NAME=VALUE, not \"%1\""_s.arg(pair));
            return std::nullopt;
        }
        request.filter.headerName = pair.left(equals);
        request.filter.headerValue = pair.mid(equals + 1);
    }
    if (parser.isSet(u"since"_s)) {
        request.filter.from = QDateTime::fromString(parser.value(u"since"_s), Qt::ISODateWithMs);
        if (!request.filter.from.isValid()) {
            printError(u"--since must be an ISO 8601 time like 2026-11-23T10:00:00Z"_s);
            return std::nullopt;
        }
    }
    if (parser.isSet(o.ids)) {
        QSet<QString> ids;
        for (const QString &id : parser.value(o.ids).split(u',', Qt::SkipEmptyParts))
            ids.insert(id.trimmed());
        request.ids = ids;
    }
    const auto rate = numberValue(parser, o.rate, 0, 1e7);
    const auto window = numberValue(parser, o.window, 1, 10000);
    const auto retryFor = numberValue(parser, o.retryFor, 0, 86400);
    if (!rate || !window || !retryFor)
        return std::nullopt;
    request.ratePerSecond = *rate;
    request.window = int(*window);
    request.retryForSeconds = int(*retryFor);
    if (parser.isSet(u"limit"_s)) {
        bool ok = false;
        request.limit = parser.value(u"limit"_s).toLongLong(&ok);
        if (!ok || request.limit < 1) {
            printError(u"--limit must be a whole number of at least 1"_s);
            return std::nullopt;
        }
    }
    const auto death = deathHistoryFromName(parser.value(o.death));
    if (!death) {
        printError(
            u"--death must be previous, keep or strip, not \"%1\""_s.arg(parser.value(o.death)));
        return std::nullopt;
    }
    request.deathHistory = *death;
    request.dryRun = parser.isSet(o.dryRun);
    request.fromStart = parser.isSet(o.fromStart);
    return request;
}

QString progressLine(const RedriveProgress &p)
{
    QString line = u"moved %1"_s.arg(p.moved);
    if (p.total >= 0)
        line += u", looked at %1/%2"_s.arg(p.looked).arg(p.total);
    line += u", %1/s"_s.arg(p.ratePerSecond, 0, 'f', 0);
    if (p.etaSeconds >= 0)
        line += u", ETA %1 s"_s.arg(p.etaSeconds);
    if (p.failed + p.skipped > 0)
        line += u", left behind %1"_s.arg(p.failed + p.skipped);
    return line + u"  "_s + p.state;
}

void printReport(const RedriveReport &report)
{
    printLine(
        u"%1 -> %2: %3"_s.arg(report.source.toString(), report.destination, report.summary()));
    for (auto it = report.movedByTarget.cbegin(); it != report.movedByTarget.cend(); ++it)
        printLine(u"  %1 %2"_s.arg(it.value(), 8).arg(it.key()));
    for (const RedriveItem &item : report.items)
        if (item.outcome != RedriveItem::Outcome::Moved)
            printLine(u"  %1 %2: %3"_s.arg(redriveOutcomeName(item.outcome), -8)
                          .arg(item.id, item.reason));
    if (report.republished > 0)
        printLine(u"  %1 message(s) were published again after a fault; the destination may "
                  "hold those twice"_s.arg(report.republished));
    if (!report.progressGroup.isEmpty())
        printLine(u"  progress kept in consumer group %1"_s.arg(report.progressGroup));
}

} // namespace

void addRedriveOptions(QCommandLineParser &parser)
{
    RedriveOptions &o = options();
    parser.addOptions({o.to, o.filter, o.header, o.ids, o.rate, o.window, o.dryRun, o.death,
                       o.fromStart, o.report, o.retryFor});
}

int runRedrive(const CtlContext &context, const QCommandLineParser &parser,
               const ClusterProfile &profile, const DlqSource &source)
{
    auto request = requestFrom(parser, source);
    if (!request)
        return ExitUsage;
    RedriveControl control;
    const bool showProgress = !context.json(parser) && ::isatty(STDERR_FILENO);
    g_control = &control;
    std::signal(SIGINT, cancelOnSignal);
    std::signal(SIGTERM, cancelOnSignal);
    if (profile.kind == ClusterKind::Kafka) // on stderr: --json output stays one object
        for (const QString &warning : profile.redriveProducer.warnings())
            printError(u"warning: the profile's redrive producer: "_s + warning);
    RedriveEngine engine(profile);
    const RedriveReport report = engine.run(*request, control, [&](const RedriveProgress &p) {
        if (showProgress) {
            const QByteArray line = "\r" + progressLine(p).toLocal8Bit() + "\x1b[K";
            [[maybe_unused]] const auto written = ::write(STDERR_FILENO, line.data(), line.size());
        }
    });
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    g_control = nullptr;
    if (showProgress)
        printError(QString());

    if (parser.isSet(options().report)) {
        QFile file(parser.value(options().report));
        const QByteArray json = QJsonDocument(report.toJson()).toJson();
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)
            || file.write(json) != json.size())
            printError(u"--report: cannot write %1: %2"_s.arg(file.fileName(), file.errorString()));
    }
    if (context.json(parser))
        printJson(report.toJson());
    else
        printReport(report);
    switch (report.outcome) {
    case RedriveReport::Outcome::Refused:
    case RedriveReport::Outcome::Stopped:
        if (!context.json(parser))
            printError(report.error);
        return ExitClusterFailed;
    case RedriveReport::Outcome::Cancelled:
        return ExitClusterFailed;
    case RedriveReport::Outcome::Completed:
        break;
    }
    // Done, but some selected messages are still in the DLQ: scripts should look.
    return report.failed + report.skipped > 0 ? ExitVerdict : ExitOk;
}

} // namespace veltrix::ctl
