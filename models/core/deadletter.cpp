#include "deadletter.h"

namespace veltrix {

QString deadLetterConventionName(DeadLetterConvention convention)
{
    // Stable identifiers: the CLI's JSON and saved filters carry them.
    switch (convention) {
    case DeadLetterConvention::None:
        return QStringLiteral("none");
    case DeadLetterConvention::RabbitXDeath:
        return QStringLiteral("x-death");
    case DeadLetterConvention::SpringBlocking:
        return QStringLiteral("spring-dlt");
    case DeadLetterConvention::SpringRetryable:
        return QStringLiteral("spring-retryable");
    case DeadLetterConvention::KafkaConnect:
        return QStringLiteral("kafka-connect");
    }
    return QStringLiteral("none");
}

} // namespace veltrix
