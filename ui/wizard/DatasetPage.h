#pragma once

#include "core/data/DatasetSpec.h"
#include "core/project/Datasets.h"

#include <QStringList>
#include <QWizardPage>
#include <optional>
#include <vector>

class QComboBox;
class QDoubleSpinBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QTableView;
class QTableWidget;

namespace teft::ui {

class BackgroundTask;
class DatasetPreviewModel;

// Second wizard page: the project's data. The target (the text the experts should get better
// at) and any number of reference datasets (general text: the contrast metrics compare with
// them, a merge reports each as out-of-domain), each with its files and folders, format and
// text field. A table lists every dataset with its records, tokens (under the model's
// tokenizer, read as the project will read them) and the problems found (bad lines and
// skipped records, from the engine's reader), counted on a worker thread whenever a dataset
// changes; below it the selected dataset is edited and its first records previewed. The page
// is complete when every dataset has usable records and none was found unusable.
class DatasetPage : public QWizardPage {
    Q_OBJECT
public:
    static constexpr int PreviewRecords = 20;
    enum SummaryColumn { NameColumn, FilesColumn, RecordsColumn, TokensColumn, ProblemsColumn, SummaryColumns };

    explicit DatasetPage(QWidget* parent = nullptr);

    void initializePage() override;
    bool isComplete() const override;

    // The target's spec, the references' specs (in order), the spec of dataset `index`
    // (0 the target, k the k-th reference).
    DatasetSpec spec() const { return specAt(0); }
    std::vector<DatasetSpec> referenceSpecs() const;
    DatasetSpec specAt(int index) const;
    int datasetCount() const { return static_cast<int>(m_entries.size()); }

    // Adds a path to the selected dataset.
    void addPath(const QString& path);
    // Adds an empty reference dataset, selects it and returns its index (1-based).
    int addReference();
    // Removes reference `index` (1-based; the target stays).
    void removeReference(int index);
    // Selects the dataset the editor and the preview show (0 the target).
    void setCurrentDataset(int index);
    int currentDataset() const { return m_current; }

    // The summaries of the last finished count, one per dataset (nullopt while it is counted).
    const std::vector<std::optional<DatasetSummary>>& summaries() const { return m_summaries; }
    // True when every dataset's summary is known (the count finished for the current data).
    bool isCounted() const;
    // The summaries as the project keeps them (Project::dataSummaryFile); nullopt unless counted.
    std::optional<ProjectDataSummary> projectSummary() const;
    BackgroundTask* countTask() const { return m_countTask; }

    DatasetPreviewModel* previewModel() const { return m_preview; }
    QComboBox* formatBox() const { return m_format; }
    QLineEdit* fieldEdit() const { return m_field; }
    QLabel* statusLabel() const { return m_status; }
    QTableWidget* summaryTable() const { return m_summary; }
    QPushButton* addReferenceButton() const { return m_addReference; }
    QPushButton* removeReferenceButton() const { return m_removeReference; }

public Q_SLOTS:
    // Re-reads the selected dataset's first records, then counts every dataset again.
    void refreshPreview();
    // Counts every dataset again on the worker (the running count is cancelled first).
    void recount();

private:
    struct Entry {
        QStringList paths;
        int format = 0; // index in the format box
        QString field;
        bool usable = false; // its first records were read
    };

    void storeCurrent();
    void loadCurrent();
    void previewCurrent();
    void updateSummaryTable();
    QString datasetTitle(int index) const;
    static DatasetSpec specOf(const Entry& entry);

    std::vector<Entry> m_entries;
    int m_current = 0;
    std::vector<std::optional<DatasetSummary>> m_summaries;
    std::vector<QString> m_previewNotes; // per dataset: what its preview found
    std::uint64_t m_generation = 0;      // of the data; a count of an older one is dropped
    bool m_recountPending = false;
    QString m_countNote; // why the last count ended without totals (stopped, failed)
    BackgroundTask* m_countTask;

    QTableWidget* m_summary;
    QPushButton* m_addReference;
    QPushButton* m_removeReference;
    QGroupBox* m_editor;
    QListWidget* m_paths;
    QComboBox* m_format;
    QLineEdit* m_field;
    QDoubleSpinBox* m_heldOut;
    QTableView* m_table;
    DatasetPreviewModel* m_preview;
    QLabel* m_status;
};

} // namespace teft::ui
