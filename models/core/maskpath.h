#pragma once

#include <QString>
#include <QStringList>

#include <optional>

namespace veltrix {

// A masking rule's JSON path, "customer.card.number", "$.items[*].iban", "*.token", split
// into steps: object keys, "*" (any key), "[3]" (one element), "[*]" (every element).
// nullopt when the text is not such a path.
std::optional<QStringList> splitMaskPath(const QString &path);

} // namespace veltrix
