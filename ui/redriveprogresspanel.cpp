#include "redriveprogresspanel.h"

#include "items/lagformat.h"
#include "items/redrivereportmodel.h"
#include "lagverdictstyle.h"
#include "session/redrivesession.h"

#include <QCheckBox>
#include <QFileDialog>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSaveFile>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QTableView>
#include <QVBoxLayout>

#include <limits>

namespace veltrix {

using namespace Qt::StringLiterals;

namespace {

const QString Dash = u"—"_s;

// widest: the longest text the figure is expected to show, so the row never jumps or clips
// as numbers grow.
QLabel *figure(QGridLayout *grid, int column, const QString &caption, const QString &name,
               const QString &widest)
{
    auto *title = new QLabel(caption);
    title->setStyleSheet(u"QLabel { color: #5f6368; }"_s);
    auto *value = new QLabel(Dash);
    value->setObjectName(name);
    QFont font = value->font();
    font.setPointSizeF(font.pointSizeF() * 1.6);
    font.setBold(true);
    value->setFont(font);
    value->setMinimumWidth(QFontMetrics(font).horizontalAdvance(widest));
    grid->addWidget(title, 0, column);
    grid->addWidget(value, 1, column);
    return value;
}

QString outcomeText(const RedriveReport &report)
{
    const QString run = report.dryRun ? u"Preview"_s : u"Redrive"_s;
    switch (report.outcome) {
    case RedriveReport::Outcome::Completed:
        return run + u" completed"_s;
    case RedriveReport::Outcome::Cancelled:
        return run + u" cancelled"_s;
    case RedriveReport::Outcome::Stopped:
        return run + u" stopped"_s;
    case RedriveReport::Outcome::Refused:
        return run + u" refused"_s;
    }
    return run;
}

QString outcomeColor(RedriveReport::Outcome outcome)
{
    switch (outcome) {
    case RedriveReport::Outcome::Completed:
        return u"#1b7f3b"_s;
    case RedriveReport::Outcome::Cancelled:
        return u"#9a6700"_s;
    case RedriveReport::Outcome::Stopped:
    case RedriveReport::Outcome::Refused:
        return u"#b00020"_s;
    }
    return {};
}

// What the operator may worry about once it is over, beyond the summary line.
QString afterword(const RedriveReport &report)
{
    QStringList lines;
    switch (report.outcome) {
    case RedriveReport::Outcome::Completed:
        break;
    case RedriveReport::Outcome::Cancelled:
        lines << u"Nothing is half-moved: every message not moved is still in the DLQ."_s;
        break;
    case RedriveReport::Outcome::Stopped:
        lines << u"Why: "_s + report.error
              << u"Every message not moved is still in the DLQ; run the redrive again when "
                 "the broker is back."_s;
        break;
    case RedriveReport::Outcome::Refused:
        lines << u"Why: "_s + report.error << u"Nothing was sent and nothing left the DLQ."_s;
        break;
    }
    if (report.outcome == RedriveReport::Outcome::Completed && !report.error.isEmpty())
        lines << report.error;
    if (report.reconnects > 0)
        lines << u"Reconnected %1 time(s) on the way."_s.arg(report.reconnects);
    if (report.republished > 0)
        lines << u"%1 message(s) were published again after a fault because their first "
                 "publish was never confirmed: the destination may hold those twice."_s.arg(
                     formatCount(report.republished));
    if (!report.progressGroup.isEmpty()) {
        QStringList offsets;
        for (auto it = report.committedOffsets.cbegin(); it != report.committedOffsets.cend(); ++it)
            offsets << u"%1@%2"_s.arg(it.key()).arg(it.value());
        QString group = u"Progress kept in consumer group "_s;
        group += report.progressGroup;
        if (!offsets.isEmpty())
            group += u" (partition@offset: %1)"_s.arg(offsets.join(u", "_s));
        lines << group + u"; a new run continues from there."_s;
    }
    if (report.startedAt.isValid() && report.finishedAt.isValid())
        lines << u"Run %1 by %2, %3 to %4 (%5)."_s.arg(
            report.runId, report.user, report.startedAt.toLocalTime().toString(u"HH:mm:ss"_s),
            report.finishedAt.toLocalTime().toString(u"HH:mm:ss"_s),
            formatDuration(double(report.startedAt.msecsTo(report.finishedAt)) / 1000.0));
    return lines.join(u'\n');
}

} // namespace

RedriveProgressPanel::RedriveProgressPanel(QWidget *parent)
    : QWidget(parent)
    , m_title(new QLabel(this))
    , m_bar(new QProgressBar(this))
    , m_state(new QLabel(this))
    , m_note(new QLabel(this))
    , m_pause(new QPushButton(u"Pause"_s, this))
    , m_cancel(new QPushButton(u"Cancel"_s, this))
    , m_rateBox(new QSpinBox(this))
    , m_controls(new QWidget(this))
    , m_plan(new QGroupBox(this))
    , m_planView(new QTableView(m_plan))
    , m_end(new QWidget(this))
    , m_outcome(new QLabel(m_end))
    , m_summary(new QLabel(m_end))
    , m_details(new QLabel(m_end))
    , m_model(new RedriveReportModel(this))
    , m_items(new QTableView(m_end))
    , m_onlyLeftBehind(new QCheckBox(u"Only those that did not move"_s, m_end))
    , m_save(new QPushButton(u"Save report…"_s, m_end))
    , m_again(new QPushButton(u"Set up another redrive"_s, m_end))
{
    m_title->setObjectName(u"redriveRunTitle"_s);
    m_title->setWordWrap(true);
    m_title->setTextFormat(Qt::PlainText);
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_bar->setObjectName(u"redriveProgress"_s);
    m_bar->setTextVisible(true);
    m_bar->setMinimumHeight(24);
    m_state->setObjectName(u"redriveState"_s);
    m_state->setWordWrap(true);
    m_state->setTextFormat(Qt::PlainText);
    m_note->setWordWrap(true);
    m_note->setStyleSheet(u"QLabel { color: #5f6368; }"_s);
    m_note->setText(u"A message leaves the DLQ only after its destination confirmed it. Pause "
                    "and Cancel wait for the messages in flight to settle, so nothing is ever "
                    "half-moved."_s);

    m_pause->setObjectName(u"redrivePause"_s);
    m_pause->setCheckable(true);
    m_cancel->setObjectName(u"redriveCancel"_s);
    m_rateBox->setObjectName(u"redriveLiveRate"_s);
    m_rateBox->setRange(0, 1000000);
    m_rateBox->setSingleStep(50);
    m_rateBox->setSuffix(u" msg/s"_s);
    m_rateBox->setSpecialValueText(u"unlimited"_s);
    m_rateBox->setToolTip(u"Applies at once to the running redrive; 0: as fast as the brokers "
                          "confirm"_s);
    m_rateBox->setKeyboardTracking(false);
    auto *controls = new QHBoxLayout(m_controls);
    controls->setContentsMargins(0, 0, 0, 0);
    controls->addWidget(m_pause);
    controls->addWidget(m_cancel);
    controls->addSpacing(16);
    controls->addWidget(new QLabel(u"Rate limit:"_s, m_controls));
    controls->addWidget(m_rateBox);
    controls->addStretch(1);

    m_outcome->setObjectName(u"redriveOutcome"_s);
    QFont outcomeFont = m_outcome->font();
    outcomeFont.setPointSizeF(outcomeFont.pointSizeF() * 1.3);
    outcomeFont.setBold(true);
    m_outcome->setFont(outcomeFont);
    m_summary->setObjectName(u"redriveSummary"_s);
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::PlainText);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_details->setObjectName(u"redriveDetails"_s);
    m_details->setWordWrap(true);
    m_details->setTextFormat(Qt::PlainText);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_plan->setObjectName(u"redrivePlan"_s);
    m_planView->setObjectName(u"redrivePlanCounts"_s);
    m_planView->verticalHeader()->hide();
    m_planView->setSelectionMode(QAbstractItemView::NoSelection);
    m_planView->setWordWrap(false);
    m_planView->horizontalHeader()->setStretchLastSection(false);
    auto *planLayout = new QVBoxLayout(m_plan);
    planLayout->addWidget(m_planView);
    m_plan->hide();

    auto *decorator = new LagCellDecorator(this);
    decorator->setSourceModel(m_model);
    auto *sorter = new QSortFilterProxyModel(this);
    sorter->setSourceModel(decorator);
    sorter->setSortRole(RedriveReportModel::SortRole);
    sorter->setFilterKeyColumn(RedriveReportModel::Outcome);
    m_items->setObjectName(u"redriveItems"_s);
    m_items->setModel(sorter);
    m_items->setSortingEnabled(true);
    // What did not move first, each kind in the order it was handled (the sort is stable).
    m_items->sortByColumn(RedriveReportModel::Outcome, Qt::AscendingOrder);
    m_onlyLeftBehind->setObjectName(u"redriveOnlyLeftBehind"_s);
    connect(m_onlyLeftBehind, &QCheckBox::toggled, sorter, [sorter](bool on) {
        sorter->setFilterRegularExpression(on ? u"^(failed|skipped)$"_s : QString());
    });
    m_items->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_items->setWordWrap(false);
    m_items->verticalHeader()->hide();
    m_items->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_items->verticalHeader()->setDefaultSectionSize(m_items->fontMetrics().height() + 6);
    m_items->horizontalHeader()->setStretchLastSection(true);
    m_items->setColumnWidth(RedriveReportModel::Id, 170);
    m_items->setColumnWidth(RedriveReportModel::Outcome, 80);
    m_items->setColumnWidth(RedriveReportModel::Target, 220);
    m_save->setObjectName(u"redriveSave"_s);
    m_again->setObjectName(u"redriveAgain"_s);
    auto *endButtons = new QHBoxLayout;
    endButtons->addWidget(m_save);
    endButtons->addWidget(m_onlyLeftBehind);
    endButtons->addStretch(1);
    endButtons->addWidget(m_again);
    auto *endLayout = new QVBoxLayout(m_end);
    endLayout->setContentsMargins(0, 0, 0, 0);
    endLayout->addWidget(m_outcome);
    endLayout->addWidget(m_summary);
    endLayout->addWidget(m_details);
    endLayout->addWidget(m_items, 1);
    endLayout->addLayout(endButtons);
    m_end->hide();

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addWidget(m_bar);
    layout->addWidget(buildFigures());
    layout->addWidget(m_state);
    layout->addWidget(m_controls);
    layout->addWidget(m_note);
    layout->addWidget(m_plan, 1);
    layout->addWidget(m_end, 1);
    layout->addStretch(0); // takes the room when neither the plan nor the report shows

    connect(m_pause, &QPushButton::toggled, this, [this](bool paused) {
        m_pause->setText(paused ? u"Resume"_s : u"Pause"_s);
        if (m_session)
            m_session->setPaused(paused);
        if (paused)
            m_state->setText(u"State: pausing, the messages in flight settle first…"_s);
    });
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        if (m_session)
            m_session->cancel();
        m_cancel->setEnabled(false);
        m_pause->setEnabled(false);
        m_state->setText(u"State: cancelling, the messages in flight settle first…"_s);
    });
    connect(m_rateBox, &QSpinBox::valueChanged, this, [this](int rate) {
        if (m_session)
            m_session->setRate(rate);
    });
    connect(m_save, &QPushButton::clicked, this, &RedriveProgressPanel::saveWithDialog);
    connect(m_again, &QPushButton::clicked, this, &RedriveProgressPanel::setUpAnotherRequested);
}

QWidget *RedriveProgressPanel::buildFigures()
{
    auto *box = new QWidget(this);
    auto *grid = new QGridLayout(box);
    grid->setContentsMargins(0, 4, 0, 4);
    grid->setHorizontalSpacing(24);
    const QString count = u"1,000,000"_s;
    m_moved = figure(grid, 0, u"Moved"_s, u"redriveMoved"_s, count);
    m_failed = figure(grid, 1, u"Failed"_s, u"redriveFailed"_s, count);
    m_skipped = figure(grid, 2, u"Skipped"_s, u"redriveSkipped"_s, count);
    m_skipped->setToolTip(u"Selected but left in the DLQ: no destination, or unroutable"_s);
    m_rate = figure(grid, 3, u"Rate"_s, u"redriveRate"_s, u"88,888.8 msg/s"_s);
    m_eta = figure(grid, 4, u"Time left"_s, u"redriveEta"_s, u"88 min 88 s"_s);
    grid->setColumnStretch(5, 1);
    return box;
}

void RedriveProgressPanel::setSession(RedriveSession *session)
{
    m_session = session;
}

void RedriveProgressPanel::setPlan(QAbstractItemModel *counts)
{
    m_planView->setModel(counts);
    m_planView->horizontalHeader()->setSectionResizeMode(RedriveCountsModel::Where,
                                                         QHeaderView::Stretch);
    m_planView->setColumnWidth(RedriveCountsModel::Outcome, 200);
    m_planView->setColumnWidth(RedriveCountsModel::Count, 100);
}

void RedriveProgressPanel::begin(const QString &title, const RedriveRequest &request,
                                 const QString &planCaption)
{
    m_hasReport = false;
    m_report = {};
    m_total = -1;
    m_model->clear();
    m_title->setText(title);
    m_bar->setRange(0, 0); // busy until the first progress says how many
    m_bar->setFormat(u"starting…"_s);
    for (QLabel *label : {m_moved, m_failed, m_skipped, m_rate, m_eta})
        label->setText(Dash);
    m_state->setText(u"State: starting"_s);
    m_state->setStyleSheet(QString());
    {
        const QSignalBlocker quiet(m_pause);
        m_pause->setChecked(false);
        m_pause->setText(u"Pause"_s);
    }
    m_pause->setEnabled(true);
    m_cancel->setEnabled(true);
    {
        const QSignalBlocker quiet(m_rateBox);
        m_rateBox->setValue(int(std::min<double>(request.ratePerSecond, m_rateBox->maximum())));
    }
    m_controls->show();
    m_note->show();
    m_state->show();
    m_plan->setTitle(u"Planned, from "_s + planCaption);
    m_plan->setVisible(m_planView->model() && !planCaption.isEmpty());
    m_end->hide();
}

void RedriveProgressPanel::showProgress(const RedriveProgress &progress)
{
    if (m_hasReport)
        return;
    m_total = progress.total;
    if (progress.total >= 0) {
        // QProgressBar counts in int: scale a huge DLQ down rather than overflow.
        const qint64 scale = progress.total / std::numeric_limits<int>::max() + 1;
        m_bar->setRange(0, int(progress.total / scale));
        m_bar->setValue(int(std::min(progress.looked, progress.total) / scale));
        const int percent = progress.total > 0
            ? int(100 * std::min(progress.looked, progress.total) / progress.total)
            : 100;
        m_bar->setFormat(u"%1 of %2 looked at (%3 %)"_s.arg(
            formatCount(progress.looked), formatCount(progress.total), QString::number(percent)));
    } else {
        m_bar->setRange(0, 0);
        m_bar->setFormat(u"%1 looked at"_s.arg(formatCount(progress.looked)));
    }
    m_moved->setText(formatCount(progress.moved));
    m_failed->setText(formatCount(progress.failed));
    m_skipped->setText(formatCount(progress.skipped));
    m_rate->setText(formatRate(progress.ratePerSecond));
    m_eta->setText(progress.paused || progress.etaSeconds < 0
                       ? Dash
                       : formatDuration(double(progress.etaSeconds)));
    QString state = u"State: "_s + progress.state;
    if (progress.reconnects > 0)
        state += u" · reconnected %1 time(s)"_s.arg(progress.reconnects);
    if (m_cancel->isEnabled() || progress.state.startsWith(u"reconnecting"_s))
        m_state->setText(state);
    m_state->setStyleSheet(progress.state.startsWith(u"reconnecting"_s)
                               ? u"QLabel { color: #9a6700; font-weight: bold; }"_s
                               : QString());
}

void RedriveProgressPanel::showReport(const RedriveReport &report)
{
    m_report = report;
    m_hasReport = true;
    const qint64 looked = report.looked;
    if (report.outcome != RedriveReport::Outcome::Completed && m_total > looked) {
        // Cancelled or stopped part-way: the bar keeps saying how far it got.
        const qint64 scale = m_total / std::numeric_limits<int>::max() + 1;
        m_bar->setRange(0, int(m_total / scale));
        m_bar->setValue(int(looked / scale));
        m_bar->setFormat(u"%1 of %2 looked at"_s.arg(formatCount(looked), formatCount(m_total)));
    } else {
        m_bar->setRange(0, 1);
        m_bar->setValue(1);
        m_bar->setFormat(u"%1 looked at"_s.arg(formatCount(looked)));
    }
    m_moved->setText(formatCount(report.moved));
    m_failed->setText(formatCount(report.failed));
    m_skipped->setText(formatCount(report.skipped));
    const double seconds = double(report.startedAt.msecsTo(report.finishedAt)) / 1000.0;
    m_rate->setText(seconds > 0 ? formatRate(double(report.moved) / seconds) : Dash);
    m_eta->setText(Dash);
    m_details->setText(afterword(report));
    m_state->hide();
    m_controls->hide();
    m_note->hide();
    m_plan->hide();
    m_outcome->setText(outcomeText(report));
    m_outcome->setStyleSheet(u"QLabel { color: %1; }"_s.arg(outcomeColor(report.outcome)));
    m_summary->setText(report.summary());
    m_model->setReport(report);
    m_end->show();
}

bool RedriveProgressPanel::saveReport(const QString &path, QString *error) const
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = file.errorString();
        return false;
    }
    file.write(QJsonDocument(m_report.toJson()).toJson(QJsonDocument::Indented));
    if (!file.commit()) {
        *error = file.errorString();
        return false;
    }
    return true;
}

void RedriveProgressPanel::saveWithDialog()
{
    const QString suggested = u"redrive-%1-%2.json"_s.arg(
        m_report.source.name, m_report.startedAt.toLocalTime().toString(u"yyyyMMdd-HHmmss"_s));
    const QString path = QFileDialog::getSaveFileName(this, u"Save the redrive report"_s, suggested,
                                                      u"JSON (*.json)"_s);
    if (path.isEmpty())
        return;
    QString error;
    if (saveReport(path, &error))
        m_summary->setText(m_report.summary() + u"\nSaved to "_s + path);
    else
        m_summary->setText(m_report.summary() + u"\nCould not save to %1: %2"_s.arg(path, error));
}

} // namespace veltrix
