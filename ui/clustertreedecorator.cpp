#include "clustertreedecorator.h"

#include "connectionstatusbar.h"
#include "items/clustertreemodel.h"

#include <QApplication>
#include <QIcon>
#include <QPainter>
#include <QPixmap>
#include <QStyle>

namespace veltrix {

namespace {

QIcon dotIcon(const QColor &color)
{
    QPixmap pixmap(12, 12);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setBrush(color);
    painter.setPen(Qt::NoPen);
    painter.drawEllipse(2, 2, 8, 8);
    return QIcon(pixmap);
}

} // namespace

QVariant ClusterTreeDecorator::data(const QModelIndex &index, int role) const
{
    using Type = ClusterTreeModel::NodeType;
    // Ask the source: index.data() would come back here.
    const QModelIndex source = mapToSource(index);
    const auto type = static_cast<Type>(source.data(ClusterTreeModel::NodeTypeRole).toInt());
    if (role == Qt::DecorationRole && index.column() == ClusterTreeModel::NameColumn) {
        QStyle *style = QApplication::style();
        switch (type) {
        case Type::Cluster: {
            const auto state = static_cast<ConnectionStatus::State>(
                source.data(ClusterTreeModel::ConnectionStateRole).toInt());
            return dotIcon(connectionStateColor(state));
        }
        case Type::TopicFolder:
        case Type::GroupFolder:
        case Type::Vhost:
            return style->standardIcon(QStyle::SP_DirIcon);
        case Type::Topic:
        case Type::Queue:
            return style->standardIcon(QStyle::SP_FileIcon);
        case Type::Group:
            return style->standardIcon(QStyle::SP_ComputerIcon);
        case Type::Message:
            break;
        }
        return {};
    }
    if (role == Qt::ForegroundRole && index.column() == ClusterTreeModel::DetailColumn
        && type == Type::Cluster) {
        const auto state = static_cast<ConnectionStatus::State>(
            source.data(ClusterTreeModel::ConnectionStateRole).toInt());
        if (state == ConnectionStatus::State::Failed || state == ConnectionStatus::State::Degraded)
            return connectionStateColor(state);
    }
    return QIdentityProxyModel::data(index, role);
}

} // namespace veltrix
