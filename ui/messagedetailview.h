#pragma once

#include "core/browsedmessage.h"
#include "deadletter/payloadview.h"

#include <QWidget>

class QComboBox;
class QFormLayout;
class QFrame;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QStackedWidget;
class QTreeWidget;
class QTreeWidgetItem;

namespace veltrix {

// One browsed message in full: what it is and why it died (the DeadLetter essentials,
// malformed metadata flagged), every header as a tree, and the payload as pretty JSON,
// text or hex. Nothing from the broker is ever interpreted as markup, and the GUI thread
// renders at most a few hundred KiB whatever the payload's size.
class MessageDetailView : public QWidget
{
    Q_OBJECT
public:
    enum class PayloadMode { PrettyJson, Text, Hex };

    // What the payload pane renders at most, measured to keep a selection under ~100 ms
    // (QPlainTextEdit lays out ~4,000 short lines or 250 K characters of long ones per
    // 10 ms); Copy payload always copies all the view holds.
    static constexpr qsizetype PrettyJsonCapBytes = 64 * 1024; // about doubles when indented
    static constexpr qsizetype TextCapBytes = 256 * 1024;
    static constexpr qsizetype HexCapBytes = 64 * 1024; // 4,096 lines

    explicit MessageDetailView(QWidget *parent = nullptr);

    void setMessage(const BrowsedMessage &message);
    void clear();
    bool hasMessage() const { return m_hasMessage; }
    const BrowsedMessage &message() const { return m_message; }

    PayloadMode payloadMode() const;
    void setPayloadMode(PayloadMode mode);
    // Pretty JSON for JSON, hex for binary, text otherwise.
    static PayloadMode defaultPayloadMode(const BrowsedMessage &message);

signals:
    // The payload was cut at the browse's cap and the user wants all of it: the page
    // re-reads the message and calls setMessage() again.
    void loadAllRequested(const veltrix::BrowsedMessage &message);

private:
    QWidget *buildSummary();
    QWidget *buildPayloadPane();
    void showSummary();
    void showHeaders();
    void addHeaderNodes(QTreeWidgetItem *parent, const QList<HeaderNode> &nodes, int depth);
    void renderPayload();
    void copyPayload() const;
    void copyJson() const;

    BrowsedMessage m_message;
    bool m_hasMessage = false;
    PayloadKind m_kind = PayloadKind::Empty;

    QStackedWidget *m_stack;
    QFrame *m_warningsBar;
    QLabel *m_warningsText;
    QFormLayout *m_form;
    QLabel *m_id;
    QLabel *m_location;
    QLabel *m_key;
    QLabel *m_routingKey;
    QLabel *m_timestamp;
    QLabel *m_size;
    QLabel *m_convention;
    QLabel *m_destination;
    QLabel *m_reason;
    QLabel *m_exception;
    QLabel *m_attempts;
    QLabel *m_failures;
    QTreeWidget *m_headers;
    QLabel *m_payloadInfo;
    QComboBox *m_mode;
    QPushButton *m_copyPayload;
    QPushButton *m_copyJson;
    QFrame *m_truncatedBar;
    QLabel *m_truncatedText;
    QPushButton *m_loadAll;
    QPlainTextEdit *m_payload;
    QLabel *m_payloadNote;
};

} // namespace veltrix
