#include "messagefilter.h"

#include <QStringList>

namespace veltrix {

using namespace Qt::StringLiterals;

namespace {

// Header values as text: AMQP tables nest, so walk them.
bool variantContains(const QVariant &value, const QString &needle)
{
    switch (value.typeId()) {
    case QMetaType::QVariantList: {
        const QVariantList list = value.toList();
        return std::any_of(list.begin(), list.end(),
                           [&](const QVariant &v) { return variantContains(v, needle); });
    }
    case QMetaType::QVariantMap: {
        const QVariantMap map = value.toMap();
        for (auto it = map.begin(); it != map.end(); ++it)
            if (it.key().contains(needle, Qt::CaseInsensitive) || variantContains(*it, needle))
                return true;
        return false;
    }
    case QMetaType::QByteArray:
        return QString::fromUtf8(value.toByteArray()).contains(needle, Qt::CaseInsensitive);
    case QMetaType::QDateTime:
        return value.toDateTime().toString(Qt::ISODate).contains(needle, Qt::CaseInsensitive);
    default:
        return value.toString().contains(needle, Qt::CaseInsensitive);
    }
}

bool bytesContain(const QByteArray &bytes, const QString &needle)
{
    return QString::fromUtf8(bytes).contains(needle, Qt::CaseInsensitive);
}

bool headerMatches(const BrowsedMessage &message, const QString &name, const QString &value)
{
    for (const KafkaHeader &header : message.kafkaHeaders)
        if (QString::fromUtf8(header.name) == name
            && (value.isEmpty() || bytesContain(header.value, value)))
            return true;
    const auto it = message.amqpHeaders.constFind(name);
    if (it != message.amqpHeaders.cend())
        return value.isEmpty() || variantContains(*it, value);
    const auto property = message.amqpProperties.constFind(name);
    return property != message.amqpProperties.cend()
        && (value.isEmpty() || variantContains(*property, value));
}

bool textMatches(const BrowsedMessage &message, const QString &text)
{
    if (message.id.contains(text, Qt::CaseInsensitive)
        || (message.key && bytesContain(*message.key, text)) || bytesContain(message.payload, text))
        return true;
    for (const KafkaHeader &header : message.kafkaHeaders)
        if (bytesContain(header.name, text) || bytesContain(header.value, text))
            return true;
    const DeadLetter &dl = message.deadLetter;
    for (const QString *field :
         {&dl.originalDestination, &dl.reason, &dl.exceptionClass, &dl.exceptionMessage})
        if (field->contains(text, Qt::CaseInsensitive))
            return true;
    return variantContains(message.amqpHeaders, text)
        || variantContains(message.amqpProperties, text);
}

} // namespace

bool MessageFilter::isEmpty() const
{
    return text.isEmpty() && headerName.isEmpty() && !from.isValid() && !to.isValid()
        && !triageDimension;
}

bool MessageFilter::matches(const BrowsedMessage &message) const
{
    const QDateTime time = message.shownTime();
    if (from.isValid() && (!time.isValid() || time < from))
        return false;
    if (to.isValid() && (!time.isValid() || time >= to))
        return false;
    if (triageDimension) {
        if (triageValue == triageOtherLabel()) {
            if (triageKeptValues.contains(
                    veltrix::triageValue(message.deadLetter, *triageDimension)))
                return false;
        } else if (!triageMatches(message.deadLetter, *triageDimension, triageValue)) {
            return false;
        }
    }
    if (!headerName.isEmpty() && !headerMatches(message, headerName, headerValue))
        return false;
    return text.isEmpty() || textMatches(message, text);
}

QString MessageFilter::describe() const
{
    QStringList parts;
    if (!text.isEmpty())
        parts << u"text \""_s + text + u'"';
    if (!headerName.isEmpty())
        parts << u"header "_s + headerName
                + (headerValue.isEmpty() ? u" present"_s : u" contains \""_s + headerValue + u'"');
    if (from.isValid())
        parts << u"from "_s + from.toString(Qt::ISODate);
    if (to.isValid())
        parts << u"before "_s + to.toString(Qt::ISODate);
    if (triageDimension)
        parts << u"group \""_s + triageValue + u'"';
    return parts.isEmpty() ? u"no filter"_s : parts.join(u", "_s);
}

} // namespace veltrix
