#include "partitionwindow.h"

namespace veltrix {

void PartitionWindow::record(const LagSample &sample, qint64)
{
    m_latest = sample;
}

LagJudgement PartitionWindow::judge(qint64, Membership, std::optional<double>) const
{
    return {};
}

void PartitionWindow::trim(qint64) { }

} // namespace veltrix
