#include "auditlogmodel.h"

#include <QJsonDocument>

#include <algorithm>

namespace veltrix {

using namespace Qt::StringLiterals;

void AuditLogModel::setEntries(const QList<AuditEntry> &oldestFirst)
{
    beginResetModel();
    m_entries = oldestFirst;
    std::reverse(m_entries.begin(), m_entries.end());
    endResetModel();
}

int AuditLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

int AuditLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AuditLogModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_entries.size())
        return {};
    const AuditEntry &e = m_entries.at(index.row());
    if (role == Qt::DisplayRole || role == Qt::ToolTipRole) {
        switch (index.column()) {
        case Time:
            return e.time.isValid() ? e.time.toLocalTime().toString(u"yyyy-MM-dd HH:mm:ss"_s)
                                    : u"?"_s;
        case User:
            return e.user;
        case Profile:
            return e.profile;
        case Action:
            return e.action;
        case Outcome:
            return e.outcome;
        case Subject:
            return e.subject;
        case Details: {
            QJsonObject rest = e.record;
            for (const QString &key :
                 {u"time"_s, u"user"_s, u"profile"_s, u"action"_s, u"event"_s, u"outcome"_s})
                rest.remove(key);
            const QByteArray text = QJsonDocument(rest).toJson(
                role == Qt::ToolTipRole ? QJsonDocument::Indented : QJsonDocument::Compact);
            return QString::fromUtf8(role == Qt::DisplayRole ? text.left(400) : text.left(8000));
        }
        default:
            break;
        }
    }
    return {};
}

QVariant AuditLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const QStringList names = {u"Time"_s,    u"User"_s,    u"Profile"_s, u"Action"_s,
                                      u"Outcome"_s, u"Subject"_s, u"Details"_s};
    return names.value(section);
}

} // namespace veltrix
