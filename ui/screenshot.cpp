#include "screenshot.h"

#include "session/sessionmanager.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QPixmap>
#include <QSet>
#include <QTimer>
#include <QWidget>

#include <cstdio>
#include <memory>

namespace veltrix {

void renderWhenReady(QWidget *widget, SessionManager *sessions, const QString &path,
                     std::chrono::milliseconds timeout, std::chrono::milliseconds notBefore)
{
    auto done = std::make_shared<bool>(false);
    auto clock = std::make_shared<QElapsedTimer>();
    clock->start();
    auto shoot = [widget, path, done, clock, notBefore](bool timedOut) {
        if (*done)
            return;
        *done = true;
        // Let queued snapshots and layout settle before painting, and keep running until
        // notBefore (lag verdicts need a window of polls).
        const qint64 wait = std::max<qint64>(300, notBefore.count() - clock->elapsed());
        QTimer::singleShot(wait, widget, [widget, path, timedOut] {
            const bool saved = widget->grab().save(path, "PNG");
            std::fprintf(stderr, "veltrix-console: %s %s%s\n", saved ? "wrote" : "could not write",
                         qPrintable(path), timedOut ? " (timed out waiting for the clusters)" : "");
            QApplication::exit(saved ? 0 : 1);
        });
    };
    // A Kafka cluster's first lag poll (snapshot or failure) comes after its first
    // outcome and can take a second or more: wait for it too, so the picture shows lag.
    auto lagPending = std::make_shared<QSet<QString>>();
    for (const ClusterProfile &profile : sessions->profiles())
        if (profile.kind == ClusterKind::Kafka)
            lagPending->insert(profile.name);
    auto shootWhenReady = [sessions, lagPending, shoot] {
        if (sessions->allReported() && lagPending->isEmpty())
            shoot(false);
    };
    shootWhenReady();
    QObject::connect(sessions, &SessionManager::allSessionsReported, widget, shootWhenReady);
    QObject::connect(sessions, &SessionManager::lagSnapshotAvailable, widget,
                     [lagPending, shootWhenReady](const LagSnapshot &snapshot) {
                         lagPending->remove(snapshot.cluster);
                         shootWhenReady();
                     });
    // A cluster that cannot be reached has nothing to show but its error, which the
    // window already has: do not wait for its lag poll to time out as well.
    QObject::connect(sessions, &SessionManager::statusChanged, widget,
                     [lagPending, shootWhenReady](const ConnectionStatus &status) {
                         if (status.state != ConnectionStatus::State::Failed)
                             return;
                         lagPending->remove(status.clusterName);
                         shootWhenReady();
                     });
    QObject::connect(sessions, &SessionManager::lagPollFailed, widget,
                     [lagPending, shootWhenReady](const QString &cluster) {
                         lagPending->remove(cluster);
                         shootWhenReady();
                     });
    QTimer::singleShot(std::max(timeout, notBefore), widget, [shoot] { shoot(true); });
}

} // namespace veltrix
