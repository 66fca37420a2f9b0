// veltrix-demo: the embedded default the console opens on. Thin: options in, the
// DemoEnvironment runs everything, a status line every 10 s, a clean stop on
// SIGINT/SIGTERM.
#include "core/tlslibrarylifetime.h"
#include "demo/demoenvironment.h"
#include "demo/kafkabrokerprocess.h"
#include "stopsignals.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonDocument>
#include <QTimer>

#include <csignal>
#include <cstdio>

using namespace veltrix;
using namespace veltrix::demo;

namespace {

void say(const QString &line)
{
    std::fprintf(stdout, "%s\n", qPrintable(line));
    std::fflush(stdout);
}

} // namespace

int main(int argc, char *argv[])
{
    veltrix::keepTlsLibraryUntilExit();
    // The demo's mock Kafka broker runs as a child of the demo, from this same binary.
    if (argc == 2 && qstrcmp(argv[1], "--kafka-broker") == 0)
        return KafkaBrokerProcess::runBroker();

    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("veltrix-demo"));
    QCoreApplication::setApplicationVersion(QStringLiteral(VELTRIX_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "A realistic e-commerce event mesh to operate: librdkafka's mock Kafka cluster, a "
        "private RabbitMQ node and services that fail, retry and dead-letter."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption rate(QStringLiteral("rate"),
                                  QStringLiteral("Messages per second, overall (default 200)."),
                                  QStringLiteral("N"), QStringLiteral("200"));
    const QCommandLineOption amqp(
        QStringLiteral("amqp"),
        QStringLiteral("Use this RabbitMQ instead of a private node (needs --management)."),
        QStringLiteral("URI"));
    const QCommandLineOption management(QStringLiteral("management"),
                                        QStringLiteral("Management API URL of the --amqp node."),
                                        QStringLiteral("URL"));
    const QCommandLineOption profilesOut(
        QStringLiteral("profiles-out"),
        QStringLiteral("Write the console's profiles file here (default: in the work folder)."),
        QStringLiteral("FILE"));
    const QCommandLineOption workDir(
        QStringLiteral("work-dir"),
        QStringLiteral("Keep the private node's data here (default: a temporary folder, removed "
                       "on exit)."),
        QStringLiteral("DIR"));
    const QCommandLineOption duration(
        QStringLiteral("duration"),
        QStringLiteral("Stop by itself after this many seconds (default: run until Ctrl-C)."),
        QStringLiteral("SECONDS"));
    const QCommandLineOption poison(
        QStringLiteral("poison-share"),
        QStringLiteral("Share of messages that always fail (default 0.02)."), QStringLiteral("X"),
        QStringLiteral("0.02"));
    parser.addOptions({rate, amqp, management, profilesOut, workDir, duration, poison});
    parser.process(app);

    if (parser.isSet(amqp) != parser.isSet(management)) {
        std::fprintf(stderr, "veltrix-demo: --amqp and --management go together\n");
        return 2;
    }
    DemoOptions options;
    bool ok = true;
    options.settings.messagesPerSecond = parser.value(rate).toDouble(&ok);
    if (!ok || options.settings.messagesPerSecond <= 0) {
        std::fprintf(stderr, "veltrix-demo: --rate takes a positive number\n");
        return 2;
    }
    options.settings.poisonShare = parser.value(poison).toDouble(&ok);
    if (!ok || options.settings.poisonShare < 0 || options.settings.poisonShare > 1) {
        std::fprintf(stderr, "veltrix-demo: --poison-share takes a number from 0 to 1\n");
        return 2;
    }
    options.amqpUri = parser.value(amqp);
    options.managementUrl = parser.value(management);
    options.workDir = parser.value(workDir);
    options.profilesPath = parser.value(profilesOut);

    // Before anything starts: a Ctrl-C during start-up must still stop everything in order
    // (it is handled once start() returns and the event loop runs).
    StopSignals stopSignals;
    DemoEnvironment demo(options);
    const auto started
        = demo.start([](const QString &step) { say(QStringLiteral("veltrix-demo: ") + step); });
    if (!started) {
        std::fprintf(stderr, "veltrix-demo: %s\n", qPrintable(started.error().describe()));
        demo.stop();
        return 1;
    }
    say(QStringLiteral("veltrix-demo: ready\n"
                       "  Kafka bootstrap      %1\n"
                       "  RabbitMQ AMQP        %2\n"
                       "  RabbitMQ management  %3\n"
                       "  Profiles             %4\n"
                       "  Open the console:    veltrix-console --profiles %4\n"
                       "  Stop with Ctrl-C.")
            .arg(started->kafkaBootstrap, started->amqpUri, started->managementUrl,
                 started->profilesPath));

    QTimer status;
    int exitCode = 0;
    auto finish = [&](const QString &why) {
        status.stop();
        say(QStringLiteral("veltrix-demo: stopping (%1)").arg(why));
        demo.stop();
        say(QStringLiteral("veltrix-demo: stopped"));
        QCoreApplication::exit(exitCode);
    };
    const auto onSignal = [&](int sig) {
        finish(sig == SIGINT ? QStringLiteral("SIGINT") : QStringLiteral("SIGTERM"));
    };
    QObject::connect(&stopSignals, &StopSignals::stopRequested, &app, onSignal);
    if (stopSignals.requested()) // arrived while starting
        QTimer::singleShot(0, &app, [&] { onSignal(stopSignals.requested()); });
    if (parser.isSet(duration)) {
        const int seconds = parser.value(duration).toInt();
        QTimer::singleShot(std::chrono::seconds(std::max(1, seconds)), &app,
                           [&] { finish(QStringLiteral("--duration reached")); });
    }
    QObject::connect(&status, &QTimer::timeout, &app, [&] {
        say(QStringLiteral("veltrix-demo: ")
            + QString::fromUtf8(QJsonDocument(demo.stats()).toJson(QJsonDocument::Compact)));
    });
    status.start(std::chrono::seconds(10));
    return QCoreApplication::exec();
}
