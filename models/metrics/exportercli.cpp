#include "exportercli.h"

namespace veltrix {

using namespace Qt::StringLiterals;

namespace {

struct FilterOptions
{
    QCommandLineOption noPartitions {u"no-partition-metrics"_s,
                                     u"Metrics: no per-partition series (groups and DLQs only)."_s};
    QCommandLineOption groupAllow {
        u"group-allow"_s, u"Metrics: only groups matching this regular expression (repeatable)."_s,
        u"REGEX"_s};
    QCommandLineOption groupDeny {u"group-deny"_s,
                                  u"Metrics: no groups matching this (repeatable)."_s, u"REGEX"_s};
    QCommandLineOption topicAllow {u"topic-allow"_s,
                                   u"Metrics: only topics and DLTs matching this (repeatable)."_s,
                                   u"REGEX"_s};
    QCommandLineOption topicDeny {u"topic-deny"_s,
                                  u"Metrics: no topics matching this (repeatable)."_s, u"REGEX"_s};
};

const FilterOptions &filters()
{
    static const FilterOptions set;
    return set;
}

} // namespace

void addExporterFilterOptions(QCommandLineParser &parser)
{
    const FilterOptions &o = filters();
    parser.addOptions({o.noPartitions, o.groupAllow, o.groupDeny, o.topicAllow, o.topicDeny});
}

ExporterOptions exporterFilterOptions(const QCommandLineParser &parser)
{
    const FilterOptions &o = filters();
    ExporterOptions out;
    out.partitionSeries = !parser.isSet(o.noPartitions);
    out.groupAllow = parser.values(o.groupAllow);
    out.groupDeny = parser.values(o.groupDeny);
    out.topicAllow = parser.values(o.topicAllow);
    out.topicDeny = parser.values(o.topicDeny);
    return out;
}

} // namespace veltrix
