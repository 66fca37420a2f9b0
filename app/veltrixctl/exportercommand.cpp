// `veltrixctl exporter --listen HOST:PORT`: the console's pollers without a window, their
// numbers on /metrics for Prometheus, until SIGINT or SIGTERM (like kafka-lag-exporter).
#include "commands.h"

#include "metrics/exportercli.h"
#include "metrics/metricsendpoint.h"
#include "metrics/metricstore.h"
#include "redrive/auditlog.h"
#include "session/exporterbridge.h"
#include "session/sessionmanager.h"
#include "stopsignals.h"

#include <QCoreApplication>

namespace veltrix::ctl {

using namespace Qt::StringLiterals;

namespace {

const QCommandLineOption listenOption {u"listen"_s,
                                       u"exporter: where /metrics answers (default "
                                       "127.0.0.1:9464)."_s,
                                       u"HOST:PORT"_s, u"127.0.0.1:9464"_s};

} // namespace

void addExporterOptions(QCommandLineParser &parser)
{
    parser.addOption(listenOption);
    addExporterFilterOptions(parser);
}

int runExporter(const CtlContext &context, const QCommandLineParser &parser)
{
    const ExporterOptions exporterOpts = exporterFilterOptions(parser);
    if (const QString problem = exporterOpts.problem(); !problem.isEmpty()) {
        printError(u"exporter: "_s + problem);
        return ExitUsage;
    }
    const auto clusters = context.resolveClusters(parser);
    if (!clusters)
        return ExitUsage;

    auto metrics = std::make_shared<ExporterMetrics>(exporterOpts);
    auto endpoint = MetricsEndpoint::listen(parser.value(listenOption), metrics);
    if (!endpoint) {
        printError(endpoint.error().describe());
        return ExitUsage;
    }
    StopSignals stop;
    SessionManager sessions;
    // The probes feed the same store the dashboards draw from; the exporter reads outcomes.
    sessions.setMetricStore(std::make_shared<MetricStore>());
    ExporterBridge bridge(&sessions, metrics, AuditLog::defaultPath());
    sessions.open(*clusters);
    QObject::connect(&stop, &StopSignals::stopRequested, qApp, [] { QCoreApplication::quit(); });
    printError(u"exporter: serving http://%1/metrics for %2 cluster(s); Ctrl-C stops"_s.arg(
        parser.value(listenOption).section(u':', 0, -2) + u':'
            + QString::number(endpoint.value()->port()),
        QString::number(clusters->size())));
    if (!stop.requested())
        QCoreApplication::exec();
    sessions.closeAll();
    return ExitOk;
}

} // namespace veltrix::ctl
