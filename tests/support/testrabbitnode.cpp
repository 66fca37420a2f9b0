#include "testrabbitnode.h"

#include <QFile>

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

} // namespace veltrix
