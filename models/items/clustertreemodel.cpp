#include "clustertreemodel.h"

#include <QSet>

#include <algorithm>

namespace veltrix {

struct ClusterTreeModel::Node
{
    NodeType type = NodeType::Message;
    QString key; // unique among siblings; children are kept in key order
    QString label;
    QString detail;
    QString toolTip;
    QString clusterName;
    ClusterKind kind = ClusterKind::Kafka;
    ConnectionStatus::State state = ConnectionStatus::State::Connecting;
    Node *parent = nullptr;
    std::vector<std::unique_ptr<Node>> children;

    int row() const
    {
        if (!parent)
            return 0;
        const auto &siblings = parent->children;
        const auto it = std::find_if(siblings.begin(), siblings.end(),
                                     [this](const auto &child) { return child.get() == this; });
        return static_cast<int>(it - siblings.begin());
    }
};

// What a refresh says a node should look like; merged into the live tree.
struct ClusterTreeModel::Spec
{
    NodeType type;
    QString key;
    QString label;
    QString detail;
    QString toolTip;
    std::vector<Spec> children;
};

namespace {

QString countLabel(const QString &noun, qsizetype count)
{
    return QStringLiteral("%1 (%2)").arg(noun).arg(count);
}

QString queueDetail(const RabbitQueueInfo &queue)
{
    const QString messages
        = queue.messages < 0 ? QStringLiteral("?") : QString::number(queue.messages);
    return QStringLiteral("%1 · %2 msg").arg(queue.type, messages);
}

} // namespace

ClusterTreeModel::ClusterTreeModel(QObject *parent)
    : QAbstractItemModel(parent)
    , m_root(std::make_unique<Node>())
{ }

ClusterTreeModel::~ClusterTreeModel() = default;

void ClusterTreeModel::setProfiles(const QList<ClusterProfile> &profiles)
{
    beginResetModel();
    m_root->children.clear();
    for (const ClusterProfile &profile : profiles) {
        auto node = std::make_unique<Node>();
        node->type = NodeType::Cluster;
        node->key = profile.name;
        node->label = profile.name;
        node->clusterName = profile.name;
        node->kind = profile.kind;
        node->detail = QStringLiteral("connecting…");
        node->toolTip = profile.kind == ClusterKind::Kafka ? profile.bootstrap : profile.amqpUri;
        node->parent = m_root.get();
        m_root->children.push_back(std::move(node));
    }
    endResetModel();
}

QModelIndex ClusterTreeModel::clusterIndex(const QString &clusterName) const
{
    for (const auto &child : m_root->children) {
        if (child->clusterName == clusterName)
            return indexOf(child.get());
    }
    return {};
}

void ClusterTreeModel::applyStatus(const ConnectionStatus &status)
{
    const QModelIndex index = clusterIndex(status.clusterName);
    Node *node = nodeOf(index);
    if (!node)
        return;
    node->state = status.state;
    const QString stateName = ConnectionStatus::stateName(status.state);
    node->detail = status.state == ConnectionStatus::State::Connected ? status.detail
        : status.state == ConnectionStatus::State::Degraded
        ? stateName + QStringLiteral(": ") + status.shortReason(60)
        : stateName;
    node->toolTip
        = status.detail.isEmpty() ? stateName : stateName + QStringLiteral(": ") + status.detail;
    Q_EMIT dataChanged(index, indexOf(node, DetailColumn));
}

void ClusterTreeModel::applyTopology(const ClusterTopology &topology)
{
    Node *cluster = nodeOf(clusterIndex(topology.clusterName));
    if (!cluster)
        return;

    std::vector<Spec> specs;
    if (topology.kind == ClusterKind::Kafka) {
        Spec topics {NodeType::TopicFolder,
                     QStringLiteral("1-topics"),
                     countLabel(QStringLiteral("Topics"), topology.topics.size()),
                     {},
                     {},
                     {}};
        for (const KafkaTopicInfo &topic : topology.topics)
            topics.children.push_back({NodeType::Topic,
                                       topic.name,
                                       topic.name,
                                       QStringLiteral("%1 partition(s)").arg(topic.partitionCount),
                                       {},
                                       {}});
        Spec groups {NodeType::GroupFolder,
                     QStringLiteral("2-groups"),
                     countLabel(QStringLiteral("Consumer groups"), topology.groups.size()),
                     topology.groupsNote.isEmpty() ? QString() : QStringLiteral("from profile"),
                     topology.groupsNote,
                     {}};
        for (const KafkaGroupInfo &group : topology.groups)
            groups.children.push_back(
                {NodeType::Group, group.name, group.name, group.state, {}, {}});
        specs.push_back(std::move(topics));
        specs.push_back(std::move(groups));
    } else {
        for (const RabbitVhostInfo &vhost : topology.vhosts) {
            Spec v {NodeType::Vhost,
                    vhost.name,
                    vhost.name,
                    QStringLiteral("%1 queue(s)").arg(vhost.queues.size()),
                    QStringLiteral("virtual host"),
                    {}};
            for (const RabbitQueueInfo &queue : vhost.queues)
                v.children.push_back(
                    {NodeType::Queue, queue.name, queue.name, queueDetail(queue), {}, {}});
            specs.push_back(std::move(v));
        }
    }
    syncChildren(cluster, std::move(specs));
}

void ClusterTreeModel::syncChildren(Node *parent, std::vector<Spec> specs)
{
    std::sort(specs.begin(), specs.end(),
              [](const Spec &a, const Spec &b) { return a.key < b.key; });
    const QModelIndex parentIndex = indexOf(parent);
    auto &children = parent->children;

    // 1. Remove the rows that are gone, in contiguous runs (one signal per run).
    QSet<QString> wantedKeys;
    for (const Spec &spec : specs)
        wantedKeys.insert(spec.key);
    const auto wanted = [&wantedKeys](const QString &key) { return wantedKeys.contains(key); };
    for (int row = static_cast<int>(children.size()) - 1; row >= 0;) {
        if (wanted(children[static_cast<size_t>(row)]->key)) {
            --row;
            continue;
        }
        int first = row;
        while (first > 0 && !wanted(children[static_cast<size_t>(first - 1)]->key))
            --first;
        beginRemoveRows(parentIndex, first, row);
        children.erase(children.begin() + first, children.begin() + row + 1);
        endRemoveRows();
        row = first - 1;
    }

    // 2. Both lists are now in key order: walk them together, inserting new rows and
    //    updating the ones that stayed.
    for (size_t i = 0; i < specs.size(); ++i) {
        Spec &spec = specs[i];
        const int row = static_cast<int>(i);
        if (i >= children.size() || children[i]->key != spec.key) {
            beginInsertRows(parentIndex, row, row);
            auto node = std::make_unique<Node>();
            node->type = spec.type;
            node->key = spec.key;
            node->clusterName = parent->clusterName;
            node->kind = parent->kind;
            node->parent = parent;
            node->label = spec.label;
            node->detail = spec.detail;
            node->toolTip = spec.toolTip;
            children.insert(children.begin() + row, std::move(node));
            endInsertRows();
        } else {
            Node *node = children[i].get();
            if (node->label != spec.label || node->detail != spec.detail
                || node->toolTip != spec.toolTip) {
                node->label = spec.label;
                node->detail = spec.detail;
                node->toolTip = spec.toolTip;
                Q_EMIT dataChanged(indexOf(node, NameColumn), indexOf(node, DetailColumn));
            }
        }
        syncChildren(children[i].get(), std::move(spec.children));
    }
}

QModelIndex ClusterTreeModel::indexOf(const Node *node, int column) const
{
    if (!node || node == m_root.get())
        return {};
    return createIndex(node->row(), column, const_cast<Node *>(node));
}

ClusterTreeModel::Node *ClusterTreeModel::nodeOf(const QModelIndex &index) const
{
    return index.isValid() ? static_cast<Node *>(index.internalPointer()) : nullptr;
}

QModelIndex ClusterTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    const Node *parentNode = parent.isValid() ? nodeOf(parent) : m_root.get();
    return createIndex(row, column, parentNode->children[static_cast<size_t>(row)].get());
}

QModelIndex ClusterTreeModel::parent(const QModelIndex &child) const
{
    const Node *node = nodeOf(child);
    if (!node || node->parent == m_root.get())
        return {};
    return indexOf(node->parent);
}

int ClusterTreeModel::rowCount(const QModelIndex &parent) const
{
    if (parent.column() > 0)
        return 0;
    const Node *node = parent.isValid() ? nodeOf(parent) : m_root.get();
    return static_cast<int>(node->children.size());
}

int ClusterTreeModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QVariant ClusterTreeModel::data(const QModelIndex &index, int role) const
{
    const Node *node = nodeOf(index);
    if (!node)
        return {};
    switch (role) {
    case Qt::DisplayRole:
        return index.column() == NameColumn ? node->label : node->detail;
    case Qt::ToolTipRole:
        return node->toolTip.isEmpty() ? QVariant() : QVariant(node->toolTip);
    case NodeTypeRole:
        return static_cast<int>(node->type);
    case ClusterNameRole:
        return node->clusterName;
    case ConnectionStateRole:
        return node->type == NodeType::Cluster ? QVariant(static_cast<int>(node->state))
                                               : QVariant();
    case ClusterKindRole:
        return static_cast<int>(node->kind);
    case KeyRole:
        return node->key;
    default:
        return {};
    }
}

QVariant ClusterTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    return section == NameColumn ? QStringLiteral("Cluster") : QStringLiteral("Detail");
}

} // namespace veltrix
