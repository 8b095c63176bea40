#pragma once

#include <QWizardPage>

class QComboBox;
class QLabel;
class QRadioButton;

namespace teft::ui {

// Third wizard page: where training runs, with what the engine detects: automatic (a GPU when
// there is one), the CPU, or one of the CUDA GPUs, each with its name and free memory.
class DevicePage : public QWizardPage {
    Q_OBJECT
public:
    explicit DevicePage(QWidget* parent = nullptr);

    QString device() const; // "auto", "cpu" or "cuda:N"
    QRadioButton* autoButton() const { return m_auto; }
    QRadioButton* cpuButton() const { return m_cpu; }
    QRadioButton* gpuButton() const { return m_gpu; }
    QComboBox* gpuChoice() const { return m_gpuChoice; } // one entry per GPU, with its free memory
    QLabel* descriptionLabel() const { return m_description; }

private:
    QRadioButton* m_auto;
    QRadioButton* m_cpu;
    QRadioButton* m_gpu;
    QComboBox* m_gpuChoice;
    QLabel* m_description;
};

} // namespace teft::ui
