#include "secretresolver.h"

#include <qt6keychain/keychain.h>

#include <QEventLoop>
#include <QTimer>
#include <QUrl>

namespace veltrix {

using namespace Qt::StringLiterals;

namespace {

using Kind = BrokerError::Kind;
using From = SecretSource::From;

const QString noKeychainHint
    = u"where no keychain runs (a server, a container), name an environment variable instead: "
      "\"password\": {\"from\": \"env\", \"name\": \"VARIABLE\"}"_s;

// Runs a keychain job to its end on a local event loop, bounded: a keychain daemon that
// never answers must not hang the caller.
bool runJob(QKeychain::Job &job, std::chrono::milliseconds timeout)
{
    job.setAutoDelete(false);
    QEventLoop loop;
    bool finished = false;
    QObject::connect(&job, &QKeychain::Job::finished, &loop, [&] {
        finished = true;
        loop.quit();
    });
    QTimer::singleShot(timeout, &loop, &QEventLoop::quit);
    job.start();
    if (!finished)
        loop.exec();
    return finished;
}

QString userOf(const ClusterProfile &profile)
{
    if (profile.kind == ClusterKind::RabbitMq)
        return QUrl(profile.amqpUri).userName();
    return profile.properties.value(u"sasl.username"_s);
}

// QtKeychain says "Unknown error" when there is no keychain service at all.
QString keychainProblem(const QKeychain::Job &job)
{
    if (qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS")
        && (job.error() == QKeychain::NoBackendAvailable || job.error() == QKeychain::OtherError))
        return u"no keychain service runs here (no session D-Bus, so no Secret Service or "
               "KWallet)"_s;
    return job.errorString();
}

} // namespace

QString SecretResolver::whatName(What what)
{
    return what == What::Password ? u"password"_s : u"key passphrase"_s;
}

QString SecretResolver::keychainService()
{
    return u"veltrix"_s;
}

QString SecretResolver::keychainKey(const QString &profileName, What what)
{
    return profileName + (what == What::Password ? u"/password"_s : u"/key_passphrase"_s);
}

SecretResolver::SecretResolver(Prompt prompt)
    : m_prompt(std::move(prompt))
{ }

Result<ClusterProfile> SecretResolver::resolve(ClusterProfile profile) const
{
    for (const auto &[source, what, into] :
         {std::tuple {profile.passwordSource, What::Password, &profile.password},
          std::tuple {profile.keyPassphraseSource, What::KeyPassphrase, &profile.keyPassphrase}}) {
        if (!source.isSet() || !into->isEmpty())
            continue;
        Result<QString> secret = fetch(profile, source, what);
        if (!secret)
            return secret.error();
        *into = secret.value();
    }
    profile.secretProblem.clear();
    return profile;
}

QList<ClusterProfile> SecretResolver::resolveAll(const QList<ClusterProfile> &profiles) const
{
    QList<ClusterProfile> out;
    out.reserve(profiles.size());
    for (const ClusterProfile &profile : profiles) {
        Result<ClusterProfile> resolved = resolve(profile);
        if (resolved) {
            out << resolved.value();
        } else {
            out << profile;
            out.last().secretProblem = resolved.error().describe();
        }
    }
    return out;
}

Result<QString> SecretResolver::fetch(const ClusterProfile &profile, const SecretSource &source,
                                      What what) const
{
    const QString subject = u"%1: the %2"_s.arg(profile.name, whatName(what));
    switch (source.from) {
    case From::Env: {
        const QString value = qEnvironmentVariable(source.envName.toLocal8Bit().constData());
        if (value.isEmpty())
            return BrokerError::make(
                Kind::Configuration,
                u"%1 comes from the environment variable %2, which is not set"_s.arg(
                    subject, source.envName),
                u"export %1 before starting, or change the profile's source"_s.arg(source.envName));
        return value;
    }
    case From::Keychain: {
        Result<QString> value = readFromKeychain(keychainKey(profile.name, what));
        if (!value)
            return BrokerError::make(
                Kind::Configuration,
                u"%1 is not in the system keychain: %2"_s.arg(subject, value.error().message),
                value.error().hint);
        return value;
    }
    case From::Prompt: {
        const QString user = userOf(profile);
        const QString question = what == What::Password && !user.isEmpty()
            ? u"Password for %1 (user %2)"_s.arg(profile.name, user)
            : u"The %1 for %2"_s.arg(whatName(what), profile.name);
        const std::optional<QString> answer = m_prompt ? m_prompt(question) : std::nullopt;
        if (!answer || answer->isEmpty())
            return BrokerError::make(
                Kind::Configuration,
                m_prompt ? u"%1 was not given"_s.arg(subject)
                         : u"%1 is asked for at a prompt, and there is no one to ask here"_s.arg(
                             subject),
                u"run it from a terminal, or name an environment variable in the profile"_s);
        return *answer;
    }
    case From::Profile:
        break;
    }
    return QString();
}

Result<bool> SecretResolver::storeInKeychain(const QString &key, const QString &secret,
                                             std::chrono::milliseconds timeout)
{
    QKeychain::WritePasswordJob job(keychainService());
    job.setKey(key);
    job.setTextData(secret);
    if (!runJob(job, timeout))
        return BrokerError::make(Kind::Timeout, u"the system keychain did not answer"_s,
                                 noKeychainHint);
    if (job.error() != QKeychain::NoError)
        return BrokerError::make(Kind::Configuration,
                                 u"cannot store in the system keychain: "_s + keychainProblem(job),
                                 noKeychainHint);
    return true;
}

Result<QString> SecretResolver::readFromKeychain(const QString &key,
                                                 std::chrono::milliseconds timeout)
{
    QKeychain::ReadPasswordJob job(keychainService());
    job.setKey(key);
    if (!runJob(job, timeout))
        return BrokerError::make(Kind::Timeout, u"the system keychain did not answer"_s,
                                 noKeychainHint);
    if (job.error() == QKeychain::EntryNotFound)
        return BrokerError::make(
            Kind::Configuration,
            u"no entry \"%1\" under service \"%2\""_s.arg(key, keychainService()),
            u"save the profile from the console's profile dialog, or "
            "choose another source"_s);
    if (job.error() != QKeychain::NoError)
        return BrokerError::make(Kind::Configuration, keychainProblem(job), noKeychainHint);
    return job.textData();
}

} // namespace veltrix
