#include "ui/shell/SettingsDialog.h"

#include "core/util/Paths.h"
#include "core/util/Runtime.h"
#include "ui/shell/AppSettings.h"
#include "ui/shell/Appearance.h"
#include "ui/shell/DeviceChoices.h"

#include <QApplication>

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>
#include <QThread>

namespace teft::ui {

SettingsDialog::SettingsDialog(QWidget* parent) : QDialog(parent)
{
    setObjectName("settingsDialog");
    setWindowTitle(tr("Settings"));
    auto* form = new QFormLayout();

    m_device = new QComboBox(this);
    for (const DeviceChoice& d : deviceChoices()) // auto, the CPU and each GPU, with their free memory
        m_device->addItem(d.label, d.id);
    m_device->setCurrentIndex(std::max(0, m_device->findData(AppSettings::device())));
    form->addRow(tr("Compute device:"), m_device);

    m_threads = new QSpinBox(this);
    m_threads->setRange(0, 1024);
    m_threads->setSpecialValueText(tr("All cores (%1)").arg(QThread::idealThreadCount()));
    m_threads->setValue(AppSettings::threads());
    form->addRow(tr("CPU threads:"), m_threads);

    auto* dirRow = new QHBoxLayout();
    m_dataDir = new QLineEdit(AppSettings::dataDir(), this);
    m_dataDir->setPlaceholderText(QString::fromStdString(teft::defaultDataDir().string()));
    auto* browse = new QPushButton(tr("Browse…"), this);
    dirRow->addWidget(m_dataDir);
    dirRow->addWidget(browse);
    form->addRow(tr("Data directory:"), dirRow);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Choose the data directory"), m_dataDir->text());
        if (!dir.isEmpty())
            m_dataDir->setText(dir);
    });

    m_language = new QComboBox(this);
    m_language->addItem(tr("System language"), "");
    m_language->addItem(QStringLiteral("English"), "en");
    m_language->addItem(QStringLiteral("Deutsch"), "de");
    m_language->addItem(QStringLiteral("简体中文"), "zh_CN");
    m_language->setCurrentIndex(std::max(0, m_language->findData(AppSettings::language())));
    form->addRow(tr("Language:"), m_language);
    m_theme = new QComboBox(this);
    m_theme->setObjectName("themeBox");
    m_theme->addItem(tr("System"), "system");
    m_theme->addItem(tr("Light"), "light");
    m_theme->addItem(tr("Dark"), "dark");
    m_theme->setCurrentIndex(std::max(0, m_theme->findData(AppSettings::theme())));
    form->addRow(tr("Appearance:"), m_theme);
    auto* note = new QLabel(tr("A new data directory or language takes effect after a restart."), this);
    note->setWordWrap(true);
    form->addRow(note);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(buttons);
}

void SettingsDialog::accept()
{
    const QString dir = m_dataDir->text().trimmed();
    if (!dir.isEmpty()) {
        QFileInfo info(dir);
        if (info.exists() && !info.isDir()) {
            QMessageBox::warning(this, tr("Settings"), tr("%1 is a file, not a directory.").arg(dir));
            return;
        }
    }
    AppSettings::setDevice(m_device->currentData().toString());
    AppSettings::setThreads(m_threads->value());
    AppSettings::setDataDir(dir);
    AppSettings::setLanguage(m_language->currentData().toString());
    const QString theme = m_theme->currentData().toString();
    if (theme != AppSettings::theme()) {
        AppSettings::setTheme(theme);
        if (auto* app = qobject_cast<QApplication*>(QCoreApplication::instance()))
            applyTheme(*app, theme); // "system" takes effect after a restart
    }
    QDialog::accept();
}

} // namespace teft::ui
