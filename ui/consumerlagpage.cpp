#include "consumerlagpage.h"

#include "groupdetailview.h"
#include "items/consumergroupsmodel.h"
#include "items/laghistory.h"
#include "lagsparklinedelegate.h"
#include "lagverdictstyle.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace veltrix {

namespace {

QString clockTime(const QDateTime &time)
{
    return time.toLocalTime().toString(QStringLiteral("HH:mm:ss"));
}

} // namespace

ConsumerLagPage::ConsumerLagPage(QWidget *parent)
    : QWidget(parent)
    , m_history(std::make_shared<LagHistory>())
    , m_model(new ConsumerGroupsModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_picker(this)
    , m_filter(new QLineEdit(this))
    , m_status(new QLabel(this))
    , m_notes(new QLabel(this))
    , m_view(new QTableView(this))
    , m_detail(new GroupDetailView(m_history.get(), this))
{
    m_historyPool.setMaxThreadCount(1);
    m_model->setHistory(m_history.get());
    chainLagModels(m_model, new LagCellDecorator(this), m_proxy);
    m_proxy->setFilterKeyColumn(-1); // group, state, verdict or topic
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);

    // Worst first.
    setUpSortableRows(m_view, m_proxy, ConsumerGroupsModel::VerdictColumn, Qt::DescendingOrder);
    m_view->setItemDelegateForColumn(ConsumerGroupsModel::TrendColumn,
                                     new LagSparklineDelegate(m_view));
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    // Fixed sizes: measuring contents would cost O(rows) on every refresh.
    m_view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_view->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 8);
    QHeaderView *header = m_view->horizontalHeader();
    const auto width = sampleWidth(this, 16);
    header->resizeSection(ConsumerGroupsModel::VerdictColumn, width("OUT_OF_RANGE") + 24);
    header->resizeSection(ConsumerGroupsModel::GroupColumn, width("payments-retry-consumer"));
    header->resizeSection(ConsumerGroupsModel::StateColumn, width("PreparingReb"));
    header->resizeSection(ConsumerGroupsModel::MembersColumn, width("Members"));
    header->resizeSection(ConsumerGroupsModel::TotalLagColumn, width("1,234,567"));
    header->resizeSection(ConsumerGroupsModel::MaxTimeLagColumn, width("4 min 31 s (msg ts)"));
    header->resizeSection(ConsumerGroupsModel::TrendColumn, 130);
    header->setSectionResizeMode(ConsumerGroupsModel::TopicsColumn, QHeaderView::Stretch);
    header->setMinimumSectionSize(40);
    header->setStretchLastSection(false);

    m_picker.onPicked(this, [this](const QString &cluster) {
        if (cluster != m_current)
            showCluster(cluster);
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &ConsumerLagPage::showSelectedGroup);

    m_status->setWordWrap(true);
    m_status->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_notes->setWordWrap(true);
    m_notes->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_notes->setStyleSheet(QStringLiteral("QLabel { background: #fff4d6; color: #3c2f00; "
                                          "border: 1px solid #e8c15c; border-radius: 3px; "
                                          "padding: 5px 8px; }"));
    m_notes->hide();

    QHBoxLayout *bar
        = lagToolBar(m_picker, m_filter, QStringLiteral("Filter by group, state, verdict or topic"),
                     m_proxy, m_status);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_view);
    splitter->addWidget(m_detail);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 3);
    splitter->setSizes({240, 460}); // room for a dozen groups; the detail gets the rest
    splitter->setChildrenCollapsible(false);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    layout->addLayout(bar);
    layout->addWidget(m_notes);
    layout->addWidget(splitter, 1);
    updatePollStatus();
}

ConsumerLagPage::~ConsumerLagPage()
{
    // Appends in flight post back to this object: let them finish while it still exists.
    m_historyPool.waitForDone();
    m_model->setHistory(nullptr);
}

void ConsumerLagPage::setProfiles(const QList<ClusterProfile> &profiles)
{
    m_detail->setProfiles(profiles);
}

void ConsumerLagPage::setClusters(const QStringList &kafkaClusters)
{
    for (auto it = m_clusters.begin(); it != m_clusters.end();) {
        if (kafkaClusters.contains(it.key())) {
            ++it;
            continue;
        }
        m_history->forgetCluster(it.key());
        it = m_clusters.erase(it);
    }
    m_picker.clear();
    m_current.clear();
    for (const QString &cluster : kafkaClusters)
        addCluster(cluster);
    if (!kafkaClusters.isEmpty())
        showCluster(kafkaClusters.first());
    else
        m_model->clear();
}

void ConsumerLagPage::addCluster(const QString &cluster)
{
    m_picker.add(cluster);
    m_clusters[cluster]; // known, even before its first poll
}

void ConsumerLagPage::applySnapshot(const LagSnapshot &snapshot)
{
    addCluster(snapshot.cluster);
    ClusterState &state = m_clusters[snapshot.cluster];
    state.latest = snapshot;
    state.error.clear();
    state.failedAt = {};

    // Summing every partition of every group is the history's job, off this thread.
    m_historyPool.start([this, history = m_history, snapshot] {
        history->append(snapshot);
        QMetaObject::invokeMethod(
            this, [this, cluster = snapshot.cluster] { onHistoryAppended(cluster); },
            Qt::QueuedConnection);
    });

    if (m_current.isEmpty()) {
        showCluster(snapshot.cluster);
        return;
    }
    if (snapshot.cluster != m_current)
        return;
    m_model->applySnapshot(snapshot);
    selectPendingGroup();
    showSelectedGroup();
    updateNotes();
    updatePollStatus();
}

void ConsumerLagPage::applyPollFailure(const QString &cluster, const QString &error)
{
    addCluster(cluster);
    ClusterState &state = m_clusters[cluster];
    state.error = error;
    if (!state.failedAt.isValid())
        state.failedAt = QDateTime::currentDateTime();
    if (m_current.isEmpty())
        showCluster(cluster);
    else if (cluster == m_current)
        updatePollStatus();
}

void ConsumerLagPage::showCluster(const QString &cluster)
{
    addCluster(cluster);
    m_current = cluster;
    m_selectWorst = true;
    m_picker.setCurrent(cluster);
    const ClusterState &state = m_clusters[cluster];
    if (state.latest)
        m_model->applySnapshot(*state.latest); // another cluster: the model resets
    else
        m_model->clear();
    selectPendingGroup();
    showSelectedGroup();
    updateNotes();
    updatePollStatus();
}

void ConsumerLagPage::selectGroup(const QString &cluster, const QString &group)
{
    m_pendingGroup = group;
    if (cluster != m_current)
        showCluster(cluster); // selects the pending group if it is there
    else
        selectPendingGroup();
}

void ConsumerLagPage::selectPendingGroup()
{
    if (m_pendingGroup.isEmpty()) {
        if (!m_selectWorst || m_proxy->rowCount() == 0)
            return;
        m_selectWorst = false;
        if (!m_view->selectionModel()->hasSelection()) // the table sorts worst first
            m_view->selectionModel()->setCurrentIndex(m_proxy->index(0, 0),
                                                      QItemSelectionModel::ClearAndSelect
                                                          | QItemSelectionModel::Rows);
        return;
    }
    m_selectWorst = false;
    const int row = m_model->rowOf(m_pendingGroup);
    if (row < 0)
        return; // not polled yet: the next snapshot tries again
    m_pendingGroup.clear();
    const QModelIndex index = revealSourceRow(m_proxy, m_filter, m_model->index(row, 0));
    m_view->selectionModel()->setCurrentIndex(
        index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_view->scrollTo(index);
}

QString ConsumerLagPage::selectedGroup() const
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : rows.first().data(LagKeyRole).toString();
}

void ConsumerLagPage::showSelectedGroup()
{
    const auto it = m_clusters.constFind(m_current);
    const LagSnapshot *snapshot = it != m_clusters.cend() && it->latest ? &*it->latest : nullptr;
    const QString group = selectedGroup();
    m_detail->showGroup(m_current, snapshot && !group.isEmpty() ? snapshot->group(group) : nullptr,
                        snapshot ? snapshot->polledAt : QDateTime());
}

void ConsumerLagPage::onHistoryAppended(const QString &cluster)
{
    if (cluster == m_current) {
        m_model->trendsChanged();
        m_detail->refreshChart();
    }
    Q_EMIT historyAppended(cluster);
}

void ConsumerLagPage::updateNotes()
{
    const auto it = m_clusters.constFind(m_current);
    QStringList notes;
    if (it != m_clusters.cend() && it->latest) {
        if (!it->latest->groupsNote.isEmpty())
            notes << it->latest->groupsNote;
        if (!it->latest->membershipNote.isEmpty())
            notes << it->latest->membershipNote;
    }
    m_notes->setText(notes.join(QLatin1Char('\n')));
    m_notes->setVisible(!notes.isEmpty());
}

void ConsumerLagPage::updatePollStatus()
{
    const auto it = m_clusters.constFind(m_current);
    if (m_current.isEmpty() || it == m_clusters.cend()) {
        m_status->setText(QStringLiteral("No Kafka cluster configured."));
        m_status->setStyleSheet({});
        m_status->setToolTip({});
        return;
    }
    const ClusterState &state = *it;
    if (!state.error.isEmpty()) {
        const QString since = state.latest ? QStringLiteral("Stale since %1 (last good poll)")
                                                 .arg(clockTime(state.latest->polledAt))
                                           : QStringLiteral("No poll has succeeded yet");
        m_status->setText(QStringLiteral("%1: %2").arg(since, state.error));
        m_status->setToolTip(QStringLiteral("%1: lag poll failing since %2\n%3")
                                 .arg(m_current, clockTime(state.failedAt), state.error));
        m_status->setStyleSheet(QStringLiteral("color: #c5221f; font-weight: bold;"));
        return;
    }
    m_status->setStyleSheet(QStringLiteral("color: #5f6368;"));
    if (!state.latest) {
        m_status->setText(QStringLiteral("Waiting for the first lag poll of %1…").arg(m_current));
        m_status->setToolTip({});
        return;
    }
    const LagSnapshot &s = *state.latest;
    m_status->setText(QStringLiteral("Polled %1 · %2 ms · %3 group(s)")
                          .arg(clockTime(s.polledAt))
                          .arg(s.pollMs)
                          .arg(s.groups.size()));
    m_status->setToolTip(
        QStringLiteral("Verdicts judge the last %1 s of polls.").arg(s.windowSeconds, 0, 'f', 0));
}

} // namespace veltrix
