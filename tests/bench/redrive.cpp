// Redrive throughput against the tools operators use today, measured in the same run:
//   redrive [--messages N] [--only rabbitmq|kafka]
#include "redrive.h"

#include <QCommandLineParser>
#include <QCoreApplication>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    const QCommandLineOption messages(QStringLiteral("messages"),
                                      QStringLiteral("messages per measurement (default 100000)"),
                                      QStringLiteral("N"), QStringLiteral("100000"));
    const QCommandLineOption only(QStringLiteral("only"), QStringLiteral("rabbitmq or kafka"),
                                  QStringLiteral("BROKER"));
    parser.addOptions({messages, only});
    parser.addHelpOption();
    parser.process(app);
    const int count = parser.value(messages).toInt();
    const QString which = parser.value(only);
    if (which.isEmpty() || which == QStringLiteral("rabbitmq"))
        veltrix::bench::benchRabbitRedrive(count);
    if (which.isEmpty() || which == QStringLiteral("kafka"))
        veltrix::bench::benchKafkaRedrive(count);
    return 0;
}
