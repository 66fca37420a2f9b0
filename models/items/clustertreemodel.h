#pragma once

#include "core/clusterprofile.h"
#include "core/clustertopology.h"
#include "core/connectionstatus.h"

#include <QAbstractItemModel>

#include <memory>
#include <vector>

namespace veltrix {

// The cluster tree on the left of the main window: each Kafka cluster with its
// topics and consumer groups, each RabbitMQ cluster with its vhosts and queues.
// Refreshes are merged into the existing tree row by row, so expansion, selection
// and scroll position survive them.
class ClusterTreeModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum class NodeType {
        Cluster,
        TopicFolder,
        Topic,
        GroupFolder,
        Group,
        Vhost,
        Queue,
        Message, // "no topics yet", "connecting…": a placeholder line
    };
    Q_ENUM(NodeType)

    enum Roles {
        NodeTypeRole = Qt::UserRole + 1,
        ClusterNameRole,
        ConnectionStateRole, // ConnectionStatus::State as int, on cluster rows
        ClusterKindRole, // ClusterKind as int
        KeyRole, // topic, group, vhost or queue name (a queue row sits under its vhost)
    };

    enum Column { NameColumn, DetailColumn, ColumnCount };

    explicit ClusterTreeModel(QObject *parent = nullptr);
    ~ClusterTreeModel() override;

    void setProfiles(const QList<ClusterProfile> &profiles); // resets the model
    void applyTopology(const ClusterTopology &topology);
    void applyStatus(const ConnectionStatus &status);

    QModelIndex clusterIndex(const QString &clusterName) const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    struct Node;

private:
    struct Spec;
    void syncChildren(Node *parent, std::vector<Spec> specs);
    QModelIndex indexOf(const Node *node, int column = 0) const;
    Node *nodeOf(const QModelIndex &index) const;

    std::unique_ptr<Node> m_root;
};

} // namespace veltrix
