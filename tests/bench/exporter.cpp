// Bench: the headless exporter (`veltrixctl exporter`) against the demo for 10 minutes
// (issue #10): its memory after the first minute and at the end, how long its polls take
// (the exporter's own veltrix_exporter_poll_duration_seconds), how long a scrape takes and
// how many series it serves. Prints one JSON line per figure; never part of the suite.
//   exporter [--minutes M] [--demo PATH] [--ctl PATH]
#include "benchoutput.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QThread>

#include <csignal>
#include <sys/prctl.h>

using namespace veltrix::bench;
using namespace Qt::StringLiterals;

namespace {

constexpr const char *Bench = "exporter";

// Waits for `needle` in the process's merged output; the output so far.
QByteArray waitFor(QProcess &process, const QByteArray &needle, int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    QByteArray output;
    while (!output.contains(needle) && clock.elapsed() < timeoutMs
           && process.state() == QProcess::Running) {
        process.waitForReadyRead(200);
        output += process.readAll();
    }
    return output;
}

struct ScrapeResult
{
    double ms = -1;
    QByteArray body;
};

ScrapeResult scrape(QNetworkAccessManager &network, int port)
{
    QNetworkRequest request(QUrl(u"http://127.0.0.1:%1/metrics"_s.arg(port)));
    request.setTransferTimeout(10000);
    QElapsedTimer clock;
    clock.start();
    std::unique_ptr<QNetworkReply> reply(network.get(request));
    QEventLoop loop;
    QObject::connect(reply.get(), &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    if (reply->error() != QNetworkReply::NoError)
        return {};
    return {msSince(clock), reply->readAll()};
}

double percentile(QList<double> values, double p)
{
    if (values.isEmpty())
        return -1;
    std::sort(values.begin(), values.end());
    return values[qsizetype(
        std::min<double>(double(values.size()) - 1, p * double(values.size())))];
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    const QCommandLineOption minutes(u"minutes"_s, u"Run length."_s, u"M"_s, u"10"_s);
    const QCommandLineOption demoPath(u"demo"_s, u"veltrix-demo binary."_s, u"PATH"_s,
                                      qEnvironmentVariable("VELTRIX_DEMO"));
    const QCommandLineOption ctlPath(u"ctl"_s, u"veltrixctl binary."_s, u"PATH"_s,
                                     qEnvironmentVariable("VELTRIX_CTL"));
    parser.addOptions({minutes, demoPath, ctlPath});
    parser.process(app);
    const double runMinutes = parser.value(minutes).toDouble();
    QTemporaryDir dir;
    const QString profiles = dir.filePath(u"profiles.json"_s);

    QProcess demo;
    demo.setProcessChannelMode(QProcess::MergedChannels);
    demo.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
    demo.start(parser.value(demoPath), {u"--profiles-out"_s, profiles});
    if (!demo.waitForStarted(10000))
        fail(Bench, u"cannot run "_s + parser.value(demoPath));
    if (const QByteArray out = waitFor(demo, "veltrix-demo: ready", 90000);
        !out.contains("veltrix-demo: ready"))
        fail(Bench, u"veltrix-demo did not become ready: "_s + QString::fromUtf8(out.right(2000)));

    QProcess exporter;
    exporter.setProcessChannelMode(QProcess::MergedChannels);
    exporter.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"VELTRIX_AUDIT_LOG"_s, dir.filePath(u"audit.jsonl"_s));
    exporter.setProcessEnvironment(env);
    exporter.start(parser.value(ctlPath),
                   {u"exporter"_s, u"--profiles"_s, profiles, u"--listen"_s, u"127.0.0.1:0"_s});
    if (!exporter.waitForStarted(10000))
        fail(Bench, u"cannot run "_s + parser.value(ctlPath));
    const QByteArray banner = waitFor(exporter, "/metrics", 20000);
    const auto port
        = QRegularExpression(u"127\\.0\\.0\\.1:(\\d+)/metrics"_s).match(QString::fromUtf8(banner));
    if (!port.hasMatch())
        fail(Bench, u"the exporter did not start: "_s + QString::fromUtf8(banner));
    const QString pid = QString::number(exporter.processId());

    QNetworkAccessManager network;
    QList<double> scrapeMs, lagPollSeconds, dlqPollSeconds;
    double rssAtOneMinute = -1, rss = -1, rssPeak = 0;
    qsizetype series = 0;
    double upClusters = 0;
    QElapsedTimer clock;
    clock.start();
    static const QRegularExpression pollLine(
        u"^veltrix_exporter_poll_duration_seconds\\{cluster=\"[^\"]*\",poller=\"(lag|dlq)\"\\} (\\S+)$"_s,
        QRegularExpression::MultilineOption);
    while (clock.elapsed() < qint64(runMinutes * 60000)) {
        QThread::sleep(5);
        demo.readAll(); // keep the pipes drained
        exporter.readAll();
        const ScrapeResult s = scrape(network, port.captured(1).toInt());
        if (s.ms < 0)
            fail(Bench, u"a scrape failed"_s);
        scrapeMs << s.ms;
        series = s.body.count("\nveltrix_");
        static const QRegularExpression up(u"^veltrix_cluster_up\\{[^}]*\\} 1$"_s,
                                           QRegularExpression::MultilineOption);
        upClusters = 0;
        for (auto m = up.globalMatch(QString::fromUtf8(s.body)); m.hasNext(); m.next())
            ++upClusters;
        auto polls = pollLine.globalMatch(QString::fromUtf8(s.body));
        while (polls.hasNext()) {
            const auto m = polls.next();
            (m.captured(1) == u"lag" ? lagPollSeconds : dlqPollSeconds) << m.captured(2).toDouble();
        }
        rss = rssMiBOf(pid);
        rssPeak = std::max(rssPeak, rss);
        if (rssAtOneMinute < 0 && clock.elapsed() >= 60000)
            rssAtOneMinute = rss;
    }
    if (rssAtOneMinute < 0)
        rssAtOneMinute = rss;
    ::kill(static_cast<pid_t>(exporter.processId()), SIGTERM);
    exporter.waitForFinished(30000);
    ::kill(static_cast<pid_t>(demo.processId()), SIGTERM);
    demo.waitForFinished(60000);

    const double growth = rssAtOneMinute > 0 ? (rss - rssAtOneMinute) * 100 / rssAtOneMinute : 0;
    emitFigure(Bench,
               {{u"figure"_s, u"memory"_s},
                {u"minutes"_s, runMinutes},
                {u"rss_mib_at_1min"_s, rssAtOneMinute},
                {u"rss_mib_end"_s, rss},
                {u"rss_mib_peak"_s, rssPeak},
                {u"growth_pct_after_1min"_s, growth},
                {u"goal_pct"_s, 10},
                {u"met"_s, growth < 10}});
    // The demo's lag interval is 2 s: a poll that took longer would fall behind.
    const double lagMax = percentile(lagPollSeconds, 1.0);
    emitFigure(Bench,
               {{u"figure"_s, u"poll_seconds"_s},
                {u"lag_p50"_s, percentile(lagPollSeconds, 0.5)},
                {u"lag_p99"_s, percentile(lagPollSeconds, 0.99)},
                {u"lag_max"_s, lagMax},
                {u"dlq_p50"_s, percentile(dlqPollSeconds, 0.5)},
                {u"dlq_max"_s, percentile(dlqPollSeconds, 1.0)},
                {u"lag_interval_s"_s, 2},
                {u"met"_s, lagMax >= 0 && lagMax < 2}});
    emitFigure(Bench,
               {{u"figure"_s, u"scrape"_s},
                {u"scrapes"_s, scrapeMs.size()},
                {u"ms_p50"_s, percentile(scrapeMs, 0.5)},
                {u"ms_max"_s, percentile(scrapeMs, 1.0)},
                {u"series"_s, series},
                {u"clusters_up"_s, upClusters}});
    return 0;
}
