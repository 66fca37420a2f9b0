#include "commands.h"

#include "kafka/kafkalagpoller.h"
#include "lag/lagjson.h"

#include <QThread>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentMap>

namespace veltrix::ctl {

namespace {

struct LagOptions
{
    QCommandLineOption group {QStringLiteral("group"),
                              QStringLiteral("lag: only this consumer group (repeatable)."),
                              QStringLiteral("GROUP")};
    QCommandLineOption window {
        QStringLiteral("window"),
        QStringLiteral("lag: watch for this many seconds and judge the groups over that window "
                       "(default: one poll, figures only)."),
        QStringLiteral("SECONDS")};
    QCommandLineOption interval {QStringLiteral("interval"),
                                 QStringLiteral("lag: seconds between polls with --window "
                                                "(default: the profile's, 2)."),
                                 QStringLiteral("SECONDS")};
    QCommandLineOption partitions {QStringLiteral("partitions"),
                                   QStringLiteral("lag: list every partition in the text output "
                                                  "(always with --group and --json).")};
    QCommandLineOption failOn {QStringLiteral("fail-on"),
                               QStringLiteral("lag: exit 3 when a group's verdict is this or "
                                              "worse (WARN, STALL, STOP, REWIND, OUT_OF_RANGE)."),
                               QStringLiteral("VERDICT")};
};

LagOptions &options()
{
    static LagOptions o;
    return o;
}

std::optional<std::chrono::milliseconds> secondsOption(const QCommandLineParser &parser,
                                                       const QCommandLineOption &option, double min)
{
    bool ok = false;
    const double seconds = parser.value(option).toDouble(&ok);
    if (!ok || seconds < min) {
        printError(QStringLiteral("--%1 must be a number of seconds of at least %2, not \"%3\"")
                       .arg(option.names().constFirst())
                       .arg(min)
                       .arg(parser.value(option)));
        return std::nullopt;
    }
    return std::chrono::milliseconds(qRound64(seconds * 1000));
}

// Polls one cluster once, or over the window; returns the last snapshot.
Result<LagSnapshot> observe(const ClusterProfile &profile, const QStringList &groups,
                            std::optional<std::chrono::milliseconds> window,
                            std::chrono::milliseconds timeout)
{
    LagSettings settings = profile.lag;
    if (window)
        settings.window = *window;
    KafkaLagPoller poller(profile, settings, timeout);
    QDateTime firstPoll;
    for (;;) {
        auto snapshot = poller.poll(groups);
        if (!snapshot || !window)
            return snapshot;
        if (!firstPoll.isValid())
            firstPoll = snapshot->polledAt;
        // The verdicts judge the polls' own times: stop once they span the window.
        const qint64 left = window->count() - firstPoll.msecsTo(snapshot->polledAt);
        if (left <= 0)
            return snapshot;
        QThread::msleep(static_cast<unsigned long>(
            std::clamp<qint64>(std::min<qint64>(settings.interval.count(), left), 1, 3600000)));
    }
}

QString formatSeconds(const std::optional<double> &seconds)
{
    if (!seconds)
        return QStringLiteral("-");
    return QString::number(*seconds, 'f', *seconds < 10 ? 1 : 0) + QStringLiteral(" s");
}

QString formatPartition(const PartitionLag &p)
{
    QString line = QStringLiteral("    %1 %2 committed %3  end %4  lag %5  time lag %6 (%7)")
                       .arg(p.key().toString(), -24)
                       .arg(lagVerdictName(p.verdict), -12)
                       .arg(p.committed ? QString::number(*p.committed) : QStringLiteral("none"))
                       .arg(p.endOffset >= 0 ? QString::number(p.endOffset) : QStringLiteral("?"))
                       .arg(p.lag ? QString::number(*p.lag) : QStringLiteral("-"))
                       .arg(formatSeconds(p.timeLagSeconds), timeLagSourceName(p.timeLagSource));
    if (!p.memberClientId.isEmpty())
        line += QStringLiteral("  member %1 %2").arg(p.memberClientId, p.memberHost);
    if (p.flags)
        line += QStringLiteral("  [%1]").arg(lagFlagNames(p.flags).join(QStringLiteral(", ")));
    return line;
}

void printText(const LagSnapshot &s, bool withPartitions)
{
    printLine(QStringLiteral("%1  polled %2 in %3 ms (%4 ListOffsets, %5 OffsetFetch); window %6 s")
                  .arg(s.cluster, s.polledAt.toUTC().toString(Qt::ISODate))
                  .arg(s.pollMs)
                  .arg(s.requests.listOffsets)
                  .arg(s.requests.offsetFetch)
                  .arg(s.windowSeconds));
    for (const QString &note : {s.groupsNote, s.membershipNote})
        if (!note.isEmpty())
            printLine(QStringLiteral("  note: ") + note);
    printLine(QStringLiteral("  %1 %2 %3 %4 %5  %6")
                  .arg(QStringLiteral("GROUP"), -28)
                  .arg(QStringLiteral("VERDICT"), -12)
                  .arg(QStringLiteral("STATE"), -12)
                  .arg(QStringLiteral("TOTAL LAG"), 12)
                  .arg(QStringLiteral("MAX TIME LAG"), 12)
                  .arg(QStringLiteral("WHY")));
    for (const GroupLag &g : s.groups) {
        printLine(QStringLiteral("  %1 %2 %3 %4 %5  %6")
                      .arg(g.group, -28)
                      .arg(lagVerdictName(g.verdict), -12)
                      .arg(g.state.isEmpty() ? QStringLiteral("?") : g.state, -12)
                      .arg(g.totalLag, 12)
                      .arg(formatSeconds(g.maxTimeLagSeconds), 12)
                      .arg(g.verdict == LagVerdict::Ok ? QString() : g.verdictReason));
        if (withPartitions)
            for (const PartitionLag &p : g.partitions)
                printLine(formatPartition(p));
    }
}

} // namespace

void addLagOptions(QCommandLineParser &parser)
{
    LagOptions &o = options();
    parser.addOptions({o.group, o.window, o.interval, o.partitions, o.failOn});
}

int runLag(const CtlContext &context, const QCommandLineParser &parser)
{
    const LagOptions &o = options();
    auto clusters = context.resolveClusters(parser);
    if (!clusters)
        return ExitUsage;
    QList<ClusterProfile> kafka;
    for (const ClusterProfile &profile : std::as_const(*clusters))
        if (profile.kind == ClusterKind::Kafka)
            kafka << profile;
    if (kafka.isEmpty()) {
        printError(QStringLiteral("lag: no Kafka cluster selected (lag is measured on Kafka "
                                  "consumer groups)"));
        return ExitUsage;
    }
    std::optional<std::chrono::milliseconds> window;
    if (parser.isSet(o.window) && !(window = secondsOption(parser, o.window, 1)))
        return ExitUsage;
    if (parser.isSet(o.interval)) {
        const auto interval = secondsOption(parser, o.interval, 0.1);
        if (!interval)
            return ExitUsage;
        for (ClusterProfile &profile : kafka)
            profile.lag.interval = *interval;
    }
    std::optional<LagVerdict> failOn;
    if (parser.isSet(o.failOn)) {
        failOn = lagVerdictFromName(parser.value(o.failOn).toUpper());
        if (!failOn) {
            printError(QStringLiteral("--fail-on: unknown verdict \"%1\"; one of WARN, STALL, "
                                      "STOP, REWIND, OUT_OF_RANGE")
                           .arg(parser.value(o.failOn)));
            return ExitUsage;
        }
    }
    const QStringList groups = parser.values(o.group);
    const auto timeout = context.timeout(parser);

    // Clusters in parallel: a dead one costs its own timeout, not everyone's.
    QThreadPool pool;
    pool.setMaxThreadCount(std::max(1, static_cast<int>(kafka.size())));
    const QList<Result<LagSnapshot>> results
        = QtConcurrent::blockingMapped<QList<Result<LagSnapshot>>>(
            &pool, kafka, [&](const ClusterProfile &profile) {
                return observe(profile, groups, window, timeout);
            });

    int exit = ExitOk;
    const bool withPartitions = parser.isSet(o.partitions) || !groups.isEmpty();
    for (qsizetype i = 0; i < results.size(); ++i) {
        const Result<LagSnapshot> &result = results[i];
        if (!result) {
            exit = ExitClusterFailed;
            if (context.json(parser))
                printJson({{QStringLiteral("cluster"), kafka[i].name},
                           {QStringLiteral("error"),
                            QJsonObject {{QStringLiteral("kind"), result.error().kindName()},
                                         {QStringLiteral("message"), result.error().describe()}}}});
            else
                printError(result.error().describe());
            continue;
        }
        if (context.json(parser))
            printJson(lagSnapshotToJson(result.value()));
        else
            printText(result.value(), withPartitions);
        for (const QString &wanted : groups)
            if (!result->group(wanted))
                printError(
                    QStringLiteral("%1: no consumer group \"%2\"").arg(kafka[i].name, wanted));
        if (failOn && exit == ExitOk)
            for (const GroupLag &g : result->groups)
                if (g.verdict >= *failOn)
                    exit = ExitVerdict;
    }
    return exit;
}

} // namespace veltrix::ctl
