#include "kafkaretrypolicyeditor.h"

#include "readonlyguard.h"

#include "planhtml.h"
#include "retry/rabbitretryladder.h" // parseDelay, delayText
#include "workertask.h"

#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

namespace veltrix {

using namespace Qt::StringLiterals;

KafkaRetryPolicyEditor::KafkaRetryPolicyEditor(QWidget *parent)
    : QWidget(parent)
    , m_title(new QLabel)
    , m_maxAttempts(new QSpinBox)
    , m_initialBackoff(new QLineEdit)
    , m_multiplier(new QDoubleSpinBox)
    , m_maxBackoff(new QLineEdit)
    , m_jitter(new QDoubleSpinBox)
    , m_retryTopics(new QLineEdit)
    , m_dlt(new QLineEdit)
    , m_preview(new QPushButton(u"Preview"_s))
    , m_publish(new QPushButton(u"Publish…"_s))
    , m_status(new QLabel)
    , m_planLabel(new QLabel)
    , m_historyTable(new QTableWidget(0, 4))
{
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.15);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_title->setWordWrap(true);

    m_maxAttempts->setRange(1, 1000);
    m_maxAttempts->setToolTip(u"Deliveries in all, the first included (1: no retry)"_s);
    m_initialBackoff->setPlaceholderText(u"e.g. 1s"_s);
    m_multiplier->setRange(1.0, 100.0);
    m_multiplier->setSingleStep(0.5);
    m_maxBackoff->setPlaceholderText(u"e.g. 30s"_s);
    m_jitter->setRange(0.0, 1.0);
    m_jitter->setSingleStep(0.05);
    m_retryTopics->setPlaceholderText(u"none: retried in place"_s);
    auto *form = new QFormLayout;
    form->addRow(u"Max attempts"_s, m_maxAttempts);
    form->addRow(u"First backoff"_s, m_initialBackoff);
    form->addRow(u"Multiplier"_s, m_multiplier);
    form->addRow(u"Longest backoff"_s, m_maxBackoff);
    form->addRow(u"Jitter (±)"_s, m_jitter);
    form->addRow(u"Retry topics"_s, m_retryTopics);
    form->addRow(u"Dead-letter topic"_s, m_dlt);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_preview);
    buttons->addStretch();
    buttons->addWidget(m_status);
    buttons->addWidget(m_publish);

    m_planLabel->setWordWrap(true);
    m_planLabel->setTextFormat(Qt::RichText);
    m_status->setStyleSheet(u"color: #555"_s);
    m_historyTable->setHorizontalHeaderLabels({u"Version"_s, u"When"_s, u"Who"_s, u"Policy"_s});
    m_historyTable->verticalHeader()->hide();
    m_historyTable->horizontalHeader()->setStretchLastSection(true);
    m_historyTable->setEditTriggers(QAbstractItemView::NoEditTriggers);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addLayout(form);
    layout->addLayout(buttons);
    layout->addWidget(m_planLabel);
    layout->addWidget(new QLabel(u"History (oldest first)"_s));
    layout->addWidget(m_historyTable, 1);

    connect(m_preview, &QPushButton::clicked, this, &KafkaRetryPolicyEditor::preview);
    connect(m_publish, &QPushButton::clicked, this, &KafkaRetryPolicyEditor::publish);
    // Any edit makes the preview stale: only what was previewed is ever published.
    const auto stale = [this] {
        m_plan.reset();
        enablePublish(false);
    };
    for (QLineEdit *edit : {m_initialBackoff, m_maxBackoff, m_retryTopics, m_dlt})
        connect(edit, &QLineEdit::textChanged, this, stale);
    connect(m_maxAttempts, &QSpinBox::valueChanged, this, stale);
    connect(m_multiplier, &QDoubleSpinBox::valueChanged, this, stale);
    connect(m_jitter, &QDoubleSpinBox::valueChanged, this, stale);
    m_confirmer = [this](const QString &question) {
        return QMessageBox::question(this, u"Publish retry policy"_s, question,
                                     QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel)
            == QMessageBox::Yes;
    };
    setBusy(false, {});
}

void KafkaRetryPolicyEditor::open(const ClusterProfile &profile, const QString &group)
{
    m_profile = profile;
    m_group = group;
    m_current.reset();
    m_history.clear();
    m_plan.reset();
    m_planLabel->clear();
    m_title->setText(u"kafka:%1/%2   ·   consumer group retry policy"_s.arg(profile.name, group));
    enablePublish(false);
    reload();
}

template<typename T>
void KafkaRetryPolicyEditor::runTask(std::function<Result<T>(KafkaRetryPolicyStore &)> task,
                                     std::function<void(const T &)> done)
{
    runWithClient<KafkaRetryPolicyStore, T>(
        this, [profile = m_profile] { return KafkaRetryPolicyStore::open(profile); }, task,
        [this, done](const Result<T> &result) {
            if (result) {
                done(result.value());
                return;
            }
            setBusy(false, {});
            showPlan({}, {}, {}, {result.error().describe()});
            Q_EMIT failed(result.error().describe());
        });
}

void KafkaRetryPolicyEditor::reload()
{
    setBusy(true, u"reading the policy topic…"_s);
    const QString group = m_group;
    runTask<QList<KafkaRetryPolicyVersion>>(
        [group](KafkaRetryPolicyStore &store) { return store.history(group); },
        [this](const QList<KafkaRetryPolicyVersion> &history) {
            m_history = history;
            m_current = policyInForce(history);
            KafkaRetryPolicy shown = m_current.value_or(KafkaRetryPolicy {});
            shown.group = m_group;
            setForm(shown);
            showHistory();
            setBusy(false, {});
            showPlan(m_current ? QString()
                               : u"No policy yet: the group's consumers use their own defaults."_s,
                     {}, {}, {});
            Q_EMIT loaded();
        });
}

void KafkaRetryPolicyEditor::setForm(const KafkaRetryPolicy &policy)
{
    m_maxAttempts->setValue(policy.maxAttempts);
    m_initialBackoff->setText(delayText(policy.initialBackoffMs).remove(u' '));
    m_multiplier->setValue(policy.multiplier);
    m_maxBackoff->setText(delayText(policy.maxBackoffMs).remove(u' '));
    m_jitter->setValue(policy.jitter);
    m_retryTopics->setText(policy.retryTopics.join(u", "_s));
    m_dlt->setText(policy.dlt);
}

std::optional<KafkaRetryPolicy> KafkaRetryPolicyEditor::formPolicy(QString *problem) const
{
    KafkaRetryPolicy policy;
    policy.group = m_group;
    policy.maxAttempts = m_maxAttempts->value();
    const auto initial = parseDelay(m_initialBackoff->text());
    const auto longest = parseDelay(m_maxBackoff->text());
    if (!initial || !longest) {
        if (problem)
            *problem = u"backoffs are delays like 500ms, 5s, 2m"_s;
        return std::nullopt;
    }
    policy.initialBackoffMs = *initial;
    policy.maxBackoffMs = *longest;
    policy.multiplier = m_multiplier->value();
    policy.jitter = m_jitter->value();
    for (const QString &topic : m_retryTopics->text().split(u',', Qt::SkipEmptyParts))
        policy.retryTopics << topic.trimmed();
    policy.dlt = m_dlt->text().trimmed();
    return policy;
}

void KafkaRetryPolicyEditor::preview()
{
    QString problem;
    const auto wanted = formPolicy(&problem);
    if (!wanted) {
        showPlan({}, {}, {}, {problem});
        return;
    }
    setBusy(true, u"planning…"_s);
    runTask<KafkaRetryPolicyPlan>(
        [wanted = *wanted](KafkaRetryPolicyStore &store) { return store.plan(wanted); },
        [this](const KafkaRetryPolicyPlan &plan) {
            m_plan = plan;
            setBusy(false, {});
            showPlan(u"%1 the policy of <b>%2</b> in %3:"_s.arg(
                         plan.before ? u"Changes"_s : u"Creates"_s, m_group.toHtmlEscaped(),
                         plan.topic.toHtmlEscaped()),
                     plan.diff, plan.warnings, plan.errors);
            enablePublish(plan.ok());
            Q_EMIT planReady();
        });
}

void KafkaRetryPolicyEditor::publish()
{
    if (m_busy || !m_plan || !m_plan->ok())
        return;
    QString question = u"Publish this retry policy for kafka:%1/%2?\n\n%3"_s.arg(
        m_profile.name, m_group, m_plan->diff.join(u'\n'));
    if (!m_plan->warnings.isEmpty())
        question += u"\n\n⚠ "_s + m_plan->warnings.join(u"\n⚠ "_s);
    question += u"\n\nConsumers that follow the topic apply it from their next record; the "
                "change is recorded in the audit log."_s;
    if (!m_confirmer(question))
        return;
    setBusy(true, u"publishing…"_s);
    runTask<KafkaRetryPolicyVersion>(
        [plan = *m_plan](KafkaRetryPolicyStore &store) { return store.publish(plan); },
        [this](const KafkaRetryPolicyVersion &version) {
            setBusy(false, u"published at %1:%2"_s.arg(version.partition).arg(version.offset));
            Q_EMIT published();
            reload();
        });
}

void KafkaRetryPolicyEditor::showHistory()
{
    m_historyTable->setRowCount(int(m_history.size()));
    for (int row = 0; row < m_history.size(); ++row) {
        const KafkaRetryPolicyVersion &version = m_history[row];
        QString what = version.removed() ? u"removed"_s : u"unreadable: "_s + version.problem;
        QString when, who;
        if (version.policy) {
            const KafkaRetryPolicy &p = *version.policy;
            what = u"max %1 attempts, backoff %2 ×%3 up to %4, jitter %5, %6, DLT %7"_s
                       .arg(p.maxAttempts)
                       .arg(delayText(p.initialBackoffMs))
                       .arg(p.multiplier)
                       .arg(delayText(p.maxBackoffMs))
                       .arg(p.jitter)
                       .arg(p.retryTopics.isEmpty() ? u"in place"_s : p.retryTopics.join(u" → "_s),
                            p.dlt);
            when = p.updatedAt.toLocalTime().toString(u"yyyy-MM-dd HH:mm:ss"_s);
            who = p.updatedBy;
        }
        const QStringList cells {u"%1:%2"_s.arg(version.partition).arg(version.offset), when, who,
                                 what};
        for (int column = 0; column < cells.size(); ++column)
            m_historyTable->setItem(row, column, new QTableWidgetItem(cells[column]));
    }
    m_historyTable->resizeColumnsToContents();
}

void KafkaRetryPolicyEditor::showPlan(const QString &heading, const QStringList &diff,
                                      const QStringList &warnings, const QStringList &errors)
{
    QString html = heading.isEmpty() ? QString() : u"<div>%1</div>"_s.arg(heading);
    for (const QString &line : diff) {
        // "field: before → after": before struck through in red, after in green.
        const qsizetype colon = line.indexOf(u": "_s);
        const qsizetype arrow = line.indexOf(u" → "_s);
        if (colon < 0 || arrow < 0) {
            html += u"<div>%1</div>"_s.arg(line.toHtmlEscaped());
            continue;
        }
        html += u"<div style=\"margin-left:12px\"><tt>%1</tt> <span "
                u"style=\"color:#b71c1c\"><s>%2</s></span>"
                " → <b style=\"color:#1b5e20\">%3</b></div>"_s.arg(
                    line.left(colon).toHtmlEscaped(),
                    line.mid(colon + 2, arrow - colon - 2).toHtmlEscaped(),
                    line.mid(arrow + 3).toHtmlEscaped());
    }
    html += planNotesHtml(warnings, errors);
    m_planLabel->setText(html);
    if (!errors.isEmpty())
        enablePublish(false);
}

void KafkaRetryPolicyEditor::enablePublish(bool ready)
{
    enableMutation(m_publish, m_profile, ready);
}

void KafkaRetryPolicyEditor::setBusy(bool busy, const QString &status)
{
    m_busy = busy;
    m_status->setText(status);
    m_preview->setEnabled(!busy);
    if (busy || !m_plan || !m_plan->ok())
        enablePublish(false);
}

QString KafkaRetryPolicyEditor::planText() const
{
    return plainTextOf(m_planLabel->text());
}

} // namespace veltrix
