#include "commands.h"

#include "session/clusterchecker.h"

#include <QJsonArray>

namespace veltrix::ctl {

namespace {

QJsonObject toJson(const ClusterCheck &check)
{
    QJsonObject o {{QStringLiteral("name"), check.clusterName},
                   {QStringLiteral("kind"), clusterKindName(check.kind)},
                   {QStringLiteral("reachable"), check.reachable},
                   {QStringLiteral("elapsed_ms"), check.elapsedMs},
                   {QStringLiteral("notes"), QJsonArray::fromStringList(check.notes)}};
    if (check.reachable) {
        o.insert(QStringLiteral("brokers"), check.brokerCount);
        o.insert(QStringLiteral("cluster_id"), check.clusterId);
        o.insert(QStringLiteral("server_version"),
                 check.serverVersion.isEmpty() ? QJsonValue() : QJsonValue(check.serverVersion));
        o.insert(QStringLiteral("error"), QJsonValue());
    } else {
        o.insert(QStringLiteral("error"),
                 QJsonObject {{QStringLiteral("kind"), check.errorKind},
                              {QStringLiteral("message"), check.error}});
    }
    return o;
}

QString toText(const ClusterCheck &check)
{
    if (!check.reachable)
        return QStringLiteral("%1  FAILED  %2").arg(check.clusterName, -20).arg(check.error);
    QString what = check.kind == ClusterKind::Kafka
        ? QStringLiteral("%1 broker(s), cluster id %2").arg(check.brokerCount).arg(check.clusterId)
        : QStringLiteral("RabbitMQ %1, %2 node(s)").arg(check.serverVersion).arg(check.brokerCount);
    QString line = QStringLiteral("%1  ok      %2 (%3 ms)")
                       .arg(check.clusterName, -20)
                       .arg(what)
                       .arg(check.elapsedMs);
    for (const QString &note : check.notes)
        line += QStringLiteral("\n%1  note: %2").arg(QString(), -20).arg(note);
    return line;
}

} // namespace

int runCheck(const CtlContext &context, const QCommandLineParser &parser)
{
    const auto clusters = context.resolveClusters(parser);
    if (!clusters)
        return ExitUsage;
    const QList<ClusterCheck> checks = checkClusters(*clusters, context.timeout(parser));

    bool allReachable = true;
    QJsonArray list;
    for (const ClusterCheck &check : checks) {
        allReachable = allReachable && check.reachable;
        if (context.json(parser))
            list.append(toJson(check));
        else
            printLine(toText(check));
    }
    if (context.json(parser))
        printJson({{QStringLiteral("clusters"), list}});
    return allReachable ? ExitOk : ExitClusterFailed;
}

} // namespace veltrix::ctl
