// resources/grafana/veltrix-dashboard.json is built on the exporter's metrics: it parses,
// has its panels and queries, and every metric a query names is one the exporter writes.
#include "metrics/exportermetrics.h"

#include <prometheus/metric_family.h>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

using namespace veltrix;
using namespace Qt::StringLiterals;

class TestGrafanaDashboard : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parsesWithPanelsAndQueries();
    void everyQueryNamesAnExportedMetric();
    void coversWhatTheIssueAsksFor();
    void metricNamesAreWhatTheExporterWrites();

private:
    QJsonObject dashboard();
    QStringList queries();
};

QJsonObject TestGrafanaDashboard::dashboard()
{
    QFile file(QStringLiteral(VELTRIX_GRAFANA_DASHBOARD));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &error);
    if (error.error != QJsonParseError::NoError)
        qWarning("%s", qPrintable(error.errorString()));
    return document.object();
}

QStringList TestGrafanaDashboard::queries()
{
    QStringList out;
    const QJsonObject d = dashboard();
    for (const QJsonValue &panel : d[u"panels"_s].toArray())
        for (const QJsonValue &target : panel[u"targets"_s].toArray())
            out << target[u"expr"_s].toString();
    for (const QJsonValue &variable : d[u"templating"_s][u"list"_s].toArray())
        if (variable[u"type"_s] == u"query"_s)
            out << variable[u"query"_s].toString();
    return out;
}

void TestGrafanaDashboard::parsesWithPanelsAndQueries()
{
    const QJsonObject d = dashboard();
    QVERIFY2(!d.isEmpty(), VELTRIX_GRAFANA_DASHBOARD);
    QCOMPARE(d[u"uid"_s].toString(), u"veltrix-console"_s);
    QVERIFY(!d[u"title"_s].toString().isEmpty());
    const QJsonArray panels = d[u"panels"_s].toArray();
    QVERIFY(panels.size() >= 10);
    QSet<int> ids;
    for (const QJsonValue &panel : panels) {
        QVERIFY(!panel[u"title"_s].toString().isEmpty());
        QVERIFY2(!ids.contains(panel[u"id"_s].toInt()), "panel ids are unique");
        ids.insert(panel[u"id"_s].toInt());
        QVERIFY(!panel[u"targets"_s].toArray().isEmpty());
        for (const QJsonValue &target : panel[u"targets"_s].toArray())
            QVERIFY(!target[u"expr"_s].toString().trimmed().isEmpty());
    }
}

void TestGrafanaDashboard::everyQueryNamesAnExportedMetric()
{
    const QStringList exported = ExporterMetrics::metricNames();
    static const QRegularExpression name(u"\\bveltrix_[a-z_]+"_s);
    int named = 0;
    for (const QString &query : queries()) {
        auto matches = name.globalMatch(query);
        QVERIFY2(matches.hasNext(), qPrintable(u"names no veltrix metric: "_s + query));
        while (matches.hasNext()) {
            QString metric = matches.next().captured();
            // A histogram's series.
            for (const QString &suffix : {u"_bucket"_s, u"_count"_s, u"_sum"_s})
                if (metric.endsWith(suffix) && !exported.contains(metric))
                    metric.chop(suffix.size());
            QVERIFY2(exported.contains(metric), qPrintable(metric + u" in "_s + query));
            ++named;
        }
    }
    QVERIFY(named >= 15);
}

void TestGrafanaDashboard::coversWhatTheIssueAsksFor()
{
    const QString all = queries().join(u'\n');
    for (const QString &needed :
         {u"veltrix_kafka_consumergroup_group_lag_messages"_s,
          u"veltrix_kafka_consumergroup_group_max_lag_seconds"_s,
          u"veltrix_kafka_consumergroup_status"_s, u"veltrix_dlq_depth_messages"_s,
          u"veltrix_probe_latency_seconds_bucket"_s})
        QVERIFY2(all.contains(needed), qPrintable(needed));
}

// The list the dashboard is checked against is the exporter's real output, family by family.
void TestGrafanaDashboard::metricNamesAreWhatTheExporterWrites()
{
    ExporterMetrics metrics;
    metrics.setClusterUp(u"k"_s, true);
    LagSnapshot snapshot;
    snapshot.cluster = u"k"_s;
    GroupLag group;
    group.group = u"g"_s;
    PartitionLag partition;
    partition.topic = u"t"_s;
    partition.partition = 0;
    partition.lag = 5;
    partition.timeLagSeconds = 1.5;
    group.partitions = {partition};
    snapshot.groups = {group};
    TopicOffsets topic;
    topic.name = u"t"_s;
    TopicPartitionOffsets offsets;
    offsets.partition = 0;
    offsets.startOffset = 0;
    offsets.endOffset = 9;
    topic.partitions = {offsets};
    snapshot.topics = {topic};
    metrics.takeLag(snapshot);
    DlqListing listing;
    listing.clusterName = u"k"_s;
    DlqInfo dlq;
    dlq.source = {ClusterKind::Kafka, u"k"_s, {}, u"t-dlt"_s};
    dlq.depth = 3;
    dlq.inflowPerSecond = 0.5;
    listing.queues = {dlq};
    metrics.takeDlqs(listing);
    ProbeOutcome outcome;
    outcome.latencyMs = 12;
    metrics.takeProbes(u"k"_s, {outcome});
    metrics.countRedrive(u"k"_s, u"kafka:k/t-dlt"_s, u"moved"_s, 2);
    metrics.countRetryPolicyChange(u"k"_s, u"policy"_s);
    QStringList written;
    for (const auto &family : metrics.Collect())
        if (!family.metric.empty())
            written << QString::fromStdString(family.name);
    QStringList expected = ExporterMetrics::metricNames();
    written.sort();
    expected.sort();
    QCOMPARE(written, expected);
}

QTEST_GUILESS_MAIN(TestGrafanaDashboard)
#include "tst_grafanadashboard.moc"
