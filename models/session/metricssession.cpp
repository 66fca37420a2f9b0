#include "metricssession.h"

#include "metrics/metricfeeder.h"
#include "metrics/metricstore.h"
#include "metrics/probe.h"
#include "rabbitmq/managementclient.h"
#include "rabbitmq/queuerates.h"

#include <QDateTime>
#include <QTimer>

#include <algorithm>

namespace veltrix {

using namespace std::chrono_literals;
using namespace Qt::StringLiterals;

namespace {

double nowSeconds()
{
    return double(QDateTime::currentMSecsSinceEpoch()) / 1000.0;
}

} // namespace

MetricsSession::MetricsSession(ClusterProfile profile, std::shared_ptr<MetricStore> store,
                               QObject *parent)
    : QObject(parent)
    , m_profile(std::move(profile))
    , m_store(std::move(store))
{ }

MetricsSession::~MetricsSession() = default;

bool MetricsSession::wanted(const ClusterProfile &profile)
{
    return profile.probe.enabled
        || (profile.kind == ClusterKind::RabbitMq && !profile.managementUrl.isEmpty());
}

void MetricsSession::start()
{
    if (m_profile.probe.enabled) {
        m_feeder = std::make_unique<ProbeSeriesFeeder>(m_store, m_profile.name);
        m_probeTimer = new QTimer(this);
        m_probeTimer->setSingleShot(true);
        connect(m_probeTimer, &QTimer::timeout, this, &MetricsSession::stepProbe);
        m_probeTimer->start(0);
    }
    if (m_profile.kind == ClusterKind::RabbitMq && !m_profile.managementUrl.isEmpty()) {
        m_ratesTimer = new QTimer(this);
        m_ratesTimer->setSingleShot(true);
        connect(m_ratesTimer, &QTimer::timeout, this, &MetricsSession::pollQueueRates);
        m_ratesTimer->start(0);
    }
}

void MetricsSession::stop()
{
    if (m_probeTimer)
        m_probeTimer->stop();
    if (m_ratesTimer)
        m_ratesTimer->stop();
    m_probe.reset();
    m_management.reset();
}

void MetricsSession::stepProbe()
{
    if (!m_probe) {
        auto opened = openProbe(m_profile, m_profile.probe);
        if (!opened) {
            // Back off up to a minute: a cluster that is down is already in the status bar.
            m_reopenDelay = std::clamp(m_reopenDelay * 2, std::chrono::milliseconds(2s),
                                       std::chrono::milliseconds(60s));
            reportProblem(u"probes: "_s + opened.error().describe());
            m_probeTimer->start(m_reopenDelay);
            return;
        }
        m_probe = std::move(opened).value();
        m_reopenDelay = 0ms;
    }
    ProbeTick tick;
    const auto stepped = m_probe->step(StepBudget, true, tick);
    m_feeder->feed(tick, nowSeconds());
    if (!tick.outcomes.isEmpty())
        Q_EMIT probeOutcomes(m_profile.name, tick);
    if (!stepped) {
        m_probe.reset();
        reportProblem(u"probes: "_s + stepped.error().describe());
        m_probeTimer->start(2s);
        return;
    }
    reportProblem({});
    m_probeTimer->start(0); // step() itself waited; the event loop still runs in between
}

void MetricsSession::pollQueueRates()
{
    if (!m_management) {
        auto client = ManagementClient::forProfile(
            m_profile, 5s, u"add \"management\" to the profile for the dashboard's queue rates"_s);
        if (!client) {
            reportProblem(u"queue rates: "_s + client.error().describe());
            return; // a profile the management client refuses will not get better
        }
        m_management = std::move(client).value();
    }
    const auto rates = fetchQueueRates(*m_management);
    if (rates) {
        feedQueueRates(*m_store, m_profile.name, rates.value(), nowSeconds());
        feedQueueRetries(*m_store, m_profile.name, rates.value(), nowSeconds());
    } else
        reportProblem(u"queue rates: "_s + rates.error().describe());
    m_ratesTimer->start(QueueRatesInterval);
}

void MetricsSession::reportProblem(const QString &problem)
{
    if (problem == m_problem)
        return;
    m_problem = problem;
    Q_EMIT problemChanged(m_profile.name, problem);
}

} // namespace veltrix
