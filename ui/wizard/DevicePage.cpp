#include "ui/wizard/DevicePage.h"

#include "core/util/CudaBackend.h"
#include "ui/shell/DeviceChoices.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QRadioButton>
#include <QVBoxLayout>

namespace teft::ui {

DevicePage::DevicePage(QWidget* parent) : QWizardPage(parent)
{
    setTitle(tr("Device"));
    setSubTitle(tr("Where expert identification and training run. The choice can be changed per job."));
    m_auto = new QRadioButton;
    m_cpu = new QRadioButton(tr("&CPU"));
    m_gpu = new QRadioButton(tr("&GPU (CUDA):"));
    m_gpuChoice = new QComboBox;
    m_description = new QLabel;
    m_description->setWordWrap(true);
    m_description->setTextInteractionFlags(Qt::TextSelectableByMouse);

    // Every device with its memory now (the CUDA module's free memory for each GPU).
    QStringList lines;
    for (const DeviceChoice& d : deviceChoices()) {
        if (d.id == QLatin1String("auto")) {
            m_auto->setText(d.label);
            continue;
        }
        if (d.isCuda)
            m_gpuChoice->addItem(d.label, d.id);
        lines << d.label;
    }
    const bool cuda = m_gpuChoice->count() > 0;
    m_gpu->setEnabled(cuda);
    m_gpuChoice->setEnabled(false);
    if (!cuda) {
        m_gpu->setToolTip(tr("No CUDA device found, or this build of the engine is CPU-only"));
        m_gpuChoice->addItem(tr("no GPU found"));
        lines << tr("GPU: none (%1)")
                     .arg(cudaBackend().loaded ? tr("the CUDA backend is loaded but sees no GPU")
                                               : QString::fromStdString(cudaBackend().message));
    }
    m_auto->setChecked(true);
    m_description->setText(lines.join(QLatin1Char('\n')));

    auto* gpuRow = new QHBoxLayout;
    gpuRow->addWidget(m_gpu);
    gpuRow->addWidget(m_gpuChoice, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_auto);
    layout->addWidget(m_cpu);
    layout->addLayout(gpuRow);
    layout->addSpacing(8);
    layout->addWidget(m_description);
    layout->addStretch(1);
    connect(m_gpu, &QRadioButton::toggled, this, [this](bool on) { m_gpuChoice->setEnabled(on); });
    registerField(QStringLiteral("useGpu"), m_gpu);
}

QString DevicePage::device() const
{
    if (m_gpu->isChecked() && m_gpuChoice->currentData().isValid())
        return m_gpuChoice->currentData().toString();
    return m_cpu->isChecked() ? QStringLiteral("cpu") : QStringLiteral("auto");
}

} // namespace teft::ui
