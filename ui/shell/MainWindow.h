#pragma once

#include <QMainWindow>
#include <QString>
#include <QStringList>
#include <functional>
#include <vector>

class QListWidget;
class QMenu;
class QStackedWidget;
class QLabel;

namespace teft::ui {

class AppContext;
class LogDock;

// The main window: a navigation list of pages on the left, the page stack in the middle, the
// log dock at the bottom, menus and a status bar. Pages are added by installPages()
// (ui/PageFactory.cpp); the window itself knows no page beyond the start page.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(AppContext* context, QWidget* parent = nullptr);

    struct Page {
        QString id;
        QString title;
        QWidget* widget;
    };
    void addPage(const QString& id, const QString& title, QWidget* widget);
    const std::vector<Page>& pages() const { return m_pages; }
    bool showPage(const QString& id);
    QString currentPageId() const;
    AppContext* context() const { return m_context; }
    LogDock* logDock() const { return m_logDock; }

    // Work that quitting would stop: each source describes what runs now ("" when idle). The
    // window asks before it closes while any is busy (ui/shell/Confirm.h).
    using BusySource = std::function<QString()>;
    void addBusySource(BusySource source);
    QStringList runningWork() const;
    // Before the open project changes (open, create, close, Open Recent) while work runs: asks
    // (ui/shell/Confirm.h) and returns false when the user declines. True when nothing runs.
    bool confirmProjectSwitch();
    QMenu* recentProjectsMenu() const { return m_recentMenu; }

public Q_SLOTS:
    void openSettings();
    void openAbout();
    void newProject();
    // File → Open Project…: the job store's projects; the chosen one is opened
    // (openProjectRequested).
    void openProjectDialog();
    void closeProject();
    // Opens project `id` (openProjectRequested), asking first while work runs.
    void openProject(qint64 id);
    // Help → TEFT Studio Guide.
    void openGuide();
    // A message in the status bar (AppContext::notify lands here).
    void notify(const QString& message);

Q_SIGNALS:
    // Pages that own a wizard or a project view connect to these.
    void newProjectRequested();
    void openProjectRequested(qint64 projectId);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildMenus();
    void refreshStatus();
    void fillRecentProjects();

    AppContext* m_context;
    QListWidget* m_nav = nullptr;
    QStackedWidget* m_stack = nullptr;
    LogDock* m_logDock = nullptr;
    QLabel* m_deviceLabel = nullptr;
    QLabel* m_dataLabel = nullptr;
    QLabel* m_projectLabel = nullptr;
    std::vector<Page> m_pages;
    std::vector<BusySource> m_busySources;
    QMenu* m_recentMenu = nullptr;
};

} // namespace teft::ui
