#pragma once

#include "core/browsedmessage.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QVariantMap>

namespace veltrix {

// How message bytes are shown without trusting them: every byte stays visible (nothing
// is dropped or silently replaced), JSON keeps its key order and number literals, and
// the cost of a view stays bounded whatever a broker hands us.

enum class PayloadKind { Empty, Json, Text, Binary };
QString payloadKindName(PayloadKind kind); // "empty", "json", "text", "binary"

// Json: a JSON object or array (validated with QJsonDocument). Text: valid UTF-8 with no
// NUL and hardly any other control character (\t \r \n are fine). Binary: the rest.
// contentType is a hint, never proof: a text or JSON type tolerates a few more control
// characters, a binary one (octet-stream, protobuf, avro, ...) none. `truncated`: the
// bytes are a prefix of the payload, so a multi-byte character cut at the end is not an
// error and JSON cannot be validated: text that opens with { or [ counts as JSON.
PayloadKind classifyPayload(const QByteArray &payload, const QString &contentType = {},
                            bool truncated = false);
// Text or JSON (or empty): bytes a JSON string or a text view carries faithfully.
bool isTextPayload(const QByteArray &bytes);

// JSON re-indented (two spaces) from its own tokens rather than through QJsonDocument,
// which would sort the keys and round integers past 2^53. Works on a truncated document
// too (indents what is there); deep nesting stops indenting further past 32 levels.
QString prettyJson(const QByteArray &json);

// UTF-8 text made safe to show: invalid bytes become \xNN, control characters other than
// \t and \n (\r only before \n) become \xNN, invisible bidirectional and zero-width
// format characters become \u{XXXX}, and a backslash that would read as one of those
// escapes is doubled. unescapeSafeText() gives the original bytes back.
QString safeText(const QByteArray &bytes);
QByteArray unescapeSafeText(const QString &text);

// xxd layout: "00000000: 7b22 6964 223a 2031 7d0a                 {\"id\": 1}." with 16
// bytes a line. Stops after maxBytes with a last line saying how many bytes are left.
QString hexDump(const QByteArray &bytes, qsizetype maxBytes);
// "7b 22 69 64": the first maxBytes bytes, then " …" when there are more.
QString hexBytes(const QByteArray &bytes, qsizetype maxBytes);

// One line for a table cell, at most maxChars characters: JSON compacted, whitespace
// collapsed, controls escaped, "…" when cut; binary as "binary, 1.2 KiB: 0a 1b …";
// "(empty)". Looks at a prefix only, so it costs the same for any payload size.
// totalSize: the whole payload's size when `payload` is a truncated prefix of it.
QString payloadPreview(const QByteArray &payload, int maxChars, qint64 totalSize = -1);

// "512 B", "1.0 KiB", "1.2 KiB", "3.4 MiB", "2.0 GiB".
QString formatByteSize(qint64 bytes);

// One header for a tree view. Tables and arrays have children (array items are named
// "[0]", "[1]", ...) and a one-line summary as their value.
struct HeaderNode
{
    QString name;
    QString value;
    // "string", "binary (4 bytes)", "int", "float", "bool", "timestamp", "table",
    // "array", "null", and for Spring Kafka's binary numbers "int (4-byte big-endian)",
    // "int (8-byte big-endian)", "timestamp (8-byte big-endian ms)".
    QString type;
    QList<HeaderNode> children;
    friend bool operator==(const HeaderNode &, const HeaderNode &) = default;
};

// The message's headers: Kafka's in record order (repeated names repeated), else the AMQP
// headers table. Spring Kafka's binary numbers also show their value: "00 00 00 03 (= 3)".
QList<HeaderNode> headerTree(const BrowsedMessage &message);
// A typed AMQP table (headers, properties) as nodes, in key order.
QList<HeaderNode> variantTree(const QVariantMap &table);

} // namespace veltrix
