#pragma once

#include <QMetaType>
#include <QString>
#include <QStringList>

namespace veltrix {

// What the status bar shows for one cluster.
struct ConnectionStatus
{
    // Degraded: connected, but part of what the console reads from it fails (lag polls,
    // the DLQ scan); detail says which, in words.
    enum class State { Connecting, Connected, Degraded, Failed };

    QString clusterName;
    State state = State::Connecting;
    QString detail; // "3 brokers", "RabbitMQ 3.10.8", or the error in words

    static QString stateName(State state);

    // The failure in a few words for a status bar: without the cluster name the detail
    // starts with and without the hint after " — ", elided to maxChars.
    QString shortReason(int maxChars = 70) const;

    // What a session that reached its cluster reports: Connected with `connectedDetail`, or
    // Degraded naming the first partial failure when there are any.
    static ConnectionStatus reached(const QString &clusterName, const QString &connectedDetail,
                                    const QStringList &partialFailures);
};

} // namespace veltrix

Q_DECLARE_METATYPE(veltrix::ConnectionStatus)
