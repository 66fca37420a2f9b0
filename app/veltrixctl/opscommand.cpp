// `dlq purge SOURCE` and `offsets reset kafka:<cluster>/<group>`: the two changes that
// cannot be undone, each previewed by --dry-run, refused on read-only profiles, audited.
#include "commands.h"

#include "ops/dlqpurge.h"
#include "ops/offsetreset.h"

#include <QJsonArray>

namespace veltrix::ctl {

using namespace Qt::StringLiterals;

namespace {

const QCommandLineOption topicOption(u"topic"_s, u"offsets reset: the topic whose offsets move."_s,
                                     u"TOPIC"_s);

// Both commands share redrive's --dry-run and --to; they are looked up by name.
bool dryRun(const QCommandLineParser &parser)
{
    return parser.isSet(u"dry-run"_s);
}

} // namespace

void addOpsOptions(QCommandLineParser &parser)
{
    parser.addOption(topicOption);
}

int runPurge(const CtlContext &context, const QCommandLineParser &parser,
             const ClusterProfile &profile, const DlqSource &source)
{
    DlqPurge purge(profile, context.timeout(parser));
    const Result<PurgeOutcome> outcome = purge.run(source, dryRun(parser));
    if (!outcome) {
        printError(outcome.error().describe());
        return ExitClusterFailed;
    }
    if (context.json(parser)) {
        printJson({{u"source"_s, source.toString()},
                   {u"dry_run"_s, outcome->dryRun},
                   {u"messages"_s, outcome->messages}});
    } else {
        printLine(
            outcome->dryRun
                ? u"would purge %1 message(s) from %2 (dry run: nothing removed)"_s
                      .arg(outcome->messages)
                      .arg(source.toString())
                : u"purged %1 message(s) from %2"_s.arg(outcome->messages).arg(source.toString()));
    }
    return ExitOk;
}

int runOffsets(const CtlContext &context, const QCommandLineParser &parser, const QStringList &args)
{
    if (args.size() != 2 || args.first() != u"reset" || !args.at(1).startsWith(u"kafka:")
        || !args.at(1).contains(u'/')) {
        printError(u"offsets: expected \"offsets reset kafka:<cluster>/<group> --topic TOPIC "
                   "--to earliest|latest|offset:N|<ISO 8601 time>\""_s);
        return ExitUsage;
    }
    const QString target = args.at(1).mid(6);
    const QString cluster = target.section(u'/', 0, 0);
    const QString group = target.section(u'/', 1);
    const QString topic = parser.value(topicOption);
    QString why;
    const auto to = OffsetResetTarget::parse(parser.value(u"to"_s), &why);
    if (group.isEmpty() || topic.isEmpty() || !to) {
        printError(topic.isEmpty()       ? u"offsets reset needs --topic TOPIC"_s
                       : group.isEmpty() ? u"offsets reset needs kafka:<cluster>/<group>"_s
                       : parser.isSet(u"to"_s)
                       ? u"--to: "_s + why
                       : u"offsets reset needs --to earliest|latest|offset:N|"
                         "<ISO 8601 time>"_s);
        return ExitUsage;
    }
    const auto clusters = context.resolveClusters(parser);
    if (!clusters)
        return ExitUsage;
    const auto profile = std::find_if(clusters->cbegin(), clusters->cend(), [&](const auto &p) {
        return p.name == cluster && p.kind == ClusterKind::Kafka;
    });
    if (profile == clusters->cend()) {
        printError(u"offsets reset: no Kafka cluster named \"%1\" in the profiles"_s.arg(cluster));
        return ExitUsage;
    }

    OffsetReset reset(*profile, context.timeout(parser));
    Result<OffsetResetPlan> plan = reset.plan(group, topic, *to);
    if (plan && !dryRun(parser))
        plan = reset.apply(plan.value());
    else if (plan)
        reset.recordDryRun(plan.value());
    if (!plan) {
        printError(plan.error().describe());
        return ExitClusterFailed;
    }
    if (context.json(parser)) {
        QJsonObject out = plan->toJson();
        out.insert(u"dry_run"_s, dryRun(parser));
        printJson(out);
        return ExitOk;
    }
    printLine(u"%1 group %2 on %3 to %4:"_s.arg(dryRun(parser) ? u"Would reset"_s : u"Reset"_s,
                                                group, topic, to->toString()));
    for (const OffsetResetPlan::Partition &row : plan->partitions)
        printLine(u"  partition %1: %2 → %3"_s.arg(row.partition)
                      .arg(row.current < 0 ? u"(none)"_s : QString::number(row.current))
                      .arg(row.next));
    for (const QString &note : plan->notes)
        printLine(u"  note: "_s + note);
    return ExitOk;
}

} // namespace veltrix::ctl
