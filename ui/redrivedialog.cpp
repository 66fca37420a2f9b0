#include "redrivedialog.h"

#include "items/lagformat.h"
#include "items/redrivereportmodel.h"
#include "lagverdictstyle.h"
#include "redrive/redrivetarget.h"
#include "redriveprogresspanel.h"
#include "session/redrivesession.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>
#include <QStackedWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace veltrix {

using namespace Qt::StringLiterals;

namespace {

// Whether two requests select the same messages for the same places, so one's preview
// counts stand for the other. Pace and x-death handling change no count.
bool samePlan(const RedriveRequest &a, const RedriveRequest &b)
{
    return a.source == b.source && a.destination == b.destination && a.ids == b.ids
        && a.filter == b.filter && a.limit == b.limit && a.fromStart == b.fromStart
        && a.repairs.keys() == b.repairs.keys();
}

QString countLines(const QMap<QString, qint64> &counts)
{
    QStringList lines;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        lines << u"    %1: %2"_s.arg(it.key().isEmpty() ? u"(no reason given)"_s : it.key(),
                                     formatCount(it.value()));
    return lines.join(u'\n');
}

QLabel *noteLabel(const QString &name, const QString &style, QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setObjectName(name);
    label->setWordWrap(true);
    label->setTextFormat(Qt::PlainText);
    if (!style.isEmpty())
        label->setStyleSheet(style);
    label->hide();
    return label;
}

} // namespace

RedriveDialog::RedriveDialog(const ClusterProfile &profile, const DlqSource &source,
                             const RedriveScope &scope, QWidget *parent)
    : QDialog(parent)
    , m_profile(profile)
    , m_source(source)
    , m_scope(scope)
    , m_session(new RedriveSession(this))
    , m_counts(new RedriveCountsModel(this))
    , m_pages(new QStackedWidget(this))
    , m_panel(new RedriveProgressPanel(this))
{
    setObjectName(u"redriveDialog"_s);
    setWindowTitle(u"Redrive %1"_s.arg(source.name));
    setModal(false);
    m_pages->addWidget(buildSetupPage());
    m_pages->addWidget(m_panel);
    m_panel->setSession(m_session);
    m_panel->setPlan(m_countsView->model());
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(m_pages);

    connect(m_session, &RedriveSession::progressChanged, this,
            [this](const RedriveProgress &progress) {
                if (!m_session->request().dryRun) {
                    m_panel->showProgress(progress);
                    return;
                }
                m_previewStatus->setText(
                    u"Previewing… %1 message(s) looked at%2. Nothing is sent."_s.arg(
                        formatCount(progress.looked),
                        progress.total >= 0 ? u" of "_s + formatCount(progress.total) : QString()));
            });
    connect(m_session, &RedriveSession::finished, this, &RedriveDialog::takeReport);
    connect(m_panel, &RedriveProgressPanel::setUpAnotherRequested, this, [this] {
        // The DLQ changed under the last run: its preview no longer counts.
        m_preview.reset();
        m_previewRequest.reset();
        m_counts->clear();
        m_previewStatus->setText(u"Preview again to see what is left to redrive."_s);
        m_pages->setCurrentWidget(m_setup);
        updateButtons();
    });
    resize(820, 700);
    settingsChanged();
}

RedriveDialog::~RedriveDialog() = default;

QWidget *RedriveDialog::buildSetupPage()
{
    m_setup = new QWidget(this);
    m_heading = new QLabel(m_setup);
    m_heading->setObjectName(u"redriveHeading"_s);
    m_heading->setTextFormat(Qt::PlainText);
    m_heading->setWordWrap(true);
    QFont headingFont = m_heading->font();
    headingFont.setBold(true);
    m_heading->setFont(headingFont);
    const QString where = m_source.kind == ClusterKind::Kafka
        ? u"From topic %1 on %2"_s.arg(m_source.name, m_profile.name)
        : u"From queue %1 in vhost %2 on %3"_s.arg(m_source.name, m_source.vhost, m_profile.name);
    m_heading->setText(where + (m_profile.readOnly ? u" (read-only profile)"_s : QString()));
    m_heading->setToolTip(m_source.toString());

    m_previewStatus = new QLabel(
        u"Preview counts what would go where, and what has nowhere to go and why, without "
        "sending anything."_s,
        m_setup);
    m_previewStatus->setObjectName(u"redrivePreviewStatus"_s);
    m_previewStatus->setWordWrap(true);
    m_previewStatus->setTextFormat(Qt::PlainText);
    // Two lines whatever the layout thinks: a preview's sentence must not be clipped.
    m_previewStatus->setMinimumHeight(2 * m_previewStatus->fontMetrics().lineSpacing() + 4);
    auto *decorator = new LagCellDecorator(this);
    decorator->setSourceModel(m_counts);
    m_countsView = new QTableView(m_setup);
    m_countsView->setObjectName(u"redrivePreviewCounts"_s);
    m_countsView->setModel(decorator);
    m_countsView->verticalHeader()->hide();
    m_countsView->setSelectionMode(QAbstractItemView::NoSelection);
    m_countsView->setWordWrap(false);
    m_countsView->horizontalHeader()->setSectionResizeMode(RedriveCountsModel::Where,
                                                           QHeaderView::Stretch);
    m_countsView->setColumnWidth(RedriveCountsModel::Outcome, 200);
    m_countsView->setColumnWidth(RedriveCountsModel::Count, 100);
    m_countsView->setMinimumHeight(110);
    auto *previewBox = new QGroupBox(u"Preview"_s, m_setup);
    auto *previewLayout = new QVBoxLayout(previewBox);
    previewLayout->addWidget(m_previewStatus);
    previewLayout->addWidget(m_countsView, 1);

    m_readOnly = noteLabel(
        u"redriveReadOnly"_s,
        u"QLabel { background: #fff4ce; border: 1px solid #e0b000; padding: 4px; color: #5c4400; }"_s,
        m_setup);
    if (m_profile.readOnly) {
        m_readOnly->setText(
            u"Profile “%1” is read-only: Redrive is off, because it publishes messages and "
            "takes them out of the DLQ. Preview still works: it sends nothing."_s.arg(
                m_profile.name));
        m_readOnly->show();
    }
    m_problem = noteLabel(u"redriveProblem"_s, u"QLabel { color: #b00020; }"_s, m_setup);

    m_previewButton = new QPushButton(u"Preview"_s, m_setup);
    m_previewButton->setObjectName(u"redrivePreview"_s);
    m_previewButton->setToolTip(u"A dry run: counts what would go where; sends nothing"_s);
    m_redriveButton = new QPushButton(u"Redrive…"_s, m_setup);
    m_redriveButton->setObjectName(u"redriveStart"_s);
    m_redriveButton->setDefault(true);
    auto *close = new QPushButton(u"Close"_s, m_setup);
    close->setObjectName(u"redriveClose"_s);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_previewButton);
    buttons->addStretch(1);
    buttons->addWidget(m_redriveButton);
    buttons->addWidget(close);

    auto *layout = new QVBoxLayout(m_setup);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_heading);
    layout->addWidget(buildSelection());
    layout->addWidget(buildDestination());
    layout->addWidget(buildPace());
    layout->addWidget(previewBox, 1);
    layout->addWidget(m_readOnly);
    layout->addWidget(m_problem);
    layout->addLayout(buttons);

    connect(m_previewButton, &QPushButton::clicked, this, &RedriveDialog::preview);
    connect(m_redriveButton, &QPushButton::clicked, this, &RedriveDialog::redrive);
    connect(close, &QPushButton::clicked, this, &QDialog::close);
    return m_setup;
}

QGroupBox *RedriveDialog::buildSelection()
{
    auto *box = new QGroupBox(u"Messages"_s, m_setup);
    m_selection = new QButtonGroup(this);
    const qsizetype selected = m_scope.selectedIds.size();
    m_selectedButton
        = new QRadioButton(selected > 0 ? u"The %1 selected message(s)"_s.arg(formatCount(selected))
                                        : u"The selected messages (none selected in the table)"_s,
                           box);
    m_selectedButton->setObjectName(u"redriveSelected"_s);
    m_selectedButton->setEnabled(selected > 0);
    const bool filtered = !m_scope.filter.isEmpty();
    m_filterButton = new QRadioButton(
        filtered ? u"Those matching the table's filter: %1"_s.arg(m_scope.filter.describe())
                 : u"Those matching the table's filter (the table is not filtered)"_s,
        box);
    m_filterButton->setObjectName(u"redriveFiltered"_s);
    m_filterButton->setEnabled(filtered);
    m_filterButton->setToolTip(
        (filtered ? m_scope.filter.describe() + u"\n"_s : QString())
        + u"The filter is applied to every message in the DLQ, not only to those the table "
          "has read"_s);
    // A triage group's text can be long: the dialog must not grow to fit it.
    m_filterButton->setText(
        m_filterButton->fontMetrics().elidedText(m_filterButton->text(), Qt::ElideRight, 700));
    m_allButton = new QRadioButton(
        m_scope.depth >= 0
            ? u"The whole DLQ (%1 message(s) at the last count)"_s.arg(formatCount(m_scope.depth))
            : u"The whole DLQ"_s,
        box);
    m_allButton->setObjectName(u"redriveAll"_s);
    m_selection->addButton(m_selectedButton, int(Selection::Selected));
    m_selection->addButton(m_filterButton, int(Selection::Filter));
    m_selection->addButton(m_allButton, int(Selection::All));
    (filtered ? m_filterButton : m_allButton)->setChecked(true);
    m_repairNote = noteLabel(u"redriveRepairNote"_s, QString(), box);

    m_limit = new QSpinBox(box);
    m_limit->setObjectName(u"redriveLimit"_s);
    m_limit->setRange(0, std::numeric_limits<int>::max());
    m_limit->setSingleStep(100);
    m_limit->setSpecialValueText(u"no limit"_s);
    m_limit->setSuffix(u" message(s)"_s);
    auto *limitRow = new QHBoxLayout;
    limitRow->addWidget(new QLabel(u"At most"_s, box));
    limitRow->addWidget(m_limit);
    limitRow->addStretch(1);

    auto *layout = new QVBoxLayout(box);
    layout->addWidget(m_selectedButton);
    layout->addWidget(m_filterButton);
    layout->addWidget(m_allButton);
    layout->addWidget(m_repairNote);
    layout->addLayout(limitRow);
    connect(m_selection, &QButtonGroup::idToggled, this, [this](int, bool on) {
        if (on)
            settingsChanged();
    });
    connect(m_limit, &QSpinBox::valueChanged, this, &RedriveDialog::settingsChanged);
    return box;
}

QGroupBox *RedriveDialog::buildDestination()
{
    const bool kafka = m_source.kind == ClusterKind::Kafka;
    auto *box = new QGroupBox(u"Destination"_s, m_setup);
    m_original = new QRadioButton(
        kafka ? u"Back to each message's original topic (from its dead-letter headers)"_s
              : u"Back to the queue each message died in (from its x-death header)"_s,
        box);
    m_original->setObjectName(u"redriveOriginal"_s);
    m_original->setChecked(true);
    m_chosen = new QRadioButton(u"To"_s, box);
    m_chosen->setObjectName(u"redriveChosen"_s);
    auto *group = new QButtonGroup(box);
    group->addButton(m_original);
    group->addButton(m_chosen);

    m_destinationKind = new QComboBox(box);
    m_destinationKind->setObjectName(u"redriveDestinationKind"_s);
    m_destinationKind->addItem(u"queue"_s);
    m_destinationKind->addItem(u"exchange"_s);
    m_destinationKind->setVisible(!kafka);
    m_destinationName = new QLineEdit(box);
    m_destinationName->setObjectName(u"redriveDestinationName"_s);
    m_destinationName->setPlaceholderText(kafka ? u"topic"_s : u"queue"_s);
    m_routingKey = new QLineEdit(box);
    m_routingKey->setObjectName(u"redriveRoutingKey"_s);
    m_routingKey->setPlaceholderText(u"routing key (empty: each message's own)"_s);
    m_routingKey->setVisible(false);

    auto *chosenRow = new QHBoxLayout;
    chosenRow->addWidget(m_chosen);
    chosenRow->addWidget(m_destinationKind);
    chosenRow->addWidget(m_destinationName, 2);
    chosenRow->addWidget(m_routingKey, 2);
    auto *layout = new QVBoxLayout(box);
    layout->addWidget(m_original);
    layout->addLayout(chosenRow);

    const auto update = [this, kafka] {
        const bool chosen = m_chosen->isChecked();
        const bool exchange = !kafka && m_destinationKind->currentIndex() == 1;
        m_destinationKind->setEnabled(chosen);
        m_destinationName->setEnabled(chosen);
        m_routingKey->setEnabled(chosen);
        m_routingKey->setVisible(exchange);
        m_destinationName->setPlaceholderText(kafka ? u"topic"_s
                                                  : exchange
                                                  ? u"exchange (empty: the default exchange)"_s
                                                  : u"queue"_s);
        settingsChanged();
    };
    connect(m_chosen, &QRadioButton::toggled, this, update);
    connect(m_destinationKind, &QComboBox::currentIndexChanged, this, update);
    connect(m_destinationName, &QLineEdit::textChanged, this, &RedriveDialog::settingsChanged);
    connect(m_routingKey, &QLineEdit::textChanged, this, &RedriveDialog::settingsChanged);
    // Typing a name means "send it there".
    connect(m_destinationName, &QLineEdit::textEdited, m_chosen,
            [this] { m_chosen->setChecked(true); });
    m_destinationKind->setEnabled(false);
    m_destinationName->setEnabled(true);
    return box;
}

QGroupBox *RedriveDialog::buildPace()
{
    const bool kafka = m_source.kind == ClusterKind::Kafka;
    auto *box = new QGroupBox(u"Pace and options"_s, m_setup);
    m_rate = new QSpinBox(box);
    m_rate->setObjectName(u"redriveRate"_s);
    m_rate->setRange(0, 1000000);
    m_rate->setSingleStep(50);
    m_rate->setSuffix(u" msg/s"_s);
    m_rate->setSpecialValueText(u"unlimited"_s);
    m_rate->setToolTip(u"Messages per second at most; can be changed while it runs"_s);
    m_window = new QSpinBox(box);
    m_window->setObjectName(u"redriveWindow"_s);
    m_window->setRange(1, 10000);
    m_window->setValue(RedriveRequest().window);
    m_window->setSuffix(u" message(s)"_s);
    m_window->setToolTip(u"Published but not yet confirmed, at most. After a broker fault, "
                         "the destination holds at most this many twice."_s);
    auto *form = new QFormLayout(box);
    form->setFieldGrowthPolicy(QFormLayout::FieldsStayAtSizeHint);
    form->addRow(u"Rate limit"_s, m_rate);
    form->addRow(u"In flight at most"_s, m_window);
    if (kafka) {
        m_fromStart = new QCheckBox(u"Include offsets already redriven (start at the log start "
                                    "instead of where the last redrive of this DLT stopped)"_s,
                                    box);
        m_fromStart->setObjectName(u"redriveFromStart"_s);
        form->addRow(m_fromStart);
        connect(m_fromStart, &QCheckBox::toggled, this, &RedriveDialog::settingsChanged);
    } else {
        m_deathHistory = new QComboBox(box);
        m_deathHistory->setObjectName(u"redriveDeathHistory"_s);
        m_deathHistory->addItem(
            u"keep it as %1 (a new death starts a fresh count)"_s.arg(PreviousDeathHeader),
            deathHistoryName(DeathHistory::KeepAsPrevious));
        m_deathHistory->addItem(u"keep x-death (a new death counts on from the old ones)"_s,
                                deathHistoryName(DeathHistory::Keep));
        m_deathHistory->addItem(u"strip it"_s, deathHistoryName(DeathHistory::Strip));
        form->addRow(u"x-death history"_s, m_deathHistory);
    }
    return box;
}

void RedriveDialog::setSelection(Selection selection)
{
    if (QAbstractButton *button = m_selection->button(int(selection));
        button && button->isEnabled())
        button->setChecked(true);
}

void RedriveDialog::setRepair(const QString &id, const MessageRepair &repair)
{
    m_repairId = id;
    m_repair = repair;
    QStringList what;
    if (repair.payload)
        what << u"payload"_s;
    if (repair.amqpHeaders || repair.kafkaHeaders)
        what << u"headers"_s;
    m_repairNote->setText(u"Only message %1, with its %2 as repaired."_s.arg(
        id, what.isEmpty() ? u"contents"_s : what.join(u" and "_s)));
    m_repairNote->show();
    for (QAbstractButton *button : m_selection->buttons())
        button->hide();
    m_limit->setEnabled(false);
    setWindowTitle(u"Redrive %1, repaired"_s.arg(id));
    settingsChanged();
}

std::optional<RedriveRequest> RedriveDialog::request(QString *problem) const
{
    const auto fail = [problem](const QString &why) -> std::optional<RedriveRequest> {
        if (problem)
            *problem = why;
        return std::nullopt;
    };
    RedriveRequest request;
    request.source = m_source;
    if (m_repairId) {
        request.ids = QSet<QString> {*m_repairId};
        request.repairs.insert(*m_repairId, m_repair);
    } else {
        switch (Selection(m_selection->checkedId())) {
        case Selection::Selected:
            request.ids = QSet<QString>(m_scope.selectedIds.begin(), m_scope.selectedIds.end());
            break;
        case Selection::Filter:
            request.filter = m_scope.filter;
            break;
        case Selection::All:
            break;
        }
        if (m_limit->value() > 0)
            request.limit = m_limit->value();
    }
    if (m_chosen->isChecked()) {
        const QString name = m_destinationName->text().trimmed();
        using Mode = RedriveDestination::Mode;
        if (m_source.kind == ClusterKind::Kafka)
            request.destination.mode = Mode::Topic;
        else
            request.destination.mode
                = m_destinationKind->currentIndex() == 1 ? Mode::Exchange : Mode::Queue;
        if (name.isEmpty() && request.destination.mode != Mode::Exchange)
            return fail(
                u"Name the %1 to send the messages to, or send them back where they "
                "came from."_s.arg(m_source.kind == ClusterKind::Kafka ? u"topic"_s : u"queue"_s));
        request.destination.name = name;
        if (request.destination.mode == Mode::Exchange)
            request.destination.routingKey = m_routingKey->text().trimmed();
    }
    request.ratePerSecond = m_rate->value();
    request.window = m_window->value();
    if (m_deathHistory)
        request.deathHistory = deathHistoryFromName(m_deathHistory->currentData().toString())
                                   .value_or(DeathHistory::KeepAsPrevious);
    if (m_fromStart)
        request.fromStart = m_fromStart->isChecked();
    return request;
}

void RedriveDialog::settingsChanged()
{
    if (!m_problem)
        return; // still building
    QString problem;
    const bool complete = request(&problem).has_value();
    m_problem->setText(problem);
    m_problem->setVisible(!complete);
    if (m_preview && !previewIsCurrent() && !m_session->isRunning())
        m_previewStatus->setText(
            u"The settings changed since the preview below: Redrive previews again first."_s);
    updateButtons();
}

bool RedriveDialog::previewIsCurrent() const
{
    const auto now = request();
    return m_preview && m_previewRequest && now
        && m_preview->outcome == RedriveReport::Outcome::Completed
        && samePlan(*now, *m_previewRequest);
}

void RedriveDialog::updateButtons()
{
    const bool idle = !m_session->isRunning();
    const bool complete = request().has_value();
    m_previewButton->setEnabled(idle && complete);
    m_redriveButton->setEnabled(idle && complete && !m_profile.readOnly);
    m_redriveButton->setToolTip(m_profile.readOnly
                                    ? u"Profile “%1” is read-only"_s.arg(m_profile.name)
                                    : u"Asks for confirmation with the preview's counts"_s);
}

void RedriveDialog::preview()
{
    m_redriveAfterPreview = false;
    startPreview();
}

void RedriveDialog::startPreview()
{
    auto dryRun = request();
    if (!dryRun || m_session->isRunning())
        return;
    dryRun->dryRun = true;
    m_counts->clear();
    m_previewStatus->setText(u"Previewing… nothing is sent."_s);
    m_session->start(m_profile, *dryRun);
    updateButtons();
}

void RedriveDialog::redrive()
{
    if (m_profile.readOnly || m_session->isRunning() || !request())
        return;
    if (!previewIsCurrent()) {
        m_redriveAfterPreview = true;
        startPreview();
        return;
    }
    confirmAndRun();
}

void RedriveDialog::takeReport(const RedriveReport &report)
{
    if (report.dryRun) {
        showPreview(report);
        updateButtons();
        if (std::exchange(m_redriveAfterPreview, false) && !m_closeWhenDone
            && report.outcome == RedriveReport::Outcome::Completed)
            confirmAndRun();
    } else {
        m_panel->showReport(report);
        updateButtons();
        Q_EMIT redriveFinished(report);
    }
    if (m_closeWhenDone)
        close();
}

void RedriveDialog::showPreview(const RedriveReport &report)
{
    m_preview = report;
    m_previewRequest = m_session->request();
    m_previewRequest->dryRun = false;
    m_counts->setReport(report);
    const QString at = report.finishedAt.toLocalTime().toString(u"HH:mm:ss"_s);
    if (report.outcome != RedriveReport::Outcome::Completed) {
        m_previewStatus->setText(u"The preview at %1 did not finish (%2): %3"_s.arg(
            at, redriveReportOutcomeName(report.outcome), report.error));
    } else {
        QStringList parts;
        parts << u"%1 would move to %2 destination(s)"_s.arg(formatCount(report.moved))
                     .arg(report.movedByTarget.size());
        if (report.skipped > 0)
            parts << u"%1 have no known destination and would stay"_s.arg(
                formatCount(report.skipped));
        if (report.failed > 0)
            parts << u"%1 could not be read"_s.arg(formatCount(report.failed));
        m_previewStatus->setText(u"At %1, of %2 message(s) in the DLQ: %3. Nothing was sent."_s.arg(
            at, formatCount(report.looked), parts.join(u"; "_s)));
    }
    Q_EMIT previewShown(report);
}

QString RedriveDialog::describeDestination(const RedriveRequest &request) const
{
    const RedriveDestination &d = request.destination;
    switch (d.mode) {
    case RedriveDestination::Mode::Original:
        return m_source.kind == ClusterKind::Kafka ? u"each message's original topic"_s
                                                   : u"the queue each message died in"_s;
    case RedriveDestination::Mode::Topic:
        return u"topic "_s + d.name;
    case RedriveDestination::Mode::Queue:
        return u"queue "_s + d.name;
    case RedriveDestination::Mode::Exchange:
        return (d.name.isEmpty() ? u"the default exchange"_s : u"exchange "_s + d.name)
            + (d.routingKey.isEmpty() ? u" with each message's own routing key"_s
                                      : u" with routing key "_s + d.routingKey);
    }
    return {};
}

QString RedriveDialog::confirmationText() const
{
    const auto run = request();
    if (!run || !m_preview)
        return {};
    const RedriveReport &p = *m_preview;
    QStringList text;
    text << u"Redrive %1 message(s) from %2 (profile %3) to %4?"_s.arg(
        formatCount(p.moved), m_source.toString(), m_profile.name, describeDestination(*run));
    text << QString() << countLines(p.movedByTarget);
    if (p.skipped > 0)
        text << QString()
             << u"%1 stay in the DLQ, with no known destination:"_s.arg(formatCount(p.skipped))
             << countLines(p.skippedByReason);
    if (p.failed > 0)
        text << QString() << u"%1 could not be read:"_s.arg(formatCount(p.failed))
             << countLines(p.failedByReason);
    text << QString();
    QString pace = run->ratePerSecond > 0
        ? u"Pace: at most %1 msg/s"_s.arg(formatCount(qint64(run->ratePerSecond)))
        : u"Pace: as fast as the brokers confirm"_s;
    pace += u", %1 in flight at most."_s.arg(formatCount(run->window));
    text << pace;
    if (m_repairId)
        text << u"Message %1 is sent as repaired."_s.arg(*m_repairId);
    if (m_profile.kind == ClusterKind::Kafka)
        for (const QString &warning : m_profile.redriveProducer.warnings())
            text << u"⚠ The profile's redrive producer: "_s + warning + u'.';
    text << u"Counts from the preview at %1; the DLQ may have changed since. Each message "
            "leaves the DLQ only after its destination confirmed it."_s.arg(
                p.finishedAt.toLocalTime().toString(u"HH:mm:ss"_s));
    return text.join(u'\n');
}

void RedriveDialog::confirmAndRun()
{
    QString problem;
    const auto run = request(&problem);
    if (!run || !m_preview || m_profile.readOnly)
        return;
    if (m_preview->moved == 0) {
        m_previewStatus->setText(
            m_previewStatus->text()
            + u"\nNothing to redrive: no selected message has a destination."_s);
        return;
    }
    if (!ask(confirmationText()))
        return;
    m_panel->begin(
        u"Redriving %1 → %2"_s.arg(m_source.toString(), describeDestination(*run)), *run,
        u"the preview at %1"_s.arg(m_preview->finishedAt.toLocalTime().toString(u"HH:mm:ss"_s)));
    m_pages->setCurrentWidget(m_panel);
    m_session->start(m_profile, *run);
    updateButtons();
}

bool RedriveDialog::isShowingProgress() const
{
    return m_pages->currentWidget() == m_panel;
}

bool RedriveDialog::ask(const QString &question)
{
    if (m_confirmer)
        return m_confirmer(question);
    QMessageBox box(QMessageBox::Question, u"Confirm redrive"_s, question, QMessageBox::NoButton,
                    this);
    QPushButton *go = box.addButton(u"Redrive"_s, QMessageBox::AcceptRole);
    box.setDefaultButton(box.addButton(QMessageBox::Cancel));
    box.exec();
    return box.clickedButton() == go;
}

void RedriveDialog::closeEvent(QCloseEvent *event)
{
    if (!m_session->isRunning()) {
        QDialog::closeEvent(event);
        return;
    }
    event->ignore();
    stopToClose();
}

void RedriveDialog::reject()
{
    if (m_session->isRunning())
        stopToClose(); // Escape on a running redrive asks too
    else
        QDialog::reject();
}

void RedriveDialog::stopToClose()
{
    // A preview sends nothing: stop it. A redrive stops only when the operator says so, and
    // the window goes once the messages in flight are settled, never blocking the GUI.
    if (!m_session->request().dryRun
        && !ask(u"A redrive is running. Cancel it and close? Messages in flight are settled "
                "first; nothing is half-moved."_s))
        return;
    m_closeWhenDone = true;
    m_session->cancel();
    hide();
}

} // namespace veltrix
