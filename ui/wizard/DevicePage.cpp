#include "ui/wizard/DevicePage.h"

#include "core/util/Runtime.h"

#include <QLabel>
#include <QLocale>
#include <QRadioButton>
#include <QVBoxLayout>

namespace teft::ui {

DevicePage::DevicePage(QWidget* parent) : QWizardPage(parent)
{
    setTitle(tr("Device"));
    setSubTitle(tr("Where expert identification and training run. The choice can be changed per job."));
    m_cpu = new QRadioButton(tr("&CPU"));
    m_gpu = new QRadioButton(tr("&GPU (CUDA)"));
    m_description = new QLabel;
    m_description->setWordWrap(true);
    m_description->setTextInteractionFlags(Qt::TextSelectableByMouse);
    const bool cuda = cudaAvailable();
    m_gpu->setEnabled(cuda);
    if (!cuda)
        m_gpu->setToolTip(tr("No CUDA device found, or this build of the engine is CPU-only"));
    (cuda ? m_gpu : m_cpu)->setChecked(true);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_cpu);
    layout->addWidget(m_gpu);
    layout->addSpacing(8);
    layout->addWidget(m_description);
    layout->addStretch(1);
    connect(m_cpu, &QRadioButton::toggled, this, &DevicePage::describe);
    registerField(QStringLiteral("useGpu"), m_gpu);
    describe();
}

QString DevicePage::device() const { return m_gpu->isChecked() ? QStringLiteral("cuda:0") : QStringLiteral("cpu"); }

void DevicePage::describe()
{
    try {
        const DeviceInfo info = describeDevice(device().toStdString());
        QString text = tr("%1: %2").arg(QString::fromStdString(info.name), QString::fromStdString(info.description));
        if (info.memoryTotal > 0)
            text += QLatin1Char('\n') + tr("Memory: %1 total, %2 free")
                                            .arg(QLocale().formattedDataSize(info.memoryTotal),
                                                 QLocale().formattedDataSize(info.memoryFree));
        m_description->setText(text);
    } catch (const std::exception& e) {
        m_description->setText(QString::fromUtf8(e.what()));
    }
}

} // namespace teft::ui
