#pragma once

#include <QDialog>
#include <optional>

class QDialogButtonBox;
class QLabel;
class QListWidget;

namespace teft {
class JobStore;
}

namespace teft::ui {

// File → Open Project…: every project of the job store, most recently used first (name, model
// folder, last used in the user's locale); double-click or Open opens one.
class OpenProjectDialog : public QDialog {
    Q_OBJECT
public:
    explicit OpenProjectDialog(JobStore* store, QWidget* parent = nullptr);

    // The chosen project once accepted.
    std::optional<qint64> selectedProject() const;
    QListWidget* list() const { return m_list; }
    int projectCount() const;

private:
    QListWidget* m_list;
    QLabel* m_empty;
    QDialogButtonBox* m_buttons;
};

} // namespace teft::ui
