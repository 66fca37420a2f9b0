#include "triage.h"

#include <QRegularExpression>

#include <algorithm>

namespace veltrix {

using namespace Qt::StringLiterals;

namespace {

constexpr qsizetype InspectedLength = 1000;

// One pass over the message: at each position the first alternative that matches wins,
// so the longer patterns come first. \w is ASCII here ([A-Za-z0-9_]).
const QRegularExpression &variablePartsPattern()
{
    // thread_local: dead letters are parsed and counted on worker threads as well.
    thread_local const QRegularExpression pattern(
        uR"RE((?<quoted>(?<!\w)(['"])(?:(?!\2)[^\n]){41,}+\2(?!\w)))RE"
        uR"RE(|(?<time>(?<!\w)\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)RE"
        uR"RE((?:Z|[+-]\d{2}(?::?\d{2})?)?)?(?!\w)))RE"
        uR"RE(|(?<uuid>(?<!\w)[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4})RE"
        uR"RE(-[0-9a-fA-F]{12}(?!\w)))RE"
        uR"RE(|(?<email>[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?!\w)))RE"
        uR"RE(|(?<hex>(?<!\w)(?:0[xX][0-9a-fA-F]+|(?=[0-9a-fA-F]*[0-9])(?=[0-9a-fA-F]*[a-fA-F]))RE"
        uR"RE([0-9a-fA-F]{8,})(?!\w)))RE"
        uR"RE(|(?<number>(?<![\w-])-\d+(?:\.\d+)?|\d+(?:\.\d+)?))RE"_s);
    return pattern;
}

// PCRE refuses to match a string with a lone surrogate; such a message still deserves a
// group.
QString validUtf16(QString text)
{
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c.isHighSurrogate() && i + 1 < text.size() && text.at(i + 1).isLowSurrogate())
            ++i;
        else if (c.isSurrogate())
            text[i] = QChar::ReplacementCharacter;
    }
    return text;
}

// Cut to at most `length` characters, never between the halves of a surrogate pair.
QString cut(const QString &text, qsizetype length)
{
    if (text.size() <= length)
        return text;
    if (length > 0 && text.at(length - 1).isHighSurrogate())
        --length;
    return text.left(length);
}

QString emptyLabel(TriageDimension dimension)
{
    switch (dimension) {
    case TriageDimension::Reason:
        return u"(no reason)"_s;
    case TriageDimension::ExceptionClass:
        return u"(no exception)"_s;
    case TriageDimension::ExceptionMessage:
        return u"(no message)"_s;
    case TriageDimension::OriginalDestination:
        return u"(unknown destination)"_s;
    }
    return u"(none)"_s;
}

} // namespace

QString normaliseExceptionMessage(const QString &message)
{
    const QString text = validUtf16(cut(message, InspectedLength));
    QString normalised;
    normalised.reserve(text.size());
    qsizetype done = 0;
    auto it = variablePartsPattern().globalMatch(text);
    while (it.hasNext()) {
        const QRegularExpressionMatch m = it.next();
        normalised += QStringView(text).sliced(done, m.capturedStart() - done);
        done = m.capturedEnd();
        if (m.capturedStart(u"quoted") >= 0) {
            const QChar quote = text.at(m.capturedStart());
            normalised += quote + u"…"_s + quote;
        } else if (m.capturedStart(u"time") >= 0) {
            normalised += u"<time>";
        } else if (m.capturedStart(u"uuid") >= 0) {
            normalised += u"<uuid>";
        } else if (m.capturedStart(u"email") >= 0) {
            normalised += u"<email>";
        } else if (m.capturedStart(u"hex") >= 0) {
            normalised += u"<hex>";
        } else {
            normalised += u"<n>";
        }
    }
    normalised += QStringView(text).sliced(done);
    normalised = normalised.simplified();
    if (normalised.size() > NormalisedMessageMaxLength)
        normalised = cut(normalised, NormalisedMessageMaxLength - 1) + u"…"_s;
    return normalised;
}

QString withoutListenerWrapper(const QString &message)
{
    // Spring's recoverer writes "<wrapper's message>; <root cause's message>", and the
    // wrapper (ListenerExecutionFailedException) says the same for every failure of a
    // listener: groups are told apart by the cause.
    static const QRegularExpression wrapper(
        QStringLiteral("^Listener (failed|method '[^']*' threw exception); (?=\\S)"));
    QString rest = message;
    rest.remove(wrapper);
    return rest;
}

QString triageValue(const DeadLetter &letter, TriageDimension dimension)
{
    QString value;
    switch (dimension) {
    case TriageDimension::Reason:
        value = letter.reason.simplified();
        break;
    case TriageDimension::ExceptionClass:
        value = letter.exceptionClass.trimmed();
        break;
    case TriageDimension::ExceptionMessage:
        value = normaliseExceptionMessage(withoutListenerWrapper(letter.exceptionMessage));
        break;
    case TriageDimension::OriginalDestination:
        value = letter.originalDestination;
        break;
    }
    return value.isEmpty() ? emptyLabel(dimension) : value;
}

bool triageMatches(const DeadLetter &letter, TriageDimension dimension, const QString &value)
{
    return triageValue(letter, dimension) == value;
}

QString triageOtherLabel()
{
    return u"(other)"_s;
}

TriageCounter::TriageCounter(int maxDistinctValues)
    : m_maxDistinctValues(std::max(maxDistinctValues, 0))
{ }

TriageCounter::Counts &TriageCounter::countsOf(TriageDimension dimension)
{
    return m_counts.at(static_cast<size_t>(dimension));
}

const TriageCounter::Counts &TriageCounter::countsOf(TriageDimension dimension) const
{
    return m_counts.at(static_cast<size_t>(dimension));
}

void TriageCounter::add(const DeadLetter &letter)
{
    ++m_total;
    for (const TriageDimension dimension : AllTriageDimensions) {
        Counts &counts = countsOf(dimension);
        const QString value = triageValue(letter, dimension);
        if (const auto it = counts.byValue.find(value); it != counts.byValue.end())
            ++*it;
        else if (counts.byValue.size() < m_maxDistinctValues)
            counts.byValue.insert(value, 1);
        else
            ++counts.other;
    }
}

void TriageCounter::clear()
{
    for (Counts &counts : m_counts)
        counts = {};
    m_total = 0;
}

QList<TriageGroup> TriageCounter::groups(TriageDimension dimension) const
{
    const Counts &counts = countsOf(dimension);
    QList<TriageGroup> groups;
    groups.reserve(counts.byValue.size() + 1);
    for (auto it = counts.byValue.cbegin(); it != counts.byValue.cend(); ++it)
        groups.append({it.key(), it.value()});
    if (counts.other > 0)
        groups.append({triageOtherLabel(), counts.other});
    std::sort(groups.begin(), groups.end(), [](const TriageGroup &a, const TriageGroup &b) {
        return a.count != b.count ? a.count > b.count : a.value < b.value;
    });
    return groups;
}

bool TriageCounter::matches(const DeadLetter &letter, TriageDimension dimension,
                            const QString &value) const
{
    const QString own = triageValue(letter, dimension);
    if (value == triageOtherLabel() && !countsOf(dimension).byValue.contains(own))
        return true;
    return own == value;
}

} // namespace veltrix
