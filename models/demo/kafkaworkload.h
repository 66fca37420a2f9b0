#pragma once

#include "core/clusterprofile.h"
#include "demosettings.h"
#include "demoworkload.h"

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace veltrix::demo {

class RetryPolicyBook;

// The Kafka half of the demo's e-commerce traffic. Topics must exist already (the
// orchestrator creates them on the mock cluster). Threads, each owning its handles:
//  - producer: JSON order/payment/inventory events (50/30/20), evenly paced, a fixed share
//    marked "fail": "poison" / "transient" so every consumer fails the same records;
//  - order-service (@RetryableTopic): orders → orders-retry-0 (1 s) → orders-retry-1 (2 s)
//    → orders-dlt, one consumer group per topic as Spring names them;
//  - payment-service (blocking DefaultErrorHandler, 3 attempts 200 ms apart) → payments-dlt;
//    it and inventory-sink follow their policies in veltrix.retry-policies live (the demo
//    publishes the built-in ones at start; a policy-watcher thread reads the topic);
//  - inventory-sink (Kafka Connect, errors.tolerance=all) → inventory-dlt;
//  - analytics: reads orders slowly, then quickly, in waves, so its lag grows and drains.
class KafkaWorkload : public DemoWorkload
{
public:
    // The Kafka side's share of DemoSettings::messagesPerSecond; RabbitMQ takes the rest.
    static constexpr double KafkaShare = 0.6;

    KafkaWorkload(ClusterProfile profile, DemoSettings settings);
    ~KafkaWorkload() override;
    KafkaWorkload(const KafkaWorkload &) = delete;
    KafkaWorkload &operator=(const KafkaWorkload &) = delete;

    Result<bool> start() override;
    void stop() override;
    // {"produced", "processed", "retried", "dead_lettered", "errors", "last_error",
    //  "dead_lettered_by_topic": {"orders-dlt": n, ...}, "analytics_processed",
    //  "analytics_rate" (msg/s over the last second), "target_rate" (msg/s),
    //  "retry_policies": {"<group>": max_attempts in force}}
    QJsonObject stats() const override;

    struct Counters; // shared with the worker threads

private:
    ClusterProfile m_profile;
    DemoSettings m_settings;
    std::unique_ptr<Counters> m_counters;
    std::unique_ptr<RetryPolicyBook> m_policies;
    std::vector<std::thread> m_threads;
    std::atomic<bool> m_stopping = false;
    std::mutex m_wakeMutex;
    std::condition_variable m_wake;
};

} // namespace veltrix::demo
