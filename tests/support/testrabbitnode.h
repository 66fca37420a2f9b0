#pragma once

#include "rabbitmq/localrabbitnode.h"

#include <QString>

#include <optional>

namespace veltrix {

// The private RabbitMQ node that the CTest fixture (tests/fixtures/rabbitmq_test_node) started:
// read from the node.json named by VELTRIX_TEST_RABBITMQ_NODE. Without a running node, returns
// nullopt and says why in *whyNot, for QFAIL: integration tests fail, never skip.
std::optional<LocalRabbitNodeInfo> testRabbitNodeFromEnvironment(QString *whyNot);

} // namespace veltrix
