#pragma once

#include "core/clusterprofile.h"
#include "core/deadletterqueue.h"

#include <QWidget>

class QLabel;
class QSortFilterProxyModel;
class QTableView;

namespace veltrix {

class DlqListModel;
class DlqMessagesView;

// The "Dead letters" tab: every cluster's DLQs with depth and inflow on the left, the
// picked one's messages, triage and detail on the right.
class DeadLetterPage : public QWidget
{
    Q_OBJECT
public:
    explicit DeadLetterPage(QWidget *parent = nullptr);

    void setProfiles(const QList<ClusterProfile> &profiles);
    void takeListing(const DlqListing &listing);
    // Opens the DLQ with this DlqSource::toString(); false when it is not listed (yet).
    bool openSource(const QString &source);

    DlqListModel *listModel() const { return m_list; }
    QTableView *listView() const { return m_listView; }
    DlqMessagesView *messages() const { return m_messages; }

Q_SIGNALS:
    void dlqListed(); // a listing arrived (tests, screenshots)

private:
    void openRow(const QModelIndex &proxyIndex);

    QList<ClusterProfile> m_profiles;
    DlqListModel *m_list;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_listView;
    QLabel *m_listStatus;
    DlqMessagesView *m_messages;
};

} // namespace veltrix
