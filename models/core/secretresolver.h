#pragma once

#include "clusterprofile.h"
#include "result.h"

#include <QList>
#include <QString>

#include <chrono>
#include <functional>
#include <optional>

namespace veltrix {

// Fills a profile's secrets (password, key passphrase) in memory from the sources its file
// names: the system keychain, an environment variable, or a prompt. Errors name the profile
// and the source, never a value.
class SecretResolver
{
public:
    // Asks the operator; nullopt when they cancel or nobody can be asked. `question` is like
    // "Password for shop-rabbit (user app)".
    using Prompt = std::function<std::optional<QString>(const QString &question)>;

    enum class What { Password, KeyPassphrase };
    static QString whatName(What what); // "password", "key passphrase"
    // The keychain entry: service "veltrix", key "<profile>/password" or
    // "<profile>/key_passphrase".
    static QString keychainService();
    static QString keychainKey(const QString &profileName, What what);

    explicit SecretResolver(Prompt prompt = {});

    // The profile with its secrets filled, or the reason one is unavailable.
    Result<ClusterProfile> resolve(ClusterProfile profile) const;
    // Every profile, each either resolved or carrying its reason in `secretProblem`, so the
    // others still open and this one fails with the reason when it connects.
    QList<ClusterProfile> resolveAll(const QList<ClusterProfile> &profiles) const;

    // Keychain access for the profile dialog (blocking up to `timeout` on a local event loop).
    static Result<bool> storeInKeychain(const QString &key, const QString &secret,
                                        std::chrono::milliseconds timeout
                                        = std::chrono::seconds(10));
    static Result<QString> readFromKeychain(const QString &key,
                                            std::chrono::milliseconds timeout
                                            = std::chrono::seconds(10));

private:
    Result<QString> fetch(const ClusterProfile &profile, const SecretSource &source,
                          What what) const;

    Prompt m_prompt;
};

} // namespace veltrix
