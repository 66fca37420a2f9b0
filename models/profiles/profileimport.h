#pragma once

#include "core/clusterprofile.h"
#include "core/profilefile.h"

#include <QByteArray>
#include <QMap>
#include <QString>

#include <variant>

namespace veltrix {

// key=value pairs of a Java client .properties file or a kcat -F config, in file order of
// last appearance. Errors name the file, the line and the key.
struct PropertiesFileResult
{
    QMap<QString, QString> properties;
    std::optional<ProfileError> error;
    bool ok() const { return !error; }
};

// Java .properties syntax: "#" and "!" comments, "key=value", "key: value" or "key value",
// a trailing backslash continues a line, \t \n \uXXXX escapes. kcat's config files are the
// plain subset of it.
PropertiesFileResult parsePropertiesFile(const QByteArray &text, const QString &fileName);
// The same syntax on text already decoded (the profile dialog's properties box); no
// properties at all is fine here.
PropertiesFileResult parsePropertiesText(const QString &text, const QString &fileName);
// Properties as text parsePropertiesText reads back as the same map.
QString writePropertiesText(const QMap<QString, QString> &properties);

// Profiles made from what operators already have. The secrets in them never reach the
// profile: they come back separately for the keychain (or the operator's environment).
struct ImportedProfile
{
    ClusterProfile profile;
    QString password; // taken out of sasl.password / the URI; empty when there was none
    QString keyPassphrase; // taken out of ssl.key.password
    QStringList notes; // what was mapped or dropped, for the operator to read
};

// A Kafka profile from client properties: bootstrap.servers (or metadata.broker.list)
// becomes "bootstrap"; ssl.ca.location / ssl.certificate.location / ssl.key.location and
// verification become "tls"; Java-only keys (*.jaas.config, truststore/keystore) are
// refused with a reason, the rest pass through to librdkafka as they are.
std::variant<ImportedProfile, ProfileError>
importKafkaProperties(const QMap<QString, QString> &properties, const QString &name,
                      const QString &fileName);

// A RabbitMQ profile from an amqp:// or amqps:// URI; the management URL is guessed as
// http(s)://host:15672 (15671 for amqps) unless given.
std::variant<ImportedProfile, ProfileError> importRabbitUri(const QString &uri, const QString &name,
                                                            const QString &managementUrl = {});

} // namespace veltrix
