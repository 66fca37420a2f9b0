#pragma once

#include <QString>

#include <chrono>

namespace veltrix {

// A profile's end-to-end probes (profile field "probe"; opt-in). The console runs them
// while the profile is open; veltrixctl probe runs them once.
struct ProbeSettings
{
    bool enabled = false;
    // Kafka: the probe topic (created with one partition per broker when missing, on
    // brokers that allow it); RabbitMQ: unused (probes use temporary exclusive queues).
    QString topic = QStringLiteral("veltrix-probe");
    // Probes per second: Kafka, rounds of one probe to every partition; RabbitMQ, per kind.
    double rate = 1.0;
    // A probe not back within this counts against availability (and is dropped if it
    // comes later).
    std::chrono::milliseconds deadline {5000};

    bool operator==(const ProbeSettings &) const = default;
};

} // namespace veltrix
