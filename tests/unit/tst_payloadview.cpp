// How payloads and headers are shown: classification, pretty JSON that keeps the
// document's own keys and numbers, text that never hides or loses a byte, xxd-style
// dumps, one-line previews, byte sizes, and the header trees of both brokers.
#include "deadletter/payloadview.h"
#include "deadletter/springkafkaheaders.h"

#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QTest>

using namespace veltrix;

Q_DECLARE_METATYPE(veltrix::PayloadKind)

class TestPayloadView : public QObject
{
    Q_OBJECT

private slots:
    void classify_data();
    void classify();
    void prettyJsonLayout_data();
    void prettyJsonLayout();
    void prettyJsonKeepsKeyOrderAndNumbers();
    void prettyJsonBoundsDeepNesting();
    void safeTextEscapes_data();
    void safeTextEscapes();
    void safeTextNeverLosesBytes();
    void hexDumpLayout_data();
    void hexDumpLayout();
    void hexDumpCap();
    void preview_data();
    void preview();
    void previewStaysCheapOnHugePayloads();
    void byteSizes_data();
    void byteSizes();
    void amqpHeaderTree();
    void kafkaHeaderTree();
    void kafkaSpringNumbersOfTheWrongSizeStayBinary();
};

void TestPayloadView::classify_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QString>("contentType");
    QTest::addColumn<bool>("truncated");
    QTest::addColumn<PayloadKind>("kind");

    const QString none;
    const auto json = PayloadKind::Json;
    const auto text = PayloadKind::Text;
    const auto binary = PayloadKind::Binary;
    QTest::newRow("empty") << QByteArray() << none << false << PayloadKind::Empty;
    QTest::newRow("object") << QByteArray(R"({"id": 1})") << none << false << json;
    QTest::newRow("array with whitespace") << QByteArray(" \n[1, 2]\n") << none << false << json;
    QTest::newRow("object after BOM") << QByteArray("\xEF\xBB\xBF{}") << none << false << json;
    QTest::newRow("scalar is text") << QByteArray("42") << none << false << text;
    QTest::newRow("json string is text") << QByteArray(R"("abc")") << none << false << text;
    QTest::newRow("broken json is text") << QByteArray(R"({"id": )") << none << false << text;
    QTest::newRow("json hint is no proof")
        << QByteArray("not json") << QStringLiteral("application/json") << false << text;
    QTest::newRow("plain text") << QByteArray("order 17 failed") << none << false << text;
    QTest::newRow("tabs and crlf") << QByteArray("a\tb\r\nc\n") << none << false << text;
    QTest::newRow("multibyte utf-8")
        << QByteArray("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x93\xA6") << none << false << text;
    QTest::newRow("nul") << QByteArray("abc\0def", 7) << none << false << binary;
    QTest::newRow("java int key") << QByteArray("\0\0\0\x07", 4) << none << false << binary;
    QTest::newRow("invalid byte") << QByteArray("abc\xFF") << none << false << binary;
    QTest::newRow("overlong slash") << QByteArray("\xC0\xAF") << none << false << binary;
    QTest::newRow("surrogate") << QByteArray("\xED\xA0\x80") << none << false << binary;
    QTest::newRow("beyond U+10FFFF") << QByteArray("\xF4\x90\x80\x80") << none << false << binary;
    QTest::newRow("lone continuation") << QByteArray("a\x80z") << none << false << binary;
    QTest::newRow("protobuf-like") << QByteArray("\n\x05hello") << none << false << binary;
    QTest::newRow("protobuf hint")
        << QByteArray("\n\x05hello") << QStringLiteral("application/x-protobuf") << false << binary;
    QTest::newRow("text hint tolerates an escape")
        << QByteArray("\x1B[31mERROR\x1B[0m") << QStringLiteral("text/plain; charset=utf-8")
        << false << text;
    QTest::newRow("one escape in a long text is tolerated")
        << (QByteArray(150, 'a') + "\x1B") << none << false << text;
    QTest::newRow("an escape in a short text is not")
        << QByteArray("ab\x1B") << none << false << binary;
    QTest::newRow("binary hint is no proof")
        << QByteArray("hello") << QStringLiteral("application/octet-stream") << false << text;
    QTest::newRow("binary hint, an escape")
        << (QByteArray(150, 'a') + "\x1B") << QStringLiteral("application/octet-stream") << false
        << binary;
    QTest::newRow("cut character, whole payload")
        << QByteArray("caf\xC3") << none << false << binary;
    QTest::newRow("cut character, truncated") << QByteArray("caf\xC3") << none << true << text;
    QTest::newRow("cut four-byte character, truncated")
        << QByteArray("x\xF0\x9F\x93") << none << true << text;
    QTest::newRow("invalid byte, truncated") << QByteArray("a\xFFz") << none << true << binary;
    QTest::newRow("truncated json") << QByteArray(R"({"items": [1, 2,)") << none << true << json;
}

void TestPayloadView::classify()
{
    QFETCH(QByteArray, payload);
    QFETCH(QString, contentType);
    QFETCH(bool, truncated);
    QFETCH(PayloadKind, kind);
    QCOMPARE(payloadKindName(classifyPayload(payload, contentType, truncated)),
             payloadKindName(kind));
    QCOMPARE(isTextPayload(payload), classifyPayload(payload) != PayloadKind::Binary);
}

void TestPayloadView::prettyJsonLayout_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("pretty");

    QTest::newRow("object") << QByteArray(R"({"a":1,"b":[true,null]})")
                            << QStringLiteral(
                                   "{\n  \"a\": 1,\n  \"b\": [\n    true,\n    null\n  ]\n}");
    QTest::newRow("empty containers stay closed")
        << QByteArray(R"({ "a" : { }, "b" : [ ] })")
        << QStringLiteral("{\n  \"a\": {},\n  \"b\": []\n}");
    QTest::newRow("strings keep brackets, escapes and spaces")
        << QByteArray(R"(["{ [a, b]: }", "q\"}", "\\", "x  y"])")
        << QStringLiteral("[\n  \"{ [a, b]: }\",\n  \"q\\\"}\",\n  \"\\\\\",\n  \"x  y\"\n]");
    QTest::newRow("nested objects in an array")
        << QByteArray(R"([{"id":1},{"id":2}])")
        << QStringLiteral("[\n  {\n    \"id\": 1\n  },\n  {\n    \"id\": 2\n  }\n]");
    QTest::newRow("byte order mark dropped")
        << QByteArray("\xEF\xBB\xBF[1]") << QStringLiteral("[\n  1\n]");
    QTest::newRow("unicode") << QByteArray("{\"name\":\"caf\xC3\xA9\"}")
                             << QStringLiteral("{\n  \"name\": \"café\"\n}");
    QTest::newRow("truncated document")
        << QByteArray(R"({"items":[{"sku":"A-1","qty)")
        << QStringLiteral("{\n  \"items\": [\n    {\n      \"sku\": "
                          "\"A-1\",\n      \"qty");
}

void TestPayloadView::prettyJsonLayout()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, pretty);
    QCOMPARE(prettyJson(json), pretty);
}

void TestPayloadView::prettyJsonKeepsKeyOrderAndNumbers()
{
    // QJsonDocument would sort the keys and turn the id into 1.2345678901234567e+19.
    const QByteArray json = R"({"zeta":12345678901234567890,"alpha":0.10000000000000000001,)"
                            R"("zeta":"duplicate"})";
    const QString pretty = prettyJson(json);
    QCOMPARE(pretty,
             QStringLiteral("{\n  \"zeta\": 12345678901234567890,\n  \"alpha\": "
                            "0.10000000000000000001,\n  \"zeta\": \"duplicate\"\n}"));
    // Nothing but whitespace changed.
    QByteArray squeezed = pretty.toUtf8();
    squeezed.replace("\n", "").replace("  ", "").replace(": ", ":");
    QCOMPARE(squeezed, json);
}

void TestPayloadView::prettyJsonBoundsDeepNesting()
{
    // Indentation a level deep for each of 100,000 levels would be gigabytes.
    const QByteArray deep = QByteArray(100'000, '[') + QByteArray(100'000, ']');
    const QString pretty = prettyJson(deep);
    QVERIFY2(pretty.size() < 30'000'000, qPrintable(QString::number(pretty.size())));
    QCOMPARE(pretty.count(u'['), 100'000);
    QCOMPARE(pretty.count(u']'), 100'000);
    QVERIFY(pretty.contains(u'\n' + QString(64, u' ') + u'['));
    QVERIFY(!pretty.contains(QString(66, u' ')));
}

void TestPayloadView::safeTextEscapes_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("shown");

    QTest::newRow("plain") << QByteArray("hello") << QStringLiteral("hello");
    QTest::newRow("unicode stays")
        << QByteArray("caf\xC3\xA9 \xF0\x9F\x93\xA6") << QStringLiteral("café 📦");
    QTest::newRow("tab and newline stay") << QByteArray("a\tb\nc") << QStringLiteral("a\tb\nc");
    QTest::newRow("crlf stays") << QByteArray("a\r\nb") << QStringLiteral("a\r\nb");
    QTest::newRow("lone cr shown") << QByteArray("a\rb") << QStringLiteral("a\\x0Db");
    QTest::newRow("invalid byte") << QByteArray("ab\xFF"
                                                "c")
                                  << QStringLiteral("ab\\xFFc");
    QTest::newRow("nul and escape") << QByteArray("\0\x1B", 2) << QStringLiteral("\\x00\\x1B");
    QTest::newRow("del") << QByteArray("\x7F") << QStringLiteral("\\x7F");
    QTest::newRow("c1 control as its bytes")
        << QByteArray("\xC2\x85") << QStringLiteral("\\xC2\\x85");
    QTest::newRow("cut character") << QByteArray("caf\xC3") << QStringLiteral("caf\\xC3");
    QTest::newRow("overlong") << QByteArray("\xC0\xAF") << QStringLiteral("\\xC0\\xAF");
    QTest::newRow("bidi override")
        << QByteArray("user\xE2\x80\xAEgpj.exe") << QStringLiteral("user\\u{202E}gpj.exe");
    QTest::newRow("zero width space") << QByteArray("a\xE2\x80\x8B"
                                                    "b")
                                      << QStringLiteral("a\\u{200B}b");
    QTest::newRow("bom") << QByteArray("\xEF\xBB\xBFhi") << QStringLiteral("\\u{FEFF}hi");
    QTest::newRow("backslash alone stays")
        << QByteArray(R"(C:\temp\n)") << QStringLiteral(R"(C:\temp\n)");
    QTest::newRow("backslash before x doubled")
        << QByteArray(R"(C:\xavier)") << QStringLiteral(R"(C:\\xavier)");
    QTest::newRow("backslash before u doubled")
        << QByteArray(R"(\u0041)") << QStringLiteral(R"(\\u0041)");
    QTest::newRow("two backslashes") << QByteArray(R"(a\\b)") << QStringLiteral(R"(a\\\b)");
    QTest::newRow("backslash before an escape")
        << QByteArray("\\\xFF") << QStringLiteral("\\\\\\xFF");
    QTest::newRow("backslash at end") << QByteArray("a\\") << QStringLiteral("a\\");
}

void TestPayloadView::safeTextEscapes()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, shown);
    QCOMPARE(safeText(bytes), shown);
    QCOMPARE(unescapeSafeText(shown), bytes);
}

void TestPayloadView::safeTextNeverLosesBytes()
{
    // Random bytes drawn mostly from the characters that take part in escapes, so the
    // ambiguous neighbours (a backslash before "x", "u", another backslash or an escaped
    // byte) all occur many times.
    static const char symbols[] = "\\xu{}0AFaz \n\r\t\x1B\x7F\x80\xBF\xC2\xC3\xA9\xE2\x80\xAE"
                                  "\xEF\xBB\xBF\xF0\x9F\x93\xA6\xFF";
    const QByteArray alphabet = QByteArray(symbols) + '\0';
    QRandomGenerator random(20240501);
    for (int round = 0; round < 5000; ++round) {
        QByteArray bytes(random.bounded(1, 40), Qt::Uninitialized);
        for (char &c : bytes)
            c = random.bounded(4) == 0 ? char(random.bounded(256))
                                       : alphabet[random.bounded(int(alphabet.size()))];
        const QString shown = safeText(bytes);
        QCOMPARE(unescapeSafeText(shown), bytes);
        // Nothing invisible gets through.
        for (const QChar c : shown) {
            QVERIFY2(c.unicode() >= 0x20 || c == u'\n' || c == u'\t' || c == u'\r',
                     qPrintable(shown));
            QVERIFY(c != QChar::ReplacementCharacter || bytes.contains("\xEF\xBF\xBD"));
        }
    }
}

void TestPayloadView::hexDumpLayout_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("dump");

    // Expected text as `xxd` prints the same bytes.
    QTest::newRow("empty") << QByteArray() << QString();
    QTest::newRow("three bytes") << QByteArray(
        "abc") << QStringLiteral("00000000: 6162 63                                  abc\n");
    QTest::newRow("two lines with binary")
        << QByteArray("Hello\0world, this is a longer line of text!\n", 44)
        << QStringLiteral("00000000: 4865 6c6c 6f00 776f 726c 642c 2074 6869  Hello.world, thi\n"
                          "00000010: 7320 6973 2061 206c 6f6e 6765 7220 6c69  s is a longer li\n"
                          "00000020: 6e65 206f 6620 7465 7874 210a            ne of text!.\n");
    QTest::newRow("exactly sixteen, high bytes")
        << QByteArray("\x00\x01\x7F\x80\xFE\xFF"
                      "0123456789",
                      16)
        << QStringLiteral("00000000: 0001 7f80 feff 3031 3233 3435 3637 3839  ......0123456789\n");
}

void TestPayloadView::hexDumpLayout()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, dump);
    QCOMPARE(hexDump(bytes, -1), dump);
}

void TestPayloadView::hexDumpCap()
{
    const QByteArray bytes(100, 'z');
    const QStringList lines = hexDump(bytes, 32).split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 3);
    QVERIFY(lines[1].startsWith(u"00000010: 7a7a"));
    QCOMPARE(lines[2], QStringLiteral("… 68 more bytes not shown"));
    // Offsets past 4 GiB are not something we hold, but past 64 KiB are: eight digits.
    const QStringList big = hexDump(QByteArray(70'000, 'a'), -1).split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(big.size(), 4375);
    QVERIFY(big.last().startsWith(u"00011160: 6161"));
}

void TestPayloadView::preview_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<int>("maxChars");
    QTest::addColumn<qint64>("totalSize");
    QTest::addColumn<QString>("preview");

    QTest::newRow("empty") << QByteArray() << 40 << qint64(-1) << QStringLiteral("(empty)");
    QTest::newRow("json compacted, key order kept")
        << QByteArray("{\n  \"z\": 1,\n  \"a\": \"x  y\"\n}") << 40 << qint64(-1)
        << QStringLiteral(R"({"z":1,"a":"x y"})");
    QTest::newRow("whitespace collapsed") << QByteArray("  line one\r\n\tline two  \n") << 40
                                          << qint64(-1) << QStringLiteral("line one line two");
    QTest::newRow("cut with ellipsis")
        << QByteArray("abcdefghijklmnop") << 8 << qint64(-1) << QStringLiteral("abcdefg…");
    QTest::newRow("exact fit") << QByteArray("abcdefgh") << 8 << qint64(-1)
                               << QStringLiteral("abcdefgh");
    QTest::newRow("truncated payload says so")
        << QByteArray("short") << 40 << qint64(5000) << QStringLiteral("short…");
    QTest::newRow("tolerated control escaped")
        << QByteArray(100, 'a').append("\x1B") << 120 << qint64(-1)
        << QString(QString(100, u'a') + QStringLiteral("\\x1B"));
    QTest::newRow("short text with a control is binary")
        << QByteArray("aaa\x1B") << 40 << qint64(-1) << QStringLiteral("binary, 4 B: 61 61 61 1b");
    QTest::newRow("binary") << QByteArray("\x0a\x1b\x00\xff\x10", 5) << 40 << qint64(-1)
                            << QStringLiteral("binary, 5 B: 0a 1b 00 ff 10");
    QTest::newRow("binary cut") << QByteArray(2000, '\0') << 32 << qint64(-1)
                                << QStringLiteral("binary, 2.0 KiB: 00 00 00 00 …");
    QTest::newRow("binary, truncated, whole size")
        << QByteArray("\0\x01", 2) << 40 << qint64(1'300'000)
        << QStringLiteral("binary, 1.2 MiB: 00 01 …");
    QTest::newRow("invalid utf-8")
        << QByteArray("caf\xE9") << 40 << qint64(-1) << QStringLiteral("binary, 4 B: 63 61 66 e9");
    QTest::newRow("surrogate pair not split") << QByteArray("ab\xF0\x9F\x93\xA6\xF0\x9F\x93\xA6")
                                              << 4 << qint64(-1) << QStringLiteral("ab…");
}

void TestPayloadView::preview()
{
    QFETCH(QByteArray, payload);
    QFETCH(int, maxChars);
    QFETCH(qint64, totalSize);
    QFETCH(QString, preview);
    const QString shown = payloadPreview(payload, maxChars, totalSize);
    QCOMPARE(shown, preview);
    QVERIFY(shown.size() <= maxChars);
    QVERIFY(!shown.contains(u'\n'));
}

void TestPayloadView::previewStaysCheapOnHugePayloads()
{
    // A whole 16 MiB JSON document must not be parsed for a table cell.
    QByteArray huge = "{\"items\":[";
    while (huge.size() < 16 * 1024 * 1024)
        huge += "{\"sku\":\"A-1\",\"qty\":1},";
    huge += "{}]}";
    const QString expected
        = QStringLiteral(R"({"items":[{"sku":"A-1","qty":1},{"sku":"A-1","qty":1},{"sku…)");
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < 1000; ++i)
        QCOMPARE(payloadPreview(huge, 60), expected);
    const qint64 ms = timer.elapsed();
    qInfo("1000 previews of a 16 MiB payload: %lld ms", ms);
    QVERIFY2(ms < 1000, qPrintable(QString::number(ms)));
}

void TestPayloadView::byteSizes_data()
{
    QTest::addColumn<qint64>("bytes");
    QTest::addColumn<QString>("text");

    QTest::newRow("zero") << qint64(0) << QStringLiteral("0 B");
    QTest::newRow("512") << qint64(512) << QStringLiteral("512 B");
    QTest::newRow("1023") << qint64(1023) << QStringLiteral("1023 B");
    QTest::newRow("1024") << qint64(1024) << QStringLiteral("1.0 KiB");
    QTest::newRow("1.2 KiB") << qint64(1229) << QStringLiteral("1.2 KiB");
    QTest::newRow("just under a MiB") << qint64(1024 * 1024 - 1) << QStringLiteral("1.0 MiB");
    QTest::newRow("3.4 MiB") << qint64(3'565'158) << QStringLiteral("3.4 MiB");
    QTest::newRow("5 GiB") << qint64(5) * 1024 * 1024 * 1024 << QStringLiteral("5.0 GiB");
    QTest::newRow("max") << std::numeric_limits<qint64>::max() << QStringLiteral("8.0 EiB");
}

void TestPayloadView::byteSizes()
{
    QFETCH(qint64, bytes);
    QFETCH(QString, text);
    QCOMPARE(formatByteSize(bytes), text);
}

static const HeaderNode *child(const QList<HeaderNode> &nodes, const QString &name)
{
    for (const HeaderNode &node : nodes) {
        if (node.name == name)
            return &node;
    }
    return nullptr;
}

void TestPayloadView::amqpHeaderTree()
{
    const QDateTime died = QDateTime::fromSecsSinceEpoch(1'714'564'800, Qt::UTC);
    const QVariantMap rejected {
        {QStringLiteral("count"), qint64(3)},
        {QStringLiteral("reason"), QStringLiteral("rejected")},
        {QStringLiteral("queue"), QStringLiteral("orders")},
        {QStringLiteral("exchange"), QStringLiteral("shop")},
        {QStringLiteral("routing-keys"), QVariantList {QStringLiteral("order.created")}},
        {QStringLiteral("time"), died},
    };
    const QVariantMap expired {
        {QStringLiteral("count"), qint64(1)},
        {QStringLiteral("reason"), QStringLiteral("expired")},
        {QStringLiteral("queue"), QStringLiteral("orders.wait")},
    };
    BrowsedMessage message;
    message.amqpHeaders = {
        {QStringLiteral("x-death"), QVariantList {rejected, expired}},
        {QStringLiteral("x-first-death-queue"), QStringLiteral("orders")},
        {QStringLiteral("checksum"), QByteArray("\xDE\xAD\xBE\xEF", 4)},
        {QStringLiteral("retryable"), true},
        {QStringLiteral("ratio"), 0.25},
        {QStringLiteral("note"), QStringLiteral("line\x1B")},
        {QStringLiteral("nothing"), QVariant()},
    };
    const QList<HeaderNode> tree = headerTree(message);
    QCOMPARE(tree.size(), 7);

    const HeaderNode *xDeath = child(tree, QStringLiteral("x-death"));
    QVERIFY(xDeath);
    QCOMPARE(xDeath->type, QStringLiteral("array"));
    QCOMPARE(xDeath->value, QStringLiteral("2 items"));
    QCOMPARE(xDeath->children.size(), 2);
    const HeaderNode &first = xDeath->children[0];
    QCOMPARE(first.name, QStringLiteral("[0]"));
    QCOMPARE(first.type, QStringLiteral("table"));
    // Collapsed, the entry still says what it is.
    QCOMPARE(first.value,
             QStringLiteral("count=3, exchange=shop, queue=orders, reason=rejected, "
                            "time=2024-05-01T12:00:00Z"));
    QCOMPARE(first.children.size(), 6);
    QCOMPARE(
        *child(first.children, QStringLiteral("count")),
        (HeaderNode {QStringLiteral("count"), QStringLiteral("3"), QStringLiteral("int"), {}}));
    QCOMPARE(child(first.children, QStringLiteral("time"))->type, QStringLiteral("timestamp"));
    QCOMPARE(child(first.children, QStringLiteral("time"))->value,
             QStringLiteral("2024-05-01T12:00:00Z"));
    const HeaderNode *keys = child(first.children, QStringLiteral("routing-keys"));
    QCOMPARE(keys->type, QStringLiteral("array"));
    QCOMPARE(keys->value, QStringLiteral("1 item"));
    QCOMPARE(keys->children.value(0).value, QStringLiteral("order.created"));
    QCOMPARE(xDeath->children[1].value,
             QStringLiteral("count=1, queue=orders.wait, reason=expired"));

    QCOMPARE(*child(tree, QStringLiteral("checksum")),
             (HeaderNode {QStringLiteral("checksum"),
                          QStringLiteral("de ad be ef"),
                          QStringLiteral("binary (4 bytes)"),
                          {}}));
    QCOMPARE(child(tree, QStringLiteral("retryable"))->value, QStringLiteral("true"));
    QCOMPARE(child(tree, QStringLiteral("retryable"))->type, QStringLiteral("bool"));
    QCOMPARE(child(tree, QStringLiteral("ratio"))->value, QStringLiteral("0.25"));
    QCOMPARE(child(tree, QStringLiteral("ratio"))->type, QStringLiteral("float"));
    QCOMPARE(child(tree, QStringLiteral("note"))->value, QStringLiteral("line\\x1B"));
    QCOMPARE(child(tree, QStringLiteral("nothing"))->type, QStringLiteral("null"));
}

void TestPayloadView::kafkaHeaderTree()
{
    BrowsedMessage message;
    message.partition = 0;
    message.amqpHeaders = {{QStringLiteral("ignored"), 1}}; // Kafka headers take precedence
    message.kafkaHeaders = {
        {"kafka_dlt-original-topic", "orders"},
        {"kafka_dlt-original-partition", bigEndian32(3)},
        {"kafka_dlt-original-offset", bigEndian64(1234567890123)},
        {"kafka_dlt-original-timestamp", bigEndian64(1'714'564'800'123)},
        {"retry_topic-attempts", bigEndian32(4)},
        {"retry_topic-attempts", QByteArray(1, '\x02')},
        {"retry_topic-backoff-timestamp", javaBigIntegerBytes(1'714'564'800'000)},
        {"kafka_original-offset", bigEndian64(-1)},
        {"tombstone", QByteArray()},
        {"empty", QByteArray("")},
        {"trace-bin", QByteArray("\x01\x02\xFF", 3)},
        {"b\xFFname", "v"},
    };
    const QList<HeaderNode> tree = headerTree(message);
    QCOMPARE(tree.size(), message.kafkaHeaders.size());
    const auto node = [](const char *name, const char *value, const char *type) {
        return HeaderNode {
            QString::fromUtf8(name), QString::fromUtf8(value), QString::fromUtf8(type), {}};
    };
    QCOMPARE(tree[0], node("kafka_dlt-original-topic", "orders", "string"));
    QCOMPARE(tree[1],
             node("kafka_dlt-original-partition", "00 00 00 03 (= 3)", "int (4-byte big-endian)"));
    QCOMPARE(tree[2],
             node("kafka_dlt-original-offset", "00 00 01 1f 71 fb 04 cb (= 1234567890123)",
                  "int (8-byte big-endian)"));
    QCOMPARE(tree[3],
             node("kafka_dlt-original-timestamp",
                  "00 00 01 8f 34 06 9e 7b (= 1714564800123, 2024-05-01T12:00:00.123Z)",
                  "timestamp (8-byte big-endian ms)"));
    QCOMPARE(tree[4], node("retry_topic-attempts", "00 00 00 04 (= 4)", "int (4-byte big-endian)"));
    QCOMPARE(tree[5], node("retry_topic-attempts", "02 (= 2)", "int (1 byte)"));
    QCOMPARE(tree[6],
             node("retry_topic-backoff-timestamp",
                  "01 8f 34 06 9e 00 (= 1714564800000, 2024-05-01T12:00:00.000Z)",
                  "timestamp (big-endian ms)"));
    QCOMPARE(
        tree[7],
        node("kafka_original-offset", "ff ff ff ff ff ff ff ff (= -1)", "int (8-byte big-endian)"));
    QCOMPARE(tree[8], node("tombstone", "null", "null"));
    QCOMPARE(tree[9], node("empty", "", "string"));
    QCOMPARE(tree[10], node("trace-bin", "01 02 ff", "binary (3 bytes)"));
    QCOMPARE(tree[11].name, QStringLiteral("b\\xFFname"));
}

void TestPayloadView::kafkaSpringNumbersOfTheWrongSizeStayBinary()
{
    BrowsedMessage message;
    message.kafkaHeaders = {
        {"kafka_dlt-original-partition", QByteArray("\0\0\x03", 3)}, // truncated
        {"kafka_dlt-original-offset", bigEndian32(7)}, // an int where a long belongs
        {"kafka_dlt-original-partition", "12"}, // text: shown as text, not decoded
        {"x-long", QByteArray(200, '\x01')},
    };
    const QList<HeaderNode> tree = headerTree(message);
    QCOMPARE(tree[0].value, QStringLiteral("00 00 03"));
    QCOMPARE(tree[0].type, QStringLiteral("binary (3 bytes)"));
    QCOMPARE(tree[1].value, QStringLiteral("00 00 00 07"));
    QCOMPARE(tree[1].type, QStringLiteral("binary (4 bytes)"));
    QCOMPARE(tree[2].value, QStringLiteral("12"));
    QCOMPARE(tree[2].type, QStringLiteral("string"));
    QCOMPARE(tree[3].type, QStringLiteral("binary (200 bytes)"));
    QVERIFY(tree[3].value.endsWith(u" …"));
    QCOMPARE(tree[3].value.size(), 64 * 3 - 1 + 2);
}

QTEST_GUILESS_MAIN(TestPayloadView)
#include "tst_payloadview.moc"
