#pragma once

#include <QIdentityProxyModel>

namespace veltrix {

// Adds icons and state colours to ClusterTreeModel, which knows no widgets or styles.
class ClusterTreeDecorator : public QIdentityProxyModel
{
    Q_OBJECT
public:
    using QIdentityProxyModel::QIdentityProxyModel;
    QVariant data(const QModelIndex &index, int role) const override;
};

} // namespace veltrix
