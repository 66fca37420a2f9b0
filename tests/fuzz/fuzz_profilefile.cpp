// The profiles file is user input: no byte sequence may crash parsing or error location.
#include "core/jsonlocator.h"
#include "core/profilefile.h"

#include <cstdint>
#include <cstdlib>

using namespace Qt::StringLiterals;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray json(reinterpret_cast<const char *>(data), qsizetype(size));
    const veltrix::ProfileFileResult result = veltrix::ProfileFile::parse(json, u"fuzz.json"_s);
    if (!result.ok()) {
        if (!result.clusters.isEmpty() || result.error->describe().isEmpty())
            std::abort();
    } else {
        // What parse() accepts, serialize() must write back to the same profiles.
        const auto again = veltrix::ProfileFile::parse(
            veltrix::ProfileFile::serialize(result.clusters), u"fuzz.json"_s);
        if (!again.ok() || again.clusters != result.clusters)
            std::abort();
    }

    // The first line, split on '/', is a path to look up anywhere in the text.
    const qsizetype newline = json.indexOf('\n');
    const QStringList path = QString::fromUtf8(json.left(newline < 0 ? 64 : newline)).split(u'/');
    veltrix::positionOfJsonPath(json, path);
    veltrix::lineOfJsonPath(json, {u"clusters"_s, u"0"_s, u"name"_s});
    veltrix::positionOfOffset(json, qsizetype(size / 2));
    return 0;
}
