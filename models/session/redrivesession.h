#pragma once

#include "core/clusterprofile.h"
#include "redrive/redrivepacer.h"
#include "redrive/redrivereport.h"
#include "redrive/redriverequest.h"

#include <QObject>

#include <memory>

class QThread;

namespace veltrix {

// One redrive (or preview) at a time for the console: RedriveEngine::run on a thread of its
// own, so the GUI thread never waits on a broker. Progress and the report arrive as queued
// signals on the thread the session lives in; by the time finished() is emitted the
// worker thread has ended and isRunning() is false, so a handler may start the next run.
class RedriveSession : public QObject
{
    Q_OBJECT
public:
    explicit RedriveSession(QObject *parent = nullptr);
    // A run still going is cancelled and waited for: nothing is left half-moved.
    ~RedriveSession() override;

    // False (and nothing starts) while a run is going. request.dryRun makes it a preview.
    bool start(const veltrix::ClusterProfile &profile, const veltrix::RedriveRequest &request);
    bool isRunning() const { return m_thread != nullptr; }
    // The request of the run going, or of the last one.
    const RedriveRequest &request() const { return m_request; }
    const RedriveProgress &lastProgress() const { return m_lastProgress; }

public Q_SLOTS:
    void setPaused(bool paused);
    void cancel();
    // Messages per second from now on; 0: unlimited.
    void setRate(double perSecond);

Q_SIGNALS:
    void progressChanged(const veltrix::RedriveProgress &progress);
    void finished(const veltrix::RedriveReport &report);

private:
    void takeReport(const RedriveReport &report);

    QThread *m_thread = nullptr;
    // A fresh one per run, so a cancelled run never leaves the next one cancelled.
    std::shared_ptr<RedriveControl> m_control;
    RedriveRequest m_request;
    RedriveProgress m_lastProgress;
};

} // namespace veltrix
