// Bench: veltrix-demo's memory over a long run (issue #3: RSS growth under 10% after
// the first minute over 10 minutes). Prints one JSON line per figure; never part of
// the pass/fail suite.
//   demo_memory [--minutes M] [--demo PATH]
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QThread>

#include <csignal>
#include <cstdio>

namespace {

// Resident set size in MiB from /proc (VmRSS is in kB).
double rssMiB(qint64 pid)
{
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toDouble() / 1024.0;
    }
    return -1;
}

void emitFigure(const QJsonObject &figure)
{
    std::printf("%s\n", QJsonDocument(figure).toJson(QJsonDocument::Compact).constData());
    std::fflush(stdout);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    const QCommandLineOption minutes(QStringLiteral("minutes"), QStringLiteral("Run length."),
                                     QStringLiteral("M"), QStringLiteral("10"));
    const QCommandLineOption demoPath(QStringLiteral("demo"),
                                      QStringLiteral("veltrix-demo binary."),
                                      QStringLiteral("PATH"), qEnvironmentVariable("VELTRIX_DEMO"));
    parser.addOptions({minutes, demoPath});
    parser.process(app);
    const double runMinutes = parser.value(minutes).toDouble();

    QProcess demo;
    demo.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    demo.start(parser.value(demoPath), {});
    if (!demo.waitForStarted(10000)) {
        std::fprintf(stderr, "demo_memory: cannot start %s\n", qPrintable(parser.value(demoPath)));
        return 1;
    }
    QElapsedTimer clock;
    clock.start();
    QByteArray output;
    while (!output.contains("veltrix-demo: ready") && clock.elapsed() < 90000
           && demo.state() == QProcess::Running) {
        demo.waitForReadyRead(500);
        output += demo.readAllStandardOutput();
    }
    if (!output.contains("veltrix-demo: ready")) {
        std::fprintf(stderr, "demo_memory: veltrix-demo did not become ready\n%s\n",
                     output.constData());
        demo.kill();
        demo.waitForFinished();
        return 1;
    }
    clock.restart();
    const qint64 pid = demo.processId();
    double atOneMinute = -1, peak = 0, last = 0;
    while (clock.elapsed() < qint64(runMinutes * 60000)) {
        QThread::sleep(5);
        demo.readAllStandardOutput(); // keep the pipe drained
        last = rssMiB(pid);
        peak = std::max(peak, last);
        if (atOneMinute < 0 && clock.elapsed() >= 60000)
            atOneMinute = last;
    }
    if (atOneMinute < 0)
        atOneMinute = last; // a run shorter than a minute compares against its end

    QElapsedTimer stopClock;
    stopClock.start();
    ::kill(static_cast<pid_t>(pid), SIGTERM);
    demo.waitForFinished(60000);
    const double growth = atOneMinute > 0 ? (last - atOneMinute) * 100.0 / atOneMinute : 0;
    emitFigure({{QStringLiteral("bench"), QStringLiteral("demo_memory")},
                {QStringLiteral("minutes"), runMinutes},
                {QStringLiteral("rss_mib_at_1min"), atOneMinute},
                {QStringLiteral("rss_mib_end"), last},
                {QStringLiteral("rss_mib_peak"), peak},
                {QStringLiteral("growth_pct_after_1min"), growth},
                {QStringLiteral("goal_pct"), 10},
                {QStringLiteral("met"), growth < 10}});
    emitFigure({{QStringLiteral("bench"), QStringLiteral("demo_stop")},
                {QStringLiteral("stop_ms"), stopClock.elapsed()},
                {QStringLiteral("exit_code"), demo.exitCode()},
                {QStringLiteral("clean"),
                 demo.exitStatus() == QProcess::NormalExit && demo.exitCode() == 0}});
    return 0;
}
