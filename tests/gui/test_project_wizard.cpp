// The new-project wizard driven with the built-in demo model: model validation, dataset
// preview with token counts, device, and the project saved in the job store.
#include "support/TestSupport.h"

#include "core/demo/DemoModel.h"
#include "core/model/CheckpointGenerator.h"
#include "core/store/JobStore.h"
#include "ui/engine/BackgroundTask.h"
#include "core/text/Tokenizer.h"
#include "core/util/Paths.h"
#include "ui/wizard/DatasetPage.h"
#include "ui/wizard/DatasetPreviewModel.h"
#include "ui/wizard/DevicePage.h"
#include "ui/wizard/ModelPage.h"
#include "ui/wizard/ProjectWizard.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QTest>
#include <fstream>
#include <nlohmann/json.hpp>

using namespace teft;
using namespace teft::ui;

namespace {
void writeText(const std::filesystem::path& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary);
    out << text;
}
} // namespace

class TestProjectWizard : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { setDataDir(test::freshDir("data")); }

    void previewModelTester()
    {
        DatasetPreviewModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setRows({{QStringLiteral("a.jsonl:1"), QStringLiteral("hello\nworld"), 3},
                       {QStringLiteral("a.jsonl:2"), QStringLiteral("x"), -1}});
        QCOMPARE(model.index(0, DatasetPreviewModel::TextColumn).data().toString(),
                 QString(QStringLiteral("hello") + QChar(0x21B5) + QStringLiteral("world")));
        QCOMPARE(model.index(1, DatasetPreviewModel::TokensColumn).data().toString(), QStringLiteral("–"));
        model.setRows({});
    }

    void badModelFoldersAreRefused()
    {
        ModelPage page;
        const auto dir = test::freshDir("bad_model");
        page.pathEdit()->setText(QString::fromStdString((dir / "missing").string()));
        page.validateModel();
        QVERIFY(!page.isComplete());
        QVERIFY(!page.errorLabel()->isHidden());
        QVERIFY2(page.errorLabel()->text().contains(QLatin1String("missing")), qPrintable(page.errorLabel()->text()));

        writeText(dir / "config.json", R"({"model_type": "no_such_arch"})");
        page.pathEdit()->setText(QString::fromStdString(dir.string()));
        page.validateModel();
        QVERIFY(!page.isComplete());
        QVERIFY2(page.errorLabel()->text().contains(QLatin1String("no_such_arch")),
                 qPrintable(page.errorLabel()->text()));
    }

    void wizardWithTheDemoModel()
    {
        const auto dbDir = test::freshDir("store");
        auto store = JobStore::open(dbDir / "teft.db");
        ProjectWizard wizard(store.get());
        wizard.show();
        QVERIFY(QTest::qWaitForWindowExposed(&wizard));
        const auto shots = test::freshDir("screenshots");

        // Model page: the demo model, validated by the engine. Pretraining it takes minutes, so
        // the test puts a stand-in (a generated checkpoint and its info file) where the cache
        // keeps it: the button must find and use it on its worker thread.
        {
            const DemoModelSettings demo;
            const auto dir = demoModelDir(demo);
            GenerateOptions go;
            go.arch = "qwen3_moe";
            go.preset = "tiny";
            generateCheckpoint(dir, go);
            DemoModelInfo info;
            info.dir = dir;
            writeText(dir / "demo_model.json", info.toJson().dump());
        }
        ModelPage* modelPage = wizard.modelPage();
        QVERIFY(!modelPage->isComplete());
        modelPage->useDemoModel();
        QVERIFY(modelPage->demoTask()->isRunning());
        QVERIFY(!modelPage->isComplete()); // not while it is being built
        QTRY_VERIFY_WITH_TIMEOUT(!modelPage->demoTask()->isRunning(), 60000);
        QVERIFY2(modelPage->isComplete(), qPrintable(modelPage->errorLabel()->text()));
        QCOMPARE(modelPage->pathEdit()->text(), QString::fromStdString(demoModelDir(DemoModelSettings{}).string()));
        const QString modelDir = modelPage->pathEdit()->text();
        std::ifstream configFile(std::filesystem::path(modelDir.toStdString()) / "config.json");
        const nlohmann::json config = nlohmann::json::parse(configFile);
        QCOMPARE(modelPage->info(QStringLiteral("family")), QStringLiteral("qwen3_moe"));
        QCOMPARE(modelPage->info(QStringLiteral("experts")), QString::number(config.at("num_experts").get<int>()));
        QCOMPARE(modelPage->info(QStringLiteral("topk")), QString::number(config.at("num_experts_per_tok").get<int>()));
        QVERIFY(modelPage->info(QStringLiteral("layers"))
                    .startsWith(QString::number(config.at("num_hidden_layers").get<int>())));
        QVERIFY(wizard.grab().save(QString::fromStdString((shots / "wizard-model.png").string())));

        // Dataset page: a JSON Lines file with one bad line; the preview shows the good records
        // with their token counts under the model's tokenizer.
        wizard.next();
        DatasetPage* dataPage = wizard.datasetPage();
        QCOMPARE(wizard.currentPage(), dataPage);
        QVERIFY(!dataPage->isComplete());
        const auto dataDir = test::freshDir("dataset");
        writeText(dataDir / "target.jsonl", "{\"body\": \"def add(a, b):\\n    return a + b\"}\n"
                                            "not json\n"
                                            "{\"body\": \"for i in range(10): print(i)\"}\n");
        dataPage->addPath(QString::fromStdString((dataDir / "target.jsonl").string()));
        QCOMPARE(dataPage->previewModel()->rowCount(), 0); // the default field "text" is absent
        dataPage->fieldEdit()->setText(QStringLiteral("body"));
        dataPage->refreshPreview();
        QCOMPARE(dataPage->previewModel()->rowCount(), 2);
        QVERIFY(dataPage->isComplete());
        const Tokenizer tok = Tokenizer::fromFile(modelDir.toStdString());
        const auto& rows = dataPage->previewModel()->rows();
        QCOMPARE(rows[0].text, QStringLiteral("def add(a, b):\n    return a + b"));
        QCOMPARE(rows[0].source, QStringLiteral("target.jsonl:1"));
        QCOMPARE(rows[1].source, QStringLiteral("target.jsonl:3"));
        QCOMPARE(rows[0].tokens, static_cast<int>(tok.encode("def add(a, b):\n    return a + b").size()));
        QVERIFY(rows[0].tokens > 0);
        QVERIFY2(dataPage->statusLabel()->text().contains(QLatin1String("1 file")),
                 qPrintable(dataPage->statusLabel()->text()));
        QVERIFY(wizard.grab().save(QString::fromStdString((shots / "wizard-data.png").string())));

        // Device page: CPU unless a GPU is there.
        wizard.next();
        QCOMPARE(wizard.currentPage(), wizard.devicePage());
        QVERIFY(!wizard.devicePage()->descriptionLabel()->text().isEmpty());
        QVERIFY(wizard.grab().save(QString::fromStdString((shots / "wizard-device.png").string())));

        // Finish: the project and its dataset are in the store.
        wizard.accept();
        QVERIFY(wizard.createdProject() > 0);
        const auto project = store->project(wizard.createdProject());
        QVERIFY(project);
        QCOMPARE(QString::fromStdString(project->modelPath), modelDir);
        QCOMPARE(QString::fromStdString(project->name), QStringLiteral("My TEFT project"));
        const auto datasets = store->datasets(wizard.createdProject());
        QCOMPARE(datasets.size(), std::size_t(1));
        const auto spec = nlohmann::json::parse(datasets[0].spec);
        QCOMPARE(QString::fromStdString(spec.at("field").get<std::string>()), QStringLiteral("body"));
        QCOMPARE(spec.at("paths").size(), std::size_t(1));
    }
};

QTEST_MAIN(TestProjectWizard)
#include "test_project_wizard.moc"
