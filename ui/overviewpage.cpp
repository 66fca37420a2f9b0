#include "overviewpage.h"

#include "connectionstatusbar.h"

#include <QLabel>
#include <QScrollArea>
#include <QVBoxLayout>

namespace veltrix {

OverviewPage::OverviewPage(QWidget *parent)
    : QWidget(parent)
    , m_body(new QLabel(this))
{
    m_body->setTextFormat(Qt::RichText);
    m_body->setWordWrap(true);
    m_body->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_body->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(m_body);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(16, 12, 16, 12);
    layout->addWidget(scroll);
}

void OverviewPage::setProfiles(const QList<ClusterProfile> &profiles, const QString &source)
{
    m_profiles = profiles;
    m_source = source;
    m_statuses.clear();
    render();
}

void OverviewPage::setProblem(const QString &problem)
{
    m_problem = problem;
    render();
}

void OverviewPage::applyStatus(const ConnectionStatus &status)
{
    m_statuses.insert(status.clusterName, status);
    render();
}

void OverviewPage::render()
{
    QString html = QStringLiteral("<h2>Clusters</h2>");
    if (!m_source.isEmpty())
        html += QStringLiteral("<p style='color:#666'>Profiles from %1</p>")
                    .arg(m_source.toHtmlEscaped());
    if (!m_problem.isEmpty())
        html += QStringLiteral("<p style='color:#c5221f'><b>%1</b></p>")
                    .arg(m_problem.toHtmlEscaped());
    if (m_profiles.isEmpty() && m_problem.isEmpty())
        html += QStringLiteral("<p>No clusters configured. Start with <tt>scripts/demo</tt>, or "
                               "write a profiles file (see the README) and open it with "
                               "<tt>--profiles FILE</tt>.</p>");

    html += QStringLiteral("<table width='100%' cellspacing='0' cellpadding='6'>");
    for (const ClusterProfile &profile : m_profiles) {
        const ConnectionStatus status = m_statuses.value(
            profile.name,
            ConnectionStatus {profile.name, ConnectionStatus::State::Connecting, QString()});
        const QString where
            = profile.kind == ClusterKind::Kafka ? profile.bootstrap : profile.managementUrl;
        // Switched-off verification is said on every look at the cluster, not only once.
        const QString insecure = profile.tls.verify
            ? QString()
            : QStringLiteral("<br><span style='color:#c5221f'><b>⚠ TLS verification is OFF</b> "
                             "for this profile: the broker's identity is not checked</span>");
        html += QStringLiteral(
                    "<tr><td width='24'><span style='color:%1;font-size:large'>●</span></td>"
                    "<td width='40%'><b>%2</b><br><span style='color:#666'>%3 · %4%5</span>%8</td>"
                    "<td><b>%6</b><br>%7</td></tr>")
                    .arg(connectionStateColor(status.state).name(), profile.name.toHtmlEscaped(),
                         clusterKindName(profile.kind), where.toHtmlEscaped(),
                         profile.readOnly ? QStringLiteral(" · read-only") : QString(),
                         ConnectionStatus::stateName(status.state), status.detail.toHtmlEscaped(),
                         insecure);
    }
    html += QStringLiteral("</table>");
    m_body->setText(html);
}

} // namespace veltrix
