// The JSON contract of `veltrixctl dlq show --json` and the JSONL export: every field for
// a Spring Kafka dead letter with a binary key and payload and for a RabbitMQ dead letter
// with x-death, base64 that decodes back to the bytes, nulls where nothing is known, and
// JSON Lines that parse line by line.
#include "deadletter/messagejson.h"
#include "deadletter/springkafkaheaders.h"

#include <QBuffer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace veltrix;

namespace {

const QDateTime Published = QDateTime::fromMSecsSinceEpoch(1'714'564'800'250, Qt::UTC);
const QDateTime Failed = QDateTime::fromMSecsSinceEpoch(1'714'564'799'000, Qt::UTC);
const QDateTime Original = QDateTime::fromMSecsSinceEpoch(1'714'564'700'000, Qt::UTC);

// Every byte value, so base64 has to carry what no text encoding would.
QByteArray allBytes()
{
    QByteArray bytes(256, Qt::Uninitialized);
    for (int i = 0; i < 256; ++i)
        bytes[i] = char(i);
    return bytes;
}

BrowsedMessage springDeadLetter()
{
    BrowsedMessage m;
    m.id = QStringLiteral("2:41");
    m.partition = 2;
    m.offset = 41;
    m.key = QByteArray("\0\0\0\x07", 4); // Java IntegerSerializer(7)
    m.timestamp = Published;
    m.payload = allBytes();
    m.payloadSize = 256;
    m.kafkaHeaders = {
        {"traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
        {"kafka_dlt-original-topic", "orders"},
        {"kafka_dlt-original-partition", bigEndian32(1)},
        {"kafka_dlt-original-offset", bigEndian64(1200)},
        {"kafka_dlt-original-timestamp", bigEndian64(Original.toMSecsSinceEpoch())},
        {"kafka_dlt-original-consumer-group", "billing"},
        {"kafka_dlt-exception-fqcn",
         "org.springframework.kafka.listener.ListenerExecutionFailedException"},
        {"kafka_dlt-exception-cause-fqcn", "java.lang.IllegalStateException"},
        {"kafka_dlt-exception-message", "Listener failed; card declined"},
        {"kafka_dlt-exception-stacktrace",
         "java.lang.IllegalStateException: card declined\n\tat x"},
        {"retry", "1"},
        {"retry", "2"}, // repeated: the object keeps the last, the list keeps both
        {"tombstone", QByteArray()},
    };
    DeadLetter &d = m.deadLetter;
    d.convention = DeadLetterConvention::SpringBlocking;
    d.originalDestination = QStringLiteral("orders");
    d.originalPartition = 1;
    d.originalOffset = 1200;
    d.originalTimestamp = Original;
    d.originalConsumerGroup = QStringLiteral("billing");
    d.reason = QStringLiteral("retries exhausted");
    d.exceptionClass = QStringLiteral("java.lang.IllegalStateException");
    d.exceptionMessage = QStringLiteral("Listener failed; card declined");
    d.stackTrace = QStringLiteral("java.lang.IllegalStateException: card declined\n\tat x");
    d.attempts = 4;
    d.lastFailedAt = Published;
    return m;
}

BrowsedMessage rabbitDeadLetter()
{
    const QDateTime died = QDateTime::fromSecsSinceEpoch(1'714'564'800, Qt::UTC);
    BrowsedMessage m;
    m.id = QStringLiteral("order-17");
    m.position = 5;
    m.timestamp = died;
    m.payload = "{\n  \"zeta\": 12345678901234567890,\n  \"alpha\": \"caf\xC3\xA9\"\n}";
    m.payloadSize = m.payload.size();
    const QVariantMap rejected {
        {QStringLiteral("count"), qint64(3)},
        {QStringLiteral("reason"), QStringLiteral("rejected")},
        {QStringLiteral("queue"), QStringLiteral("orders")},
        {QStringLiteral("exchange"), QStringLiteral("shop")},
        {QStringLiteral("routing-keys"), QVariantList {QStringLiteral("order.created")}},
        {QStringLiteral("time"), died},
    };
    m.amqpHeaders = {
        {QStringLiteral("x-death"), QVariantList {rejected}},
        {QStringLiteral("x-first-death-queue"), QStringLiteral("orders")},
        {QStringLiteral("x-first-death-reason"), QStringLiteral("rejected")},
        {QStringLiteral("checksum"), QByteArray("\xDE\xAD\xBE\xEF", 4)},
        {QStringLiteral("big"), qint64(9'007'199'254'740'993)}, // 2^53 + 1: no double holds it
        {QStringLiteral("huge"), quint64(18'000'000'000'000'000'000ULL)},
        {QStringLiteral("ratio"), 0.25},
        {QStringLiteral("retryable"), true},
        {QStringLiteral("void"), QVariant()},
        {QStringLiteral("nested"), QVariantMap {{QStringLiteral("depth"), 2}}},
    };
    m.amqpProperties = {
        {QStringLiteral("content_type"), QStringLiteral("application/json")},
        {QStringLiteral("message_id"), QStringLiteral("order-17")},
        {QStringLiteral("exchange"), QStringLiteral("shop.dlx")},
        {QStringLiteral("routing_key"), QStringLiteral("order.created")},
        {QStringLiteral("redelivered"), true},
        {QStringLiteral("delivery_mode"), 2},
    };
    DeadLetter &d = m.deadLetter;
    d.convention = DeadLetterConvention::RabbitXDeath;
    d.originalDestination = QStringLiteral("orders");
    d.originalExchange = QStringLiteral("shop");
    d.originalRoutingKeys = {QStringLiteral("order.created")};
    d.reason = QStringLiteral("rejected");
    d.attempts = 3;
    d.firstFailedAt = died;
    d.lastFailedAt = died;
    d.deaths = {XDeathEntry {3,
                             QStringLiteral("rejected"),
                             QStringLiteral("orders"),
                             QStringLiteral("shop"),
                             {QStringLiteral("order.created")},
                             died}};
    d.warnings = {QStringLiteral("x-death[0].count: expected a number, got text")};
    return m;
}

// What a script sees: the object after a trip through the serialised text.
QJsonObject roundTrip(const QJsonObject &object)
{
    QJsonParseError error;
    const QJsonDocument document
        = QJsonDocument::fromJson(QJsonDocument(object).toJson(QJsonDocument::Compact), &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("%s", qPrintable(error.errorString()));
    return document.object();
}

QByteArray fromBase64(const QJsonValue &value)
{
    QByteArray::FromBase64Result result = QByteArray::fromBase64Encoding(
        value.toString().toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    if (!result)
        qFatal("not base64: %s", qPrintable(value.toString()));
    return *result;
}

const QStringList ContractDeadLetterFields {
    QStringLiteral("original_destination"),
    QStringLiteral("reason"),
    QStringLiteral("exception_class"),
    QStringLiteral("exception_message"),
    QStringLiteral("attempts"),
    QStringLiteral("first_failed_at"),
    QStringLiteral("last_failed_at"),
};

} // namespace

class TestMessageJson : public QObject
{
    Q_OBJECT

private slots:
    void kafkaContract();
    void rabbitContract();
    void rabbitStreamOffset();
    void textKeyAndPayload();
    void truncatedPayload();
    void nullsWhereNothingIsKnown();
    void jsonLines();
    void writeJsonLinesToDevice();
    void writeJsonLinesFailsOnAClosedDevice();
    void writeJsonLinesReportsAFullDisk();
    void editedHeadersComeBackTyped();
};

void TestMessageJson::kafkaContract()
{
    const BrowsedMessage message = springDeadLetter();
    const QJsonObject o = roundTrip(messageToJson(message));

    QCOMPARE(o.value(u"id").toString(), QStringLiteral("2:41"));
    QCOMPARE(o.value(u"key").toObject().keys(), QStringList {QStringLiteral("base64")});
    QCOMPARE(fromBase64(o.value(u"key")[u"base64"]), QByteArray("\0\0\0\x07", 4));
    QCOMPARE(o.value(u"timestamp").toString(), QStringLiteral("2024-05-01T12:00:00.250Z"));
    QCOMPARE(o.value(u"size").toInteger(), 256);
    QVERIFY(!o.contains(u"payload_text"));
    QCOMPARE(fromBase64(o.value(u"payload_base64")), allBytes());
    QCOMPARE(o.value(u"payload_truncated"), QJsonValue(false));
    QCOMPARE(o.value(u"partition").toInt(), 2);
    QCOMPARE(o.value(u"offset").toInteger(), 41);
    QVERIFY(!o.contains(u"position"));
    QVERIFY(!o.contains(u"properties"));

    const QJsonObject headers = o.value(u"headers").toObject();
    QCOMPARE(headers.size(), 12); // 13 headers, "retry" twice
    QCOMPARE(headers.value(u"kafka_dlt-original-topic").toString(), QStringLiteral("orders"));
    QCOMPARE(fromBase64(headers.value(u"kafka_dlt-original-partition")[u"base64"]), bigEndian32(1));
    QCOMPARE(fromBase64(headers.value(u"kafka_dlt-original-offset")[u"base64"]), bigEndian64(1200));
    QCOMPARE(headers.value(u"kafka_dlt-exception-stacktrace").toString(),
             QStringLiteral("java.lang.IllegalStateException: card declined\n\tat x"));
    QCOMPARE(headers.value(u"retry").toString(), QStringLiteral("2"));
    QVERIFY(headers.contains(u"tombstone"));
    QVERIFY(headers.value(u"tombstone").isNull());

    const QJsonArray list = o.value(u"header_list").toArray();
    QCOMPARE(list.size(), message.kafkaHeaders.size());
    for (qsizetype i = 0; i < list.size(); ++i) {
        const QJsonObject entry = list[i].toObject();
        const KafkaHeader &header = message.kafkaHeaders[i];
        QCOMPARE(entry.value(u"name").toString(), QString::fromUtf8(header.name));
        QCOMPARE(entry.size(), 2);
        if (header.value.isNull())
            QVERIFY(entry.contains(u"value") && entry.value(u"value").isNull());
        else if (entry.contains(u"value_base64"))
            QCOMPARE(fromBase64(entry.value(u"value_base64")), header.value);
        else
            QCOMPARE(entry.value(u"value").toString().toUtf8(), header.value);
    }
    QCOMPARE(list[2].toObject().value(u"value_base64").toString(), QStringLiteral("AAAAAQ=="));
    QCOMPARE(list[11].toObject().value(u"value").toString(), QStringLiteral("2"));

    const QJsonObject d = o.value(u"dead_letter").toObject();
    for (const QString &field : ContractDeadLetterFields)
        QVERIFY2(d.contains(field), qPrintable(field));
    QCOMPARE(d.value(u"original_destination").toString(), QStringLiteral("orders"));
    QCOMPARE(d.value(u"reason").toString(), QStringLiteral("retries exhausted"));
    QCOMPARE(d.value(u"exception_class").toString(),
             QStringLiteral("java.lang.IllegalStateException"));
    QCOMPARE(d.value(u"exception_message").toString(),
             QStringLiteral("Listener failed; card declined"));
    QCOMPARE(d.value(u"attempts").toInt(), 4);
    QVERIFY(d.value(u"first_failed_at").isNull());
    QCOMPARE(d.value(u"last_failed_at").toString(), QStringLiteral("2024-05-01T12:00:00.250Z"));
    QCOMPARE(d.value(u"convention").toString(), QStringLiteral("spring-dlt"));
    QCOMPARE(d.value(u"original_partition").toInt(), 1);
    QCOMPARE(d.value(u"original_offset").toInteger(), 1200);
    QCOMPARE(d.value(u"original_timestamp").toString(), QStringLiteral("2024-05-01T11:58:20.000Z"));
    QCOMPARE(d.value(u"original_consumer_group").toString(), QStringLiteral("billing"));
    QVERIFY(d.value(u"original_exchange").isNull());
    QCOMPARE(d.value(u"original_routing_keys").toArray(), QJsonArray());
    QCOMPARE(d.value(u"exception_stacktrace").toString(), message.deadLetter.stackTrace);
    QVERIFY(d.value(u"connector_name").isNull());
    QVERIFY(d.value(u"connect_task_id").isNull());
    QCOMPARE(d.value(u"x_death").toArray(), QJsonArray());
    QCOMPARE(d.value(u"warnings").toArray(), QJsonArray());
}

void TestMessageJson::rabbitContract()
{
    const BrowsedMessage message = rabbitDeadLetter();
    const QJsonObject raw = messageToJson(message);
    const QJsonObject o = roundTrip(raw);

    QCOMPARE(o.value(u"id").toString(), QStringLiteral("order-17"));
    QVERIFY(o.contains(u"key"));
    QVERIFY(o.value(u"key").isNull()); // the routing key lives under properties
    QCOMPARE(o.value(u"timestamp").toString(), QStringLiteral("2024-05-01T12:00:00.000Z"));
    QCOMPARE(o.value(u"size").toInteger(), message.payload.size());
    // A JSON payload stays the text it was: same key order, same number literal.
    QCOMPARE(o.value(u"payload_text").toString().toUtf8(), message.payload);
    QVERIFY(!o.contains(u"payload_base64"));
    QCOMPARE(o.value(u"position").toInteger(), 5);
    QVERIFY(!o.contains(u"partition"));
    QVERIFY(!o.contains(u"offset"));
    QVERIFY(!o.contains(u"header_list"));

    const QJsonObject properties = o.value(u"properties").toObject();
    QCOMPARE(properties.value(u"routing_key").toString(), QStringLiteral("order.created"));
    QCOMPARE(properties.value(u"redelivered"), QJsonValue(true));
    QCOMPARE(properties.value(u"delivery_mode").toInt(), 2);

    const QJsonObject headers = o.value(u"headers").toObject();
    const QJsonObject death = headers.value(u"x-death").toArray().first().toObject();
    QCOMPARE(death.value(u"count").toInteger(), 3);
    QCOMPARE(death.value(u"reason").toString(), QStringLiteral("rejected"));
    QCOMPARE(death.value(u"routing-keys").toArray(), QJsonArray {QStringLiteral("order.created")});
    QCOMPARE(death.value(u"time").toString(), QStringLiteral("2024-05-01T12:00:00.000Z"));
    QCOMPARE(headers.value(u"x-first-death-queue").toString(), QStringLiteral("orders"));
    QCOMPARE(fromBase64(headers.value(u"checksum")[u"base64"]), QByteArray("\xDE\xAD\xBE\xEF", 4));
    QCOMPARE(headers.value(u"ratio").toDouble(), 0.25);
    QCOMPARE(headers.value(u"retryable"), QJsonValue(true));
    QVERIFY(headers.contains(u"void") && headers.value(u"void").isNull());
    QCOMPARE(headers.value(u"nested")[u"depth"].toInt(), 2);
    QCOMPARE(headers.value(u"big").toInteger(), 9'007'199'254'740'993);
    QVERIFY(QJsonDocument(raw).toJson(QJsonDocument::Compact).contains("\"big\":9007199254740993"));
    QCOMPARE(headers.value(u"huge").toDouble(), 1.8e19);

    const QJsonObject d = o.value(u"dead_letter").toObject();
    for (const QString &field : ContractDeadLetterFields)
        QVERIFY2(d.contains(field), qPrintable(field));
    QCOMPARE(d.value(u"original_destination").toString(), QStringLiteral("orders"));
    QCOMPARE(d.value(u"reason").toString(), QStringLiteral("rejected"));
    QVERIFY(d.value(u"exception_class").isNull());
    QVERIFY(d.value(u"exception_message").isNull());
    QCOMPARE(d.value(u"attempts").toInt(), 3);
    QCOMPARE(d.value(u"first_failed_at").toString(), QStringLiteral("2024-05-01T12:00:00.000Z"));
    QCOMPARE(d.value(u"last_failed_at").toString(), QStringLiteral("2024-05-01T12:00:00.000Z"));
    QCOMPARE(d.value(u"convention").toString(), QStringLiteral("x-death"));
    QCOMPARE(d.value(u"original_exchange").toString(), QStringLiteral("shop"));
    QCOMPARE(d.value(u"original_routing_keys").toArray(),
             QJsonArray {QStringLiteral("order.created")});
    QVERIFY(d.value(u"original_partition").isNull());
    QVERIFY(d.value(u"original_offset").isNull());
    const QJsonArray deaths = d.value(u"x_death").toArray();
    QCOMPARE(deaths.size(), 1);
    QCOMPARE(deaths[0].toObject(),
             (QJsonObject {
                 {QStringLiteral("count"), 3},
                 {QStringLiteral("reason"), QStringLiteral("rejected")},
                 {QStringLiteral("queue"), QStringLiteral("orders")},
                 {QStringLiteral("exchange"), QStringLiteral("shop")},
                 {QStringLiteral("routing_keys"), QJsonArray {QStringLiteral("order.created")}},
                 {QStringLiteral("time"), QStringLiteral("2024-05-01T12:00:00.000Z")}}));
    QCOMPARE(d.value(u"warnings").toArray(),
             QJsonArray {QStringLiteral("x-death[0].count: expected a number, got text")});
}

void TestMessageJson::rabbitStreamOffset()
{
    BrowsedMessage message;
    message.id = QStringLiteral("@77");
    message.offset = 77;
    const QJsonObject o = roundTrip(messageToJson(message));
    QCOMPARE(o.value(u"offset").toInteger(), 77);
    QVERIFY(o.contains(u"position") && o.value(u"position").isNull());
    QCOMPARE(o.value(u"properties").toObject(), QJsonObject());
}

void TestMessageJson::textKeyAndPayload()
{
    BrowsedMessage message;
    message.partition = 0;
    message.offset = 0;
    message.key = QByteArray("order-17");
    // A BOM is part of the payload's bytes, and control characters survive as escapes.
    message.payload = "\xEF\xBB\xBForder 17 \xE2\x82\xAC\tdeclined";
    message.payloadSize = message.payload.size();
    message.kafkaHeaders = {{"empty", ""}};
    const QJsonObject o = roundTrip(messageToJson(message));
    QCOMPARE(o.value(u"key").toString(), QStringLiteral("order-17"));
    QCOMPARE(o.value(u"payload_text").toString().toUtf8(), message.payload);
    QCOMPARE(o.value(u"headers")[u"empty"], QJsonValue(QString()));
    QCOMPARE(o.value(u"header_list")[0][u"value"], QJsonValue(QString()));

    message.key = QByteArray(""); // an empty key is not a null key
    message.payload.clear();
    message.payloadSize = 0;
    const QJsonObject empty = roundTrip(messageToJson(message));
    QCOMPARE(empty.value(u"key"), QJsonValue(QString()));
    QCOMPARE(empty.value(u"payload_text"), QJsonValue(QString()));
}

void TestMessageJson::truncatedPayload()
{
    BrowsedMessage message;
    message.partition = 0;
    message.offset = 9;
    // The browse cap cut "é" in half: the text holds what is whole, size tells the rest.
    message.payload = "caf\xC3";
    message.payloadSize = 5000;
    QJsonObject o = roundTrip(messageToJson(message));
    QCOMPARE(o.value(u"payload_text").toString(), QStringLiteral("caf"));
    QCOMPARE(o.value(u"payload_truncated"), QJsonValue(true));
    QCOMPARE(o.value(u"size").toInteger(), 5000);

    message.payload = QByteArray("\x01\x02\xFF", 3);
    o = roundTrip(messageToJson(message));
    QCOMPARE(fromBase64(o.value(u"payload_base64")), message.payload);
    QCOMPARE(o.value(u"payload_truncated"), QJsonValue(true));
}

void TestMessageJson::nullsWhereNothingIsKnown()
{
    BrowsedMessage message;
    message.id = QStringLiteral("#0");
    message.position = 0;
    const QJsonObject o = roundTrip(messageToJson(message));
    for (const char16_t *field : {u"key", u"timestamp"})
        QVERIFY2(o.contains(field) && o.value(field).isNull(),
                 qPrintable(QStringView(field).toString()));
    QCOMPARE(o.value(u"size").toInteger(), 0);
    QCOMPARE(o.value(u"headers").toObject(), QJsonObject());
    QCOMPARE(o.value(u"payload_text").toString(), QString());
    const QJsonObject d = o.value(u"dead_letter").toObject();
    for (const QString &field : ContractDeadLetterFields)
        QVERIFY2(d.contains(field) && d.value(field).isNull(), qPrintable(field));
    for (const char16_t *field : {u"original_partition", u"original_offset", u"original_timestamp",
                                  u"original_consumer_group", u"original_exchange",
                                  u"exception_stacktrace", u"connector_name", u"connect_task_id"})
        QVERIFY2(d.contains(field) && d.value(field).isNull(),
                 qPrintable(QStringView(field).toString()));
    QCOMPARE(d.value(u"convention").toString(),
             deadLetterConventionName(DeadLetterConvention::None));
    QVERIFY(!d.value(u"convention").toString().isEmpty());
}

void TestMessageJson::jsonLines()
{
    BrowsedMessage multiline;
    multiline.id = QStringLiteral("1:0");
    multiline.partition = 1;
    multiline.offset = 0;
    multiline.payload = "line one\nline two\n";
    multiline.payloadSize = multiline.payload.size();
    const BrowsedMessageList messages {springDeadLetter(), rabbitDeadLetter(), multiline};

    const QByteArray lines = messagesToJsonLines(messages);
    QVERIFY(lines.endsWith('\n'));
    const QList<QByteArray> split = lines.split('\n');
    QCOMPARE(split.size(), 4);
    QVERIFY(split.last().isEmpty());
    for (int i = 0; i < 3; ++i) {
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(split[i], &error);
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
        QCOMPARE(document.object(), roundTrip(messageToJson(messages[i])));
    }
    QCOMPARE(QJsonDocument::fromJson(split[2]).object().value(u"payload_text").toString(),
             QStringLiteral("line one\nline two\n"));
    QCOMPARE(messagesToJsonLines({}), QByteArray());
}

void TestMessageJson::writeJsonLinesToDevice()
{
    const BrowsedMessageList messages {springDeadLetter(), rabbitDeadLetter()};
    QBuffer buffer;
    QVERIFY(buffer.open(QIODevice::WriteOnly));
    QString error;
    QVERIFY(writeJsonLines(buffer, messages, &error));
    QVERIFY(error.isEmpty());
    QCOMPARE(buffer.data(), messagesToJsonLines(messages));
}

void TestMessageJson::writeJsonLinesFailsOnAClosedDevice()
{
    QBuffer closed;
    QString error;
    QVERIFY(!writeJsonLines(closed, {springDeadLetter()}, &error));
    QVERIFY(!error.isEmpty());

    QByteArray data;
    QBuffer readOnly(&data);
    QVERIFY(readOnly.open(QIODevice::ReadOnly));
    error.clear();
    QVERIFY(!writeJsonLines(readOnly, {springDeadLetter()}, &error));
    QVERIFY(!error.isEmpty());
    QVERIFY(!writeJsonLines(readOnly, {springDeadLetter()}, nullptr)); // no error wanted
}

void TestMessageJson::writeJsonLinesReportsAFullDisk()
{
    // /dev/full takes the open and fails every write with ENOSPC; a buffered file only
    // finds out when it flushes.
    for (const QIODevice::OpenMode mode : {QIODevice::OpenMode(QIODevice::WriteOnly),
                                           QIODevice::WriteOnly | QIODevice::Unbuffered}) {
        QFile full(QStringLiteral("/dev/full"));
        QVERIFY2(full.open(mode), qPrintable(full.errorString()));
        QString error;
        QVERIFY(!writeJsonLines(full, {springDeadLetter()}, &error));
        QVERIFY2(error.contains(u"space", Qt::CaseInsensitive), qPrintable(error));
    }
}

void TestMessageJson::editedHeadersComeBackTyped()
{
    const QDateTime when = QDateTime::fromSecsSinceEpoch(1'700'000'000, Qt::UTC);
    const QVariantMap original {{QStringLiteral("x-death"),
                                 QVariantList {QVariantMap {{QStringLiteral("count"), qint64(2)},
                                                            {QStringLiteral("time"), when}}}},
                                {QStringLiteral("small"), QVariant::fromValue<qint8>(7)},
                                {QStringLiteral("bin"), QByteArray("\xff\x00", 2)},
                                {QStringLiteral("tenant"), QStringLiteral("acme")}};
    // Round trip: every value keeps its type, even those JSON cannot tell apart.
    QCOMPARE(amqpTableFromJson(amqpTableToJson(original), original), original);

    // Edited and new keys are read as JSON says; dropped keys are gone.
    QJsonObject edited = amqpTableToJson(original);
    edited.insert(QStringLiteral("tenant"), QStringLiteral("globex"));
    edited.insert(QStringLiteral("retries"), 3);
    edited.insert(QStringLiteral("blob"),
                  QJsonObject {{QStringLiteral("base64"), QStringLiteral("AAE=")}});
    edited.insert(QStringLiteral("nested"),
                  QJsonObject {{QStringLiteral("a"), QJsonArray {1.5, true}}});
    edited.insert(QStringLiteral("nothing"), QJsonValue());
    edited.remove(QStringLiteral("small"));
    const QVariantMap back = amqpTableFromJson(edited, original);
    QCOMPARE(back.value(QStringLiteral("x-death")), original.value(QStringLiteral("x-death")));
    QCOMPARE(back.value(QStringLiteral("tenant")).toString(), QStringLiteral("globex"));
    QCOMPARE(back.value(QStringLiteral("retries")).typeId(), int(QMetaType::LongLong));
    QCOMPARE(back.value(QStringLiteral("blob")).toByteArray(), QByteArray("\x00\x01", 2));
    QCOMPARE(back.value(QStringLiteral("nested")).toMap().value(QStringLiteral("a")).toList(),
             (QVariantList {1.5, true}));
    QVERIFY(back.contains(QStringLiteral("nothing")));
    QVERIFY(!back.value(QStringLiteral("nothing")).isValid());
    QVERIFY(!back.contains(QStringLiteral("small")));
}

QTEST_GUILESS_MAIN(TestMessageJson)
#include "tst_messagejson.moc"
