#include "offsetresetdialog.h"

#include "readonlyguard.h"
#include "workertask.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace veltrix {

using namespace Qt::StringLiterals;

namespace {
constexpr std::chrono::seconds CallTimeout {10};
}

OffsetResetDialog::OffsetResetDialog(ClusterProfile profile, QString group,
                                     const QStringList &topics, QWidget *parent)
    : QDialog(parent)
    , m_profile(std::move(profile))
    , m_group(std::move(group))
    , m_topic(new QComboBox(this))
    , m_target(new QLineEdit(u"latest"_s, this))
    , m_table(new QTableWidget(0, 3, this))
    , m_status(new QLabel(this))
    , m_preview(new QPushButton(u"Preview"_s, this))
    , m_reset(new QPushButton(u"Reset offsets…"_s, this))
{
    setWindowTitle(u"Reset offsets of %1 on %2"_s.arg(m_group, m_profile.name));
    m_topic->addItems(topics);
    m_target->setToolTip(u"earliest, latest, offset:N, or a time like 2026-12-07T10:00:00Z (the "
                         "first record at or after it)"_s);
    m_table->setHorizontalHeaderLabels({u"Partition"_s, u"Committed now"_s, u"After the reset"_s});
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_status->setWordWrap(true);

    auto *form = new QFormLayout;
    form->addRow(u"Topic"_s, m_topic);
    form->addRow(u"Resume from"_s, m_target);
    auto *note = new QLabel(u"Kafka takes a reset only while the group has no members: stop its "
                            "consumers first. They resume from the new offsets."_s,
                            this);
    note->setWordWrap(true);
    auto *buttons = new QHBoxLayout;
    buttons->addStretch();
    buttons->addWidget(m_preview);
    buttons->addWidget(m_reset);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(note);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_status);
    layout->addLayout(buttons);
    resize(560, 420);

    m_confirmer = [this](const QString &question) {
        return QMessageBox::warning(this, windowTitle(), question,
                                    QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel)
            == QMessageBox::Yes;
    };
    connect(m_preview, &QPushButton::clicked, this, &OffsetResetDialog::preview);
    connect(m_reset, &QPushButton::clicked, this, &OffsetResetDialog::reset);
    // Any edit makes the preview stale: only what was previewed is ever committed.
    const auto stale = [this] {
        m_plan.reset();
        enableMutation(m_reset, m_profile, false);
    };
    connect(m_target, &QLineEdit::textEdited, this, stale);
    connect(m_topic, &QComboBox::currentTextChanged, this, stale);
    stale();
}

void OffsetResetDialog::setTarget(const QString &topic, const QString &target)
{
    m_topic->setCurrentText(topic);
    m_target->setText(target);
    m_plan.reset();
    enableMutation(m_reset, m_profile, false);
}

QString OffsetResetDialog::statusText() const
{
    return m_status->text();
}

void OffsetResetDialog::setBusy(bool busy, const QString &status)
{
    m_preview->setEnabled(!busy);
    if (busy)
        m_reset->setEnabled(false);
    m_status->setText(status);
}

void OffsetResetDialog::preview()
{
    QString why;
    const auto target = OffsetResetTarget::parse(m_target->text(), &why);
    if (!target) {
        m_status->setText(why);
        return;
    }
    setBusy(true, u"reading the group's offsets…"_s);
    const QString group = m_group, topic = m_topic->currentText();
    runWithClient<OffsetReset, OffsetResetPlan>(
        this,
        [profile = m_profile]() -> Result<std::unique_ptr<OffsetReset>> {
            return std::make_unique<OffsetReset>(profile, CallTimeout);
        },
        [group, topic, target = *target](OffsetReset &reset) -> Result<OffsetResetPlan> {
            auto plan = reset.plan(group, topic, target);
            if (plan)
                reset.recordDryRun(plan.value());
            return plan;
        },
        [this](const Result<OffsetResetPlan> &plan) {
            if (!plan) {
                setBusy(false, u"Could not preview: "_s + plan.error().describe());
                return;
            }
            m_plan = plan.value();
            showPlan();
            setBusy(false, m_plan->notes.join(u'\n'));
            enableMutation(m_reset, m_profile, true);
            Q_EMIT planReady();
        });
}

void OffsetResetDialog::showPlan()
{
    m_table->setRowCount(int(m_plan->partitions.size()));
    for (int row = 0; row < m_plan->partitions.size(); ++row) {
        const auto &p = m_plan->partitions[row];
        const QStringList cells
            = {QString::number(p.partition), p.current < 0 ? u"—"_s : QString::number(p.current),
               QString::number(p.next)};
        for (int column = 0; column < cells.size(); ++column)
            m_table->setItem(row, column, new QTableWidgetItem(cells[column]));
    }
}

void OffsetResetDialog::reset()
{
    if (!m_plan)
        return;
    QStringList lines;
    for (const auto &p : m_plan->partitions)
        lines << u"partition %1: %2 → %3"_s.arg(p.partition)
                     .arg(p.current < 0 ? u"none"_s : QString::number(p.current))
                     .arg(p.next);
    if (!m_confirmer(u"Reset the offsets of group %1 on %2 to %3?\n\n%4\n\nThe reset is recorded "
                     "in the audit log."_s.arg(m_group, m_plan->topic, m_plan->target.toString(),
                                               lines.join(u'\n'))))
        return;
    setBusy(true, u"resetting…"_s);
    runWithClient<OffsetReset, OffsetResetPlan>(
        this,
        [profile = m_profile]() -> Result<std::unique_ptr<OffsetReset>> {
            return std::make_unique<OffsetReset>(profile, CallTimeout);
        },
        [plan = *m_plan](OffsetReset &reset) { return reset.apply(plan); },
        [this](const Result<OffsetResetPlan> &done) {
            setBusy(false,
                    done ? u"Reset: group %1 resumes from the new offsets."_s.arg(m_group)
                         : u"Could not reset: "_s + done.error().describe());
            m_plan.reset();
            enableMutation(m_reset, m_profile, false);
            Q_EMIT resetDone(done.ok());
        });
}

} // namespace veltrix
