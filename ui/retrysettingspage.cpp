#include "retrysettingspage.h"

#include "readonlyguard.h"

#include "ladderdiagram.h"
#include "planhtml.h"
#include "retry/rabbitretryclient.h"
#include "workertask.h"

#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QTableWidget>
#include <QVBoxLayout>

namespace veltrix {

using namespace Qt::StringLiterals;

namespace {

enum Column { SettingColumn, InForceColumn, SourceColumn, ChangeColumn };

QString valueText(const QJsonValue &value)
{
    if (value.isUndefined() || value.isNull())
        return u"—"_s;
    if (value.isString())
        return value.toString().isEmpty() ? u"\"\" (default exchange)"_s : value.toString();
    return QString::number(value.toInteger());
}

} // namespace

RetrySettingsPage::RetrySettingsPage(QWidget *parent)
    : QWidget(parent)
    , m_title(new QLabel(u"Pick a RabbitMQ queue in the cluster tree (right-click → Retry "
                         "settings) to see and change how it retries."_s))
    , m_table(new QTableWidget(int(allRetryKeys().size()), 4))
    , m_delays(new QLineEdit)
    , m_exchange(new QLineEdit)
    , m_dlq(new QLineEdit)
    , m_previewChange(new QPushButton(u"Preview change"_s))
    , m_previewLadder(new QPushButton(u"Preview ladder"_s))
    , m_apply(new QPushButton(u"Apply…"_s))
    , m_plan(new QLabel)
    , m_status(new QLabel)
    , m_diagram(new LadderDiagram)
{
    m_title->setWordWrap(true);
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.15);
    titleFont.setBold(true);
    m_title->setFont(titleFont);

    m_table->setHorizontalHeaderLabels({u"Setting"_s, u"In force"_s, u"From"_s, u"Change to"_s});
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(SourceColumn, QHeaderView::Stretch);
    m_table->setColumnWidth(SettingColumn, 190);
    m_table->setColumnWidth(InForceColumn, 170);
    m_table->setColumnWidth(ChangeColumn, 200);
    for (int row = 0; row < m_table->rowCount(); ++row) {
        const RetryKey key = allRetryKeys().at(row);
        auto *name = new QTableWidgetItem(policyKeyName(key));
        name->setFlags(Qt::ItemIsEnabled);
        m_table->setItem(row, SettingColumn, name);
        for (int column : {InForceColumn, SourceColumn}) {
            auto *item = new QTableWidgetItem;
            item->setFlags(Qt::ItemIsEnabled);
            m_table->setItem(row, column, item);
        }
        auto *change = new QTableWidgetItem;
        change->setToolTip(u"A new value; \"unset\" removes the key from the policy"_s);
        m_table->setItem(row, ChangeColumn, change);
    }
    m_table->setFixedHeight(m_table->horizontalHeader()->height()
                            + m_table->rowCount() * m_table->verticalHeader()->defaultSectionSize()
                            + 4);

    m_delays->setPlaceholderText(u"1s, 5s, 30s"_s);
    m_exchange->setPlaceholderText(u"the exchange the queue is bound to"_s);
    m_dlq->setPlaceholderText(u"<queue>.dlq"_s);
    auto *ladderForm = new QFormLayout;
    ladderForm->addRow(u"Backoff ladder delays"_s, m_delays);
    ladderForm->addRow(u"Work exchange"_s, m_exchange);
    ladderForm->addRow(u"After the last step"_s, m_dlq);

    m_plan->setWordWrap(true);
    m_plan->setTextFormat(Qt::RichText);
    m_plan->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setStyleSheet(u"color: #555"_s);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_previewChange);
    buttons->addWidget(m_previewLadder);
    buttons->addStretch();
    buttons->addWidget(m_status);
    buttons->addWidget(m_apply);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addWidget(m_table);
    layout->addLayout(ladderForm);
    layout->addLayout(buttons);
    layout->addWidget(m_plan);
    layout->addWidget(m_diagram, 1);
    layout->addStretch(); // keeps the rest at the top while there is no diagram

    connect(m_previewChange, &QPushButton::clicked, this, &RetrySettingsPage::previewChange);
    connect(m_previewLadder, &QPushButton::clicked, this, &RetrySettingsPage::previewLadder);
    connect(m_apply, &QPushButton::clicked, this, &RetrySettingsPage::apply);
    // A new edit makes the last preview stale: nothing is applied that was not previewed.
    connect(m_table, &QTableWidget::itemChanged, this, [this] {
        m_policyPlan.reset();
        enableApply(false);
    });
    for (QLineEdit *edit : {m_delays, m_exchange, m_dlq})
        connect(edit, &QLineEdit::textEdited, this, [this] {
            m_ladderPlan.reset();
            enableApply(false);
        });
    m_confirmer = [this](const QString &question) {
        return QMessageBox::question(this, u"Change retry settings"_s, question,
                                     QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel)
            == QMessageBox::Yes;
    };
    setBusy(false, {});
    enableApply(false);
}

void RetrySettingsPage::setProfiles(const QList<ClusterProfile> &profiles)
{
    m_profiles = profiles;
}

std::optional<ClusterProfile> RetrySettingsPage::profile() const
{
    for (const ClusterProfile &p : m_profiles)
        if (p.name == m_queue.cluster && p.kind == ClusterKind::RabbitMq)
            return p;
    return std::nullopt;
}

bool RetrySettingsPage::open(const DlqSource &queue)
{
    if (queue.kind != ClusterKind::RabbitMq)
        return false;
    m_queue = queue;
    if (!profile())
        return false;
    m_settings.reset();
    m_policyPlan.reset();
    m_ladderPlan.reset();
    m_diagram->clear();
    m_diagram->hide();
    m_plan->clear();
    for (int row = 0; row < m_table->rowCount(); ++row)
        m_table->item(row, ChangeColumn)->setText({});
    m_title->setText(queue.toString());
    enableApply(false);
    reload();
    return true;
}

template<typename T>
void RetrySettingsPage::runTask(std::function<Result<T>(RabbitRetryClient &)> task,
                                std::function<void(const T &)> done)
{
    const std::optional<ClusterProfile> chosen = profile();
    if (!chosen)
        return;
    runWithClient<RabbitRetryClient, T>(
        this, [profile = *chosen] { return RabbitRetryClient::open(profile); }, task,
        [this, done](const Result<T> &result) {
            if (result) {
                done(result.value());
                return;
            }
            setBusy(false, {});
            showPlan({}, nullptr, {}, {result.error().describe()});
            Q_EMIT failed(result.error().describe());
        });
}

void RetrySettingsPage::reload()
{
    setBusy(true, u"reading the queue's settings…"_s);
    const DlqSource queue = m_queue;
    runTask<QueueRetrySettings>(
        [queue](RabbitRetryClient &client) { return client.settings(queue.vhost, queue.name); },
        [this](const QueueRetrySettings &settings) {
            m_settings = settings;
            showSettings();
            setBusy(false, {});
            Q_EMIT settingsLoaded();
        });
}

void RetrySettingsPage::showSettings()
{
    if (!m_settings)
        return;
    m_title->setText(u"%1   ·   %2 queue%3"_s.arg(
        m_queue.toString(), m_settings->type,
        m_settings->policy.isEmpty() ? QString() : u"   ·   policy "_s + m_settings->policy));
    const QSignalBlocker quiet(m_table);
    for (int row = 0; row < m_table->rowCount(); ++row) {
        const EffectiveSetting &s = m_settings->setting(allRetryKeys().at(row));
        m_table->item(row, InForceColumn)->setText(valueText(s.value));
        QString from = s.source.isEmpty() ? u"not set"_s : s.source;
        if (!s.overridden.isEmpty())
            from += u"  (overrides "_s + s.overridden.join(u"; "_s) + u')';
        m_table->item(row, SourceColumn)->setText(from);
        m_table->item(row, SourceColumn)->setToolTip(from);
    }
}

void RetrySettingsPage::setChange(RetryKey key, const QString &text)
{
    m_table->item(int(allRetryKeys().indexOf(key)), ChangeColumn)->setText(text);
}

void RetrySettingsPage::setLadder(const QString &delays, const QString &exchange,
                                  const QString &dlq)
{
    m_delays->setText(delays);
    m_exchange->setText(exchange);
    m_dlq->setText(dlq);
    m_ladderPlan.reset();
}

QList<RetryChange> RetrySettingsPage::typedChanges(QString *problem) const
{
    QList<RetryChange> changes;
    for (int row = 0; row < m_table->rowCount(); ++row) {
        const QString text = m_table->item(row, ChangeColumn)->text().trimmed();
        if (text.isEmpty())
            continue;
        const RetryKey key = allRetryKeys().at(row);
        changes.append({key, text == u"unset" ? QJsonValue() : retryValueFromText(key, text)});
    }
    if (changes.isEmpty() && problem)
        *problem = u"type a new value in the \"Change to\" column first"_s;
    return changes;
}

void RetrySettingsPage::previewChange()
{
    QString problem;
    const QList<RetryChange> changes = typedChanges(&problem);
    if (changes.isEmpty()) {
        showPlan({}, nullptr, {}, {problem});
        return;
    }
    m_ladderPlan.reset();
    m_diagram->clear();
    setBusy(true, u"planning…"_s);
    const DlqSource queue = m_queue;
    runTask<RetryPolicyPlan>(
        [queue, changes](RabbitRetryClient &client) {
            return client.planPolicy(queue.vhost, queue.name, changes);
        },
        [this](const RetryPolicyPlan &plan) {
            m_policyPlan = plan;
            showPlan(u"Policy <b>%1</b> (%2, priority %3) will change:"_s
                         .arg(plan.policy.name.toHtmlEscaped(),
                              plan.replaced ? u"edited"_s : u"created"_s)
                         .arg(plan.policy.priority),
                     &plan, plan.warnings, plan.errors);
            setBusy(false, {});
            enableApply(plan.ok());
            Q_EMIT planReady();
        });
}

void RetrySettingsPage::previewLadder()
{
    QString bad;
    const auto delays = parseDelays(m_delays->text(), &bad);
    if (!delays || delays->isEmpty()) {
        showPlan({}, nullptr, {},
                 {delays ? u"type the ladder's delays, e.g. 1s, 5s, 30s"_s
                         : u"\"%1\" is not a delay like 500ms, 5s, 2m"_s.arg(bad)});
        return;
    }
    m_policyPlan.reset();
    setBusy(true, u"planning the ladder…"_s);
    const LadderRequest request {m_queue.vhost, m_queue.name, *delays, m_exchange->text().trimmed(),
                                 m_dlq->text().trimmed()};
    runTask<LadderPlan>([request](RabbitRetryClient &client) { return client.planLadder(request); },
                        [this](const LadderPlan &plan) {
                            m_ladderPlan = plan;
                            m_diagram->setPlan(plan);
                            showPlan(u"A ladder of %1 steps, %2 attempts in all; the work queue "
                                     "will change:"_s.arg(plan.steps.size())
                                         .arg(plan.steps.size() + 1),
                                     &plan.workQueuePolicy, plan.warnings, plan.errors);
                            setBusy(false, {});
                            enableApply(plan.ok());
                            Q_EMIT planReady();
                        });
}

void RetrySettingsPage::apply()
{
    // Only a preview without refusals, and only the latest one, is ever applied.
    const bool policyReady = m_policyPlan && m_policyPlan->ok();
    const bool ladderReady = m_ladderPlan && m_ladderPlan->ok();
    if (m_busy || (!policyReady && !ladderReady))
        return;
    const bool ladder = ladderReady;
    const QString question = (ladder ? u"Build this backoff ladder for %1?\n\n%2\n\n%3"_s.arg(
                                  m_queue.toString(), m_ladderPlan->diagram().join(u'\n'),
                                  m_ladderPlan->workQueuePolicy.diffLines().join(u'\n'))
                                     : u"Change the retry settings of %1?\n\n%2"_s.arg(
                                         m_queue.toString(), m_policyPlan->diffLines().join(u'\n')))
        + u"\n\nThe change is recorded in the audit log."_s;
    if (!m_confirmer(question))
        return;
    setBusy(true, u"applying…"_s);
    const std::optional<RetryPolicyPlan> policyPlan = m_policyPlan;
    const std::optional<LadderPlan> ladderPlan = m_ladderPlan;
    runTask<QueueRetrySettings>(
        [policyPlan, ladderPlan](RabbitRetryClient &client) {
            return ladderPlan ? client.applyLadder(*ladderPlan) : client.applyPolicy(*policyPlan);
        },
        [this](const QueueRetrySettings &settings) {
            m_settings = settings;
            showSettings();
            m_policyPlan.reset();
            m_ladderPlan.reset();
            setBusy(false, u"applied"_s);
            showPlan(u"Applied: the queue now runs with the settings above."_s, nullptr, {}, {});
            Q_EMIT applied();
        });
}

void RetrySettingsPage::showPlan(const QString &heading, const RetryPolicyPlan *diff,
                                 const QStringList &warnings, const QStringList &errors)
{
    QString html = heading.isEmpty() ? QString() : u"<div>%1</div>"_s.arg(heading);
    if (diff) {
        // Before struck through in red, after in green, each with where it comes from.
        const auto side = [](const EffectiveSetting &s, const QString &color, bool struck) {
            const QString value = valueText(s.value).toHtmlEscaped();
            return u"<span style=\"color:%1\">%2</span> <span style=\"color:#777\">%3</span>"_s.arg(
                color, struck ? u"<s>"_s + value + u"</s>"_s : u"<b>"_s + value + u"</b>"_s,
                (s.source.isEmpty() ? u"not set"_s : s.source).toHtmlEscaped());
        };
        html += u"<table cellspacing=\"0\" cellpadding=\"3\" style=\"margin-left:12px\">"_s;
        for (RetryKey key : diff->changedKeys())
            html += u"<tr><td><tt>%1</tt></td><td>%2</td><td>→</td><td>%3</td></tr>"_s.arg(
                policyKeyName(key), side(diff->before.setting(key), u"#b71c1c"_s, true),
                side(diff->after.setting(key), u"#1b5e20"_s, false));
        html += u"</table>"_s;
    }
    html += planNotesHtml(warnings, errors);
    m_plan->setText(html);
    m_diagram->setVisible(m_diagram->hasPlan());
    if (!errors.isEmpty())
        enableApply(false);
}

void RetrySettingsPage::enableApply(bool ready)
{
    enableMutation(m_apply, profile().value_or(ClusterProfile {}), ready);
}

void RetrySettingsPage::setBusy(bool busy, const QString &status)
{
    m_busy = busy;
    m_status->setText(status);
    m_previewChange->setEnabled(!busy);
    m_previewLadder->setEnabled(!busy);
    if (busy)
        enableApply(false);
}

QString RetrySettingsPage::planText() const
{
    return plainTextOf(m_plan->text());
}

QString RetrySettingsPage::statusText() const
{
    return m_status->text();
}

} // namespace veltrix
