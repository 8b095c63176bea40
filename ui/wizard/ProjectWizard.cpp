#include "ui/wizard/ProjectWizard.h"

#include "core/project/Project.h"
#include "core/store/JobStore.h"
#include "ui/wizard/DatasetPage.h"
#include "ui/wizard/DevicePage.h"
#include "ui/wizard/ModelPage.h"

#include <QMessageBox>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace teft::ui {

ProjectWizard::ProjectWizard(JobStore* store, QWidget* parent) : QWizard(parent), m_store(store)
{
    setWindowTitle(tr("New TEFT project"));
    setWizardStyle(QWizard::ModernStyle);
    setOption(QWizard::NoBackButtonOnStartPage);
    m_model = new ModelPage;
    m_dataset = new DatasetPage;
    m_device = new DevicePage;
    addPage(m_model);
    addPage(m_dataset);
    addPage(m_device);
    resize(980, 760);
}

void ProjectWizard::accept()
{
    if (m_store) {
        try {
            const DatasetSpec spec = m_dataset->spec();
            nlohmann::json settings;
            settings["device"] = m_device->device().toStdString();
            settings["held_out_fraction"] = field(QStringLiteral("heldOut")).toDouble();
            nlohmann::json data;
            data["paths"] = nlohmann::json::array();
            for (const auto& p : spec.paths)
                data["paths"].push_back(p.string());
            data["format"] = toString(spec.format);
            data["field"] = spec.field;
            data["column"] = spec.column;
            data["held_out_fraction"] = settings["held_out_fraction"];
            m_created = m_store->createProject(field(QStringLiteral("projectName")).toString().toStdString(),
                                               field(QStringLiteral("modelPath")).toString().toStdString(),
                                               settings.dump());
            m_store->addDataset(m_created, "target", data.dump());
            for (const DatasetSpec& reference : m_dataset->referenceSpecs())
                m_store->addDataset(m_created, "reference", toJson(reference).dump());
            // What the page counted is kept with the project (the Experts page's token budget
            // shows the target's tokens from it); counted again by identification otherwise.
            if (const auto summary = m_dataset->projectSummary()) {
                Project project;
                project.id = m_created;
                try {
                    summary->save(project.dataSummaryFile());
                } catch (const std::exception& e) {
                    spdlog::warn("The data summary of project {} was not saved: {}", m_created, e.what());
                }
            }
        } catch (const std::exception& e) {
            QMessageBox::warning(
                this, tr("Cannot save the project"),
                tr("%1\n\nCheck the data directory in the settings.").arg(QString::fromUtf8(e.what())));
            return;
        }
        Q_EMIT projectCreated(m_created);
    }
    QWizard::accept();
}

} // namespace teft::ui
