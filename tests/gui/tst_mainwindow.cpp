// The main window on real brokers: the tree fills from both, the status bar says
// which cluster failed and why, and veltrix-console --screenshot renders a picture.
#include "connectionstatusbar.h"
#include "items/clustertreemodel.h"
#include "kafka/mockkafkacluster.h"
#include "mainwindow.h"
#include "rabbitmq/amqpconnection.h"
#include "session/sessionmanager.h"
#include "testprofiles.h"
#include "testrabbitnode.h"

#include <QAbstractItemModelTester>
#include <QAbstractProxyModel>
#include <QImage>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

using namespace veltrix;

namespace {

QModelIndex childStartingWith(const QAbstractItemModel &model, const QModelIndex &parent,
                              const QString &prefix)
{
    for (int row = 0; row < model.rowCount(parent); ++row) {
        const QModelIndex child = model.index(row, 0, parent);
        if (child.data().toString().startsWith(prefix))
            return child;
    }
    return {};
}

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void treeFillsFromBothBrokers();
    void screenshotShowsTheClusters();

private:
    std::unique_ptr<MockKafkaCluster> m_mock;
    LocalRabbitNodeInfo m_node;
    QList<ClusterProfile> m_profiles;
};

void TestMainWindow::initTestCase()
{
    QString whyNot;
    const auto node = testRabbitNodeFromEnvironment(&whyNot);
    if (!node)
        QFAIL(qPrintable(whyNot));
    m_node = *node;
    auto mock = test::startMockKafka(
        {QStringLiteral("orders"), QStringLiteral("payments"), QStringLiteral("orders-dlt")}, 3);
    QVERIFY2(mock.ok(), qPrintable(mock.error().describe()));
    m_mock = std::move(mock).value();

    const auto amqp = test::openAmqp(m_node.amqpUri());
    QVERIFY2(amqp, "cannot open AMQP on the fixture's node (see the warning above)");
    QVERIFY(amqp->declareQueue(QStringLiteral("gui.orders"), true).ok());
    QVERIFY(amqp->declareQueue(QStringLiteral("gui.orders.dlq"), true).ok());

    m_profiles = {test::kafkaProfile(QStringLiteral("shop-kafka"), m_mock->bootstrapServers(),
                                     {QStringLiteral("billing")}),
                  test::rabbitProfile(QStringLiteral("shop-rabbit"), m_node),
                  test::kafkaProfile(QStringLiteral("legacy-kafka"), test::deadEndpoint())};
}

void TestMainWindow::treeFillsFromBothBrokers()
{
    MainWindow window;
    QAbstractItemModelTester tester(window.treeModel(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy reported(window.sessions(), &SessionManager::allSessionsReported);
    window.openProfiles(m_profiles, QStringLiteral("test"));
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(reported.wait(20000));

    const ClusterTreeModel &model = *window.treeModel();
    const QModelIndex kafka = model.clusterIndex(QStringLiteral("shop-kafka"));
    const QModelIndex topics = childStartingWith(model, kafka, QStringLiteral("Topics"));
    QVERIFY(topics.isValid());
    QVERIFY(childStartingWith(model, topics, QStringLiteral("orders-dlt")).isValid());
    const QModelIndex groups = childStartingWith(model, kafka, QStringLiteral("Consumer groups"));
    QVERIFY(childStartingWith(model, groups, QStringLiteral("billing")).isValid());

    const QModelIndex rabbit = model.clusterIndex(QStringLiteral("shop-rabbit"));
    const QModelIndex vhost = childStartingWith(model, rabbit, QStringLiteral("/"));
    QVERIFY(vhost.isValid());
    QVERIFY(childStartingWith(model, vhost, QStringLiteral("gui.orders.dlq")).isValid());

    QVERIFY(window.treeView()->isExpanded(
        static_cast<QAbstractProxyModel *>(window.treeView()->model())->mapFromSource(topics)));
    const QString legacy = window.connectionIndicators()->textFor(QStringLiteral("legacy-kafka"));
    QVERIFY2(legacy.startsWith(
                 QStringLiteral("legacy-kafka: failed — legacy-kafka: cannot reach Kafka")),
             qPrintable(legacy));
    QVERIFY2(legacy.contains(QLatin1String("Connection refused")), qPrintable(legacy));
    // The bar itself says why, without the tool tip.
    const QString shown
        = window.connectionIndicators()->shownTextFor(QStringLiteral("legacy-kafka"));
    QVERIFY2(shown.startsWith(QStringLiteral("legacy-kafka: failed (cannot reach Kafka at ")),
             qPrintable(shown));
    QVERIFY2(window.connectionIndicators()
                 ->textFor(QStringLiteral("shop-kafka"))
                 .contains(QLatin1String("connected")),
             qPrintable(window.connectionIndicators()->textFor(QStringLiteral("shop-kafka"))));
}

void TestMainWindow::screenshotShowsTheClusters()
{
    QTemporaryDir dir;
    const QString profiles = test::writeProfiles(dir.path(), m_profiles);
    QVERIFY(!profiles.isEmpty());
    const QString png = dir.filePath(QStringLiteral("console.png"));
    QProcess console;
    console.setProcessChannelMode(QProcess::ForwardedChannels);
    console.start(qEnvironmentVariable("VELTRIX_CONSOLE"),
                  {QStringLiteral("--profiles"), profiles, QStringLiteral("--screenshot"), png});
    QVERIFY(console.waitForFinished(60000));
    QCOMPARE(console.exitCode(), 0);

    const QImage image(png);
    QVERIFY2(!image.isNull(), "the screenshot is not a readable PNG");
    QVERIFY(image.width() >= 1000 && image.height() >= 600);
    // A blank or single-colour window would mean nothing was drawn.
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 7)
        for (int x = 0; x < image.width(); x += 7)
            colours.insert(image.pixel(x, y));
    QVERIFY2(colours.size() > 20, qPrintable(QString::number(colours.size())));

    // For people: keep a copy where scripts/test or a developer asks for it.
    const QString keep = qEnvironmentVariable("VELTRIX_SCREENSHOT_DIR");
    if (!keep.isEmpty())
        QFile::copy(png, keep + QStringLiteral("/console-foundation.png"));
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
