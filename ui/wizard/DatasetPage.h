#pragma once

#include "core/data/DatasetSpec.h"

#include <QWizardPage>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QTableView;

namespace teft::ui {

class DatasetPreviewModel;

// Second wizard page: the target data (files and folders), its format and text field, a
// preview of the first records with token counts under the model's tokenizer, and the
// held-out fraction used by validation.
class DatasetPage : public QWizardPage {
    Q_OBJECT
public:
    static constexpr int PreviewRecords = 20;

    explicit DatasetPage(QWidget* parent = nullptr);

    void initializePage() override;
    bool isComplete() const override;

    DatasetSpec spec() const;
    void addPath(const QString& path);
    DatasetPreviewModel* previewModel() const { return m_preview; }
    QComboBox* formatBox() const { return m_format; }
    QLineEdit* fieldEdit() const { return m_field; }
    QLabel* statusLabel() const { return m_status; }

public Q_SLOTS:
    void refreshPreview();

private:
    QListWidget* m_paths;
    QComboBox* m_format;
    QLineEdit* m_field;
    QDoubleSpinBox* m_heldOut;
    QTableView* m_table;
    DatasetPreviewModel* m_preview;
    QLabel* m_status;
};

} // namespace teft::ui
