#include "ui/shell/MainWindow.h"

#include "core/store/JobStore.h"
#include "core/util/Paths.h"
#include "core/util/Runtime.h"
#include "ui/shell/AboutDialog.h"
#include "ui/shell/AppContext.h"
#include "ui/shell/AppSettings.h"
#include "ui/shell/Confirm.h"
#include "ui/shell/DeviceChoices.h"
#include "ui/shell/GuideDialog.h"
#include "ui/shell/OpenProjectDialog.h"
#include "ui/shell/LogDock.h"
#include "ui/shell/SettingsDialog.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <spdlog/spdlog.h>

namespace teft::ui {

MainWindow::MainWindow(AppContext* context, QWidget* parent) : QMainWindow(parent), m_context(context)
{
    setObjectName("mainWindow");
    setWindowTitle(tr("TEFT Studio"));
    setWindowIcon(QIcon(":/icons/teft-studio.svg"));
    resize(1280, 800);

    auto* splitter = new QSplitter(this);
    m_nav = new QListWidget(splitter);
    m_nav->setObjectName("navigation");
    m_nav->setMaximumWidth(220);
    m_nav->setMinimumWidth(150);
    m_stack = new QStackedWidget(splitter);
    splitter->addWidget(m_nav);
    splitter->addWidget(m_stack);
    splitter->setStretchFactor(1, 1);
    setCentralWidget(splitter);
    connect(m_nav, &QListWidget::currentRowChanged, m_stack, &QStackedWidget::setCurrentIndex);

    m_logDock = new LogDock(this);
    addDockWidget(Qt::BottomDockWidgetArea, m_logDock);

    m_projectLabel = new QLabel(statusBar());
    m_deviceLabel = new QLabel(statusBar());
    m_dataLabel = new QLabel(statusBar());
    statusBar()->addPermanentWidget(m_projectLabel);
    statusBar()->addPermanentWidget(m_deviceLabel);
    statusBar()->addPermanentWidget(m_dataLabel);
    refreshStatus();
    if (m_context) {
        connect(m_context, &AppContext::currentProjectChanged, this, &MainWindow::refreshStatus);
        connect(m_context, &AppContext::notification, this, &MainWindow::notify);
    }

    buildMenus();
    if (!restoreGeometry(AppSettings::windowGeometry()) | !restoreState(AppSettings::windowState()))
        resizeDocks({m_logDock}, {160}, Qt::Vertical);
}

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* newProject = file->addAction(tr("&New Project…"), this, &MainWindow::newProject);
    newProject->setShortcut(QKeySequence::New);
    QAction* openProject = file->addAction(tr("&Open Project…"), this, &MainWindow::openProjectDialog);
    openProject->setShortcut(QKeySequence::Open);
    m_recentMenu = file->addMenu(tr("&Recent Projects"));
    m_recentMenu->setObjectName("recentProjectsMenu");
    connect(m_recentMenu, &QMenu::aboutToShow, this, &MainWindow::fillRecentProjects);
    fillRecentProjects();
    file->addAction(tr("&Close Project"), this, &MainWindow::closeProject);
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->setObjectName("viewMenu");
    view->addAction(m_logDock->toggleViewAction());
    m_logDock->toggleViewAction()->setShortcut(QKeySequence(tr("Ctrl+L")));

    QMenu* tools = menuBar()->addMenu(tr("&Tools"));
    QAction* settings = tools->addAction(tr("&Settings…"), this, &MainWindow::openSettings);
    settings->setShortcut(QKeySequence::Preferences);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    QAction* guide = help->addAction(tr("TEFT Studio &Guide"), this, &MainWindow::openGuide);
    guide->setShortcut(QKeySequence::HelpContents);
    help->addAction(tr("&About TEFT Studio"), this, &MainWindow::openAbout);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::addPage(const QString& id, const QString& title, QWidget* widget)
{
    widget->setObjectName(id);
    m_pages.push_back({id, title, widget});
    m_stack->addWidget(widget);
    m_nav->addItem(title);
    const int index = static_cast<int>(m_pages.size());
    if (index <= 9) {
        // Alt+1..9 jumps to a page.
        auto* jump = new QAction(this);
        jump->setShortcut(QKeySequence(Qt::ALT | Qt::Key(Qt::Key_0 + index)));
        connect(jump, &QAction::triggered, this, [this, id] { showPage(id); });
        addAction(jump);
    }
    if (m_nav->currentRow() < 0)
        m_nav->setCurrentRow(0);
}

bool MainWindow::showPage(const QString& id)
{
    for (std::size_t i = 0; i < m_pages.size(); ++i)
        if (m_pages[i].id == id) {
            m_nav->setCurrentRow(static_cast<int>(i));
            return true;
        }
    return false;
}

QString MainWindow::currentPageId() const
{
    const int row = m_nav->currentRow();
    return row >= 0 && row < static_cast<int>(m_pages.size()) ? m_pages[static_cast<std::size_t>(row)].id : QString();
}

void MainWindow::openSettings()
{
    SettingsDialog dialog(this);
    if (dialog.exec() == QDialog::Accepted) {
        AppSettings::applyToEngine();
        refreshStatus();
    }
}

void MainWindow::openAbout()
{
    AboutDialog dialog(this);
    dialog.exec();
}

void MainWindow::newProject()
{
    if (confirmProjectSwitch())
        Q_EMIT newProjectRequested();
}

void MainWindow::openProject(qint64 id)
{
    const bool same = m_context && m_context->currentProject() == std::optional<std::int64_t>(id);
    if (same || confirmProjectSwitch())
        Q_EMIT openProjectRequested(id);
}

bool MainWindow::confirmProjectSwitch()
{
    const QStringList work = runningWork();
    if (work.isEmpty())
        return true;
    const QString text = tr("This is still running:\n\n%1\n\nSwitching the project stops what belongs to the open "
                            "project; a stopped training run can be resumed later from the Jobs page. Switch anyway?")
                             .arg(QStringLiteral("• ") + work.join(QStringLiteral("\n• ")));
    return confirmAction(this, tr("Switch the project?"), text, tr("&Switch project"));
}

void MainWindow::openProjectDialog()
{
    OpenProjectDialog dialog(m_context ? m_context->store() : nullptr, this);
    if (dialog.exec() == QDialog::Accepted)
        if (const auto id = dialog.selectedProject())
            openProject(*id);
}

void MainWindow::closeProject()
{
    if (m_context && m_context->currentProject() && confirmProjectSwitch())
        m_context->setCurrentProject(std::nullopt);
}

void MainWindow::fillRecentProjects()
{
    m_recentMenu->clear();
    if (m_context && m_context->store()) {
        try {
            for (const auto& p : m_context->store()->recentProjects(10)) {
                const qint64 id = p.id;
                QAction* a = m_recentMenu->addAction(QString::fromStdString(p.name).replace('&', QLatin1String("&&")),
                                                     this, [this, id] { openProject(id); });
                a->setToolTip(QString::fromStdString(p.modelPath));
            }
        } catch (const std::exception& e) {
            spdlog::warn("recent projects: {}", e.what());
        }
    }
    if (m_recentMenu->isEmpty())
        m_recentMenu->addAction(tr("No projects yet"))->setEnabled(false);
}

void MainWindow::openGuide()
{
    auto* guide = findChild<GuideDialog*>();
    if (!guide) {
        guide = new GuideDialog(this);
        guide->setAttribute(Qt::WA_DeleteOnClose);
    }
    guide->show();
    guide->raise();
    guide->activateWindow();
}

void MainWindow::notify(const QString& message) { statusBar()->showMessage(message, 15000); }

void MainWindow::addBusySource(BusySource source) { m_busySources.push_back(std::move(source)); }

QStringList MainWindow::runningWork() const
{
    QStringList work;
    for (const auto& source : m_busySources)
        if (const QString what = source ? source() : QString(); !what.isEmpty())
            work << what;
    return work;
}

void MainWindow::refreshStatus()
{
    QString device;
    try {
        const auto info = teft::describeDevice(AppSettings::device().toStdString());
        device = tr("Device: %1 (%2)").arg(QString::fromStdString(info.name), deviceDescription(info));
    } catch (const std::exception& e) {
        device = tr("Device: %1").arg(QString::fromUtf8(e.what()));
    }
    m_deviceLabel->setText(device);
    m_dataLabel->setText(tr("Data: %1").arg(QString::fromStdString(teft::dataDir().string())));
    QString project = tr("No project open");
    QString title = tr("TEFT Studio");
    if (m_context && m_context->store() && m_context->currentProject()) {
        try {
            if (const auto p = m_context->store()->project(*m_context->currentProject())) {
                const QString name = QString::fromStdString(p->name);
                project = tr("Project: %1").arg(name);
                title = QStringLiteral("%1 — %2").arg(name, tr("TEFT Studio"));
            }
        } catch (const std::exception&) {
            // the status bar is no place for store errors; the pages report them
        }
    }
    m_projectLabel->setText(project);
    setWindowTitle(title);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (const QStringList work = runningWork(); !work.isEmpty()) {
        const QString text = tr("This is still running and stops when TEFT Studio quits:\n\n%1\n\nA stopped "
                                "training run can be resumed later from the Jobs page. Quit anyway?")
                                 .arg(QStringLiteral("• ") + work.join(QStringLiteral("\n• ")));
        if (!confirmAction(this, tr("Quit TEFT Studio?"), text, tr("&Quit"))) {
            event->ignore();
            return;
        }
    }
    AppSettings::setWindowGeometry(saveGeometry());
    AppSettings::setWindowState(saveState());
    QMainWindow::closeEvent(event);
}

} // namespace teft::ui
