#pragma once

#include <QWizardPage>

class QLabel;
class QRadioButton;

namespace teft::ui {

// Third wizard page: where training runs, with what the engine detects (GPU name, memory).
class DevicePage : public QWizardPage {
    Q_OBJECT
public:
    explicit DevicePage(QWidget* parent = nullptr);

    QString device() const; // "cpu" or "cuda:0"
    QRadioButton* gpuButton() const { return m_gpu; }
    QLabel* descriptionLabel() const { return m_description; }

private:
    void describe();

    QRadioButton* m_cpu;
    QRadioButton* m_gpu;
    QLabel* m_description;
};

} // namespace teft::ui
