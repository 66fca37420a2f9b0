#pragma once

#include "demosettings.h"
#include "demoworkload.h"

#include <QString>

#include <memory>
#include <vector>

class QThread;

namespace veltrix::demo {

struct RabbitWorkloadState; // counters, the stop flag and the live connections

// The shop's RabbitMQ traffic in vhost "shop" (declareShopTopology() first): a publisher
// of order/payment/shipping events, consumers that fail like production ones, and a
// pricing request-response pair. Every thread owns its AmqpConnection and reconnects with
// backoff when the broker goes away. Failures take the broker's real paths:
//  - orders.process: poison → reject(requeue=false), the broker dead-letters ("rejected");
//    transient → reject(requeue=true) once, then processed on redelivery.
//  - payments.process (quorum): poison → reject(requeue=true) every time until the
//    delivery-limit dead-letters it ("delivery_limit"); transient as above.
//  - shipping.process: nobody consumes; messages expire by TTL ("expired").
//  - pricing.rpc: a server replies to reply-to with the correlation id; a client calls it
//    every 200 ms over direct reply-to and measures the round trip.
//
// stats(): produced/published (confirmed by the broker), processed, retried (requeued),
// rejected (every basic.reject), dead_lettered (rejects that we know make the broker
// dead-letter; expiries are the broker's alone), expiring (shipping events published,
// each bound to expire), rpc_requests, rpc_replies, rpc_timeouts, rpc_p50_ms, rpc_p99_ms,
// reconnects, errors, last_error.
class RabbitWorkload : public DemoWorkload
{
public:
    // The RabbitMQ share of DemoSettings::messagesPerSecond (the rest is Kafka's).
    static constexpr double RabbitShare = 0.4;
    // Must match ShopTopologyOptions::paymentsDeliveryLimit, to count dead letters.
    RabbitWorkload(QString amqpUriForVhostShop, DemoSettings settings,
                   int paymentsDeliveryLimit = 3);
    ~RabbitWorkload() override;
    RabbitWorkload(const RabbitWorkload &) = delete;
    RabbitWorkload &operator=(const RabbitWorkload &) = delete;

    // Connects once to say at once when the URI, credentials or vhost are wrong; then
    // starts the threads.
    Result<bool> start() override;
    // Returns within a few seconds even when the broker hangs: threads that do not finish
    // in time get their sockets shut down.
    void stop() override;
    QJsonObject stats() const override;

private:
    QString m_uri;
    DemoSettings m_settings;
    int m_paymentsDeliveryLimit;
    std::shared_ptr<RabbitWorkloadState> m_state; // shared with the threads
    std::vector<std::unique_ptr<QThread>> m_threads;
};

} // namespace veltrix::demo
