#pragma once

#include "core/lagsnapshot.h"

#include <QJsonObject>

namespace veltrix {

// The lag snapshot as `veltrixctl lag --json` prints it (README, "veltrixctl lag"):
// the contract fields first, our extensions beside them, never renamed.
QJsonObject lagSnapshotToJson(const LagSnapshot &snapshot, bool withPartitions = true);

} // namespace veltrix
