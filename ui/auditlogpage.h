#pragma once

#include <QWidget>

class QFileSystemWatcher;
class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QTableView;

namespace veltrix {

class AuditLogModel;

// The audit log, readable in the console: every change (and every dry run) the console
// and veltrixctl made, newest first, with a filter. Read on a worker thread; reread when
// the file grows.
class AuditLogPage : public QWidget
{
    Q_OBJECT
public:
    explicit AuditLogPage(QString path, QWidget *parent = nullptr);

    void reload();
    const QString &path() const { return m_path; }
    AuditLogModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    QLabel *statusLabel() const { return m_status; }

Q_SIGNALS:
    void loaded();

private:
    QString m_path;
    AuditLogModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_table;
    QLineEdit *m_filter;
    QLabel *m_status;
    QFileSystemWatcher *m_watcher;
    bool m_loading = false;
    bool m_reloadAgain = false;
};

} // namespace veltrix
