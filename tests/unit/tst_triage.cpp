// Triage groupings: exception messages with their variable parts normalised away, the
// grouping keys per dimension, counts, the cap on distinct values, and group filters.
#include "deadletter/triage.h"

#include <QTest>

using namespace veltrix;
using namespace Qt::StringLiterals;

namespace {

DeadLetter letter(const QString &destination, const QString &reason, const QString &exception,
                  const QString &message)
{
    DeadLetter d;
    d.convention = DeadLetterConvention::RabbitXDeath;
    d.originalDestination = destination;
    d.reason = reason;
    d.exceptionClass = exception;
    d.exceptionMessage = message;
    return d;
}

DeadLetter withDestination(const QString &destination)
{
    return letter(destination, u"rejected"_s, {}, {});
}

} // namespace

class TestTriage : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void normalise_data();
    void normalise();
    void normaliseCapsLength();
    void normaliseSurvivesBrokenUtf16();
    void valuesLabelEmptyFields_data();
    void valuesLabelEmptyFields();
    void countsGroupSimilarMessages();
    void springWrapperDoesNotHideTheCause();
    void groupsSortByCountThenValue();
    void distinctValuesAreCapped();
    void defaultCapIsAThousand();
    void matchesFiltersByGroup();
    void clearForgetsEverything();
};

void TestTriage::normalise_data()
{
    QTest::addColumn<QString>("message");
    QTest::addColumn<QString>("expected");
    QTest::newRow("empty") << QString() << QString();
    QTest::newRow("integer") << u"Order 12345 not found"_s << u"Order <n> not found"_s;
    QTest::newRow("other integer") << u"Order 987 not found"_s << u"Order <n> not found"_s;
    QTest::newRow("decimal and negative") << u"Amount -12.50 exceeds limit 100.00 (x=-3)"_s
                                          << u"Amount <n> exceeds limit <n> (x=<n>)"_s;
    QTest::newRow("hyphenated ids keep the hyphen")
        << u"Order ORD-0100042 rejected: customer CUST-0042 is blocked"_s
        << u"Order ORD-<n> rejected: customer CUST-<n> is blocked"_s;
    QTest::newRow("range") << u"expected 5-10 items"_s << u"expected <n>-<n> items"_s;
    QTest::newRow("digits inside words") << u"user42 hit shard7"_s << u"user<n> hit shard<n>"_s;
    QTest::newRow("uuid") << u"Customer 550e8400-e29b-41d4-a716-446655440000 is blocked"_s
                          << u"Customer <uuid> is blocked"_s;
    QTest::newRow("uuid upper case, prefixed")
        << u"key order-550E8400-E29B-41D4-A716-446655440000."_s << u"key order-<uuid>."_s;
    QTest::newRow("object id") << u"Document 507f1f77bcf86cd799439011 missing"_s
                               << u"Document <hex> missing"_s;
    QTest::newRow("short hex is a number and a word")
        << u"ref ab12"_s << u"ref ab<n>"_s; // under 8 hex digits: not an id
    QTest::newRow("hex word without digits stays")
        << u"cafebabedeadbeef"_s << u"cafebabedeadbeef"_s;
    QTest::newRow("0x prefix") << u"Invalid start byte 0xff"_s << u"Invalid start byte <hex>"_s;
    QTest::newRow("email") << u"User john.doe+test@example.co.uk not allowed"_s
                           << u"User <email> not allowed"_s;
    QTest::newRow("iso instant") << u"Exception thrown at 2023-11-14T22:13:20.000Z"_s
                                 << u"Exception thrown at <time>"_s;
    QTest::newRow("iso with offset and space")
        << u"expired 2024-01-15 10:20:30+01:00, retry"_s << u"expired <time>, retry"_s;
    QTest::newRow("local date time nanos")
        << u"at 2024-01-15T10:20:30.123456789 UTC"_s << u"at <time> UTC"_s;
    QTest::newRow("date only") << u"due 2024-01-15"_s << u"due <time>"_s;
    QTest::newRow("whitespace collapses") << u"  a\n\tb   c "_s << u"a b c"_s;
    QTest::newRow("short quoted text stays")
        << u"Missing required field 'customerId'; Unrecognized field \"colour\""_s
        << u"Missing required field 'customerId'; Unrecognized field \"colour\""_s;
    QTest::newRow("short quoted text is normalised inside")
        << u"Unknown status 'S42' for \"ORD-7\""_s << u"Unknown status 'S<n>' for \"ORD-<n>\""_s;
    QTest::newRow("long quoted text collapses")
        << u"Listener method 'public void com.shop.orders.OrderListener.onOrder(java.lang."
           "String)' threw exception; Order 42 failed"_s
        << u"Listener method '…' threw exception; Order <n> failed"_s;
    QTest::newRow("long double-quoted excerpt")
        << u"Unexpected character at [Source: \"{\\u0022id\\u0022: 17, \\u0022name\\u0022: "
           "\\u0022Alice Smith\\u0022}\"; line: 1]"_s
        << u"Unexpected character at [Source: \"…\"; line: <n>]"_s;
    QTest::newRow("apostrophes are not quotes")
        << u"Can't reserve 3 items, the warehouse's stock for 'SKU-1' is 2"_s
        << u"Can't reserve <n> items, the warehouse's stock for 'SKU-<n>' is <n>"_s;
    QTest::newRow("unicode text stays")
        << u"Größe 12 überschritten"_s << u"Größe <n> überschritten"_s;
}

void TestTriage::normalise()
{
    QFETCH(QString, message);
    QFETCH(QString, expected);
    QCOMPARE(normaliseExceptionMessage(message), expected);
}

void TestTriage::normaliseCapsLength()
{
    const QString longMessage = u"word "_s.repeated(500);
    const QString normalised = normaliseExceptionMessage(longMessage);
    QCOMPARE(normalised.size(), NormalisedMessageMaxLength);
    QVERIFY(normalised.endsWith(u"…"_s));
    QVERIFY(normalised.startsWith(u"word word "_s));
    // Messages that differ only far beyond the cap share a group.
    QCOMPARE(normaliseExceptionMessage(longMessage + u"tail A"_s),
             normaliseExceptionMessage(longMessage + u"tail B"_s));
    // The cut never splits a surrogate pair.
    const QString emoji = u"x"_s.repeated(NormalisedMessageMaxLength - 2) + u"😀😀😀"_s;
    const QString cut = normaliseExceptionMessage(emoji);
    QVERIFY(cut.size() <= NormalisedMessageMaxLength);
    QVERIFY(!cut.at(cut.size() - 2).isHighSurrogate());
}

void TestTriage::normaliseSurvivesBrokenUtf16()
{
    QString broken = u"Order 42 "_s;
    broken += QChar(0xd800); // a lone high surrogate
    broken += u" failed 7"_s;
    const QString normalised = normaliseExceptionMessage(broken);
    QCOMPARE(normalised, u"Order <n> \uFFFD failed <n>"_s);
}

void TestTriage::valuesLabelEmptyFields_data()
{
    QTest::addColumn<TriageDimension>("dimension");
    QTest::addColumn<QString>("filled");
    QTest::addColumn<QString>("empty");
    QTest::newRow("reason") << TriageDimension::Reason << u"expired"_s << u"(no reason)"_s;
    QTest::newRow("class") << TriageDimension::ExceptionClass << u"com.shop.BadOrder"_s
                           << u"(no exception)"_s;
    QTest::newRow("message") << TriageDimension::ExceptionMessage << u"Order <n> bad"_s
                             << u"(no message)"_s;
    QTest::newRow("destination") << TriageDimension::OriginalDestination << u"orders"_s
                                 << u"(unknown destination)"_s;
}

void TestTriage::valuesLabelEmptyFields()
{
    QFETCH(TriageDimension, dimension);
    QFETCH(QString, filled);
    QFETCH(QString, empty);
    const DeadLetter full
        = letter(u"orders"_s, u"expired"_s, u"com.shop.BadOrder"_s, u"Order 17 bad"_s);
    QCOMPARE(triageValue(full, dimension), filled);
    QCOMPARE(triageValue(DeadLetter(), dimension), empty);
    // A message of blanks only is no message.
    QCOMPARE(triageValue(letter({}, u" "_s, u" "_s, u" \n "_s), dimension), empty);
}

void TestTriage::countsGroupSimilarMessages()
{
    TriageCounter counter;
    counter.add(letter(u"orders"_s, u"rejected"_s, u"a.NotFound"_s, u"Order 12345 not found"_s));
    counter.add(letter(u"orders"_s, u"rejected"_s, u"a.NotFound"_s, u"Order 987 not found"_s));
    counter.add(letter(u"payments"_s, u"expired"_s, {}, {}));
    QCOMPARE(counter.total(), 3);
    QCOMPARE(counter.groups(TriageDimension::ExceptionMessage),
             (QList<TriageGroup> {{u"Order <n> not found"_s, 2}, {u"(no message)"_s, 1}}));
    QCOMPARE(counter.groups(TriageDimension::ExceptionClass),
             (QList<TriageGroup> {{u"a.NotFound"_s, 2}, {u"(no exception)"_s, 1}}));
    QCOMPARE(counter.groups(TriageDimension::Reason),
             (QList<TriageGroup> {{u"rejected"_s, 2}, {u"expired"_s, 1}}));
    QCOMPARE(counter.groups(TriageDimension::OriginalDestination),
             (QList<TriageGroup> {{u"orders"_s, 2}, {u"payments"_s, 1}}));
}

void TestTriage::springWrapperDoesNotHideTheCause()
{
    TriageCounter counter;
    const QString method = u"Listener method 'public void com.shop.PaymentListener.onPayment("
                           "org.apache.kafka.clients.consumer.ConsumerRecord)' threw exception; "_s;
    counter.add(letter(u"payments"_s, {}, u"a.Declined"_s, method + u"card 4242 declined"_s));
    counter.add(letter(u"payments"_s, {}, u"a.Declined"_s, method + u"card 1881 declined"_s));
    counter.add(letter(u"payments"_s, {}, u"a.Fraud"_s, u"Listener failed; fraud score 97"_s));
    counter.add(letter(u"payments"_s, {}, u"a.Other"_s, u"Listener failed"_s)); // no cause
    QCOMPARE(counter.groups(TriageDimension::ExceptionMessage),
             (QList<TriageGroup> {{u"card <n> declined"_s, 2},
                                  {u"Listener failed"_s, 1},
                                  {u"fraud score <n>"_s, 1}}));
    QCOMPARE(withoutListenerWrapper(u"Listener failedx; y"_s), u"Listener failedx; y"_s);
}

void TestTriage::groupsSortByCountThenValue()
{
    TriageCounter counter;
    for (const char *name : {"b", "c", "a", "c", "d", "d", "c"})
        counter.add(withDestination(QString::fromLatin1(name)));
    QCOMPARE(counter.groups(TriageDimension::OriginalDestination),
             (QList<TriageGroup> {{u"c"_s, 3}, {u"d"_s, 2}, {u"a"_s, 1}, {u"b"_s, 1}}));
}

void TestTriage::distinctValuesAreCapped()
{
    TriageCounter counter(3);
    for (const char *name : {"a", "b", "c", "d", "e", "a", "d"})
        counter.add(withDestination(QString::fromLatin1(name)));
    QCOMPARE(counter.total(), 7);
    // The first three values are kept and keep counting; later ones go to "(other)".
    QCOMPARE(counter.groups(TriageDimension::OriginalDestination),
             (QList<TriageGroup> {{u"(other)"_s, 3}, {u"a"_s, 2}, {u"b"_s, 1}, {u"c"_s, 1}}));
    // Dimensions are capped independently: one reason only.
    QCOMPARE(counter.groups(TriageDimension::Reason), (QList<TriageGroup> {{u"rejected"_s, 7}}));
    QVERIFY(counter.matches(withDestination(u"e"_s), TriageDimension::OriginalDestination,
                            triageOtherLabel()));
    QVERIFY(!counter.matches(withDestination(u"a"_s), TriageDimension::OriginalDestination,
                             triageOtherLabel()));
    QVERIFY(counter.matches(withDestination(u"a"_s), TriageDimension::OriginalDestination, u"a"_s));
}

void TestTriage::defaultCapIsAThousand()
{
    TriageCounter counter;
    for (int i = 0; i < 1500; ++i)
        counter.add(withDestination(u"queue-"_s + QString::number(i)));
    const QList<TriageGroup> groups = counter.groups(TriageDimension::OriginalDestination);
    QCOMPARE(groups.size(), TriageCounter::DefaultMaxDistinctValues + 1);
    QCOMPARE(groups.first(), (TriageGroup {u"(other)"_s, 500}));
    qint64 sum = 0;
    for (const TriageGroup &g : groups)
        sum += g.count;
    QCOMPARE(sum, counter.total());
}

void TestTriage::matchesFiltersByGroup()
{
    const DeadLetter a
        = letter(u"orders"_s, u"rejected"_s, u"a.NotFound"_s, u"Order 12345 not found"_s);
    QVERIFY(triageMatches(a, TriageDimension::ExceptionMessage, u"Order <n> not found"_s));
    QVERIFY(!triageMatches(a, TriageDimension::ExceptionMessage, u"Order 12345 not found"_s));
    QVERIFY(triageMatches(a, TriageDimension::OriginalDestination, u"orders"_s));
    QVERIFY(!triageMatches(a, TriageDimension::OriginalDestination, u"payments"_s));
    QVERIFY(triageMatches(DeadLetter(), TriageDimension::ExceptionClass, u"(no exception)"_s));
    // Every group a counter reports selects exactly the letters it counted.
    const QList<DeadLetter> letters {
        a, letter(u"orders"_s, u"expired"_s, {}, {}),
        letter(u"payments"_s, u"rejected"_s, u"a.NotFound"_s, u"Order 7 not found"_s)};
    TriageCounter counter;
    for (const DeadLetter &d : letters)
        counter.add(d);
    for (const TriageDimension dimension : AllTriageDimensions) {
        for (const TriageGroup &group : counter.groups(dimension)) {
            const auto selected
                = std::count_if(letters.cbegin(), letters.cend(), [&](const auto &d) {
                      return counter.matches(d, dimension, group.value);
                  });
            QCOMPARE(selected, group.count);
        }
    }
}

void TestTriage::clearForgetsEverything()
{
    TriageCounter counter(1);
    counter.add(withDestination(u"a"_s));
    counter.add(withDestination(u"b"_s));
    counter.clear();
    QCOMPARE(counter.total(), 0);
    for (const TriageDimension dimension : AllTriageDimensions)
        QVERIFY(counter.groups(dimension).isEmpty());
    counter.add(withDestination(u"b"_s));
    QCOMPARE(counter.groups(TriageDimension::OriginalDestination),
             (QList<TriageGroup> {{u"b"_s, 1}}));
}

QTEST_GUILESS_MAIN(TestTriage)
#include "tst_triage.moc"
