#pragma once

#include <QString>

#include <optional>

namespace veltrix {

// A throwaway PKI made with the openssl command: a CA, a server certificate it signed for
// the host name "localhost" only, and a second, unrelated CA to distrust it with.
struct TestCertificates
{
    QString caFile; // signed serverCert
    QString serverCertFile;
    QString serverKeyFile;
    QString otherCaFile; // signed nothing we use
    QString clientCertFile; // a client certificate the CA signed ...
    QString clientKeyFile; // ... its key, encrypted with clientKeyPassphrase
    QString clientKeyPassphrase;
    QString strangerCertFile; // a client certificate the unrelated CA signed
    QString strangerKeyFile; // unencrypted

    // Writes the files into `dir`; nullopt with the reason in *error when openssl fails.
    static std::optional<TestCertificates> generate(const QString &dir, QString *error);
};

} // namespace veltrix
