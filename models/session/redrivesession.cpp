#include "redrivesession.h"

#include "redrive/redriveengine.h"

#include <QThread>

namespace veltrix {

RedriveSession::RedriveSession(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<RedriveProgress>();
    qRegisterMetaType<RedriveReport>();
    qRegisterMetaType<RedriveRequest>();
}

RedriveSession::~RedriveSession()
{
    if (!m_thread)
        return;
    m_control->cancel();
    m_thread->wait();
    delete m_thread;
}

bool RedriveSession::start(const ClusterProfile &profile, const RedriveRequest &request)
{
    if (m_thread)
        return false;
    m_request = request;
    m_lastProgress = {};
    m_control = std::make_shared<RedriveControl>();
    auto control = m_control;
    // The worker posts to the session, which outlives it: the destructor joins it first,
    // and calls still queued die with their receiver.
    m_thread = QThread::create([this, profile, request, control] {
        const RedriveEngine engine(profile);
        const RedriveReport report
            = engine.run(request, *control, [this](const RedriveProgress &progress) {
                  QMetaObject::invokeMethod(
                      this,
                      [this, progress] {
                          m_lastProgress = progress;
                          Q_EMIT progressChanged(progress);
                      },
                      Qt::QueuedConnection);
              });
        QMetaObject::invokeMethod(
            this, [this, report] { takeReport(report); }, Qt::QueuedConnection);
    });
    m_thread->setObjectName(QStringLiteral("redrive"));
    m_thread->start();
    return true;
}

void RedriveSession::takeReport(const RedriveReport &report)
{
    // The worker posted this as its last act: joining is a matter of microseconds.
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
    Q_EMIT finished(report);
}

void RedriveSession::setPaused(bool paused)
{
    if (m_control)
        m_control->setPaused(paused);
}

void RedriveSession::cancel()
{
    if (m_control && m_thread)
        m_control->cancel();
}

void RedriveSession::setRate(double perSecond)
{
    if (m_control)
        m_control->setRate(perSecond);
}

} // namespace veltrix
