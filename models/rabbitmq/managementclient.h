#pragma once

#include "core/clusterprofile.h"
#include "core/result.h"

#include <QJsonDocument>
#include <QJsonObject>
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

    // The client a RabbitMQ profile describes: its management URL with the AMQP URI's user
    // and password. A Configuration error when the profile has no management URL;
    // `missingUrlHint` says what the caller needs the API for and how to add it.
    static Result<std::unique_ptr<ManagementClient>> forProfile(const ClusterProfile &profile,
                                                                std::chrono::milliseconds timeout,
                                                                const QString &missingUrlHint);

    // path like "/api/overview"; query items already encoded in it.
    Result<QJsonDocument> get(const QString &path);
    // Creates or replaces (vhosts, permissions, policies, ...). The broker answers 201 or 204
    // with no body: the document is then empty. Errors carry the broker's reason.
    Result<QJsonDocument> put(const QString &path, const QJsonObject &body);
    // Creates one of many (bindings: POST /api/bindings/...).
    Result<QJsonDocument> post(const QString &path, const QJsonObject &body);
    // HTTP DELETE: true when something was deleted, false when there was nothing (404).
    Result<bool> remove(const QString &path);

    // One path segment percent-encoded for the API: vhost "/" is "%2F", "a b" is "a%20b".
    static QString encodeSegment(const QString &segment);

    const QUrl &baseUrl() const { return m_baseUrl; }
    // HTTPS trust: the profile's CA, client certificate and verification, as for AMQPS.
    void setTls(TlsSettings tls, QString keyPassphrase = {});

private:
    Result<QJsonDocument> send(const QByteArray &verb, const QString &path, const QByteArray &body,
                               int *httpStatus = nullptr);

    QString m_clusterName;
    QUrl m_baseUrl;
    QString m_user;
    QString m_password;
    std::chrono::milliseconds m_timeout;
    TlsSettings m_tls;
    QString m_keyPassphrase;
    std::unique_ptr<QNetworkAccessManager> m_network;
};

} // namespace veltrix
