#pragma once

#include <QMainWindow>
#include <QString>
#include <vector>

class QListWidget;
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

public Q_SLOTS:
    void openSettings();
    void openAbout();
    void newProject();

Q_SIGNALS:
    // Pages that own a wizard or a project view connect to these.
    void newProjectRequested();
    void openProjectRequested(qint64 projectId);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildMenus();
    void refreshStatus();

    AppContext* m_context;
    QListWidget* m_nav = nullptr;
    QStackedWidget* m_stack = nullptr;
    LogDock* m_logDock = nullptr;
    QLabel* m_deviceLabel = nullptr;
    QLabel* m_dataLabel = nullptr;
    QLabel* m_projectLabel = nullptr;
    std::vector<Page> m_pages;
};

} // namespace teft::ui
