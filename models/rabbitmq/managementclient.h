#pragma once

#include "core/result.h"

#include <QJsonDocument>
#include <QUrl>

#include <chrono>
#include <memory>

class QNetworkAccessManager;

namespace veltrix {

// Blocking client for RabbitMQ's management HTTP API, for worker threads: each call
// runs a local event loop until the reply or the timeout. Create and use it on one
// thread (its QNetworkAccessManager belongs to the thread that made it).
class ManagementClient
{
public:
    ManagementClient(QString clusterName, QUrl baseUrl, QString user, QString password,
                     std::chrono::milliseconds timeout);
    ~ManagementClient();

    // path like "/api/overview"; query items already encoded in it.
    Result<QJsonDocument> get(const QString &path);

    const QUrl &baseUrl() const { return m_baseUrl; }

private:
    QString m_clusterName;
    QUrl m_baseUrl;
    QString m_user;
    QString m_password;
    std::chrono::milliseconds m_timeout;
    std::unique_ptr<QNetworkAccessManager> m_network;
};

} // namespace veltrix
