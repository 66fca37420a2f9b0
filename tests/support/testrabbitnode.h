#pragma once

#include "rabbitmq/localrabbitnode.h"

#include <QString>

#include <optional>

namespace veltrix {

// The private RabbitMQ node that the CTest fixture (tests/fixtures/rabbitmq_test_node) started:
// read from the node.json named by VELTRIX_TEST_RABBITMQ_NODE. Without a running node, returns
// nullopt and says why in *whyNot, for QFAIL: integration tests fail, never skip.
std::optional<LocalRabbitNodeInfo> testRabbitNodeFromEnvironment(QString *whyNot);

// A fresh, empty vhost on the node, full permissions for guest (an earlier run's copy is
// deleted first), ready for AMQP logins when this returns. Tests that own a vhost never
// collide with others sharing the node.
Result<bool> freshTestVhost(const LocalRabbitNodeInfo &node, const QString &vhost);
Result<bool> deleteTestVhost(const LocalRabbitNodeInfo &node, const QString &vhost);
// The node's AMQP URI for that vhost.
QString testAmqpUri(const LocalRabbitNodeInfo &node, const QString &vhost);
// A user (password = its name unless given) tagged "management" with full permissions on
// this vhost only: the management API shows it that vhost alone, so tests that read
// node-wide lists do not see what other tests on the shared node are doing. Replaced when
// it exists.
Result<bool> scopedTestUser(const LocalRabbitNodeInfo &node, const QString &vhost,
                            const QString &user, const QString &password = {},
                            const QString &tags = QStringLiteral("management"));
// The node's AMQP URI for that vhost as that user.
QString testAmqpUri(const LocalRabbitNodeInfo &node, const QString &vhost, const QString &user);

} // namespace veltrix
