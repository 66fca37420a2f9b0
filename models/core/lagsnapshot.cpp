#include "lagsnapshot.h"

#include <algorithm>
#include <array>

namespace veltrix {

namespace {

struct VerdictName
{
    LagVerdict verdict;
    const char *name;
};

constexpr std::array VerdictNames {
    VerdictName {LagVerdict::NoOffset, "NO_OFFSET"},
    VerdictName {LagVerdict::Ok, "OK"},
    VerdictName {LagVerdict::Pending, "PENDING"},
    VerdictName {LagVerdict::Warn, "WARN"},
    VerdictName {LagVerdict::Stall, "STALL"},
    VerdictName {LagVerdict::Stop, "STOP"},
    VerdictName {LagVerdict::Rewind, "REWIND"},
    VerdictName {LagVerdict::OutOfRange, "OUT_OF_RANGE"},
};

constexpr std::array FlagNames {"no_offset", "out_of_range", "no_leader", "negative_lag",
                                "offsets_unavailable"};

} // namespace

QString lagVerdictName(LagVerdict verdict)
{
    for (const auto &entry : VerdictNames)
        if (entry.verdict == verdict)
            return QString::fromLatin1(entry.name);
    return QStringLiteral("UNKNOWN");
}

std::optional<LagVerdict> lagVerdictFromName(const QString &name)
{
    for (const auto &entry : VerdictNames)
        if (name == QLatin1String(entry.name))
            return entry.verdict;
    return std::nullopt;
}

LagVerdict worseOf(LagVerdict a, LagVerdict b)
{
    return std::max(a, b);
}

QStringList lagFlagNames(unsigned flags)
{
    QStringList names;
    for (size_t bit = 0; bit < FlagNames.size(); ++bit)
        if (flags & (1u << bit))
            names << QString::fromLatin1(FlagNames[bit]);
    return names;
}

QString timeLagSourceName(TimeLagSource source)
{
    switch (source) {
    case TimeLagSource::CaughtUp:
        return QStringLiteral("caught_up");
    case TimeLagSource::Interpolated:
        return QStringLiteral("interpolated");
    case TimeLagSource::MessageTimestamp:
        return QStringLiteral("message_timestamp");
    case TimeLagSource::Unknown:
        break;
    }
    return QStringLiteral("unknown");
}

const GroupLag *LagSnapshot::group(const QString &name) const
{
    const auto it = std::find_if(groups.cbegin(), groups.cend(),
                                 [&](const GroupLag &g) { return g.group == name; });
    return it == groups.cend() ? nullptr : &*it;
}

} // namespace veltrix
