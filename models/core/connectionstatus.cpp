#include "connectionstatus.h"

namespace veltrix {

QString ConnectionStatus::stateName(State state)
{
    switch (state) {
    case State::Connecting:
        return QStringLiteral("connecting");
    case State::Connected:
        return QStringLiteral("connected");
    case State::Degraded:
        return QStringLiteral("degraded");
    case State::Failed:
        break;
    }
    return QStringLiteral("failed");
}

QString ConnectionStatus::shortReason(int maxChars) const
{
    QString reason = detail;
    const QString prefix = clusterName + QStringLiteral(": ");
    if (reason.startsWith(prefix))
        reason.remove(0, prefix.size());
    reason = reason.section(QStringLiteral(" — "), 0, 0);
    if (maxChars > 1 && reason.size() > maxChars)
        reason = reason.left(maxChars - 1) + QChar(0x2026); // …
    return reason;
}

ConnectionStatus ConnectionStatus::reached(const QString &clusterName,
                                           const QString &connectedDetail,
                                           const QStringList &partialFailures)
{
    if (partialFailures.isEmpty())
        return {clusterName, State::Connected, connectedDetail};
    QString detail = partialFailures.first();
    if (partialFailures.size() > 1)
        detail += QStringLiteral(" (and %1 more)").arg(partialFailures.size() - 1);
    return {clusterName, State::Degraded, detail + QStringLiteral(" — ") + connectedDetail};
}

} // namespace veltrix
