#pragma once

namespace veltrix {

// Keeps OpenSSL's global state until the process is gone, instead of OpenSSL's own
// atexit cleanup. That cleanup races the threads still ending at exit (Qt's network
// threads and pool workers are detached, and QThread::wait returns before their
// thread-local destructors run; librdkafka's threads too): it can free state under a
// thread still using it, and leaves behind the per-thread state of any thread ending after
// it. Call first thing in main(); later calls (before a TLS connection) cost nothing and
// cover processes whose main() does not (the test suites). The operating system reclaims
// the memory at exit either way.
void keepTlsLibraryUntilExit();

} // namespace veltrix
