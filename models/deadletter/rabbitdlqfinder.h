#pragma once

#include "core/deadletterqueue.h"
#include "core/result.h"

#include <QJsonArray>

namespace veltrix {

class ManagementClient;

// Which queues of a RabbitMQ cluster are dead-letter queues: those bound to an exchange
// that some queue argument or policy names as its dead-letter exchange (or named by a
// dead-letter routing key through the default exchange), plus those whose name matches
// one of `patterns`. Pure: takes the management API's /api/queues, /api/policies and
// /api/bindings answers.
QList<DlqInfo> findRabbitDlqs(const QString &clusterName, const QJsonArray &queues,
                              const QJsonArray &policies, const QJsonArray &bindings,
                              const QStringList &patterns);

// The same, fetching the three lists (one request each).
Result<QList<DlqInfo>> fetchRabbitDlqs(ManagementClient &management, const QString &clusterName,
                                       const QStringList &patterns);

} // namespace veltrix
