#pragma once

#include "core/connectionstatus.h"

#include <QHash>
#include <QWidget>

class QHBoxLayout;
class QLabel;

namespace veltrix {

// One indicator per cluster in the window's status bar: a coloured dot, the name and
// the state; the full detail (or error, in words) as tool tip.
class ConnectionStatusBar : public QWidget
{
    Q_OBJECT
public:
    explicit ConnectionStatusBar(QWidget *parent = nullptr);

    void setClusters(const QStringList &clusterNames);
    void applyStatus(const ConnectionStatus &status);

    QString textFor(const QString &clusterName) const; // state and full detail, for tests
    QString shownTextFor(const QString &clusterName) const; // what the bar shows, as text

private:
    QHBoxLayout *m_layout;
    QHash<QString, QLabel *> m_labels;
};

// The colour an operator reads a state by, shared by the tree and the status bar.
QColor connectionStateColor(ConnectionStatus::State state);

} // namespace veltrix
