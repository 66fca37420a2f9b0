#pragma once

#include "core/clusterprofile.h"
#include "ops/offsetreset.h"

#include <QDialog>

#include <functional>
#include <optional>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableWidget;

namespace veltrix {

// "Reset offsets…" for one consumer group: pick a topic and a target (earliest, latest, an
// offset, a time), preview per partition (current → new, read on a worker), confirm, apply.
// Greyed on read-only profiles; the core refuses there too. Every preview and reset is in
// the audit log.
class OffsetResetDialog : public QDialog
{
    Q_OBJECT
public:
    using Confirmer = std::function<bool(const QString &question)>;

    OffsetResetDialog(ClusterProfile profile, QString group, const QStringList &topics,
                      QWidget *parent = nullptr);
    void setConfirmer(Confirmer confirmer) { m_confirmer = std::move(confirmer); }

    // The form, as a test or an operator fills it: target like the CLI's --to.
    void setTarget(const QString &topic, const QString &target);
    void preview();
    void reset(); // asks, then commits the last preview

    const std::optional<OffsetResetPlan> &plan() const { return m_plan; }
    QPushButton *resetButton() const { return m_reset; }
    QTableWidget *table() const { return m_table; }
    QString statusText() const;

Q_SIGNALS:
    void planReady();
    void resetDone(bool ok);

private:
    void showPlan();
    void setBusy(bool busy, const QString &status);

    ClusterProfile m_profile;
    QString m_group;
    QComboBox *m_topic;
    QLineEdit *m_target;
    QTableWidget *m_table;
    QLabel *m_status;
    QPushButton *m_preview;
    QPushButton *m_reset;
    std::optional<OffsetResetPlan> m_plan;
    Confirmer m_confirmer;
};

} // namespace veltrix
