#include "connectionstatusbar.h"

#include <QColor>
#include <QHBoxLayout>
#include <QLabel>

namespace veltrix {

QColor connectionStateColor(ConnectionStatus::State state)
{
    switch (state) {
    case ConnectionStatus::State::Connecting:
        return QColor(0xd9, 0x8e, 0x04); // amber
    case ConnectionStatus::State::Connected:
        return QColor(0x1e, 0x8e, 0x3e); // green
    case ConnectionStatus::State::Degraded:
        return QColor(0xe3, 0x74, 0x00); // orange
    case ConnectionStatus::State::Failed:
        break;
    }
    return QColor(0xc5, 0x22, 0x1f); // red
}

ConnectionStatusBar::ConnectionStatusBar(QWidget *parent)
    : QWidget(parent)
    , m_layout(new QHBoxLayout(this))
{
    m_layout->setContentsMargins(4, 0, 4, 0);
    m_layout->setSpacing(16);
    m_layout->addStretch();
}

void ConnectionStatusBar::setClusters(const QStringList &clusterNames)
{
    qDeleteAll(m_labels);
    m_labels.clear();
    for (const QString &name : clusterNames) {
        auto *label = new QLabel(this);
        label->setTextFormat(Qt::RichText);
        m_layout->insertWidget(m_layout->count() - 1, label);
        m_labels.insert(name, label);
        applyStatus({name, ConnectionStatus::State::Connecting, QString()});
    }
}

void ConnectionStatusBar::applyStatus(const ConnectionStatus &status)
{
    QLabel *label = m_labels.value(status.clusterName);
    if (!label)
        return;
    const QString state = ConnectionStatus::stateName(status.state);
    // A failure is read at a glance in the bar itself; the whole text is in the tool tip.
    QString shown = state;
    if ((status.state == ConnectionStatus::State::Failed
         || status.state == ConnectionStatus::State::Degraded)
        && !status.detail.isEmpty())
        shown = state + QStringLiteral(" (") + status.shortReason() + QLatin1Char(')');
    label->setText(QStringLiteral("<span style='color:%1'>●</span> <b>%2</b>: %3")
                       .arg(connectionStateColor(status.state).name(),
                            status.clusterName.toHtmlEscaped(), shown.toHtmlEscaped()));
    label->setToolTip(status.detail.isEmpty() ? state : status.detail);
    const QString plain = status.clusterName + QStringLiteral(": ") + state
        + (status.detail.isEmpty() ? QString() : QStringLiteral(" — ") + status.detail);
    label->setProperty("plainText", plain);
    label->setProperty("shownText", QString(status.clusterName + QStringLiteral(": ") + shown));
}

QString ConnectionStatusBar::shownTextFor(const QString &clusterName) const
{
    const QLabel *label = m_labels.value(clusterName);
    return label ? label->property("shownText").toString() : QString();
}

QString ConnectionStatusBar::textFor(const QString &clusterName) const
{
    const QLabel *label = m_labels.value(clusterName);
    return label ? label->property("plainText").toString() : QString();
}

} // namespace veltrix
