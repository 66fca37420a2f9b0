// Masking of secret-looking fields in browsed messages: defaults, the profile's header,
// JSON path and pattern rules, and what is left alone (binary payloads, clean JSON bytes).
#include "deadletter/payloadmasker.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace veltrix;
using namespace Qt::StringLiterals;

class TestMasking : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void defaultsMaskSecretKeysAtAnyDepth();
    void cardNumbersNeedLuhn();
    void textPayloadAssignments();
    void pathRules_data();
    void pathRules();
    void patternRules();
    void headersByNameAndDefault();
    void defaultsOff();
    void cleanAndBinaryPayloadsAreUntouched();
};

namespace {
QJsonObject json(const QByteArray &bytes)
{
    return QJsonDocument::fromJson(bytes).object();
}
} // namespace

void TestMasking::defaultsMaskSecretKeysAtAnyDepth()
{
    const PayloadMasker masker({});
    int count = 0;
    const QByteArray out = masker.maskPayload(
        R"({"user": "ann", "password": "hunter2", "auth": {"access_token": "abc", "apiKey": 7},
            "items": [{"sku": 1, "cardNumber": "4111111111111111"}], "secret": null})",
        &count);
    const QJsonObject o = json(out);
    QCOMPARE(o[u"user"_s].toString(), u"ann"_s);
    QCOMPARE(o[u"password"_s].toString(), u"****"_s);
    QCOMPARE(o[u"auth"_s][u"access_token"_s].toString(), u"****"_s);
    QCOMPARE(o[u"auth"_s][u"apiKey"_s].toString(), u"****"_s);
    QCOMPARE(o[u"items"_s][0][u"cardNumber"_s].toString(), u"****"_s);
    QCOMPARE(o[u"items"_s][0][u"sku"_s].toInt(), 1);
    QVERIFY(o[u"secret"_s].isNull()); // nothing there to hide
    QCOMPARE(count, 4);
    QVERIFY(!out.contains("hunter2") && !out.contains("4111111111111111"));
}

void TestMasking::cardNumbersNeedLuhn()
{
    const PayloadMasker masker({});
    int count = 0;
    const QByteArray out = masker.maskPayload(
        "paid with 4111 1111 1111 1111, order 1234567890123 and 5500-0000-0000-0004", &count);
    QCOMPARE(count, 2);
    QCOMPARE(out, QByteArray("paid with ****1111, order 1234567890123 and ****0004"));
    // Inside a JSON string too, under an innocent key.
    const QByteArray inJson
        = masker.maskPayload(R"({"note": "card 4111111111111111 declined"})", &count);
    QCOMPARE(json(inJson)[u"note"_s].toString(), u"card ****1111 declined"_s);
}

void TestMasking::textPayloadAssignments()
{
    const PayloadMasker masker({});
    int count = 0;
    const QByteArray out = masker.maskPayload("user=ann&password=hunter2&token: xyz", &count);
    QCOMPARE(out, QByteArray("user=ann&password=****&token: ****"));
    QCOMPARE(count, 2);
}

void TestMasking::pathRules_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("nested key") << u"customer.ssn"_s
                                << QByteArray(R"({"customer":{"ssn":"123","n":1}})")
                                << QByteArray(R"({"customer":{"n":1,"ssn":"****"}})");
    QTest::newRow("$ prefix") << u"$.customer.ssn"_s << QByteArray(R"({"customer":{"ssn":"123"}})")
                              << QByteArray(R"({"customer":{"ssn":"****"}})");
    QTest::newRow("every element")
        << u"accounts[*].number"_s << QByteArray(R"({"accounts":[{"number":"1"},{"number":"2"}]})")
        << QByteArray(R"({"accounts":[{"number":"****"},{"number":"****"}]})");
    QTest::newRow("one element") << u"accounts[1]"_s << QByteArray(R"({"accounts":["a","b"]})")
                                 << QByteArray(R"({"accounts":["a","****"]})");
    QTest::newRow("any key") << u"*.ssn"_s << QByteArray(R"({"a":{"ssn":"1"},"b":{"ssn":"2"}})")
                             << QByteArray(R"({"a":{"ssn":"****"},"b":{"ssn":"****"}})");
    QTest::newRow("whole object") << u"customer"_s << QByteArray(R"({"customer":{"ssn":"1"}})")
                                  << QByteArray(R"({"customer":"****"})");
}

void TestMasking::pathRules()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, payload);
    QFETCH(QByteArray, expected);
    MaskingRules rules;
    rules.defaults = false;
    rules.jsonPaths = {path};
    int count = 0;
    QCOMPARE(PayloadMasker(rules).maskPayload(payload, &count), expected);
    QVERIFY(count > 0);
}

void TestMasking::patternRules()
{
    MaskingRules rules;
    rules.defaults = false;
    rules.patterns = {u"\\bDE\\d{20}\\b"_s, u"x*"_s}; // an empty match is no match
    int count = 0;
    QCOMPARE(PayloadMasker(rules).maskPayload("iban DE89370400440532013000 ok", &count),
             QByteArray("iban **** ok"));
    QCOMPARE(count, 1);
}

void TestMasking::headersByNameAndDefault()
{
    MaskingRules rules;
    rules.headers = {u"X-Customer-Email"_s};
    BrowsedMessage m;
    m.kafkaHeaders = {{"Authorization", "Bearer abc"},
                      {"x-customer-email", "a@b.c"},
                      {"trace-id", "t1"},
                      {"token", QByteArray()}};
    m.amqpHeaders = {{u"api-key"_s, u"k"_s}, {u"x-death"_s, u"kept"_s}};
    m.payload = "plain";
    PayloadMasker(rules).mask(m);
    QCOMPARE(m.kafkaHeaders[0].value, QByteArray("****"));
    QCOMPARE(m.kafkaHeaders[1].value, QByteArray("****"));
    QCOMPARE(m.kafkaHeaders[2].value, QByteArray("t1"));
    QVERIFY(m.kafkaHeaders[3].value.isNull()); // a null stays null
    QCOMPARE(m.amqpHeaders[u"api-key"_s].toString(), u"****"_s);
    QCOMPARE(m.amqpHeaders[u"x-death"_s].toString(), u"kept"_s);
    QCOMPARE(m.maskedFields, 3);
}

void TestMasking::defaultsOff()
{
    MaskingRules rules;
    rules.defaults = false;
    int count = 0;
    const QByteArray payload = R"({"password":"hunter2","card":"4111111111111111"})";
    QCOMPARE(PayloadMasker(rules).maskPayload(payload, &count), payload);
    QCOMPARE(count, 0);
}

void TestMasking::cleanAndBinaryPayloadsAreUntouched()
{
    const PayloadMasker masker({});
    int count = 0;
    const QByteArray pretty = "{\n  \"b\": 1,\n  \"a\": 2\n}\n";
    QCOMPARE(masker.maskPayload(pretty, &count), pretty); // not reformatted when clean
    const QByteArray binary("\x00\xffpassword=x\x80", 13);
    QCOMPARE(masker.maskPayload(binary, &count), binary);
    QCOMPARE(count, 0);
}

QTEST_GUILESS_MAIN(TestMasking)
#include "tst_masking.moc"
