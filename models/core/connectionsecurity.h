#pragma once

#include <QString>
#include <QStringList>

namespace veltrix {

// A profile's TLS trust settings (profile field "tls"). RabbitMQ applies them to AMQPS
// and to the management API over HTTPS; Kafka maps them onto librdkafka's ssl.* properties.
struct TlsSettings
{
    QString caFile; // PEM; empty: the system's trust store
    QString certFile; // client certificate (PEM), with keyFile
    QString keyFile;
    // Off only by an explicit "verify": false in the profile; the console then warns.
    bool verify = true;

    bool isDefault() const { return *this == TlsSettings {}; }
    bool operator==(const TlsSettings &) const = default;
};

// Where a secret (a password, a key passphrase) comes from. Never from a file the console
// writes: the profile names the source, the value lives in memory only.
struct SecretSource
{
    enum class From {
        Profile, // nothing named: the URI / properties as the operator wrote them, or none
        Keychain, // the system keychain (QtKeychain), service "veltrix", key "<profile>/<what>"
        Env, // an environment variable, `envName`
        Prompt, // asked for when the profile is opened
    };
    From from = From::Profile;
    QString envName;

    bool isSet() const { return from != From::Profile; }
    static QString fromName(From from); // "keychain", "env", "prompt" as in the profiles file
    bool operator==(const SecretSource &) const = default;
};

// Per-profile masking of payload fields in every view and export (profile field "masking").
struct MaskingRules
{
    bool defaults = true; // password, secret, token, api keys, card numbers, authorization
    QStringList headers; // header names, case-insensitive; the whole value is masked
    QStringList jsonPaths; // "customer.card.number", "items[*].iban", "$.token"
    QStringList patterns; // regular expressions over the payload text

    bool isDefault() const { return *this == MaskingRules {}; }
    bool operator==(const MaskingRules &) const = default;
};

} // namespace veltrix
