#pragma once

#include "core/result.h"

#include <QFutureWatcher>
#include <QObject>
#include <QtConcurrent/QtConcurrentRun>

#include <functional>
#include <memory>

namespace veltrix {

// Runs `task` on a pool thread with a client opened there (clients that own a network
// manager or a librdkafka handle belong to the thread that made them), and hands the
// result to `done` on `owner`'s thread. The GUI thread never waits on a broker.
template<typename Client, typename T>
void runWithClient(QObject *owner, std::function<Result<std::unique_ptr<Client>>()> open,
                   std::function<Result<T>(Client &)> task,
                   std::function<void(const Result<T> &)> done)
{
    auto *watcher = new QFutureWatcher<Result<T>>(owner);
    QObject::connect(watcher, &QFutureWatcher<Result<T>>::finished, owner, [watcher, done] {
        const Result<T> result = watcher->result();
        watcher->deleteLater();
        done(result);
    });
    watcher->setFuture(QtConcurrent::run([open, task]() -> Result<T> {
        auto client = open();
        if (!client)
            return client.error();
        return task(*client.value());
    }));
}

} // namespace veltrix
