#pragma once

// What every benchmark prints: one JSON line per figure, tagged with the bench's name,
// and an "error" figure with exit 1 when it cannot measure.

#include <QElapsedTimer>
#include <QFile>
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

inline double msSince(const QElapsedTimer &clock)
{
    return double(clock.nsecsElapsed()) / 1e6;
}

// Resident set size of a process in MiB (VmRSS is in kB); -1 when unreadable.
inline double rssMiBOf(const QString &pid)
{
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toDouble() / 1024.0;
    return -1;
}

// This process's resident set size in MiB.
inline double rssMiB()
{
    return rssMiBOf(QStringLiteral("self"));
}

inline double median(QList<double> values)
{
    std::sort(values.begin(), values.end());
    return values.isEmpty() ? -1 : values.at(values.size() / 2);
}

} // namespace veltrix::bench
