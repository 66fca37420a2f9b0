#include "deadletterpage.h"

#include "dlqmessagesview.h"
#include "items/dlqlistmodel.h"

#include <QHeaderView>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace veltrix {

using namespace Qt::StringLiterals;

DeadLetterPage::DeadLetterPage(QWidget *parent)
    : QWidget(parent)
    , m_list(new DlqListModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_listView(new QTableView(this))
    , m_listStatus(new QLabel(this))
    , m_messages(new DlqMessagesView(this))
{
    m_proxy->setSourceModel(m_list);
    m_listView->setObjectName(u"dlqList"_s);
    m_listView->setModel(m_proxy);
    m_listView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_listView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_listView->verticalHeader()->hide();
    m_listView->setWordWrap(false);
    m_listView->horizontalHeader()->setStretchLastSection(true);
    const int widths[] = {150, 80, 150, 70, 60};
    for (int column = 0; column < int(std::size(widths)); ++column)
        m_listView->setColumnWidth(column, widths[column]);
    m_listStatus->setObjectName(u"dlqListStatus"_s);
    m_listStatus->setWordWrap(true);
    m_listStatus->setText(u"Looking for dead-letter queues…"_s);

    auto *left = new QWidget(this);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(m_listView, 1);
    leftLayout->addWidget(m_listStatus);

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(left);
    splitter->addWidget(m_messages);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 3);
    left->setMinimumWidth(200);
    splitter->setSizes({420, 1200});
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(splitter);

    connect(m_listView, &QTableView::clicked, this, &DeadLetterPage::openRow);
    connect(m_listView, &QTableView::activated, this, &DeadLetterPage::openRow);
}

void DeadLetterPage::setProfiles(const QList<ClusterProfile> &profiles)
{
    m_profiles = profiles;
}

void DeadLetterPage::takeListing(const DlqListing &listing)
{
    m_list->takeListing(listing);
    for (const DlqInfo &info : listing.queues)
        if (info.source.toString() == m_messages->currentSource())
            m_messages->takeListing(info);
    QStringList problems;
    const auto errors = m_list->errors();
    for (auto it = errors.begin(); it != errors.end(); ++it)
        problems << u"%1: %2"_s.arg(it.key(), it.value());
    m_listStatus->setText(
        problems.isEmpty()
            ? u"%1 DLQ(s); depth and inflow refresh every 5 s."_s.arg(m_list->rowCount())
            : u"Could not list every cluster's DLQs.\n"_s + problems.join(u'\n'));
    Q_EMIT dlqListed();
}

bool DeadLetterPage::openSource(const QString &source)
{
    const int row = m_list->rowOf(source);
    if (row < 0)
        return false;
    const QModelIndex index = m_proxy->mapFromSource(m_list->index(row, 0));
    m_listView->setCurrentIndex(index);
    openRow(index);
    return true;
}

void DeadLetterPage::openRow(const QModelIndex &proxyIndex)
{
    const DlqInfo *info = m_list->infoAt(m_proxy->mapToSource(proxyIndex).row());
    // The open DLQ again is a no-op, unless opening it failed: then it is a retry.
    if (!info || (info->source.toString() == m_messages->currentSource() && m_messages->isLoaded()))
        return;
    for (const ClusterProfile &profile : std::as_const(m_profiles))
        if (profile.name == info->source.cluster) {
            m_messages->open(profile, *info);
            return;
        }
}

} // namespace veltrix
