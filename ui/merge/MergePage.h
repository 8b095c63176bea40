#pragma once

#include "core/util/Error.h"
#include "ui/merge/MergeComparisonModel.h"

#include <QWidget>
#include <vector>

class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTableView;

namespace teft::ui {

// Reintegration: write the trained experts back into a full checkpoint, then compare in-domain
// and out-of-domain losses before and after. The page only asks (mergeRequested) and shows: the
// merge runs in ui/engine/MergeController on a BackgroundTask, which reports its progress and
// end here.
class MergePage : public QWidget {
    Q_OBJECT
public:
    enum class Outcome { Succeeded, Failed, Cancelled };

    explicit MergePage(QWidget* parent = nullptr);

    // Whether Merge can be pressed; `reason` (the tooltip) says why not.
    void setMergeAvailable(bool available, const QString& reason = {});
    bool isMergeAvailable() const { return m_available; }
    void setOutputDir(const QString& dir);
    QString outputDir() const;
    // The comparison rows (losses unknown before a merge: NaN).
    void setRows(std::vector<MergeComparisonModel::Row> rows);
    void setStatus(const QString& text);

    // The engine's side: a merge into `outputDir` started, progressed, ended. The end shows the
    // outcome (a failure also in a message box, with the advice for its kind) and emits
    // mergeFinished().
    void showStarted(const QString& outputDir);
    void showProgress(qint64 done, qint64 total, const QString& stage);
    void showFinished(Outcome outcome, const QString& message = {}, ErrorKind kind = ErrorKind::General);
    bool isRunning() const { return m_running; }

    MergeComparisonModel* model() const { return m_model; }
    QPushButton* mergeButton() const { return m_mergeButton; }
    QPushButton* cancelButton() const { return m_cancelButton; }
    QProgressBar* progressBar() const { return m_progress; }
    QLabel* statusLabel() const { return m_status; }

public Q_SLOTS:
    // What Merge and Cancel do: ask for the merge into the output folder (refused with a hint
    // without one) and for the running one to stop.
    void requestMerge();
    void requestCancel();

Q_SIGNALS:
    void mergeRequested(const QString& outputDir);
    void cancelRequested();
    void mergeFinished(bool ok);

private:
    void updateMergeButton();

    MergeComparisonModel* m_model;
    QLineEdit* m_output;
    QPushButton* m_mergeButton;
    QPushButton* m_cancelButton;
    QProgressBar* m_progress;
    QLabel* m_status;
    QTableView* m_table;
    bool m_available = false;
    QString m_unavailableReason;
    bool m_running = false;
};

} // namespace teft::ui
