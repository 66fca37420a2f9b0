#include "rabbittopology.h"

#include "demosettings.h"
#include "rabbitmq/amqpconnection.h"
#include "rabbitmq/amqpendpoint.h"
#include "rabbitmq/managementclient.h"

#include <QThread>

namespace veltrix::demo {

namespace {

using Kind = BrokerError::Kind;

struct QueueSpec
{
    QString name;
    bool quorum = false;
};

struct BindingSpec
{
    QString exchange;
    QString bindingKey;
    QString queue;
};

QString policyPath(const QString &name)
{
    return QStringLiteral("/api/policies/%1/%2")
        .arg(ManagementClient::encodeSegment(names::Vhost), ManagementClient::encodeSegment(name));
}

// A vhost that the API has just created may take a moment to start on the node, and
// AMQP logins to it fail until it has.
Result<std::unique_ptr<AmqpConnection>> openShopVhost(const AmqpEndpoint &endpoint)
{
    AmqpEndpoint shop = endpoint;
    shop.vhost = names::Vhost;
    for (int attempt = 0;; ++attempt) {
        auto connection
            = AmqpConnection::open(QStringLiteral("demo"), shop, std::chrono::seconds(5));
        if (connection || connection.error().kind != Kind::VhostMissing || attempt == 25)
            return connection;
        QThread::msleep(200);
    }
}

} // namespace

QJsonObject ShopPolicy::toJson() const
{
    return {{QStringLiteral("pattern"), pattern},
            {QStringLiteral("apply-to"), applyTo},
            {QStringLiteral("priority"), priority},
            {QStringLiteral("definition"), definition}};
}

QList<ShopPolicy> shopPolicies(const ShopTopologyOptions &options)
{
    const QString dlx = QStringLiteral("dead-letter-exchange");
    return {
        // Rejected orders (requeue=false) go to shop.dlx, keeping their routing key.
        {QStringLiteral("shop-dead-letter"),
         QStringLiteral("^(orders|shipping)\\.process$"),
         QStringLiteral("queues"),
         0,
         {{dlx, names::DeadLetterExchange}}},
        // Matches shipping.process too and wins on priority, so it has to repeat the
        // dead-letter exchange: policies do not merge.
        {QStringLiteral("shop-shipping-ttl"),
         QStringLiteral("^shipping\\.process$"),
         QStringLiteral("queues"),
         10,
         {{dlx, names::DeadLetterExchange},
          {QStringLiteral("message-ttl"), options.shippingMessageTtlMs}}},
        // A quorum queue counts redeliveries; past the limit the broker dead-letters with
        // reason delivery_limit.
        {QStringLiteral("shop-payments-quorum"),
         QStringLiteral("^payments\\.process$"),
         QStringLiteral("queues"),
         0,
         {{dlx, names::DeadLetterExchange},
          {QStringLiteral("delivery-limit"), options.paymentsDeliveryLimit}}},
    };
}

Result<bool> declareShopTopology(ManagementClient &api, const AmqpEndpoint &endpoint,
                                 const ShopTopologyOptions &options)
{
    const QString vhost = ManagementClient::encodeSegment(names::Vhost);
    if (auto ok = api.put(QStringLiteral("/api/vhosts/%1").arg(vhost),
                          {{QStringLiteral("description"),
                            QStringLiteral("Veltrix demo: an e-commerce event mesh")},
                           {QStringLiteral("tags"), QStringLiteral("veltrix-demo")}});
        !ok)
        return ok.error();
    const QJsonObject everything {{QStringLiteral("configure"), QStringLiteral(".*")},
                                  {QStringLiteral("write"), QStringLiteral(".*")},
                                  {QStringLiteral("read"), QStringLiteral(".*")}};
    if (auto ok = api.put(QStringLiteral("/api/permissions/%1/%2")
                              .arg(vhost, ManagementClient::encodeSegment(endpoint.user)),
                          everything);
        !ok)
        return ok.error();
    // Policies before queues: no message ever sits in a queue without its dead-lettering.
    for (const ShopPolicy &policy : shopPolicies(options)) {
        if (auto ok = api.put(policyPath(policy.name), policy.toJson()); !ok)
            return ok.error();
    }

    auto opened = openShopVhost(endpoint);
    if (!opened)
        return opened.error();
    AmqpConnection &amqp = *opened.value();
    const QString topic = QStringLiteral("topic");
    for (const QString &exchange : {names::ShopExchange, names::DeadLetterExchange}) {
        if (auto ok = amqp.declareExchange(exchange, topic, true); !ok)
            return ok.error();
    }
    const QueueSpec queues[] = {
        {names::OrdersQueue},     {names::PaymentsQueue, true}, {names::ShippingQueue},
        {names::OrdersDlq},       {names::PaymentsDlq},         {names::ShippingDlq},
        {names::PricingRpcQueue},
    };
    for (const QueueSpec &queue : queues) {
        QVariantMap arguments;
        // The queue type is the one setting a policy cannot give.
        if (queue.quorum)
            arguments.insert(QStringLiteral("x-queue-type"), QStringLiteral("quorum"));
        if (auto ok = amqp.declareQueue(queue.name, true, arguments); !ok)
            return ok.error();
    }
    const BindingSpec bindings[] = {
        {names::ShopExchange, QStringLiteral("order.*"), names::OrdersQueue},
        {names::ShopExchange, QStringLiteral("payment.*"), names::PaymentsQueue},
        {names::ShopExchange, QStringLiteral("shipping.*"), names::ShippingQueue},
        // Dead letters keep their routing key, so the DLX sorts them like the work exchange.
        {names::DeadLetterExchange, QStringLiteral("order.#"), names::OrdersDlq},
        {names::DeadLetterExchange, QStringLiteral("payment.#"), names::PaymentsDlq},
        {names::DeadLetterExchange, QStringLiteral("shipping.#"), names::ShippingDlq},
    };
    for (const BindingSpec &binding : bindings) {
        if (auto ok = amqp.bindQueue(binding.queue, binding.exchange, binding.bindingKey); !ok)
            return ok.error();
    }
    return true;
}

} // namespace veltrix::demo
