// veltrix-console: the GUI. Thin: parse the command line, load profiles, show the window.
#include "core/profilefile.h"
#include "core/tlslibrarylifetime.h"
#include "mainwindow.h"
#include "metrics/exportercli.h"
#include "metrics/metricsendpoint.h"
#include "redrive/auditlog.h"
#include "screenshot.h"
#include "session/exporterbridge.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QIcon>

#include <cstdio>

using namespace veltrix;

int main(int argc, char *argv[])
{
    veltrix::keepTlsLibraryUntilExit();
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("veltrix"));
    QApplication::setApplicationDisplayName(QStringLiteral("Veltrix Console"));
    QApplication::setApplicationVersion(QStringLiteral(VELTRIX_VERSION));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/veltrix/icons/veltrix.svg")));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Operations console for Kafka and RabbitMQ"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption profilesOption(
        QStringLiteral("profiles"),
        QStringLiteral("Connection profiles file (default: %1).").arg(ProfileFile::defaultPath()),
        QStringLiteral("FILE"));
    const QCommandLineOption screenshotOption(
        QStringLiteral("screenshot"),
        QStringLiteral("Render the main window to a PNG once the clusters answered, then exit."),
        QStringLiteral("FILE"));
    const QCommandLineOption timeoutOption(
        QStringLiteral("screenshot-timeout"),
        QStringLiteral("Seconds to wait for the clusters before rendering anyway (default 20)."),
        QStringLiteral("SECONDS"), QStringLiteral("20"));
    const QCommandLineOption afterOption(
        QStringLiteral("screenshot-after"),
        QStringLiteral("Render no earlier than this many seconds after start, e.g. 70 to show "
                       "lag verdicts judged over a full window (default 0)."),
        QStringLiteral("SECONDS"), QStringLiteral("0"));
    const QCommandLineOption dlqOption(
        QStringLiteral("dlq"),
        QStringLiteral("Open the Dead letters tab on this DLQ: kafka:<cluster>/<topic> or "
                       "rabbitmq:<cluster>/<vhost>/<queue> (a queue is browsed at once)."),
        QStringLiteral("SOURCE"));
    const QCommandLineOption tabOption(
        QStringLiteral("tab"),
        QStringLiteral(
            "Open this tab: overview, consumer lag, topics, dead letters, dashboards, retry or "
            "audit."),
        QStringLiteral("NAME"));
    const QCommandLineOption retryOption(
        QStringLiteral("retry"),
        QStringLiteral("Open the Retry tab on a queue (rabbitmq:<cluster>/<vhost>/<queue>) or a "
                       "Kafka consumer group (kafka:<cluster>/<group>)."),
        QStringLiteral("TARGET"));
    const QCommandLineOption metricsOption(
        QStringLiteral("metrics-listen"),
        QStringLiteral("Serve this session's numbers on http://HOST:PORT/metrics for Prometheus "
                       "(off by default), e.g. 127.0.0.1:9464."),
        QStringLiteral("HOST:PORT"));
    parser.addOptions({profilesOption, screenshotOption, timeoutOption, afterOption, dlqOption,
                       tabOption, retryOption, metricsOption});
    addExporterFilterOptions(parser);
    parser.process(app);

    MainWindow window;
    // The exposer: off unless asked for, fed by the window's own sessions.
    std::unique_ptr<MetricsEndpoint> metricsEndpoint;
    if (parser.isSet(metricsOption)) {
        const ExporterOptions filters = exporterFilterOptions(parser);
        auto metrics = std::make_shared<ExporterMetrics>(filters);
        auto endpoint = MetricsEndpoint::listen(parser.value(metricsOption), metrics);
        if (!filters.problem().isEmpty() || !endpoint) {
            std::fprintf(stderr, "veltrix-console: %s\n",
                         qPrintable(endpoint ? filters.problem() : endpoint.error().describe()));
            return 2;
        }
        metricsEndpoint = std::move(endpoint).value();
        new ExporterBridge(window.sessions(), metrics, AuditLog::defaultPath(), &window);
    }
    const bool explicitProfiles = parser.isSet(profilesOption);
    const QString path
        = explicitProfiles ? parser.value(profilesOption) : ProfileFile::defaultPath();
    if (explicitProfiles || QFileInfo::exists(path)) {
        const ProfileFileResult loaded = ProfileFile::load(path);
        if (loaded.ok()) {
            window.openProfiles(loaded.clusters, path);
        } else {
            const QString problem = loaded.error->describe();
            std::fprintf(stderr, "veltrix-console: %s\n", qPrintable(problem));
            window.openProfiles({}, path);
            window.showProblem(problem);
        }
    } else {
        window.openProfiles({}, QString());
    }

    if (parser.isSet(dlqOption))
        window.openDeadLetters(parser.value(dlqOption));
    if (parser.isSet(retryOption) && !window.openRetrySettings(parser.value(retryOption))) {
        std::fprintf(stderr,
                     "veltrix-console: --retry wants rabbitmq:<cluster>/<vhost>/<queue> or "
                     "kafka:<cluster>/<group> of a profile, not \"%s\"\n",
                     qPrintable(parser.value(retryOption)));
        return 2;
    }
    if (parser.isSet(tabOption) && !window.showTab(parser.value(tabOption))) {
        std::fprintf(stderr, "veltrix-console: no tab named \"%s\"\n",
                     qPrintable(parser.value(tabOption)));
        return 2;
    }

    if (parser.isSet(screenshotOption)) {
        bool ok = false;
        const int seconds = parser.value(timeoutOption).toInt(&ok);
        bool afterOk = false;
        const int after = parser.value(afterOption).toInt(&afterOk);
        window.show();
        renderWhenReady(&window, window.sessions(), parser.value(screenshotOption),
                        std::chrono::seconds(ok && seconds > 0 ? seconds : 20),
                        std::chrono::seconds(afterOk && after > 0 ? after : 0));
    } else {
        window.show();
    }
    return QApplication::exec();
}
