#include "dlqmessagesview.h"

#include "ops/dlqpurge.h"
#include "readonlyguard.h"
#include "workertask.h"

#include "deadletter/messagejson.h"
#include "items/deadlettertablemodel.h"
#include "items/lagformat.h"
#include "items/triagemodel.h"
#include "messagedetailview.h"
#include "messagefilterbar.h"
#include "repairdialog.h"
#include "session/dlqbrowsesession.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QDateTimeEdit>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QThread>
#include <QTreeView>
#include <QVBoxLayout>

namespace veltrix {

using namespace Qt::StringLiterals;

namespace {

QString count(qint64 n)
{
    return formatCount(n);
}

constexpr qsizetype TailKept = 20000;

QPushButton *button(const QString &text, const QString &name, QWidget *parent)
{
    auto *b = new QPushButton(text, parent);
    b->setObjectName(name);
    return b;
}

} // namespace

DlqMessagesView::DlqMessagesView(QWidget *parent)
    : QWidget(parent)
    , m_thread(new QThread(this))
    , m_worker(new DlqBrowseSession)
    , m_model(new DeadLetterTableModel(this))
    , m_triage(new TriageModel(this))
    , m_title(new QLabel(this))
    , m_notice(new QLabel(this))
    , m_controls(new QStackedWidget(this))
    , m_redrive(new QPushButton(u"Redrive…"_s, this))
    , m_purge(new QPushButton(u"Purge…"_s, this))
    , m_redriveSelected(new QAction(u"Redrive selected…"_s, this))
    , m_repair(new QAction(u"Repair and redrive…"_s, this))
    , m_filterBar(new MessageFilterBar(this))
    , m_table(new QTableView(this))
    , m_triageView(new QTreeView(this))
    , m_detail(new MessageDetailView(this))
    , m_progress(new QProgressBar(this))
    , m_status(new QLabel(this))
{
    m_title->setObjectName(u"dlqTitle"_s);
    m_title->setTextFormat(Qt::RichText);
    m_title->setText(u"<i>Pick a dead-letter queue on the left.</i>"_s);
    m_notice->setObjectName(u"dlqNotice"_s);
    m_notice->setWordWrap(true);
    m_notice->hide();
    m_status->setObjectName(u"dlqStatus"_s);
    m_status->setWordWrap(true);
    m_progress->setMaximumWidth(200);
    m_progress->hide();

    m_controls->addWidget(buildKafkaControls());
    m_controls->addWidget(buildRabbitControls());
    m_controls->hide();

    m_table->setObjectName(u"dlqMessages"_s);
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    // Fixed row heights and no content-sized columns: a million rows must not be measured.
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->horizontalHeader()->setStretchLastSection(true);
    const int widths[] = {90, 170, 90, 130, 120, 300, 60, 70};
    for (int column = 0; column < int(std::size(widths)); ++column)
        m_table->setColumnWidth(column, widths[column]);

    m_triageView->setObjectName(u"dlqTriage"_s);
    m_triageView->setModel(m_triage);
    m_triageView->setUniformRowHeights(true);
    m_triageView->header()->setStretchLastSection(false);
    m_triageView->header()->setSectionResizeMode(TriageModel::Group, QHeaderView::Stretch);
    m_triageView->header()->setSectionResizeMode(TriageModel::Count, QHeaderView::ResizeToContents);
    m_triageView->header()->setSectionResizeMode(TriageModel::Share, QHeaderView::ResizeToContents);
    m_triageView->setToolTip(u"Click a group to show only its messages"_s);

    auto *exportButton = button(u"Export…"_s, u"dlqExport"_s, this);
    exportButton->setToolTip(u"Save the selected messages as JSON lines"_s);
    auto *copyButton = button(u"Copy"_s, u"dlqCopy"_s, this);
    copyButton->setToolTip(u"Copy the selected messages as JSON lines"_s);

    m_redrive->setObjectName(u"dlqRedrive"_s);
    m_redrive->setToolTip(u"Move dead letters back where they came from, or elsewhere: "
                          "preview, pace, confirm"_s);
    m_redrive->setEnabled(false);
    m_purge->setObjectName(u"dlqPurge"_s);
    m_purge->setEnabled(false);
    m_confirmer = [this](const QString &question) {
        return QMessageBox::warning(this, u"Purge dead letters"_s, question,
                                    QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel)
            == QMessageBox::Yes;
    };
    m_redriveSelected->setObjectName(u"dlqRedriveSelected"_s);
    m_repair->setObjectName(u"dlqRepair"_s);
    m_repair->setToolTip(u"Edit the message's payload and headers, then redrive it"_s);
    m_table->addAction(m_redriveSelected);
    m_table->addAction(m_repair);
    m_table->setContextMenuPolicy(Qt::ActionsContextMenu);
    updateRedriveActions();

    auto *controlsRow = new QHBoxLayout;
    controlsRow->addWidget(m_controls, 1);
    controlsRow->addWidget(copyButton);
    controlsRow->addWidget(exportButton);
    controlsRow->addWidget(m_redrive);
    controlsRow->addWidget(m_purge);

    auto *tableAndTriage = new QSplitter(Qt::Horizontal, this);
    tableAndTriage->addWidget(m_table);
    tableAndTriage->addWidget(m_triageView);
    tableAndTriage->setStretchFactor(0, 3);
    tableAndTriage->setStretchFactor(1, 1);
    tableAndTriage->setSizes({900, 340});
    auto *vertical = new QSplitter(Qt::Vertical, this);
    vertical->addWidget(tableAndTriage);
    vertical->addWidget(m_detail);
    vertical->setStretchFactor(0, 3);
    vertical->setStretchFactor(1, 2);
    vertical->setSizes({420, 300});

    auto *statusRow = new QHBoxLayout;
    statusRow->addWidget(m_status, 1);
    statusRow->addWidget(m_progress);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_title);
    layout->addWidget(m_notice);
    layout->addLayout(controlsRow);
    layout->addWidget(m_filterBar);
    layout->addWidget(vertical, 1);
    layout->addLayout(statusRow);

    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &DlqMessagesView::showSelected);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &DlqMessagesView::updateRedriveActions);
    connect(m_model, &QAbstractItemModel::dataChanged, this,
            &DlqMessagesView::updateRedriveActions); // a selected row's page arrived
    connect(m_redrive, &QPushButton::clicked, this, [this] {
        openRedrive(m_model->filter().isEmpty() ? RedriveDialog::Selection::All
                                                : RedriveDialog::Selection::Filter);
    });
    connect(m_redriveSelected, &QAction::triggered, this,
            [this] { openRedrive(RedriveDialog::Selection::Selected); });
    connect(m_repair, &QAction::triggered, this, &DlqMessagesView::openRepair);
    connect(m_purge, &QPushButton::clicked, this, &DlqMessagesView::purge);
    // Something to look at straight away: the first message, once there is one.
    connect(m_model, &QAbstractItemModel::dataChanged, this, [this] {
        if (!m_table->currentIndex().isValid() && m_model->messageAt(0))
            m_table->setCurrentIndex(m_model->index(0, 0));
    });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        if (!m_model->isPaged() && m_model->rowCount() > 0)
            m_table->setCurrentIndex(m_model->index(0, 0));
    });
    // The selected row's page may arrive after the selection.
    connect(m_model, &QAbstractItemModel::dataChanged, this,
            [this](const QModelIndex &topLeft, const QModelIndex &bottomRight) {
                const int row = m_table->currentIndex().row();
                if (row >= topLeft.row() && row <= bottomRight.row())
                    showSelected();
            });
    connect(m_filterBar, &MessageFilterBar::filterChanged, this, &DlqMessagesView::applyFilter);
    connect(m_triageView, &QTreeView::clicked, this, [this](const QModelIndex &index) {
        if (const auto group = m_triage->groupAt(index))
            m_filterBar->setTriageGroup(group->first, group->second,
                                        m_triage->keptValues(group->first));
    });
    connect(exportButton, &QPushButton::clicked, this, &DlqMessagesView::exportSelection);
    connect(copyButton, &QPushButton::clicked, this, [this] {
        int unloaded = 0;
        const BrowsedMessageList messages = selectedMessages(&unloaded);
        QApplication::clipboard()->setText(QString::fromUtf8(messagesToJsonLines(messages)));
        m_status->setText(u"Copied %1 message(s) as JSON lines%2"_s.arg(
            count(messages.size()),
            unloaded ? u" (%1 selected row(s) not loaded yet are not in it)"_s.arg(unloaded)
                     : QString()));
    });
    connect(m_detail, &MessageDetailView::loadAllRequested, this,
            &DlqMessagesView::wholeMessageRequested);
    connectWorker();
}

DlqMessagesView::~DlqMessagesView()
{
    m_worker->cancel();
    m_thread->quit();
    m_thread->wait();
}

void DlqMessagesView::connectWorker()
{
    m_worker->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread->start();

    connect(this, &DlqMessagesView::openRequested, m_worker, &DlqBrowseSession::open);
    connect(this, &DlqMessagesView::pageRequested, m_worker, &DlqBrowseSession::readKafkaPage);
    connect(this, &DlqMessagesView::scanRequested, m_worker, &DlqBrowseSession::scanKafka);
    connect(this, &DlqMessagesView::timeRequested, m_worker, &DlqBrowseSession::findKafkaTime);
    connect(this, &DlqMessagesView::tailRequested, m_worker, &DlqBrowseSession::tailKafka);
    connect(this, &DlqMessagesView::refreshRequested, m_worker, &DlqBrowseSession::refreshKafka);
    connect(this, &DlqMessagesView::browseRequested, m_worker, &DlqBrowseSession::browseRabbit);
    connect(this, &DlqMessagesView::wholeMessageRequested, m_worker, &DlqBrowseSession::loadWhole);
    connect(m_model, &DeadLetterTableModel::pageNeeded, this, &DlqMessagesView::pageRequested);

    // Answers for a DLQ the view has left are dropped.
    const auto current = [this](const QString &source) { return source == currentSource(); };
    connect(m_worker, &DlqBrowseSession::kafkaOpened, this,
            [this, current](const QString &source, const QList<KafkaPartitionExtent> &extents) {
                if (!current(source))
                    return;
                const bool first = !m_opened;
                m_opened = true;
                m_extents = extents;
                if (first)
                    m_model->showExtents(extents);
                else if (m_model->isPaged())
                    m_model->updateExtents(extents); // keeps selection and scroll
                // A filtered table or a tail keeps showing what it shows.
                updateStatus();
                // A small DLT is rescanned as it grows; a big one when the operator asks.
                if (first || totalMessages() <= m_scanLimit->value())
                    scanKafka();
                Q_EMIT contentsShown();
            });
    connect(m_worker, &DlqBrowseSession::kafkaPageAvailable, this,
            [this, current](const QString &source, int partition, qint64 firstOffset,
                            const BrowsedMessageList &messages) {
                if (current(source))
                    m_model->addPage(partition, firstOffset, messages);
            });
    connect(m_worker, &DlqBrowseSession::kafkaPageFailed, this,
            [this, current](const QString &source, int partition, qint64 firstOffset) {
                if (current(source))
                    m_model->pageFailed(partition, firstOffset);
            });
    connect(m_worker, &DlqBrowseSession::scanProgress, this,
            [this, current](const QString &source, qint64 done, qint64 total) {
                if (!current(source))
                    return;
                m_progress->setRange(0, int(std::max<qint64>(1, total)));
                m_progress->setValue(int(done));
            });
    connect(m_worker, &DlqBrowseSession::scanAvailable, this,
            [this, current](const QString &source, const BrowsedMessageList &messages) {
                if (!current(source))
                    return;
                const qint64 total = totalMessages();
                takeScan(messages,
                         messages.size() < total
                             ? u"the newest %1 of %2 messages"_s.arg(count(messages.size()),
                                                                     count(total))
                             : u"all %1 messages"_s.arg(count(messages.size())));
            });
    connect(m_worker, &DlqBrowseSession::kafkaTimeFound, this,
            [this, current](const QString &source, int partition, qint64 offset) {
                if (current(source))
                    selectRow(m_model->rowOf(partition, offset));
            });
    connect(m_worker, &DlqBrowseSession::tailStarted, this, [this, current](const QString &source) {
        if (current(source))
            Q_EMIT tailStarted();
    });
    connect(m_worker, &DlqBrowseSession::tailAvailable, this,
            [this, current](const QString &source, const BrowsedMessageList &messages) {
                if (!current(source) || !m_tailing)
                    return;
                m_model->appendMessages(messages);
                // A tail left on for hours keeps the newest, not everything.
                if (m_model->unfilteredCount() > TailKept)
                    m_model->showMessages(
                        m_model->allMessages().mid(m_model->unfilteredCount() - TailKept / 2));
                m_table->scrollToBottom();
                updateStatus();
            });
    connect(m_worker, &DlqBrowseSession::rabbitBrowsed, this,
            [this, current](const QString &source, const RabbitBrowseResult &result) {
                if (!current(source))
                    return;
                m_browse->setEnabled(true);
                QStringList notice;
                if (result.markedRedelivered)
                    notice << u"Read %1 message(s) and put every one back: RabbitMQ now marks them "
                              "redelivered."_s.arg(count(result.returned));
                if (result.queue.deliveryLimit) {
                    QString limit = u"Quorum queue with delivery-limit %1 (%2): every browse "
                                    "raises each message's delivery count"_s.arg(
                                        QString::number(*result.queue.deliveryLimit),
                                        result.queue.deliveryLimitSource.toHtmlEscaped());
                    if (result.highestDeliveryCount >= 0)
                        limit += u"; highest count now "_s
                            + QString::number(result.highestDeliveryCount + 1);
                    notice << limit + u'.';
                }
                if (!result.safetyNote.isEmpty())
                    notice << u"<b>"_s + result.safetyNote.toHtmlEscaped() + u"</b>"_s;
                m_notice->setText(notice.join(u"<br>"_s));
                m_notice->setStyleSheet(result.stoppedForSafety ? u"QLabel { color: #b00020; }"_s
                                                                : QString());
                m_notice->show();
                takeScan(result.messages,
                         u"%1 message(s) from position %2"_s.arg(count(result.messages.size()))
                             .arg(m_position->value()));
            });
    connect(m_worker, &DlqBrowseSession::wholeMessageAvailable, this,
            [this, current](const QString &source, const BrowsedMessage &message) {
                if (current(source))
                    m_detail->setMessage(message);
            });
    connect(m_worker, &DlqBrowseSession::failed, this,
            [this, current](const QString &source, const QString &what, const QString &error) {
                if (current(source))
                    showFailure(what, error);
            });
}

QWidget *DlqMessagesView::buildKafkaControls()
{
    auto *box = new QWidget(this);
    m_partition = new QSpinBox(box);
    m_partition->setObjectName(u"dlqPartition"_s);
    m_partition->setPrefix(u"partition "_s);
    m_offset = new QLineEdit(box);
    m_offset->setObjectName(u"dlqOffset"_s);
    m_offset->setPlaceholderText(u"offset"_s);
    m_offset->setMaximumWidth(120);
    auto *goOffset = button(u"Go"_s, u"dlqGoOffset"_s, box);
    m_time = new QDateTimeEdit(QDateTime::currentDateTime().addSecs(-600), box);
    m_time->setObjectName(u"dlqTime"_s);
    m_time->setDisplayFormat(u"yyyy-MM-dd HH:mm:ss"_s);
    m_time->setCalendarPopup(true);
    auto *goTime = button(u"Go to time"_s, u"dlqGoTime"_s, box);
    m_tail = button(u"Tail live"_s, u"dlqTail"_s, box);
    m_tail->setCheckable(true);
    m_tail->setToolTip(u"Show messages as they arrive"_s);
    m_scanLimit = new QSpinBox(box);
    m_scanLimit->setObjectName(u"dlqScanLimit"_s);
    m_scanLimit->setRange(100, 1000000);
    m_scanLimit->setSingleStep(10000);
    m_scanLimit->setValue(DlqBrowseSession::DefaultScanLimit);
    m_scanLimit->setPrefix(u"triage "_s);
    m_scanLimit->setToolTip(u"How many of the newest messages the triage panel and the filters "
                            "cover"_s);
    auto *rescan = button(u"Rescan"_s, u"dlqRescan"_s, box);
    rescan->setToolTip(u"Read the newest messages again for the triage panel and filters"_s);

    auto *layout = new QHBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_partition);
    layout->addWidget(m_offset);
    layout->addWidget(goOffset);
    layout->addSpacing(12);
    layout->addWidget(m_time);
    layout->addWidget(goTime);
    layout->addSpacing(12);
    layout->addWidget(m_tail);
    layout->addStretch(1);
    layout->addWidget(m_scanLimit);
    layout->addWidget(rescan);

    connect(goOffset, &QPushButton::clicked, this, &DlqMessagesView::jumpToOffset);
    connect(m_offset, &QLineEdit::returnPressed, this, &DlqMessagesView::jumpToOffset);
    connect(goTime, &QPushButton::clicked, this, [this] { jumpToTime(m_time->dateTime()); });
    connect(rescan, &QPushButton::clicked, this, &DlqMessagesView::scanKafka);
    connect(m_tail, &QPushButton::toggled, this, [this](bool on) {
        m_tailing = on;
        Q_EMIT tailRequested(on);
        if (on)
            m_model->showMessages({});
        else
            Q_EMIT refreshRequested(); // back to the whole topic, with what arrived meanwhile
        updateStatus();
    });
    return box;
}

QWidget *DlqMessagesView::buildRabbitControls()
{
    auto *box = new QWidget(this);
    m_position = new QSpinBox(box);
    m_position->setObjectName(u"dlqPosition"_s);
    m_position->setRange(0, std::numeric_limits<int>::max());
    m_position->setPrefix(u"from position "_s);
    m_limit = new QSpinBox(box);
    m_limit->setObjectName(u"dlqLimit"_s);
    m_limit->setRange(1, 100000);
    m_limit->setValue(1000);
    m_limit->setPrefix(u"up to "_s);
    m_limit->setSuffix(u" messages"_s);
    m_insist = new QCheckBox(u"Browse past the delivery-limit margin"_s, box);
    m_insist->setObjectName(u"dlqInsist"_s);
    m_insist->setToolTip(u"Quorum queues: reading raises x-delivery-count; near the limit a "
                         "read can dead-letter (or drop) a message"_s);
    m_browse = button(u"Browse"_s, u"dlqBrowse"_s, box);
    m_browse->setToolTip(u"Reads the messages with manual acks and puts every one back"_s);

    auto *layout = new QHBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_position);
    layout->addWidget(m_limit);
    layout->addWidget(m_browse);
    layout->addWidget(m_insist);
    layout->addStretch(1);
    connect(m_browse, &QPushButton::clicked, this, &DlqMessagesView::browseRabbit);
    return box;
}

void DlqMessagesView::open(const ClusterProfile &profile, const DlqInfo &info)
{
    m_worker->cancel();
    m_profile = profile;
    m_source = info.source;
    m_info = info;
    m_extents.clear();
    m_scan.clear();
    m_counter.clear();
    m_triage->setCounts(m_counter);
    m_filterBar->clear();
    m_model->clear();
    m_detail->clear();
    m_scanScope.clear();
    m_tailing = false;
    {
        const QSignalBlocker quiet(m_tail); // the old DLQ's tail ends with close()
        m_tail->setChecked(false);
    }
    m_progress->hide();

    const bool kafka = info.source.kind == ClusterKind::Kafka;
    m_opened = false;
    m_title->setText(titleText());
    m_controls->setCurrentIndex(kafka ? 0 : 1);
    m_controls->show();
    if (kafka) {
        m_notice->hide();
        m_partition->setRange(0, std::max(0, info.partitions - 1));
        m_status->setText(u"Opening…"_s);
    } else {
        QString notice
            = u"Browsing a %1 queue reads its messages with manual acks and puts "
              "every one back; RabbitMQ then marks them redelivered."_s.arg(info.queueType);
        if (info.deliveryLimit)
            notice += u" <b>Delivery-limit %1:</b> each browse raises every read message's "
                      "delivery count, and a message past the limit is dead-lettered. Browsing "
                      "stops before a message gets near it unless you insist."_s.arg(
                          *info.deliveryLimit);
        if (info.queueType == u"stream")
            notice = u"Streams are read by offset: browsing changes nothing."_s;
        m_notice->setText(notice);
        m_notice->setStyleSheet(QString());
        m_notice->show();
        m_status->setText(u"Press Browse to read the queue."_s);
    }
    m_insist->setChecked(false);
    m_insist->setVisible(info.deliveryLimit.has_value());
    // The core refuses it too; greyed out here so nobody has to find that out.
    m_insist->setEnabled(!profile.readOnly);
    m_insist->setToolTip(profile.readOnly
                             ? u"%1 is read-only: browsing past the delivery-limit margin can "
                               "dead-letter messages"_s.arg(profile.name)
                             : u"Quorum queues: reading raises x-delivery-count; near the limit "
                               "a read can dead-letter (or drop) a message"_s);
    m_browse->setEnabled(true);
    m_redrive->setEnabled(true);
    m_redrive->setToolTip(
        profile.readOnly
            ? u"%1 is read-only: you can preview a redrive, not run one"_s.arg(profile.name)
            : u"Move dead letters back where they came from, or elsewhere: "
              "preview, pace, confirm"_s);
    enableMutation(m_purge, profile, true,
                   u"Empty this DLQ for good, after a count and a confirmation"_s);
    updateRedriveActions();
    Q_EMIT openRequested(profile, info.source);
}

qint64 DlqMessagesView::totalMessages() const
{
    qint64 total = 0;
    for (const KafkaPartitionExtent &e : m_extents)
        total += std::max<qint64>(0, e.count());
    return total;
}

void DlqMessagesView::takeListing(const DlqInfo &info)
{
    if (info.source != m_source)
        return;
    const bool grew = info.depth != m_info.depth;
    m_info = info;
    m_title->setText(titleText());
    // Kafka: follow the topic as it fills; RabbitMQ: a browse is the operator's call.
    if (grew && m_opened && m_source.kind == ClusterKind::Kafka && !m_tailing)
        Q_EMIT refreshRequested();
}

QString DlqMessagesView::titleText() const
{
    return u"<b>%1</b> &nbsp; %2 · %3"_s.arg(
        m_info.source.name.toHtmlEscaped(), m_info.source.cluster.toHtmlEscaped(),
        m_info.depth >= 0 ? count(m_info.depth) + u" message(s)"_s : u"depth unknown"_s);
}

void DlqMessagesView::browseRabbit()
{
    if (m_source.kind != ClusterKind::RabbitMq || m_source.name.isEmpty())
        return;
    RabbitBrowseOptions options;
    options.offset = m_position->value();
    options.limit = m_limit->value();
    options.insist = m_insist->isChecked();
    m_browse->setEnabled(false);
    m_status->setText(u"Browsing…"_s);
    Q_EMIT browseRequested(options);
}

void DlqMessagesView::scanKafka()
{
    if (m_source.kind != ClusterKind::Kafka || m_source.name.isEmpty())
        return;
    m_progress->setValue(0);
    m_progress->show();
    Q_EMIT scanRequested(m_scanLimit->value());
}

void DlqMessagesView::takeScan(const BrowsedMessageList &messages, const QString &scope)
{
    m_progress->hide();
    m_scan = messages;
    m_scanScope = scope;
    m_counter.clear();
    for (const BrowsedMessage &message : messages)
        m_counter.add(message.deadLetter);
    m_triage->setCounts(m_counter);
    m_triageView->expandAll();
    // A RabbitMQ browse is the table; a Kafka scan is the table only while it is filtered.
    if (m_source.kind == ClusterKind::RabbitMq || (!m_model->isPaged() && !m_tailing))
        m_model->showMessages(messages);
    applyFilter();
    updateStatus();
    Q_EMIT contentsShown();
}

void DlqMessagesView::applyFilter()
{
    const MessageFilter filter = m_filterBar->filter();
    if (m_source.kind == ClusterKind::Kafka && !m_tailing) {
        // The whole topic pages lazily; a filter needs the messages, so it works on the scan.
        if (filter.isEmpty()) {
            if (!m_model->isPaged())
                m_model->showExtents(m_extents);
        } else {
            if (m_model->isPaged())
                m_model->showMessages(m_scan);
            m_model->setFilter(filter);
        }
    } else {
        m_model->setFilter(filter);
    }
    updateStatus();
}

void DlqMessagesView::updateStatus()
{
    const MessageFilter filter = m_model->filter();
    QString text;
    if (m_tailing)
        text = u"Tailing: %1 new message(s)"_s.arg(count(m_model->unfilteredCount()));
    else if (m_model->isPaged())
        text = u"%1 message(s) in %2 partition(s), read a page at a time. Triage: %3."_s.arg(
            count(m_model->rowCount()), QString::number(m_extents.size()),
            m_scanScope.isEmpty() ? u"scanning…"_s : m_scanScope);
    else if (!m_scanScope.isEmpty())
        text = u"%1 shown of %2 (%3)."_s.arg(count(m_model->rowCount()),
                                             count(m_model->unfilteredCount()), m_scanScope);
    if (!m_model->isPaged() && !m_model->filter().isEmpty())
        text += u" Filter: "_s + m_model->filter().describe() + u'.';
    m_status->setText(text);
}

void DlqMessagesView::showSelected()
{
    const int row = m_table->currentIndex().row();
    const BrowsedMessage *message = row >= 0 ? m_model->messageAt(row) : nullptr;
    if (message)
        m_detail->setMessage(*message);
    else
        m_detail->clear();
}

void DlqMessagesView::jumpToOffset()
{
    bool ok = false;
    const qint64 offset = m_offset->text().trimmed().toLongLong(&ok);
    if (!ok) {
        showFailure(u"jump"_s, u"the offset must be a whole number"_s);
        return;
    }
    if (!m_model->isPaged()) {
        m_tail->setChecked(false);
        m_filterBar->clear();
        applyFilter();
    }
    const int row = m_model->rowOf(m_partition->value(), offset);
    if (row < 0) {
        showFailure(
            u"jump"_s,
            u"partition %1 has no offset %2 (see the partition's range)"_s.arg(m_partition->value())
                .arg(offset));
        return;
    }
    selectRow(row);
}

void DlqMessagesView::jumpToTime(const QDateTime &time)
{
    if (m_source.kind != ClusterKind::Kafka)
        return;
    if (!m_model->isPaged()) {
        m_tail->setChecked(false);
        m_filterBar->clear();
        applyFilter();
    }
    Q_EMIT timeRequested(time.toUTC());
}

void DlqMessagesView::setTailing(bool on)
{
    m_tail->setChecked(on);
}

void DlqMessagesView::selectRow(int row)
{
    if (row < 0)
        return;
    const QModelIndex index = m_model->index(row, 0);
    m_table->setCurrentIndex(index);
    m_table->scrollTo(index, QAbstractItemView::PositionAtCenter);
}

void DlqMessagesView::showFailure(const QString &what, const QString &error)
{
    m_progress->hide();
    if (m_browse)
        m_browse->setEnabled(true);
    m_status->setText(u"Could not %1: %2"_s.arg(what, error));
}

BrowsedMessageList DlqMessagesView::selectedMessages(int *unloaded) const
{
    BrowsedMessageList messages;
    *unloaded = 0;
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    for (const QModelIndex &index : rows) {
        if (const BrowsedMessage *message = m_model->loadedMessageAt(index.row()))
            messages.append(*message);
        else
            ++*unloaded;
    }
    return messages;
}

void DlqMessagesView::exportSelection()
{
    int unloaded = 0;
    const BrowsedMessageList messages = selectedMessages(&unloaded);
    if (messages.isEmpty()) {
        m_status->setText(u"Select the messages to export first."_s);
        return;
    }
    const QString path = QFileDialog::getSaveFileName(
        this, u"Export messages"_s, m_source.name + u".jsonl"_s, u"JSON lines (*.jsonl)"_s);
    if (path.isEmpty())
        return;
    QFile file(path);
    QString error;
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        error = file.errorString();
    else if (!writeJsonLines(file, messages, &error) && error.isEmpty())
        error = file.errorString();
    if (!error.isEmpty()) {
        showFailure(u"export to "_s + path, error);
        return;
    }
    m_status->setText(u"Exported %1 message(s) to %2%3"_s.arg(
        count(messages.size()), path,
        unloaded ? u" (%1 selected row(s) were still loading and are not in it)"_s.arg(unloaded)
                 : QString()));
}

void DlqMessagesView::purge()
{
    if (m_source.name.isEmpty())
        return;
    const ClusterProfile profile = m_profile;
    const DlqSource source = m_source;
    const auto openPurge = [profile]() -> Result<std::unique_ptr<DlqPurge>> {
        return std::make_unique<DlqPurge>(profile, std::chrono::seconds(10));
    };
    const auto finish = [this](const QString &text, bool purged) {
        enableMutation(m_purge, m_profile, true, m_purge->toolTip());
        m_status->setText(text);
        Q_EMIT purgeFinished(purged);
    };
    m_purge->setEnabled(false);
    m_status->setText(u"Counting what a purge would remove…"_s);
    // The count first (a dry run, audited): the question says exactly what goes.
    runWithClient<DlqPurge, PurgeOutcome>(
        this, openPurge, [source](DlqPurge &p) { return p.run(source, true); },
        [=, this](const Result<PurgeOutcome> &counted) {
            if (!counted)
                return finish(u"Could not count: "_s + counted.error().describe(), false);
            const QString question
                = u"Purge %1 message(s) from %2 for good?\n\nThey cannot be redriven or "
                  "recovered afterwards.%3 The purge is recorded in the audit log."_s
                      .arg(counted->messages)
                      .arg(source.toString(),
                           source.kind == ClusterKind::RabbitMq
                               ? u" Messages delivered to a consumer and not yet acknowledged "
                                 "stay."_s
                               : QString());
            if (counted->messages == 0)
                return finish(u"Nothing to purge: %1 is empty."_s.arg(source.toString()), false);
            if (!m_confirmer(question))
                return finish(u"Purge cancelled; nothing removed."_s, false);
            m_status->setText(u"Purging…"_s);
            runWithClient<DlqPurge, PurgeOutcome>(
                this, openPurge, [source](DlqPurge &p) { return p.run(source, false); },
                [=](const Result<PurgeOutcome> &done) {
                    if (!done)
                        return finish(u"Could not purge: "_s + done.error().describe(), false);
                    finish(u"Purged %1 message(s) from %2."_s.arg(done->messages)
                               .arg(source.toString()),
                           true);
                });
        });
}

void DlqMessagesView::updateRedriveActions()
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    const bool open = !m_source.name.isEmpty();
    m_redriveSelected->setEnabled(open && !rows.isEmpty());
    // A read-only profile could only preview the repaired message: nothing to repair for.
    const BrowsedMessage *one
        = rows.size() == 1 ? m_model->loadedMessageAt(rows.first().row()) : nullptr;
    m_repair->setEnabled(open && !m_profile.readOnly && one && one->maskedFields == 0);
}

RedriveDialog *DlqMessagesView::openRedrive(RedriveDialog::Selection selection)
{
    if (m_source.name.isEmpty())
        return nullptr;
    int unloaded = 0;
    RedriveScope scope;
    for (const BrowsedMessage &message : selectedMessages(&unloaded))
        scope.selectedIds.append(message.id);
    scope.filter = m_model->filter();
    scope.depth = m_info.depth;
    // Each dialog keeps its own profile and source: it may outlive this view's DLQ.
    auto *dialog = new RedriveDialog(m_profile, m_source, scope, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setSelection(selection);
    connect(dialog, &RedriveDialog::redriveFinished, this, &DlqMessagesView::takeRedriveReport);
    m_redriveDialog = dialog;
    dialog->show();
    return dialog;
}

void DlqMessagesView::openRepair()
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    const BrowsedMessage *message
        = rows.size() == 1 ? m_model->loadedMessageAt(rows.first().row()) : nullptr;
    if (!message) {
        m_status->setText(u"Select one loaded message to repair."_s);
        return;
    }
    // Republishing a masked copy would put "****" where the data was.
    if (message->maskedFields > 0) {
        m_status->setText(u"This message has %1 masked field(s) (the profile's masking): "
                          "repairing it would publish the masks. Redrive it unchanged, or "
                          "repair it from a profile without masking."_s.arg(message->maskedFields));
        return;
    }
    auto *repair = new RepairDialog(*message, m_source.kind, this);
    repair->setAttribute(Qt::WA_DeleteOnClose);
    connect(repair, &QDialog::accepted, this, [this, repair] {
        if (RedriveDialog *dialog = openRedrive(RedriveDialog::Selection::Selected))
            dialog->setRepair(repair->message().id, repair->repair());
    });
    m_repairDialog = repair;
    repair->open();
}

void DlqMessagesView::takeRedriveReport(const RedriveReport &report)
{
    if (report.source != m_source)
        return;
    QString text
        = u"Redrive %1: %2."_s.arg(redriveReportOutcomeName(report.outcome), report.summary());
    if (m_source.kind == ClusterKind::Kafka)
        Q_EMIT refreshRequested();
    else
        text += u" Browse again to see what is left."_s;
    m_status->setText(text);
}

} // namespace veltrix
