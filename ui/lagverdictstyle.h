#pragma once

#include "core/lagsnapshot.h"
#include "items/lagformat.h"

#include <QColor>
#include <QIcon>
#include <QIdentityProxyModel>

namespace veltrix {

// The colour an operator reads a lag verdict by: OK green, PENDING grey, WARN amber,
// STALL/STOP/REWIND red, OUT_OF_RANGE magenta, NO_OFFSET neutral. Dark enough to be read
// as text on a light background.
QColor lagVerdictColor(LagVerdict verdict);
// A small icon whose shape also tells the verdict apart, for those who do not see the
// colour: circle (OK), ring (PENDING), triangle (WARN), bars (STALL), square (STOP),
// arrow (REWIND), diamond (OUT_OF_RANGE), dash (NO_OFFSET).
QIcon lagVerdictIcon(LagVerdict verdict);
QColor cellEmphasisColor(CellEmphasis emphasis); // invalid for None

// Turns what the lag models say (LagVerdictRole, LagEmphasisRole) into icons, colours and
// fonts, so the models stay free of widgets (like ClusterTreeDecorator for the tree).
// Also makes parent rows (topic summaries) bold when asked.
class LagCellDecorator : public QIdentityProxyModel
{
public:
    explicit LagCellDecorator(QObject *parent = nullptr, bool boldParents = false);
    QVariant data(const QModelIndex &index, int role) const override;

private:
    bool m_boldParents;
};

} // namespace veltrix
