#pragma once

#include "deadletter/messagefilter.h"

#include <QWidget>

class QCheckBox;
class QDateTimeEdit;
class QLabel;
class QLineEdit;
class QToolButton;

namespace veltrix {

// The row above the DLQ table that narrows it: free text, a header's value, a time
// range, and the triage group picked in the panel (shown as a removable chip).
class MessageFilterBar : public QWidget
{
    Q_OBJECT
public:
    explicit MessageFilterBar(QWidget *parent = nullptr);

    MessageFilter filter() const;
    // keptValues: for the "(other)" group, the values it is not (TriageModel::keptValues).
    void setTriageGroup(TriageDimension dimension, const QString &value,
                        const QStringList &keptValues = {});
    void clear();

    QLineEdit *textEdit() const { return m_text; }
    QLineEdit *headerNameEdit() const { return m_headerName; }
    QLineEdit *headerValueEdit() const { return m_headerValue; }

Q_SIGNALS:
    void filterChanged(const veltrix::MessageFilter &filter);

private:
    void emitChanged();

    QLineEdit *m_text;
    QLineEdit *m_headerName;
    QLineEdit *m_headerValue;
    QCheckBox *m_fromOn;
    QDateTimeEdit *m_from;
    QCheckBox *m_toOn;
    QDateTimeEdit *m_to;
    QToolButton *m_groupChip;
    std::optional<TriageDimension> m_triageDimension;
    QString m_triageValue;
    QStringList m_triageKeptValues;
};

} // namespace veltrix
