// Client .properties and kcat config files are user input: no byte sequence may crash the
// parser or the Kafka import, every refusal names the file, and what is read is written
// back as text that reads the same.
#include "profiles/profileimport.h"

#include <cstdint>
#include <cstdlib>

using namespace Qt::StringLiterals;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray text(reinterpret_cast<const char *>(data), qsizetype(size));
    const veltrix::PropertiesFileResult parsed
        = veltrix::parsePropertiesFile(text, u"fuzz.properties"_s);
    if (!parsed.ok()) {
        if (parsed.error->file != u"fuzz.properties"_s || parsed.error->message.isEmpty())
            std::abort();
        return 0;
    }
    // The profile dialog shows properties as text and reads them back: nothing may change.
    const veltrix::PropertiesFileResult again = veltrix::parsePropertiesText(
        veltrix::writePropertiesText(parsed.properties), u"fuzz.properties"_s);
    if (!again.ok() || again.properties != parsed.properties)
        std::abort();
    const auto imported
        = veltrix::importKafkaProperties(parsed.properties, u"fuzzed"_s, u"fuzz.properties"_s);
    if (const auto *error = std::get_if<veltrix::ProfileError>(&imported)) {
        if (error->describe().isEmpty())
            std::abort();
    } else {
        const auto &profile = std::get<veltrix::ImportedProfile>(imported).profile;
        // Secrets never stay among the properties a profile file would hold.
        if (profile.properties.contains(u"sasl.password"_s)
            || profile.properties.contains(u"ssl.key.password"_s) || profile.bootstrap.isEmpty())
            std::abort();
    }
    return 0;
}
