#include "localrabbitnode.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QProcess>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QUrl>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <functional>
#include <sys/prctl.h>
#include <unistd.h>

namespace veltrix {

namespace {

using namespace std::chrono_literals;

constexpr auto kPollInterval = 100ms;
constexpr auto kKillGrace = 5s;
constexpr int kLogTailLines = 20;

// Everything of a node lives below its base directory, so deleting that directory resets it.
struct Layout
{
    QString base;
    QString home() const { return base + QStringLiteral("/home"); } // .erlang.cookie
    QString mnesia() const { return base + QStringLiteral("/mnesia"); }
    QString logs() const { return base + QStringLiteral("/log"); }
    QString serverOutput() const { return logs() + QStringLiteral("/server-output.log"); }
    QString config() const { return base + QStringLiteral("/rabbitmq.conf"); }
    QString plugins() const { return base + QStringLiteral("/enabled_plugins"); }
    QString envFile() const { return base + QStringLiteral("/rabbitmq-env.conf"); }
    QString pidFile() const { return base + QStringLiteral("/rabbitmq.pid"); }
};

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// kill(pid, 0) alone is not enough: orphans are reparented to PID 1, and in containers PID 1
// often never reaps them, so a dead node would look alive forever as a zombie.
bool processAlive(qint64 pid)
{
    if (pid <= 0 || ::kill(pid_t(pid), 0) != 0)
        return false;
    const QByteArray stat = readAll(QStringLiteral("/proc/%1/stat").arg(pid));
    const qsizetype comm = stat.lastIndexOf(')');
    return comm < 0 || stat.size() < comm + 3 || stat.at(comm + 2) != 'Z';
}

// The server script (which forwards signals) and the Erlang VM it runs, while alive. A pid from
// node.json may belong to an unrelated program by now, so only processes that carry our node
// name in their environment count (the script and the VM both do).
QList<qint64> nodeProcesses(const LocalRabbitNodeInfo &info)
{
    const QByteArray marker = "RABBITMQ_NODENAME=" + info.nodeName.toUtf8();
    const qint64 vm = readAll(Layout {info.baseDir}.pidFile()).trimmed().toLongLong();
    QList<qint64> pids;
    for (qint64 pid : {info.pid, vm}) {
        if (pid > 0 && !pids.contains(pid) && processAlive(pid)
            && readAll(QStringLiteral("/proc/%1/environ").arg(pid)).split('\0').contains(marker))
            pids.append(pid);
    }
    return pids;
}

// Polls from a local event loop, so queued events (e.g. QProcess reaping) keep being delivered.
bool waitUntil(const std::function<bool()> &done, std::chrono::milliseconds timeout)
{
    if (done())
        return true;
    QEventLoop loop;
    QTimer tick;
    QElapsedTimer clock;
    clock.start();
    QObject::connect(&tick, &QTimer::timeout, &loop, [&] {
        if (done() || clock.elapsed() >= timeout.count())
            loop.quit();
    });
    tick.start(kPollInterval);
    loop.exec();
    return done();
}

// Binding port 0 lets the kernel choose; all three are held at once so they differ. Another
// program could take one before the node binds it; start() then fails with the node's own message.
QList<quint16> pickFreePorts(qsizetype count)
{
    const QList<quint16> avoided = {4369, 5672, 15672, 25672}; // epmd and a system node's defaults
    std::vector<std::unique_ptr<QTcpServer>> held;
    QList<quint16> ports;
    while (ports.size() < count && held.size() < 20) {
        const auto &server = held.emplace_back(std::make_unique<QTcpServer>());
        if (!server->listen(QHostAddress::LocalHost, 0))
            return {};
        if (!avoided.contains(server->serverPort()))
            ports.append(server->serverPort());
    }
    return ports.size() == count ? ports : QList<quint16>();
}

QString logTail(const QString &path, qint64 fromOffset)
{
    QFile file(path);
    QStringList lines;
    if (file.open(QIODevice::ReadOnly) && file.seek(std::min(fromOffset, file.size())))
        lines = QString::fromUtf8(file.readAll()).remove(u'\r').split(u'\n', Qt::SkipEmptyParts);
    if (lines.isEmpty())
        return QStringLiteral("(no output in %1)").arg(path);
    return lines.mid(std::max<qsizetype>(0, lines.size() - kLogTailLines)).join(u'\n');
}

// True for an overview from our node that lists our AMQP listener. The management plugin answers
// before the AMQP listener starts, and starting it can still fail (port taken) and halt the node;
// a bare TCP connect would then have reached whoever holds the port.
bool overviewShowsListener(QNetworkReply *reply, const LocalRabbitNodeInfo &info)
{
    if (reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() != 200)
        return false;
    const QJsonObject overview = QJsonDocument::fromJson(reply->readAll()).object();
    const QJsonArray listeners = overview.value(QStringLiteral("listeners")).toArray();
    return std::any_of(listeners.begin(), listeners.end(), [&](const QJsonValue &value) {
        const QJsonObject listener = value.toObject();
        return listener.value(QStringLiteral("node")).toString() == info.nodeName
            && listener.value(QStringLiteral("protocol")).toString() == QStringLiteral("amqp")
            && listener.value(QStringLiteral("port")).toInt() == info.amqpPort;
    });
}

enum class Readiness { Ready, Exited, TimedOut };

Readiness waitUntilReady(const LocalRabbitNodeInfo &info, std::chrono::milliseconds timeout)
{
    QNetworkAccessManager http;
    http.setProxy(QNetworkProxy::NoProxy); // an http_proxy from the environment must not see these
    QNetworkRequest overview(QUrl(info.managementUrl() + QStringLiteral("/api/overview")));
    overview.setRawHeader("Authorization", "Basic " + QByteArray("guest:guest").toBase64());
    overview.setTransferTimeout(2000);
    QTcpSocket amqp;
    amqp.setProxy(QNetworkProxy::NoProxy);
    bool listed = false;
    QNetworkReply *pending = nullptr;
    Readiness outcome = Readiness::TimedOut;
    QEventLoop loop;
    QTimer tick;
    QElapsedTimer clock;
    clock.start();
    const auto finish = [&](Readiness result) {
        outcome = result;
        loop.quit();
    };
    QObject::connect(&tick, &QTimer::timeout, &loop, [&] {
        if (listed && amqp.state() == QAbstractSocket::ConnectedState)
            return finish(Readiness::Ready);
        if (!processAlive(info.pid))
            return finish(Readiness::Exited);
        if (clock.elapsed() >= timeout.count())
            return finish(Readiness::TimedOut);
        if (listed && amqp.state() == QAbstractSocket::UnconnectedState)
            amqp.connectToHost(QHostAddress::LocalHost, info.amqpPort);
        if (!listed && !pending) {
            pending = http.get(overview);
            QObject::connect(pending, &QNetworkReply::finished, &loop, [&, reply = pending] {
                listed = overviewShowsListener(reply, info);
                reply->deleteLater();
                pending = nullptr;
            });
        }
    });
    tick.start(kPollInterval);
    loop.exec();
    return outcome;
}

// Returns an error message, empty on success.
QByteArray tlsConfig(const LocalRabbitNodeInfo &info, const LocalRabbitNode::TlsFiles &tls)
{
    QByteArray out;
    const auto files = [&](const QByteArray &prefix) {
        out += prefix + "cacertfile = " + QFile::encodeName(tls.caFile) + "\n";
        out += prefix + "certfile = " + QFile::encodeName(tls.certFile) + "\n";
        out += prefix + "keyfile = " + QFile::encodeName(tls.keyFile) + "\n";
    };
    out += "listeners.ssl.1 = 127.0.0.1:" + QByteArray::number(info.amqpsPort) + "\n";
    files("ssl_options.");
    out += tls.verifyClients ? "ssl_options.verify = verify_peer\n"
                             : "ssl_options.verify = verify_none\n";
    out += "ssl_options.fail_if_no_peer_cert = false\n";
    out += "management.ssl.ip = 127.0.0.1\nmanagement.ssl.port = "
        + QByteArray::number(info.managementTlsPort) + "\n";
    files("management.ssl.");
    return out;
}

QString writeNodeFiles(const Layout &dirs, const LocalRabbitNodeInfo &info,
                       const QStringList &extraPlugins,
                       const std::optional<LocalRabbitNode::TlsFiles> &tls)
{
    for (const QString &dir : {dirs.home(), dirs.mnesia(), dirs.logs()}) {
        if (!QDir().mkpath(dir))
            return QStringLiteral("cannot create %1").arg(dir);
    }
    QByteArray config = "listeners.tcp.1 = 127.0.0.1:" + QByteArray::number(info.amqpPort)
        + "\nmanagement.tcp.ip = 127.0.0.1\nmanagement.tcp.port = "
        + QByteArray::number(info.managementPort) + "\n";
    if (tls)
        config += tlsConfig(info, *tls);
    // The env file stays empty: without it the script sources /etc/rabbitmq/rabbitmq-env.conf.
    const QStringList enabled = QStringList {QStringLiteral("rabbitmq_management")} + extraPlugins;
    const QByteArray plugins = "[" + enabled.join(u',').toUtf8() + "].\n";
    const std::pair<QString, QByteArray> files[]
        = {{dirs.config(), config}, {dirs.plugins(), plugins}, {dirs.envFile(), {}}};
    for (const auto &[path, content] : files) {
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)
            || file.write(content) != content.size())
            return QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
    }
    QFile::remove(dirs.pidFile()); // a stale one would name a dead VM
    return {};
}

QProcessEnvironment nodeEnvironment(const Layout &dirs, const LocalRabbitNodeInfo &info)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const QString &key : env.keys()) {
        // NOTIFY_SOCKET would make the script believe it runs under systemd and exec differently.
        if (key.startsWith(QStringLiteral("RABBITMQ_")) || key == QStringLiteral("NOTIFY_SOCKET"))
            env.remove(key);
    }
    const std::pair<const char *, QString> variables[] = {
        {"HOME", dirs.home()}, // the Erlang cookie
        {"RABBITMQ_CONF_ENV_FILE", dirs.envFile()},
        {"RABBITMQ_NODENAME", info.nodeName},
        {"RABBITMQ_NODE_IP_ADDRESS", QStringLiteral("127.0.0.1")},
        {"RABBITMQ_NODE_PORT", QString::number(info.amqpPort)},
        // The default, AMQP port + 20000, is no port at all for AMQP ports above 45535.
        {"RABBITMQ_DIST_PORT", QString::number(info.distPort)},
        {"RABBITMQ_MNESIA_BASE", dirs.mnesia()},
        {"RABBITMQ_LOG_BASE", dirs.logs()},
        {"RABBITMQ_ENABLED_PLUGINS_FILE", dirs.plugins()},
        {"RABBITMQ_CONFIG_FILE", dirs.config()}, // 3.10 takes it with or without ".conf"
        // Both default to files under /etc/rabbitmq that would be merged into our config.
        {"RABBITMQ_CONFIG_FILES", dirs.base + QStringLiteral("/conf.d/*.conf")}, // a glob
        {"RABBITMQ_ADVANCED_CONFIG_FILE", dirs.base + QStringLiteral("/advanced.config")},
        {"RABBITMQ_PID_FILE", dirs.pidFile()},
        // Erlang distribution listens on all interfaces unless told otherwise.
        {"RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS",
         QStringLiteral("-kernel inet_dist_use_interface {127,0,0,1}")},
        {"ERL_CRASH_DUMP", dirs.logs() + QStringLiteral("/erl_crash.dump")},
    };
    for (const auto &[name, value] : variables)
        env.insert(QLatin1String(name), value);
    return env;
}

} // namespace

QString LocalRabbitNodeInfo::amqpUri() const
{
    // "%2F" is the default vhost "/", URL-encoded; not an arg() placeholder.
    return QStringLiteral("amqp://guest:guest@127.0.0.1:") + QString::number(amqpPort)
        + QStringLiteral("/%2F");
}

QString LocalRabbitNodeInfo::managementUrl() const
{
    return QStringLiteral("http://127.0.0.1:") + QString::number(managementPort);
}

QByteArray LocalRabbitNodeInfo::toJson() const
{
    const QJsonObject object {
        {QStringLiteral("nodeName"), nodeName},
        {QStringLiteral("baseDir"), baseDir},
        {QStringLiteral("amqpPort"), amqpPort},
        {QStringLiteral("managementPort"), managementPort},
        {QStringLiteral("distPort"), distPort},
        {QStringLiteral("pid"), pid},
        // For people and shell scripts only; fromJson() derives them again.
        {QStringLiteral("amqpUri"), amqpUri()},
        {QStringLiteral("managementUrl"), managementUrl()},
    };
    return QJsonDocument(object).toJson(QJsonDocument::Indented);
}

std::optional<LocalRabbitNodeInfo> LocalRabbitNodeInfo::fromJson(const QByteArray &json)
{
    const QJsonObject object = QJsonDocument::fromJson(json).object();
    LocalRabbitNodeInfo info;
    info.nodeName = object.value(QStringLiteral("nodeName")).toString();
    info.baseDir = object.value(QStringLiteral("baseDir")).toString();
    info.pid = object.value(QStringLiteral("pid")).toInteger();
    bool portsValid = true;
    const auto port = [&](const char *key) {
        const int value = object.value(QLatin1String(key)).toInt();
        portsValid = portsValid && value > 0 && value <= 65535;
        return quint16(value);
    };
    info.amqpPort = port("amqpPort");
    info.managementPort = port("managementPort");
    info.distPort = port("distPort");
    if (info.nodeName.isEmpty() || info.baseDir.isEmpty() || !portsValid)
        return std::nullopt;
    return info;
}

LocalRabbitNode::LocalRabbitNode(QString baseDir, QString nodeName)
{
    // Unique per process and object: epmd refuses a second node under a name in use.
    static std::atomic<int> created = 0;
    if (nodeName.isEmpty())
        nodeName = QStringLiteral("veltrix-%1-%2@localhost")
                       .arg(QCoreApplication::applicationPid())
                       .arg(++created);
    m_info.nodeName = std::move(nodeName);
    m_info.baseDir = QDir(baseDir).absolutePath();
}

LocalRabbitNode::~LocalRabbitNode()
{
    if (m_lifetime == Lifetime::Attached)
        stop();
}

void LocalRabbitNode::setPorts(quint16 amqp, quint16 management, quint16 dist)
{
    m_info.amqpPort = amqp;
    m_info.managementPort = management;
    m_info.distPort = dist;
    m_fixedPorts = true;
}

QString LocalRabbitNode::findServerScript()
{
    // One release directory per installed package version; the newest sorts last.
    const QDir lib(QStringLiteral("/usr/lib/rabbitmq/lib"));
    const QStringList releases = lib.entryList({QStringLiteral("rabbitmq_server-*")}, QDir::Dirs);
    for (auto it = releases.crbegin(); it != releases.crend(); ++it) {
        const QFileInfo script(lib.filePath(*it + QStringLiteral("/sbin/rabbitmq-server")));
        if (script.isExecutable())
            return script.absoluteFilePath();
    }
    return {};
}

Result<LocalRabbitNodeInfo> LocalRabbitNode::start(Lifetime lifetime,
                                                   std::chrono::milliseconds timeout)
{
    using Kind = BrokerError::Kind;
    if (m_started && isRunning(m_info))
        return BrokerError::make(
            Kind::Configuration,
            QStringLiteral("RabbitMQ node %1 is already running").arg(m_info.nodeName));
    const QString script = findServerScript();
    if (script.isEmpty())
        return BrokerError::make(
            Kind::Configuration,
            QStringLiteral(
                "cannot start a private RabbitMQ node: rabbitmq-server is not "
                "installed (no /usr/lib/rabbitmq/lib/rabbitmq_server-*/sbin/rabbitmq-server)"),
            QStringLiteral("run scripts/bootstrap"));
    if (!m_fixedPorts) {
        const QList<quint16> ports = pickFreePorts(m_tls ? 5 : 3);
        if (ports.isEmpty())
            return BrokerError::make(
                Kind::Configuration,
                QStringLiteral("cannot start a private RabbitMQ node: no free loopback port"));
        setPorts(ports[0], ports[1], ports[2]); // kept for a restart of this object
        if (m_tls) {
            m_info.amqpsPort = ports[3];
            m_info.managementTlsPort = ports[4];
        }
    }
    const Layout dirs {m_info.baseDir};
    if (const QString error = writeNodeFiles(dirs, m_info, m_extraPlugins, m_tls); !error.isEmpty())
        return BrokerError::make(Kind::Configuration,
                                 QStringLiteral("cannot start a private RabbitMQ node: ") + error);

    const qint64 outputOffset = QFileInfo(dirs.serverOutput()).size();
    auto process = std::make_unique<QProcess>();
    process->setProgram(script); // in the foreground: it turns SIGTERM into a clean shutdown
    process->setWorkingDirectory(dirs.base);
    process->setProcessEnvironment(nodeEnvironment(dirs, m_info));
    process->setStandardInputFile(QProcess::nullDevice());
    // A file, not a pipe: a detached node must not hold our stdout (CTest waits for it to close).
    process->setStandardOutputFile(dirs.serverOutput(), QIODevice::Append);
    process->setStandardErrorFile(dirs.serverOutput(), QIODevice::Append);
    m_lifetime = lifetime;
    m_info.pid = 0;
    if (lifetime == Lifetime::Attached) {
        process->setChildProcessModifier([] {
            // Own session: a terminal's Ctrl-C reaches the caller, which stops the node in order.
            ::setsid();
            // If the caller dies without stopping the node, the script still gets SIGTERM.
            ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        });
        process->start();
        if (process->waitForStarted())
            m_info.pid = process->processId();
    } else if (!process->startDetached(&m_info.pid)) {
        m_info.pid = 0;
    }
    if (m_info.pid <= 0)
        return BrokerError::make(
            Kind::Configuration,
            QStringLiteral("cannot run %1: %2").arg(script, process->errorString()),
            QStringLiteral("reinstall rabbitmq-server (scripts/bootstrap)"));
    if (lifetime == Lifetime::Attached)
        m_process = std::move(process);
    m_started = true;

    const Readiness readiness = waitUntilReady(m_info, timeout);
    if (readiness == Readiness::Ready)
        return m_info;
    const QString tail = logTail(dirs.serverOutput(), outputOffset);
    stop(kKillGrace); // half-started, it would hold the ports and the data directory
    const QString what = readiness == Readiness::Exited
        ? QStringLiteral("exited during startup")
        : QStringLiteral("was not ready within %1 s").arg(timeout.count() / 1000.0);
    return BrokerError::make(
        readiness == Readiness::Exited ? Kind::Unreachable : Kind::Timeout,
        QStringLiteral("RabbitMQ node %1 %2; last lines of %3:\n%4")
            .arg(m_info.nodeName, what, dirs.serverOutput(), tail),
        readiness == Readiness::Exited
            ? QStringLiteral("a port may be in use (AMQP %1, management %2, distribution %3) or %4 "
                             "may hold data of another RabbitMQ version")
                  .arg(QString::number(m_info.amqpPort), QString::number(m_info.managementPort),
                       QString::number(m_info.distPort), dirs.mnesia())
            : QStringLiteral("a slow machine may need a longer timeout"));
}

bool LocalRabbitNode::stop(std::chrono::milliseconds timeout)
{
    if (!m_started)
        return true;
    const bool gone = stopByInfo(m_info, timeout);
    if (m_process
        && (m_process->state() == QProcess::NotRunning
            || m_process->waitForFinished(int(std::chrono::milliseconds(kKillGrace).count()))))
        m_process.reset();
    m_started = !gone;
    return gone;
}

bool LocalRabbitNode::isRunning(const LocalRabbitNodeInfo &info)
{
    return !nodeProcesses(info).isEmpty();
}

bool LocalRabbitNode::stopByInfo(const LocalRabbitNodeInfo &info, std::chrono::milliseconds timeout)
{
    const QList<qint64> pids = nodeProcesses(info);
    if (pids.isEmpty())
        return true;
    const auto gone = [&pids] { return std::none_of(pids.cbegin(), pids.cend(), processAlive); };
    // The script forwards SIGTERM to the VM and waits for it; without the script, the VM itself
    // treats SIGTERM as a clean shutdown. Signalling both at once would stop it twice.
    ::kill(pid_t(pids.first()), SIGTERM);
    if (waitUntil(gone, timeout))
        return true;
    for (qint64 pid : pids)
        ::kill(pid_t(pid), SIGKILL);
    return waitUntil(gone, kKillGrace);
}

} // namespace veltrix
