#pragma once

#include <QHash>
#include <QWidget>
#include <cstdint>

class QLabel;
class QPushButton;
class QTableView;

namespace teft::ui {

class AppContext;
class JobsTableModel;

// Every job in the job store — including those started by `teft` on the command line —
// refreshed whenever the store changes: state, progress, output folder; resume an interrupted
// job, clone a job's settings.
class JobsPage : public QWidget {
    Q_OBJECT
public:
    explicit JobsPage(AppContext* context, QWidget* parent = nullptr);

    JobsTableModel* model() const { return m_model; }
    QTableView* table() const { return m_table; }
    QPushButton* resumeButton() const { return m_resume; }
    QPushButton* cloneButton() const { return m_clone; }
    QPushButton* openButton() const { return m_open; }

public Q_SLOTS:
    void reload();

    // Opens the selected job's output folder; a missing folder, or none to open it with, is
    // reported (status line and a message box) and returns false.
    bool openOutputFolder();
    QString statusText() const;

Q_SIGNALS:
    void resumeRequested(std::int64_t jobId);
    void cloneRequested(const QString& kind, const QString& configJson, std::int64_t jobId);

private:
    void updateButtons();
    int currentRow() const;

    AppContext* m_context;
    JobsTableModel* m_model;
    QTableView* m_table;
    QPushButton* m_open;
    QPushButton* m_resume;
    QPushButton* m_clone;
    QLabel* m_status;
    QHash<qint64, int> m_lastStates; // job id → JobStore::JobState at the last reload
    bool m_loaded = false;
};

} // namespace teft::ui
