#include "xdeathparser.h"

#include "deadletterparser.h"

#include <QDateTime>

#include <algorithm>
#include <limits>
#include <optional>

namespace veltrix {

using namespace Qt::StringLiterals;

void ParseWarnings::add(const QString &warning)
{
    if (m_warnings.size() < MaxWarnings)
        m_warnings.append(warning);
    else
        ++m_dropped;
}

QStringList ParseWarnings::take()
{
    QStringList warnings = std::move(m_warnings);
    if (m_dropped > 0)
        warnings.append(u"... and %1 more problems"_s.arg(m_dropped));
    m_warnings.clear();
    m_dropped = 0;
    return warnings;
}

QString describeVariantKind(const QVariant &value)
{
    switch (value.typeId()) {
    case QMetaType::QString:
        return u"text"_s;
    case QMetaType::QByteArray:
        return u"bytes"_s;
    case QMetaType::Bool:
        return u"a boolean"_s;
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::LongLong:
    case QMetaType::ULongLong:
    case QMetaType::Short:
    case QMetaType::UShort:
    case QMetaType::Char:
    case QMetaType::SChar:
    case QMetaType::UChar:
    case QMetaType::Long:
    case QMetaType::ULong:
        return u"a number"_s;
    case QMetaType::Double:
    case QMetaType::Float:
        return u"a fractional number"_s;
    case QMetaType::QDateTime:
        return u"a timestamp"_s;
    case QMetaType::QVariantList:
        return u"a list"_s;
    case QMetaType::QVariantMap:
        return u"a table"_s;
    default:
        break;
    }
    if (!value.isValid())
        return u"void"_s;
    return QString::fromLatin1(value.typeName());
}

namespace {

// What every reader of one value needs: where it is, for the warning.
struct Field
{
    const QVariant &value;
    QString where; // "x-death[1].count", "x-first-death-queue"
    ParseWarnings &warnings;

    void complain(const QString &problem) const { warnings.add(where + u": "_s + problem); }
    void expected(const char *what) const
    {
        complain(u"expected "_s + QLatin1String(what) + u", got "_s + describeVariantKind(value));
    }
};

std::optional<QString> readText(const Field &f)
{
    if (f.value.typeId() == QMetaType::QString)
        return f.value.toString();
    if (f.value.typeId() == QMetaType::QByteArray) {
        // amqpTableToVariantMap() keeps a long string that is not UTF-8 as bytes.
        const qsizetype size = f.value.toByteArray().size();
        f.complain(u"not valid UTF-8 text (%1 byte%2)"_s.arg(size).arg(size == 1 ? u""_s : u"s"_s));
        return std::nullopt;
    }
    f.expected("text");
    return std::nullopt;
}

std::optional<qint64> readCount(const Field &f)
{
    qint64 count = 0;
    switch (f.value.typeId()) {
    case QMetaType::ULongLong:
    case QMetaType::ULong: {
        const qulonglong wide = f.value.toULongLong();
        if (wide > qulonglong(std::numeric_limits<qint64>::max())) {
            f.complain(u"count %1 is out of range"_s.arg(wide));
            return std::nullopt;
        }
        count = qint64(wide);
        break;
    }
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::LongLong:
    case QMetaType::Short:
    case QMetaType::UShort:
    case QMetaType::Char:
    case QMetaType::SChar:
    case QMetaType::UChar:
    case QMetaType::Long:
        count = f.value.toLongLong();
        break;
    default:
        f.expected("a number");
        return std::nullopt;
    }
    if (count < 1) {
        f.complain(u"expected a count of at least 1, got %1"_s.arg(count));
        return std::nullopt;
    }
    return count;
}

std::optional<QDateTime> readTime(const Field &f)
{
    if (f.value.typeId() != QMetaType::QDateTime) {
        f.expected("a timestamp");
        return std::nullopt;
    }
    const QDateTime time = f.value.toDateTime();
    if (!time.isValid()) {
        f.complain(u"invalid timestamp"_s);
        return std::nullopt;
    }
    return time;
}

std::optional<QStringList> readTextList(const Field &f)
{
    if (f.value.typeId() != QMetaType::QVariantList) {
        f.expected("a list");
        return std::nullopt;
    }
    QStringList texts;
    const QVariantList items = f.value.toList();
    for (qsizetype i = 0; i < items.size(); ++i) {
        if (auto text
            = readText({items.at(i), f.where + u'[' + QString::number(i) + u']', f.warnings}))
            texts.append(*text);
    }
    return texts;
}

XDeathEntry parseEntry(const QVariantMap &table, const QString &where, ParseWarnings &warnings)
{
    XDeathEntry entry;
    // Every field RabbitMQ writes; a missing one is as suspicious as a mistyped one.
    const auto field = [&](const char *key) -> std::optional<Field> {
        const auto it = table.constFind(QLatin1String(key));
        const QString path = where + u'.' + QLatin1String(key);
        if (it == table.cend()) {
            warnings.add(path + u": missing"_s);
            return std::nullopt;
        }
        return Field {*it, path, warnings};
    };
    if (const auto f = field("count"))
        entry.count = readCount(*f).value_or(0);
    if (const auto f = field("reason"))
        entry.reason = readText(*f).value_or(QString());
    if (const auto f = field("queue"))
        entry.queue = readText(*f).value_or(QString());
    if (const auto f = field("exchange"))
        entry.exchange = readText(*f).value_or(QString());
    if (const auto f = field("routing-keys"))
        entry.routingKeys = readTextList(*f).value_or(QStringList());
    if (const auto f = field("time"))
        entry.time = readTime(*f).value_or(QDateTime());
    return entry;
}

// An x-first-death-* / x-last-death-* header: absent is fine, mistyped is reported.
std::optional<QString> optionalText(const QVariantMap &headers, const char *name,
                                    ParseWarnings &warnings)
{
    const auto it = headers.constFind(QLatin1String(name));
    if (it == headers.cend())
        return std::nullopt;
    return readText({*it, QLatin1String(name), warnings});
}

} // namespace

QList<XDeathEntry> parseXDeath(const QVariant &xDeath, ParseWarnings &warnings)
{
    const QString name = QLatin1String(headers::XDeath);
    if (xDeath.typeId() != QMetaType::QVariantList) {
        Field {xDeath, name, warnings}.expected("a list");
        return {};
    }
    QList<XDeathEntry> entries;
    const QVariantList items = xDeath.toList();
    entries.reserve(items.size());
    for (qsizetype i = 0; i < items.size(); ++i) {
        const QString where = name + u'[' + QString::number(i) + u']';
        const QVariant &item = items.at(i);
        if (item.typeId() != QMetaType::QVariantMap) {
            Field {item, where, warnings}.expected("a table");
            continue;
        }
        entries.append(parseEntry(item.toMap(), where, warnings));
    }
    return entries;
}

DeadLetter parseRabbitDeadLetter(const QVariantMap &amqpHeaders)
{
    DeadLetter letter;
    const bool hasXDeath = amqpHeaders.contains(QLatin1String(headers::XDeath));
    const auto isDeathHeader = [](const QString &key) {
        return key.startsWith(u"x-first-death-"_s) || key.startsWith(u"x-last-death-"_s);
    };
    if (!hasXDeath && std::none_of(amqpHeaders.keyBegin(), amqpHeaders.keyEnd(), isDeathHeader))
        return letter;
    letter.convention = DeadLetterConvention::RabbitXDeath;

    ParseWarnings warnings;
    if (hasXDeath)
        letter.deaths = parseXDeath(amqpHeaders.value(QLatin1String(headers::XDeath)), warnings);
    const auto firstQueue = optionalText(amqpHeaders, headers::XFirstDeathQueue, warnings);
    const auto firstReason = optionalText(amqpHeaders, headers::XFirstDeathReason, warnings);
    const auto firstExchange = optionalText(amqpHeaders, headers::XFirstDeathExchange, warnings);
    const auto lastQueue = optionalText(amqpHeaders, headers::XLastDeathQueue, warnings);
    const auto lastReason = optionalText(amqpHeaders, headers::XLastDeathReason, warnings);
    const auto lastExchange = optionalText(amqpHeaders, headers::XLastDeathExchange, warnings);

    // The entry of the first death: the one x-first-death-* names, else the oldest entry
    // (x-death keeps the most recent first).
    const XDeathEntry *first = nullptr;
    if (firstQueue) {
        const auto it
            = std::find_if(letter.deaths.cbegin(), letter.deaths.cend(), [&](const XDeathEntry &e) {
                  return e.queue == *firstQueue && (!firstReason || e.reason == *firstReason);
              });
        if (it != letter.deaths.cend())
            first = &*it;
    }
    if (!first && !letter.deaths.isEmpty())
        first = &letter.deaths.constLast();

    // Without x-death nor x-first-death-* (a publisher copied only some headers),
    // x-last-death-* is the only death known, so it is also the first.
    const auto pick = [&](const std::optional<QString> &header, QString XDeathEntry::*member,
                          const std::optional<QString> &last) {
        if (header)
            return *header;
        if (first)
            return first->*member;
        return last.value_or(QString());
    };
    letter.originalDestination = pick(firstQueue, &XDeathEntry::queue, lastQueue);
    letter.reason = pick(firstReason, &XDeathEntry::reason, lastReason);
    letter.originalExchange = pick(firstExchange, &XDeathEntry::exchange, lastExchange);
    if (first)
        letter.originalRoutingKeys = first->routingKeys;

    if (!letter.deaths.isEmpty()) {
        // Every dead-lettering bumps one entry's count; an entry whose count is unreadable
        // still stands for at least one death.
        constexpr qint64 Cap = std::numeric_limits<int>::max();
        qint64 total = 0;
        for (const XDeathEntry &e : std::as_const(letter.deaths))
            total += std::min(std::max<qint64>(e.count, 1), Cap - total);
        letter.attempts = int(total);
    }
    // An entry's time is when its (queue, reason) pair first died; later deaths of the
    // same pair only raise its count, so the latest entry time is a lower bound of the
    // last failure: the best the broker records.
    for (const XDeathEntry &e : std::as_const(letter.deaths)) {
        if (!e.time.isValid())
            continue;
        if (!letter.firstFailedAt.isValid() || e.time < letter.firstFailedAt)
            letter.firstFailedAt = e.time;
        if (!letter.lastFailedAt.isValid() || e.time > letter.lastFailedAt)
            letter.lastFailedAt = e.time;
    }
    letter.warnings = warnings.take();
    return letter;
}

} // namespace veltrix
