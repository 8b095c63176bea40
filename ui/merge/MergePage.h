#pragma once

#include "core/util/Progress.h"
#include "ui/merge/MergeComparisonModel.h"

#include <QWidget>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTableView;

namespace teft::ui {

// Reintegration: write the trained experts back into a full checkpoint, on a worker thread
// with progress and cancel, then compare in-domain and out-of-domain losses before and after.
class MergePage : public QWidget {
    Q_OBJECT
public:
    // Runs on the worker thread: writes the merged checkpoint into outputDir and returns the
    // comparison rows (loss before and after the merge per evaluation dataset), which replace
    // the table's rows. Reports progress and honours cancellation through the JobControl;
    // throws teft::Error on failure.
    using MergeFunction =
        std::function<std::vector<MergeComparisonModel::Row>(const QString& outputDir, JobControl& control)>;

    explicit MergePage(QWidget* parent = nullptr);
    ~MergePage() override;

    // Without a merge function (no project open) the Merge button is disabled.
    void setMergeFunction(MergeFunction fn);
    bool hasMergeFunction() const { return static_cast<bool>(m_merge); }
    // Example rows for screenshots; no merge function (nothing is merged without a project).
    void loadDemo();

    MergeComparisonModel* model() const { return m_model; }
    QLineEdit* outputEdit() const { return m_output; }
    QPushButton* mergeButton() const { return m_mergeButton; }
    QPushButton* cancelButton() const { return m_cancelButton; }
    QProgressBar* progressBar() const { return m_progress; }
    QLabel* statusLabel() const { return m_status; }
    bool isRunning() const { return m_running; }

public Q_SLOTS:
    void startMerge();
    void cancelMerge();

Q_SIGNALS:
    void mergeFinished(bool ok);

private:
    void onProgress(qint64 done, qint64 total, const QString& stage);
    void onDone(const std::vector<MergeComparisonModel::Row>& rows, const QString& error, bool cancelled);
    void updateMergeButton();
    void join();

    MergeFunction m_merge;
    MergeComparisonModel* m_model;
    QLineEdit* m_output;
    QPushButton* m_mergeButton;
    QPushButton* m_cancelButton;
    QProgressBar* m_progress;
    QLabel* m_status;
    QTableView* m_table;
    std::thread m_thread;
    std::unique_ptr<JobControl> m_control;
    bool m_running = false;
};

} // namespace teft::ui
