// veltrixctl probe [SOURCE] [--count N] [--rate R] [--deadline S] [--json]
// The console's end-to-end probes, run once: a scriptable check for cron. This file only
// picks the clusters and prints the summaries.
#include "commands.h"

#include "metrics/probesummary.h"

#include <QUrl>

#include <atomic>
#include <csignal>

namespace veltrix::ctl {

using namespace Qt::StringLiterals;

namespace {

struct ProbeOptions
{
    QCommandLineOption count {u"count"_s,
                              u"probe: rounds to send (default 10); a Kafka round is one probe "
                              "per partition, a RabbitMQ round one of each kind."_s,
                              u"N"_s, u"10"_s};
    QCommandLineOption deadline {u"deadline"_s,
                                 u"probe: seconds a probe may take before it counts as lost "
                                 "(default: the profile's, else 5)."_s,
                                 u"SECONDS"_s};
};

ProbeOptions &options()
{
    static ProbeOptions o;
    return o;
}

std::atomic<bool> g_cancelled {false};

extern "C" void cancelProbes(int)
{
    g_cancelled = true;
}

// "kafka:<cluster>[/<topic>]" or "rabbitmq:<cluster>[/<vhost>]"
struct ProbeSource
{
    ClusterKind kind = ClusterKind::Kafka;
    QString cluster;
    QString path; // topic or vhost; empty: the profile's
};

std::optional<ProbeSource> parseSource(const QString &text)
{
    const qsizetype colon = text.indexOf(u':');
    const QString scheme = text.left(colon);
    if (colon <= 0 || (scheme != u"kafka" && scheme != u"rabbitmq"))
        return std::nullopt;
    const QString rest = text.mid(colon + 1);
    const qsizetype slash = rest.indexOf(u'/');
    ProbeSource source;
    source.kind = scheme == u"kafka" ? ClusterKind::Kafka : ClusterKind::RabbitMq;
    source.cluster = slash < 0 ? rest : rest.left(slash);
    source.path = slash < 0 ? QString() : QUrl::fromPercentEncoding(rest.mid(slash + 1).toUtf8());
    if (source.cluster.isEmpty())
        return std::nullopt;
    return source;
}

// The profile with the source's topic or vhost in place of its own.
ClusterProfile probedProfile(ClusterProfile profile, const ProbeSource &source)
{
    if (source.path.isEmpty())
        return profile;
    if (profile.kind == ClusterKind::Kafka) {
        profile.probe.topic = source.path;
    } else {
        QUrl uri(profile.amqpUri);
        uri.setPath(u'/' + QString::fromUtf8(QUrl::toPercentEncoding(source.path)),
                    QUrl::StrictMode);
        profile.amqpUri = uri.toString();
    }
    return profile;
}

QString latencyText(const ProbeSummary &summary, double value)
{
    return summary.latencies.empty() ? u"-"_s : QString::number(value, 'f', 1);
}

void printSummary(const ProbeSummary &summary)
{
    printLine(u"%1  %2  sent %3  received %4  p50 %5 ms  p95 %6 ms  p99 %7 ms  max %8 ms  "
              "availability %9 %"_s.arg(summary.target, probeKindName(summary.kind))
                  .arg(summary.sent)
                  .arg(summary.received)
                  .arg(latencyText(summary, summary.latencies.percentile(50)),
                       latencyText(summary, summary.latencies.percentile(95)),
                       latencyText(summary, summary.latencies.percentile(99)),
                       latencyText(summary, summary.latencies.max()))
                  .arg(summary.availability() * 100, 0, 'f', 2));
}

} // namespace

void addProbeOptions(QCommandLineParser &parser)
{
    parser.addOptions({options().count, options().deadline});
}

int runProbe(const CtlContext &context, const QCommandLineParser &parser, const QStringList &args)
{
    if (args.size() > 1) {
        printError(u"probe takes at most one SOURCE: kafka:<cluster>[/<topic>] or "
                   "rabbitmq:<cluster>[/<vhost>]"_s);
        return ExitUsage;
    }
    std::optional<ProbeSource> source;
    if (!args.isEmpty()) {
        source = parseSource(args.first());
        if (!source) {
            printError(u"probe: \"%1\" is not kafka:<cluster>[/<topic>] or "
                       "rabbitmq:<cluster>[/<vhost>]"_s.arg(args.first()));
            return ExitUsage;
        }
    }
    bool ok = false;
    const int count = parser.value(options().count).toInt(&ok);
    if (!ok || count < 1 || count > 100000) {
        printError(u"--count must be a whole number from 1 to 100000"_s);
        return ExitUsage;
    }
    double rate = 5;
    if (parser.isSet(u"rate"_s)) {
        rate = parser.value(u"rate"_s).toDouble(&ok);
        if (!ok || rate < 0.01 || rate > 1000) {
            printError(u"--rate must be a number of rounds per second from 0.01 to 1000"_s);
            return ExitUsage;
        }
    }
    std::optional<std::chrono::milliseconds> deadline;
    if (parser.isSet(options().deadline)) {
        const double seconds = parser.value(options().deadline).toDouble(&ok);
        if (!ok || seconds < 0.1 || seconds > 600) {
            printError(u"--deadline must be a number of seconds from 0.1 to 600"_s);
            return ExitUsage;
        }
        deadline = std::chrono::milliseconds(qint64(seconds * 1000));
    }

    const auto clusters = context.resolveClusters(parser);
    if (!clusters)
        return ExitUsage;
    QList<ClusterProfile> selected;
    for (const ClusterProfile &profile : *clusters) {
        if (!source || (profile.name == source->cluster && profile.kind == source->kind))
            selected.append(source ? probedProfile(profile, *source) : profile);
    }
    if (selected.isEmpty()) {
        printError(source ? u"probe: no %1 cluster named \"%2\" in the profiles"_s.arg(
                       clusterKindName(source->kind), source->cluster)
                          : u"probe: no cluster selected"_s);
        return ExitUsage;
    }

    std::signal(SIGINT, cancelProbes);
    std::signal(SIGTERM, cancelProbes);
    int exit = ExitOk;
    for (const ClusterProfile &profile : std::as_const(selected)) {
        ProbeSettings settings = profile.probe;
        settings.rate = rate;
        if (deadline)
            settings.deadline = *deadline;
        const auto summaries
            = runProbesOnce(profile, settings, count, [] { return g_cancelled.load(); });
        if (!summaries) {
            exit = ExitClusterFailed;
            if (context.json(parser))
                printJson({{u"target"_s, profile.name},
                           {u"error"_s, summaries.error().describe()},
                           {u"error_kind"_s, summaries.error().kindName()}});
            else
                printError(u"%1: %2"_s.arg(profile.name, summaries.error().describe()));
            continue;
        }
        for (const ProbeSummary &summary : summaries.value()) {
            if (summary.availability() < 1.0 && exit == ExitOk)
                exit = ExitVerdict;
            if (context.json(parser))
                printJson(summary.toJson());
            else
                printSummary(summary);
        }
        if (g_cancelled)
            return ExitClusterFailed;
    }
    return exit;
}

} // namespace veltrix::ctl
