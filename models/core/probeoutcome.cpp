#include "probeoutcome.h"

namespace veltrix {

using namespace Qt::StringLiterals;

QString probeKindName(ProbeKind kind)
{
    switch (kind) {
    case ProbeKind::KafkaEndToEnd:
        return u"kafka_e2e"_s;
    case ProbeKind::RabbitPublishConsume:
        return u"publish_consume"_s;
    case ProbeKind::RabbitPublishConfirm:
        return u"publish_confirm"_s;
    case ProbeKind::RabbitRequestReply:
        return u"request_reply"_s;
    }
    return u"unknown"_s;
}

QString probeKindTitle(ProbeKind kind)
{
    switch (kind) {
    case ProbeKind::KafkaEndToEnd:
        return u"Kafka end-to-end"_s;
    case ProbeKind::RabbitPublishConsume:
        return u"publish→consume"_s;
    case ProbeKind::RabbitPublishConfirm:
        return u"publish→confirm"_s;
    case ProbeKind::RabbitRequestReply:
        return u"request→reply"_s;
    }
    return u"unknown"_s;
}

} // namespace veltrix
