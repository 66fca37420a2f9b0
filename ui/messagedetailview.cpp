#include "messagedetailview.h"

#include "deadletter/messagejson.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QFrame>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QStackedWidget>
#include <QStandardItemModel>
#include <QStringDecoder>
#include <QStyle>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace veltrix {

namespace {

constexpr qsizetype MaxLabelChars = 300; // longer values elide; the tool tip has more
constexpr qsizetype MaxToolTipChars = 4000;
constexpr int ExpandChildrenUpTo = 12; // x-death with a few entries opens by itself
constexpr qsizetype LongLineChars = 4096;

const QString Dash = QStringLiteral("—");

QLabel *valueLabel(QWidget *parent, const char *objectName)
{
    auto *label = new QLabel(parent);
    label->setObjectName(QString::fromLatin1(objectName));
    // Broker data is never markup: "<b>" in a header must read as "<b>".
    label->setTextFormat(Qt::PlainText);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    return label;
}

QString elided(const QString &text, qsizetype maxChars)
{
    if (text.size() <= maxChars)
        return text;
    qsizetype keep = maxChars - 1;
    if (text[keep - 1].isHighSurrogate())
        --keep;
    return text.left(keep) % u'…';
}

// Shows `text` (elided) with all of it, up to a limit, in the tool tip.
void setValue(QLabel *label, const QString &text, const QString &toolTip = {})
{
    label->setText(text.isEmpty() ? Dash : elided(text, MaxLabelChars));
    const QString tip = toolTip.isEmpty() && text.size() > MaxLabelChars ? text : toolTip;
    label->setToolTip(elided(tip, MaxToolTipChars));
}

QString timeText(const QDateTime &time)
{
    // Local time like the message table, with its zone so it compares with logs in UTC
    // (the tool tip has UTC).
    return time.isValid() ? time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz t"))
                          : QString();
}

QString utcText(const QDateTime &time)
{
    return time.isValid() ? time.toUTC().toString(Qt::ISODateWithMs) : QString();
}

QString firstLine(const QString &value)
{
    const qsizetype newline = value.indexOf(u'\n');
    return newline < 0 ? value : value.left(newline) % u" ⏎…";
}

qsizetype longestLine(QStringView text)
{
    qsizetype longest = 0;
    for (qsizetype start = 0; start < text.size();) {
        qsizetype end = text.indexOf(u'\n', start);
        if (end < 0)
            end = text.size();
        longest = std::max(longest, end - start);
        start = end + 1;
    }
    return longest;
}

QByteArray prefixAtCharBoundary(const QByteArray &bytes, qsizetype cap)
{
    if (bytes.size() <= cap)
        return bytes;
    qsizetype end = cap;
    // Do not cut a UTF-8 character in half: it would show as stray \xNN escapes.
    for (int back = 0; back < 3 && end > 0 && (uchar(bytes[end]) & 0xC0) == 0x80; ++back)
        --end;
    return bytes.first(end);
}

QFrame *notificationBar(QWidget *parent, const char *objectName, const QString &style)
{
    auto *bar = new QFrame(parent);
    bar->setObjectName(QString::fromLatin1(objectName));
    bar->setFrameShape(QFrame::StyledPanel);
    bar->setStyleSheet(QStringLiteral("QFrame#%1 { %2 border-radius: 3px; }")
                           .arg(QString::fromLatin1(objectName), style));
    bar->hide();
    return bar;
}

} // namespace

MessageDetailView::MessageDetailView(QWidget *parent)
    : QWidget(parent)
    , m_stack(new QStackedWidget(this))
{
    auto *empty = new QLabel(QStringLiteral("Select a message to see why it died, its headers "
                                            "and its payload."),
                             m_stack);
    empty->setObjectName(QStringLiteral("emptyLabel"));
    empty->setAlignment(Qt::AlignCenter);
    empty->setEnabled(false);
    m_stack->addWidget(empty);

    auto *content = new QWidget(m_stack);
    auto *left = new QWidget(content);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(buildSummary());

    m_headers = new QTreeWidget(left);
    m_headers->setObjectName(QStringLiteral("headerTree"));
    m_headers->setColumnCount(3);
    m_headers->setHeaderLabels(
        {QStringLiteral("Header"), QStringLiteral("Value"), QStringLiteral("Type")});
    m_headers->setUniformRowHeights(true);
    m_headers->setAlternatingRowColors(true);
    // The end of a value matters too ("00 00 00 03 (= 3)"), but the start says what it is.
    m_headers->setTextElideMode(Qt::ElideRight);
    m_headers->header()->setStretchLastSection(false);
    m_headers->header()->setSectionResizeMode(1, QHeaderView::Stretch);
    leftLayout->addWidget(m_headers, 1);

    auto *splitter = new QSplitter(Qt::Horizontal, content);
    splitter->setObjectName(QStringLiteral("detailSplitter"));
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(left);
    splitter->addWidget(buildPayloadPane());
    // The left side holds two things (summary and header tree): a little more of the width.
    splitter->setStretchFactor(0, 11);
    splitter->setStretchFactor(1, 9);
    splitter->setSizes({550, 450});

    auto *contentLayout = new QVBoxLayout(content);
    contentLayout->setContentsMargins(0, 0, 0, 0);
    contentLayout->addWidget(m_warningsBar);
    contentLayout->addWidget(splitter, 1);
    m_stack->addWidget(content);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_stack);
    clear();
}

QWidget *MessageDetailView::buildSummary()
{
    m_warningsBar = notificationBar(
        this, "warningsBar", QStringLiteral("background: #fff4ce; border: 1px solid #e0b000;"));
    auto *warningIcon = new QLabel(m_warningsBar);
    warningIcon->setObjectName(QStringLiteral("warningsIcon"));
    const int iconSize = style()->pixelMetric(QStyle::PM_SmallIconSize);
    warningIcon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxWarning).pixmap(iconSize));
    warningIcon->setAlignment(Qt::AlignTop);
    m_warningsText = valueLabel(m_warningsBar, "warningsText");
    m_warningsText->setWordWrap(true);
    m_warningsText->setStyleSheet(QStringLiteral("color: #5c4400;"));
    auto *warningsLayout = new QHBoxLayout(m_warningsBar);
    warningsLayout->setContentsMargins(6, 4, 6, 4);
    warningsLayout->addWidget(warningIcon);
    warningsLayout->addWidget(m_warningsText, 1);

    auto *summary = new QWidget(this);
    summary->setObjectName(QStringLiteral("summary"));
    m_form = new QFormLayout(summary);
    m_form->setContentsMargins(0, 0, 0, 0);
    m_form->setVerticalSpacing(2);
    m_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_form->setLabelAlignment(Qt::AlignLeft);
    const auto row = [&](const QString &label, const char *name) {
        QLabel *value = valueLabel(summary, name);
        m_form->addRow(label, value);
        return value;
    };
    m_id = row(QStringLiteral("ID"), "summaryId");
    m_location = row(QStringLiteral("Where"), "summaryLocation");
    m_key = row(QStringLiteral("Key"), "summaryKey");
    m_routingKey = row(QStringLiteral("Routing key"), "summaryRoutingKey");
    m_timestamp = row(QStringLiteral("Timestamp"), "summaryTimestamp");
    m_size = row(QStringLiteral("Size"), "summarySize");
    m_convention = row(QStringLiteral("Dead letter"), "summaryConvention");
    m_destination = row(QStringLiteral("Came from"), "summaryDestination");
    m_reason = row(QStringLiteral("Reason"), "summaryReason");
    m_exception = row(QStringLiteral("Exception"), "summaryException");
    m_exception->setWordWrap(true);
    m_attempts = row(QStringLiteral("Attempts"), "summaryAttempts");
    m_failures = row(QStringLiteral("Failed"), "summaryFailures");
    return summary;
}

QWidget *MessageDetailView::buildPayloadPane()
{
    auto *pane = new QWidget(this);
    pane->setObjectName(QStringLiteral("payloadPane"));

    auto *title = new QLabel(QStringLiteral("<b>Payload</b>"), pane);
    m_payloadInfo = valueLabel(pane, "payloadInfo");
    m_mode = new QComboBox(pane);
    m_mode->setObjectName(QStringLiteral("payloadMode"));
    m_mode->addItem(QStringLiteral("Pretty JSON"), int(PayloadMode::PrettyJson));
    m_mode->addItem(QStringLiteral("Text"), int(PayloadMode::Text));
    m_mode->addItem(QStringLiteral("Hex"), int(PayloadMode::Hex));
    connect(m_mode, &QComboBox::currentIndexChanged, this, [this] { renderPayload(); });

    m_copyPayload = new QPushButton(QStringLiteral("Copy payload"), pane);
    m_copyPayload->setObjectName(QStringLiteral("copyPayloadButton"));
    m_copyPayload->setToolTip(QStringLiteral("Copies the payload as text; a binary payload as "
                                             "base64 (its raw bytes go along as "
                                             "application/octet-stream)."));
    connect(m_copyPayload, &QPushButton::clicked, this, &MessageDetailView::copyPayload);
    m_copyJson = new QPushButton(QStringLiteral("Copy as JSON"), pane);
    m_copyJson->setObjectName(QStringLiteral("copyJsonButton"));
    m_copyJson->setToolTip(
        QStringLiteral("The message as `veltrixctl dlq show --json` prints it."));
    connect(m_copyJson, &QPushButton::clicked, this, &MessageDetailView::copyJson);

    auto *toolbar = new QHBoxLayout;
    toolbar->addWidget(title);
    toolbar->addWidget(m_payloadInfo, 1);
    toolbar->addWidget(m_mode);
    toolbar->addWidget(m_copyPayload);
    toolbar->addWidget(m_copyJson);

    m_truncatedBar = notificationBar(
        pane, "truncatedBar", QStringLiteral("background: #e8f0fe; border: 1px solid #a8c7fa;"));
    m_truncatedText = valueLabel(m_truncatedBar, "truncatedLabel");
    m_truncatedText->setWordWrap(true);
    m_loadAll = new QPushButton(QStringLiteral("Load all"), m_truncatedBar);
    m_loadAll->setObjectName(QStringLiteral("loadAllButton"));
    connect(m_loadAll, &QPushButton::clicked, this, [this] {
        if (m_hasMessage)
            emit loadAllRequested(m_message);
    });
    auto *truncatedLayout = new QHBoxLayout(m_truncatedBar);
    truncatedLayout->setContentsMargins(6, 2, 6, 2);
    truncatedLayout->addWidget(m_truncatedText, 1);
    truncatedLayout->addWidget(m_loadAll);

    m_payload = new QPlainTextEdit(pane);
    m_payload->setObjectName(QStringLiteral("payloadView"));
    m_payload->setReadOnly(true);
    m_payload->setUndoRedoEnabled(false);
    m_payload->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_payload->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_payload->setPlaceholderText(QStringLiteral("(empty payload)"));

    m_payloadNote = valueLabel(pane, "payloadNote");
    m_payloadNote->setWordWrap(true);
    m_payloadNote->setStyleSheet(QStringLiteral("color: #5f6368;"));

    auto *layout = new QVBoxLayout(pane);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(toolbar);
    layout->addWidget(m_truncatedBar);
    layout->addWidget(m_payload, 1);
    layout->addWidget(m_payloadNote);
    return pane;
}

namespace {

PayloadKind classify(const BrowsedMessage &message)
{
    return classifyPayload(message.payload,
                           message.amqpProperties.value(QStringLiteral("content_type")).toString(),
                           message.payloadTruncated());
}

MessageDetailView::PayloadMode modeFor(PayloadKind kind)
{
    switch (kind) {
    case PayloadKind::Json:
        return MessageDetailView::PayloadMode::PrettyJson;
    case PayloadKind::Binary:
        return MessageDetailView::PayloadMode::Hex;
    case PayloadKind::Empty:
    case PayloadKind::Text:
        break;
    }
    return MessageDetailView::PayloadMode::Text;
}

} // namespace

MessageDetailView::PayloadMode MessageDetailView::defaultPayloadMode(const BrowsedMessage &message)
{
    return modeFor(classify(message));
}

void MessageDetailView::setMessage(const BrowsedMessage &message)
{
    m_message = message;
    m_hasMessage = true;
    m_kind = classify(message); // a 1 MiB JSON document takes ~30 ms to validate: once
    showSummary();
    showHeaders();

    // Pretty JSON of a binary payload would be noise; the choice stays for text that
    // only nearly parses.
    if (auto *model = qobject_cast<QStandardItemModel *>(m_mode->model()))
        model->item(0)->setEnabled(m_kind == PayloadKind::Json || m_kind == PayloadKind::Text);
    const int index = m_mode->findData(int(modeFor(m_kind)));
    if (index == m_mode->currentIndex())
        renderPayload();
    else
        m_mode->setCurrentIndex(index); // renders through currentIndexChanged
    m_copyPayload->setEnabled(true);
    m_copyJson->setEnabled(true);
    m_stack->setCurrentIndex(1);
}

void MessageDetailView::clear()
{
    m_message = BrowsedMessage();
    m_hasMessage = false;
    m_kind = PayloadKind::Empty;
    m_headers->clear();
    m_payload->clear();
    m_warningsBar->hide();
    m_truncatedBar->hide();
    m_payloadNote->hide();
    m_copyPayload->setEnabled(false);
    m_copyJson->setEnabled(false);
    m_stack->setCurrentIndex(0);
}

MessageDetailView::PayloadMode MessageDetailView::payloadMode() const
{
    return PayloadMode(m_mode->currentData().toInt());
}

void MessageDetailView::setPayloadMode(PayloadMode mode)
{
    m_mode->setCurrentIndex(m_mode->findData(int(mode)));
}

void MessageDetailView::showSummary()
{
    const BrowsedMessage &m = m_message;
    const DeadLetter &d = m.deadLetter;
    const bool kafka = m.partition >= 0;

    setValue(m_id, m.id);
    if (kafka) {
        setValue(m_location,
                 QStringLiteral("partition %1, offset %2").arg(m.partition).arg(m.offset));
    } else {
        QStringList where;
        if (m.offset >= 0)
            where << QStringLiteral("stream offset %1").arg(m.offset);
        if (m.position >= 0)
            where << QStringLiteral("position %1 in the queue").arg(m.position);
        if (m.amqpProperties.value(QStringLiteral("redelivered")).toBool())
            where << QStringLiteral("redelivered");
        const QVariant deliveries = m.amqpProperties.value(QStringLiteral("delivery_count"));
        if (deliveries.isValid())
            where << QStringLiteral("delivery count %1").arg(deliveries.toString());
        setValue(m_location, where.join(QStringLiteral(", ")));
    }

    m_form->setRowVisible(m_key, kafka);
    m_form->setRowVisible(m_routingKey, !kafka);
    if (kafka) {
        if (!m.key)
            setValue(m_key, QStringLiteral("(null)"));
        else if (isTextPayload(*m.key))
            setValue(m_key, safeText(*m.key));
        else
            setValue(m_key,
                     QStringLiteral("binary, %1: %2")
                         .arg(formatByteSize(m.key->size()), hexBytes(*m.key, 32)));
    } else {
        setValue(m_routingKey, m.amqpProperties.value(QStringLiteral("routing_key")).toString());
    }
    setValue(m_timestamp, timeText(m.timestamp), utcText(m.timestamp));
    const QString kind = payloadKindName(m_kind);
    setValue(m_size,
             m.payloadTruncated()
                 ? QStringLiteral("%1 (%2 held), %3")
                       .arg(formatByteSize(m.payloadSize), formatByteSize(m.payload.size()), kind)
                 : QStringLiteral("%1, %2").arg(formatByteSize(m.payloadSize), kind));

    setValue(m_convention,
             d.isDeadLetter() ? deadLetterConventionName(d.convention)
                              : QStringLiteral("no dead-letter metadata"));
    QString destination = d.originalDestination;
    if (d.originalPartition >= 0)
        destination += QStringLiteral(" [partition %1").arg(d.originalPartition)
            % (d.originalOffset >= 0 ? QStringLiteral(", offset %1").arg(d.originalOffset)
                                     : QString())
            % u']';
    if (!d.originalConsumerGroup.isEmpty())
        destination += QStringLiteral(", group %1").arg(d.originalConsumerGroup);
    if (!d.originalExchange.isEmpty() || !d.originalRoutingKeys.isEmpty())
        destination
            += QStringLiteral(" via exchange \"%1\" (%2)")
                   .arg(d.originalExchange, d.originalRoutingKeys.join(QStringLiteral(", ")));
    setValue(m_destination, destination.trimmed());
    setValue(m_reason, d.reason);
    const QString exception = d.exceptionClass.isEmpty() || d.exceptionMessage.isEmpty()
        ? QString(d.exceptionClass + d.exceptionMessage)
        : QString(d.exceptionClass % u": " % d.exceptionMessage);
    setValue(m_exception, exception, d.stackTrace.isEmpty() ? exception : d.stackTrace);
    setValue(m_attempts, d.attempts >= 0 ? QString::number(d.attempts) : QString());
    QString failures;
    if (d.firstFailedAt.isValid() && d.lastFailedAt.isValid() && d.firstFailedAt != d.lastFailedAt)
        failures = QStringLiteral("first %1, last %2")
                       .arg(timeText(d.firstFailedAt), timeText(d.lastFailedAt));
    else
        failures = timeText(d.lastFailedAt.isValid() ? d.lastFailedAt : d.firstFailedAt);
    setValue(m_failures, failures);

    if (d.warnings.isEmpty()) {
        m_warningsBar->hide();
    } else {
        QString text = QStringLiteral("Metadata malformed, shown raw:");
        for (const QString &warning : d.warnings)
            text += u"\n• " % elided(warning, MaxLabelChars);
        m_warningsText->setText(text);
        m_warningsBar->show();
    }
}

void MessageDetailView::showHeaders()
{
    m_headers->setUpdatesEnabled(false);
    m_headers->clear();
    const bool kafka = m_message.partition >= 0 || !m_message.kafkaHeaders.isEmpty();
    const QList<HeaderNode> headers = headerTree(m_message);
    auto *headerRoot
        = new QTreeWidgetItem(m_headers,
                              {kafka ? QStringLiteral("Record headers (%1)").arg(headers.size())
                                     : QStringLiteral("Headers (%1)").arg(headers.size())});
    addHeaderNodes(headerRoot, headers, 0);
    headerRoot->setExpanded(true);
    if (!m_message.amqpProperties.isEmpty()) {
        const QList<HeaderNode> properties = variantTree(m_message.amqpProperties);
        auto *propertyRoot = new QTreeWidgetItem(
            m_headers, {QStringLiteral("Properties (%1)").arg(properties.size())});
        addHeaderNodes(propertyRoot, properties, 0);
        propertyRoot->setExpanded(true);
    }
    for (int column = 0; column < 3; column += 2)
        m_headers->resizeColumnToContents(column);
    // Long names and types elide (their tool tips have them): the value needs the room.
    m_headers->setColumnWidth(0, std::min(m_headers->columnWidth(0), 230));
    m_headers->setColumnWidth(2, std::min(m_headers->columnWidth(2), 150));
    m_headers->setUpdatesEnabled(true);
}

void MessageDetailView::addHeaderNodes(QTreeWidgetItem *parent, const QList<HeaderNode> &nodes,
                                       int depth)
{
    for (const HeaderNode &node : nodes) {
        auto *item = new QTreeWidgetItem(
            parent, {node.name, firstLine(elided(node.value, MaxLabelChars)), node.type});
        // Columns elide: the tool tips have it all (a stack trace with its line breaks).
        item->setToolTip(0, node.name);
        item->setToolTip(1, elided(node.value, MaxToolTipChars));
        item->setToolTip(2, node.type);
        if (!node.children.isEmpty()) {
            addHeaderNodes(item, node.children, depth + 1);
            item->setExpanded(depth < 1 && node.children.size() <= ExpandChildrenUpTo);
        }
    }
}

void MessageDetailView::renderPayload()
{
    if (!m_hasMessage)
        return;
    const QByteArray &payload = m_message.payload;
    const PayloadMode mode = payloadMode();
    QString text;
    qsizetype shown = payload.size();
    switch (mode) {
    case PayloadMode::PrettyJson: {
        const QByteArray prefix = prefixAtCharBoundary(payload, PrettyJsonCapBytes);
        shown = prefix.size();
        text = prettyJson(prefix);
        break;
    }
    case PayloadMode::Text: {
        const QByteArray prefix = prefixAtCharBoundary(payload, TextCapBytes);
        shown = prefix.size();
        text = safeText(prefix);
        break;
    }
    case PayloadMode::Hex:
        shown = std::min(payload.size(), HexCapBytes);
        text = hexDump(payload, HexCapBytes);
        break;
    }
    m_payload->setLineWrapMode(mode == PayloadMode::Hex ? QPlainTextEdit::NoWrap
                                                        : QPlainTextEdit::WidgetWidth);
    // Word wrapping a line of many thousand characters without spaces takes seconds
    // (measured: 256 K characters, 1.9 s); wrapping anywhere takes 60 ms.
    m_payload->setWordWrapMode(longestLine(text) > LongLineChars
                                   ? QTextOption::WrapAnywhere
                                   : QTextOption::WrapAtWordBoundaryOrAnywhere);
    m_payload->setPlainText(text);

    // Said next to the payload: a "****" must never be mistaken for the data itself.
    const QString masked = m_message.maskedFields > 0
        ? QStringLiteral(" · %1 field(s) masked by the profile").arg(m_message.maskedFields)
        : QString();
    m_payloadInfo->setText(
        QStringLiteral("%1, %2").arg(payloadKindName(m_kind), formatByteSize(m_message.payloadSize))
        + masked);
    if (m_message.payloadTruncated()) {
        m_truncatedText->setText(
            QStringLiteral("Showing %1 of %2 (the browse's cap per message).")
                .arg(formatByteSize(payload.size()), formatByteSize(m_message.payloadSize)));
        m_truncatedBar->show();
    } else {
        m_truncatedBar->hide();
    }
    if (shown < payload.size()) {
        m_payloadNote->setText(QStringLiteral("This view shows the first %1 of the %2 held, to "
                                              "stay responsive; Copy payload copies all of it.")
                                   .arg(formatByteSize(shown), formatByteSize(payload.size())));
        m_payloadNote->show();
    } else if (mode == PayloadMode::Text && m_kind == PayloadKind::Binary) {
        m_payloadNote->setText(QStringLiteral("Bytes that are not UTF-8 text show as \\xNN, a "
                                              "literal backslash before one as \\\\."));
        m_payloadNote->show();
    } else {
        m_payloadNote->hide();
    }
}

void MessageDetailView::copyPayload() const
{
    if (!m_hasMessage)
        return;
    const QByteArray &payload = m_message.payload;
    auto *mime = new QMimeData;
    mime->setData(QStringLiteral("application/octet-stream"), payload);
    // Stateful decoding: a character cut by the browse's cap is left out, not turned into
    // U+FFFD; the BOM, part of the bytes, is kept.
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::ConvertInitialBom);
    mime->setText(m_kind == PayloadKind::Binary ? QString::fromLatin1(payload.toBase64())
                                                : QString(decoder.decode(payload)));
    QApplication::clipboard()->setMimeData(mime);
}

void MessageDetailView::copyJson() const
{
    if (!m_hasMessage)
        return;
    QApplication::clipboard()->setText(
        QString::fromUtf8(QJsonDocument(messageToJson(m_message)).toJson(QJsonDocument::Indented)));
}

} // namespace veltrix
