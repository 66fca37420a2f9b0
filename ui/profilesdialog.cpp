#include "profilesdialog.h"

#include "core/profilefile.h"
#include "core/secretresolver.h"
#include "profiles/profileimport.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QStackedWidget>
#include <QUrl>
#include <QVBoxLayout>

namespace veltrix {

using namespace Qt::StringLiterals;

namespace {

using From = SecretSource::From;
const QList<From> sourceOrder = {From::Profile, From::Keychain, From::Env, From::Prompt};

QStringList splitList(const QString &text)
{
    QStringList out;
    for (const QString &part : text.split(u',', Qt::SkipEmptyParts))
        if (!part.trimmed().isEmpty())
            out << part.trimmed();
    return out;
}

QString uniqueName(const QList<ClusterProfile> &profiles, const QString &wanted)
{
    QString name = wanted;
    for (int n = 2; std::any_of(profiles.begin(), profiles.end(),
                                [&](const ClusterProfile &p) { return p.name == name; });
         ++n)
        name = u"%1-%2"_s.arg(wanted).arg(n);
    return name;
}

} // namespace

ProfilesDialog::ProfilesDialog(QList<ClusterProfile> profiles, QString path, QWidget *parent)
    : QDialog(parent)
    , m_profiles(std::move(profiles))
    , m_path(path.isEmpty() ? ProfileFile::defaultPath() : std::move(path))
    , m_list(new QListWidget(this))
    , m_kindForm(new QStackedWidget(this))
    , m_name(new QLineEdit(this))
    , m_readOnly(new QCheckBox(u"Read-only: refuse every change (redrive, purge, retry "
                               "settings, offset reset)"_s,
                               this))
    , m_bootstrap(new QLineEdit(this))
    , m_properties(new QPlainTextEdit(this))
    , m_groups(new QLineEdit(this))
    , m_amqp(new QLineEdit(this))
    , m_management(new QLineEdit(this))
    , m_caFile(new QLineEdit(this))
    , m_certFile(new QLineEdit(this))
    , m_keyFile(new QLineEdit(this))
    , m_verify(new QCheckBox(u"Verify the broker's certificate and host name"_s, this))
    , m_verifyWarning(new QLabel(this))
    , m_passwordFrom(new QComboBox(this))
    , m_passwordEnv(new QLineEdit(this))
    , m_password(new QLineEdit(this))
    , m_maskDefaults(new QCheckBox(u"Mask password, token, secret, card-number fields"_s, this))
    , m_maskHeaders(new QLineEdit(this))
    , m_maskPaths(new QLineEdit(this))
    , m_problem(new QLabel(this))
{
    setWindowTitle(u"Connection profiles"_s);
    resize(980, 640);
    buildForm();
    refreshList();
    if (!m_profiles.isEmpty())
        select(0);
    else
        showProfile(-1);
}

void ProfilesDialog::buildForm()
{
    auto *addKafka = new QPushButton(u"Add Kafka"_s, this);
    auto *addRabbit = new QPushButton(u"Add RabbitMQ"_s, this);
    auto *importFileButton = new QPushButton(u"Import file…"_s, this);
    importFileButton->setToolTip(u"A Java client .properties file or a kcat config"_s);
    auto *importUriButton = new QPushButton(u"Import URI…"_s, this);
    importUriButton->setToolTip(u"An amqp:// or amqps:// URI"_s);
    auto *remove = new QPushButton(u"Remove"_s, this);
    connect(addKafka, &QPushButton::clicked, this, [this] { addProfile(ClusterKind::Kafka); });
    connect(addRabbit, &QPushButton::clicked, this, [this] { addProfile(ClusterKind::RabbitMq); });
    connect(importFileButton, &QPushButton::clicked, this, [this] {
        const QString file = QFileDialog::getOpenFileName(this, u"Import client properties"_s);
        if (!file.isEmpty())
            m_problem->setText(importFile(file));
    });
    connect(importUriButton, &QPushButton::clicked, this, [this] {
        const QString uri
            = QInputDialog::getText(this, u"Import a RabbitMQ URI"_s, u"amqp:// or amqps:// URI"_s);
        if (!uri.isEmpty())
            m_problem->setText(importUri(uri));
    });
    connect(remove, &QPushButton::clicked, this, &ProfilesDialog::removeCurrent);
    connect(m_list, &QListWidget::currentRowChanged, this, [this](int row) {
        if (!m_showing)
            showProfile(row);
    });

    auto *left = new QVBoxLayout;
    left->addWidget(m_list, 1);
    for (QPushButton *b : {addKafka, addRabbit, importFileButton, importUriButton, remove})
        left->addWidget(b);

    auto *kafkaPage = new QWidget(this);
    auto *kafkaForm = new QFormLayout(kafkaPage);
    m_bootstrap->setPlaceholderText(u"broker-1:9092,broker-2:9092"_s);
    m_properties->setPlaceholderText(u"librdkafka properties, one key=value per line:\n"
                                     "security.protocol=sasl_ssl\nsasl.mechanisms=SCRAM-SHA-512\n"
                                     "sasl.username=ops"_s);
    m_groups->setPlaceholderText(u"groups to watch when the brokers cannot list them"_s);
    kafkaForm->addRow(u"Bootstrap servers"_s, m_bootstrap);
    kafkaForm->addRow(u"Properties"_s, m_properties);
    kafkaForm->addRow(u"Consumer groups"_s, m_groups);
    auto *rabbitPage = new QWidget(this);
    auto *rabbitForm = new QFormLayout(rabbitPage);
    m_amqp->setPlaceholderText(u"amqps://user@host:5671/vhost (no password here)"_s);
    m_management->setPlaceholderText(u"https://host:15671"_s);
    rabbitForm->addRow(u"AMQP URI"_s, m_amqp);
    rabbitForm->addRow(u"Management API"_s, m_management);
    m_kindForm->addWidget(kafkaPage);
    m_kindForm->addWidget(rabbitPage);

    auto *tls = new QGroupBox(u"TLS"_s, this);
    auto *tlsForm = new QFormLayout(tls);
    m_caFile->setPlaceholderText(u"CA file (PEM); empty: the system's trust store"_s);
    tlsForm->addRow(u"CA file"_s, m_caFile);
    tlsForm->addRow(u"Client certificate"_s, m_certFile);
    tlsForm->addRow(u"Client key"_s, m_keyFile);
    tlsForm->addRow(m_verify);
    m_verifyWarning->setObjectName(u"verifyWarning"_s);
    m_verifyWarning->setWordWrap(true);
    m_verifyWarning->setStyleSheet(u"color: #b00020; font-weight: bold;"_s);
    tlsForm->addRow(m_verifyWarning);

    auto *secret = new QGroupBox(u"Password"_s, this);
    auto *secretForm = new QFormLayout(secret);
    m_passwordFrom->addItems({u"none (or the URI's, as written)"_s, u"system keychain"_s,
                              u"environment variable"_s, u"ask when the profile opens"_s});
    m_passwordEnv->setPlaceholderText(u"VARIABLE_NAME"_s);
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setPlaceholderText(u"stored in the keychain on Save; never in the file"_s);
    secretForm->addRow(u"Comes from"_s, m_passwordFrom);
    secretForm->addRow(u"Variable"_s, m_passwordEnv);
    secretForm->addRow(u"Password"_s, m_password);

    auto *masking = new QGroupBox(u"Masking in views and exports"_s, this);
    auto *maskForm = new QFormLayout(masking);
    m_maskHeaders->setPlaceholderText(u"header names, comma-separated"_s);
    m_maskPaths->setPlaceholderText(u"JSON paths: customer.email, items[*].iban"_s);
    maskForm->addRow(m_maskDefaults);
    maskForm->addRow(u"Headers"_s, m_maskHeaders);
    maskForm->addRow(u"JSON paths"_s, m_maskPaths);

    auto *common = new QFormLayout;
    common->addRow(u"Name"_s, m_name);
    common->addRow(m_readOnly);
    auto *right = new QVBoxLayout;
    right->addLayout(common);
    right->addWidget(m_kindForm);
    right->addWidget(tls);
    right->addWidget(secret);
    right->addWidget(masking);
    right->addStretch();

    auto *columns = new QHBoxLayout;
    columns->addLayout(left, 1);
    columns->addLayout(right, 3);
    m_problem->setWordWrap(true);
    m_problem->setObjectName(u"profilesProblem"_s);
    m_problem->setStyleSheet(u"color: #b00020;"_s);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        const QString why = save();
        m_problem->setText(why);
        if (why.isEmpty())
            accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *where = new QLabel(u"Saved to <tt>%1</tt>"_s.arg(m_path.toHtmlEscaped()), this);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(columns, 1);
    layout->addWidget(where);
    layout->addWidget(m_problem);
    layout->addWidget(buttons);

    for (QLineEdit *edit :
         {m_name, m_bootstrap, m_groups, m_amqp, m_management, m_caFile, m_certFile, m_keyFile,
          m_passwordEnv, m_password, m_maskHeaders, m_maskPaths})
        connect(edit, &QLineEdit::textChanged, this, [this] {
            if (!m_showing)
                storeForm();
        });
    connect(m_properties, &QPlainTextEdit::textChanged, this, [this] {
        if (!m_showing)
            storeForm();
    });
    for (QCheckBox *box : {m_readOnly, m_verify, m_maskDefaults})
        connect(box, &QCheckBox::toggled, this, [this] {
            if (!m_showing)
                storeForm();
            updateSecurityHints();
        });
    connect(m_passwordFrom, &QComboBox::currentIndexChanged, this, [this] {
        if (!m_showing)
            storeForm();
        updateSecurityHints();
    });
}

void ProfilesDialog::refreshList()
{
    m_showing = true;
    m_list->clear();
    for (const ClusterProfile &p : std::as_const(m_profiles))
        m_list->addItem(u"%1  (%2%3)"_s.arg(p.name, clusterKindName(p.kind),
                                            p.readOnly ? u", read-only"_s : QString()));
    m_list->setCurrentRow(m_current);
    m_showing = false;
}

void ProfilesDialog::select(int row)
{
    m_list->setCurrentRow(row);
    showProfile(row);
}

void ProfilesDialog::showProfile(int row)
{
    m_current = row >= 0 && row < m_profiles.size() ? row : -1;
    m_showing = true;
    const ClusterProfile p = m_current >= 0 ? m_profiles[m_current] : ClusterProfile {};
    for (QWidget *w :
         std::initializer_list<QWidget *> {m_name, m_readOnly, m_kindForm, m_caFile, m_certFile,
                                           m_keyFile, m_verify, m_passwordFrom, m_maskDefaults})
        w->setEnabled(m_current >= 0);
    m_name->setText(p.name);
    m_readOnly->setChecked(p.readOnly);
    m_kindForm->setCurrentIndex(p.kind == ClusterKind::Kafka ? 0 : 1);
    // The stack would keep the taller Kafka form's height for RabbitMQ's two lines.
    for (int i = 0; i < m_kindForm->count(); ++i)
        m_kindForm->widget(i)->setSizePolicy(
            QSizePolicy::Preferred,
            i == m_kindForm->currentIndex() ? QSizePolicy::Preferred : QSizePolicy::Ignored);
    m_kindForm->adjustSize();
    m_bootstrap->setText(p.bootstrap);
    m_properties->setPlainText(m_unreadProperties.contains(p.name)
                                   ? m_unreadProperties.value(p.name).text
                                   : writePropertiesText(p.properties));
    m_groups->setText(p.groups.join(u", "_s));
    m_amqp->setText(p.amqpUri);
    m_management->setText(p.managementUrl);
    m_caFile->setText(p.tls.caFile);
    m_certFile->setText(p.tls.certFile);
    m_keyFile->setText(p.tls.keyFile);
    m_verify->setChecked(p.tls.verify);
    m_passwordFrom->setCurrentIndex(int(sourceOrder.indexOf(p.passwordSource.from)));
    m_passwordEnv->setText(p.passwordSource.envName);
    m_password->setText(m_typedPasswords.value(p.name));
    m_maskDefaults->setChecked(p.masking.defaults);
    m_maskHeaders->setText(p.masking.headers.join(u", "_s));
    m_maskPaths->setText(p.masking.jsonPaths.join(u", "_s));
    m_showing = false;
    updateSecurityHints();
}

void ProfilesDialog::storeForm()
{
    if (m_current < 0)
        return;
    ClusterProfile &p = m_profiles[m_current];
    const QString oldName = p.name;
    p.name = m_name->text().trimmed();
    p.readOnly = m_readOnly->isChecked();
    if (p.kind == ClusterKind::Kafka) {
        p.bootstrap = m_bootstrap->text().trimmed();
        // A line the parser cannot read keeps the last good properties and says why; save()
        // refuses while any profile has such a line.
        const QString text = m_properties->toPlainText();
        const PropertiesFileResult parsed = parsePropertiesText(text, {});
        const bool hadProblem = m_unreadProperties.remove(oldName) > 0;
        if (parsed.ok()) {
            p.properties = parsed.properties;
            if (hadProblem)
                m_problem->clear();
        } else {
            ProfileError error = *parsed.error;
            const QString where = u"%1: properties, line %2"_s.arg(p.name).arg(error.line);
            error.line = 0;
            const QString why = where + u": "_s + error.describe();
            m_unreadProperties.insert(p.name, {text, why});
            m_problem->setText(why);
        }
        p.groups = splitList(m_groups->text());
    } else {
        p.amqpUri = m_amqp->text().trimmed();
        p.managementUrl = m_management->text().trimmed();
    }
    p.tls.caFile = m_caFile->text().trimmed();
    p.tls.certFile = m_certFile->text().trimmed();
    p.tls.keyFile = m_keyFile->text().trimmed();
    p.tls.verify = m_verify->isChecked();
    p.passwordSource.from = sourceOrder.value(m_passwordFrom->currentIndex(), From::Profile);
    p.passwordSource.envName
        = p.passwordSource.from == From::Env ? m_passwordEnv->text().trimmed() : QString();
    m_typedPasswords.remove(oldName);
    if (p.passwordSource.from == From::Keychain && !m_password->text().isEmpty())
        m_typedPasswords.insert(p.name, m_password->text());
    p.masking.defaults = m_maskDefaults->isChecked();
    p.masking.headers = splitList(m_maskHeaders->text());
    p.masking.jsonPaths = splitList(m_maskPaths->text());
    if (oldName != p.name || m_list->count() != m_profiles.size())
        refreshList();
}

void ProfilesDialog::updateSecurityHints()
{
    m_verifyWarning->setText(m_current >= 0 && !m_verify->isChecked()
                                 ? u"⚠ Verification is OFF: anyone between you and the broker "
                                   "can pose as it and read the password."_s
                                 : QString());
    const From from = sourceOrder.value(m_passwordFrom->currentIndex(), From::Profile);
    m_passwordEnv->setEnabled(m_current >= 0 && from == From::Env);
    m_password->setEnabled(m_current >= 0 && from == From::Keychain);
}

void ProfilesDialog::addProfile(ClusterKind kind)
{
    ClusterProfile p;
    p.kind = kind;
    p.name = uniqueName(m_profiles, kind == ClusterKind::Kafka ? u"kafka"_s : u"rabbitmq"_s);
    if (kind == ClusterKind::Kafka)
        p.bootstrap = u"localhost:9092"_s;
    else {
        p.amqpUri = u"amqp://guest@localhost:5672/%2F"_s;
        p.managementUrl = u"http://localhost:15672"_s;
    }
    m_profiles << p;
    m_current = int(m_profiles.size()) - 1;
    refreshList();
    select(m_current);
}

void ProfilesDialog::addImported(ClusterProfile profile, const QString &password,
                                 const QString &notes)
{
    profile.name = uniqueName(m_profiles, profile.name);
    if (!password.isEmpty()) {
        // Taken out of the file: kept for the keychain until Save.
        profile.passwordSource.from = From::Keychain;
        m_typedPasswords.insert(profile.name, password);
    }
    m_profiles << profile;
    m_current = int(m_profiles.size()) - 1;
    refreshList();
    select(m_current);
    m_problem->setText(notes);
}

QString ProfilesDialog::importFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return u"%1: cannot read: %2"_s.arg(path, file.errorString());
    const PropertiesFileResult parsed = parsePropertiesFile(file.read(2 * 1024 * 1024), path);
    if (!parsed.ok())
        return parsed.error->describe();
    const QString name = QFileInfo(path).completeBaseName();
    const auto imported = importKafkaProperties(parsed.properties, name, path);
    if (const auto *error = std::get_if<ProfileError>(&imported))
        return error->describe();
    const ImportedProfile &out = std::get<ImportedProfile>(imported);
    ClusterProfile profile = out.profile;
    if (!out.keyPassphrase.isEmpty())
        profile.keyPassphraseSource.from = From::Prompt; // asked for, never kept in the file
    addImported(profile, out.password, out.notes.join(u'\n'));
    return {};
}

QString ProfilesDialog::importUri(const QString &uri)
{
    const QString host = QUrl(uri).host();
    const auto imported = importRabbitUri(uri, host.isEmpty() ? u"rabbitmq"_s : host);
    if (const auto *error = std::get_if<ProfileError>(&imported))
        return error->describe();
    const ImportedProfile &out = std::get<ImportedProfile>(imported);
    addImported(out.profile, out.password, out.notes.join(u'\n'));
    return {};
}

void ProfilesDialog::removeCurrent()
{
    if (m_current < 0)
        return;
    m_typedPasswords.remove(m_profiles[m_current].name);
    m_unreadProperties.remove(m_profiles[m_current].name);
    m_profiles.removeAt(m_current);
    m_current = std::min(m_current, int(m_profiles.size()) - 1);
    refreshList();
    select(m_current);
}

QList<ClusterProfile> ProfilesDialog::profiles() const
{
    return m_profiles;
}

QString ProfilesDialog::save()
{
    storeForm();
    if (!m_unreadProperties.isEmpty())
        return m_unreadProperties.first().why;
    // A password in the URI or the properties would be written as it stands.
    for (const ClusterProfile &p : std::as_const(m_profiles)) {
        const bool inUri = p.kind == ClusterKind::RabbitMq && !QUrl(p.amqpUri).password().isEmpty();
        const bool inProperties = p.properties.contains(u"sasl.password"_s)
            || p.properties.contains(u"ssl.key.password"_s);
        if (inUri || inProperties)
            return u"%1: the %2 holds a password; take it out and choose where it comes from "
                   "(keychain, environment variable, or a prompt)"_s.arg(
                       p.name, inUri ? u"AMQP URI"_s : u"properties"_s);
    }
    const ProfileFileResult checked
        = ProfileFile::parse(ProfileFile::serialize(m_profiles), m_path);
    if (!checked.ok()) {
        ProfileError error = *checked.error;
        error.line = error.column = 0; // the file is not written yet
        return error.describe();
    }
    for (auto it = m_typedPasswords.cbegin(); it != m_typedPasswords.cend(); ++it) {
        const Result<bool> stored = SecretResolver::storeInKeychain(
            SecretResolver::keychainKey(it.key(), SecretResolver::What::Password), it.value());
        if (!stored)
            return u"%1: %2 — nothing was saved"_s.arg(it.key(), stored.error().describe());
    }
    if (const auto error = ProfileFile::save(m_path, m_profiles))
        return error->describe();
    m_typedPasswords.clear();
    Q_EMIT saved(m_profiles, m_path);
    return {};
}

} // namespace veltrix
