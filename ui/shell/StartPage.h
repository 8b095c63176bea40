#pragma once

#include <QWidget>

class QListWidget;
class QLabel;
class QVBoxLayout;

namespace teft::ui {

class AppContext;

// The start page: what TEFT Studio does in three lines, New Project / Open the demo, and the
// recent projects from the job store (double-click to open).
class StartPage : public QWidget {
    Q_OBJECT
public:
    explicit StartPage(AppContext* context, QWidget* parent = nullptr);
    int recentCount() const;

    // A strip under the buttons (the demo's preparation progress).
    void addStatusWidget(QWidget* widget);

public Q_SLOTS:
    void refresh();

Q_SIGNALS:
    void newProjectRequested();
    void demoRequested();
    void projectActivated(qint64 projectId);

private:
    QVBoxLayout* m_layout = nullptr;
    int m_statusIndex = 0;
    AppContext* m_context;
    QListWidget* m_recent = nullptr;
    QLabel* m_empty = nullptr;
};

} // namespace teft::ui
