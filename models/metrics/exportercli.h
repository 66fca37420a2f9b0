#pragma once

#include "exportermetrics.h"

#include <QCommandLineParser>

namespace veltrix {

// The exporter's command-line options, the same for `veltrixctl exporter` and the
// console's exposer: --no-partition-metrics, --group-allow/--group-deny,
// --topic-allow/--topic-deny (repeatable regular expressions).
void addExporterFilterOptions(QCommandLineParser &parser);
ExporterOptions exporterFilterOptions(const QCommandLineParser &parser);

} // namespace veltrix
