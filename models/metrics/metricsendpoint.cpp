#include "metricsendpoint.h"

#include "exportermetrics.h"

#include <prometheus/exposer.h>

namespace veltrix {

using namespace Qt::StringLiterals;

Result<std::unique_ptr<MetricsEndpoint>>
MetricsEndpoint::listen(const QString &address, std::shared_ptr<ExporterMetrics> metrics)
{
    const qsizetype colon = address.lastIndexOf(u':');
    bool portOk = false;
    const int port = colon > 0 ? address.mid(colon + 1).toInt(&portOk) : -1;
    if (!portOk || port < 0 || port > 65535)
        return BrokerError::make(BrokerError::Kind::Configuration,
                                 u"\"%1\" is not host:port, like 127.0.0.1:9464"_s.arg(address));
    std::unique_ptr<MetricsEndpoint> endpoint(new MetricsEndpoint);
    endpoint->m_metrics = std::move(metrics);
    try {
        // civetweb takes "host:port"; one thread serves scrapes, which are cheap.
        endpoint->m_exposer = std::make_unique<prometheus::Exposer>(address.toStdString(), 1);
    } catch (const std::exception &e) {
        return BrokerError::make(
            BrokerError::Kind::Configuration,
            u"cannot listen on %1 for /metrics: %2"_s.arg(address, QString::fromUtf8(e.what())),
            u"is the port in use? Pick another port"_s);
    }
    endpoint->m_exposer->RegisterCollectable(endpoint->m_metrics);
    return endpoint;
}

MetricsEndpoint::~MetricsEndpoint() = default;

int MetricsEndpoint::port() const
{
    const std::vector<int> ports = m_exposer->GetListeningPorts();
    return ports.empty() ? 0 : ports.front();
}

} // namespace veltrix
