#include "core/profilefile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <cerrno>

using namespace Qt::StringLiterals;
using veltrix::ClusterKind;
using veltrix::ClusterProfile;
using veltrix::ProfileError;
using veltrix::ProfileFile;

namespace veltrix {
// Readable QCOMPARE failures.
char *toString(const ClusterProfile &profile)
{
    return QTest::toString(profile.name + u' ' + clusterKindName(profile.kind) + u' '
                           + QString::fromUtf8(ProfileFile::serialize({profile})));
}
} // namespace veltrix

namespace {

const QString topLevelMessage = u"the top level must be an object like {\"clusters\": [...]}"_s;
const QString amqpMessage
    = u"must start with amqp:// or amqps://, like \"amqp://user@host:5672/vhost\""_s;
const QString managementMessage
    = u"must be an http:// or https:// URL with a host, like \"http://host:15672\""_s;

const QByteArray validFile = R"({
    "clusters": [
        {
            "name": "shop-kafka",
            "kind": "kafka",
            "bootstrap": "k1:9092,k2:9092",
            "properties": {"security.protocol": "SASL_SSL", "linger.ms": "5"},
            "groups": ["billing", "shipping"],
            "lag": {"interval_s": 0.5, "window_s": 30},
            "probe": {"enabled": true, "topic": "ops-probe", "rate": 2, "deadline_s": 3},
            "redrive_producer": {"acks": "1", "enable.idempotence": false,
                                 "max.in.flight.requests.per.connection": 1, "retries": 3,
                                 "delivery.timeout.ms": 60000},
            "read_only": true
        },
        {
            "name": "shop-rabbit",
            "kind": "rabbitmq",
            "amqp": "amqps://ops@rabbit:5671/shop",
            "management": "https://rabbit:15671",
            "dead_letter_patterns": ["*.parking", "dlq.*"],
            "probe": {"enabled": true},
            "read_only": false
        },
        {"name": "bare", "kind": "kafka", "b\u006fotstrap": "localhost:9092"}
    ]
}
)";

QList<ClusterProfile> validProfiles()
{
    ClusterProfile kafka;
    kafka.name = u"shop-kafka"_s;
    kafka.kind = ClusterKind::Kafka;
    kafka.readOnly = true;
    kafka.bootstrap = u"k1:9092,k2:9092"_s;
    kafka.properties = {{u"security.protocol"_s, u"SASL_SSL"_s}, {u"linger.ms"_s, u"5"_s}};
    kafka.groups = {u"billing"_s, u"shipping"_s};
    kafka.lag.interval = std::chrono::milliseconds(500);
    kafka.lag.window = std::chrono::seconds(30);
    kafka.probe.enabled = true;
    kafka.probe.topic = u"ops-probe"_s;
    kafka.probe.rate = 2;
    kafka.probe.deadline = std::chrono::seconds(3);
    kafka.redriveProducer.acks = u"1"_s;
    kafka.redriveProducer.idempotence = false;
    kafka.redriveProducer.maxInFlight = 1;
    kafka.redriveProducer.retries = 3;
    kafka.redriveProducer.deliveryTimeoutMs = 60000;
    ClusterProfile rabbit;
    rabbit.name = u"shop-rabbit"_s;
    rabbit.kind = ClusterKind::RabbitMq;
    rabbit.amqpUri = u"amqps://ops@rabbit:5671/shop"_s;
    rabbit.managementUrl = u"https://rabbit:15671"_s;
    rabbit.deadLetterPatterns = QStringList {u"*.parking"_s, u"dlq.*"_s};
    rabbit.probe.enabled = true;
    ClusterProfile bare;
    bare.name = u"bare"_s;
    bare.bootstrap = u"localhost:9092"_s;
    return {kafka, rabbit, bare};
}

// One cluster, one field per line: the cluster's "{" is at 2:5, field i at line 3 + i,
// column 9.
QByteArray cluster(const QByteArrayList &fields)
{
    QByteArrayList lines;
    for (const QByteArray &field : fields)
        lines.append("        " + field);
    return "{\"clusters\": [\n    {\n" + lines.join(",\n") + "\n    }\n]}\n";
}

constexpr const char *name = R"("name": "a")";
constexpr const char *kafka = R"("kind": "kafka")";
constexpr const char *bootstrap = R"("bootstrap": "h:9092")";
constexpr const char *rabbit = R"("kind": "rabbitmq")";
constexpr const char *amqp = R"("amqp": "amqp://h")";

// QVERIFY2 evaluates its message even when the check passes.
QString whyNot(const veltrix::ProfileFileResult &result)
{
    return result.error ? result.error->describe() : QString();
}

void writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    QVERIFY2(file.open(QIODevice::WriteOnly), qPrintable(file.errorString()));
    QCOMPARE(file.write(bytes), bytes.size());
}

} // namespace

class TestProfileFile : public QObject
{
    Q_OBJECT

private slots:
    void parsesValidFile();
    void redriveProducerSaysWhatACombinationRisks();
    void securityFieldsRoundTrip();
    void securityErrors_data();
    void securityErrors();
    void savedFileHoldsNoResolvedSecret();
    void emptyClusterListIsValid();
    void namesAreCaseSensitive();
    void bomAndCrlfAreAccepted();
    void roundTrip();
    void serializeFormat();
    void serializeWritesOnlyOwnKindFields();

    void errors_data();
    void errors();
    void syntaxErrors_data();
    void syntaxErrors();
    void errorLineInLargeFile();
    void describe_data();
    void describe();

    void defaultPath();
    void loadValidFile();
    void loadNamesFileInErrors();
    void loadMissingFile();
    void loadDirectory();
    void loadUnreadableFile();
    void loadTooLargeFile();
    void saveCreatesFolderAndIsPrivate();
    void saveKeepsExistingPermissions();
    void saveReplacesAtomically();
    void saveRefusesInvalidProfiles_data();
    void saveRefusesInvalidProfiles();
    void saveReportsFolderError();
};

void TestProfileFile::parsesValidFile()
{
    const auto result = ProfileFile::parse(validFile, u"profiles.json"_s);
    QVERIFY2(result.ok(), qPrintable(whyNot(result)));
    const QList<ClusterProfile> expected = validProfiles();
    QCOMPARE(result.clusters.size(), expected.size());
    for (qsizetype i = 0; i < expected.size(); ++i)
        QCOMPARE(result.clusters[i], expected[i]);
}

void TestProfileFile::emptyClusterListIsValid()
{
    const auto result = ProfileFile::parse(R"({"clusters": []})", u"p.json"_s);
    QVERIFY(result.ok());
    QVERIFY(result.clusters.isEmpty());
}

void TestProfileFile::namesAreCaseSensitive()
{
    const auto result = ProfileFile::parse(R"({"clusters": [
        {"name": "shop", "kind": "kafka", "bootstrap": "h:1"},
        {"name": "Shop", "kind": "kafka", "bootstrap": "h:2"}]})",
                                           u"p.json"_s);
    QVERIFY(result.ok());
    QCOMPARE(result.clusters.size(), 2);
    QCOMPARE(result.clusters[1].name, u"Shop"_s);
}

void TestProfileFile::bomAndCrlfAreAccepted()
{
    const QByteArray json
        = "\xEF\xBB\xBF{\r\n\"clusters\": [\r\n"
          "{\"name\": \"a\", \"kind\": \"rabbitmq\", \"amqp\": \"amqp://h\"},\r\n"
          "{\"name\": \"b\", \"kind\": \"rabbitmq\", \"amqp\": \"ftp://h\"}\r\n]}";
    const auto result = ProfileFile::parse(json, u"p.json"_s);
    QVERIFY(result.error);
    QCOMPARE(result.error->field, u"clusters[1].amqp"_s);
    QCOMPARE(result.error->line, 4);
    QCOMPARE(result.error->column, 35);

    const auto fixed
        = ProfileFile::parse(QByteArray(json).replace("ftp://", "amqp://"), u"p.json"_s);
    QVERIFY(fixed.ok());
    QCOMPARE(fixed.clusters.size(), 2);
}

void TestProfileFile::roundTrip()
{
    const auto first = ProfileFile::parse(validFile, u"p.json"_s);
    QVERIFY(first.ok());
    const QByteArray written = ProfileFile::serialize(first.clusters);
    const auto second = ProfileFile::parse(written, u"p.json"_s);
    QVERIFY2(second.ok(), qPrintable(whyNot(second)));
    QCOMPARE(second.clusters.size(), first.clusters.size());
    for (qsizetype i = 0; i < first.clusters.size(); ++i)
        QCOMPARE(second.clusters[i], first.clusters[i]);
    QCOMPARE(ProfileFile::serialize(second.clusters), written);
}

void TestProfileFile::serializeFormat()
{
    // The file is a contract with operators' scripts: pin its exact shape.
    ClusterProfile kafka;
    kafka.name = u"k"_s;
    kafka.bootstrap = u"k:9092"_s;
    kafka.properties = {{u"acks"_s, u"all"_s}};
    kafka.groups = {u"billing"_s};
    ClusterProfile rabbit;
    rabbit.name = u"r"_s;
    rabbit.kind = ClusterKind::RabbitMq;
    rabbit.readOnly = true;
    rabbit.amqpUri = u"amqp://h"_s;
    rabbit.probe.enabled = true;
    QCOMPARE(ProfileFile::serialize({kafka, rabbit}), QByteArray(R"({
    "clusters": [
        {
            "bootstrap": "k:9092",
            "groups": [
                "billing"
            ],
            "kind": "kafka",
            "name": "k",
            "properties": {
                "acks": "all"
            },
            "read_only": false
        },
        {
            "amqp": "amqp://h",
            "kind": "rabbitmq",
            "name": "r",
            "probe": {
                "deadline_s": 5,
                "enabled": true,
                "rate": 1
            },
            "read_only": true
        }
    ]
}
)"));
    QCOMPARE(ProfileFile::serialize({}), QByteArray("{\n    \"clusters\": [\n    ]\n}\n"));
}

void TestProfileFile::serializeWritesOnlyOwnKindFields()
{
    ClusterProfile rabbit;
    rabbit.name = u"r"_s;
    rabbit.kind = ClusterKind::RabbitMq;
    rabbit.amqpUri = u"amqp://h"_s;
    rabbit.bootstrap = u"stale:9092"_s;
    rabbit.groups = {u"g"_s};
    const QByteArray json = ProfileFile::serialize({rabbit});
    QVERIFY(!json.contains("bootstrap"));
    QVERIFY(!json.contains("groups"));
    QVERIFY(ProfileFile::parse(json, u"p.json"_s).ok());
}

void TestProfileFile::errors_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("field");
    QTest::addColumn<int>("line");
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("message");

    QTest::newRow("top-level array")
        << QByteArray("[]") << QString() << 1 << 1 << topLevelMessage + u", not an array"_s;
    QTest::newRow("top-level number")
        << QByteArray("\n  42\n") << QString() << 2 << 3 << topLevelMessage;
    QTest::newRow("top-level null") << QByteArray("null") << QString() << 1 << 1 << topLevelMessage;
    QTest::newRow("NUL bytes") << QByteArray(3, '\0') << QString() << 1 << 1 << topLevelMessage;
    QTest::newRow("comment") << QByteArray("// mine\n{}") << QString() << 1 << 1 << topLevelMessage;
    QTest::newRow("empty file") << QByteArray() << QString() << 0 << 0
                                << u"the file is empty; expected {\"clusters\": [...]}"_s;
    QTest::newRow("blank file") << QByteArray(" \n\t\r\n") << QString() << 0 << 0
                                << u"the file is empty; expected {\"clusters\": [...]}"_s;
    QTest::newRow("missing clusters")
        << QByteArray("{\n}") << u"clusters"_s << 1 << 1 << u"required field is missing"_s;
    QTest::newRow("unknown top-level field")
        << QByteArray("{\n    \"clusters\": [],\n    \"clsuters\": []\n}") << QString() << 3 << 5
        << u"unknown field \"clsuters\" (did you mean \"clusters\"?)"_s;
    QTest::newRow("clusters null") << QByteArray(R"({"clusters": null})") << u"clusters"_s << 1 << 2
                                   << u"must be an array, not null"_s;
    QTest::newRow("clusters object") << QByteArray(R"({"clusters": {}})") << u"clusters"_s << 1 << 2
                                     << u"must be an array, not an object"_s;
    QTest::newRow("cluster is a string")
        << QByteArray("{\"clusters\": [\n    \"shop\"\n]}") << u"clusters[0]"_s << 2 << 5
        << u"must be an object, not a string"_s;
    QTest::newRow("cluster is nested junk")
        << QByteArray("{\"clusters\": [\n    [[[[]]]]\n]}") << u"clusters[0]"_s << 2 << 5
        << u"must be an object, not an array"_s;

    QTest::newRow("name missing") << cluster({kafka, bootstrap}) << u"clusters[0].name"_s << 2 << 5
                                  << u"required field is missing"_s;
    QTest::newRow("name misspelt")
        << cluster({R"("nmae": "a")", kafka, bootstrap}) << u"clusters[0]"_s << 3 << 9
        << u"unknown field \"nmae\" (did you mean \"name\"?)"_s;
    QTest::newRow("name blank") << cluster({R"("name": "  ")", kafka, bootstrap})
                                << u"clusters[0].name"_s << 3 << 9 << u"must not be empty"_s;
    QTest::newRow("name number") << cluster({R"("name": 7)", kafka, bootstrap})
                                 << u"clusters[0].name"_s << 3 << 9
                                 << u"must be a string, not a number"_s;
    QTest::newRow("name null") << cluster({R"("name": null)", kafka, bootstrap})
                               << u"clusters[0].name"_s << 3 << 9
                               << u"must be a string, not null"_s;
    QTest::newRow("duplicate name") << QByteArray(R"({"clusters": [
    {"name": "shop", "kind": "kafka", "bootstrap": "h:9092"},
    {"name": "other", "kind": "kafka", "bootstrap": "h:9092"},
    {
        "kind": "rabbitmq",
        "name": "shop",
        "amqp": "amqp://h"
    }
]})") << u"clusters[2].name"_s << 6 << 9
                                    << u"\"shop\" is already the name of clusters[0]"_s;
    QTest::newRow("first error wins") << QByteArray(R"({"clusters": [
    {"name": "a", "kind": "kafka"},
    {"name": "b", "kind": "redis"}
]})") << u"clusters[0].bootstrap"_s << 2
                                      << 5 << u"required field is missing"_s;

    QTest::newRow("kind missing") << cluster({name, bootstrap}) << u"clusters[0].kind"_s << 2 << 5
                                  << u"required field is missing"_s;
    QTest::newRow("kind misspelt")
        << cluster({name, R"("kind": "kafak")", bootstrap}) << u"clusters[0].kind"_s << 4 << 9
        << u"must be \"kafka\" or \"rabbitmq\", not \"kafak\" (did you mean \"kafka\"?)"_s;
    QTest::newRow("kind capitalised")
        << cluster({name, R"("kind": "RabbitMQ")", amqp}) << u"clusters[0].kind"_s << 4 << 9
        << u"must be \"kafka\" or \"rabbitmq\", not \"RabbitMQ\" (did you mean \"rabbitmq\"?)"_s;
    QTest::newRow("kind unknown") << cluster({name, R"("kind": "redis")"}) << u"clusters[0].kind"_s
                                  << 4 << 9
                                  << u"must be \"kafka\" or \"rabbitmq\", not \"redis\""_s;
    QTest::newRow("kind number") << cluster({name, R"("kind": 1)", bootstrap})
                                 << u"clusters[0].kind"_s << 4 << 9
                                 << u"must be a string, not a number"_s;
    QTest::newRow("read_only quoted")
        << cluster({name, kafka, bootstrap, R"("read_only": "false")"})
        << u"clusters[0].read_only"_s << 6 << 9
        << u"must be true or false, not a string (remove the quotes)"_s;
    QTest::newRow("read_only number")
        << cluster({name, kafka, bootstrap, R"("read_only": 1)"}) << u"clusters[0].read_only"_s << 6
        << 9 << u"must be true or false, not a number"_s;
    QTest::newRow("read-only misspelt")
        << cluster({name, kafka, bootstrap, R"("read-only": true)"}) << u"clusters[0]"_s << 6 << 9
        << u"unknown field \"read-only\" (did you mean \"read_only\"?)"_s;

    QTest::newRow("bootstrap missing") << cluster({name, kafka}) << u"clusters[0].bootstrap"_s << 2
                                       << 5 << u"required field is missing"_s;
    QTest::newRow("bootstrap empty")
        << cluster({name, kafka, R"("bootstrap": "")"}) << u"clusters[0].bootstrap"_s << 5 << 9
        << u"must not be empty"_s;
    QTest::newRow("bootstrap array")
        << cluster({name, kafka, R"("bootstrap": ["h:9092"])"}) << u"clusters[0].bootstrap"_s << 5
        << 9 << u"must be a string, not an array"_s;
    QTest::newRow("bootstrap misspelt")
        << cluster({name, kafka, R"("bootstrp": "h:9092")"}) << u"clusters[0]"_s << 5 << 9
        << u"unknown field \"bootstrp\" (did you mean \"bootstrap\"?)"_s;
    QTest::newRow("property number") << cluster({name, kafka, bootstrap, R"("properties": {
            "security.protocol": "SSL",
            "linger.ms": 5
        })"}) << u"clusters[0].properties[\"linger.ms\"]"_s
                                     << 8 << 13
                                     << u"must be a string, not a number; quote it: \"5\""_s;
    QTest::newRow("property boolean")
        << cluster({name, kafka, bootstrap, R"("properties": {"enable.idempotence": true})"})
        << u"clusters[0].properties[\"enable.idempotence\"]"_s << 6 << 24
        << u"must be a string, not a boolean; quote it: \"true\""_s;
    QTest::newRow("property fraction")
        << cluster({name, kafka, bootstrap, R"("properties": {"x": 0.5})"})
        << u"clusters[0].properties.x"_s << 6 << 24
        << u"must be a string, not a number; quote it: \"0.5\""_s;
    QTest::newRow("property null")
        << cluster({name, kafka, bootstrap, R"("properties": {"x": null})"})
        << u"clusters[0].properties.x"_s << 6 << 24 << u"must be a string, not null"_s;
    QTest::newRow("property escaped key")
        << cluster({name, kafka, bootstrap, R"("properties": {"linger\u002ems": 5})"})
        << u"clusters[0].properties[\"linger.ms\"]"_s << 6 << 24
        << u"must be a string, not a number; quote it: \"5\""_s;
    QTest::newRow("property empty name")
        << cluster({name, kafka, bootstrap, R"("properties": {"": "x"})"})
        << u"clusters[0].properties[\"\"]"_s << 6 << 24 << u"property name must not be empty"_s;
    QTest::newRow("redrive producer idempotent without acks all")
        << cluster({name, kafka, bootstrap, R"("redrive_producer": {"acks": "1"})"})
        << u"clusters[0].redrive_producer"_s << 6 << 9
        << u"enable.idempotence needs acks \"all\""_s;
    QTest::newRow("redrive producer retries as text")
        << cluster({name, kafka, bootstrap, R"("redrive_producer": {"retries": "3"})"})
        << u"clusters[0].redrive_producer.retries"_s << 6 << 30
        << u"must be a whole number, not a string"_s;
    QTest::newRow("redrive producer unknown field")
        << cluster({name, kafka, bootstrap, R"("redrive_producer": {"ack": "all"})"})
        << u"clusters[0].redrive_producer"_s << 6 << 30
        << u"unknown field \"ack\" (did you mean \"acks\"?)"_s;
    QTest::newRow("redrive producer on a rabbitmq cluster")
        << cluster({name, rabbit, amqp, R"("redrive_producer": {})"}) << u"clusters[0]"_s << 6 << 9
        << u"field \"redrive_producer\" belongs to kafka clusters, not rabbitmq"_s;
    QTest::newRow("probe not an object")
        << cluster({name, kafka, bootstrap, R"("probe": true)"}) << u"clusters[0].probe"_s << 6 << 9
        << u"must be an object like {\"enabled\": true, \"rate\": 1}, not a boolean"_s;
    QTest::newRow("probe rate out of range")
        << cluster({name, kafka, bootstrap, R"("probe": {"rate": 500})"})
        << u"clusters[0].probe.rate"_s << 6 << 19
        << u"must be a number of probes per second between 0.01 and 100"_s;
    QTest::newRow("probe enabled as text")
        << cluster({name, kafka, bootstrap, R"("probe": {"enabled": "yes"})"})
        << u"clusters[0].probe.enabled"_s << 6 << 19 << u"must be true or false, not a string"_s;
    QTest::newRow("probe unknown field")
        << cluster({name, kafka, bootstrap, R"("probe": {"rates": 1})"}) << u"clusters[0].probe"_s
        << 6 << 19 << u"unknown field \"rates\" (did you mean \"rate\"?)"_s;
    QTest::newRow("probe topic on a rabbitmq cluster")
        << cluster({name, rabbit, amqp, R"("probe": {"topic": "t"})"})
        << u"clusters[0].probe.topic"_s << 6 << 19
        << u"only Kafka probes use a topic; RabbitMQ probes use temporary exclusive queues"_s;
    QTest::newRow("probe deadline zero")
        << cluster({name, kafka, bootstrap, R"("probe": {"deadline_s": 0})"})
        << u"clusters[0].probe.deadline_s"_s << 6 << 19
        << u"must be between 0.1 and 600 seconds, not 0"_s;
    QTest::newRow("lag not an object")
        << cluster({name, kafka, bootstrap, R"("lag": 2)"}) << u"clusters[0].lag"_s << 6 << 9
        << u"must be an object like {\"interval_s\": 2, \"window_s\": 60}, not a number"_s;
    QTest::newRow("lag unknown field")
        << cluster({name, kafka, bootstrap, R"("lag": {"intervall_s": 2})"}) << u"clusters[0].lag"_s
        << 6 << 17 << u"unknown field \"intervall_s\" (did you mean \"interval_s\"?)"_s;
    QTest::newRow("lag interval as text")
        << cluster({name, kafka, bootstrap, R"("lag": {"interval_s": "2"})"})
        << u"clusters[0].lag.interval_s"_s << 6 << 17
        << u"must be a number of seconds, not a string"_s;
    QTest::newRow("lag interval zero")
        << cluster({name, kafka, bootstrap, R"("lag": {"interval_s": 0})"})
        << u"clusters[0].lag.interval_s"_s << 6 << 17
        << u"must be between 0.1 and 3600 seconds, not 0"_s;
    QTest::newRow("lag window shorter than two polls")
        << cluster({name, kafka, bootstrap, R"("lag": {"interval_s": 10, "window_s": 15})"})
        << u"clusters[0].lag.window_s"_s << 6 << 35
        << u"must hold at least two polls: at least twice interval_s (20 s)"_s;
    QTest::newRow("lag on a rabbitmq cluster")
        << cluster({name, rabbit, amqp, R"("lag": {})"}) << u"clusters[0]"_s << 6 << 9
        << u"field \"lag\" belongs to kafka clusters, not rabbitmq"_s;
    QTest::newRow("dead_letter_patterns not a list")
        << cluster({name, rabbit, amqp, R"("dead_letter_patterns": "*.dlq")"})
        << u"clusters[0].dead_letter_patterns"_s << 6 << 9
        << u"must be an array of strings, not a string"_s;
    QTest::newRow("dead_letter_patterns empty pattern")
        << cluster({name, kafka, bootstrap, R"("dead_letter_patterns": ["*-dlt", " "])"})
        << u"clusters[0].dead_letter_patterns[1]"_s << 6 << 43 << u"must not be empty"_s;
    QTest::newRow("properties array")
        << cluster({name, kafka, bootstrap, R"("properties": [])"}) << u"clusters[0].properties"_s
        << 6 << 9 << u"must be an object of strings, not an array"_s;
    QTest::newRow("deep junk in property")
        << cluster({name, kafka, bootstrap,
                    QByteArray("\"properties\": {\"x\": " + QByteArray(1000, '[')
                               + QByteArray(1000, ']') + '}')})
        << u"clusters[0].properties.x"_s << 6 << 24 << u"must be a string, not an array"_s;
    QTest::newRow("groups string")
        << cluster({name, kafka, bootstrap, R"("groups": "billing")"}) << u"clusters[0].groups"_s
        << 6 << 9 << u"must be an array of strings, not a string"_s;
    QTest::newRow("group empty") << cluster({name, kafka, bootstrap, R"("groups": [
            "billing",
            ""
        ])"}) << u"clusters[0].groups[1]"_s
                                 << 8 << 13 << u"must not be empty"_s;
    QTest::newRow("group number") << cluster({name, kafka, bootstrap, R"("groups": ["a", 3])"})
                                  << u"clusters[0].groups[1]"_s << 6 << 25
                                  << u"must be a string, not a number"_s;
    QTest::newRow("amqp on kafka")
        << cluster({name, kafka, bootstrap, amqp}) << u"clusters[0]"_s << 6 << 9
        << u"field \"amqp\" belongs to rabbitmq clusters, not kafka"_s;

    QTest::newRow("bootstrap on rabbitmq")
        << cluster({name, rabbit, amqp, bootstrap}) << u"clusters[0]"_s << 6 << 9
        << u"field \"bootstrap\" belongs to kafka clusters, not rabbitmq"_s;
    QTest::newRow("groups on rabbitmq")
        << cluster({name, rabbit, amqp, R"("groups": [])"}) << u"clusters[0]"_s << 6 << 9
        << u"field \"groups\" belongs to kafka clusters, not rabbitmq"_s;
    QTest::newRow("amqp missing") << cluster({name, rabbit}) << u"clusters[0].amqp"_s << 2 << 5
                                  << u"required field is missing"_s;
    QTest::newRow("amqp http") << cluster({name, rabbit, R"("amqp": "http://h:5672")"})
                               << u"clusters[0].amqp"_s << 5 << 9 << amqpMessage;
    QTest::newRow("amqp uppercase") << cluster({name, rabbit, R"("amqp": "AMQP://h")"})
                                    << u"clusters[0].amqp"_s << 5 << 9 << amqpMessage;
    QTest::newRow("amqp empty") << cluster({name, rabbit, R"("amqp": "")"}) << u"clusters[0].amqp"_s
                                << 5 << 9 << u"must not be empty"_s;
    QTest::newRow("duplicate key: last wins")
        << cluster({name, rabbit, amqp, R"("amqp": "http://h")"}) << u"clusters[0].amqp"_s << 6 << 9
        << amqpMessage;
    QTest::newRow("management without scheme")
        << cluster({name, rabbit, amqp, R"("management": "rabbit:15672")"})
        << u"clusters[0].management"_s << 6 << 9 << managementMessage;
    QTest::newRow("management ftp")
        << cluster({name, rabbit, amqp, R"("management": "ftp://rabbit")"})
        << u"clusters[0].management"_s << 6 << 9 << managementMessage;
    QTest::newRow("management without host")
        << cluster({name, rabbit, amqp, R"("management": "http://")"})
        << u"clusters[0].management"_s << 6 << 9 << managementMessage;
    QTest::newRow("management empty")
        << cluster({name, rabbit, amqp, R"("management": "")"}) << u"clusters[0].management"_s << 6
        << 9 << u"must not be empty"_s;
    QTest::newRow("management misspelt")
        << cluster({name, rabbit, amqp, R"("managment": "http://h")"}) << u"clusters[0]"_s << 6 << 9
        << u"unknown field \"managment\" (did you mean \"management\"?)"_s;
    QTest::newRow("kafka typo on rabbitmq: no kafka suggestion")
        << cluster({name, rabbit, amqp, R"("bootstrp": "h")"}) << u"clusters[0]"_s << 6 << 9
        << u"unknown field \"bootstrp\""_s;
    QTest::newRow("unknown field far from any")
        << cluster({name, kafka, bootstrap, R"("colour": "red")"}) << u"clusters[0]"_s << 6 << 9
        << u"unknown field \"colour\""_s;
    QTest::newRow("unknown field with quote")
        << cluster({name, kafka, bootstrap, R"("a\"b": 1)"}) << u"clusters[0]"_s << 6 << 9
        << u"unknown field \"a\\\"b\""_s;
    QTest::newRow("clusters inside a cluster")
        << cluster({name, kafka, bootstrap, R"("clusters": [])"}) << u"clusters[0]"_s << 6 << 9
        << u"unknown field \"clusters\""_s;
}

void TestProfileFile::errors()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, field);
    QFETCH(int, line);
    QFETCH(int, column);
    QFETCH(QString, message);

    const auto result = ProfileFile::parse(json, u"profiles.json"_s);
    QVERIFY(!result.ok());
    QVERIFY(result.clusters.isEmpty());
    QCOMPARE(result.error->message, message);
    QCOMPARE(result.error->field, field);
    QCOMPARE(result.error->line, line);
    QCOMPARE(result.error->column, column);
    QCOMPARE(result.error->file, u"profiles.json"_s);
}

void TestProfileFile::syntaxErrors_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<int>("line");
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("message");

    QTest::newRow("missing comma") << QByteArray(R"({
    "clusters": [
        {"name": "a"}
        {"name": "b"}
    ]
})") << 4 << 10 << u"invalid JSON: missing value separator"_s;
    QTest::newRow("trailing comma") << QByteArray("{\"clusters\": [],\n}") << 2 << 2
                                    << u"invalid JSON: object is missing after a comma"_s;
    QTest::newRow("unterminated") << QByteArray("{\"clusters\": [\n") << 2 << 1
                                  << u"invalid JSON: unterminated array"_s;
    QTest::newRow("single quotes")
        << QByteArray("{\n  'clusters': []}") << 2 << 4 << u"invalid JSON: unterminated object"_s;
    QTest::newRow("invalid UTF-8") << QByteArray("{\"clusters\": [\n {\"name\": \"\xFF\xFE\"}]}")
                                   << 2 << 12 << u"invalid JSON: invalid UTF8 string"_s;
    QTest::newRow("garbage at end") << QByteArray("{\"clusters\": []}\nx") << 2 << 1
                                    << u"invalid JSON: garbage at the end of the document"_s;
    QTest::newRow("too deep") << "{\"clusters\": " + QByteArray(2000, '[') << 1 << 1038
                              << u"invalid JSON: too deeply nested document"_s;
}

void TestProfileFile::syntaxErrors()
{
    QFETCH(QByteArray, json);
    QFETCH(int, line);
    QFETCH(int, column);
    QFETCH(QString, message);

    const auto result = ProfileFile::parse(json, u"p.json"_s);
    QVERIFY(!result.ok());
    QCOMPARE(result.error->message, message);
    QCOMPARE(result.error->field, QString());
    QCOMPARE(result.error->line, line);
    QCOMPARE(result.error->column, column);
}

void TestProfileFile::errorLineInLargeFile()
{
    QByteArray json = "{\"clusters\": [\n";
    for (int i = 0; i < 20000; ++i)
        json += R"({"name": "c)" + QByteArray::number(i)
            + R"(", "kind": "kafka", "bootstrap": "h:9092"},)" + '\n';
    json += R"({"name": "c7", "kind": "rabbitmq", "amqp": "amqp://h"})"
            "\n]}";
    const auto result = ProfileFile::parse(json, u"p.json"_s);
    QVERIFY(!result.ok());
    QCOMPARE(result.error->field, u"clusters[20000].name"_s);
    QCOMPARE(result.error->line, 20002);
    QCOMPARE(result.error->column, 2);
}

void TestProfileFile::describe_data()
{
    QTest::addColumn<ProfileError>("error");
    QTest::addColumn<QString>("expected");

    QTest::newRow("full") << ProfileError {u"profiles.json"_s, 12, 5, u"clusters[1].amqp"_s,
                                           u"must be a string"_s}
                          << u"profiles.json:12:5: clusters[1].amqp: must be a string"_s;
    QTest::newRow("no column") << ProfileError {u"p.json"_s, 3, 0, u"clusters"_s, u"m"_s}
                               << u"p.json:3: clusters: m"_s;
    QTest::newRow("no line") << ProfileError {u"/etc/p.json"_s, 0, 0, u"clusters[0].name"_s, u"m"_s}
                             << u"/etc/p.json: clusters[0].name: m"_s;
    QTest::newRow("syntax") << ProfileError {u"p.json"_s, 1, 2, {}, u"invalid JSON: x"_s}
                            << u"p.json:1:2: invalid JSON: x"_s;
    QTest::newRow("message only") << ProfileError {{}, 0, 0, {}, u"m"_s} << u"m"_s;
}

void TestProfileFile::describe()
{
    QFETCH(ProfileError, error);
    QFETCH(QString, expected);
    QCOMPARE(error.describe(), expected);
}

void TestProfileFile::defaultPath()
{
    QTemporaryDir home;
    QVERIFY(home.isValid());
    const QByteArray saved = qgetenv("XDG_CONFIG_HOME");
    qputenv("XDG_CONFIG_HOME", QFile::encodeName(home.path()));
    const QString path = ProfileFile::defaultPath();
    qputenv("XDG_CONFIG_HOME", saved);
    QCOMPARE(path, home.path() + u"/veltrix/profiles.json"_s);
}

void TestProfileFile::loadValidFile()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"profiles.json"_s);
    writeFile(path, validFile);
    const auto result = ProfileFile::load(path);
    QVERIFY(result.ok());
    QCOMPARE(result.clusters.size(), 3);
    QCOMPARE(result.clusters, validProfiles());
}

void TestProfileFile::loadNamesFileInErrors()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"profiles.json"_s);
    writeFile(path, cluster({name, rabbit, R"("amqp": "http://h")"}));
    const auto result = ProfileFile::load(path);
    QVERIFY(!result.ok());
    QCOMPARE(result.error->describe(), path + u":5:9: clusters[0].amqp: "_s + amqpMessage);
}

void TestProfileFile::loadMissingFile()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"nope.json"_s);
    const auto result = ProfileFile::load(path);
    QVERIFY(!result.ok());
    QCOMPARE(result.error->file, path);
    QCOMPARE(result.error->line, 0);
    QCOMPARE(result.error->message, u"cannot read the profiles file: "_s + qt_error_string(ENOENT));
    QVERIFY(result.error->describe().startsWith(path + u": "_s));
}

void TestProfileFile::loadDirectory()
{
    QTemporaryDir dir;
    const auto result = ProfileFile::load(dir.path());
    QVERIFY(!result.ok());
    QCOMPARE(result.error->file, dir.path());
    QVERIFY2(result.error->message.startsWith(u"cannot read the profiles file: "_s)
                 && result.error->message.contains(u"directory"_s),
             qPrintable(result.error->message));
}

void TestProfileFile::loadUnreadableFile()
{
    // A folder where the file should be: unreadable even for root, which CI runs as.
    QTemporaryDir dir;
    const QString path = dir.filePath(u"profiles.json"_s);
    QVERIFY(QDir().mkpath(path));
    const auto result = ProfileFile::load(path);
    QVERIFY(!result.ok());
    QCOMPARE(result.error->file, path);
    QVERIFY2(result.error->message.startsWith(u"cannot read the profiles file: "_s),
             qPrintable(result.error->message));
}

void TestProfileFile::loadTooLargeFile()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"profiles.json"_s);
    writeFile(path, '{' + QByteArray(ProfileFile::maxFileSize, ' ') + '}');
    const auto result = ProfileFile::load(path);
    QVERIFY(!result.ok());
    QCOMPARE(result.error->message, u"larger than 16 MiB; this is not a profiles file"_s);
    QCOMPARE(result.error->file, path);
}

void TestProfileFile::saveCreatesFolderAndIsPrivate()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"a/b/profiles.json"_s);
    const auto error = ProfileFile::save(path, validProfiles());
    QVERIFY2(!error, qPrintable(error ? error->describe() : QString()));
    QCOMPARE(ProfileFile::load(path).clusters, validProfiles());
    const QFileDevice::Permissions permissions = QFile::permissions(path);
    QVERIFY(permissions.testFlags(QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    QCOMPARE(permissions & (QFileDevice::ReadGroup | QFileDevice::ReadOther),
             QFileDevice::Permissions());
    QCOMPARE(QDir(dir.filePath(u"a/b"_s))
                 .entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
             QStringList {u"profiles.json"_s});
}

void TestProfileFile::saveKeepsExistingPermissions()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"profiles.json"_s);
    writeFile(path, "{}");
    const auto shared = QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup
        | QFileDevice::ReadOther;
    QVERIFY(QFile::setPermissions(path, shared));
    QVERIFY(!ProfileFile::save(path, validProfiles()));
    QVERIFY(QFile::permissions(path).testFlags(QFileDevice::ReadGroup | QFileDevice::ReadOther));
}

void TestProfileFile::saveReplacesAtomically()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"profiles.json"_s);
    QVERIFY(!ProfileFile::save(path, validProfiles()));
    const QList<ClusterProfile> one = validProfiles().mid(1, 1);
    QVERIFY(!ProfileFile::save(path, one));
    QCOMPARE(ProfileFile::load(path).clusters, one);
    QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
             QStringList {u"profiles.json"_s});
}

void TestProfileFile::saveRefusesInvalidProfiles_data()
{
    QTest::addColumn<QList<ClusterProfile>>("clusters");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("message");

    QList<ClusterProfile> unnamed = validProfiles();
    unnamed[1].name.clear();
    QTest::newRow("empty name") << unnamed << u"clusters[1].name"_s
                                << u"not saved: must not be empty"_s;
    QList<ClusterProfile> twice = validProfiles();
    twice[2].name = twice[0].name;
    QTest::newRow("duplicate name")
        << twice << u"clusters[2].name"_s
        << u"not saved: \"shop-kafka\" is already the name of clusters[0]"_s;
    QList<ClusterProfile> badUri = validProfiles();
    badUri[1].amqpUri = u"rabbit:5672"_s;
    QTest::newRow("bad amqp") << badUri << u"clusters[1].amqp"_s << u"not saved: "_s + amqpMessage;
}

void TestProfileFile::saveRefusesInvalidProfiles()
{
    QFETCH(QList<ClusterProfile>, clusters);
    QFETCH(QString, field);
    QFETCH(QString, message);

    QTemporaryDir dir;
    const QString path = dir.filePath(u"profiles.json"_s);
    const auto error = ProfileFile::save(path, clusters);
    QVERIFY(error);
    QCOMPARE(error->file, path);
    QCOMPARE(error->field, field);
    QCOMPARE(error->message, message);
    QCOMPARE(error->line, 0);
    QVERIFY(!QFile::exists(path));
}

void TestProfileFile::saveReportsFolderError()
{
    QTemporaryDir dir;
    writeFile(dir.filePath(u"blocker"_s), "x");
    const QString path = dir.filePath(u"blocker/sub/profiles.json"_s);
    const auto error = ProfileFile::save(path, validProfiles());
    QVERIFY(error);
    QCOMPARE(error->file, path);
    QVERIFY2(error->message.startsWith(u"cannot create the folder "_s
                                       + dir.filePath(u"blocker/sub: "_s)),
             qPrintable(error->message));
    QVERIFY(error->message.size()
            > u"cannot create the folder : "_s.size() + dir.filePath(u"blocker/sub"_s).size());
}

void TestProfileFile::redriveProducerSaysWhatACombinationRisks()
{
    veltrix::RedriveProducerSettings safe;
    QVERIFY(safe.errors().isEmpty());
    QVERIFY(safe.warnings().isEmpty());
    QCOMPARE(safe.properties().value(u"acks"_s), u"all"_s);
    QVERIFY(!safe.properties().contains(u"delivery.timeout.ms"_s));

    veltrix::RedriveProducerSettings risky;
    risky.idempotence = false;
    risky.acks = u"1"_s;
    QVERIFY(risky.errors().isEmpty());
    const QString warnings = risky.warnings().join(u' ');
    QVERIFY(warnings.contains(u"acks 1"_s));
    QVERIFY(warnings.contains(u"reordered"_s)); // 5 in flight, retries, no idempotence
    QVERIFY(warnings.contains(u"twice"_s));
    risky.maxInFlight = 1;
    QVERIFY(!risky.warnings().join(u' ').contains(u"reordered"_s));
    risky.retries = 0;
    QVERIFY(risky.warnings().join(u' ').contains(u"retries 0"_s));

    veltrix::RedriveProducerSettings refused;
    refused.maxInFlight = 6;
    refused.retries = 0;
    QCOMPARE(refused.errors().size(), 2); // idempotence: at most 5 in flight, retries > 0
}

void TestProfileFile::securityFieldsRoundTrip()
{
    const QByteArray json = cluster(
        {name, kafka, bootstrap,
         R"("properties": {"security.protocol": "sasl_ssl", "sasl.username": "ops"})",
         R"("tls": {"ca_file": "/etc/ca.pem", "cert_file": "/c.pem", "key_file": "/c.key"})",
         R"("password": {"from": "env", "name": "OPS_KAFKA_PW"})",
         R"("key_passphrase": {"from": "keychain"})",
         R"("masking": {"defaults": false, "headers": ["authorization"],
                        "json_paths": ["card.number", "items[*].iban"], "patterns": ["\\d{16}"]})"});
    const auto result = ProfileFile::parse(json, u"p.json"_s);
    QVERIFY2(result.ok(), qPrintable(whyNot(result)));
    const ClusterProfile &p = result.clusters.first();
    QCOMPARE(p.tls.caFile, u"/etc/ca.pem"_s);
    QCOMPARE(p.tls.keyFile, u"/c.key"_s);
    QVERIFY(p.tls.verify);
    QCOMPARE(p.passwordSource.from, veltrix::SecretSource::From::Env);
    QCOMPARE(p.passwordSource.envName, u"OPS_KAFKA_PW"_s);
    QCOMPARE(p.keyPassphraseSource.from, veltrix::SecretSource::From::Keychain);
    QVERIFY(!p.masking.defaults);
    QCOMPARE(p.masking.jsonPaths, (QStringList {u"card.number"_s, u"items[*].iban"_s}));
    QCOMPARE(p.masking.patterns, QStringList {u"\\d{16}"_s});
    const auto again = ProfileFile::parse(ProfileFile::serialize(result.clusters), u"p.json"_s);
    QVERIFY2(again.ok(), qPrintable(whyNot(again)));
    QCOMPARE(again.clusters, result.clusters);

    const auto rabbitTls = ProfileFile::parse(
        cluster({name, rabbit, R"("amqp": "amqps://ops@h/%2F")", R"("tls": {"verify": false})",
                 R"("password": {"from": "prompt"})"}),
        u"p.json"_s);
    QVERIFY2(rabbitTls.ok(), qPrintable(whyNot(rabbitTls)));
    QVERIFY(!rabbitTls.clusters.first().tls.verify);
    QCOMPARE(rabbitTls.clusters.first().passwordSource.from, veltrix::SecretSource::From::Prompt);
}

void TestProfileFile::securityErrors_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("field");
    QTest::addColumn<int>("line");
    QTest::addColumn<QString>("says");

    QTest::newRow("password written in the file")
        << cluster({name, kafka, bootstrap, R"("password": "hunter2")"})
        << u"clusters[0].password"_s << 6 << u"never written in the profiles file"_s;
    QTest::newRow("unknown source")
        << cluster({name, kafka, bootstrap, R"("password": {"from": "vault"})"})
        << u"clusters[0].password.from"_s << 6 << u"must be \"keychain\", \"env\" or \"prompt\""_s;
    QTest::newRow("env without a name")
        << cluster({name, kafka, bootstrap, R"("password": {"from": "env"})"})
        << u"clusters[0].password.name"_s << 6 << u"required field is missing"_s;
    QTest::newRow("env name not a variable")
        << cluster({name, kafka, bootstrap, R"("password": {"from": "env", "name": "A B"})"})
        << u"clusters[0].password.name"_s << 6 << u"is not an environment variable name"_s;
    QTest::newRow("keychain with a name")
        << cluster({name, kafka, bootstrap, R"("password": {"from": "keychain", "name": "X"})"})
        << u"clusters[0].password.name"_s << 6 << u"only {\"from\": \"env\"}"_s;
    QTest::newRow("tls not an object") << cluster({name, kafka, bootstrap, R"("tls": true)"})
                                       << u"clusters[0].tls"_s << 6 << u"must be an object"_s;
    QTest::newRow("tls typo") << cluster({name, kafka, bootstrap, R"("tls": {"ca_fle": "/x"})"})
                              << u"clusters[0].tls"_s << 6 << u"(did you mean \"ca_file\"?)"_s;
    QTest::newRow("verify as text")
        << cluster({name, kafka, bootstrap, R"("tls": {"verify": "no"})"})
        << u"clusters[0].tls.verify"_s << 6 << u"must be true or false"_s;
    QTest::newRow("cert without key")
        << cluster({name, kafka, bootstrap, R"("tls": {"cert_file": "/c.pem"})"})
        << u"clusters[0].tls.cert_file"_s << 6 << u"needs both cert_file and key_file"_s;
    QTest::newRow("verification off in properties only")
        << cluster({name, kafka, bootstrap,
                    R"("properties": {"enable.ssl.certificate.verification": "false"})"})
        << u"clusters[0].properties[\"enable.ssl.certificate.verification\"]"_s << 6
        << u"needs \"tls\": {\"verify\": false}"_s;
    QTest::newRow("host name check off in properties only")
        << cluster({name, kafka, bootstrap,
                    R"("properties": {"ssl.endpoint.identification.algorithm": "none"})"})
        << u"clusters[0].properties[\"ssl.endpoint.identification.algorithm\"]"_s << 6
        << u"turns host name verification off"_s;
    QTest::newRow("sasl.password beside a source")
        << cluster({name, kafka, bootstrap, R"("properties": {"sasl.password": "x"})",
                    R"("password": {"from": "prompt"})"})
        << u"clusters[0].properties[\"sasl.password\"]"_s << 6 << u"keep one"_s;
    QTest::newRow("CA twice") << cluster({name, kafka, bootstrap,
                                          R"("properties": {"ssl.ca.location": "/a"})",
                                          R"("tls": {"ca_file": "/b"})"})
                              << u"clusters[0].properties[\"ssl.ca.location\"]"_s << 6
                              << u"keep one"_s;
    QTest::newRow("URI password beside a source")
        << cluster(
               {name, rabbit, R"("amqp": "amqp://u:p@h/%2F")", R"("password": {"from": "prompt"})"})
        << u"clusters[0].amqp"_s << 5 << u"remove it from the URI"_s;
    QTest::newRow("tls on plain amqp")
        << cluster({name, rabbit, amqp, R"("tls": {"ca_file": "/ca.pem"})"}) << u"clusters[0].tls"_s
        << 6 << u"must start with amqps://"_s;
    QTest::newRow("bad regular expression")
        << cluster({name, kafka, bootstrap, R"("masking": {"patterns": ["ok", "(unclosed"]})"})
        << u"clusters[0].masking.patterns[1]"_s << 6 << u"not a regular expression"_s;
    QTest::newRow("bad JSON path")
        << cluster({name, kafka, bootstrap, R"("masking": {"json_paths": ["a..b"]})"})
        << u"clusters[0].masking.json_paths[0]"_s << 6 << u"is not a JSON path"_s;
    QTest::newRow("bad index") << cluster(
        {name, kafka, bootstrap, R"("masking": {"json_paths": ["a[x]"]})"})
                               << u"clusters[0].masking.json_paths[0]"_s << 6
                               << u"is not a JSON path"_s;
    QTest::newRow("masking typo") << cluster(
        {name, kafka, bootstrap, R"("masking": {"header": []})"})
                                  << u"clusters[0].masking"_s << 6
                                  << u"(did you mean \"headers\"?)"_s;
}

void TestProfileFile::securityErrors()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, field);
    QFETCH(int, line);
    QFETCH(QString, says);
    const auto result = ProfileFile::parse(json, u"profiles.json"_s);
    QVERIFY(!result.ok());
    QCOMPARE(result.error->field, field);
    QCOMPARE(result.error->line, line);
    QVERIFY2(result.error->message.contains(says), qPrintable(result.error->message));
    QVERIFY2(!result.error->describe().contains(u"hunter2"_s), "a secret is never repeated");
}

void TestProfileFile::savedFileHoldsNoResolvedSecret()
{
    QTemporaryDir dir;
    ClusterProfile p;
    p.name = u"k"_s;
    p.bootstrap = u"h:9092"_s;
    p.passwordSource.from = veltrix::SecretSource::From::Env;
    p.passwordSource.envName = u"K_PW"_s;
    p.password = u"resolved-S3cret"_s; // in memory after SecretResolver
    p.keyPassphraseSource.from = veltrix::SecretSource::From::Prompt;
    p.keyPassphrase = u"resolved-Passphrase"_s;
    const QString path = dir.filePath(u"profiles.json"_s);
    QVERIFY(!ProfileFile::save(path, {p}));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray written = file.readAll();
    QVERIFY(written.contains("K_PW"));
    QVERIFY(!written.contains("resolved-S3cret"));
    QVERIFY(!written.contains("resolved-Passphrase"));
}

QTEST_GUILESS_MAIN(TestProfileFile)
#include "tst_profilefile.moc"
