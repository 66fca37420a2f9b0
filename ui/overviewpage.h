#pragma once

#include "core/clusterprofile.h"
#include "core/connectionstatus.h"

#include <QMap>
#include <QWidget>

class QLabel;

namespace veltrix {

// The central area before a view is chosen: every cluster with its state and, when
// it failed, the error in words, large enough to read during an incident.
class OverviewPage : public QWidget
{
    Q_OBJECT
public:
    explicit OverviewPage(QWidget *parent = nullptr);

    void setProfiles(const QList<ClusterProfile> &profiles, const QString &source);
    void setProblem(const QString &problem); // e.g. the profiles file is broken
    void applyStatus(const ConnectionStatus &status);

private:
    void render();

    QLabel *m_body;
    QString m_source;
    QString m_problem;
    QList<ClusterProfile> m_profiles;
    QMap<QString, ConnectionStatus> m_statuses;
};

} // namespace veltrix
