#include "jsonlocator.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace veltrix {

namespace {

constexpr QByteArrayView utf8Bom("\xEF\xBB\xBF");

// Only finds where tokens start and end; QJsonDocument has already judged the text, and on
// text it rejected we merely stop early. Iterative, so deep nesting costs no stack.
class Walker
{
public:
    explicit Walker(QByteArrayView text)
        : m_text(text)
    {
        if (m_text.startsWith(utf8Bom))
            m_pos = utf8Bom.size();
    }

    qsizetype find(const QStringList &path)
    {
        skipSpace();
        for (qsizetype i = 0; i < path.size(); ++i) {
            const bool last = i == path.size() - 1;
            if (peek() == '{') {
                qsizetype keyAt = -1, valueAt = -1;
                for (++m_pos;; ++m_pos) {
                    skipSpace();
                    const qsizetype start = m_pos;
                    if (peek() != '"' || !skipString())
                        break;
                    const QString key = decodeKey(m_text.sliced(start, m_pos - start));
                    skipSpace();
                    if (peek() != ':')
                        break;
                    ++m_pos;
                    skipSpace();
                    if (key == path[i]) { // keep looking: a later duplicate wins
                        keyAt = start;
                        valueAt = m_pos;
                    }
                    if (!skipValue() || (skipSpace(), peek() != ','))
                        break;
                }
                if (keyAt < 0 || last)
                    return keyAt;
                m_pos = valueAt;
            } else if (peek() == '[') {
                bool ok = false;
                int index = path[i].toInt(&ok);
                if (!ok || index < 0)
                    return -1;
                for (++m_pos;; ++m_pos) {
                    skipSpace();
                    if (atEnd() || peek() == ']')
                        return -1;
                    if (index-- == 0)
                        break;
                    if (!skipValue() || (skipSpace(), peek() != ','))
                        return -1;
                }
            } else {
                return -1;
            }
        }
        return atEnd() ? -1 : m_pos;
    }

private:
    bool atEnd() const { return m_pos >= m_text.size(); }
    char peek() const { return atEnd() ? '\0' : m_text[m_pos]; }

    void skipSpace()
    {
        while (!atEnd() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r'))
            ++m_pos;
    }

    bool skipString() // at the opening quote
    {
        for (++m_pos; !atEnd(); ++m_pos) {
            if (peek() == '\\')
                ++m_pos;
            else if (peek() == '"') {
                ++m_pos;
                return true;
            }
        }
        return false;
    }

    bool skipValue()
    {
        if (peek() == '"')
            return skipString();
        if (peek() != '{' && peek() != '[') {
            const qsizetype start = m_pos;
            while (!atEnd() && !QByteArrayView(",]} \t\r\n").contains(peek()))
                ++m_pos;
            return m_pos > start;
        }
        // Brackets are only counted, not matched: a mismatch was QJsonDocument's to report.
        for (qsizetype depth = 0; !atEnd();) {
            if (peek() == '"') {
                if (!skipString())
                    return false;
                continue;
            }
            depth += (peek() == '{' || peek() == '[') ? 1
                : (peek() == '}' || peek() == ']')    ? -1
                                                      : 0;
            ++m_pos;
            if (depth == 0)
                return true;
        }
        return false;
    }

    // Escapes are rare in keys; when present, let Qt decode them rather than doing it here.
    static QString decodeKey(QByteArrayView token)
    {
        const QByteArrayView inner = token.sliced(1, token.size() - 2);
        if (!inner.contains('\\'))
            return QString::fromUtf8(inner);
        const QByteArray array = '[' + token.toByteArray() + ']';
        return QJsonDocument::fromJson(array).array().at(0).toString();
    }

    QByteArrayView m_text;
    qsizetype m_pos = 0;
};

} // namespace

TextPosition positionOfOffset(QByteArrayView text, qsizetype offset)
{
    offset = qBound(qsizetype(0), offset, text.size());
    qsizetype lineStart = text.startsWith(utf8Bom) ? utf8Bom.size() : 0;
    int line = 1;
    for (qsizetype i = lineStart; i < offset; ++i) {
        if (text[i] == '\n') {
            ++line;
            lineStart = i + 1;
        }
    }
    int column = 1;
    for (qsizetype i = lineStart; i < offset; ++i) // count code points: skip continuation bytes
        column += (uchar(text[i]) & 0xC0) != 0x80;
    return {line, column};
}

TextPosition positionOfJsonPath(QByteArrayView json, const QStringList &path)
{
    const qsizetype offset = Walker(json).find(path);
    return offset < 0 ? TextPosition {} : positionOfOffset(json, offset);
}

int lineOfJsonPath(QByteArrayView json, const QStringList &path)
{
    return positionOfJsonPath(json, path).line;
}

} // namespace veltrix
