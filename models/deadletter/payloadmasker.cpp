#include "payloadmasker.h"

#include "core/maskpath.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringDecoder>

namespace veltrix {

using namespace Qt::StringLiterals;

namespace {

const QRegularExpression &secretNamePattern()
{
    static const QRegularExpression pattern(
        u"pass(word|wd|phrase)?|secret|token|api[-_.]?key|authori[sz]ation|cookie|credential|"
        "card[-_.]?(number|no|num)|^pan$|cvv|cvc|iban"_s,
        QRegularExpression::CaseInsensitiveOption);
    return pattern;
}

// 13 to 19 digits, spaces or dashes between groups: a payment card number if Luhn agrees.
const QRegularExpression &cardNumberPattern()
{
    static const QRegularExpression pattern(u"\\b\\d(?:[ -]?\\d){12,18}\\b"_s);
    return pattern;
}

bool passesLuhn(const QString &digits)
{
    int sum = 0;
    bool twice = false;
    for (qsizetype i = digits.size() - 1; i >= 0; --i) {
        int d = digits[i].digitValue();
        if (twice && (d *= 2) > 9)
            d -= 9;
        sum += d;
        twice = !twice;
    }
    return sum % 10 == 0;
}

// "key": "value", key=value, key: value in text that is not JSON (logs, form posts).
const QRegularExpression &secretAssignmentPattern()
{
    static const QRegularExpression pattern(
        u"((?:pass(?:word|wd)?|secret|token|api[-_.]?key)\\s*[=:]\\s*)([^\\s&,;\"']+)"_s,
        QRegularExpression::CaseInsensitiveOption);
    return pattern;
}

bool pathMatches(const QStringList &rule, const QStringList &at)
{
    if (rule.size() != at.size())
        return false;
    for (qsizetype i = 0; i < rule.size(); ++i) {
        const QString &step = rule[i];
        if (step == u"*" && !at[i].startsWith(u'['))
            continue;
        if (step == u"[*]" && at[i].startsWith(u'['))
            continue;
        if (step != at[i])
            return false;
    }
    return true;
}

} // namespace

PayloadMasker::PayloadMasker(const MaskingRules &rules)
    : m_rules(rules)
{
    for (const QString &path : rules.jsonPaths)
        if (const auto steps = splitMaskPath(path))
            m_paths << *steps;
    for (const QString &pattern : rules.patterns) {
        QRegularExpression expression(pattern);
        if (expression.isValid())
            m_patterns << expression;
    }
}

bool PayloadMasker::secretName(const QString &name) const
{
    return m_rules.defaults && secretNamePattern().match(name).hasMatch();
}

void PayloadMasker::mask(BrowsedMessageList &messages) const
{
    for (BrowsedMessage &message : messages)
        mask(message);
}

void PayloadMasker::mask(BrowsedMessage &message) const
{
    int count = 0;
    const auto wanted = [&](const QString &name) {
        return secretName(name)
            || std::any_of(m_rules.headers.begin(), m_rules.headers.end(), [&](const QString &h) {
                   return h.compare(name, Qt::CaseInsensitive) == 0;
               });
    };
    for (KafkaHeader &header : message.kafkaHeaders) {
        if (!header.value.isNull() && wanted(QString::fromUtf8(header.name))) {
            header.value = QByteArray(Mask.data(), Mask.size());
            ++count;
        }
    }
    for (auto it = message.amqpHeaders.begin(); it != message.amqpHeaders.end(); ++it) {
        if (wanted(it.key())) {
            *it = QString(Mask);
            ++count;
        }
    }
    int inPayload = 0;
    message.payload = maskPayload(message.payload, &inPayload);
    message.maskedFields += count + inPayload;
}

QByteArray PayloadMasker::maskPayload(const QByteArray &payload, int *count) const
{
    *count = 0;
    if (payload.isEmpty())
        return payload;
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(payload, &error);
    if (error.error == QJsonParseError::NoError && !document.isNull()) {
        QJsonValue root
            = document.isObject() ? QJsonValue(document.object()) : QJsonValue(document.array());
        maskJson(root, {}, count);
        if (*count == 0)
            return payload; // untouched bytes, formatting and all
        return root.isObject() ? QJsonDocument(root.toObject()).toJson(QJsonDocument::Compact)
                               : QJsonDocument(root.toArray()).toJson(QJsonDocument::Compact);
    }
    // Text only: binary payloads are shown as hex, never as words to mask.
    QStringDecoder utf8(QStringDecoder::Utf8);
    const QString text = utf8.decode(payload);
    if (utf8.hasError())
        return payload;
    const QString masked = maskText(text, count);
    return *count == 0 ? payload : masked.toUtf8();
}

void PayloadMasker::maskJson(QJsonValue &value, const QStringList &path, int *count) const
{
    const auto ruled = [&](const QStringList &at) {
        return std::any_of(m_paths.begin(), m_paths.end(),
                           [&](const QStringList &rule) { return pathMatches(rule, at); });
    };
    if (value.isObject()) {
        QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it) {
            const QStringList at = path + QStringList {it.key()};
            if (ruled(at) || (secretName(it.key()) && !it->isObject() && !it->isArray())) {
                if (!it->isNull()) {
                    *it = QString(Mask);
                    ++*count;
                }
                continue;
            }
            QJsonValue child = *it;
            maskJson(child, at, count);
            *it = child;
        }
        value = object;
    } else if (value.isArray()) {
        QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            const QStringList at = path + QStringList {u"[%1]"_s.arg(i)};
            QJsonValue child = array[i];
            if (ruled(at) && !child.isNull()) {
                child = QString(Mask);
                ++*count;
            } else {
                maskJson(child, at, count);
            }
            array[i] = child;
        }
        value = array;
    } else if (value.isString()) {
        int inText = 0;
        const QString masked = maskText(value.toString(), &inText);
        if (inText) {
            value = masked;
            *count += inText;
        }
    }
}

QString PayloadMasker::maskText(QString text, int *count) const
{
    if (m_rules.defaults) {
        QString out;
        qsizetype last = 0;
        auto cards = cardNumberPattern().globalMatch(text);
        while (cards.hasNext()) {
            const QRegularExpressionMatch match = cards.next();
            QString digits = match.captured();
            digits.remove(u' ').remove(u'-');
            if (!passesLuhn(digits))
                continue;
            // The last four stay: enough to tell two cards apart, as receipts do.
            out += QStringView(text).mid(last, match.capturedStart() - last) + Mask
                + QStringView(digits).right(4);
            last = match.capturedEnd();
            ++*count;
        }
        if (last > 0)
            text = out + QStringView(text).mid(last);
        auto assignments = secretAssignmentPattern().globalMatch(text);
        QString replaced;
        last = 0;
        while (assignments.hasNext()) {
            const QRegularExpressionMatch match = assignments.next();
            replaced += QStringView(text).mid(last, match.capturedStart(2) - last) + Mask;
            last = match.capturedEnd(2);
            ++*count;
        }
        if (last > 0)
            text = replaced + QStringView(text).mid(last);
    }
    for (const QRegularExpression &pattern : m_patterns) {
        auto matches = pattern.globalMatch(text);
        QString replaced;
        qsizetype last = 0;
        while (matches.hasNext()) {
            const QRegularExpressionMatch match = matches.next();
            if (match.capturedLength() == 0)
                continue;
            replaced += QStringView(text).mid(last, match.capturedStart() - last) + Mask;
            last = match.capturedEnd();
            ++*count;
        }
        if (last > 0)
            text = replaced + QStringView(text).mid(last);
    }
    return text;
}

} // namespace veltrix
