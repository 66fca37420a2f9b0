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

} // namespace veltrix
