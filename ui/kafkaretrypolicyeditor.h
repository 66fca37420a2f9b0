#pragma once

#include "core/clusterprofile.h"
#include "retry/kafkaretrypolicystore.h"

#include <QWidget>

#include <functional>
#include <optional>

class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace veltrix {

// The Retry tab for a Kafka consumer group: its policy in the retry-policy topic, the
// versions before it (who, when, what), and a form to publish a new one — previewed as a
// diff with refusals and warnings, published after a confirmation. Every broker call runs
// on a worker thread (KafkaRetryPolicyStore); the widget only shows results.
class KafkaRetryPolicyEditor : public QWidget
{
    Q_OBJECT
public:
    using Confirmer = std::function<bool(const QString &question)>;

    explicit KafkaRetryPolicyEditor(QWidget *parent = nullptr);

    // Loads the group's policy and history from the profile's cluster.
    void open(const ClusterProfile &profile, const QString &group);
    void setConfirmer(Confirmer confirmer) { m_confirmer = std::move(confirmer); }

    // The form as a policy (what Preview plans); nullopt and why when a field is malformed.
    std::optional<KafkaRetryPolicy> formPolicy(QString *problem) const;
    void setForm(const KafkaRetryPolicy &policy);
    void preview();
    void publish(); // asks, then publishes the last preview

    bool busy() const { return m_busy; }
    const std::optional<KafkaRetryPolicy> &current() const { return m_current; }
    const QList<KafkaRetryPolicyVersion> &history() const { return m_history; }
    std::optional<KafkaRetryPolicyPlan> plan() const { return m_plan; }
    QString planText() const;
    QTableWidget *historyTable() const { return m_historyTable; }
    QPushButton *publishButton() const { return m_publish; }

Q_SIGNALS:
    void loaded();
    void planReady();
    void published();
    void failed(const QString &why);

private:
    template<typename T>
    void runTask(std::function<Result<T>(KafkaRetryPolicyStore &)> task,
                 std::function<void(const T &)> done);
    void reload();
    void showHistory();
    void showPlan(const QString &heading, const QStringList &diff, const QStringList &warnings,
                  const QStringList &errors);
    void setBusy(bool busy, const QString &status);
    void enablePublish(bool ready);

    ClusterProfile m_profile;
    QString m_group;
    std::optional<KafkaRetryPolicy> m_current;
    QList<KafkaRetryPolicyVersion> m_history;
    std::optional<KafkaRetryPolicyPlan> m_plan;
    bool m_busy = false;
    Confirmer m_confirmer;

    QLabel *m_title;
    QSpinBox *m_maxAttempts;
    QLineEdit *m_initialBackoff;
    QDoubleSpinBox *m_multiplier;
    QLineEdit *m_maxBackoff;
    QDoubleSpinBox *m_jitter;
    QLineEdit *m_retryTopics;
    QLineEdit *m_dlt;
    QPushButton *m_preview;
    QPushButton *m_publish;
    QLabel *m_status;
    QLabel *m_planLabel;
    QTableWidget *m_historyTable;
};

} // namespace veltrix
