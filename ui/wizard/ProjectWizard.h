#pragma once

#include <QWizard>
#include <cstdint>

namespace teft {
class JobStore;
}

namespace teft::ui {

class DatasetPage;
class DevicePage;
class ModelPage;

// New project: model, data (the target and any reference datasets), device. On Finish the
// project and its datasets are saved in the job store (when one is given), the data page's
// counts in the project's folder (Project::dataSummaryFile), and projectCreated() is emitted.
class ProjectWizard : public QWizard {
    Q_OBJECT
public:
    explicit ProjectWizard(JobStore* store, QWidget* parent = nullptr);

    ModelPage* modelPage() const { return m_model; }
    DatasetPage* datasetPage() const { return m_dataset; }
    DevicePage* devicePage() const { return m_device; }
    std::int64_t createdProject() const { return m_created; }

    void accept() override;

Q_SIGNALS:
    void projectCreated(std::int64_t projectId);

private:
    JobStore* m_store;
    ModelPage* m_model;
    DatasetPage* m_dataset;
    DevicePage* m_device;
    std::int64_t m_created = 0;
};

} // namespace teft::ui
