#include "redriveproducersettings.h"

namespace veltrix {

using namespace Qt::StringLiterals;

namespace {

bool acksAll(const QString &acks)
{
    return acks == u"all" || acks == u"-1";
}

} // namespace

QStringList RedriveProducerSettings::errors() const
{
    QStringList out;
    if (!acksAll(acks) && acks != u"1" && acks != u"0")
        out << u"acks must be \"all\", \"1\" or \"0\", not \"%1\""_s.arg(acks);
    if (maxInFlight < 1 || maxInFlight > 1000000)
        out << u"max.in.flight.requests.per.connection must be at least 1"_s;
    if (retries < 0)
        out << u"retries must not be negative"_s;
    if (retryBackoffMs < 1 || retryBackoffMs > 300000)
        out << u"retry.backoff.ms must be 1 to 300000"_s;
    if (deliveryTimeoutMs && (*deliveryTimeoutMs < 1000 || *deliveryTimeoutMs > 86400000))
        out << u"delivery.timeout.ms must be 1000 to 86400000"_s;
    if (idempotence) {
        if (!acksAll(acks))
            out << u"enable.idempotence needs acks \"all\""_s;
        if (maxInFlight > 5)
            out << u"enable.idempotence allows at most 5 requests in flight per connection"_s;
        if (retries == 0)
            out << u"enable.idempotence needs retries above 0"_s;
    }
    return out;
}

QStringList RedriveProducerSettings::warnings() const
{
    QStringList out;
    if (acks == u"0")
        out << u"acks 0: nothing is confirmed, so messages can be lost and the run reports "
               "them as moved"_s;
    else if (acks == u"1")
        out << u"acks 1: a leader that fails before its followers copied a message loses it "
               "after the run counted it as moved"_s;
    if (!idempotence && retries > 0 && maxInFlight > 1)
        out << u"retries without idempotence and more than one request in flight: a retried "
               "batch can land after a later one, so messages can be reordered"_s;
    if (!idempotence && retries > 0)
        out << u"retries without idempotence: a retry after a lost acknowledgement writes the "
               "message twice"_s;
    if (retries == 0)
        out << u"retries 0: a passing broker error fails the message; it stays in the DLT and "
               "the run reports it"_s;
    return out;
}

QMap<QString, QString> RedriveProducerSettings::properties() const
{
    QMap<QString, QString> out {
        {u"acks"_s, acks},
        {u"enable.idempotence"_s, idempotence ? u"true"_s : u"false"_s},
        {u"max.in.flight.requests.per.connection"_s, QString::number(maxInFlight)},
        {u"retries"_s, QString::number(retries)},
        {u"retry.backoff.ms"_s, QString::number(retryBackoffMs)}};
    if (deliveryTimeoutMs)
        out.insert(u"delivery.timeout.ms"_s, QString::number(*deliveryTimeoutMs));
    return out;
}

} // namespace veltrix
