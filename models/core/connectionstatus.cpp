#include "connectionstatus.h"

namespace veltrix {

QString ConnectionStatus::stateName(State state)
{
    switch (state) {
    case State::Connecting:
        return QStringLiteral("connecting");
    case State::Connected:
        return QStringLiteral("connected");
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

} // namespace veltrix
