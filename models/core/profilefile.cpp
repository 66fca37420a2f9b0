#include "profilefile.h"

#include "jsonlocator.h"
#include "maskpath.h"

#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QRegularExpression>
#include <QSaveFile>
#include <QStandardPaths>
#include <QUrl>

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace veltrix {

using namespace Qt::StringLiterals;

namespace {

const QStringList commonFields = {u"name"_s,   u"kind"_s, u"read_only"_s, u"dead_letter_patterns"_s,
                                  u"probe"_s,  u"tls"_s,  u"password"_s,  u"key_passphrase"_s,
                                  u"masking"_s};
const QStringList tlsFields = {u"ca_file"_s, u"cert_file"_s, u"key_file"_s, u"verify"_s};
const QStringList secretFields = {u"from"_s, u"name"_s};
const QStringList maskingFields = {u"defaults"_s, u"headers"_s, u"json_paths"_s, u"patterns"_s};
const QStringList kafkaFields
    = {u"bootstrap"_s, u"properties"_s, u"groups"_s, u"lag"_s, u"redrive_producer"_s};
const QStringList producerFields
    = {u"acks"_s,    u"enable.idempotence"_s, u"max.in.flight.requests.per.connection"_s,
       u"retries"_s, u"retry.backoff.ms"_s,   u"delivery.timeout.ms"_s};
const QStringList lagFields = {u"interval_s"_s, u"window_s"_s};
const QStringList probeFields = {u"enabled"_s, u"topic"_s, u"rate"_s, u"deadline_s"_s};
const QStringList rabbitFields = {u"amqp"_s, u"management"_s};
const QString kafkaName = clusterKindName(ClusterKind::Kafka);
const QString rabbitName = clusterKindName(ClusterKind::RabbitMq);

// Quoted the way it would be written in the file, so odd characters stay visible.
QString quoted(const QString &text)
{
    const QByteArray array = QJsonDocument(QJsonArray {text}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(array.sliced(1, array.size() - 2));
}

QString typeName(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return u"null"_s;
    case QJsonValue::Bool:
        return u"a boolean"_s;
    case QJsonValue::Double:
        return u"a number"_s;
    case QJsonValue::String:
        return u"a string"_s;
    case QJsonValue::Array:
        return u"an array"_s;
    case QJsonValue::Object:
        return u"an object"_s;
    case QJsonValue::Undefined:
        break;
    }
    return u"missing"_s;
}

// Levenshtein distance, capped: anything above 2 is too far to suggest.
int editDistance(QStringView a, QStringView b)
{
    if (qAbs(a.size() - b.size()) > 2)
        return 3;
    QList<int> previous(b.size() + 1), current(b.size() + 1);
    for (qsizetype j = 0; j <= b.size(); ++j)
        previous[j] = int(j);
    for (qsizetype i = 1; i <= a.size(); ++i) {
        current[0] = int(i);
        for (qsizetype j = 1; j <= b.size(); ++j) {
            const int substitute = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
            current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitute});
        }
        std::swap(previous, current);
    }
    return previous[b.size()];
}

QString suggestion(const QString &wrong, const QStringList &candidates)
{
    QString best;
    int bestDistance = 3;
    for (const QString &candidate : candidates) {
        if (const int d = editDistance(wrong.toLower(), candidate); d < bestDistance) {
            best = candidate;
            bestDistance = d;
        }
    }
    return best.isEmpty() ? QString() : u" (did you mean "_s + quoted(best) + u"?)"_s;
}

// One path, two spellings: keys for the locator, text for people.
struct JsonPath
{
    QStringList keys;
    QString text;

    JsonPath member(const QString &key) const
    {
        const bool plain = !key.isEmpty() && !key[0].isDigit()
            && std::all_of(key.begin(), key.end(), [](QChar c) {
                   return c == u'_' || (c.isLetterOrNumber() && c.unicode() < 128);
               });
        if (!plain)
            return {keys + QStringList {key}, text + u'[' + quoted(key) + u']'};
        return {keys + QStringList {key}, text.isEmpty() ? key : text + u'.' + key};
    }
    JsonPath element(qsizetype index) const
    {
        const QString number = QString::number(index);
        return {keys + QStringList {number}, text + u'[' + number + u']'};
    }
};

using Failure = std::optional<ProfileError>;

class Checker
{
public:
    Checker(const QByteArray &json, const QString &file)
        : m_json(json)
        , m_file(file)
    { }

    Failure checkTop(const QJsonDocument &document, QList<ClusterProfile> *clusters) const
    {
        if (!document.isObject())
            return error(
                {}, {},
                u"the top level must be an object like {\"clusters\": [...]}, not an array"_s);
        const QJsonObject top = document.object();
        if (Failure e = unknownFields(top, {}, {u"clusters"_s}, {u"clusters"_s}))
            return e;
        const JsonPath at = JsonPath().member(u"clusters"_s);
        const QJsonValue value = top.value(u"clusters"_s);
        if (value.isUndefined())
            return error({}, at.text, u"required field is missing"_s);
        if (!value.isArray())
            return error(at, u"must be an array, not "_s + typeName(value));
        const QJsonArray array = value.toArray();
        QHash<QString, qsizetype> names; // a list scan would be quadratic in huge files
        for (qsizetype i = 0; i < array.size(); ++i) {
            ClusterProfile profile;
            if (Failure e = checkCluster(array[i], at.element(i), names, &profile))
                return e;
            names.insert(profile.name, i);
            clusters->append(profile);
        }
        return {};
    }

private:
    ProfileError error(const JsonPath &locate, const QString &field, const QString &message) const
    {
        const TextPosition position = positionOfJsonPath(m_json, locate.keys);
        return {m_file, position.line, position.column, field, message};
    }
    ProfileError error(const JsonPath &at, const QString &message) const
    {
        return error(at, at.text, message);
    }

    Failure unknownFields(const QJsonObject &object, const JsonPath &at, const QStringList &allowed,
                          const QStringList &suggestable) const
    {
        for (const QString &key : object.keys()) {
            if (!allowed.contains(key))
                return error(at.member(key), at.text,
                             u"unknown field "_s + quoted(key) + suggestion(key, suggestable));
        }
        return {};
    }

    Failure readString(const QJsonObject &object, const JsonPath &at, const QString &key,
                       QString *out) const
    {
        const QJsonValue value = object.value(key);
        if (value.isUndefined())
            return error(at, at.member(key).text, u"required field is missing"_s);
        if (!value.isString())
            return error(at.member(key), u"must be a string, not "_s + typeName(value));
        if (value.toString().trimmed().isEmpty())
            return error(at.member(key), u"must not be empty"_s);
        *out = value.toString();
        return {};
    }

    Failure checkCluster(const QJsonValue &value, const JsonPath &at,
                         const QHash<QString, qsizetype> &names, ClusterProfile *out) const;
    Failure readStringList(const QJsonObject &object, const JsonPath &at, const QString &key,
                           QStringList *out) const;
    Failure checkKafka(const QJsonObject &object, const JsonPath &at, ClusterProfile *out) const;
    Failure checkRabbit(const QJsonObject &object, const JsonPath &at, ClusterProfile *out) const;
    Failure checkLag(const QJsonValue &value, const JsonPath &at, LagSettings *out) const;
    Failure checkProbe(const QJsonValue &value, const JsonPath &at, bool isKafka,
                       ProbeSettings *out) const;
    Failure checkRedriveProducer(const QJsonValue &value, const JsonPath &at,
                                 RedriveProducerSettings *out) const;
    Failure readSeconds(const QJsonObject &object, const JsonPath &at, const QString &key,
                        double min, double max, std::chrono::milliseconds *out) const;
    Failure readBool(const QJsonObject &object, const JsonPath &at, const QString &key,
                     bool *out) const;
    Failure checkSecurity(const QJsonObject &object, const JsonPath &at, ClusterProfile *out) const;
    Failure checkTls(const QJsonValue &value, const JsonPath &at, TlsSettings *out) const;
    Failure checkSecret(const QJsonValue &value, const JsonPath &at, SecretSource *out) const;
    Failure checkMasking(const QJsonValue &value, const JsonPath &at, MaskingRules *out) const;
    Failure checkKafkaSecurity(const JsonPath &at, const ClusterProfile &profile) const;

    const QByteArray &m_json;
    const QString &m_file;
};

Failure Checker::checkCluster(const QJsonValue &value, const JsonPath &at,
                              const QHash<QString, qsizetype> &names, ClusterProfile *out) const
{
    if (!value.isObject())
        return error(at, u"must be an object, not "_s + typeName(value));
    const QJsonObject object = value.toObject();

    // Unknown fields first: a misspelt "name" is better reported as a typo than as missing.
    const QString kind = object.value(u"kind"_s).toString();
    const bool isKafka = kind == kafkaName, isRabbit = kind == rabbitName;
    const QStringList own = isKafka ? kafkaFields
        : isRabbit                  ? rabbitFields
                                    : kafkaFields + rabbitFields;
    if (Failure e
        = unknownFields(object, at, commonFields + kafkaFields + rabbitFields, commonFields + own))
        return e;

    if (Failure e = readString(object, at, u"name"_s, &out->name))
        return e;
    if (const auto it = names.constFind(out->name); it != names.cend())
        return error(at.member(u"name"_s),
                     quoted(out->name) + u" is already the name of clusters["_s
                         + QString::number(*it) + u']');
    QString ignored; // kind was read above; this only reports a missing or non-string one
    if (Failure e = readString(object, at, u"kind"_s, &ignored))
        return e;
    if (!isKafka && !isRabbit)
        return error(at.member(u"kind"_s),
                     u"must be \"kafka\" or \"rabbitmq\", not "_s + quoted(kind)
                         + suggestion(kind, {kafkaName, rabbitName}));
    out->kind = isKafka ? ClusterKind::Kafka : ClusterKind::RabbitMq;

    const QJsonValue readOnly = object.value(u"read_only"_s);
    if (!readOnly.isUndefined() && !readOnly.isBool()) {
        const QString text = readOnly.toString();
        const QString hint
            = text == u"true" || text == u"false" ? u" (remove the quotes)"_s : QString();
        return error(at.member(u"read_only"_s),
                     u"must be true or false, not "_s + typeName(readOnly) + hint);
    }
    out->readOnly = readOnly.toBool(false);
    if (object.contains(u"dead_letter_patterns"_s)) {
        QStringList patterns;
        if (Failure e = readStringList(object, at, u"dead_letter_patterns"_s, &patterns))
            return e;
        out->deadLetterPatterns = patterns;
    }

    if (object.contains(u"probe"_s)) {
        if (Failure e
            = checkProbe(object.value(u"probe"_s), at.member(u"probe"_s), isKafka, &out->probe))
            return e;
    }

    for (const QString &key : isKafka ? rabbitFields : kafkaFields) {
        if (object.contains(key))
            return error(at.member(key), at.text,
                         u"field "_s + quoted(key) + u" belongs to "_s
                             + (isKafka ? rabbitName : kafkaName) + u" clusters, not "_s + kind);
    }
    if (Failure e = checkSecurity(object, at, out))
        return e;
    if (Failure e = isKafka ? checkKafka(object, at, out) : checkRabbit(object, at, out))
        return e;
    return isKafka ? checkKafkaSecurity(at, *out) : Failure();
}

Failure Checker::readBool(const QJsonObject &object, const JsonPath &at, const QString &key,
                          bool *out) const
{
    const QJsonValue value = object.value(key);
    if (value.isUndefined())
        return {};
    if (!value.isBool())
        return error(at.member(key), u"must be true or false, not "_s + typeName(value));
    *out = value.toBool();
    return {};
}

Failure Checker::checkSecurity(const QJsonObject &object, const JsonPath &at,
                               ClusterProfile *out) const
{
    if (object.contains(u"tls"_s)) {
        if (Failure e = checkTls(object.value(u"tls"_s), at.member(u"tls"_s), &out->tls))
            return e;
    }
    for (const auto &[key, into] : {std::pair {u"password"_s, &out->passwordSource},
                                    std::pair {u"key_passphrase"_s, &out->keyPassphraseSource}}) {
        if (object.contains(key)) {
            if (Failure e = checkSecret(object.value(key), at.member(key), into))
                return e;
        }
    }
    if (object.contains(u"masking"_s))
        return checkMasking(object.value(u"masking"_s), at.member(u"masking"_s), &out->masking);
    return {};
}

Failure Checker::checkTls(const QJsonValue &value, const JsonPath &at, TlsSettings *out) const
{
    if (!value.isObject())
        return error(at,
                     u"must be an object like {\"ca_file\": \"/etc/ssl/ca.pem\"}, not "_s
                         + typeName(value));
    const QJsonObject object = value.toObject();
    if (Failure e = unknownFields(object, at, tlsFields, tlsFields))
        return e;
    for (const auto &[key, into] :
         {std::pair {u"ca_file"_s, &out->caFile}, std::pair {u"cert_file"_s, &out->certFile},
          std::pair {u"key_file"_s, &out->keyFile}}) {
        if (object.contains(key)) {
            if (Failure e = readString(object, at, key, into))
                return e;
        }
    }
    if (out->certFile.isEmpty() != out->keyFile.isEmpty())
        return error(at.member(out->certFile.isEmpty() ? u"key_file"_s : u"cert_file"_s),
                     u"a client certificate needs both cert_file and key_file"_s);
    return readBool(object, at, u"verify"_s, &out->verify);
}

Failure Checker::checkSecret(const QJsonValue &value, const JsonPath &at, SecretSource *out) const
{
    const QString shape = u"must be {\"from\": \"keychain\"}, {\"from\": \"prompt\"} or "
                          "{\"from\": \"env\", \"name\": \"VARIABLE\"}"_s;
    if (!value.isObject()) {
        // A literal secret here would sit in plaintext in the file: say where it belongs.
        const QString why = value.isString()
            ? u"; a password is never written in the profiles file: keep it in the keychain "
              "or an environment variable"_s
            : u", not "_s + typeName(value);
        return error(at, shape + why);
    }
    const QJsonObject object = value.toObject();
    if (Failure e = unknownFields(object, at, secretFields, secretFields))
        return e;
    QString from;
    if (Failure e = readString(object, at, u"from"_s, &from))
        return e;
    using From = SecretSource::From;
    const QStringList names
        = {SecretSource::fromName(From::Keychain), SecretSource::fromName(From::Env),
           SecretSource::fromName(From::Prompt)};
    if (!names.contains(from))
        return error(at.member(u"from"_s),
                     u"must be \"keychain\", \"env\" or \"prompt\", not "_s + quoted(from)
                         + suggestion(from, names));
    out->from = from == names[0] ? From::Keychain : from == names[1] ? From::Env : From::Prompt;
    if (out->from != From::Env) {
        if (object.contains(u"name"_s))
            return error(at.member(u"name"_s), u"only {\"from\": \"env\"} takes a variable name"_s);
        return {};
    }
    if (Failure e = readString(object, at, u"name"_s, &out->envName))
        return e;
    static const QRegularExpression variable(u"^[A-Za-z_][A-Za-z0-9_]*$"_s);
    if (!variable.match(out->envName).hasMatch())
        return error(at.member(u"name"_s),
                     quoted(out->envName) + u" is not an environment variable name"_s);
    return {};
}

Failure Checker::checkMasking(const QJsonValue &value, const JsonPath &at, MaskingRules *out) const
{
    if (!value.isObject())
        return error(at,
                     u"must be an object like {\"headers\": [\"authorization\"], "
                     "\"json_paths\": [\"card.number\"]}, not "_s
                         + typeName(value));
    const QJsonObject object = value.toObject();
    if (Failure e = unknownFields(object, at, maskingFields, maskingFields))
        return e;
    if (Failure e = readBool(object, at, u"defaults"_s, &out->defaults))
        return e;
    if (Failure e = readStringList(object, at, u"headers"_s, &out->headers))
        return e;
    if (Failure e = readStringList(object, at, u"json_paths"_s, &out->jsonPaths))
        return e;
    for (qsizetype i = 0; i < out->jsonPaths.size(); ++i) {
        if (!splitMaskPath(out->jsonPaths[i]))
            return error(at.member(u"json_paths"_s).element(i),
                         quoted(out->jsonPaths[i])
                             + u" is not a JSON path like \"card.number\" or "
                               "\"items[*].iban\""_s);
    }
    if (Failure e = readStringList(object, at, u"patterns"_s, &out->patterns))
        return e;
    for (qsizetype i = 0; i < out->patterns.size(); ++i) {
        const QRegularExpression pattern(out->patterns[i]);
        if (!pattern.isValid())
            return error(at.member(u"patterns"_s).element(i),
                         u"not a regular expression: "_s + pattern.errorString() + u" at offset "_s
                             + QString::number(pattern.patternErrorOffset()));
    }
    return {};
}

// The properties librdkafka would take may say what the profile's own fields say: one
// place per setting, and verification is only switched off where "tls" says so.
Failure Checker::checkKafkaSecurity(const JsonPath &at, const ClusterProfile &profile) const
{
    const JsonPath properties = at.member(u"properties"_s);
    const auto lower = [&](const QString &key) { return profile.properties.value(key).toLower(); };
    if (profile.tls.verify) {
        if (profile.properties.contains(u"enable.ssl.certificate.verification"_s)
            && lower(u"enable.ssl.certificate.verification"_s) == u"false")
            return error(properties.member(u"enable.ssl.certificate.verification"_s),
                         u"turns certificate verification off; that needs \"tls\": "
                         "{\"verify\": false} in this profile, which the console shows as a "
                         "warning"_s);
        if (profile.properties.contains(u"ssl.endpoint.identification.algorithm"_s)
            && lower(u"ssl.endpoint.identification.algorithm"_s) == u"none")
            return error(properties.member(u"ssl.endpoint.identification.algorithm"_s),
                         u"turns host name verification off; that needs \"tls\": "
                         "{\"verify\": false} in this profile, which the console shows as a "
                         "warning"_s);
    }
    const std::pair<QString, QString> twice[] = {
        {u"ssl.ca.location"_s, profile.tls.caFile},
        {u"ssl.certificate.location"_s, profile.tls.certFile},
        {u"ssl.key.location"_s, profile.tls.keyFile},
        {u"sasl.password"_s, profile.passwordSource.isSet() ? u"set"_s : QString()},
        {u"ssl.key.password"_s, profile.keyPassphraseSource.isSet() ? u"set"_s : QString()},
    };
    for (const auto &[property, own] : twice) {
        if (!own.isEmpty() && profile.properties.contains(property))
            return error(
                properties.member(property),
                u"is also given by the profile's "_s
                    + (property.contains(u"password"_s) ? u"secret source"_s : u"\"tls\" object"_s)
                    + u"; keep one"_s);
    }
    return {};
}

Failure Checker::readStringList(const QJsonObject &object, const JsonPath &at, const QString &key,
                                QStringList *out) const
{
    if (!object.contains(key))
        return {};
    const JsonPath list = at.member(key);
    const QJsonValue value = object.value(key);
    if (!value.isArray())
        return error(list, u"must be an array of strings, not "_s + typeName(value));
    const QJsonArray array = value.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        if (!array[i].isString())
            return error(list.element(i), u"must be a string, not "_s + typeName(array[i]));
        if (array[i].toString().trimmed().isEmpty())
            return error(list.element(i), u"must not be empty"_s);
        out->append(array[i].toString());
    }
    return {};
}

Failure Checker::checkKafka(const QJsonObject &object, const JsonPath &at,
                            ClusterProfile *out) const
{
    if (Failure e = readString(object, at, u"bootstrap"_s, &out->bootstrap))
        return e;

    if (object.contains(u"properties"_s)) {
        const JsonPath properties = at.member(u"properties"_s);
        const QJsonValue value = object.value(u"properties"_s);
        if (!value.isObject())
            return error(properties, u"must be an object of strings, not "_s + typeName(value));
        const QJsonObject map = value.toObject();
        for (auto it = map.begin(); it != map.end(); ++it) {
            if (it.key().isEmpty())
                return error(properties.member(it.key()), u"property name must not be empty"_s);
            // librdkafka takes every property as text; say how to write it rather than guess.
            if (it->isDouble() || it->isBool()) {
                const QString text = it->isBool()
                    ? (it->toBool() ? u"true"_s : u"false"_s)
                    : QString::number(it->toDouble(), 'g', QLocale::FloatingPointShortest);
                return error(properties.member(it.key()),
                             u"must be a string, not "_s + typeName(*it) + u"; quote it: "_s
                                 + quoted(text));
            }
            if (!it->isString())
                return error(properties.member(it.key()),
                             u"must be a string, not "_s + typeName(*it));
            out->properties.insert(it.key(), it->toString());
        }
    }

    if (Failure e = readStringList(object, at, u"groups"_s, &out->groups))
        return e;
    if (object.contains(u"redrive_producer"_s)) {
        if (Failure e
            = checkRedriveProducer(object.value(u"redrive_producer"_s),
                                   at.member(u"redrive_producer"_s), &out->redriveProducer))
            return e;
    }
    if (object.contains(u"lag"_s))
        return checkLag(object.value(u"lag"_s), at.member(u"lag"_s), &out->lag);
    return {};
}

Failure Checker::checkLag(const QJsonValue &value, const JsonPath &at, LagSettings *out) const
{
    if (!value.isObject())
        return error(at,
                     u"must be an object like {\"interval_s\": 2, \"window_s\": 60}, not "_s
                         + typeName(value));
    const QJsonObject object = value.toObject();
    if (Failure e = unknownFields(object, at, lagFields, lagFields))
        return e;
    if (Failure e = readSeconds(object, at, u"interval_s"_s, 0.1, 3600, &out->interval))
        return e;
    if (Failure e = readSeconds(object, at, u"window_s"_s, 1, 86400, &out->window))
        return e;
    if (out->window < 2 * out->interval)
        return error(at.member(u"window_s"_s),
                     u"must hold at least two polls: at least twice interval_s ("_s
                         + QString::number(2 * out->interval.count() / 1000.0) + u" s)"_s);
    return {};
}

Failure Checker::checkProbe(const QJsonValue &value, const JsonPath &at, bool isKafka,
                            ProbeSettings *out) const
{
    if (!value.isObject())
        return error(at,
                     u"must be an object like {\"enabled\": true, \"rate\": 1}, not "_s
                         + typeName(value));
    const QJsonObject object = value.toObject();
    if (Failure e = unknownFields(object, at, probeFields, probeFields))
        return e;
    const QJsonValue enabled = object.value(u"enabled"_s);
    if (!enabled.isUndefined() && !enabled.isBool())
        return error(at.member(u"enabled"_s), u"must be true or false, not "_s + typeName(enabled));
    out->enabled = enabled.toBool(false);
    if (object.contains(u"topic"_s)) {
        if (!isKafka)
            return error(at.member(u"topic"_s),
                         u"only Kafka probes use a topic; RabbitMQ probes use temporary "
                         "exclusive queues"_s);
        if (Failure e = readString(object, at, u"topic"_s, &out->topic))
            return e;
    }
    const QJsonValue rate = object.value(u"rate"_s);
    if (!rate.isUndefined()) {
        if (!rate.isDouble() || rate.toDouble() < 0.01 || rate.toDouble() > 100)
            return error(at.member(u"rate"_s),
                         u"must be a number of probes per second between 0.01 and 100"_s);
        out->rate = rate.toDouble();
    }
    return readSeconds(object, at, u"deadline_s"_s, 0.1, 600, &out->deadline);
}

Failure Checker::checkRedriveProducer(const QJsonValue &value, const JsonPath &at,
                                      RedriveProducerSettings *out) const
{
    if (!value.isObject())
        return error(at,
                     u"must be an object like {\"acks\": \"all\", \"enable.idempotence\": "
                     "true}, not "_s
                         + typeName(value));
    const QJsonObject object = value.toObject();
    if (Failure e = unknownFields(object, at, producerFields, producerFields))
        return e;
    const QJsonValue acks = object.value(u"acks"_s);
    if (!acks.isUndefined()) {
        if (!acks.isString() && !acks.isDouble())
            return error(at.member(u"acks"_s),
                         u"must be \"all\", \"1\" or \"0\", not "_s + typeName(acks));
        out->acks = acks.isString() ? acks.toString() : QString::number(acks.toInt());
    }
    const QJsonValue idempotence = object.value(u"enable.idempotence"_s);
    if (!idempotence.isUndefined() && !idempotence.isBool())
        return error(at.member(u"enable.idempotence"_s),
                     u"must be true or false, not "_s + typeName(idempotence));
    out->idempotence = idempotence.toBool(true);
    for (const auto &[key, into] :
         {std::pair {u"max.in.flight.requests.per.connection"_s, &out->maxInFlight},
          std::pair {u"retries"_s, &out->retries},
          std::pair {u"retry.backoff.ms"_s, &out->retryBackoffMs}}) {
        const QJsonValue number = object.value(key);
        if (number.isUndefined())
            continue;
        if (!number.isDouble() || number.toDouble() != double(number.toInteger()))
            return error(at.member(key), u"must be a whole number, not "_s + typeName(number));
        *into = int(std::clamp<qint64>(number.toInteger(), -1, 2147483647));
    }
    const QJsonValue timeout = object.value(u"delivery.timeout.ms"_s);
    if (!timeout.isUndefined()) {
        if (!timeout.isDouble())
            return error(at.member(u"delivery.timeout.ms"_s),
                         u"must be a number of milliseconds, not "_s + typeName(timeout));
        out->deliveryTimeoutMs = int(std::clamp<qint64>(timeout.toInteger(), 0, 2147483647));
    }
    // What librdkafka would refuse is refused here, where the operator can fix it.
    if (const QStringList errors = out->errors(); !errors.isEmpty())
        return error(at, errors.join(u"; "_s));
    return {};
}

Failure Checker::readSeconds(const QJsonObject &object, const JsonPath &at, const QString &key,
                             double min, double max, std::chrono::milliseconds *out) const
{
    const QJsonValue value = object.value(key);
    if (value.isUndefined())
        return {}; // optional: keep the default
    if (!value.isDouble())
        return error(at.member(key), u"must be a number of seconds, not "_s + typeName(value));
    const double seconds = value.toDouble();
    if (seconds < min || seconds > max)
        return error(at.member(key),
                     u"must be between "_s + QString::number(min) + u" and "_s
                         + QString::number(max) + u" seconds, not "_s + QString::number(seconds));
    *out = std::chrono::milliseconds(qRound64(seconds * 1000));
    return {};
}

Failure Checker::checkRabbit(const QJsonObject &object, const JsonPath &at,
                             ClusterProfile *out) const
{
    // rabbitmq-c's amqp_parse_url() takes only these two lowercase schemes.
    if (Failure e = readString(object, at, u"amqp"_s, &out->amqpUri))
        return e;
    if (!out->amqpUri.startsWith(u"amqp://") && !out->amqpUri.startsWith(u"amqps://"))
        return error(
            at.member(u"amqp"_s),
            u"must start with amqp:// or amqps://, like \"amqp://user@host:5672/vhost\""_s);
    if (out->passwordSource.isSet() && !QUrl(out->amqpUri).password().isEmpty())
        return error(at.member(u"amqp"_s),
                     u"carries a password although \"password\" names where it comes from; "
                     "remove it from the URI"_s);
    if (!out->tls.isDefault() && !out->amqpUri.startsWith(u"amqps://"))
        return error(at.member(u"tls"_s),
                     u"applies to TLS connections; the \"amqp\" URI must start with amqps://"_s);

    if (object.contains(u"management"_s)) {
        if (Failure e = readString(object, at, u"management"_s, &out->managementUrl))
            return e;
        const QUrl url(out->managementUrl, QUrl::StrictMode);
        const QString scheme = url.scheme().toLower();
        if (!url.isValid() || (scheme != u"http" && scheme != u"https") || url.host().isEmpty())
            return error(
                at.member(u"management"_s),
                u"must be an http:// or https:// URL with a host, like \"http://host:15672\""_s);
    }
    return {};
}

QJsonObject secretObject(const SecretSource &source)
{
    QJsonObject object {{u"from"_s, SecretSource::fromName(source.from)}};
    if (source.from == SecretSource::From::Env)
        object.insert(u"name"_s, source.envName);
    return object;
}

// Writes where secrets come from, never a secret.
void insertSecurity(const ClusterProfile &profile, QJsonObject *object)
{
    if (!profile.tls.isDefault()) {
        QJsonObject tls {{u"verify"_s, profile.tls.verify}};
        for (const auto &[key, value] : {std::pair {u"ca_file"_s, profile.tls.caFile},
                                         std::pair {u"cert_file"_s, profile.tls.certFile},
                                         std::pair {u"key_file"_s, profile.tls.keyFile}}) {
            if (!value.isEmpty())
                tls.insert(key, value);
        }
        object->insert(u"tls"_s, tls);
    }
    if (profile.passwordSource.isSet())
        object->insert(u"password"_s, secretObject(profile.passwordSource));
    if (profile.keyPassphraseSource.isSet())
        object->insert(u"key_passphrase"_s, secretObject(profile.keyPassphraseSource));
    if (!profile.masking.isDefault())
        object->insert(
            u"masking"_s,
            QJsonObject {{u"defaults"_s, profile.masking.defaults},
                         {u"headers"_s, QJsonArray::fromStringList(profile.masking.headers)},
                         {u"json_paths"_s, QJsonArray::fromStringList(profile.masking.jsonPaths)},
                         {u"patterns"_s, QJsonArray::fromStringList(profile.masking.patterns)}});
}

ProfileFileResult failed(ProfileError error)
{
    return {{}, std::move(error)};
}

} // namespace

QString ProfileError::describe() const
{
    QString out = file;
    if (line > 0)
        out += u':' + QString::number(line)
            + (column > 0 ? u':' + QString::number(column) : QString());
    if (!out.isEmpty())
        out += u": "_s;
    if (!field.isEmpty())
        out += field + u": "_s;
    return out + message;
}

QString ProfileFile::defaultPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation)
        + u"/veltrix/profiles.json"_s;
}

ProfileFileResult ProfileFile::parse(const QByteArray &json, const QString &fileName)
{
    if (json.size() > maxFileSize)
        return failed({fileName, 0, 0, {}, u"larger than 16 MiB; this is not a profiles file"_s});

    // Qt calls both an empty file and a scalar at the top "illegal value"; say what is wrong.
    qsizetype first = json.startsWith("\xEF\xBB\xBF") ? 3 : 0;
    while (first < json.size() && QByteArrayView(" \t\r\n").contains(json[first]))
        ++first;
    if (first == json.size())
        return failed({fileName, 0, 0, {}, u"the file is empty; expected {\"clusters\": [...]}"_s});

    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        const bool container = json[first] == '{' || json[first] == '[';
        const TextPosition at = positionOfOffset(json, container ? parseError.offset : first);
        return failed({fileName,
                       at.line,
                       at.column,
                       {},
                       container
                           ? u"invalid JSON: "_s + parseError.errorString()
                           : u"the top level must be an object like {\"clusters\": [...]}"_s});
    }

    ProfileFileResult result;
    if (Failure e = Checker(json, fileName).checkTop(document, &result.clusters))
        return failed(*e);
    return result;
}

ProfileFileResult ProfileFile::load(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return failed({path, 0, 0, {}, u"cannot read the profiles file: "_s + file.errorString()});
    // Bounded read: a device or a FIFO reports no size.
    const QByteArray json = file.read(maxFileSize + 1);
    if (file.error() != QFileDevice::NoError)
        return failed({path, 0, 0, {}, u"cannot read the profiles file: "_s + file.errorString()});
    return parse(json, path);
}

QByteArray ProfileFile::serialize(const QList<ClusterProfile> &clusters)
{
    QJsonArray array;
    for (const ClusterProfile &profile : clusters) {
        QJsonObject object {{u"name"_s, profile.name},
                            {u"kind"_s, clusterKindName(profile.kind)},
                            {u"read_only"_s, profile.readOnly}};
        if (profile.deadLetterPatterns)
            object.insert(u"dead_letter_patterns"_s,
                          QJsonArray::fromStringList(*profile.deadLetterPatterns));
        if (profile.probe != ProbeSettings {}) {
            QJsonObject probe {{u"enabled"_s, profile.probe.enabled},
                               {u"rate"_s, profile.probe.rate},
                               {u"deadline_s"_s, profile.probe.deadline.count() / 1000.0}};
            if (profile.kind == ClusterKind::Kafka)
                probe.insert(u"topic"_s, profile.probe.topic);
            object.insert(u"probe"_s, probe);
        }
        insertSecurity(profile, &object);
        if (profile.kind == ClusterKind::Kafka) {
            object.insert(u"bootstrap"_s, profile.bootstrap);
            if (!profile.properties.isEmpty()) {
                QJsonObject properties;
                for (auto it = profile.properties.begin(); it != profile.properties.end(); ++it)
                    properties.insert(it.key(), it.value());
                object.insert(u"properties"_s, properties);
            }
            if (!profile.groups.isEmpty())
                object.insert(u"groups"_s, QJsonArray::fromStringList(profile.groups));
            if (!profile.redriveProducer.isDefault()) {
                QJsonObject producer;
                const RedriveProducerSettings &p = profile.redriveProducer;
                producer.insert(u"acks"_s, p.acks);
                producer.insert(u"enable.idempotence"_s, p.idempotence);
                producer.insert(u"max.in.flight.requests.per.connection"_s, p.maxInFlight);
                producer.insert(u"retries"_s, p.retries);
                producer.insert(u"retry.backoff.ms"_s, p.retryBackoffMs);
                if (p.deliveryTimeoutMs)
                    producer.insert(u"delivery.timeout.ms"_s, *p.deliveryTimeoutMs);
                object.insert(u"redrive_producer"_s, producer);
            }
            if (profile.lag != LagSettings {})
                object.insert(u"lag"_s,
                              QJsonObject {{u"interval_s"_s, profile.lag.interval.count() / 1000.0},
                                           {u"window_s"_s, profile.lag.window.count() / 1000.0}});
        } else {
            object.insert(u"amqp"_s, profile.amqpUri);
            if (!profile.managementUrl.isEmpty())
                object.insert(u"management"_s, profile.managementUrl);
        }
        array.append(object);
    }
    return QJsonDocument(QJsonObject {{u"clusters"_s, array}}).toJson(QJsonDocument::Indented);
}

std::optional<ProfileError> ProfileFile::save(const QString &path,
                                              const QList<ClusterProfile> &clusters)
{
    const QByteArray json = serialize(clusters);
    if (std::optional<ProfileError> invalid = parse(json, path).error) {
        // Lines of a file that was never written would point nowhere.
        invalid->line = invalid->column = 0;
        invalid->message = u"not saved: "_s + invalid->message;
        return invalid;
    }

    const auto fail = [&](const QString &message) {
        return ProfileError {path, 0, 0, {}, message};
    };
    // std::filesystem, unlike QDir::mkpath, says why creating the folder failed.
    const QString folder = QFileInfo(path).absolutePath();
    std::error_code code;
    std::filesystem::create_directories(QFile::encodeName(folder).toStdString(), code);
    if (code)
        return fail(u"cannot create the folder "_s + folder + u": "_s
                    + QString::fromLocal8Bit(code.message()));

    const bool isNew = !QFileInfo::exists(path);
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(u"cannot write the profiles file: "_s + file.errorString());
    if (isNew)
        file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    if (file.write(json) != json.size() || !file.commit())
        return fail(u"cannot write the profiles file: "_s + file.errorString());
    return std::nullopt;
}

} // namespace veltrix
