#include "profileimport.h"

#include "rabbitmq/amqpendpoint.h"

#include <librdkafka/rdkafka.h>

#include <QRegularExpression>
#include <QStringDecoder>
#include <QUrl>

#include <algorithm>
#include <iterator>
#include <utility>

namespace veltrix {

using namespace Qt::StringLiterals;

namespace {

constexpr qsizetype MaxPropertiesFile = 1024 * 1024;

ProfileError fileError(const QString &file, int line, const QString &field, const QString &message)
{
    return {file, line, 0, field, message};
}

// One logical line of a .properties file: its text (continuations joined) and the line
// number it starts on.
struct LogicalLine
{
    QString text;
    int line = 0;
};

bool endsWithOddBackslashes(const QString &text)
{
    qsizetype count = 0;
    for (qsizetype i = text.size() - 1; i >= 0 && text[i] == u'\\'; --i)
        ++count;
    return count % 2 == 1;
}

QList<LogicalLine> logicalLines(const QString &text)
{
    QList<LogicalLine> out;
    // Not a regular expression: PCRE gives up on text holding a lone surrogate (a \uDxxx
    // escape, read and shown again in the profile dialog) and the lines would run together.
    const QStringList physical
        = QString(text).replace(u"\r\n"_s, u"\n"_s).replace(u'\r', u'\n').split(u'\n');
    for (qsizetype i = 0; i < physical.size(); ++i) {
        QString line = physical[i];
        const int start = int(i) + 1;
        const QString trimmedStart = QStringView(line).trimmed().toString();
        if (trimmedStart.isEmpty() || trimmedStart.startsWith(u'#')
            || trimmedStart.startsWith(u'!'))
            continue;
        while (endsWithOddBackslashes(line) && i + 1 < physical.size()) {
            line.chop(1);
            line += QStringView(physical[++i]).trimmed();
        }
        if (endsWithOddBackslashes(line))
            line.chop(1); // a continuation at the end of the file continues into nothing
        out.append({line.trimmed(), start});
    }
    return out;
}

// Undoes \t \n \r \f \uXXXX and \<any>; nullopt on a broken \u escape.
std::optional<QString> unescape(QStringView text)
{
    QString out;
    out.reserve(text.size());
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (text[i] != u'\\' || i + 1 == text.size()) {
            out += text[i];
            continue;
        }
        const QChar next = text[++i];
        switch (next.unicode()) {
        case 't':
            out += u'\t';
            break;
        case 'n':
            out += u'\n';
            break;
        case 'r':
            out += u'\r';
            break;
        case 'f':
            out += u'\f';
            break;
        case 'u': {
            bool ok = false;
            const uint code = i + 4 < text.size() ? text.mid(i + 1, 4).toUInt(&ok, 16) : 0;
            if (!ok)
                return std::nullopt;
            out += QChar(char16_t(code));
            i += 4;
            break;
        }
        default:
            out += next;
        }
    }
    return out;
}

// The inverse of unescape() for one key or value: only what the parser would otherwise
// read differently is escaped, so ordinary properties stay readable.
QString escapeProperty(const QString &text, bool isKey)
{
    static constexpr std::pair<char16_t, char16_t> letterEscapes[]
        = {{u'\\', u'\\'}, {u'\t', u't'}, {u'\n', u'n'}, {u'\r', u'r'}, {u'\f', u'f'}};
    QString out;
    out.reserve(text.size());
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        const auto *letter = std::find_if(std::begin(letterEscapes), std::end(letterEscapes),
                                          [c](const auto &e) { return e.first == c.unicode(); });
        // A blank ends a key; the parser trims a value's ends.
        const bool blankLost = c.isSpace() && (isKey || i == 0 || i == text.size() - 1);
        const bool endsKeyOrComments
            = isKey && (c == u'=' || c == u':' || (i == 0 && (c == u'#' || c == u'!')));
        if (letter != std::end(letterEscapes))
            out += u'\\' + QChar(letter->second);
        else if (c.unicode() < 0x20 || blankLost)
            out += u"\\u%1"_s.arg(uint(c.unicode()), 4, 16, QLatin1Char('0'));
        else if (endsKeyOrComments)
            out += u'\\' + c;
        else
            out += c;
    }
    return out;
}

// Java's login module line: org.apache...PlainLoginModule required username="u" password="p";
QString jaasOption(const QString &jaas, const QString &option)
{
    const QRegularExpression pattern(u"\\b"_s + option + u"\\s*=\\s*\"((?:[^\"\\\\]|\\\\.)*)\""_s);
    const QRegularExpressionMatch match = pattern.match(jaas);
    return match.hasMatch() ? match.captured(1).replace(u"\\\""_s, u"\""_s) : QString();
}

bool isJavaOnly(const QString &key)
{
    static const QStringList prefixes
        = {u"ssl.truststore."_s,    u"ssl.keystore."_s,       u"key.deserializer"_s,
           u"value.deserializer"_s, u"key.serializer"_s,      u"value.serializer"_s,
           u"sasl.login."_s,        u"sasl.client.callback"_s};
    return std::any_of(prefixes.begin(), prefixes.end(),
                       [&](const QString &p) { return key.startsWith(p); });
}

// librdkafka itself says whether it knows a property and takes its value: the importer
// refuses what the console would fail on at connect time, while the file is at hand.
QString librdkafkaRejects(const QString &key, const QString &value)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char errstr[512] = {};
    const rd_kafka_conf_res_t result = rd_kafka_conf_set(
        conf, key.toUtf8().constData(), value.toUtf8().constData(), errstr, sizeof errstr);
    rd_kafka_conf_destroy(conf);
    return result == RD_KAFKA_CONF_OK ? QString() : QString::fromUtf8(errstr);
}

} // namespace

PropertiesFileResult parsePropertiesText(const QString &text, const QString &fileName)
{
    PropertiesFileResult result;
    for (const LogicalLine &line : logicalLines(text)) {
        // The key ends at the first unescaped '=', ':' or blank.
        qsizetype end = 0;
        while (end < line.text.size()) {
            const QChar c = line.text[end];
            if (c == u'\\') {
                end += 2;
                continue;
            }
            if (c == u'=' || c == u':' || c.isSpace())
                break;
            ++end;
        }
        end = std::min(end, line.text.size());
        qsizetype value = end;
        while (value < line.text.size() && line.text[value].isSpace())
            ++value;
        if (value < line.text.size() && (line.text[value] == u'=' || line.text[value] == u':'))
            ++value;
        while (value < line.text.size() && line.text[value].isSpace())
            ++value;
        const std::optional<QString> key = unescape(QStringView(line.text).left(end));
        const std::optional<QString> val = unescape(QStringView(line.text).mid(value));
        if (!key || key->isEmpty()) {
            result.error = fileError(fileName, line.line, {},
                                     key ? u"a property needs a name before '='"_s
                                         : u"broken \\u escape in the property name"_s);
            return result;
        }
        if (!val) {
            result.error
                = fileError(fileName, line.line, *key, u"broken \\u escape in the value"_s);
            return result;
        }
        result.properties.insert(*key, *val);
    }
    return result;
}

QString writePropertiesText(const QMap<QString, QString> &properties)
{
    QStringList lines;
    for (auto it = properties.cbegin(); it != properties.cend(); ++it)
        lines << escapeProperty(it.key(), true) + u'=' + escapeProperty(it.value(), false);
    return lines.join(u'\n');
}

PropertiesFileResult parsePropertiesFile(const QByteArray &text, const QString &fileName)
{
    PropertiesFileResult result;
    if (text.size() > MaxPropertiesFile) {
        result.error
            = fileError(fileName, 0, {}, u"larger than 1 MiB; not a client properties file"_s);
        return result;
    }
    if (text.contains('\0')) {
        result.error = fileError(fileName, 0, {}, u"binary data, not a client properties file"_s);
        return result;
    }
    QStringDecoder utf8(QStringDecoder::Utf8);
    const QString decoded = utf8.decode(text);
    if (utf8.hasError()) {
        result.error = fileError(fileName, 0, {}, u"not UTF-8 text"_s);
        return result;
    }
    result = parsePropertiesText(decoded, fileName);
    if (result.ok() && result.properties.isEmpty())
        result.error = fileError(fileName, 0, {}, u"no properties in the file"_s);
    return result;
}

std::variant<ImportedProfile, ProfileError>
importKafkaProperties(const QMap<QString, QString> &properties, const QString &name,
                      const QString &fileName)
{
    ImportedProfile out;
    ClusterProfile &p = out.profile;
    p.name = name;
    p.kind = ClusterKind::Kafka;
    QMap<QString, QString> rest = properties;

    p.bootstrap = rest.take(u"bootstrap.servers"_s);
    if (const QString legacy = rest.take(u"metadata.broker.list"_s); p.bootstrap.isEmpty())
        p.bootstrap = legacy;
    if (p.bootstrap.trimmed().isEmpty())
        return fileError(fileName, 0, u"bootstrap.servers"_s,
                         u"missing: the file must name the brokers (bootstrap.servers)"_s);

    if (rest.contains(u"sasl.jaas.config"_s)) {
        const QString jaas = rest.take(u"sasl.jaas.config"_s);
        const QString user = jaasOption(jaas, u"username"_s);
        if (!user.isEmpty() && !rest.contains(u"sasl.username"_s))
            rest.insert(u"sasl.username"_s, user);
        if (out.password.isEmpty())
            out.password = jaasOption(jaas, u"password"_s);
        out.notes << u"sasl.jaas.config: user and password taken from the login module"_s;
    }
    if (rest.contains(u"sasl.mechanism"_s)) // Java's spelling; librdkafka's is plural
        rest.insert(u"sasl.mechanisms"_s, rest.take(u"sasl.mechanism"_s));
    if (rest.contains(u"security.protocol"_s))
        rest[u"security.protocol"_s] = rest.value(u"security.protocol"_s).toLower();
    if (rest.contains(u"sasl.password"_s))
        out.password = rest.take(u"sasl.password"_s);
    out.keyPassphrase = rest.take(u"ssl.key.password"_s);

    p.tls.caFile = rest.take(u"ssl.ca.location"_s);
    p.tls.certFile = rest.take(u"ssl.certificate.location"_s);
    p.tls.keyFile = rest.take(u"ssl.key.location"_s);
    // Java writes an empty algorithm to switch host name checks off.
    const bool noChain = rest.take(u"enable.ssl.certificate.verification"_s).toLower() == u"false";
    const bool hasAlgorithm = rest.contains(u"ssl.endpoint.identification.algorithm"_s);
    const QString algorithm = rest.take(u"ssl.endpoint.identification.algorithm"_s).toLower();
    if (noChain || (hasAlgorithm && (algorithm.isEmpty() || algorithm == u"none"))) {
        p.tls.verify = false;
        out.notes << u"the file turns TLS verification off; the profile says so with "
                     "\"tls\": {\"verify\": false} and the console warns about it"_s;
    }

    for (auto it = rest.begin(); it != rest.end();) {
        if (isJavaOnly(it.key())) {
            out.notes << it.key()
                    + u": Java client only, left out (librdkafka reads PEM files: "
                      "ssl.ca.location, ssl.certificate.location)"_s;
            it = rest.erase(it);
            continue;
        }
        if (const QString why = librdkafkaRejects(it.key(), it.value()); !why.isEmpty())
            return fileError(fileName, 0, it.key(), why);
        ++it;
    }
    p.properties = rest;
    return out;
}

std::variant<ImportedProfile, ProfileError> importRabbitUri(const QString &uri, const QString &name,
                                                            const QString &managementUrl)
{
    const Result<AmqpEndpoint> endpoint = AmqpEndpoint::parse(uri);
    if (!endpoint)
        return fileError({}, 0, u"amqp"_s, endpoint.error().message);
    ImportedProfile out;
    ClusterProfile &p = out.profile;
    p.name = name;
    p.kind = ClusterKind::RabbitMq;
    QUrl url(uri);
    // Not endpoint->password: rabbitmq-c fills in "guest" when the URI has none.
    out.password = url.password();
    url.setPassword(QString());
    p.amqpUri = url.toString(QUrl::FullyEncoded);
    if (managementUrl.isEmpty()) {
        p.managementUrl
            = u"%1://%2:%3"_s.arg(endpoint->tls ? u"https"_s : u"http"_s, endpoint->host)
                  .arg(endpoint->tls ? 15671 : 15672);
        out.notes << u"management API assumed at "_s + p.managementUrl;
    } else {
        p.managementUrl = managementUrl;
    }
    return out;
}

} // namespace veltrix
