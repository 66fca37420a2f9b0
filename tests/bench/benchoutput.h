#pragma once

// What every benchmark prints: one JSON line per figure, tagged with the bench's name,
// and an "error" figure with exit 1 when it cannot measure.

#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace veltrix::bench {

inline void emitFigure(const char *bench, QJsonObject figure)
{
    figure.insert(QStringLiteral("bench"), QLatin1String(bench));
    std::printf("%s\n", QJsonDocument(figure).toJson(QJsonDocument::Compact).constData());
    std::fflush(stdout);
}

[[noreturn]] inline void fail(const char *bench, const QString &what)
{
    emitFigure(
        bench,
        {{QStringLiteral("figure"), QStringLiteral("error")}, {QStringLiteral("error"), what}});
    std::exit(1);
}

inline double median(QList<double> values)
{
    std::sort(values.begin(), values.end());
    return values.isEmpty() ? -1 : values.at(values.size() / 2);
}

} // namespace veltrix::bench
