#pragma once

#include <QByteArrayView>
#include <QStringList>

namespace veltrix {

// A place in a text file as an editor shows it.
struct TextPosition
{
    int line = 0; // 1-based; 0 when unknown
    int column = 0; // 1-based, in Unicode code points; 0 when unknown

    bool operator==(const TextPosition &) const = default;
};

// Line and column of a byte offset such as QJsonParseError::offset. Offsets outside the
// text are clamped to it.
TextPosition positionOfOffset(QByteArrayView text, qsizetype offset);

// QJsonDocument keeps no positions, so errors found after parsing are placed with this
// small token walker. path is a list of object keys and decimal array indices, e.g.
// {"clusters", "1", "amqp"}. Returns where that entry starts: the key for an object member,
// the value for an array element or the root. A repeated key resolves to its last
// occurrence, the one QJsonDocument keeps. {0, 0} when the path is not in the text; any
// input is safe, including text that is not JSON.
TextPosition positionOfJsonPath(QByteArrayView json, const QStringList &path);
int lineOfJsonPath(QByteArrayView json, const QStringList &path);

} // namespace veltrix
