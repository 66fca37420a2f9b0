#include "repairdialog.h"

#include "core/jsonlocator.h"
#include "deadletter/messagejson.h"

#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

namespace veltrix {

using namespace Qt::StringLiterals;

namespace {

constexpr int NullValueRole = Qt::UserRole + 1; // bool: a Kafka header's null value

QString parseProblem(const QByteArray &text, const QJsonParseError &error)
{
    const TextPosition at = positionOfOffset(text, error.offset);
    return u"%1 at line %2, column %3"_s.arg(error.errorString()).arg(at.line).arg(at.column);
}

QPlainTextEdit *codeEditor(const char *name, QWidget *parent)
{
    auto *edit = new QPlainTextEdit(parent);
    edit->setObjectName(QString::fromLatin1(name));
    edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    edit->setLineWrapMode(QPlainTextEdit::NoWrap);
    edit->setTabChangesFocus(true);
    return edit;
}

} // namespace

RepairDialog::RepairDialog(const BrowsedMessage &message, ClusterKind kind, QWidget *parent)
    : QDialog(parent)
    , m_message(message)
    , m_kind(kind)
    , m_payloadKind(classifyPayload(message.payload,
                                    message.amqpProperties.value(u"content_type"_s).toString(),
                                    message.payloadTruncated()))
{
    setObjectName(u"repairDialog"_s);
    setWindowTitle(u"Repair %1 before redriving it"_s.arg(message.id));
    auto *intro = new QLabel(
        u"Repair message %1, then choose where to send it. The edited copy is published; the "
        "dead letter leaves the DLQ only when the destination has confirmed the copy."_s.arg(
            message.id),
        this);
    intro->setTextFormat(Qt::PlainText);
    intro->setWordWrap(true);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(buildPayloadPane());
    splitter->addWidget(kind == ClusterKind::Kafka ? buildKafkaHeaders() : buildAmqpHeaders());
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);

    m_problemLabel = new QLabel(this);
    m_problemLabel->setObjectName(u"repairProblem"_s);
    m_problemLabel->setWordWrap(true);
    m_problemLabel->setTextFormat(Qt::PlainText);
    // Room for two lines up front: a wrapped label that grows later is clipped by the layout.
    m_problemLabel->setMinimumHeight(2 * m_problemLabel->fontMetrics().lineSpacing() + 4);

    auto *buttons = new QDialogButtonBox(this);
    m_ok = buttons->addButton(u"Choose where to send it…"_s, QDialogButtonBox::AcceptRole);
    m_ok->setObjectName(u"repairOk"_s);
    buttons->addButton(QDialogButtonBox::Cancel);
    auto *undo = buttons->addButton(u"Undo edits"_s, QDialogButtonBox::ResetRole);
    undo->setObjectName(u"repairUndo"_s);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(splitter, 1);
    layout->addWidget(m_problemLabel);
    layout->addWidget(buttons);

    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        if (m_problem.isEmpty())
            accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(undo, &QPushButton::clicked, this, [this] {
        m_payload->setPlainText(m_initialPayload);
        if (m_amqpHeaders)
            m_amqpHeaders->setPlainText(m_initialAmqpHeaders);
        if (m_kafkaHeaders) {
            m_kafkaHeaders->setRowCount(0);
            for (const KafkaHeader &header : std::as_const(m_message.kafkaHeaders))
                addKafkaRow(header);
        }
        validate();
    });
    resize(860, 640);
    validate();
}

QWidget *RepairDialog::buildPayloadPane()
{
    auto *pane = new QWidget(this);
    auto *info = new QLabel(pane);
    info->setWordWrap(true);
    m_payload = codeEditor("repairPayload", pane);
    QString what = u"Payload: %1, %2."_s.arg(payloadKindName(m_payloadKind),
                                             formatByteSize(m_message.payloadSize));
    if (m_payloadKind == PayloadKind::Json) {
        m_initialPayload = prettyJson(m_message.payload);
        what += u" It was JSON, so it must stay valid JSON."_s;
    } else {
        m_initialPayload = safeText(m_message.payload);
        if (m_payloadKind == PayloadKind::Binary)
            what += u" Bytes that are not text are written \\xNN and sent as those bytes."_s;
    }
    if (m_message.payloadTruncated()) {
        // A repair built from a prefix would cut the message: only the headers can change.
        m_payload->setReadOnly(true);
        what += u" Only the first %1 were read, so the payload cannot be edited here (press "
                "“Load all” in the detail pane first); the whole payload is sent as it is."_s.arg(
                    formatByteSize(m_message.payload.size()));
    }
    info->setText(what);
    m_payload->setPlainText(m_initialPayload);
    connect(m_payload, &QPlainTextEdit::textChanged, this, &RepairDialog::validate);
    auto *layout = new QVBoxLayout(pane);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(info);
    layout->addWidget(m_payload, 1);
    return pane;
}

QWidget *RepairDialog::buildKafkaHeaders()
{
    auto *pane = new QWidget(this);
    auto *info = new QLabel(u"Headers, in record order (names may repeat). Bytes that are not "
                            "text are written \\xNN."_s,
                            pane);
    info->setWordWrap(true);
    m_kafkaHeaders = new QTableWidget(0, 2, pane);
    m_kafkaHeaders->setObjectName(u"repairKafkaHeaders"_s);
    m_kafkaHeaders->setHorizontalHeaderLabels({u"Name"_s, u"Value"_s});
    m_kafkaHeaders->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Interactive);
    m_kafkaHeaders->horizontalHeader()->setStretchLastSection(true);
    m_kafkaHeaders->setColumnWidth(0, 260);
    m_kafkaHeaders->verticalHeader()->hide();
    m_kafkaHeaders->setSelectionBehavior(QAbstractItemView::SelectRows);
    for (const KafkaHeader &header : std::as_const(m_message.kafkaHeaders))
        addKafkaRow(header);
    auto *add = new QPushButton(u"Add header"_s, pane);
    add->setObjectName(u"repairAddHeader"_s);
    auto *remove = new QPushButton(u"Remove selected"_s, pane);
    remove->setObjectName(u"repairRemoveHeader"_s);
    connect(add, &QPushButton::clicked, this, [this] {
        addKafkaRow({"", ""});
        m_kafkaHeaders->editItem(m_kafkaHeaders->item(m_kafkaHeaders->rowCount() - 1, 0));
        validate();
    });
    connect(remove, &QPushButton::clicked, this, [this] {
        const QModelIndexList rows = m_kafkaHeaders->selectionModel()->selectedRows();
        QList<int> numbers;
        for (const QModelIndex &index : rows)
            numbers.append(index.row());
        std::sort(numbers.begin(), numbers.end(), std::greater<>());
        for (int row : numbers)
            m_kafkaHeaders->removeRow(row);
        validate();
    });
    connect(m_kafkaHeaders, &QTableWidget::itemChanged, this, [this](QTableWidgetItem *item) {
        // Typing into a null value makes it a value.
        if (item->column() == 1 && !item->text().isEmpty() && item->data(NullValueRole).toBool())
            item->setData(NullValueRole, false);
        validate();
    });
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(add);
    buttons->addWidget(remove);
    buttons->addStretch(1);
    auto *layout = new QVBoxLayout(pane);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(info);
    layout->addWidget(m_kafkaHeaders, 1);
    layout->addLayout(buttons);
    return pane;
}

void RepairDialog::addKafkaRow(const KafkaHeader &header)
{
    const QSignalBlocker quiet(m_kafkaHeaders);
    const int row = m_kafkaHeaders->rowCount();
    m_kafkaHeaders->insertRow(row);
    m_kafkaHeaders->setItem(row, 0, new QTableWidgetItem(safeText(header.name)));
    auto *value = new QTableWidgetItem(safeText(header.value));
    if (header.value.isNull()) {
        value->setData(NullValueRole, true);
        value->setToolTip(u"A null value (Kafka allows them); type to give it one"_s);
    }
    m_kafkaHeaders->setItem(row, 1, value);
}

QWidget *RepairDialog::buildAmqpHeaders()
{
    auto *pane = new QWidget(this);
    auto *info = new QLabel(
        u"Headers table as JSON. A header left as it was keeps its AMQP type; one you edit "
        "is sent as JSON reads it (whole numbers as long integers, {\"base64\": …} as bytes, "
        "times as text)."_s,
        pane);
    info->setWordWrap(true);
    m_amqpHeaders = codeEditor("repairAmqpHeaders", pane);
    m_initialAmqpHeaders = QString::fromUtf8(
        QJsonDocument(amqpTableToJson(m_message.amqpHeaders)).toJson(QJsonDocument::Indented));
    m_amqpHeaders->setPlainText(m_initialAmqpHeaders);
    connect(m_amqpHeaders, &QPlainTextEdit::textChanged, this, &RepairDialog::validate);
    auto *layout = new QVBoxLayout(pane);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(info);
    layout->addWidget(m_amqpHeaders, 1);
    return pane;
}

QByteArray RepairDialog::editedPayload() const
{
    const QString text = m_payload->toPlainText();
    // JSON as typed: going through QJsonDocument would sort keys and round big numbers.
    return m_payloadKind == PayloadKind::Json ? text.toUtf8() : unescapeSafeText(text);
}

KafkaHeaderList RepairDialog::editedKafkaHeaders() const
{
    KafkaHeaderList headers;
    for (int row = 0; row < m_kafkaHeaders->rowCount(); ++row) {
        const QTableWidgetItem *name = m_kafkaHeaders->item(row, 0);
        const QTableWidgetItem *value = m_kafkaHeaders->item(row, 1);
        KafkaHeader header;
        header.name = unescapeSafeText(name ? name->text() : QString());
        if (value && value->data(NullValueRole).toBool() && value->text().isEmpty()) {
            header.value = QByteArray(); // null, as it was
        } else {
            header.value = unescapeSafeText(value ? value->text() : QString());
            if (header.value.isNull())
                header.value = QByteArray("", 0); // empty, which Kafka tells from null
        }
        headers.append(header);
    }
    return headers;
}

std::optional<QVariantMap> RepairDialog::editedAmqpHeaders(QString *error) const
{
    const QByteArray text = m_amqpHeaders->toPlainText().toUtf8();
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(text, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = u"The headers are not valid JSON: "_s + parseProblem(text, parseError) + u'.';
        return std::nullopt;
    }
    if (!document.isObject()) {
        *error = u"The headers must be one JSON object: {\"name\": value, …}."_s;
        return std::nullopt;
    }
    return amqpTableFromJson(document.object(), m_message.amqpHeaders);
}

void RepairDialog::validate()
{
    QString problem;
    bool changed = false;
    if (m_payload->toPlainText() != m_initialPayload) {
        changed = true;
        if (m_payloadKind == PayloadKind::Json) {
            const QByteArray text = m_payload->toPlainText().toUtf8();
            QJsonParseError error;
            QJsonDocument::fromJson(text, &error);
            if (error.error != QJsonParseError::NoError)
                problem = u"The payload was JSON and must stay JSON: "_s + parseProblem(text, error)
                    + u'.';
        }
    }
    if (m_kafkaHeaders) {
        const KafkaHeaderList headers = editedKafkaHeaders();
        changed = changed || headers != m_message.kafkaHeaders;
        for (qsizetype i = 0; i < headers.size() && problem.isEmpty(); ++i)
            if (headers[i].name.isEmpty())
                problem = u"Header row %1 has no name."_s.arg(i + 1);
    }
    if (m_amqpHeaders && m_amqpHeaders->toPlainText() != m_initialAmqpHeaders) {
        changed = true;
        QString error;
        if (!editedAmqpHeaders(&error) && problem.isEmpty())
            problem = error;
    }
    if (!changed && problem.isEmpty())
        problem = u"Nothing is edited yet: change the payload or the headers (to send the "
                  "message as it is, use Redrive selected…)."_s;
    m_problem = problem;
    m_problemLabel->setText(problem);
    // "Nothing edited yet" is a hint, not an error.
    m_problemLabel->setStyleSheet(changed ? u"QLabel { color: #b00020; }"_s
                                          : u"QLabel { color: #5f6368; }"_s);
    m_ok->setEnabled(problem.isEmpty());
}

MessageRepair RepairDialog::repair() const
{
    MessageRepair repair;
    if (m_payload->toPlainText() != m_initialPayload)
        repair.payload = editedPayload();
    if (m_kafkaHeaders) {
        KafkaHeaderList headers = editedKafkaHeaders();
        if (headers != m_message.kafkaHeaders)
            repair.kafkaHeaders = std::move(headers);
    }
    if (m_amqpHeaders && m_amqpHeaders->toPlainText() != m_initialAmqpHeaders) {
        QString error;
        repair.amqpHeaders = editedAmqpHeaders(&error);
    }
    return repair;
}

} // namespace veltrix
