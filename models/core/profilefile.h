#pragma once

#include "clusterprofile.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace veltrix {

// Why a profiles file was rejected, placed so an operator can go straight to it.
struct ProfileError
{
    QString file; // path as given
    int line = 0; // 1-based, 0 when unknown
    int column = 0; // 1-based, 0 when unknown
    QString field; // JSON path like "clusters[1].amqp", empty for syntax errors
    QString message;

    // "profiles.json:12:5: clusters[1].amqp: must be a string, not a number"
    QString describe() const;

    bool operator==(const ProfileError &) const = default;
};

struct ProfileFileResult
{
    QList<ClusterProfile> clusters;
    std::optional<ProfileError> error;

    bool ok() const { return !error; }
};

// The connection profiles file. Its format is a contract with operators' scripts:
// {"clusters": [{"name": "shop-kafka", "kind": "kafka", "bootstrap": "host:9092",
//                "properties": {"<librdkafka property>": "..."}, "groups": ["billing"],
//                "read_only": false},
//               {"name": "shop-rabbit", "kind": "rabbitmq",
//                "amqp": "amqp://user@host:5672/vhost", "management": "http://host:15672"}]}
class ProfileFile
{
public:
    // Far above any real profiles file; stops a wrong path (a log, a device) being slurped.
    static constexpr qsizetype maxFileSize = 16 * 1024 * 1024;

    // $XDG_CONFIG_HOME/veltrix/profiles.json (~/.config/veltrix/profiles.json).
    static QString defaultPath();

    // Reports the first error; clusters is empty unless ok().
    static ProfileFileResult parse(const QByteArray &json, const QString &fileName);
    static ProfileFileResult load(const QString &path);

    // Indented JSON that parse() reads back equal. Writes only the fields of each
    // profile's kind.
    static QByteArray serialize(const QList<ClusterProfile> &clusters);

    // Refuses to write what parse() would reject. Creates the parent folder; replaces the
    // file atomically; a new file is private to its owner (URIs may carry passwords).
    static std::optional<ProfileError> save(const QString &path,
                                            const QList<ClusterProfile> &clusters);
};

} // namespace veltrix
