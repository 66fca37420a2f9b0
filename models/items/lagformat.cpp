#include "lagformat.h"

#include <QLocale>

#include <algorithm>
#include <cmath>

namespace veltrix {

namespace {

const QLocale &numberLocale()
{
    static const QLocale locale(QLocale::English, QLocale::UnitedStates);
    return locale;
}

} // namespace

QString formatCount(qint64 value)
{
    return numberLocale().toString(value);
}

QString formatOffset(qint64 offset)
{
    return offset < 0 ? QStringLiteral("?") : formatCount(offset);
}

QString formatCommitted(const std::optional<qint64> &committed)
{
    return committed ? formatCount(*committed) : QStringLiteral("—");
}

QString formatLag(const std::optional<qint64> &lag)
{
    return lag ? formatCount(*lag) : QStringLiteral("no offset");
}

QString formatDuration(double seconds)
{
    if (!std::isfinite(seconds))
        return QStringLiteral("—");
    if (seconds < 0)
        return QStringLiteral("-") + formatDuration(-seconds);
    if (seconds < 9.95)
        return QStringLiteral("%1 s").arg(seconds, 0, 'f', 1);
    const qint64 s = std::llround(seconds);
    if (s < 60)
        return QStringLiteral("%1 s").arg(s);
    if (s < 3600)
        return QStringLiteral("%1 min %2 s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    if (s < 86400)
        return QStringLiteral("%1 h %2 min")
            .arg(s / 3600)
            .arg((s % 3600) / 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1 d %2 h").arg(s / 86400).arg((s % 86400) / 3600);
}

QString formatTimeLag(const std::optional<double> &seconds, TimeLagSource source)
{
    switch (source) {
    case TimeLagSource::CaughtUp:
        return QStringLiteral("caught up");
    case TimeLagSource::Interpolated:
        return seconds ? QStringLiteral("≈ ") + formatDuration(*seconds) : QStringLiteral("—");
    case TimeLagSource::MessageTimestamp:
        return seconds ? formatDuration(*seconds) + QStringLiteral(" (msg ts)")
                       : QStringLiteral("—");
    case TimeLagSource::Unknown:
        break;
    }
    return QStringLiteral("—");
}

QString timeLagSourceDescription(TimeLagSource source)
{
    switch (source) {
    case TimeLagSource::CaughtUp:
        return QStringLiteral("Caught up: the lag is 0 or less, nothing waits.");
    case TimeLagSource::Interpolated:
        return QStringLiteral("≈ Interpolated from the log end's offset history: how long ago "
                              "the log end was where the group has committed.");
    case TimeLagSource::MessageTimestamp:
        return QStringLiteral("msg ts: the age of the message at the committed offset, read "
                              "from its timestamp (used until there is enough offset history "
                              "to interpolate).");
    case TimeLagSource::Unknown:
        break;
    }
    return QStringLiteral("Unknown: no committed offset, or not enough history yet to "
                          "estimate.");
}

QString formatRate(const std::optional<double> &messagesPerSecond)
{
    if (!messagesPerSecond || !std::isfinite(*messagesPerSecond))
        return QStringLiteral("—");
    const double rate = *messagesPerSecond;
    if (std::abs(rate) < 100) // a decimal matters for slow topics only
        return QStringLiteral("%1 msg/s").arg(rate, 0, 'f', 1);
    return formatCount(std::llround(rate)) + QStringLiteral(" msg/s");
}

QString describeLagFlags(unsigned flags)
{
    QStringList words;
    if (flags & OutOfRangeOffset)
        words << QStringLiteral("OUT OF RANGE: messages lost to retention");
    if (flags & NegativeLag)
        words << QStringLiteral("negative lag");
    if (flags & NoLeader)
        words << QStringLiteral("no leader");
    if (flags & OffsetsUnavailable)
        words << QStringLiteral("offsets unavailable");
    if (flags & NoCommittedOffset)
        words << QStringLiteral("no offset");
    return words.join(QStringLiteral("; "));
}

CellEmphasis lagFlagsEmphasis(unsigned flags)
{
    if (flags & OutOfRangeOffset)
        return CellEmphasis::Loss;
    if (flags & (NegativeLag | NoLeader))
        return CellEmphasis::Alarm;
    if (flags & OffsetsUnavailable)
        return CellEmphasis::Warning;
    if (flags & NoCommittedOffset)
        return CellEmphasis::Muted;
    return CellEmphasis::None;
}

} // namespace veltrix
