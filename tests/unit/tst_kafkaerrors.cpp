// librdkafka's connection errors turned into words an operator can act on.
#include "kafka/kafkahandle.h"

#include <QTest>

using namespace veltrix;
using namespace Qt::Literals::StringLiterals;

class TestKafkaErrors : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void tidies_data();
    void tidies();
    void classifies_data();
    void classifies();
};

void TestKafkaErrors::tidies_data()
{
    QTest::addColumn<QString>("raw");
    QTest::addColumn<QString>("tidy");
    QTest::newRow("bootstrap refused")
        << u"127.0.0.1:9092/bootstrap: Connect to ipv4#127.0.0.1:9092 failed: Connection refused (after 0ms in state CONNECT, 1 identical error(s) suppressed)"_s
        << u"Connect to ipv4#127.0.0.1:9092 failed: Connection refused"_s;
    QTest::newRow("known broker") << u"kafka-2:9092/2: Disconnected (after 12ms in state UP)"_s
                                  << u"Disconnected"_s;
    QTest::newRow("nothing to strip")
        << u"Local: Broker transport failure"_s << u"Local: Broker transport failure"_s;
}

void TestKafkaErrors::tidies()
{
    QFETCH(QString, raw);
    QTEST(tidyTransportError(raw), "tidy");
}

void TestKafkaErrors::classifies_data()
{
    QTest::addColumn<QString>("transport");
    QTest::addColumn<int>("err");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("starts");
    using K = BrokerError::Kind;
    QTest::newRow("refused") << u"Connect to ipv4#10.0.0.1:9092 failed: Connection refused"_s
                             << int(RD_KAFKA_RESP_ERR__TRANSPORT) << int(K::Unreachable)
                             << u"shop: cannot reach Kafka at b:9092: Connect to"_s;
    QTest::newRow("dns") << u"Failed to resolve 'nohost:9092': Name or service not known"_s
                         << int(RD_KAFKA_RESP_ERR__TIMED_OUT) << int(K::Unreachable)
                         << u"shop: cannot reach Kafka"_s;
    QTest::newRow("silent timeout")
        << QString() << int(RD_KAFKA_RESP_ERR__TIMED_OUT) << int(K::Timeout)
        << u"shop: no answer from Kafka at b:9092 in time"_s;
    QTest::newRow("sasl")
        << u"SASL authentication error: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256"_s
        << int(RD_KAFKA_RESP_ERR__AUTHENTICATION) << int(K::AuthenticationFailed)
        << u"shop: metadata request failed: SASL"_s;
    QTest::newRow("listener without SASL")
        << u"Failed to initialize SASL authentication: SASL Handshake not supported by broker (required by mechanism PLAIN)"_s
        << int(RD_KAFKA_RESP_ERR__TRANSPORT) << int(K::Unsupported)
        << u"shop: metadata request failed: Failed to initialize SASL"_s;
    QTest::newRow("tls not trusted")
        << u"SSL handshake failed: error:0A000086:SSL routines::certificate verify failed: broker certificate could not be verified"_s
        << int(RD_KAFKA_RESP_ERR__SSL) << int(K::TlsFailed)
        << u"shop: metadata request failed: TLS: the broker's certificate is not trusted"_s;
    QTest::newRow("tls name mismatch")
        << u"SSL handshake failed: certificate verify failed: Hostname mismatch"_s
        << int(RD_KAFKA_RESP_ERR__SSL) << int(K::TlsFailed)
        << u"shop: metadata request failed: TLS: name mismatch"_s;
    QTest::newRow("tls other") << u"SSL handshake failed: unexpected eof while reading"_s
                               << int(RD_KAFKA_RESP_ERR__SSL) << int(K::TlsFailed)
                               << u"shop: metadata request failed: SSL handshake"_s;
}

void TestKafkaErrors::classifies()
{
    QFETCH(QString, transport);
    QFETCH(int, err);
    QFETCH(int, kind);
    QFETCH(QString, starts);
    const BrokerError e
        = classifyKafkaTransportError(u"shop"_s, u"b:9092"_s, transport,
                                      static_cast<rd_kafka_resp_err_t>(err), u"metadata request"_s);
    QCOMPARE(int(e.kind), kind);
    QVERIFY2(e.message.startsWith(starts), qPrintable(e.message));
    QVERIFY(!e.hint.isEmpty());
}

QTEST_GUILESS_MAIN(TestKafkaErrors)
#include "tst_kafkaerrors.moc"
