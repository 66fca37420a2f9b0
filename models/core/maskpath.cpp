#include "maskpath.h"

namespace veltrix {

std::optional<QStringList> splitMaskPath(const QString &path)
{
    QString rest = path.trimmed();
    if (rest.startsWith(QLatin1String("$.")))
        rest = rest.mid(2);
    else if (rest.startsWith(QLatin1Char('$')))
        rest = rest.mid(1);
    if (rest.isEmpty())
        return std::nullopt;

    QStringList steps;
    for (const QString &segment : rest.split(QLatin1Char('.'))) {
        const qsizetype bracket = segment.indexOf(QLatin1Char('['));
        const QString key = bracket < 0 ? segment : segment.left(bracket);
        if (key.isEmpty() && bracket != 0)
            return std::nullopt; // "a..b", a trailing dot
        if (!key.isEmpty())
            steps << key;
        QStringView indexes = bracket < 0 ? QStringView() : QStringView(segment).mid(bracket);
        while (!indexes.isEmpty()) {
            const qsizetype close = indexes.indexOf(QLatin1Char(']'));
            if (!indexes.startsWith(QLatin1Char('[')) || close < 2)
                return std::nullopt;
            const QStringView inside = indexes.mid(1, close - 1);
            bool number = inside == QLatin1String("*");
            if (!number)
                static_cast<void>(inside.toUInt(&number));
            if (!number)
                return std::nullopt;
            steps << QLatin1Char('[') + inside.toString() + QLatin1Char(']');
            indexes = indexes.mid(close + 1);
        }
    }
    return steps;
}

} // namespace veltrix
