#include "tlslibrarylifetime.h"

#include <openssl/crypto.h>

namespace veltrix {

void keepTlsLibraryUntilExit()
{
    // Only the first initialisation decides about the atexit handler; repeating it is a
    // cheap no-op inside OpenSSL.
    OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, nullptr);
}

} // namespace veltrix
