// The desktop shell offscreen: main window, pages, menus, settings/about dialogs, log dock fed
// from spdlog on another thread, recent projects, screenshots, translations.
#include "core/store/JobStore.h"
#include "core/util/Log.h"
#include "core/util/Paths.h"
#include "support/TestSupport.h"
#include "ui/PageFactory.h"
#include "ui/shell/AboutDialog.h"
#include "ui/shell/AppContext.h"
#include "ui/shell/AppSettings.h"
#include "ui/shell/LogDock.h"
#include "ui/shell/LogSink.h"
#include "ui/shell/MainWindow.h"
#include "ui/shell/Screenshots.h"
#include "ui/shell/SettingsDialog.h"
#include "ui/shell/StartPage.h"
#include "ui/shell/Translations.h"

#include <QApplication>
#include <QComboBox>
#include <QImage>
#include <QListWidget>
#include <QMenuBar>
#include <QSettings>
#include <QSpinBox>
#include <QTimer>
#include <QtTest>
#include <thread>

using namespace teft::ui;

class TestMainWindow : public QObject {
    Q_OBJECT
    std::filesystem::path m_dir;

    std::unique_ptr<AppContext> makeContext()
    {
        return std::make_unique<AppContext>(teft::JobStore::open(m_dir / "teft.db"));
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_dir = teft::test::freshDir("gui");
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
        teft::setDataDir(m_dir);
        teft::log::init(m_dir / "logs", false);
        LogBridge::install();
    }

    void mainWindowShowsStartPageAndMenus()
    {
        auto ctx = makeContext();
        MainWindow w(ctx.get());
        installPages(w);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(!w.pages().empty());
        QCOMPARE(w.currentPageId(), QString("start"));
        QStringList menus;
        for (QAction* a : w.menuBar()->actions())
            menus << a->text();
        QCOMPARE(menus, (QStringList{"&File", "&View", "&Tools", "&Help"}));
        QVERIFY(w.logDock() != nullptr);
    }

    void recentProjectsFollowTheStore()
    {
        auto ctx = makeContext();
        StartPage page(ctx.get());
        const int before = page.recentCount();
        // Written by another connection, as the CLI would.
        auto other = teft::JobStore::open(m_dir / "teft.db");
        other->createProject("written elsewhere", "/models/x");
        QTRY_COMPARE_WITH_TIMEOUT(page.recentCount(), before + 1, 5000);
        QSignalSpy activated(&page, &StartPage::projectActivated);
        auto* list = page.findChild<QListWidget*>("recentProjects");
        QVERIFY(list);
        Q_EMIT list->itemActivated(list->item(0));
        QCOMPARE(activated.count(), 1);
    }

    void logDockReceivesMessagesFromWorkerThreads()
    {
        auto ctx = makeContext();
        MainWindow w(ctx.get());
        const int before = w.logDock()->lineCount();
        std::thread worker([] { spdlog::info("hello from a worker thread"); });
        worker.join();
        QTRY_VERIFY_WITH_TIMEOUT(w.logDock()->lineCount() > before, 5000);
    }

    void settingsDialogStoresValues()
    {
        SettingsDialog dialog;
        dialog.show();
        auto* threads = dialog.findChild<QSpinBox*>();
        QVERIFY(threads);
        threads->setValue(1);
        dialog.accept();
        QCOMPARE(AppSettings::threads(), 1);
        AppSettings::setThreads(0);
    }

    void aboutDialogOpens()
    {
        AboutDialog dialog;
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QVERIFY(dialog.isVisible());
    }

    void dialogsOpenFromTheMenuAndClose()
    {
        auto ctx = makeContext();
        MainWindow w(ctx.get());
        installPages(w);
        w.show();
        // Close the modal dialog as soon as it is up.
        QTimer::singleShot(200, [] {
            for (QWidget* top : QApplication::topLevelWidgets())
                if (top->objectName() == "settingsDialog" && top->isVisible())
                    static_cast<QDialog*>(top)->reject();
        });
        w.openSettings();
        QTimer::singleShot(200, [] {
            for (QWidget* top : QApplication::topLevelWidgets())
                if (top->objectName() == "aboutDialog" && top->isVisible())
                    static_cast<QDialog*>(top)->reject();
        });
        w.openAbout();
    }

    void screenshotsAreWrittenAndNotBlank()
    {
        auto ctx = makeContext();
        MainWindow w(ctx.get());
        installPages(w);
        w.resize(1024, 700);
        const QString dir = QString::fromStdString((m_dir / "shots").string());
        const QStringList files = renderScreenshots(w, dir);
        QVERIFY(files.size() >= 3);
        for (const QString& f : files) {
            QImage img(f);
            QVERIFY2(!img.isNull(), qPrintable(f));
            // Not a single flat colour: something was drawn.
            QSet<QRgb> colours;
            for (int y = 0; y < img.height(); y += 7)
                for (int x = 0; x < img.width(); x += 7)
                    colours.insert(img.pixel(x, y));
            QVERIFY2(colours.size() > 3, qPrintable(f));
        }
    }

    void translationsAreEmbedded()
    {
        const QStringList langs = availableLanguages();
        QVERIFY2(langs.contains("de"), qPrintable(langs.join(',')));
        QVERIFY2(langs.contains("zh_CN"), qPrintable(langs.join(',')));
    }
};

QTEST_MAIN(TestMainWindow)
#include "test_mainwindow.moc"
