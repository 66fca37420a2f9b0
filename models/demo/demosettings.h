#pragma once

#include <QString>
#include <QStringList>

namespace veltrix::demo {

// The e-commerce event mesh the demo runs. Names are fixed: the profiles file, the
// tests and the README refer to them.
namespace names {
// Kafka
inline const QString OrdersTopic = QStringLiteral("orders");
inline const QString PaymentsTopic = QStringLiteral("payments");
inline const QString InventoryTopic = QStringLiteral("inventory");
inline const QString OrdersRetry0
    = QStringLiteral("orders-retry-0"); // @RetryableTopic, 1 s backoff
inline const QString OrdersRetry1 = QStringLiteral("orders-retry-1"); // 2 s backoff
inline const QString OrdersDlt = QStringLiteral("orders-dlt"); // kafka_original-* headers
inline const QString PaymentsDlt
    = QStringLiteral("payments-dlt"); // kafka_dlt-* (blocking recoverer)
inline const QString InventoryDlt = QStringLiteral("inventory-dlt"); // __connect.errors.*
inline const QString RetryPoliciesTopic = QStringLiteral("veltrix.retry-policies");
inline const QString OrderServiceGroup = QStringLiteral("order-service");
// Spring suffixes a @RetryableTopic listener's group id with the retry topic's suffix.
inline const QString OrderServiceRetry0Group = QStringLiteral("order-service-retry-0");
inline const QString OrderServiceRetry1Group = QStringLiteral("order-service-retry-1");
inline const QString PaymentServiceGroup = QStringLiteral("payment-service");
inline const QString InventorySinkGroup = QStringLiteral("inventory-sink");
inline const QString AnalyticsGroup = QStringLiteral("analytics"); // the slow one
inline const QString FraudCheckGroup = QStringLiteral("fraud-check"); // died: STOP
inline const QString AuditLogTopic = QStringLiteral("audit-log");
// The console's end-to-end probe topic (the profile default), one partition per broker.
inline const QString ProbeTopic = QStringLiteral("veltrix-probe");
inline const QString AuditArchiverGroup = QStringLiteral("audit-archiver"); // OUT_OF_RANGE
// RabbitMQ (all in vhost "shop")
inline const QString Vhost = QStringLiteral("shop");
inline const QString ShopExchange = QStringLiteral("shop"); // topic
inline const QString DeadLetterExchange = QStringLiteral("shop.dlx"); // topic
inline const QString OrdersQueue = QStringLiteral("orders.process"); // classic
inline const QString PaymentsQueue = QStringLiteral("payments.process"); // quorum, delivery-limit
inline const QString ShippingQueue = QStringLiteral("shipping.process"); // classic, message-ttl
inline const QString OrdersDlq = QStringLiteral("orders.dlq");
inline const QString PaymentsDlq = QStringLiteral("payments.dlq");
inline const QString ShippingDlq = QStringLiteral("shipping.dlq");
inline const QString PricingRpcQueue = QStringLiteral("pricing.rpc"); // request-response
} // namespace names

struct DemoSettings
{
    double messagesPerSecond = 200; // overall, across Kafka and RabbitMQ
    double poisonShare = 0.02; // always fail: end in a DLT / DLQ
    double transientShare = 0.05; // fail once or twice, then succeed after retries
    int slowGroupWaveSeconds = 60; // analytics: lag grows and recovers in waves
    unsigned randomSeed = 0; // 0: from the clock
};

} // namespace veltrix::demo
