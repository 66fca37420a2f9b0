#include "auditlogpage.h"

#include "items/auditlogmodel.h"

#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace veltrix {

using namespace Qt::StringLiterals;

AuditLogPage::AuditLogPage(QString path, QWidget *parent)
    : QWidget(parent)
    , m_path(std::move(path))
    , m_model(new AuditLogModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_table(new QTableView(this))
    , m_filter(new QLineEdit(this))
    , m_status(new QLabel(this))
    , m_watcher(new QFileSystemWatcher(this))
{
    m_proxy->setSourceModel(m_model);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_table->setModel(m_proxy);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->verticalHeader()->hide();
    m_table->setWordWrap(false);
    m_table->horizontalHeader()->setStretchLastSection(true);
    for (int column : {AuditLogModel::Time, AuditLogModel::User, AuditLogModel::Profile,
                       AuditLogModel::Action, AuditLogModel::Outcome})
        m_table->horizontalHeader()->setSectionResizeMode(column, QHeaderView::ResizeToContents);
    m_table->setColumnWidth(AuditLogModel::Subject, 260);
    m_filter->setPlaceholderText(u"Filter: a profile, an action, a queue, a user, an outcome…"_s);
    m_filter->setClearButtonEnabled(true);
    connect(m_filter, &QLineEdit::textChanged, m_proxy,
            &QSortFilterProxyModel::setFilterFixedString);

    auto *refresh = new QPushButton(u"Reload"_s, this);
    connect(refresh, &QPushButton::clicked, this, &AuditLogPage::reload);
    auto *where = new QLabel(u"Append-only log of every change and dry run (console and "
                             "veltrixctl): <tt>%1</tt>"_s.arg(m_path.toHtmlEscaped()),
                             this);
    where->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *top = new QHBoxLayout;
    top->addWidget(m_filter, 1);
    top->addWidget(refresh);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(where);
    layout->addLayout(top);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_status);

    // The log grows while the console runs (its own changes, veltrixctl beside it).
    const QString folder = QFileInfo(m_path).absolutePath();
    if (QFileInfo::exists(folder))
        m_watcher->addPath(folder);
    if (QFileInfo::exists(m_path))
        m_watcher->addPath(m_path);
    connect(m_watcher, &QFileSystemWatcher::fileChanged, this, &AuditLogPage::reload);
    connect(m_watcher, &QFileSystemWatcher::directoryChanged, this, [this] {
        if (QFileInfo::exists(m_path) && !m_watcher->files().contains(m_path))
            m_watcher->addPath(m_path);
        reload();
    });
    reload();
}

void AuditLogPage::reload()
{
    if (m_loading) { // one read at a time; the latest change is read after it
        m_reloadAgain = true;
        return;
    }
    m_loading = true;
    auto *watcher = new QFutureWatcher<Result<AuditTail>>(this);
    connect(watcher, &QFutureWatcher<Result<AuditTail>>::finished, this, [this, watcher] {
        const Result<AuditTail> tail = watcher->result();
        watcher->deleteLater();
        m_loading = false;
        if (!tail) {
            m_status->setText(tail.error().describe());
        } else {
            m_model->setEntries(tail->entries);
            QString text = u"%1 entr%2"_s.arg(tail->entries.size())
                               .arg(tail->entries.size() == 1 ? u"y"_s : u"ies"_s);
            if (tail->truncated)
                text += u" (the newest part of the log)"_s;
            if (tail->unreadableLines)
                text += u"; %1 unreadable line(s) skipped"_s.arg(tail->unreadableLines);
            m_status->setText(text);
        }
        Q_EMIT loaded();
        if (std::exchange(m_reloadAgain, false))
            reload();
    });
    watcher->setFuture(QtConcurrent::run([path = m_path] { return readAuditTail(path); }));
}

} // namespace veltrix
