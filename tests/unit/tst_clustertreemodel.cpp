// The cluster tree merges refreshes row by row: persistent indexes (selection,
// expansion) survive, removed rows go, new rows appear in order.
#include "items/clustertreemodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace veltrix;

namespace {

ClusterTopology kafkaTopology(const QStringList &topics, const QStringList &groups = {})
{
    ClusterTopology t;
    t.clusterName = QStringLiteral("k");
    t.kind = ClusterKind::Kafka;
    for (const QString &name : topics)
        t.topics.append({name, 3, false});
    for (const QString &name : groups)
        t.groups.append({name, QStringLiteral("Stable")});
    return t;
}

ClusterProfile profile(const QString &name, ClusterKind kind)
{
    ClusterProfile p;
    p.name = name;
    p.kind = kind;
    return p;
}

QStringList childLabels(const QAbstractItemModel &model, const QModelIndex &parent)
{
    QStringList labels;
    for (int row = 0; row < model.rowCount(parent); ++row)
        labels << model.index(row, 0, parent).data().toString();
    return labels;
}

} // namespace

class TestClusterTreeModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void showsKafkaTopicsAndGroups();
    void refreshKeepsPersistentIndexes();
    void removesOnlyWhatIsGone();
    void showsRabbitVhostsAndQueues();
    void statusChangesTheClusterRowOnly();

private:
    std::unique_ptr<ClusterTreeModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
};

void TestClusterTreeModel::init()
{
    m_model = std::make_unique<ClusterTreeModel>();
    m_tester = std::make_unique<QAbstractItemModelTester>(
        m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_model->setProfiles({profile(QStringLiteral("k"), ClusterKind::Kafka),
                          profile(QStringLiteral("r"), ClusterKind::RabbitMq)});
}

void TestClusterTreeModel::showsKafkaTopicsAndGroups()
{
    m_model->applyTopology(kafkaTopology({QStringLiteral("payments"), QStringLiteral("orders")},
                                         {QStringLiteral("billing")}));
    const QModelIndex cluster = m_model->clusterIndex(QStringLiteral("k"));
    QCOMPARE(childLabels(*m_model, cluster),
             (QStringList {QStringLiteral("Topics (2)"), QStringLiteral("Consumer groups (1)")}));
    const QModelIndex topics = m_model->index(0, 0, cluster);
    QCOMPARE(childLabels(*m_model, topics),
             (QStringList {QStringLiteral("orders"), QStringLiteral("payments")}));
    QCOMPARE(m_model->index(0, ClusterTreeModel::DetailColumn, topics).data().toString(),
             QStringLiteral("3 partition(s)"));
    QCOMPARE(m_model->index(0, 0, topics).data(ClusterTreeModel::NodeTypeRole).toInt(),
             int(ClusterTreeModel::NodeType::Topic));
    QCOMPARE(m_model->index(0, 0, topics).data(ClusterTreeModel::ClusterNameRole).toString(),
             QStringLiteral("k"));
}

void TestClusterTreeModel::refreshKeepsPersistentIndexes()
{
    m_model->applyTopology(kafkaTopology({QStringLiteral("b"), QStringLiteral("d")}));
    const QModelIndex topics = m_model->index(0, 0, m_model->clusterIndex(QStringLiteral("k")));
    const QPersistentModelIndex d(m_model->index(1, 0, topics));
    QCOMPARE(d.data().toString(), QStringLiteral("d"));

    QSignalSpy resets(m_model.get(), &QAbstractItemModel::modelReset);
    QSignalSpy inserts(m_model.get(), &QAbstractItemModel::rowsInserted);
    m_model->applyTopology(kafkaTopology(
        {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c"), QStringLiteral("d")}));
    QCOMPARE(resets.size(), 0);
    QCOMPARE(inserts.size(), 2); // "a" and "c"
    QVERIFY(d.isValid());
    QCOMPARE(d.data().toString(), QStringLiteral("d"));
    QCOMPARE(d.row(), 3);
    QCOMPARE(childLabels(*m_model, topics),
             (QStringList {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c"),
                           QStringLiteral("d")}));
}

void TestClusterTreeModel::removesOnlyWhatIsGone()
{
    m_model->applyTopology(
        kafkaTopology({QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c"),
                       QStringLiteral("d"), QStringLiteral("e")}));
    const QModelIndex topics = m_model->index(0, 0, m_model->clusterIndex(QStringLiteral("k")));
    const QPersistentModelIndex e(m_model->index(4, 0, topics));
    QSignalSpy removals(m_model.get(), &QAbstractItemModel::rowsRemoved);
    m_model->applyTopology(kafkaTopology({QStringLiteral("a"), QStringLiteral("e")}));
    QCOMPARE(removals.size(), 1); // b..d in one contiguous run
    QCOMPARE(childLabels(*m_model, topics),
             (QStringList {QStringLiteral("a"), QStringLiteral("e")}));
    QCOMPARE(e.row(), 1);
    QCOMPARE(m_model->index(0, 0, m_model->clusterIndex(QStringLiteral("k"))).data().toString(),
             QStringLiteral("Topics (2)"));
}

void TestClusterTreeModel::showsRabbitVhostsAndQueues()
{
    ClusterTopology t;
    t.clusterName = QStringLiteral("r");
    t.kind = ClusterKind::RabbitMq;
    t.serverVersion = QStringLiteral("3.10.8");
    t.vhosts.append({QStringLiteral("/"),
                     {{QStringLiteral("orders.dlq"), QStringLiteral("classic"), 42, 0},
                      {QStringLiteral("orders"), QStringLiteral("quorum"), -1, 2}}});
    m_model->applyTopology(t);
    const QModelIndex cluster = m_model->clusterIndex(QStringLiteral("r"));
    QCOMPARE(childLabels(*m_model, cluster), QStringList {QStringLiteral("/")});
    const QModelIndex vhost = m_model->index(0, 0, cluster);
    QCOMPARE(childLabels(*m_model, vhost),
             (QStringList {QStringLiteral("orders"), QStringLiteral("orders.dlq")}));
    QCOMPARE(m_model->index(0, 1, vhost).data().toString(), QStringLiteral("quorum · ? msg"));
    QCOMPARE(m_model->index(1, 1, vhost).data().toString(), QStringLiteral("classic · 42 msg"));
}

void TestClusterTreeModel::statusChangesTheClusterRowOnly()
{
    QSignalSpy changes(m_model.get(), &QAbstractItemModel::dataChanged);
    m_model->applyStatus(
        {QStringLiteral("r"), ConnectionStatus::State::Failed, QStringLiteral("r: cannot reach")});
    QCOMPARE(changes.size(), 1);
    const QModelIndex r = m_model->clusterIndex(QStringLiteral("r"));
    QCOMPARE(changes.first().at(0).toModelIndex(), r);
    QCOMPARE(r.data(ClusterTreeModel::ConnectionStateRole).toInt(),
             int(ConnectionStatus::State::Failed));
    QCOMPARE(m_model->index(r.row(), 1).data().toString(), QStringLiteral("failed"));
    QVERIFY(r.data(Qt::ToolTipRole).toString().contains(QLatin1String("cannot reach")));
    m_model->applyStatus({QStringLiteral("unknown"), ConnectionStatus::State::Failed, QString()});
    QCOMPARE(changes.size(), 1);
}

QTEST_GUILESS_MAIN(TestClusterTreeModel)
#include "tst_clustertreemodel.moc"
