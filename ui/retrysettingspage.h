#pragma once

#include "core/clusterprofile.h"
#include "core/deadletterqueue.h"
#include "retry/rabbitretryladder.h"

#include <QWidget>

#include <functional>
#include <optional>

class QLabel;
class QLineEdit;
class QPushButton;
class QTableWidget;

namespace veltrix {

class LadderDiagram;

// The Retry tab: one RabbitMQ queue's retry and dead-letter settings with their sources,
// edits to them previewed as a diff (and refused in words when they cannot work), a
// backoff-ladder builder with its diagram, and Apply after a confirmation. Every broker
// call runs on a worker thread (RabbitRetryClient); the page only shows results.
class RetrySettingsPage : public QWidget
{
    Q_OBJECT
public:
    using Confirmer = std::function<bool(const QString &question)>;

    explicit RetrySettingsPage(QWidget *parent = nullptr);

    void setProfiles(const QList<ClusterProfile> &profiles);
    // Loads this queue's settings (kind RabbitMq; vhost and name set). False when its
    // cluster is not among the profiles.
    bool open(const DlqSource &queue);
    // The default confirmation is a QMessageBox; tests answer it themselves.
    void setConfirmer(Confirmer confirmer) { m_confirmer = std::move(confirmer); }

    // What the operator asked for, as typed in the table ("Change to" column) and the
    // ladder fields. A row's text "unset" removes the key.
    void setChange(RetryKey key, const QString &text);
    void setLadder(const QString &delays, const QString &exchange = {}, const QString &dlq = {});
    void previewChange();
    void previewLadder();
    void apply(); // asks, then applies the last preview

    bool busy() const { return m_busy; }
    const std::optional<QueueRetrySettings> &settings() const { return m_settings; }
    std::optional<RetryPolicyPlan> policyPlan() const { return m_policyPlan; }
    std::optional<LadderPlan> ladderPlan() const { return m_ladderPlan; }
    QString planText() const; // the preview as shown (plain text)
    QString statusText() const;
    QTableWidget *table() const { return m_table; }
    LadderDiagram *diagram() const { return m_diagram; }
    QPushButton *applyButton() const { return m_apply; }

Q_SIGNALS:
    void settingsLoaded();
    void planReady();
    void applied();
    void failed(const QString &why); // a broker call failed (the page shows it too)

private:
    template<typename T>
    void runTask(std::function<Result<T>(class RabbitRetryClient &)> task,
                 std::function<void(const T &)> done);
    void reload();
    void showSettings();
    // A heading, the before → after of the settings that change, warnings and refusals.
    void showPlan(const QString &heading, const RetryPolicyPlan *diff, const QStringList &warnings,
                  const QStringList &errors);
    void setBusy(bool busy, const QString &status);
    void enableApply(bool ready);
    QList<RetryChange> typedChanges(QString *problem) const;
    std::optional<ClusterProfile> profile() const;

    QList<ClusterProfile> m_profiles;
    DlqSource m_queue;
    std::optional<QueueRetrySettings> m_settings;
    std::optional<RetryPolicyPlan> m_policyPlan;
    std::optional<LadderPlan> m_ladderPlan;
    bool m_busy = false;
    Confirmer m_confirmer;

    QLabel *m_title;
    QTableWidget *m_table;
    QLineEdit *m_delays;
    QLineEdit *m_exchange;
    QLineEdit *m_dlq;
    QPushButton *m_previewChange;
    QPushButton *m_previewLadder;
    QPushButton *m_apply;
    QLabel *m_plan;
    QLabel *m_status;
    LadderDiagram *m_diagram;
};

} // namespace veltrix
