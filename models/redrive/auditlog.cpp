#include "auditlog.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QStandardPaths>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <pwd.h>
#include <unistd.h>

namespace veltrix {

using namespace Qt::StringLiterals;

AuditLog::AuditLog(QString path)
    : m_path(std::move(path))
{ }

QString AuditLog::defaultPath()
{
    const QString overridden = qEnvironmentVariable("VELTRIX_AUDIT_LOG");
    if (!overridden.isEmpty())
        return overridden;
    // GenericDataLocation honours XDG_DATA_HOME; the app name differs between the console
    // and veltrixctl, and both must write the same log.
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation)
        + u"/veltrix/audit.jsonl"_s;
}

QString AuditLog::currentUser()
{
    if (const passwd *entry = ::getpwuid(::getuid()); entry && entry->pw_name)
        return QString::fromLocal8Bit(entry->pw_name);
    return qEnvironmentVariable("USER", u"uid %1"_s.arg(::getuid()));
}

Result<bool> AuditLog::append(QJsonObject record) const
{
    auto fail = [this](const QString &why) {
        return BrokerError::make(BrokerError::Kind::Configuration,
                                 u"cannot write the audit log %1: %2"_s.arg(m_path, why),
                                 u"make the directory writable or set VELTRIX_AUDIT_LOG"_s);
    };
    if (!record.contains(u"time"_s))
        record.insert(u"time"_s, QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs));
    if (!record.contains(u"user"_s))
        record.insert(u"user"_s, currentUser());
    const QString directory = QFileInfo(m_path).absolutePath();
    if (!QDir().mkpath(directory))
        return fail(u"cannot create %1"_s.arg(directory));
    const QByteArray line = QJsonDocument(record).toJson(QJsonDocument::Compact) + '\n';
    const int fd = ::open(QFile::encodeName(m_path).constData(),
                          O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return fail(QString::fromLocal8Bit(std::strerror(errno)));
    const ssize_t written = ::write(fd, line.constData(), size_t(line.size()));
    const int writeErrno = errno;
    const bool synced = ::fsync(fd) == 0;
    ::close(fd);
    if (written != ssize_t(line.size()))
        return fail(written < 0 ? QString::fromLocal8Bit(std::strerror(writeErrno))
                                : u"short write"_s);
    if (!synced)
        return fail(u"fsync failed"_s);
    return true;
}

} // namespace veltrix
