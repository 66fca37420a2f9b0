#include "auditfollower.h"

#include "auditreader.h"

#include <QFile>
#include <QFileInfo>

namespace veltrix {

AuditFollower::AuditFollower(QString path)
    : m_path(std::move(path))
    , m_offset(QFileInfo(m_path).size())
{ }

QList<QJsonObject> AuditFollower::readNew()
{
    QFile file(m_path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    if (file.size() < m_offset) { // replaced or truncated: start over at its beginning
        m_offset = 0;
        m_partial.clear();
    }
    file.seek(m_offset);
    QByteArray bytes = m_partial + file.read(4 * 1024 * 1024);
    m_offset = file.pos();
    const qsizetype end = bytes.lastIndexOf('\n');
    m_partial = bytes.mid(end + 1);
    bytes.truncate(end + 1);
    return parseAuditLines(bytes);
}

} // namespace veltrix
