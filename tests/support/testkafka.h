#pragma once

#include "core/clusterprofile.h"
#include "core/result.h"

#include <QList>
#include <QPair>
#include <QString>

namespace veltrix::test {

// Produces `counts[p]` small records to partition p of topic and waits for every
// delivery; the error in words otherwise.
Result<bool> produceCounts(const ClusterProfile &profile, const QString &topic,
                           const QList<int> &counts);

// Commits these offsets for a group without joining it (an explicit OffsetCommit, as
// "reset offsets" tools do). Each entry: (partition, offset) of `topic`.
Result<bool> commitOffsets(const ClusterProfile &profile, const QString &group,
                           const QString &topic, const QList<QPair<int, qint64>> &offsets);

} // namespace veltrix::test
