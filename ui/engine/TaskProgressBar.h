#pragma once

#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;

namespace teft::ui {

class BackgroundTask;

// A strip that follows one BackgroundTask: stage text, a progress bar (busy when the total is
// unknown) and a Cancel button; hidden while nothing runs. Shows the last outcome until the
// next start.
class TaskProgressBar : public QWidget {
    Q_OBJECT
public:
    explicit TaskProgressBar(BackgroundTask* task, QWidget* parent = nullptr);

    QProgressBar* bar() const { return m_bar; }
    QLabel* label() const { return m_label; }
    QPushButton* cancelButton() const { return m_cancel; }

private:
    BackgroundTask* m_task;
    QLabel* m_label;
    QProgressBar* m_bar;
    QPushButton* m_cancel;
};

} // namespace teft::ui
