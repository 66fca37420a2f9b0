#include "commands.h"

#include <QJsonArray>

namespace veltrix::ctl {

int runProfiles(const CtlContext &context, const QCommandLineParser &parser)
{
    const auto clusters = context.resolveClusters(parser);
    if (!clusters)
        return ExitUsage;

    if (context.json(parser)) {
        QJsonArray list;
        for (const ClusterProfile &p : *clusters) {
            QJsonObject o {{QStringLiteral("name"), p.name},
                           {QStringLiteral("kind"), clusterKindName(p.kind)},
                           {QStringLiteral("read_only"), p.readOnly}};
            if (p.kind == ClusterKind::Kafka) {
                o.insert(QStringLiteral("bootstrap"), p.bootstrap);
                o.insert(QStringLiteral("groups"), QJsonArray::fromStringList(p.groups));
            } else {
                o.insert(QStringLiteral("amqp"), redactedUri(p.amqpUri));
                o.insert(QStringLiteral("management"), p.managementUrl);
            }
            list.append(o);
        }
        printJson({{QStringLiteral("file"), context.profilesPath(parser)},
                   {QStringLiteral("clusters"), list}});
        return ExitOk;
    }
    for (const ClusterProfile &p : *clusters) {
        const QString where = p.kind == ClusterKind::Kafka ? p.bootstrap
                                                           : redactedUri(p.amqpUri)
                + (p.managementUrl.isEmpty() ? QString() : QStringLiteral("  ") + p.managementUrl);
        printLine(QStringLiteral("%1  %2  %3%4")
                      .arg(p.name, -20)
                      .arg(clusterKindName(p.kind), -8)
                      .arg(where, p.readOnly ? QStringLiteral("  (read-only)") : QString()));
    }
    return ExitOk;
}

} // namespace veltrix::ctl
