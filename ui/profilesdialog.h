#pragma once

#include "core/clusterprofile.h"

#include <QDialog>
#include <QMap>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QStackedWidget;

namespace veltrix {

// Connection profiles, edited side by side: any number of Kafka and RabbitMQ clusters,
// added by hand or imported (a Java client .properties file, a kcat config, an amqp(s)://
// URI). Saved to the profiles file (the XDG config dir by default); a password typed here
// goes to the system keychain, never into the file.
class ProfilesDialog : public QDialog
{
    Q_OBJECT
public:
    ProfilesDialog(QList<ClusterProfile> profiles, QString path, QWidget *parent = nullptr);

    void addProfile(ClusterKind kind);
    // Adds an imported profile; the error (file, line, key) in words when it cannot.
    QString importFile(const QString &path);
    QString importUri(const QString &uri);
    void removeCurrent();
    void select(int row);

    // Writes the file (and typed passwords to the keychain). Empty on success, else why
    // (the profile and field it is about); nothing is written then.
    QString save();

    QList<ClusterProfile> profiles() const; // as edited, current form included
    const QString &path() const { return m_path; }
    QListWidget *list() const { return m_list; }
    QLineEdit *nameEdit() const { return m_name; }
    QLineEdit *bootstrapEdit() const { return m_bootstrap; }
    QPlainTextEdit *propertiesEdit() const { return m_properties; }
    QLineEdit *amqpEdit() const { return m_amqp; }
    QCheckBox *verifyBox() const { return m_verify; }
    QLabel *verifyWarning() const { return m_verifyWarning; }
    QComboBox *passwordSourceBox() const { return m_passwordFrom; }
    QLineEdit *passwordEnvEdit() const { return m_passwordEnv; }
    QLineEdit *passwordEdit() const { return m_password; }
    QLabel *problemLabel() const { return m_problem; }

Q_SIGNALS:
    void saved(const QList<veltrix::ClusterProfile> &profiles, const QString &path);

private:
    void buildForm();
    void showProfile(int row);
    void storeForm(); // the form into m_profiles[m_current]
    void refreshList();
    void updateSecurityHints();
    void addImported(ClusterProfile profile, const QString &password, const QString &notes);

    QList<ClusterProfile> m_profiles;
    QMap<QString, QString> m_typedPasswords; // profile name → typed here, for the keychain
    struct UnreadProperties
    {
        QString text; // as typed, shown again when the profile is selected
        QString why;
    };
    QMap<QString, UnreadProperties> m_unreadProperties; // profile name → properties text it
                                                        // cannot read yet
    QString m_path;
    int m_current = -1;
    bool m_showing = false;

    QListWidget *m_list;
    QStackedWidget *m_kindForm;
    QLineEdit *m_name;
    QCheckBox *m_readOnly;
    QLineEdit *m_bootstrap;
    QPlainTextEdit *m_properties;
    QLineEdit *m_groups;
    QLineEdit *m_amqp;
    QLineEdit *m_management;
    QLineEdit *m_caFile;
    QLineEdit *m_certFile;
    QLineEdit *m_keyFile;
    QCheckBox *m_verify;
    QLabel *m_verifyWarning;
    QComboBox *m_passwordFrom;
    QLineEdit *m_passwordEnv;
    QLineEdit *m_password;
    QCheckBox *m_maskDefaults;
    QLineEdit *m_maskHeaders;
    QLineEdit *m_maskPaths;
    QLabel *m_problem;
};

} // namespace veltrix
