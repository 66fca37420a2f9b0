#pragma once

#include <QMetaType>
#include <QString>

namespace veltrix {

// A failure talking to a cluster, typed so the UI and CLI can say what went wrong
// and what to try, instead of passing a library's raw error code along.
struct BrokerError
{
    enum class Kind {
        Unreachable, // DNS failure, no route, connection refused
        Timeout, // connected (or tried to) but no answer in time
        AuthenticationFailed,
        TlsFailed,
        VhostMissing,
        AccessDenied,
        Unsupported, // the broker does not implement the request
        Protocol, // the broker answered something we cannot use
        Configuration, // our side: bad profile, bad property
        Other,
    };

    Kind kind = Kind::Other;
    QString message; // what failed, in words
    QString hint; // what the operator can try; may be empty

    static BrokerError make(Kind kind, QString message, QString hint = {});

    // Stable machine name of the kind, used in --json output ("unreachable", ...).
    static QString kindName(Kind kind);
    QString kindName() const { return kindName(kind); }

    // One line for a status bar or a terminal: "message — hint".
    QString describe() const;
};

} // namespace veltrix

Q_DECLARE_METATYPE(veltrix::BrokerError)
