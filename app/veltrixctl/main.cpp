// veltrixctl: the console's capabilities for scripts and terminals. Thin: the
// commands live beside this file and call the same models/ code as the GUI.
#include "commands.h"
#include "core/tlslibrarylifetime.h"

#include <QCoreApplication>

#include <cstdio>

using namespace veltrix::ctl;

int main(int argc, char *argv[])
{
    veltrix::keepTlsLibraryUntilExit();
    // Line by line into a pipe: a script sees each result as it comes, and nothing printed
    // is lost however the process ends (a signal, a sanitizer's exit skipping stdio's flush).
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("veltrix"));
    QCoreApplication::setApplicationVersion(QStringLiteral(VELTRIX_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Veltrix Console on the command line.\n\nCommands:\n"
                       "  profiles   list the connection profiles\n"
                       "  profiles import FILE|URI --name NAME   add a profile from a Java "
                       "client .properties file, a kcat config or an amqp(s):// URI; its "
                       "password goes to the system keychain (or --password-env VARIABLE)\n"
                       "  check      connect to every selected cluster and report reachability\n"
                       "  lag        consumer lag of every group, partition by partition, with "
                       "verdicts\n"
                       "  dlq list   every dead-letter queue / topic with depth (and inflow)\n"
                       "  dlq show SOURCE   messages of one DLQ without removing them; SOURCE is "
                       "kafka:<cluster>/<topic> or rabbitmq:<cluster>/<vhost>/<queue>\n"
                       "  dlq redrive SOURCE   move dead letters back (or --to elsewhere), "
                       "paced, confirmed, audited; --dry-run to preview\n"
                       "  dlq purge SOURCE   empty a DLQ for good (RabbitMQ queue.purge, Kafka "
                       "DeleteRecords); --dry-run counts\n"
                       "  offsets reset kafka:<cluster>/<group> --topic T --to earliest|latest|"
                       "offset:N|<ISO time>   move a stopped group's offsets; --dry-run previews\n"
                       "  exporter   serve every selected cluster's lag, DLQs and probes on "
                       "/metrics for Prometheus (--listen HOST:PORT), until Ctrl-C\n"
                       "  probe [SOURCE]   end-to-end latency probes, once; SOURCE is "
                       "kafka:<cluster>[/<topic>] or rabbitmq:<cluster>[/<vhost>] (default: "
                       "every selected cluster)\n"
                       "  retry get TARGET   a queue's retry and dead-letter settings and where "
                       "each comes from; TARGET is rabbitmq:<cluster>/<vhost>/<queue>\n"
                       "  retry set TARGET   change them as a policy (--set, --unset, "
                       "--max-attempts) or build a backoff ladder (--backoff 1s,5s,30s); "
                       "--dry-run to preview"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(
        QStringLiteral("command"),
        QStringLiteral("profiles | check | lag | dlq | offsets | exporter | probe | retry"));
    CtlContext context;
    context.addOptions(parser);
    addLagOptions(parser);
    addDlqOptions(parser);
    addRedriveOptions(parser);
    addProbeOptions(parser);
    addRetryOptions(parser);
    addProfilesOptions(parser);
    addOpsOptions(parser);
    addExporterOptions(parser);
    parser.process(app);

    const QStringList args = parser.positionalArguments();
    if (args.isEmpty()) {
        printError(QStringLiteral("no command given; try --help"));
        return ExitUsage;
    }
    const QString &command = args.first();
    if (command == QLatin1String("dlq"))
        return runDlq(context, parser, args.mid(1));
    if (command == QLatin1String("probe"))
        return runProbe(context, parser, args.mid(1));
    if (command == QLatin1String("retry"))
        return runRetry(context, parser, args.mid(1));
    if (command == QLatin1String("profiles"))
        return runProfiles(context, parser, args.mid(1));
    if (command == QLatin1String("offsets"))
        return runOffsets(context, parser, args.mid(1));
    if (args.size() > 1) {
        printError(QStringLiteral("%1: unexpected argument \"%2\"").arg(command, args.at(1)));
        return ExitUsage;
    }
    if (command == QLatin1String("check"))
        return runCheck(context, parser);
    if (command == QLatin1String("lag"))
        return runLag(context, parser);
    if (command == QLatin1String("exporter"))
        return runExporter(context, parser);
    printError(QStringLiteral("unknown command \"%1\"; try --help").arg(command));
    return ExitUsage;
}
