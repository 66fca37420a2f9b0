#include "deadletterqueue.h"

#include <QRegularExpression>
#include <QUrl>

namespace veltrix {

using namespace Qt::StringLiterals;

namespace {

QString decoded(const QString &segment)
{
    return QUrl::fromPercentEncoding(segment.toUtf8());
}

QString encoded(const QString &segment)
{
    return QString::fromUtf8(QUrl::toPercentEncoding(segment));
}

} // namespace

std::optional<DlqSource> DlqSource::parse(const QString &text, QString *error)
{
    auto fail = [&](const QString &why) -> std::optional<DlqSource> {
        if (error)
            *error = u"bad source \""_s + text + u"\": "_s + why;
        return std::nullopt;
    };
    const qsizetype colon = text.indexOf(u':');
    if (colon < 0)
        return fail(u"expected kafka:<cluster>/<topic> or rabbitmq:<cluster>/<vhost>/<queue>"_s);
    const QString scheme = text.left(colon);
    const QStringList parts = text.mid(colon + 1).split(u'/');
    DlqSource source;
    if (scheme == clusterKindName(ClusterKind::Kafka)) {
        if (parts.size() != 2 || parts[0].isEmpty() || parts[1].isEmpty())
            return fail(u"expected kafka:<cluster>/<topic>"_s);
        source.kind = ClusterKind::Kafka;
        source.cluster = decoded(parts[0]);
        source.name = decoded(parts[1]);
        return source;
    }
    if (scheme == clusterKindName(ClusterKind::RabbitMq)) {
        // Queue names may contain '/', so everything after the vhost is the queue.
        if (parts.size() < 3 || parts[0].isEmpty() || parts.mid(2).join(u'/').isEmpty())
            return fail(u"expected rabbitmq:<cluster>/<vhost>/<queue> (vhost \"/\" as %2F)"_s);
        source.kind = ClusterKind::RabbitMq;
        source.cluster = decoded(parts[0]);
        source.vhost = parts[1].isEmpty() ? u"/"_s : decoded(parts[1]);
        source.name = decoded(parts.mid(2).join(u'/'));
        return source;
    }
    return fail(u"unknown kind \""_s + scheme + u"\" (kafka or rabbitmq)"_s);
}

QString DlqSource::toString() const
{
    if (kind == ClusterKind::Kafka)
        return u"kafka:"_s + encoded(cluster) + u'/' + encoded(name);
    return u"rabbitmq:"_s + encoded(cluster) + u'/' + encoded(vhost) + u'/' + encoded(name);
}

QStringList defaultDeadLetterPatterns(ClusterKind kind)
{
    if (kind == ClusterKind::Kafka)
        return {u"*-dlt"_s, u"*.DLT"_s, u"*-dlq"_s, u"*.dlq"_s, u"*-retry*"_s};
    return {u"*.dlq"_s, u"*.dead"_s, u"*-dlq"_s};
}

QString matchingDeadLetterPattern(const QString &name, const QStringList &patterns)
{
    for (const QString &pattern : patterns) {
        // Our own glob: Qt's wildcard conversion treats '/' as a path separator.
        QString regex;
        for (const QChar c : pattern)
            regex += c == u'*' ? u".*"_s
                : c == u'?'    ? u"."_s
                               : QRegularExpression::escape(QString(c));
        if (QRegularExpression(QRegularExpression::anchoredPattern(regex)).match(name).hasMatch())
            return pattern;
    }
    return {};
}

} // namespace veltrix
