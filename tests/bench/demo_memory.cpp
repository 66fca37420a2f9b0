// Bench: veltrix-demo's memory over a long run (issue #3: RSS growth under 10% after
// the first minute over 10 minutes). Prints one JSON line per figure; never part of
// the pass/fail suite.
//   demo_memory [--minutes M] [--demo PATH]
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QThread>

#include <csignal>
#include <cstdio>
#include <sys/prctl.h>

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

// Every process below root, by walking /proc's parent links.
QList<qint64> descendants(qint64 root)
{
    QMultiHash<qint64, qint64> children;
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs);
    for (const QString &entry : entries) {
        bool isPid = false;
        const qint64 pid = entry.toLongLong(&isPid);
        if (!isPid)
            continue;
        QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
        if (!stat.open(QIODevice::ReadOnly))
            continue;
        // "pid (comm) state ppid ...": comm may hold spaces, so split after the last ')'.
        const QByteArray text = stat.readAll();
        const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
        if (fields.size() > 1)
            children.insert(fields.at(1).toLongLong(), pid);
    }
    QList<qint64> found;
    QList<qint64> queue {root};
    while (!queue.isEmpty()) {
        const qint64 pid = queue.takeFirst();
        for (qint64 child : children.values(pid)) {
            found << child;
            queue << child;
        }
    }
    return found;
}

bool isKafkaBroker(qint64 pid)
{
    QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(pid));
    return cmdline.open(QIODevice::ReadOnly) && cmdline.readAll().contains("--kafka-broker");
}

struct Sample
{
    double workload = 0; // veltrix-demo itself: producers, consumers, services
    double kafkaBroker = 0; // the mock Kafka broker process (its message log lives here)
    double rabbitNode = 0; // the private RabbitMQ node (Erlang VM)
};

Sample sample(qint64 demoPid)
{
    Sample s;
    s.workload = rssMiB(demoPid);
    for (qint64 pid : descendants(demoPid)) {
        const double rss = std::max(0.0, rssMiB(pid));
        (isKafkaBroker(pid) ? s.kafkaBroker : s.rabbitNode) += rss;
    }
    return s;
}

double growthPct(double from, double to)
{
    return from > 0 ? (to - from) * 100.0 / from : 0;
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
    demo.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); }); // never orphan a demo
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
    Sample atOneMinute, last, peak;
    bool haveOneMinute = false;
    while (clock.elapsed() < qint64(runMinutes * 60000)) {
        QThread::sleep(5);
        demo.readAllStandardOutput(); // keep the pipe drained
        last = sample(pid);
        peak.workload = std::max(peak.workload, last.workload);
        peak.kafkaBroker = std::max(peak.kafkaBroker, last.kafkaBroker);
        peak.rabbitNode = std::max(peak.rabbitNode, last.rabbitNode);
        if (!haveOneMinute && clock.elapsed() >= 60000) {
            atOneMinute = last;
            haveOneMinute = true;
        }
    }
    if (!haveOneMinute)
        atOneMinute = last; // a run shorter than a minute compares against its end

    QElapsedTimer stopClock;
    stopClock.start();
    ::kill(static_cast<pid_t>(pid), SIGTERM);
    demo.waitForFinished(60000);
    const double growth = growthPct(atOneMinute.workload, last.workload);
    emitFigure({{QStringLiteral("bench"), QStringLiteral("demo_memory")},
                {QStringLiteral("process"), QStringLiteral("veltrix-demo (workload)")},
                {QStringLiteral("minutes"), runMinutes},
                {QStringLiteral("rss_mib_at_1min"), atOneMinute.workload},
                {QStringLiteral("rss_mib_end"), last.workload},
                {QStringLiteral("rss_mib_peak"), peak.workload},
                {QStringLiteral("growth_pct_after_1min"), growth},
                {QStringLiteral("goal_pct"), 10},
                {QStringLiteral("met"), growth < 10}});
    // The brokers' own memory, for the record: the mock broker keeps up to 5 MiB of log
    // per partition (librdkafka 2.0.2, fixed), so it grows until that bound.
    emitFigure({{QStringLiteral("bench"), QStringLiteral("demo_memory")},
                {QStringLiteral("process"), QStringLiteral("mock Kafka broker")},
                {QStringLiteral("rss_mib_at_1min"), atOneMinute.kafkaBroker},
                {QStringLiteral("rss_mib_end"), last.kafkaBroker},
                {QStringLiteral("growth_pct_after_1min"),
                 growthPct(atOneMinute.kafkaBroker, last.kafkaBroker)},
                {QStringLiteral("log_bound_mib"), 5 * 34}});
    emitFigure({{QStringLiteral("bench"), QStringLiteral("demo_memory")},
                {QStringLiteral("process"), QStringLiteral("RabbitMQ node")},
                {QStringLiteral("rss_mib_at_1min"), atOneMinute.rabbitNode},
                {QStringLiteral("rss_mib_end"), last.rabbitNode},
                {QStringLiteral("growth_pct_after_1min"),
                 growthPct(atOneMinute.rabbitNode, last.rabbitNode)}});
    emitFigure({{QStringLiteral("bench"), QStringLiteral("demo_stop")},
                {QStringLiteral("stop_ms"), stopClock.elapsed()},
                {QStringLiteral("exit_code"), demo.exitCode()},
                {QStringLiteral("clean"),
                 demo.exitStatus() == QProcess::NormalExit && demo.exitCode() == 0}});
    return 0;
}
