#include "testrabbitnode.h"

#include "rabbitmq/amqpconnection.h"
#include "rabbitmq/managementclient.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QJsonObject>
#include <QTest>

namespace veltrix {

std::optional<LocalRabbitNodeInfo> testRabbitNodeFromEnvironment(QString *whyNot)
{
    const auto fail = [whyNot](const QString &reason) {
        if (whyNot)
            *whyNot = reason;
        return std::nullopt;
    };
    const QString path = qEnvironmentVariable("VELTRIX_TEST_RABBITMQ_NODE");
    if (path.isEmpty())
        return fail(QStringLiteral(
            "VELTRIX_TEST_RABBITMQ_NODE is not set: run the test through ctest, whose "
            "rabbitmq fixture sets it, or run `rabbitmq_test_node start <dir>` and set it "
            "to <dir>/node.json"));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(QStringLiteral(
                        "cannot read %1 (VELTRIX_TEST_RABBITMQ_NODE): %2; did the rabbitmq fixture "
                        "(rabbitmq_test_node start) run and succeed?")
                        .arg(path, file.errorString()));
    const auto info = LocalRabbitNodeInfo::fromJson(file.readAll());
    if (!info)
        return fail(QStringLiteral("%1 (VELTRIX_TEST_RABBITMQ_NODE) is not a node.json written by "
                                   "rabbitmq_test_node")
                        .arg(path));
    if (!LocalRabbitNode::isRunning(*info))
        return fail(
            QStringLiteral(
                "the RabbitMQ node %1 from %2 (pid %3) is not running; its output is in %4/log")
                .arg(info->nodeName, path)
                .arg(info->pid)
                .arg(info->baseDir));
    return info;
}

namespace {

ManagementClient testApi(const LocalRabbitNodeInfo &node)
{
    return ManagementClient(QStringLiteral("test"), QUrl(node.managementUrl()),
                            QStringLiteral("guest"), QStringLiteral("guest"),
                            std::chrono::seconds(10));
}

QJsonObject everythingAllowed()
{
    return {{QStringLiteral("configure"), QStringLiteral(".*")},
            {QStringLiteral("write"), QStringLiteral(".*")},
            {QStringLiteral("read"), QStringLiteral(".*")}};
}

} // namespace

QString testAmqpUri(const LocalRabbitNodeInfo &node, const QString &vhost)
{
    return testAmqpUri(node, vhost, QStringLiteral("guest"));
}

QString testAmqpUri(const LocalRabbitNodeInfo &node, const QString &vhost, const QString &user)
{
    return QStringLiteral("amqp://%1:%1@127.0.0.1:%2/%3")
        .arg(user)
        .arg(node.amqpPort)
        .arg(ManagementClient::encodeSegment(vhost));
}

Result<bool> scopedTestUser(const LocalRabbitNodeInfo &node, const QString &vhost,
                            const QString &user, const QString &password, const QString &tags)
{
    ManagementClient api = testApi(node);
    const QString segment = ManagementClient::encodeSegment(user);
    const QJsonObject account {{QStringLiteral("password"), password.isEmpty() ? user : password},
                               {QStringLiteral("tags"), tags}};
    if (auto ok = api.put(QStringLiteral("/api/users/%1").arg(segment), account); !ok)
        return ok.error();
    if (auto ok = api.put(QStringLiteral("/api/permissions/%1/%2")
                              .arg(ManagementClient::encodeSegment(vhost), segment),
                          everythingAllowed());
        !ok)
        return ok.error();
    return true;
}

Result<bool> deleteTestVhost(const LocalRabbitNodeInfo &node, const QString &vhost)
{
    ManagementClient api = testApi(node);
    return api.remove(QStringLiteral("/api/vhosts/%1").arg(ManagementClient::encodeSegment(vhost)));
}

Result<bool> freshTestVhost(const LocalRabbitNodeInfo &node, const QString &vhost)
{
    if (auto removed = deleteTestVhost(node, vhost); !removed)
        return removed.error();
    ManagementClient api = testApi(node);
    const QString segment = ManagementClient::encodeSegment(vhost);
    if (auto ok = api.put(QStringLiteral("/api/vhosts/%1").arg(segment), {}); !ok)
        return ok.error();
    if (auto ok
        = api.put(QStringLiteral("/api/permissions/%1/guest").arg(segment), everythingAllowed());
        !ok)
        return ok.error();
    // The API answers before the vhost has started on the node; logins fail until it has.
    auto endpoint = AmqpEndpoint::parse(testAmqpUri(node, vhost));
    if (!endpoint)
        return endpoint.error();
    const QDeadlineTimer deadline(10000);
    for (;;) {
        auto opened = AmqpConnection::open(QStringLiteral("test"), endpoint.value(),
                                           std::chrono::seconds(5));
        if (opened)
            return true;
        if (opened.error().kind != BrokerError::Kind::VhostMissing || deadline.hasExpired())
            return opened.error();
        QTest::qWait(50);
    }
}

} // namespace veltrix
