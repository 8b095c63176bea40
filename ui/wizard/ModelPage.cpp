#include "ui/wizard/ModelPage.h"

#include "ui/engine/BackgroundTask.h"
#include "ui/engine/TaskProgressBar.h"
#include "core/demo/DemoModel.h"
#include "core/model/ModelConfig.h"
#include "core/util/Error.h"
#include "core/util/Paths.h"

#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QVBoxLayout>
#include <filesystem>

namespace teft::ui {

ModelPage::ModelPage(QWidget* parent) : QWizardPage(parent)
{
    setTitle(tr("Model"));
    setSubTitle(tr("Choose a Mixture-of-Experts checkpoint folder (config.json, safetensors, tokenizer.json)."));

    m_name = new QLineEdit(tr("My TEFT project"));
    m_path = new QLineEdit;
    m_path->setPlaceholderText(tr("Folder with config.json and *.safetensors"));
    auto* browse = new QPushButton(tr("&Browse…"));
    auto* demo = new QPushButton(tr("Use the &demo model"));
    demo->setToolTip(tr("The built-in demo foundation model: a small Qwen3-MoE pretrained on the demo corpus "
                        "(built once in the data directory, a few minutes on two cores; no download)"));
    auto* pathRow = new QHBoxLayout;
    pathRow->addWidget(m_path, 1);
    pathRow->addWidget(browse);
    pathRow->addWidget(demo);

    m_demoTask = new BackgroundTask(this);
    m_demoStrip = new TaskProgressBar(m_demoTask, this);
    connect(m_demoTask, &BackgroundTask::failed, this, [this](const QString& message) {
        m_error->setText(tr("Cannot build the demo model: %1").arg(message));
        m_error->setVisible(true);
    });
    connect(m_demoTask, &BackgroundTask::finished, this, &QWizardPage::completeChanged);

    m_error = new QLabel;
    m_error->setWordWrap(true);
    QPalette warn = m_error->palette();
    warn.setColor(QPalette::WindowText, QColor(190, 40, 40));
    m_error->setPalette(warn);
    m_error->setVisible(false);

    auto* infoBox = new QGroupBox(tr("Model"));
    m_infoForm = new QFormLayout(infoBox);
    const std::pair<const char*, QString> rows[] = {
        {"family", tr("Family:")},          {"layers", tr("Layers:")},     {"experts", tr("Experts per layer:")},
        {"topk", tr("Experts per token:")}, {"params", tr("Parameters:")}, {"dtype", tr("Data type:")},
        {"size", tr("Size on disk:")},      {"expert", tr("One expert:")}};
    for (const auto& [key, label] : rows) {
        auto* value = new QLabel(QStringLiteral("–"));
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        m_info.insert(QString::fromLatin1(key), value);
        m_infoForm->addRow(label, value);
    }

    auto* form = new QFormLayout;
    form->addRow(tr("Project name:"), m_name);
    form->addRow(tr("Model folder:"), pathRow);
    form->addRow(QString(), m_demoStrip);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(infoBox);
    layout->addStretch(1);

    // Not a mandatory field ("*"): QWizard treats a field still at its initial value as empty.
    registerField(QStringLiteral("projectName"), m_name);
    registerField(QStringLiteral("modelPath*"), m_path);
    connect(m_name, &QLineEdit::textChanged, this, &QWizardPage::completeChanged);
    connect(m_path, &QLineEdit::editingFinished, this, &ModelPage::validateModel);
    connect(m_path, &QLineEdit::textChanged, this, [this] {
        if (m_valid) {
            m_valid = false;
            Q_EMIT completeChanged();
        }
    });
    connect(browse, &QPushButton::clicked, this, &ModelPage::browse);
    connect(demo, &QPushButton::clicked, this, &ModelPage::useDemoModel);
}

bool ModelPage::isComplete() const
{
    return m_valid && !m_demoTask->isRunning() && !m_name->text().trimmed().isEmpty() && QWizardPage::isComplete();
}

QString ModelPage::info(const QString& key) const
{
    const QLabel* l = m_info.value(key);
    return l ? l->text() : QString();
}

void ModelPage::setInfo(const QString& key, const QString& value)
{
    if (QLabel* l = m_info.value(key))
        l->setText(value);
}

void ModelPage::browse()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Choose the model folder"), m_path->text());
    if (dir.isEmpty())
        return;
    m_path->setText(dir);
    validateModel();
}

void ModelPage::useDemoModel()
{
    if (m_demoTask->isRunning())
        return;
    m_error->setVisible(false);
    m_demoTask->start([this](JobControl& control) -> BackgroundTask::Continuation {
        const DemoModelInfo info = ensureDemoModel(DemoModelSettings{}, control);
        return [this, dir = info.dir] {
            m_path->setText(QString::fromStdString(dir.string()));
            validateModel();
        };
    });
}

void ModelPage::validateModel()
{
    const QString path = m_path->text().trimmed();
    m_valid = false;
    for (QLabel* l : std::as_const(m_info))
        l->setText(QStringLiteral("–"));
    if (path.isEmpty()) {
        m_error->setVisible(false);
        Q_EMIT completeChanged();
        return;
    }
    try {
        const ModelConfig cfg = ModelConfig::load(path.toStdString());
        const QLocale loc;
        std::int64_t bytes = 0;
        const QFileInfoList files = QDir(path).entryInfoList({QStringLiteral("*.safetensors")}, QDir::Files);
        for (const QFileInfo& f : files)
            bytes += f.size();
        if (files.isEmpty())
            throw Error(tr("%1 has a config.json but no *.safetensors weights.").arg(path).toStdString());
        setInfo(QStringLiteral("family"), QString::fromStdString(cfg.familyName()));
        setInfo(QStringLiteral("layers"), tr("%1 (%2 with experts)").arg(cfg.numLayers).arg(cfg.moeLayers().size()));
        setInfo(QStringLiteral("experts"), QString::number(cfg.numExperts));
        setInfo(QStringLiteral("topk"), QString::number(cfg.topK));
        setInfo(QStringLiteral("params"), tr("%1 total, %2 active per token")
                                              .arg(loc.toString(static_cast<qlonglong>(cfg.paramsTotal())),
                                                   loc.toString(static_cast<qlonglong>(cfg.paramsActive()))));
        setInfo(QStringLiteral("dtype"), QString::fromStdString(cfg.dtype));
        setInfo(QStringLiteral("size"),
                tr("%1 in %n file(s)", nullptr, static_cast<int>(files.size())).arg(loc.formattedDataSize(bytes)));
        setInfo(QStringLiteral("expert"), tr("%1 parameters, %2")
                                              .arg(loc.toString(static_cast<qlonglong>(cfg.paramsPerExpert())),
                                                   loc.formattedDataSize(cfg.bytesPerExpert())));
        m_valid = true;
        m_error->setVisible(false);
    } catch (const std::exception& e) {
        m_error->setText(QString::fromUtf8(e.what()));
        m_error->setVisible(true);
    }
    Q_EMIT completeChanged();
}

} // namespace teft::ui
