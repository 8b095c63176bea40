// teft-studio: the desktop application. All logic lives in ui/ and core/.
#include "core/store/JobStore.h"
#include "core/util/Log.h"
#include "core/util/Paths.h"
#include "ui/PageFactory.h"
#include "ui/sample/SamplePages.h"
#include "ui/shell/AppContext.h"
#include "ui/shell/AppSettings.h"
#include "ui/shell/Appearance.h"
#include "ui/shell/LogSink.h"
#include "ui/shell/MainWindow.h"
#include "ui/shell/Screenshots.h"
#include "ui/shell/StudioApplication.h"
#include "ui/shell/Translations.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QMessageBox>
#include <cstdio>

int main(int argc, char** argv)
{
    teft::ui::StudioApplication app(argc, argv);
    QApplication::setOrganizationName("TEFT Studio");
    QApplication::setApplicationName("TEFT Studio");
    QApplication::setApplicationVersion(TEFT_VERSION);
    QApplication::setWindowIcon(QIcon(":/icons/teft-studio.svg"));

    QCommandLineParser parser;
    parser.setApplicationDescription("TEFT Studio - Targeted Expert Fine-Tuning for Mixture-of-Experts models");
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption screenshot("screenshot",
                                  "Render every page and dialog to PNG files in DIR, then exit. The pages show "
                                  "sample data (never shown otherwise) unless --no-sample is given.",
                                  "DIR");
    QCommandLineOption noSample("no-sample", "With --screenshot: render the pages as they are on this start (the "
                                             "current project, or the empty pages without one).");
    QCommandLineOption dataDir("data-dir", "Data directory (job store, logs, caches).", "DIR");
    QCommandLineOption language("lang", "User interface language (en, de, zh_CN).", "LANG");
    QCommandLineOption theme("theme", "Appearance: system, light or dark (default: the settings').", "THEME");
    parser.addOptions({screenshot, noSample, dataDir, language, theme});
    parser.process(app);

    const QString themeName = parser.isSet(theme) ? parser.value(theme) : teft::ui::AppSettings::theme();
    if (themeName != QLatin1String("system") && themeName != QLatin1String("light") &&
        themeName != QLatin1String("dark")) {
        std::fprintf(stderr, "teft-studio: --theme must be system, light or dark, not '%s'\n", qPrintable(themeName));
        return 2;
    }
    teft::ui::applyTheme(app, themeName);
    teft::ui::AppSettings::applyToEngine();
    if (parser.isSet(dataDir))
        teft::setDataDir(parser.value(dataDir).toStdString());
    teft::ui::installTranslations(app,
                                  parser.isSet(language) ? parser.value(language) : teft::ui::AppSettings::language());
    teft::log::init(teft::logDir(), parser.isSet(screenshot));
    teft::ui::LogBridge::install();

    std::unique_ptr<teft::JobStore> store;
    try {
        store = teft::JobStore::open(teft::JobStore::defaultPath());
    } catch (const std::exception& e) {
        const QString msg = QString::fromUtf8(e.what());
        std::fprintf(stderr, "teft-studio: %s\n", e.what());
        if (parser.isSet(screenshot))
            return 1;
        QMessageBox::critical(nullptr, QObject::tr("TEFT Studio"),
                              QObject::tr("The job store cannot be used:\n\n%1\n\nChoose another data directory "
                                          "with --data-dir or in the settings.")
                                  .arg(msg));
        return 1;
    }

    teft::ui::AppContext context(std::move(store));
    teft::ui::MainWindow window(&context);
    teft::ui::installPages(window);
    spdlog::info("TEFT Studio {} started; data directory {}", TEFT_VERSION, teft::dataDir().string());

    if (parser.isSet(screenshot)) {
        try {
            window.resize(1280, 800);
            if (!parser.isSet(noSample))
                teft::ui::showSampleData(window);
            const QStringList files = teft::ui::renderScreenshots(window, parser.value(screenshot));
            for (const auto& f : files)
                std::printf("%s\n", qPrintable(f));
            return 0;
        } catch (const std::exception& e) {
            std::fprintf(stderr, "teft-studio: %s\n", e.what());
            return 1;
        }
    }
    window.show();
    return app.exec();
}
