#pragma once

// The redrive benchmark's halves; each prints its figures with emitFigure("redrive", ...)
// and fails with bench::fail("redrive", why).
namespace veltrix::bench {

// Our RabbitMQ redrive vs RabbitMQ's own shovel "move messages", on one private node.
void benchRabbitRedrive(int messages);
// Our Kafka redrive vs a plain librdkafka consume -> produce loop, on the mock cluster.
void benchKafkaRedrive(int messages);

} // namespace veltrix::bench
