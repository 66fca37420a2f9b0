#include "ctlcontext.h"

#include "core/profilefile.h"
#include "core/secretresolver.h"

#include <QJsonDocument>
#include <QUrl>

#include <cstdio>
#include <iostream>
#include <string>

#include <termios.h>
#include <unistd.h>

namespace veltrix::ctl {

void CtlContext::addOptions(QCommandLineParser &parser)
{
    parser.addOptions(
        {m_json, m_profiles, m_profile, m_bootstrap, m_amqp, m_management, m_timeout});
}

QString CtlContext::profilesPath(const QCommandLineParser &parser) const
{
    return parser.isSet(m_profiles) ? parser.value(m_profiles) : ProfileFile::defaultPath();
}

std::chrono::milliseconds CtlContext::timeout(const QCommandLineParser &parser) const
{
    bool ok = false;
    const double seconds = parser.value(m_timeout).toDouble(&ok);
    return std::chrono::milliseconds(ok && seconds > 0 ? static_cast<qint64>(seconds * 1000)
                                                       : 5000);
}

namespace {

// A secret typed at the terminal, not echoed. Nobody to ask when stdin is not a terminal
// (a script, CI): the resolver then says to use an environment variable.
std::optional<QString> promptOnTerminal(const QString &question)
{
    if (!::isatty(STDIN_FILENO))
        return std::nullopt;
    std::fprintf(stderr, "%s: ", qPrintable(question));
    std::fflush(stderr);
    termios saved {};
    const bool canHide = ::tcgetattr(STDIN_FILENO, &saved) == 0;
    if (canHide) {
        termios hidden = saved;
        hidden.c_lflag &= ~tcflag_t(ECHO);
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &hidden);
    }
    std::string line;
    const bool read = static_cast<bool>(std::getline(std::cin, line));
    if (canHide)
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    std::fputc('\n', stderr);
    if (!read)
        return std::nullopt;
    return QString::fromStdString(line);
}

// Secrets are fetched for the selected profiles only; one that cannot be had fails that
// cluster with the reason, the others still run.
QList<ClusterProfile> fetchSecrets(const QList<ClusterProfile> &profiles)
{
    return SecretResolver(promptOnTerminal).resolveAll(profiles);
}

} // namespace

std::optional<QList<ClusterProfile>> CtlContext::resolveClusters(const QCommandLineParser &parser,
                                                                 Secrets secrets) const
{
    const auto withSecrets = [secrets](const QList<ClusterProfile> &profiles) {
        return secrets == Secrets::Fetch ? fetchSecrets(profiles) : profiles;
    };
    if (parser.isSet(m_management) && !parser.isSet(m_amqp)) {
        printError(QStringLiteral("--management needs --amqp"));
        return std::nullopt;
    }
    if (parser.isSet(m_bootstrap) || parser.isSet(m_amqp)) {
        QList<ClusterProfile> adhoc;
        if (parser.isSet(m_bootstrap)) {
            ClusterProfile kafka;
            kafka.name = QStringLiteral("kafka");
            kafka.kind = ClusterKind::Kafka;
            kafka.bootstrap = parser.value(m_bootstrap);
            adhoc << kafka;
        }
        if (parser.isSet(m_amqp)) {
            ClusterProfile rabbit;
            rabbit.name = QStringLiteral("rabbitmq");
            rabbit.kind = ClusterKind::RabbitMq;
            rabbit.amqpUri = parser.value(m_amqp);
            rabbit.managementUrl = parser.value(m_management);
            adhoc << rabbit;
        }
        return adhoc;
    }

    const ProfileFileResult loaded = ProfileFile::load(profilesPath(parser));
    if (!loaded.ok()) {
        printError(loaded.error->describe());
        return std::nullopt;
    }
    const QStringList wanted = parser.values(m_profile);
    if (wanted.isEmpty())
        return withSecrets(loaded.clusters);
    QList<ClusterProfile> selected;
    for (const QString &name : wanted) {
        const auto it = std::find_if(loaded.clusters.begin(), loaded.clusters.end(),
                                     [&name](const ClusterProfile &p) { return p.name == name; });
        if (it == loaded.clusters.end()) {
            printError(
                QStringLiteral("%1: no profile named \"%2\"").arg(profilesPath(parser), name));
            return std::nullopt;
        }
        selected << *it;
    }
    return withSecrets(selected);
}

void printJson(const QJsonObject &object)
{
    const QByteArray text = QJsonDocument(object).toJson(QJsonDocument::Compact);
    std::fwrite(text.constData(), 1, static_cast<size_t>(text.size()), stdout);
    std::fputc('\n', stdout);
}

void printLine(const QString &line)
{
    std::fprintf(stdout, "%s\n", qPrintable(line));
}

void printError(const QString &line)
{
    std::fprintf(stderr, "veltrixctl: %s\n", qPrintable(line));
}

QString redactedUri(const QString &uri)
{
    QUrl url(uri);
    if (url.password().isEmpty())
        return uri;
    url.setPassword(QStringLiteral("***"));
    return url.toString();
}

} // namespace veltrix::ctl
