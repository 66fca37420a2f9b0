#include "payloadview.h"

#include "springkafkaheaders.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonParseError>

#include <algorithm>
#include <cmath>

namespace veltrix {

namespace {

constexpr QByteArrayView Utf8Bom("\xEF\xBB\xBF");
constexpr int MaxJsonIndentDepth = 32;
constexpr int MaxTreeDepth = 64; // AMQP tables nest; a hostile message could nest deeply
constexpr qsizetype MaxHeaderHexBytes = 64;
constexpr qsizetype MaxJsonValidationBytes = 16 * 1024 * 1024;
const char HexDigits[] = "0123456789abcdef";
const char UpperHexDigits[] = "0123456789ABCDEF";

// One step of UTF-8 decoding. We decode by hand because QStringDecoder only says that
// something was wrong, not which bytes: every invalid byte must stay visible by value.
struct Utf8Char
{
    char32_t codePoint = 0;
    int length = 0; // 0: not a valid sequence start (show the byte); -1: cut off at the end
};

Utf8Char decodeUtf8(const uchar *p, qsizetype available)
{
    const uchar lead = p[0];
    if (lead < 0x80)
        return {lead, 1};
    int length = 0;
    char32_t cp = 0;
    char32_t smallest = 0;
    if ((lead & 0xE0) == 0xC0) {
        length = 2;
        cp = lead & 0x1F;
        smallest = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
        length = 3;
        cp = lead & 0x0F;
        smallest = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
        length = 4;
        cp = lead & 0x07;
        smallest = 0x10000;
    } else {
        return {};
    }
    for (int k = 1; k < length; ++k) {
        if (k >= available)
            return {0, -1};
        if ((p[k] & 0xC0) != 0x80)
            return {};
        cp = (cp << 6) | (p[k] & 0x3F);
    }
    if (cp < smallest || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return {};
    return {cp, length};
}

bool isControl(char32_t cp)
{
    return (cp < 0x20 && cp != u'\t' && cp != u'\n' && cp != u'\r') || cp == 0x7F
        || (cp >= 0x80 && cp <= 0x9F);
}

// Invisible characters that reorder or hide text (the "Trojan Source" set and friends):
// shown as \u{XXXX} so what an operator reads is what the bytes say.
bool isHiddenFormatChar(char32_t cp)
{
    return cp == 0x061C || (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E)
        || (cp >= 0x2060 && cp <= 0x2064) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF;
}

struct TextScan
{
    bool valid = true;
    qsizetype chars = 0;
    qsizetype nuls = 0;
    qsizetype controls = 0; // besides NUL
};

TextScan scanText(QByteArrayView bytes, bool truncated)
{
    TextScan scan;
    const auto *p = reinterpret_cast<const uchar *>(bytes.data());
    const qsizetype n = bytes.size();
    for (qsizetype i = 0; i < n;) {
        if (p[i] < 0x80) { // the common case, without the call
            const uchar c = p[i++];
            ++scan.chars;
            if (c == 0)
                ++scan.nuls;
            else if (isControl(c))
                ++scan.controls;
            continue;
        }
        const Utf8Char ch = decodeUtf8(p + i, n - i);
        if (ch.length == -1 && truncated)
            break;
        if (ch.length <= 0) {
            scan.valid = false;
            return scan;
        }
        ++scan.chars;
        if (isControl(ch.codePoint))
            ++scan.controls;
        i += ch.length;
    }
    return scan;
}

enum class ContentHint { None, Text, Binary };

ContentHint contentHint(const QString &contentType)
{
    const QString type = contentType.section(u';', 0, 0).trimmed().toLower();
    if (type.isEmpty())
        return ContentHint::None;
    if (type.startsWith(u"text/") || type.endsWith(u"json") || type.endsWith(u"xml")
        || type.endsWith(u"yaml") || type == u"application/javascript"
        || type == u"application/x-www-form-urlencoded")
        return ContentHint::Text;
    static const QStringList binaryMarks {
        QStringLiteral("octet-stream"), QStringLiteral("protobuf"),
        QStringLiteral("avro"),         QStringLiteral("x-java-serialized-object"),
        QStringLiteral("msgpack"),      QStringLiteral("cbor"),
        QStringLiteral("gzip"),         QStringLiteral("zip"),
        QStringLiteral("image/"),       QStringLiteral("audio/"),
        QStringLiteral("video/"),
    };
    for (const QString &mark : binaryMarks) {
        if (type.contains(mark))
            return ContentHint::Binary;
    }
    return ContentHint::None;
}

QByteArrayView withoutBom(QByteArrayView bytes)
{
    return bytes.startsWith(Utf8Bom) ? bytes.sliced(Utf8Bom.size()) : bytes;
}

bool opensLikeJson(QByteArrayView bytes)
{
    for (const char c : withoutBom(bytes)) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
            continue;
        return c == '{' || c == '[';
    }
    return false;
}

bool isJsonDocument(QByteArrayView bytes)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(withoutBom(bytes).toByteArray(), &error);
    return error.error == QJsonParseError::NoError && (document.isObject() || document.isArray());
}

// Re-lays out JSON token by token: whitespace outside strings is dropped, then newlines
// and indentation (indentWidth > 0) or nothing (compact) are put back. Strings, numbers
// and key order pass through byte for byte.
QByteArray relayoutJson(QByteArrayView json, int indentWidth)
{
    json = withoutBom(json);
    QByteArray out;
    out.reserve(json.size() + json.size() / 2);
    int depth = 0;
    bool inString = false;
    bool escaped = false;
    bool justOpened = false; // a bracket was opened: the newline waits for its content
    const auto newline = [&] {
        if (indentWidth <= 0)
            return;
        out += '\n';
        out.append(qsizetype(indentWidth) * std::min(depth, MaxJsonIndentDepth), ' ');
    };
    for (const char c : json) {
        if (inString) {
            out += c;
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                inString = false;
            continue;
        }
        switch (c) {
        case ' ':
        case '\t':
        case '\n':
        case '\r':
            break;
        case '{':
        case '[':
            if (justOpened)
                newline();
            out += c;
            ++depth;
            justOpened = true;
            break;
        case '}':
        case ']':
            depth = std::max(0, depth - 1);
            if (!justOpened)
                newline();
            justOpened = false;
            out += c;
            break;
        case ',':
            justOpened = false;
            out += c;
            newline();
            break;
        case ':':
            out.append(indentWidth > 0 ? QByteArrayView(": ") : QByteArrayView(":"));
            break;
        default:
            if (justOpened)
                newline();
            justOpened = false;
            inString = c == '"';
            out += c;
            break;
        }
    }
    return out;
}

void appendCodePoint(QString &out, char32_t cp)
{
    if (QChar::requiresSurrogates(cp)) {
        out += QChar(QChar::highSurrogate(cp));
        out += QChar(QChar::lowSurrogate(cp));
    } else {
        out += QChar(char16_t(cp));
    }
}

void appendByteEscape(QString &out, uchar byte)
{
    out += u"\\x";
    out += QLatin1Char(UpperHexDigits[byte >> 4]);
    out += QLatin1Char(UpperHexDigits[byte & 0xF]);
}

// What safeText() writes for the character at p[i]: its escape, or the character itself.
enum class Shown { Itself, ByteEscapes, CodePointEscape };

Shown shownAs(const Utf8Char &ch, const uchar *p, qsizetype i, qsizetype n)
{
    if (ch.length <= 0)
        return Shown::ByteEscapes;
    if (ch.codePoint == u'\r')
        return i + 1 < n && p[i + 1] == '\n' ? Shown::Itself : Shown::ByteEscapes;
    if (isControl(ch.codePoint))
        return Shown::ByteEscapes;
    if (isHiddenFormatChar(ch.codePoint))
        return Shown::CodePointEscape;
    return Shown::Itself;
}

// A literal backslash is doubled when what follows it would otherwise read as an escape.
bool backslashNeedsDoubling(const uchar *p, qsizetype next, qsizetype n)
{
    if (next >= n)
        return false;
    const Utf8Char ch = decodeUtf8(p + next, n - next);
    if (shownAs(ch, p, next, n) != Shown::Itself)
        return true;
    return ch.codePoint == u'\\' || ch.codePoint == u'x' || ch.codePoint == u'u';
}

int hexValue(QChar c)
{
    const char16_t u = c.unicode();
    if (u >= u'0' && u <= u'9')
        return u - u'0';
    if (u >= u'a' && u <= u'f')
        return u - u'a' + 10;
    if (u >= u'A' && u <= u'F')
        return u - u'A' + 10;
    return -1;
}

QString isoUtc(const QDateTime &time)
{
    return time.toUTC().toString(Qt::ISODateWithMs);
}

QString decodedTimestamp(qint64 ms)
{
    const QDateTime time = QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
    return time.isValid() ? QStringLiteral("%1, %2").arg(ms).arg(isoUtc(time))
                          : QString::number(ms);
}

// Spring Kafka's binary numbers with the value beside the bytes; nullopt for anything
// else (a value of the wrong size stays plain binary: the parser warns about it).
std::optional<HeaderNode> springNumberNode(const QString &name, const KafkaHeader &header)
{
    const QByteArray &v = header.value;
    if (v.isNull() || isTextPayload(v))
        return std::nullopt;
    const QByteArray &n = header.name;
    const auto node = [&](const QString &decoded, const QString &type) {
        return HeaderNode {
            name, QStringLiteral("%1 (= %2)").arg(hexBytes(v, 8), decoded), type, {}};
    };
    if (n == headers::DltOriginalPartition || n == headers::OriginalPartition
        || n == headers::RetryAttempts) {
        if (const auto value = fromBigEndian32(v))
            return node(QString::number(*value), QStringLiteral("int (4-byte big-endian)"));
        if (n == headers::RetryAttempts && v.size() == 1) // Spring Kafka before 2.8
            return node(QString::number(qint8(v[0])), QStringLiteral("int (1 byte)"));
    }
    if (n == headers::DltOriginalOffset || n == headers::OriginalOffset) {
        if (const auto value = fromBigEndian64(v))
            return node(QString::number(*value), QStringLiteral("int (8-byte big-endian)"));
    }
    if (n == headers::DltOriginalTimestamp || n == headers::OriginalTimestamp) {
        if (const auto value = fromBigEndian64(v))
            return node(decodedTimestamp(*value),
                        QStringLiteral("timestamp (8-byte big-endian ms)"));
    }
    if (n == headers::RetryBackoffTimestamp || n == headers::RetryOriginalTimestamp) {
        if (const auto value = fromJavaBigIntegerBytes(v)) // BigInteger.toByteArray()
            return node(decodedTimestamp(*value), QStringLiteral("timestamp (big-endian ms)"));
    }
    return std::nullopt;
}

QString binaryType(qsizetype size)
{
    return size == 1 ? QStringLiteral("binary (1 byte)")
                     : QStringLiteral("binary (%1 bytes)").arg(size);
}

HeaderNode kafkaHeaderNode(const KafkaHeader &header)
{
    const QString name = safeText(header.name);
    if (header.value.isNull())
        return {name, QStringLiteral("null"), QStringLiteral("null"), {}};
    if (auto node = springNumberNode(name, header))
        return *node;
    if (isTextPayload(header.value))
        return {name, safeText(header.value), QStringLiteral("string"), {}};
    return {name, hexBytes(header.value, MaxHeaderHexBytes), binaryType(header.value.size()), {}};
}

HeaderNode variantNode(const QString &name, const QVariant &value, int depth);

QList<HeaderNode> variantChildren(const QVariantMap &table, int depth)
{
    QList<HeaderNode> nodes;
    nodes.reserve(table.size());
    for (auto it = table.cbegin(); it != table.cend(); ++it)
        nodes.append(variantNode(safeText(it.key().toUtf8()), it.value(), depth));
    return nodes;
}

// "count=3, queue=orders, reason=rejected": a collapsed x-death entry says what it is.
QString tableSummary(const QList<HeaderNode> &children)
{
    constexpr qsizetype MaxSummary = 120;
    QString summary;
    for (const HeaderNode &child : children) {
        if (!child.children.isEmpty() || child.type.startsWith(u"binary"))
            continue;
        if (!summary.isEmpty())
            summary += u", ";
        summary += child.name % u'=' % child.value;
        if (summary.size() > MaxSummary)
            return summary.left(MaxSummary - 1) % u'…';
    }
    return summary.isEmpty() ? QStringLiteral("%1 fields").arg(children.size()) : summary;
}

HeaderNode variantNode(const QString &name, const QVariant &value, int depth)
{
    if (depth > MaxTreeDepth)
        return {name, QStringLiteral("… nested too deep to show"), QStringLiteral("table"), {}};
    switch (value.typeId()) {
    case QMetaType::UnknownType:
        return {name, QStringLiteral("null"), QStringLiteral("null"), {}};
    case QMetaType::Bool:
        return {name,
                value.toBool() ? QStringLiteral("true") : QStringLiteral("false"),
                QStringLiteral("bool"),
                {}};
    case QMetaType::Int:
    case QMetaType::LongLong:
        return {name, QString::number(value.toLongLong()), QStringLiteral("int"), {}};
    case QMetaType::UInt:
    case QMetaType::ULongLong:
        return {name, QString::number(value.toULongLong()), QStringLiteral("int"), {}};
    case QMetaType::Float:
    case QMetaType::Double:
        return {name,
                QString::number(value.toDouble(), 'g', QLocale::FloatingPointShortest),
                QStringLiteral("float"),
                {}};
    case QMetaType::QString:
        return {name, safeText(value.toString().toUtf8()), QStringLiteral("string"), {}};
    case QMetaType::QByteArray: {
        const QByteArray bytes = value.toByteArray();
        return {name, hexBytes(bytes, MaxHeaderHexBytes), binaryType(bytes.size()), {}};
    }
    case QMetaType::QDateTime: {
        const QDateTime time = value.toDateTime();
        return {name,
                time.isValid() ? time.toUTC().toString(Qt::ISODate) : QStringLiteral("invalid"),
                QStringLiteral("timestamp"),
                {}};
    }
    case QMetaType::QVariantList: {
        const QVariantList items = value.toList();
        HeaderNode node {name,
                         items.size() == 1 ? QStringLiteral("1 item")
                                           : QStringLiteral("%1 items").arg(items.size()),
                         QStringLiteral("array"),
                         {}};
        node.children.reserve(items.size());
        for (qsizetype i = 0; i < items.size(); ++i)
            node.children.append(variantNode(QStringLiteral("[%1]").arg(i), items[i], depth + 1));
        return node;
    }
    case QMetaType::QVariantMap: {
        HeaderNode node {
            name, {}, QStringLiteral("table"), variantChildren(value.toMap(), depth + 1)};
        node.value = tableSummary(node.children);
        return node;
    }
    default:
        return {
            name, safeText(value.toString().toUtf8()), QString::fromLatin1(value.typeName()), {}};
    }
}

} // namespace

QString payloadKindName(PayloadKind kind)
{
    switch (kind) {
    case PayloadKind::Empty:
        return QStringLiteral("empty");
    case PayloadKind::Json:
        return QStringLiteral("json");
    case PayloadKind::Text:
        return QStringLiteral("text");
    case PayloadKind::Binary:
        break;
    }
    return QStringLiteral("binary");
}

PayloadKind classifyPayload(const QByteArray &payload, const QString &contentType, bool truncated)
{
    if (payload.isEmpty())
        return PayloadKind::Empty;
    const TextScan scan = scanText(payload, truncated);
    if (!scan.valid || scan.nuls > 0)
        return PayloadKind::Binary;
    // A stray escape character in a log line is still text; protobuf's length bytes are not.
    qsizetype tolerated = scan.chars / 100;
    switch (contentHint(contentType)) {
    case ContentHint::Text:
        tolerated = std::max<qsizetype>(4, scan.chars / 20);
        break;
    case ContentHint::Binary:
        tolerated = 0;
        break;
    case ContentHint::None:
        break;
    }
    if (scan.controls > tolerated)
        return PayloadKind::Binary;
    if (opensLikeJson(payload)) {
        // A prefix cannot be validated, and neither can a huge document cheaply.
        if (truncated || payload.size() > MaxJsonValidationBytes || isJsonDocument(payload))
            return PayloadKind::Json;
    }
    return PayloadKind::Text;
}

bool isTextPayload(const QByteArray &bytes)
{
    return classifyPayload(bytes) != PayloadKind::Binary;
}

QString prettyJson(const QByteArray &json)
{
    QString text = QString::fromUtf8(relayoutJson(json, 2));
    // Raw control characters are not valid JSON but may sit in a truncated or hinted
    // document: show them as their Unicode control pictures rather than invisibly.
    for (QChar &c : text) {
        if (c.unicode() < 0x20 && c != u'\n' && c != u'\t')
            c = QChar(char16_t(0x2400 + c.unicode()));
    }
    return text;
}

QString safeText(const QByteArray &bytes)
{
    QString out;
    out.reserve(bytes.size());
    const auto *p = reinterpret_cast<const uchar *>(bytes.constData());
    const qsizetype n = bytes.size();
    for (qsizetype i = 0; i < n;) {
        const Utf8Char ch = decodeUtf8(p + i, n - i);
        switch (shownAs(ch, p, i, n)) {
        case Shown::ByteEscapes: {
            const qsizetype length = ch.length > 0 ? ch.length : 1;
            for (qsizetype k = 0; k < length; ++k)
                appendByteEscape(out, p[i + k]);
            i += length;
            continue;
        }
        case Shown::CodePointEscape:
            out += u"\\u{"
                % QString::number(uint(ch.codePoint), 16).toUpper().rightJustified(4, u'0') % u'}';
            break;
        case Shown::Itself:
            if (ch.codePoint == u'\\' && backslashNeedsDoubling(p, i + 1, n))
                out += u"\\\\";
            else
                appendCodePoint(out, ch.codePoint);
            break;
        }
        i += ch.length;
    }
    return out;
}

QByteArray unescapeSafeText(const QString &text)
{
    QByteArray out;
    out.reserve(text.size());
    qsizetype runStart = 0; // plain characters are converted a run at a time
    const auto flush = [&](qsizetype end) {
        out += QStringView(text).sliced(runStart, end - runStart).toUtf8();
    };
    const qsizetype n = text.size();
    for (qsizetype i = 0; i < n;) {
        if (text[i] != u'\\' || i + 1 >= n) {
            ++i;
            continue;
        }
        const QChar next = text[i + 1];
        qsizetype consumed = 0;
        if (next == u'\\') {
            flush(i);
            out += '\\';
            consumed = 2;
        } else if (next == u'x' && i + 3 < n && hexValue(text[i + 2]) >= 0
                   && hexValue(text[i + 3]) >= 0) {
            flush(i);
            out += char(hexValue(text[i + 2]) * 16 + hexValue(text[i + 3]));
            consumed = 4;
        } else if (next == u'u' && i + 2 < n && text[i + 2] == u'{') {
            const qsizetype close = text.indexOf(u'}', i + 3);
            bool ok = false;
            const uint cp = close > 0 && close - i <= 11
                ? QStringView(text).sliced(i + 3, close - i - 3).toUInt(&ok, 16)
                : 0;
            if (ok && cp <= 0x10FFFF) {
                flush(i);
                QString one;
                appendCodePoint(one, char32_t(cp));
                out += one.toUtf8();
                consumed = close - i + 1;
            }
        }
        if (consumed == 0) { // a lone backslash stands for itself
            ++i;
            continue;
        }
        i += consumed;
        runStart = i;
    }
    flush(n);
    return out;
}

QString hexDump(const QByteArray &bytes, qsizetype maxBytes)
{
    const qsizetype shown = maxBytes < 0 ? bytes.size() : std::min(bytes.size(), maxBytes);
    constexpr qsizetype LineWidth = 8 + 2 + 39 + 2 + 16 + 1; // as xxd lays it out
    QString out;
    out.reserve((shown / 16 + 2) * LineWidth);
    const auto *p = reinterpret_cast<const uchar *>(bytes.constData());
    for (qsizetype line = 0; line < shown; line += 16) {
        const qsizetype count = std::min<qsizetype>(16, shown - line);
        out += QStringLiteral("%1: ").arg(line, 8, 16, QLatin1Char('0'));
        for (qsizetype k = 0; k < 16; ++k) {
            if (k < count) {
                out += QLatin1Char(HexDigits[p[line + k] >> 4]);
                out += QLatin1Char(HexDigits[p[line + k] & 0xF]);
            } else {
                out += u"  ";
            }
            if (k % 2 == 1 && k != 15)
                out += u' ';
        }
        out += u"  ";
        for (qsizetype k = 0; k < count; ++k) {
            const uchar c = p[line + k];
            out += QLatin1Char(c >= 0x20 && c < 0x7F ? char(c) : '.');
        }
        out += u'\n';
    }
    if (shown < bytes.size())
        out += QStringLiteral("… %1 more bytes not shown\n").arg(bytes.size() - shown);
    return out;
}

QString hexBytes(const QByteArray &bytes, qsizetype maxBytes)
{
    const qsizetype shown = std::min(bytes.size(), std::max<qsizetype>(0, maxBytes));
    QString out;
    out.reserve(shown * 3 + 2);
    for (qsizetype i = 0; i < shown; ++i) {
        if (i > 0)
            out += u' ';
        out += QLatin1Char(HexDigits[uchar(bytes[i]) >> 4]);
        out += QLatin1Char(HexDigits[uchar(bytes[i]) & 0xF]);
    }
    if (shown < bytes.size())
        out += shown > 0 ? QStringView(u" …") : QStringView(u"…");
    return out;
}

QString payloadPreview(const QByteArray &payload, int maxChars, qint64 totalSize)
{
    if (maxChars <= 0)
        return {};
    if (payload.isEmpty())
        return QStringLiteral("(empty)").left(maxChars);
    // Four bytes a character at most, plus room for whitespace that collapses away.
    const qsizetype prefixSize = std::min(payload.size(), qsizetype(maxChars) * 4 + 64);
    const QByteArray prefix = payload.first(prefixSize);
    const bool cut = prefixSize < payload.size() || totalSize > payload.size();
    const PayloadKind kind = classifyPayload(prefix, {}, cut);
    if (kind == PayloadKind::Binary) {
        const QString head = QStringLiteral("binary, %1: ")
                                 .arg(formatByteSize(std::max(totalSize, qint64(payload.size()))));
        if (head.size() >= maxChars)
            return head.left(maxChars);
        qsizetype count = (maxChars - head.size() + 1) / 3;
        // A truncated payload has more bytes than we hold: say so with the ellipsis.
        const auto line = [&](qsizetype n) {
            QString text = head + hexBytes(payload, n);
            if (n >= payload.size() && totalSize > payload.size())
                text += n > 0 ? QStringView(u" …") : QStringView(u"…");
            return text;
        };
        QString shown = line(count);
        while (shown.size() > maxChars && count > 0)
            shown = line(--count);
        return shown;
    }
    const QString text
        = safeText(kind == PayloadKind::Json ? relayoutJson(prefix, 0) : prefix).simplified();
    if (text.size() <= maxChars && !cut)
        return text;
    qsizetype keep = std::min<qsizetype>(text.size(), maxChars - 1);
    if (keep > 0 && text[keep - 1].isHighSurrogate())
        --keep;
    return text.left(keep) % u'…';
}

QString formatByteSize(qint64 bytes)
{
    if (bytes > -1024 && bytes < 1024)
        return QStringLiteral("%1 B").arg(bytes);
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double value = double(bytes);
    int unit = -1;
    while (std::abs(value) >= 1024.0 && unit < 5) {
        value /= 1024.0;
        ++unit;
    }
    // 1023.96 KiB would print as "1024.0 KiB": say "1.0 MiB" instead.
    if (std::abs(std::round(value * 10.0) / 10.0) >= 1024.0 && unit < 5) {
        value /= 1024.0;
        ++unit;
    }
    return QStringLiteral("%1 %2").arg(QString::number(value, 'f', 1), QLatin1String(units[unit]));
}

QList<HeaderNode> headerTree(const BrowsedMessage &message)
{
    if (message.kafkaHeaders.isEmpty())
        return variantTree(message.amqpHeaders);
    QList<HeaderNode> nodes;
    nodes.reserve(message.kafkaHeaders.size());
    for (const KafkaHeader &header : message.kafkaHeaders)
        nodes.append(kafkaHeaderNode(header));
    return nodes;
}

QList<HeaderNode> variantTree(const QVariantMap &table)
{
    return variantChildren(table, 0);
}

} // namespace veltrix
