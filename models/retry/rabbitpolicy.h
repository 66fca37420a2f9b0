#pragma once

#include "core/result.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace veltrix {

// One RabbitMQ policy (or operator policy) as the management API gives and takes it.
struct RabbitPolicy
{
    QString vhost;
    QString name;
    QString pattern; // a regular expression on queue/exchange names
    QString applyTo = QStringLiteral("queues"); // "queues", "exchanges", "all"
    int priority = 0;
    QJsonObject definition;

    // Whether RabbitMQ would consider it for this queue (before priorities decide).
    bool appliesToQueue(const QString &queue) const;
    // The PUT /api/policies/<vhost>/<name> body.
    QJsonObject toApiBody() const;
    bool operator==(const RabbitPolicy &) const = default;
};

// The answer of GET /api/policies/<vhost> (or /api/operator-policies/<vhost>). Anything
// but an array of policy objects is an error in words.
Result<QList<RabbitPolicy>> parsePolicies(const QJsonDocument &answer);

// The policy RabbitMQ applies to a queue among these: the highest priority that matches
// (RabbitMQ leaves ties unspecified; here the name sorting first wins, and plans warn
// about ties); nullptr when none.
const RabbitPolicy *winningPolicy(const QList<RabbitPolicy> &policies, const QString &queue);

// An AMQP topic binding key against a routing key: "*" one word, "#" zero or more.
bool topicMatches(const QString &bindingKey, const QString &routingKey);

} // namespace veltrix
