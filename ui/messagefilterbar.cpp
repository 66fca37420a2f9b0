#include "messagefilterbar.h"

#include "items/triagemodel.h"

#include <QCheckBox>
#include <QDateTimeEdit>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QTimer>
#include <QToolButton>

namespace veltrix {

using namespace Qt::StringLiterals;

namespace {
constexpr int ChipTextWidth = 200; // pixels: the filter row must fit beside the table
}

MessageFilterBar::MessageFilterBar(QWidget *parent)
    : QWidget(parent)
    , m_text(new QLineEdit(this))
    , m_headerName(new QLineEdit(this))
    , m_headerValue(new QLineEdit(this))
    , m_fromOn(new QCheckBox(u"From"_s, this))
    , m_from(new QDateTimeEdit(this))
    , m_toOn(new QCheckBox(u"to"_s, this))
    , m_to(new QDateTimeEdit(this))
    , m_groupChip(new QToolButton(this))
{
    m_text->setObjectName(u"dlqFilterText"_s);
    m_text->setPlaceholderText(u"Filter: id, key, payload, headers, exception…"_s);
    m_text->setClearButtonEnabled(true);
    m_headerName->setObjectName(u"dlqFilterHeaderName"_s);
    m_headerName->setPlaceholderText(u"header"_s);
    m_headerName->setMaximumWidth(130);
    m_headerValue->setObjectName(u"dlqFilterHeaderValue"_s);
    m_headerValue->setPlaceholderText(u"contains"_s);
    m_headerValue->setMaximumWidth(130);
    m_text->setMinimumWidth(180);
    for (QDateTimeEdit *edit : {m_from, m_to}) {
        edit->setDisplayFormat(u"yyyy-MM-dd HH:mm"_s);
        edit->setMaximumWidth(150);
        edit->setCalendarPopup(true);
        edit->setDateTime(QDateTime::currentDateTime());
        edit->setEnabled(false);
    }
    m_from->setDateTime(QDateTime::currentDateTime().addSecs(-3600));
    m_groupChip->setObjectName(u"dlqTriageChip"_s);
    m_groupChip->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_groupChip->setToolTip(u"Click to stop filtering by this triage group"_s);
    m_groupChip->hide();

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_text, 3);
    layout->addWidget(m_headerName, 1);
    layout->addWidget(m_headerValue, 1);
    layout->addWidget(m_fromOn);
    layout->addWidget(m_from);
    layout->addWidget(m_toOn);
    layout->addWidget(m_to);
    layout->addWidget(m_groupChip);

    // Typing filters after a pause, not per keystroke: a list of 10,000 messages with
    // payloads is rescanned on each change.
    auto *debounce = new QTimer(this);
    debounce->setSingleShot(true);
    debounce->setInterval(250);
    connect(debounce, &QTimer::timeout, this, &MessageFilterBar::emitChanged);
    for (QLineEdit *edit : {m_text, m_headerName, m_headerValue})
        connect(edit, &QLineEdit::textChanged, debounce, qOverload<>(&QTimer::start));
    for (QDateTimeEdit *edit : {m_from, m_to})
        connect(edit, &QDateTimeEdit::dateTimeChanged, debounce, qOverload<>(&QTimer::start));
    connect(m_fromOn, &QCheckBox::toggled, m_from, &QWidget::setEnabled);
    connect(m_toOn, &QCheckBox::toggled, m_to, &QWidget::setEnabled);
    connect(m_fromOn, &QCheckBox::toggled, this, &MessageFilterBar::emitChanged);
    connect(m_toOn, &QCheckBox::toggled, this, &MessageFilterBar::emitChanged);
    connect(m_groupChip, &QToolButton::clicked, this, [this] {
        m_triageDimension.reset();
        m_triageValue.clear();
        m_groupChip->hide();
        emitChanged();
    });
}

MessageFilter MessageFilterBar::filter() const
{
    MessageFilter filter;
    filter.text = m_text->text().trimmed();
    filter.headerName = m_headerName->text().trimmed();
    filter.headerValue = filter.headerName.isEmpty() ? QString() : m_headerValue->text();
    if (m_fromOn->isChecked())
        filter.from = m_from->dateTime().toUTC();
    if (m_toOn->isChecked())
        filter.to = m_to->dateTime().toUTC();
    filter.triageDimension = m_triageDimension;
    filter.triageValue = m_triageValue;
    filter.triageKeptValues = m_triageKeptValues;
    return filter;
}

void MessageFilterBar::setTriageGroup(TriageDimension dimension, const QString &value,
                                      const QStringList &keptValues)
{
    m_triageDimension = dimension;
    m_triageValue = value;
    m_triageKeptValues = keptValues;
    // A class name says most at its end; the rest at their start.
    const Qt::TextElideMode elide
        = dimension == TriageDimension::ExceptionClass ? Qt::ElideLeft : Qt::ElideRight;
    const QString shown = m_groupChip->fontMetrics().elidedText(value, elide, ChipTextWidth);
    m_groupChip->setText(shown + u"  ✕"_s);
    m_groupChip->setToolTip(TriageModel::dimensionTitle(dimension) + u": "_s + value
                            + u"\nClick to stop filtering by this group"_s);
    m_groupChip->show();
    emitChanged();
}

void MessageFilterBar::clear()
{
    const QSignalBlocker blockers[]
        = {QSignalBlocker(m_text), QSignalBlocker(m_headerName), QSignalBlocker(m_headerValue),
           QSignalBlocker(m_fromOn), QSignalBlocker(m_toOn)};
    m_text->clear();
    m_headerName->clear();
    m_headerValue->clear();
    m_fromOn->setChecked(false);
    m_toOn->setChecked(false);
    m_from->setEnabled(false);
    m_to->setEnabled(false);
    m_triageDimension.reset();
    m_triageValue.clear();
    m_triageKeptValues.clear();
    m_groupChip->hide();
}

void MessageFilterBar::emitChanged()
{
    Q_EMIT filterChanged(filter());
}

} // namespace veltrix
