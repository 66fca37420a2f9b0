#pragma once

#include "core/result.h"

#include <QString>

#include <memory>

namespace prometheus {
class Exposer;
}

namespace veltrix {

class ExporterMetrics;

// GET /metrics over HTTP (prometheus-cpp's civetweb exposer) for an ExporterMetrics.
class MetricsEndpoint
{
public:
    // `address` is "host:port" ("127.0.0.1:9464"; port 0 picks a free one). An error in
    // words when it cannot listen there.
    static Result<std::unique_ptr<MetricsEndpoint>>
    listen(const QString &address, std::shared_ptr<ExporterMetrics> metrics);
    ~MetricsEndpoint();
    int port() const;

private:
    MetricsEndpoint() = default;
    std::shared_ptr<ExporterMetrics> m_metrics;
    std::unique_ptr<prometheus::Exposer> m_exposer;
};

} // namespace veltrix
