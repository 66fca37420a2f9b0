#pragma once

#include "core/browsedmessage.h"
#include "core/clusterprofile.h"
#include "deadletter/payloadview.h"
#include "redrive/redriverequest.h"

#include <QDialog>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTableWidget;

namespace veltrix {

// "Repair and resubmit": one dead letter's payload and headers, edited before it is
// redriven. The payload shows as pretty JSON when it was JSON (and must stay valid JSON:
// OK stays disabled and says why until it parses), as text otherwise, with bytes that are
// not text written \xNN so every byte survives the round trip. Headers: Kafka's as
// name/value rows in record order, RabbitMQ's table as JSON. What the operator left as
// it was is not part of the repair, so it is sent exactly as it was read.
class RepairDialog : public QDialog
{
    Q_OBJECT
public:
    RepairDialog(const BrowsedMessage &message, ClusterKind kind, QWidget *parent = nullptr);

    const BrowsedMessage &message() const { return m_message; }
    // What to send instead; valid while problem() is empty.
    MessageRepair repair() const;
    // Why the edit cannot be used, in words; empty when it can.
    QString problem() const { return m_problem; }

    QPlainTextEdit *payloadEdit() const { return m_payload; }
    QTableWidget *kafkaHeadersTable() const { return m_kafkaHeaders; } // Kafka only
    QPlainTextEdit *amqpHeadersEdit() const { return m_amqpHeaders; } // RabbitMQ only
    QLabel *problemLabel() const { return m_problemLabel; }
    QPushButton *okButton() const { return m_ok; }

private:
    QWidget *buildPayloadPane();
    QWidget *buildKafkaHeaders();
    QWidget *buildAmqpHeaders();
    void addKafkaRow(const KafkaHeader &header);
    void validate();
    QByteArray editedPayload() const;
    KafkaHeaderList editedKafkaHeaders() const;
    std::optional<QVariantMap> editedAmqpHeaders(QString *error) const;

    BrowsedMessage m_message;
    ClusterKind m_kind;
    PayloadKind m_payloadKind;
    QString m_initialPayload;
    QString m_initialAmqpHeaders;
    QString m_problem;

    QPlainTextEdit *m_payload = nullptr;
    QTableWidget *m_kafkaHeaders = nullptr;
    QPlainTextEdit *m_amqpHeaders = nullptr;
    QLabel *m_problemLabel = nullptr;
    QPushButton *m_ok = nullptr;
};

} // namespace veltrix
