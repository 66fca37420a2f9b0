#include "commands.h"

#include "core/profilefile.h"
#include "core/secretresolver.h"
#include "profiles/profileimport.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>

namespace veltrix::ctl {

namespace {

const QCommandLineOption nameOption(QStringLiteral("name"),
                                    QStringLiteral("profiles import: the new profile's name."),
                                    QStringLiteral("NAME"));
const QCommandLineOption passwordEnvOption(
    QStringLiteral("password-env"),
    QStringLiteral("profiles import: take the password from this environment variable when "
                   "connecting, instead of storing it in the system keychain."),
    QStringLiteral("VARIABLE"));
const QCommandLineOption passphraseEnvOption(
    QStringLiteral("passphrase-env"),
    QStringLiteral("profiles import: likewise for the client key's passphrase."),
    QStringLiteral("VARIABLE"));
const QCommandLineOption
    replaceOption(QStringLiteral("replace"),
                  QStringLiteral("profiles import: replace a profile of the same name."));

QJsonObject describeProfile(const ClusterProfile &p)
{
    QJsonObject o {{QStringLiteral("name"), p.name},
                   {QStringLiteral("kind"), clusterKindName(p.kind)},
                   {QStringLiteral("read_only"), p.readOnly}};
    if (p.kind == ClusterKind::Kafka) {
        o.insert(QStringLiteral("bootstrap"), p.bootstrap);
        o.insert(QStringLiteral("groups"), QJsonArray::fromStringList(p.groups));
    } else {
        o.insert(QStringLiteral("amqp"), redactedUri(p.amqpUri));
        o.insert(QStringLiteral("management"), p.managementUrl);
    }
    // Where secrets come from and how TLS is trusted; never a secret.
    o.insert(QStringLiteral("tls_verify"), p.tls.verify);
    if (p.passwordSource.isSet())
        o.insert(QStringLiteral("password_from"), SecretSource::fromName(p.passwordSource.from));
    return o;
}

int listProfiles(const CtlContext &context, const QCommandLineParser &parser)
{
    // Listing needs no secrets: no keychain, no prompt.
    const auto clusters = context.resolveClusters(parser, CtlContext::Secrets::Skip);
    if (!clusters)
        return ExitUsage;

    if (context.json(parser)) {
        QJsonArray list;
        for (const ClusterProfile &p : *clusters)
            list.append(describeProfile(p));
        printJson({{QStringLiteral("file"), context.profilesPath(parser)},
                   {QStringLiteral("clusters"), list}});
        return ExitOk;
    }
    for (const ClusterProfile &p : *clusters) {
        const QString where = p.kind == ClusterKind::Kafka ? p.bootstrap
                                                           : redactedUri(p.amqpUri)
                + (p.managementUrl.isEmpty() ? QString() : QStringLiteral("  ") + p.managementUrl);
        QString flags;
        if (p.readOnly)
            flags += QStringLiteral("  (read-only)");
        if (!p.tls.verify)
            flags += QStringLiteral("  (TLS verification OFF)");
        printLine(QStringLiteral("%1  %2  %3%4")
                      .arg(p.name, -20)
                      .arg(clusterKindName(p.kind), -8)
                      .arg(where, flags));
    }
    return ExitOk;
}

// Where an imported secret goes: the environment variable the operator named (then it is
// not kept anywhere), or the system keychain. Never the profiles file.
std::optional<QString> placeSecret(const QString &secret, const QString &envName,
                                   const QString &keychainKey, SecretSource *source)
{
    if (!envName.isEmpty()) {
        *source = {SecretSource::From::Env, envName};
        return std::nullopt;
    }
    if (secret.isEmpty())
        return std::nullopt;
    const Result<bool> stored = SecretResolver::storeInKeychain(keychainKey, secret);
    if (!stored)
        return stored.error().describe();
    source->from = SecretSource::From::Keychain;
    return std::nullopt;
}

int importProfile(const CtlContext &context, const QCommandLineParser &parser,
                  const QString &sourceArg)
{
    const QString name = parser.value(nameOption).trimmed();
    if (name.isEmpty()) {
        printError(QStringLiteral("profiles import needs --name NAME"));
        return ExitUsage;
    }
    std::variant<ImportedProfile, ProfileError> imported = ProfileError {};
    if (sourceArg.startsWith(QLatin1String("amqp://"))
        || sourceArg.startsWith(QLatin1String("amqps://"))) {
        imported = importRabbitUri(sourceArg, name, context.managementUrl(parser));
    } else {
        QFile file(sourceArg);
        if (!file.open(QIODevice::ReadOnly)) {
            printError(QStringLiteral("%1: cannot read: %2").arg(sourceArg, file.errorString()));
            return ExitUsage;
        }
        const PropertiesFileResult parsed
            = parsePropertiesFile(file.read(2 * 1024 * 1024), sourceArg);
        if (!parsed.ok()) {
            printError(parsed.error->describe());
            return ExitUsage;
        }
        imported = importKafkaProperties(parsed.properties, name, sourceArg);
    }
    if (const auto *error = std::get_if<ProfileError>(&imported)) {
        printError(error->describe());
        return ExitUsage;
    }
    ImportedProfile out = std::get<ImportedProfile>(std::move(imported));

    const QString path = context.profilesPath(parser);
    QList<ClusterProfile> clusters;
    if (QFileInfo::exists(path)) {
        const ProfileFileResult loaded = ProfileFile::load(path);
        if (!loaded.ok()) {
            printError(loaded.error->describe() + QStringLiteral(" (nothing imported)"));
            return ExitUsage;
        }
        clusters = loaded.clusters;
    }
    const auto same = std::find_if(clusters.begin(), clusters.end(),
                                   [&](const ClusterProfile &p) { return p.name == name; });
    if (same != clusters.end() && !parser.isSet(replaceOption)) {
        printError(QStringLiteral("%1: a profile named \"%2\" exists; --replace to replace it")
                       .arg(path, name));
        return ExitUsage;
    }

    using What = SecretResolver::What;
    for (const auto &[secret, env, what, source] :
         {std::tuple {out.password, parser.value(passwordEnvOption), What::Password,
                      &out.profile.passwordSource},
          std::tuple {out.keyPassphrase, parser.value(passphraseEnvOption), What::KeyPassphrase,
                      &out.profile.keyPassphraseSource}}) {
        if (const auto failed
            = placeSecret(secret, env, SecretResolver::keychainKey(name, what), source)) {
            printError(QStringLiteral("%1; nothing imported. Rerun with --%2 VARIABLE and export "
                                      "it where the console runs")
                           .arg(*failed,
                                what == What::Password ? QStringLiteral("password-env")
                                                       : QStringLiteral("passphrase-env")));
            return ExitClusterFailed;
        }
        if (!secret.isEmpty() && source->from == SecretSource::From::Env)
            out.notes << QStringLiteral("the %1 in the source was not stored: export %2")
                             .arg(SecretResolver::whatName(what), source->envName);
    }

    if (same != clusters.end())
        *same = out.profile;
    else
        clusters << out.profile;
    if (const auto error = ProfileFile::save(path, clusters)) {
        printError(error->describe());
        return ExitUsage;
    }
    if (context.json(parser)) {
        printJson({{QStringLiteral("file"), path},
                   {QStringLiteral("profile"), describeProfile(out.profile)},
                   {QStringLiteral("notes"), QJsonArray::fromStringList(out.notes)}});
    } else {
        printLine(QStringLiteral("imported \"%1\" into %2").arg(name, path));
        for (const QString &note : std::as_const(out.notes))
            printLine(QStringLiteral("  note: ") + note);
    }
    return ExitOk;
}

} // namespace

void addProfilesOptions(QCommandLineParser &parser)
{
    parser.addOptions({nameOption, passwordEnvOption, passphraseEnvOption, replaceOption});
}

int runProfiles(const CtlContext &context, const QCommandLineParser &parser,
                const QStringList &args)
{
    if (args.isEmpty())
        return listProfiles(context, parser);
    if (args.first() == QLatin1String("import") && args.size() == 2)
        return importProfile(context, parser, args.at(1));
    printError(QStringLiteral("profiles: expected nothing or \"import FILE|URI\", not \"%1\"")
                   .arg(args.join(u' ')));
    return ExitUsage;
}

} // namespace veltrix::ctl
