#pragma once

#include "core/browsedmessage.h"
#include "core/connectionsecurity.h"

#include <QRegularExpression>

namespace veltrix {

// Masks secret-looking fields of browsed messages before any view or export sees them:
// header values by name, JSON fields by key or path, and text by regular expression. The
// defaults catch password, secret, token, api key, authorization, cookie and card-number
// fields, and card numbers (Luhn-checked) anywhere in a text payload. Only the copies
// shown are masked; the broker's messages are never touched, and a redrive reads them
// from the broker itself.
class PayloadMasker
{
public:
    static constexpr QLatin1StringView Mask {"****"};

    explicit PayloadMasker(const MaskingRules &rules);

    // Masks in place and counts the fields masked into message.maskedFields.
    void mask(BrowsedMessage &message) const;
    void mask(BrowsedMessageList &messages) const;
    // The payload alone; *count gets the number of fields masked.
    QByteArray maskPayload(const QByteArray &payload, int *count) const;

private:
    bool secretName(const QString &name) const;
    void maskJson(QJsonValue &value, const QStringList &path, int *count) const;
    QString maskText(QString text, int *count) const;

    MaskingRules m_rules;
    QList<QStringList> m_paths; // the rules' JSON paths, split
    QList<QRegularExpression> m_patterns;
};

} // namespace veltrix
