#pragma once

#include <QObject>

class QSocketNotifier;

// Turns SIGINT and SIGTERM into a Qt signal on the main thread (self-pipe), so the
// demo stops its workloads and broker processes in order instead of dying mid-write.
class StopSignals : public QObject
{
    Q_OBJECT
public:
    explicit StopSignals(QObject *parent = nullptr);
    ~StopSignals() override;

    // The signal that asked to stop, 0 if none yet. Start-up runs nested event loops, so a
    // request can arrive before anyone is connected to stopRequested: check this too.
    int requested() const { return m_requested; }

Q_SIGNALS:
    void stopRequested(int signal);

private:
    static void handle(int signal);
    QSocketNotifier *m_notifier = nullptr;
    int m_requested = 0;
};
