#pragma once

#include "core/deadletterqueue.h"
#include "ctlcontext.h"

namespace veltrix::ctl {

void addProfilesOptions(QCommandLineParser &parser);
// `profiles` lists; `profiles import FILE|URI --name NAME` adds one (args follow "profiles").
int runProfiles(const CtlContext &context, const QCommandLineParser &parser,
                const QStringList &args);
int runCheck(const CtlContext &context, const QCommandLineParser &parser);
void addLagOptions(QCommandLineParser &parser);
int runLag(const CtlContext &context, const QCommandLineParser &parser);
void addDlqOptions(QCommandLineParser &parser);
// `dlq list` and `dlq show SOURCE`; args are what follows "dlq".
int runDlq(const CtlContext &context, const QCommandLineParser &parser, const QStringList &args);
void addRedriveOptions(QCommandLineParser &parser);
// `dlq redrive SOURCE`: runDlq found the profile and parsed the source.
int runRedrive(const CtlContext &context, const QCommandLineParser &parser,
               const ClusterProfile &profile, const DlqSource &source);

void addProbeOptions(QCommandLineParser &parser);
// `probe [SOURCE]`: args are what follows "probe".
int runProbe(const CtlContext &context, const QCommandLineParser &parser, const QStringList &args);

void addOpsOptions(QCommandLineParser &parser);
// `dlq purge SOURCE`: runDlq found the profile and parsed the source.
int runPurge(const CtlContext &context, const QCommandLineParser &parser,
             const ClusterProfile &profile, const DlqSource &source);
// `offsets reset kafka:<cluster>/<group> --topic T --to TARGET`: args follow "offsets".
int runOffsets(const CtlContext &context, const QCommandLineParser &parser,
               const QStringList &args);

void addExporterOptions(QCommandLineParser &parser);
// `exporter`: serves /metrics until SIGINT/SIGTERM.
int runExporter(const CtlContext &context, const QCommandLineParser &parser);

void addRetryOptions(QCommandLineParser &parser);
// `retry get TARGET` and `retry set TARGET …`: args are what follows "retry".
int runRetry(const CtlContext &context, const QCommandLineParser &parser, const QStringList &args);

} // namespace veltrix::ctl
