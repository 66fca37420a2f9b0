#pragma once

#include <QString>

#include <chrono>

class QWidget;

namespace veltrix {

class SessionManager;

// Renders a widget to a PNG once every session has reported its first outcome and
// every Kafka cluster its first lag poll (or the timeout passed), but not before
// notBefore, then quits the application with 0 on success. For `veltrix-console
// --screenshot FILE`, GUI tests, and people who want to look.
void renderWhenReady(QWidget *widget, SessionManager *sessions, const QString &path,
                     std::chrono::milliseconds timeout,
                     std::chrono::milliseconds notBefore = std::chrono::milliseconds(0));

} // namespace veltrix
