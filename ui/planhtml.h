#pragma once

#include <QString>
#include <QStringList>
#include <QTextDocument>

namespace veltrix {

// How the retry editors show a plan's warnings (amber, allowed) and refusals (red).
inline QString planNotesHtml(const QStringList &warnings, const QStringList &errors)
{
    QString html;
    for (const QString &warning : warnings)
        html += QStringLiteral("<div style=\"color:#9a6700\">⚠ %1</div>")
                    .arg(warning.toHtmlEscaped());
    for (const QString &error : errors)
        html
            += QStringLiteral("<div style=\"color:#c62828\">✖ %1</div>").arg(error.toHtmlEscaped());
    return html;
}

// What a rich-text label says, as the operator reads it (for tests and the clipboard).
inline QString plainTextOf(const QString &html)
{
    QTextDocument document;
    document.setHtml(html);
    return document.toPlainText();
}

} // namespace veltrix
