#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <chrono>
#include <memory>
#include <optional>

class QProcess;

namespace veltrix {

// Where a private RabbitMQ node listens and lives; written to node.json by the test fixture so
// tests (another process) can find it.
struct LocalRabbitNodeInfo
{
    QString nodeName; // e.g. "veltrix-test-12345@localhost"
    QString baseDir; // home (Erlang cookie), mnesia, logs, config, plugins file all live below
    quint16 amqpPort = 0;
    quint16 managementPort = 0;
    quint16 distPort = 0;
    qint64 pid = 0; // the server script process; the Erlang VM is its child
    quint16 amqpsPort = 0; // AMQP over TLS, 0 unless the node was given certificates
    quint16 managementTlsPort = 0; // the management API over HTTPS, likewise

    QString amqpUri() const; // "amqp://guest:guest@127.0.0.1:<port>/%2F"
    QString managementUrl() const; // "http://127.0.0.1:<port>"

    QByteArray toJson() const;
    static std::optional<LocalRabbitNodeInfo> fromJson(const QByteArray &json);
};

// Starts and stops a private RabbitMQ node from the Debian package: own node name, loopback
// ports, data directory and Erlang cookie, so it never touches a system-wide RabbitMQ.
// Blocking: call it from a test, a fixture program or a worker thread, never the GUI thread.
// An Attached node is a child of the calling thread; keep this object on that thread.
class LocalRabbitNode
{
public:
    enum class Lifetime {
        Attached, // child of this object, stopped with it (and sent SIGTERM if this process dies)
        Detached, // outlives this process; stop it with stopByInfo()
    };

    // The default node name is "veltrix-<pid>-<n>@localhost", unique within this process.
    explicit LocalRabbitNode(QString baseDir, QString nodeName = {});
    ~LocalRabbitNode();
    LocalRabbitNode(const LocalRabbitNode &) = delete;
    LocalRabbitNode &operator=(const LocalRabbitNode &) = delete;

    // Picks free loopback ports unless setPorts() fixed them (or an earlier start() of this object
    // picked them), writes the config, starts the server and waits until GET /api/overview answers
    // 200 listing our AMQP listener and that port accepts TCP. Takes about 6 s.
    Result<LocalRabbitNodeInfo> start(Lifetime lifetime,
                                      std::chrono::milliseconds timeout = std::chrono::seconds(60));
    // SIGTERM, wait, SIGKILL as last resort. True when the node is gone (or never ran). About 6 s.
    bool stop(std::chrono::milliseconds timeout = std::chrono::seconds(30));

    // Stops a node that another process (or an earlier run) started. True when it is gone,
    // including when it was gone already; a pid that now belongs to another program is left alone.
    static bool stopByInfo(const LocalRabbitNodeInfo &info,
                           std::chrono::milliseconds timeout = std::chrono::seconds(30));
    // True while the node's server script or its Erlang VM is alive.
    static bool isRunning(const LocalRabbitNodeInfo &info);

    // Restart on the same ports: with the same baseDir and node name, durable queues and
    // persistent messages survive.
    void setPorts(quint16 amqp, quint16 management, quint16 dist);
    // Plugins to enable besides rabbitmq_management, e.g. rabbitmq_shovel (the package
    // ships them); takes effect at the next start().
    void setExtraPlugins(QStringList plugins) { m_extraPlugins = std::move(plugins); }
    // Also listen for AMQPS and management HTTPS (on two more loopback ports) with this
    // server certificate. AMQPS clients that present a certificate must have one the CA
    // signed when verifyClients is set; none is required. Takes effect at start().
    struct TlsFiles
    {
        QString caFile, certFile, keyFile; // PEM
        bool verifyClients = false;
    };
    void setTls(TlsFiles files) { m_tls = std::move(files); }

    // The server script inside the package, empty if rabbitmq-server is not installed. Not
    // /usr/sbin/rabbitmq-server: that wrapper switches to the rabbitmq user when run as root.
    static QString findServerScript();

    const LocalRabbitNodeInfo &info() const { return m_info; }

private:
    LocalRabbitNodeInfo m_info;
    QStringList m_extraPlugins;
    std::optional<TlsFiles> m_tls;
    bool m_fixedPorts = false;
    bool m_started = false;
    Lifetime m_lifetime = Lifetime::Attached;
    std::unique_ptr<QProcess> m_process; // Attached only
};

} // namespace veltrix
