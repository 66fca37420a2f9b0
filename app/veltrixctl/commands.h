#pragma once

#include "ctlcontext.h"

namespace veltrix::ctl {

int runProfiles(const CtlContext &context, const QCommandLineParser &parser);
int runCheck(const CtlContext &context, const QCommandLineParser &parser);
void addLagOptions(QCommandLineParser &parser);
int runLag(const CtlContext &context, const QCommandLineParser &parser);

} // namespace veltrix::ctl
