#pragma once

#include "core/result.h"

#include <QJsonObject>
#include <QList>
#include <QString>

namespace veltrix {
class ManagementClient;
struct AmqpEndpoint;
} // namespace veltrix

namespace veltrix::demo {

struct ShopTopologyOptions
{
    int shippingMessageTtlMs = 10000; // nobody consumes shipping.process: messages expire
    int paymentsDeliveryLimit = 3; // quorum queue: dead-letter after this many returns
};

// One policy as the management API takes it (PUT /api/policies/shop/<name>) and gives it
// back (GET /api/policies/shop).
struct ShopPolicy
{
    QString name;
    QString pattern;
    QString applyTo;
    int priority = 0;
    QJsonObject definition;

    QJsonObject toJson() const; // the PUT body: pattern, apply-to, priority, definition
};

// The policies that route the shop's rejected, expired and over-delivered messages to
// shop.dlx. Only one policy applies to a queue (the highest priority that matches), so a
// queue that needs dead-lettering and a TTL gets one policy carrying both keys.
QList<ShopPolicy> shopPolicies(const ShopTopologyOptions &options = {});

// Declares the demo shop in vhost "shop" on the broker behind `api`, and nothing outside
// it: the vhost, the AMQP user's permissions there, the policies, exchanges "shop" and
// "shop.dlx" (topic), the work queues (payments.process is a quorum queue), the DLQs,
// pricing.rpc and the bindings. `endpoint` gives host, port and credentials; its vhost is
// ignored. Idempotent: run it again on a broker that has the shop and nothing changes.
// Blocking, bounded by the client's and the AMQP timeout; fails with what went wrong
// (e.g. a payments.process of another type left from an older demo).
Result<bool> declareShopTopology(ManagementClient &api, const AmqpEndpoint &endpoint,
                                 const ShopTopologyOptions &options = {});

} // namespace veltrix::demo
