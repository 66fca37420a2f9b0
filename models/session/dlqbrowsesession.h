#pragma once

#include "core/browsedmessage.h"
#include "core/clusterprofile.h"
#include "core/deadletterqueue.h"
#include "kafka/kafkatopicbrowser.h"
#include "rabbitmq/rabbitqueuebrowser.h"

#include <QMutex>
#include <QObject>

#include <atomic>
#include <memory>

class QTimer;

namespace veltrix {

// The worker behind the DLQ view: owns the browser of the DLQ being looked at and runs
// its blocking reads on its own thread (never the GUI's, never the cluster session's, so
// a long browse does not delay lag polls). Requests arrive as queued slot calls; every
// answer carries the source it is for, so the page can drop answers for a DLQ it left.
class DlqBrowseSession : public QObject
{
    Q_OBJECT
public:
    explicit DlqBrowseSession(QObject *parent = nullptr);
    ~DlqBrowseSession() override;

    // Safe from any thread: stops a running scan, read or browse soon (the broker calls
    // return with an "interrupted" error; a RabbitMQ browse still puts everything back).
    void cancel();

    // Newest messages a triage scan reads across a DLT's partitions by default.
    static constexpr int DefaultScanLimit = 10000;
    // Payload bytes a triage scan keeps per message: enough to filter and preview.
    static constexpr qint64 ScanPayloadBytes = 16 * 1024;

public Q_SLOTS:
    void open(const veltrix::ClusterProfile &profile, const veltrix::DlqSource &source);
    void readKafkaPage(int partition, qint64 firstOffset, int count);
    // The newest `limit` messages across partitions, for triage and filtering.
    void scanKafka(int limit);
    void findKafkaTime(const QDateTime &time);
    void tailKafka(bool on);
    // The partitions' offsets again (kafkaOpened), e.g. after a tail added records.
    void refreshKafka();
    void browseRabbit(const veltrix::RabbitBrowseOptions &options);
    // The message again, without the payload cap ("load all").
    void loadWhole(const veltrix::BrowsedMessage &message);
    void close();

Q_SIGNALS:
    void kafkaOpened(const QString &source, const QList<veltrix::KafkaPartitionExtent> &extents);
    void kafkaPageAvailable(const QString &source, int partition, qint64 firstOffset,
                            const veltrix::BrowsedMessageList &messages);
    void kafkaPageFailed(const QString &source, int partition, qint64 firstOffset);
    void scanProgress(const QString &source, qint64 done, qint64 total);
    void scanAvailable(const QString &source, const veltrix::BrowsedMessageList &messages);
    void kafkaTimeFound(const QString &source, int partition, qint64 offset);
    void tailStarted(const QString &source); // from the ends as they are now
    void tailAvailable(const QString &source, const veltrix::BrowsedMessageList &messages);
    void rabbitBrowsed(const QString &source, const veltrix::RabbitBrowseResult &result);
    void wholeMessageAvailable(const QString &source, const veltrix::BrowsedMessage &message);
    void failed(const QString &source, const QString &what, const QString &error);

private:
    void pollTail();
    void setBrowsers(std::unique_ptr<KafkaTopicBrowser> kafka,
                     std::unique_ptr<RabbitQueueBrowser> rabbit);
    void continueScan();
    void scheduleScanStep();
    QString currentSource() const { return m_source.toString(); }

    template<typename T>
    T &masked(T &messages) const; // a BrowsedMessage or a list of them
    ClusterProfile m_profile;
    DlqSource m_source;
    std::unique_ptr<KafkaTopicBrowser> m_kafka;
    std::unique_ptr<RabbitQueueBrowser> m_rabbit;
    struct Scan
    {
        QString source; // empty: none running
        QList<KafkaReadRequest> remaining;
        BrowsedMessageList found;
        qint64 planned = 0;
        qint64 done = 0;
    } m_scan;
    bool m_scanStepQueued = false;
    QMap<int, qint64> m_tailOffsets;
    QTimer *m_tailTimer = nullptr;
    std::atomic<bool> m_cancelled {false};
    QMutex m_browsersMutex; // guards replacing the browsers against cancel()
};

} // namespace veltrix
