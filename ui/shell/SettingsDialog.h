#pragma once

#include <QDialog>

class QComboBox;
class QSpinBox;
class QLineEdit;

namespace teft::ui {

// Device, threads, data directory and language. Values are stored in AppSettings on accept.
class SettingsDialog : public QDialog {
    Q_OBJECT
public:
    explicit SettingsDialog(QWidget* parent = nullptr);
    void accept() override;

private:
    QComboBox* m_device = nullptr;
    QSpinBox* m_threads = nullptr;
    QLineEdit* m_dataDir = nullptr;
    QComboBox* m_theme = nullptr;
    QComboBox* m_language = nullptr;
};

} // namespace teft::ui
