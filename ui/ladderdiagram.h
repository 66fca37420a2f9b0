#pragma once

#include "retry/rabbitretryladder.h"

#include <QWidget>

namespace veltrix {

// A backoff ladder drawn as the path a rejected message takes: the work queue, the retry
// exchange, one row per step (its delay, and the routing key it returns with), and the
// DLQ after the last step. Reads the plan; knows nothing about brokers.
class LadderDiagram : public QWidget
{
    Q_OBJECT
public:
    explicit LadderDiagram(QWidget *parent = nullptr);

    void setPlan(const LadderPlan &plan);
    void clear();
    bool hasPlan() const { return !m_plan.workQueue.isEmpty(); }
    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    LadderPlan m_plan;
};

} // namespace veltrix
