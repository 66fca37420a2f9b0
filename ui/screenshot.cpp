#include "screenshot.h"

#include "session/sessionmanager.h"

#include <QApplication>
#include <QPixmap>
#include <QTimer>
#include <QWidget>

#include <cstdio>
#include <memory>

namespace veltrix {

void renderWhenReady(QWidget *widget, SessionManager *sessions, const QString &path,
                     std::chrono::milliseconds timeout)
{
    auto done = std::make_shared<bool>(false);
    auto shoot = [widget, path, done](bool timedOut) {
        if (*done)
            return;
        *done = true;
        // Let queued snapshots and layout settle before painting.
        QTimer::singleShot(300, widget, [widget, path, timedOut] {
            const bool saved = widget->grab().save(path, "PNG");
            std::fprintf(stderr, "veltrix-console: %s %s%s\n", saved ? "wrote" : "could not write",
                         qPrintable(path), timedOut ? " (timed out waiting for the clusters)" : "");
            QApplication::exit(saved ? 0 : 1);
        });
    };
    if (sessions->allReported())
        shoot(false);
    QObject::connect(sessions, &SessionManager::allSessionsReported, widget,
                     [shoot] { shoot(false); });
    QTimer::singleShot(timeout, widget, [shoot] { shoot(true); });
}

} // namespace veltrix
