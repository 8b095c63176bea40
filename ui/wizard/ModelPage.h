#pragma once

#include <QWizardPage>

class QFormLayout;
class QLabel;
class QLineEdit;
class QPushButton;

namespace teft::ui {

class BackgroundTask;
class TaskProgressBar;

// First wizard page: a project name and a model folder, validated by the engine
// (ModelConfig); shows family, layers, experts, top-k, parameters, dtype and size. The
// built-in demo model (the pretrained demo foundation model, core/demo/DemoModel) is built
// on request on a worker thread (progress and cancel; found in the cache after the first time).
class ModelPage : public QWizardPage {
    Q_OBJECT
public:
    explicit ModelPage(QWidget* parent = nullptr);

    bool isComplete() const override;
    QLineEdit* pathEdit() const { return m_path; }
    QLabel* errorLabel() const { return m_error; }
    BackgroundTask* demoTask() const { return m_demoTask; }
    QString info(const QString& key) const; // the value shown for "family", "layers", ...

public Q_SLOTS:
    void validateModel();
    void useDemoModel();
    void browse();

private:
    void setInfo(const QString& key, const QString& value);

    BackgroundTask* m_demoTask = nullptr;
    TaskProgressBar* m_demoStrip = nullptr;
    QLineEdit* m_name;
    QLineEdit* m_path;
    QLabel* m_error;
    QFormLayout* m_infoForm;
    QHash<QString, QLabel*> m_info;
    bool m_valid = false;
};

} // namespace teft::ui
