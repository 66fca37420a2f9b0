#include "core/jsonlocator.h"

#include <QTest>

using namespace Qt::StringLiterals;
using veltrix::TextPosition;

class TestJsonLocator : public QObject
{
    Q_OBJECT

private slots:
    void positionOfOffset_data();
    void positionOfOffset();
    void positionOfJsonPath_data();
    void positionOfJsonPath();
    void lineOfJsonPath();
    void deepNestingIsWalkedWithoutRecursion();
};

void TestJsonLocator::positionOfOffset_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<qsizetype>("offset");
    QTest::addColumn<int>("line");
    QTest::addColumn<int>("column");

    QTest::newRow("start") << QByteArray("abc") << qsizetype(0) << 1 << 1;
    QTest::newRow("end of first line") << QByteArray("abc") << qsizetype(3) << 1 << 4;
    QTest::newRow("just after newline") << QByteArray("a\nb") << qsizetype(2) << 2 << 1;
    QTest::newRow("on second line") << QByteArray("a\nb") << qsizetype(3) << 2 << 2;
    QTest::newRow("on a newline") << QByteArray("a\nb") << qsizetype(1) << 1 << 2;
    QTest::newRow("negative clamps") << QByteArray("a\nb") << qsizetype(-5) << 1 << 1;
    QTest::newRow("past end clamps") << QByteArray("a\nb") << qsizetype(100) << 2 << 2;
    QTest::newRow("empty text") << QByteArray() << qsizetype(0) << 1 << 1;
    // "é" is two bytes but one column.
    QTest::newRow("multibyte") << QByteArray("\xC3\xA9\nx\xC3\xA9 y") << qsizetype(7) << 2 << 4;
    QTest::newRow("crlf") << QByteArray("a\r\n\r\nb") << qsizetype(5) << 3 << 1;
    QTest::newRow("bom not a column") << QByteArray("\xEF\xBB\xBF"
                                                    "ab")
                                      << qsizetype(4) << 1 << 2;
}

void TestJsonLocator::positionOfOffset()
{
    QFETCH(QByteArray, text);
    QFETCH(qsizetype, offset);
    QFETCH(int, line);
    QFETCH(int, column);
    QCOMPARE(veltrix::positionOfOffset(text, offset), (TextPosition {line, column}));
}

// Lines and columns are 1-based; the document is laid out so each can be counted by eye.
static const QByteArray document = R"({
    "clusters": [
        { "name": "a", "kind": "kafka" },
        {
            "name": "b \" } ] , {",
            "kind": "rabbitmq",
            "amqp": "amqp://x"
        }
    ],
    "b\u0061d": [1, [2, 3], {"x": [4]}],
    "dup": 1,
    "dup": 2,
    "odd key": null
})";

void TestJsonLocator::positionOfJsonPath_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QStringList>("path");
    QTest::addColumn<int>("line");
    QTest::addColumn<int>("column");

    QTest::newRow("root") << document << QStringList() << 1 << 1;
    QTest::newRow("top-level key") << document << QStringList {u"clusters"_s} << 2 << 5;
    QTest::newRow("array element") << document << QStringList {u"clusters"_s, u"0"_s} << 3 << 9;
    QTest::newRow("key on same line")
        << document << QStringList {u"clusters"_s, u"0"_s, u"kind"_s} << 3 << 24;
    QTest::newRow("second element") << document << QStringList {u"clusters"_s, u"1"_s} << 4 << 9;
    QTest::newRow("key after string with brackets")
        << document << QStringList {u"clusters"_s, u"1"_s, u"amqp"_s} << 7 << 13;
    QTest::newRow("escaped key") << document << QStringList {u"bad"_s} << 10 << 5;
    QTest::newRow("nested array") << document << QStringList {u"bad"_s, u"1"_s, u"1"_s} << 10 << 25;
    QTest::newRow("object in array")
        << document << QStringList {u"bad"_s, u"2"_s, u"x"_s, u"0"_s} << 10 << 36;
    QTest::newRow("duplicate key: last wins") << document << QStringList {u"dup"_s} << 12 << 5;
    QTest::newRow("key with space") << document << QStringList {u"odd key"_s} << 13 << 5;

    QTest::newRow("missing key") << document << QStringList {u"nope"_s} << 0 << 0;
    QTest::newRow("raw spelling of escaped key")
        << document << QStringList {u"b\\u0061d"_s} << 0 << 0;
    QTest::newRow("index out of range")
        << document << QStringList {u"clusters"_s, u"2"_s} << 0 << 0;
    QTest::newRow("index not a number")
        << document << QStringList {u"clusters"_s, u"x"_s} << 0 << 0;
    QTest::newRow("negative index") << document << QStringList {u"clusters"_s, u"-1"_s} << 0 << 0;
    QTest::newRow("through a scalar") << document << QStringList {u"dup"_s, u"0"_s} << 0 << 0;
    QTest::newRow("key in a value is not a key")
        << QByteArray(R"({"a": "\"b\": 1", "c": 2})") << QStringList {u"b"_s} << 0 << 0;

    QTest::newRow("crlf") << QByteArray("{\r\n  \"a\": 1\r\n}") << QStringList {u"a"_s} << 2 << 3;
    QTest::newRow("columns count characters")
        << QByteArray("{\"\xC3\xA9\": 1, \"a\": 2}") << QStringList {u"a"_s} << 1 << 10;
    QTest::newRow("non-ASCII key")
        << QByteArray("{\"a\": 1,\n\"\xC3\xA9t\xC3\xA9\": 2}") << QStringList {u"été"_s} << 2 << 1;
    QTest::newRow("bom") << QByteArray("\xEF\xBB\xBF{\"a\": 1}") << QStringList {u"a"_s} << 1 << 2;

    QTest::newRow("empty text") << QByteArray() << QStringList() << 0 << 0;
    QTest::newRow("not JSON") << QByteArray("hello") << QStringList {u"a"_s} << 0 << 0;
    QTest::newRow("truncated array")
        << QByteArray(R"({"a": [1, 2)") << QStringList {u"a"_s, u"5"_s} << 0 << 0;
    QTest::newRow("truncated, element still found")
        << QByteArray(R"({"a": [1, 2)") << QStringList {u"a"_s, u"1"_s} << 1 << 11;
    QTest::newRow("unterminated string")
        << QByteArray(R"({"a": "x)") << QStringList {u"b"_s} << 0 << 0;
    QTest::newRow("backslash at end") << QByteArray("{\"a\\") << QStringList {u"a"_s} << 0 << 0;
    QTest::newRow("missing colon") << QByteArray(R"({"a" 1})") << QStringList {u"a"_s} << 0 << 0;
}

void TestJsonLocator::positionOfJsonPath()
{
    QFETCH(QByteArray, json);
    QFETCH(QStringList, path);
    QFETCH(int, line);
    QFETCH(int, column);
    QCOMPARE(veltrix::positionOfJsonPath(json, path), (TextPosition {line, column}));
}

void TestJsonLocator::lineOfJsonPath()
{
    QCOMPARE(veltrix::lineOfJsonPath(document, {u"clusters"_s, u"1"_s, u"kind"_s}), 6);
    QCOMPARE(veltrix::lineOfJsonPath(document, {u"clusters"_s, u"9"_s}), 0);
}

void TestJsonLocator::deepNestingIsWalkedWithoutRecursion()
{
    // Far deeper than any stack would take one frame per level.
    const QByteArray deep = '[' + QByteArray(1'000'000, '[') + QByteArray(1'000'000, ']') + ",7]";
    QCOMPARE(veltrix::positionOfJsonPath(deep, {u"1"_s}), (TextPosition {1, 2'000'003}));
    QCOMPARE(veltrix::positionOfJsonPath(deep, {u"0"_s, u"0"_s, u"0"_s}), (TextPosition {1, 4}));
    QCOMPARE(veltrix::positionOfJsonPath(QByteArray(1'000'000, '['), {u"1"_s}), TextPosition {});
}

QTEST_GUILESS_MAIN(TestJsonLocator)
#include "tst_jsonlocator.moc"
