#pragma once

#include "core/clusterprofile.h"

#include <QCommandLineParser>
#include <QJsonObject>

#include <optional>

namespace veltrix::ctl {

// Exit codes are part of the CLI's contract (see README).
// ExitVerdict: lag --fail-on matched, or dlq show stopped at a quorum delivery-limit margin.
enum ExitCode { ExitOk = 0, ExitClusterFailed = 1, ExitUsage = 2, ExitVerdict = 3 };

// The options every command shares and the clusters they select.
class CtlContext
{
public:
    void addOptions(QCommandLineParser &parser);
    // Loads the profiles file, or builds ad-hoc profiles from --bootstrap / --amqp;
    // applies --profile; fetches the selected profiles' secrets (keychain, environment,
    // terminal prompt) unless told not to. On failure prints the error and returns nullopt.
    enum class Secrets { Fetch, Skip };
    std::optional<QList<ClusterProfile>> resolveClusters(const QCommandLineParser &parser,
                                                         Secrets secrets = Secrets::Fetch) const;

    bool json(const QCommandLineParser &parser) const { return parser.isSet(m_json); }
    QString profilesPath(const QCommandLineParser &parser) const;
    QString managementUrl(const QCommandLineParser &parser) const
    {
        return parser.value(m_management);
    }
    std::chrono::milliseconds timeout(const QCommandLineParser &parser) const;

private:
    QCommandLineOption m_json {QStringLiteral("json"), QStringLiteral("Print JSON.")};
    QCommandLineOption m_profiles {QStringLiteral("profiles"),
                                   QStringLiteral("Connection profiles file."),
                                   QStringLiteral("FILE")};
    QCommandLineOption m_profile {QStringLiteral("profile"),
                                  QStringLiteral("Use only this profile (repeatable)."),
                                  QStringLiteral("NAME")};
    QCommandLineOption m_bootstrap {QStringLiteral("bootstrap"),
                                    QStringLiteral("Ad-hoc Kafka cluster: bootstrap servers."),
                                    QStringLiteral("HOSTS")};
    QCommandLineOption m_amqp {QStringLiteral("amqp"),
                               QStringLiteral("Ad-hoc RabbitMQ cluster: AMQP URI."),
                               QStringLiteral("URI")};
    QCommandLineOption m_management {QStringLiteral("management"),
                                     QStringLiteral("Ad-hoc RabbitMQ cluster: management API URL."),
                                     QStringLiteral("URL")};
    QCommandLineOption m_timeout {QStringLiteral("timeout"),
                                  QStringLiteral("Seconds each broker call may take (default 5)."),
                                  QStringLiteral("SECONDS"), QStringLiteral("5")};
};

void printJson(const QJsonObject &object);
void printLine(const QString &line);
void printError(const QString &line);
// The URI without its password: never print secrets.
QString redactedUri(const QString &uri);

} // namespace veltrix::ctl
