#pragma once

#include <QMetaType>
#include <QString>

namespace veltrix {

// What the status bar shows for one cluster.
struct ConnectionStatus
{
    enum class State { Connecting, Connected, Failed };

    QString clusterName;
    State state = State::Connecting;
    QString detail; // "3 brokers", "RabbitMQ 3.10.8", or the error in words

    static QString stateName(State state);

    // The failure in a few words for a status bar: without the cluster name the detail
    // starts with and without the hint after " — ", elided to maxChars.
    QString shortReason(int maxChars = 70) const;
};

} // namespace veltrix

Q_DECLARE_METATYPE(veltrix::ConnectionStatus)
