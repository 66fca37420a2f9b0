#include "rabbitmq/amqpendpoint.h"

#include <QTest>

using namespace veltrix;
using namespace Qt::Literals::StringLiterals;

class TestAmqpEndpoint : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parses_data();
    void parses();
    void rejectsWithoutLeakingThePassword();
};

void TestAmqpEndpoint::parses_data()
{
    QTest::addColumn<QString>("uri");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("vhost");
    QTest::addColumn<bool>("tls");
    QTest::addColumn<QString>("display");
    QTest::newRow("full") << u"amqp://ops:pw@mq.example:5673/shop"_s << u"mq.example"_s << 5673
                          << u"ops"_s << u"shop"_s << false << u"amqp://ops@mq.example:5673/shop"_s;
    QTest::newRow("root vhost") << u"amqp://u:p@h:5672/%2F"_s << u"h"_s << 5672 << u"u"_s << u"/"_s
                                << false << u"amqp://u@h:5672/%2F"_s;
    QTest::newRow("defaults") << u"amqp://h"_s << u"h"_s << 5672 << u"guest"_s << u"/"_s << false
                              << u"amqp://guest@h:5672/%2F"_s;
    QTest::newRow("tls") << u"amqps://u@h/v"_s << u"h"_s << 5671 << u"u"_s << u"v"_s << true
                         << u"amqps://u@h:5671/v"_s;
}

void TestAmqpEndpoint::parses()
{
    QFETCH(QString, uri);
    auto endpoint = AmqpEndpoint::parse(uri);
    QVERIFY2(endpoint.ok(), qPrintable(endpoint.error().describe()));
    QTEST(endpoint->host, "host");
    QTEST(endpoint->port, "port");
    QTEST(endpoint->user, "user");
    QTEST(endpoint->vhost, "vhost");
    QTEST(endpoint->tls, "tls");
    QTEST(endpoint->display(), "display");
}

void TestAmqpEndpoint::rejectsWithoutLeakingThePassword()
{
    auto endpoint = AmqpEndpoint::parse(QStringLiteral("http://user:hunter2@host/"));
    QVERIFY(!endpoint.ok());
    QCOMPARE(endpoint.error().kind, BrokerError::Kind::Configuration);
    QVERIFY2(!endpoint.error().describe().contains(QLatin1String("hunter2")),
             qPrintable(endpoint.error().describe()));
    QVERIFY(endpoint.error().describe().contains(QLatin1String("host")));
}

QTEST_GUILESS_MAIN(TestAmqpEndpoint)
#include "tst_amqpendpoint.moc"
