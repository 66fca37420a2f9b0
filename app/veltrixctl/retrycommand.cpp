// veltrixctl retry get TARGET [--json]     (TARGET: a RabbitMQ queue or a Kafka group)
// veltrixctl retry set TARGET [--max-attempts N] [--backoff 1s,5s,30s] [--set KEY=VALUE]...
//                             [--unset KEY]... [--policy NAME] [--exchange NAME]
//                             [--dead-letter-queue NAME] [--dry-run] [--json]
// The retry settings of one queue, through the same RabbitRetryClient as the console's
// retry editor. This file parses, prints and picks the plan; the client plans, checks,
// writes, reads back and audits.
#include "commands.h"

#include "retry/kafkaretrypolicystore.h"
#include "retry/rabbitretryclient.h"

#include <QJsonArray>

#include <functional>

namespace veltrix::ctl {

using namespace Qt::StringLiterals;

namespace {

struct RetryOptions
{
    QCommandLineOption maxAttempts {
        u"max-attempts"_s,
        u"retry set: deliveries a message gets in all (1 = no retry). A quorum queue alone: "
        "its delivery-limit (N-1 requeues); with --backoff: the ladder's length."_s,
        u"N"_s};
    QCommandLineOption backoff {u"backoff"_s,
                                u"retry set: a backoff ladder of delay queues, e.g. 1s,5s,30s "
                                "(ms, s, m, h); with --max-attempts the last delay repeats."_s,
                                u"DELAYS"_s};
    QCommandLineOption set {u"set"_s,
                            u"retry set: a policy key, e.g. message-ttl=60000, "
                            "dead-letter-exchange=shop.dlx (repeatable)."_s,
                            u"KEY=VALUE"_s};
    QCommandLineOption unset {u"unset"_s, u"retry set: remove a policy key (repeatable)."_s,
                              u"KEY"_s};
    QCommandLineOption policy {u"policy"_s,
                               u"retry set: edit this existing policy instead of the console's "
                               "per-queue one."_s,
                               u"NAME"_s};
    QCommandLineOption exchange {u"exchange"_s,
                                 u"retry set --backoff: the work exchange messages return "
                                 "through (default: the one the queue is bound to)."_s,
                                 u"NAME"_s};
    QCommandLineOption multiplier {u"multiplier"_s,
                                   u"retry set (Kafka): backoff growth per retry (default: from "
                                   "--backoff, else the current policy's)."_s,
                                   u"X"_s};
    QCommandLineOption maxBackoff {u"max-backoff"_s,
                                   u"retry set (Kafka): the longest wait, e.g. 30s."_s, u"DELAY"_s};
    QCommandLineOption jitter {u"jitter"_s, u"retry set (Kafka): 0 to 1, e.g. 0.1 for ±10 %."_s,
                               u"X"_s};
    QCommandLineOption retryTopics {u"retry-topics"_s,
                                    u"retry set (Kafka): one topic per retry, comma-separated; "
                                    "\"none\" to retry in place."_s,
                                    u"TOPICS"_s};
    QCommandLineOption dlt {u"dlt"_s, u"retry set (Kafka): the dead-letter topic."_s, u"TOPIC"_s};
    QCommandLineOption policyTopic {u"policy-topic"_s,
                                    u"retry (Kafka): the policy topic (default "
                                    "veltrix.retry-policies)."_s,
                                    u"TOPIC"_s};
    QCommandLineOption deadLetterQueue {u"dead-letter-queue"_s,
                                        u"retry set --backoff: where messages go after the last "
                                        "step (default <queue>.dlq)."_s,
                                        u"NAME"_s};
};

RetryOptions &options()
{
    static RetryOptions o;
    return o;
}

void printSettings(const QString &target, const QueueRetrySettings &settings)
{
    printLine(u"%1  (%2 queue%3%4)"_s.arg(
        target, settings.type,
        settings.policy.isEmpty() ? QString() : u", policy "_s + settings.policy,
        settings.operatorPolicy.isEmpty() ? QString()
                                          : u", operator policy "_s + settings.operatorPolicy));
    for (const EffectiveSetting &s : settings.settings) {
        QString value = u"-"_s;
        if (s.value.isString())
            value = u'"' + s.value.toString() + u'"';
        else if (s.value.isDouble())
            value = QString::number(s.value.toInteger());
        printLine(u"  %1 %2 %3"_s.arg(policyKeyName(s.key), -24)
                      .arg(value, -20)
                      .arg(s.source.isEmpty() ? u"(not set)"_s : s.source));
        for (const QString &lost : s.overridden)
            printLine(u"      overrides %1"_s.arg(lost));
    }
}

void printPlanText(const QStringList &diff, const QStringList &warnings, const QStringList &errors)
{
    for (const QString &line : diff)
        printLine(u"  "_s + line);
    for (const QString &warning : warnings)
        printLine(u"  warning: "_s + warning);
    for (const QString &error : errors)
        printError(u"  refused: "_s + error);
}

int finish(const CtlContext &context, const QCommandLineParser &parser, const QString &target,
           const QString &action, const QJsonObject &planJson, bool planOk, bool dryRun,
           RabbitRetryClient &client, const std::function<Result<QueueRetrySettings>()> &apply)
{
    const bool json = context.json(parser);
    QJsonObject out {{u"target"_s, target}, {u"dry_run"_s, dryRun}, {u"plan"_s, planJson}};
    if (!planOk) {
        out.insert(u"applied"_s, false);
        if (json)
            printJson(out);
        return ExitClusterFailed;
    }
    if (dryRun) {
        if (auto logged = client.recordDryRun(action, planJson); !logged) {
            printError(logged.error().describe());
            return ExitClusterFailed;
        }
        out.insert(u"applied"_s, false);
        if (json)
            printJson(out);
        else
            printLine(u"dry run: nothing changed"_s);
        return ExitOk;
    }
    const auto applied = apply();
    out.insert(u"applied"_s, applied.ok());
    if (!applied) {
        out.insert(u"error"_s, applied.error().describe());
        out.insert(u"error_kind"_s, applied.error().kindName());
        if (json)
            printJson(out);
        else
            printError(u"%1: %2"_s.arg(target, applied.error().describe()));
        return ExitClusterFailed;
    }
    out.insert(u"settings"_s, applied->toJson());
    if (json) {
        printJson(out);
    } else {
        printLine(u"applied; the queue now runs with:"_s);
        printSettings(target, applied.value());
    }
    return ExitOk;
}

QJsonObject versionJson(const KafkaRetryPolicyVersion &version)
{
    QJsonObject json {
        {u"partition"_s, version.partition},
        {u"offset"_s, version.offset},
        {u"policy"_s, version.policy ? QJsonValue(version.policy->toJson()) : QJsonValue()}};
    if (!version.problem.isEmpty())
        json.insert(u"problem"_s, version.problem);
    return json;
}

QString policyLine(const KafkaRetryPolicy &p)
{
    return u"max_attempts %1, backoff %2 ×%3 up to %4, jitter %5, %6, dlt %7"_s.arg(p.maxAttempts)
        .arg(delayText(p.initialBackoffMs))
        .arg(p.multiplier)
        .arg(delayText(p.maxBackoffMs))
        .arg(p.jitter)
        .arg(p.retryTopics.isEmpty() ? u"retried in place"_s
                                     : u"retry topics "_s + p.retryTopics.join(u", "_s),
             p.dlt);
}

// The wanted policy: the current one (or defaults) with the options given on top.
std::optional<KafkaRetryPolicy> wantedPolicy(const QCommandLineParser &parser, const QString &group,
                                             const std::optional<KafkaRetryPolicy> &current)
{
    RetryOptions &o = options();
    KafkaRetryPolicy wanted = current.value_or(KafkaRetryPolicy {});
    wanted.group = group;
    bool ok = true;
    const auto number = [&](const QCommandLineOption &option, double &into) {
        if (!parser.isSet(option))
            return;
        bool parsed = false;
        into = parser.value(option).toDouble(&parsed);
        if (!parsed) {
            printError(u"--%1 must be a number"_s.arg(option.names().first()));
            ok = false;
        }
    };
    if (parser.isSet(o.maxAttempts))
        wanted.maxAttempts = parser.value(o.maxAttempts).toInt(&ok);
    if (parser.isSet(o.backoff)) {
        QString bad;
        const auto delays = parseDelays(parser.value(o.backoff), &bad);
        if (!delays || delays->isEmpty()) {
            printError(u"--backoff: \"%1\" is not a delay like 500ms, 5s, 2m"_s.arg(bad));
            return std::nullopt;
        }
        // 1s,5s,30s: start at 1 s, grow five-fold, never above 30 s.
        wanted.initialBackoffMs = delays->first();
        wanted.multiplier = delays->size() > 1 && delays->first() > 0
            ? double(delays->at(1)) / double(delays->first())
            : 1.0;
        wanted.maxBackoffMs = *std::max_element(delays->begin(), delays->end());
    }
    number(o.multiplier, wanted.multiplier);
    number(o.jitter, wanted.jitter);
    if (parser.isSet(o.maxBackoff)) {
        const auto ms = parseDelay(parser.value(o.maxBackoff));
        if (!ms) {
            printError(u"--max-backoff must be a delay like 30s"_s);
            return std::nullopt;
        }
        wanted.maxBackoffMs = *ms;
    }
    if (parser.isSet(o.retryTopics))
        wanted.retryTopics = parser.value(o.retryTopics) == u"none"
            ? QStringList()
            : parser.value(o.retryTopics).split(u',', Qt::SkipEmptyParts);
    if (parser.isSet(o.dlt))
        wanted.dlt = parser.value(o.dlt);
    if (!ok)
        return std::nullopt;
    return wanted;
}

int runKafkaRetry(const CtlContext &context, const QCommandLineParser &parser, bool get,
                  const ClusterProfile &profile, const QString &where, const QString &group)
{
    RetryOptions &o = options();
    const bool json = context.json(parser);
    const QString topic = parser.isSet(o.policyTopic) ? parser.value(o.policyTopic)
                                                      : KafkaRetryPolicy::DefaultTopic;
    auto store = KafkaRetryPolicyStore::open(profile, topic, AuditLog(), context.timeout(parser));
    const auto failed = [&](const BrokerError &error) {
        if (json)
            printJson({{u"target"_s, where},
                       {u"error"_s, error.describe()},
                       {u"error_kind"_s, error.kindName()}});
        else
            printError(u"%1: %2"_s.arg(where, error.describe()));
        return ExitClusterFailed;
    };
    if (!store)
        return failed(store.error());
    auto history = store.value()->history(group);
    if (!history)
        return failed(history.error());
    auto current = store.value()->current(group);
    if (!current)
        return failed(current.error());

    if (get) {
        if (json) {
            QJsonArray versions;
            for (const KafkaRetryPolicyVersion &version : history.value())
                versions.append(versionJson(version));
            printJson({{u"target"_s, where},
                       {u"topic"_s, topic},
                       {u"group"_s, group},
                       {u"policy"_s,
                        current.value() ? QJsonValue(current.value()->toJson()) : QJsonValue()},
                       {u"history"_s, versions}});
            return ExitOk;
        }
        if (!current.value()) {
            printLine(u"%1: no retry policy in %2"_s.arg(where, topic));
        } else {
            printLine(u"%1  (%2)"_s.arg(where, topic));
            printLine(u"  "_s + policyLine(*current.value()));
        }
        if (!history->isEmpty())
            printLine(u"history (oldest first):"_s);
        for (const KafkaRetryPolicyVersion &version : history.value()) {
            const QString at = u"%1:%2"_s.arg(version.partition).arg(version.offset);
            if (version.policy)
                printLine(u"  %1  %2 by %3: %4"_s.arg(
                    at, version.policy->updatedAt.toString(Qt::ISODate),
                    version.policy->updatedBy.isEmpty() ? u"?"_s : version.policy->updatedBy,
                    policyLine(*version.policy)));
            else
                printLine(u"  %1  %2"_s.arg(
                    at, version.removed() ? u"removed"_s : u"unreadable: "_s + version.problem));
        }
        return ExitOk;
    }

    const auto wanted = wantedPolicy(parser, group, current.value());
    if (!wanted)
        return ExitUsage;
    auto plan = store.value()->plan(*wanted);
    if (!plan)
        return failed(plan.error());
    const bool dryRun = parser.isSet(u"dry-run"_s);
    QJsonObject out {{u"target"_s, where}, {u"dry_run"_s, dryRun}, {u"plan"_s, plan->toJson()}};
    if (!json) {
        printLine(u"%1: retry policy in %2 (%3)"_s.arg(where, topic,
                                                       plan->before ? u"changed"_s : u"created"_s));
        for (const QString &line : plan->diff)
            printLine(u"  "_s + line);
        for (const QString &warning : plan->warnings)
            printLine(u"  warning: "_s + warning);
        for (const QString &error : plan->errors)
            printError(u"  refused: "_s + error);
    }
    if (!plan->ok()) {
        out.insert(u"applied"_s, false);
        if (json)
            printJson(out);
        return ExitClusterFailed;
    }
    if (dryRun) {
        if (auto logged = store.value()->recordDryRun(plan.value()); !logged)
            return failed(logged.error());
        out.insert(u"applied"_s, false);
        if (json)
            printJson(out);
        else
            printLine(u"dry run: nothing published"_s);
        return ExitOk;
    }
    auto published = store.value()->publish(plan.value());
    if (!published)
        return failed(published.error());
    out.insert(u"applied"_s, true);
    out.insert(u"version"_s, versionJson(published.value()));
    if (json)
        printJson(out);
    else
        printLine(u"published at %1:%2; consumers following the topic pick it up from their next "
                  "record"_s.arg(published->partition)
                      .arg(published->offset));
    return ExitOk;
}

} // namespace

void addRetryOptions(QCommandLineParser &parser)
{
    RetryOptions &o = options();
    parser.addOptions({o.maxAttempts, o.backoff, o.set, o.unset, o.policy, o.exchange,
                       o.deadLetterQueue, o.multiplier, o.maxBackoff, o.jitter, o.retryTopics,
                       o.dlt, o.policyTopic});
}

int runRetry(const CtlContext &context, const QCommandLineParser &parser, const QStringList &args)
{
    RetryOptions &o = options();
    if (args.size() != 2 || (args[0] != u"get" && args[0] != u"set")) {
        printError(u"retry: expected \"retry get TARGET\" or \"retry set TARGET …\"; TARGET is "
                   "rabbitmq:<cluster>/<vhost>/<queue> or kafka:<cluster>/<group>"_s);
        return ExitUsage;
    }
    QString why;
    const auto target = DlqSource::parse(args[1], &why);
    if (!target) {
        printError(u"retry: "_s + why);
        return ExitUsage;
    }
    const auto clusters = context.resolveClusters(parser);
    if (!clusters)
        return ExitUsage;
    std::optional<ClusterProfile> profile;
    for (const ClusterProfile &p : *clusters)
        if (p.name == target->cluster && p.kind == target->kind)
            profile = p;
    if (!profile) {
        printError(u"retry: no %1 cluster named \"%2\" in the profiles"_s.arg(
            clusterKindName(target->kind), target->cluster));
        return ExitUsage;
    }
    if (target->kind == ClusterKind::Kafka)
        return runKafkaRetry(context, parser, args[0] == u"get", *profile, target->toString(),
                             target->name);
    auto client = RabbitRetryClient::open(*profile, AuditLog(), context.timeout(parser));
    if (!client) {
        printError(u"%1: %2"_s.arg(target->toString(), client.error().describe()));
        return ExitClusterFailed;
    }
    const QString where = target->toString();

    if (args[0] == u"get") {
        const auto settings = client.value()->settings(target->vhost, target->name);
        if (!settings) {
            if (context.json(parser))
                printJson({{u"target"_s, where},
                           {u"error"_s, settings.error().describe()},
                           {u"error_kind"_s, settings.error().kindName()}});
            else
                printError(u"%1: %2"_s.arg(where, settings.error().describe()));
            return ExitClusterFailed;
        }
        if (context.json(parser)) {
            QJsonObject json = settings->toJson();
            json.insert(u"target"_s, where);
            printJson(json);
        } else {
            printSettings(where, settings.value());
        }
        return ExitOk;
    }

    // retry set: a ladder (--backoff), or policy keys (--set/--unset/--max-attempts).
    const bool dryRun = parser.isSet(u"dry-run"_s);
    std::optional<int> attempts;
    if (parser.isSet(o.maxAttempts)) {
        bool ok = false;
        attempts = parser.value(o.maxAttempts).toInt(&ok);
        if (!ok || *attempts < 1 || *attempts > 1000) {
            printError(u"--max-attempts must be a whole number from 1 to 1000"_s);
            return ExitUsage;
        }
    }
    const bool keys = parser.isSet(o.set) || parser.isSet(o.unset);
    if (parser.isSet(o.backoff)) {
        if (keys || parser.isSet(o.policy)) {
            printError(u"--backoff builds a ladder; change policy keys in a separate "
                       "`retry set` (one change per command)"_s);
            return ExitUsage;
        }
        LadderRequest request {target->vhost,
                               target->name,
                               {},
                               parser.value(o.exchange),
                               parser.value(o.deadLetterQueue)};
        QString bad;
        const auto delays = parseDelays(parser.value(o.backoff), &bad);
        if (!delays) {
            printError(u"--backoff: \"%1\" is not a delay like 500ms, 5s, 2m"_s.arg(bad));
            return ExitUsage;
        }
        request.delaysMs = *delays;
        if (attempts) {
            if (*attempts < 2 || request.delaysMs.isEmpty()) {
                printError(u"--max-attempts with --backoff must be at least 2 (one retry)"_s);
                return ExitUsage;
            }
            while (request.delaysMs.size() < *attempts - 1)
                request.delaysMs.append(request.delaysMs.last()); // the last delay repeats
            request.delaysMs.resize(*attempts - 1);
        }
        auto plan = client.value()->planLadder(request);
        if (!plan) {
            printError(u"%1: %2"_s.arg(where, plan.error().describe()));
            return ExitClusterFailed;
        }
        if (!context.json(parser)) {
            printLine(u"%1: backoff ladder, %2 attempts"_s.arg(where).arg(plan->steps.size() + 1));
            for (const QString &line : plan->diagram())
                printLine(u"  "_s + line);
            printPlanText(plan->workQueuePolicy.diffLines(), plan->warnings, plan->errors);
        }
        return finish(context, parser, where, u"retry.ladder"_s, plan->toJson(), plan->ok(), dryRun,
                      *client.value(), [&] { return client.value()->applyLadder(plan.value()); });
    }

    QList<RetryChange> changes;
    for (const QString &pair : parser.values(o.set)) {
        const qsizetype equals = pair.indexOf(u'=');
        const auto key = retryKeyNamed(pair.left(equals));
        if (equals <= 0 || !key) {
            printError(u"--set must be KEY=VALUE with KEY one of dead-letter-exchange, "
                       "dead-letter-routing-key, dead-letter-strategy, message-ttl, "
                       "delivery-limit, max-length, overflow; not \"%1\""_s.arg(pair));
            return ExitUsage;
        }
        changes.append({*key, retryValueFromText(*key, pair.mid(equals + 1))});
    }
    for (const QString &name : parser.values(o.unset)) {
        const auto key = retryKeyNamed(name);
        if (!key) {
            printError(u"--unset: \"%1\" is not a retry policy key"_s.arg(name));
            return ExitUsage;
        }
        changes.append({*key, QJsonValue()});
    }
    if (attempts) // a quorum queue's delivery-limit counts the requeues after the first
        changes.append({RetryKey::DeliveryLimit, *attempts - 1});
    if (changes.isEmpty()) {
        printError(u"retry set: nothing to change; give --max-attempts, --backoff, --set or "
                   "--unset"_s);
        return ExitUsage;
    }
    auto plan
        = client.value()->planPolicy(target->vhost, target->name, changes, parser.value(o.policy));
    if (!plan) {
        printError(u"%1: %2"_s.arg(where, plan.error().describe()));
        return ExitClusterFailed;
    }
    if (attempts && plan->before.type != u"quorum")
        plan.value().errors.prepend(
            u"--max-attempts alone needs a quorum queue (only they count "
            "deliveries); for a %1 queue give --backoff too, for a ladder"_s.arg(
                plan->before.type));
    if (!context.json(parser)) {
        printLine(u"%1: policy \"%2\" (%3)"_s.arg(where, plan->policy.name,
                                                  plan->replaced ? u"changed"_s : u"created"_s));
        printPlanText(plan->diffLines(), plan->warnings, plan->errors);
    }
    return finish(context, parser, where, u"retry.policy"_s, plan->toJson(), plan->ok(), dryRun,
                  *client.value(), [&] { return client.value()->applyPolicy(plan.value()); });
}

} // namespace veltrix::ctl
