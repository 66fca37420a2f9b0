#include "topicsview.h"

#include "items/kafkatopicsmodel.h"
#include "lagverdictstyle.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QTreeView>
#include <QVBoxLayout>

namespace veltrix {

namespace {

// Filters topics by name; a topic that is shown shows all of its partitions.
class TopicFilterProxy : public QSortFilterProxyModel
{
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;

protected:
    bool filterAcceptsRow(int row, const QModelIndex &parent) const override
    {
        return parent.isValid() || QSortFilterProxyModel::filterAcceptsRow(row, parent);
    }
};

} // namespace

TopicsView::TopicsView(QWidget *parent)
    : QWidget(parent)
    , m_model(new KafkaTopicsModel(this))
    , m_proxy(new TopicFilterProxy(this))
    , m_picker(this)
    , m_filter(new QLineEdit(this))
    , m_summary(new QLabel(this))
    , m_view(new QTreeView(this))
{
    chainLagModels(m_model, new LagCellDecorator(this, true), m_proxy);
    m_proxy->setFilterKeyColumn(KafkaTopicsModel::NameColumn);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);

    setUpSortableRows(m_view, m_proxy, KafkaTopicsModel::NameColumn, Qt::AscendingOrder);
    m_view->setUniformRowHeights(true);
    QHeaderView *header = m_view->header();
    // Tight columns: at 1280 px every column, start and end offsets included, must fit
    // without scrolling.
    const auto width = sampleWidth(this, 14);
    constexpr int BoldExtra = 10; // topic rows are bold, and wider than the sample
    header->resizeSection(KafkaTopicsModel::NameColumn,
                          width("__consumer_offsets (internal)") + BoldExtra);
    header->resizeSection(KafkaTopicsModel::PartitionsColumn, width("Partitions"));
    header->resizeSection(KafkaTopicsModel::RateColumn, width("1,234 msg/s"));
    header->resizeSection(KafkaTopicsModel::LeaderColumn, width("2 without leader") + BoldExtra);
    header->resizeSection(KafkaTopicsModel::ReplicasColumn, width("1, 2, 3"));
    header->resizeSection(KafkaTopicsModel::IsrColumn, width("2 under-replicated") + BoldExtra);
    header->resizeSection(KafkaTopicsModel::StartColumn, width("1,234,567"));
    header->resizeSection(KafkaTopicsModel::EndColumn, width("12,345,678"));
    header->resizeSection(KafkaTopicsModel::MessagesColumn, width("12,345,678"));
    header->setStretchLastSection(true);

    m_picker.onPicked(this, [this](const QString &cluster) {
        if (cluster != m_current)
            showCluster(cluster);
    });
    m_summary->setStyleSheet(QStringLiteral("color: #5f6368;"));
    m_summary->setAlignment(Qt::AlignRight | Qt::AlignVCenter);

    QHBoxLayout *bar = lagToolBar(m_picker, m_filter, QStringLiteral("Filter topics by name"),
                                  m_proxy, m_summary);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    layout->addLayout(bar);
    layout->addWidget(m_view, 1);
    updateSummary();
}

void TopicsView::setClusters(const QStringList &kafkaClusters)
{
    for (auto it = m_latest.begin(); it != m_latest.end();)
        it = kafkaClusters.contains(it.key()) ? std::next(it) : m_latest.erase(it);
    m_picker.clear();
    m_current.clear();
    for (const QString &cluster : kafkaClusters)
        addCluster(cluster);
    if (!kafkaClusters.isEmpty())
        showCluster(kafkaClusters.first());
    else
        m_model->clear();
}

void TopicsView::addCluster(const QString &cluster)
{
    m_picker.add(cluster);
}

void TopicsView::applySnapshot(const LagSnapshot &snapshot)
{
    addCluster(snapshot.cluster);
    m_latest.insert(snapshot.cluster, snapshot);
    if (m_current.isEmpty()) {
        showCluster(snapshot.cluster);
        return;
    }
    if (snapshot.cluster != m_current)
        return;
    m_stale = true;
    if (isVisible())
        applyPending();
}

void TopicsView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    applyPending();
}

void TopicsView::showCluster(const QString &cluster)
{
    addCluster(cluster);
    m_current = cluster;
    m_picker.setCurrent(cluster);
    m_stale = true;
    applyPending();
}

void TopicsView::applyPending()
{
    if (m_stale) {
        m_stale = false;
        const auto it = m_latest.constFind(m_current);
        if (it != m_latest.cend())
            m_model->applySnapshot(*it);
        else
            m_model->clear();
        updateSummary();
    }
    if (m_pendingTopic.isEmpty())
        return;
    const QModelIndex source = m_model->topicIndex(m_pendingTopic);
    if (!source.isValid())
        return;
    m_pendingTopic.clear();
    const QModelIndex index = revealSourceRow(m_proxy, m_filter, source);
    m_view->selectionModel()->setCurrentIndex(
        index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_view->expand(index);
    m_view->scrollTo(index);
}

void TopicsView::selectTopic(const QString &cluster, const QString &topic)
{
    if (cluster != m_current)
        showCluster(cluster);
    m_pendingTopic = topic;
    applyPending();
}

void TopicsView::updateSummary()
{
    const auto it = m_latest.constFind(m_current);
    if (it == m_latest.cend()) {
        m_summary->setText(
            m_current.isEmpty()
                ? QStringLiteral("No Kafka cluster configured.")
                : QStringLiteral("Waiting for the first poll of %1…").arg(m_current));
        return;
    }
    m_summary->setText(QStringLiteral("%1 topic(s) · %2 partition(s) · polled %3")
                           .arg(m_model->rowCount())
                           .arg(m_model->partitionCount())
                           .arg(it->polledAt.toLocalTime().toString(QStringLiteral("HH:mm:ss"))));
}

} // namespace veltrix
