// The new-project wizard driven with the built-in demo model: model validation, the data page
// (target and reference datasets, preview with token counts, totals and problems such as a
// broken JSON Lines line counted by the engine), device, and the project saved in the job
// store with its references and counts.
#include "support/TestSupport.h"

#include "core/demo/DemoModel.h"
#include "core/model/CheckpointGenerator.h"
#include "core/project/Datasets.h"
#include "core/project/Project.h"
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
#include <QLocale>
#include <QTableWidget>
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
        // with their token counts under the model's tokenizer, the summary all of them and the
        // broken line.
        wizard.next();
        DatasetPage* dataPage = wizard.datasetPage();
        QCOMPARE(wizard.currentPage(), dataPage);
        QVERIFY(!dataPage->isComplete());
        const auto dataDir = test::freshDir("dataset");
        std::string targetText = "{\"body\": \"def add(a, b):\\n    return a + b\"}\n"
                                 "not json\n"
                                 "{\"body\": \"for i in range(10): print(i)\"}\n";
        for (int i = 0; i < 60; ++i)
            targetText += "{\"body\": \"def f" + std::to_string(i) + "(x):\\n    return x * " + std::to_string(i) +
                          " + len(str(x))\"}\n";
        writeText(dataDir / "target.jsonl", targetText);
        dataPage->addPath(QString::fromStdString((dataDir / "target.jsonl").string()));
        QCOMPARE(dataPage->previewModel()->rowCount(), 0); // the default field "text" is absent
        QVERIFY(!dataPage->isComplete());
        dataPage->fieldEdit()->setText(QStringLiteral("body"));
        dataPage->refreshPreview();
        QCOMPARE(dataPage->previewModel()->rowCount(), DatasetPage::PreviewRecords);
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
        QVERIFY2(dataPage->statusLabel()->text().contains(QLatin1String("invalid JSON")),
                 qPrintable(dataPage->statusLabel()->text()));
        // The totals, counted on the worker as the project will read the data.
        QTRY_VERIFY_WITH_TIMEOUT(dataPage->isCounted(), 60000);
        QTableWidget* table = dataPage->summaryTable();
        QCOMPARE(table->rowCount(), 1);
        QCOMPARE(table->item(0, DatasetPage::RecordsColumn)->text(), QStringLiteral("62"));
        QCOMPARE(dataPage->summaries()[0]->records, std::int64_t(62));
        QVERIFY(dataPage->summaries()[0]->tokens > 0);
        QCOMPARE(table->item(0, DatasetPage::TokensColumn)->text(),
                 QLocale().toString(static_cast<qlonglong>(dataPage->summaries()[0]->tokens)));
        const QString targetProblems = table->item(0, DatasetPage::ProblemsColumn)->text();
        QVERIFY2(targetProblems.contains(QLatin1String("1 record skipped")) &&
                     targetProblems.contains(QLatin1String("invalid JSON")) &&
                     targetProblems.contains(QLatin1String("target.jsonl:2")),
                 qPrintable(targetProblems));

        // References: added, each with its own format and field, counted; an unusable one
        // stops Finish until it is removed.
        std::string prose;
        for (int i = 0; i < 60; ++i)
            prose += "{\"text\": \"The quiet river " + std::to_string(i) + " crossed the old village at dawn.\"}\n";
        writeText(dataDir / "prose.jsonl", prose);
        QCOMPARE(dataPage->addReference(), 1);
        QCOMPARE(dataPage->currentDataset(), 1);
        QVERIFY(!dataPage->isComplete()); // no files yet
        QCOMPARE(table->rowCount(), 2);
        dataPage->addPath(QString::fromStdString((dataDir / "prose.jsonl").string()));
        QVERIFY(dataPage->isComplete());
        writeText(dataDir / "broken.jsonl", "{\"text\": \"cut\n{\"title\": \"no text\"}\n");
        QCOMPARE(dataPage->addReference(), 2);
        dataPage->addPath(QString::fromStdString((dataDir / "broken.jsonl").string()));
        QVERIFY(!dataPage->isComplete());
        QTRY_VERIFY_WITH_TIMEOUT(dataPage->isCounted(), 60000);
        QCOMPARE(table->rowCount(), 3);
        QCOMPARE(dataPage->summaries()[1]->records, std::int64_t(60));
        QVERIFY(dataPage->summaries()[1]->tokens > 0);
        QCOMPARE(table->item(1, DatasetPage::ProblemsColumn)->text(), QStringLiteral("none"));
        const QString brokenProblems = table->item(2, DatasetPage::ProblemsColumn)->text();
        QVERIFY2(brokenProblems.contains(QLatin1String("cannot be used")) &&
                     brokenProblems.contains(QLatin1String("invalid JSON")),
                 qPrintable(brokenProblems));
        QVERIFY(!dataPage->isComplete());
        QVERIFY(wizard.grab().save(QString::fromStdString((shots / "wizard-data-broken.png").string())));
        dataPage->removeReference(2);
        QCOMPARE(dataPage->datasetCount(), 2);
        QVERIFY(dataPage->isComplete());
        // The target is edited as it was left.
        dataPage->setCurrentDataset(0);
        QCOMPARE(dataPage->fieldEdit()->text(), QStringLiteral("body"));
        QCOMPARE(dataPage->previewModel()->rows()[0].source, QStringLiteral("target.jsonl:1"));
        QCOMPARE(dataPage->referenceSpecs().size(), std::size_t(1));
        QCOMPARE(dataPage->referenceSpecs()[0].paths.front(), dataDir / "prose.jsonl");
        QTRY_VERIFY_WITH_TIMEOUT(dataPage->isCounted(), 60000);
        QVERIFY(wizard.grab().save(QString::fromStdString((shots / "wizard-data.png").string())));

        // Device page: CPU unless a GPU is there.
        wizard.next();
        QCOMPARE(wizard.currentPage(), wizard.devicePage());
        QVERIFY(!wizard.devicePage()->descriptionLabel()->text().isEmpty());
        QVERIFY(wizard.grab().save(QString::fromStdString((shots / "wizard-device.png").string())));

        // Finish: the project and its dataset are in the store.
        wizard.accept();
        QVERIFY(wizard.createdProject() > 0);
        const auto stored = store->project(wizard.createdProject());
        QVERIFY(stored);
        QCOMPARE(QString::fromStdString(stored->modelPath), modelDir);
        QCOMPARE(QString::fromStdString(stored->name), QStringLiteral("My TEFT project"));
        const auto datasets = store->datasets(wizard.createdProject());
        QCOMPARE(datasets.size(), std::size_t(2));
        QCOMPARE(datasets[0].role, std::string("target"));
        const auto spec = nlohmann::json::parse(datasets[0].spec);
        QCOMPARE(QString::fromStdString(spec.at("field").get<std::string>()), QStringLiteral("body"));
        QCOMPARE(spec.at("paths").size(), std::size_t(1));
        QCOMPARE(datasets[1].role, std::string("reference"));
        const auto project = teft::Project::load(*store, wizard.createdProject());
        QCOMPARE(project.references.size(), std::size_t(1));
        QCOMPARE(project.references[0].paths, std::vector<std::filesystem::path>{dataDir / "prose.jsonl"});
        // The counts are kept with the project.
        const auto kept = ProjectDataSummary::load(project.dataSummaryFile());
        QVERIFY(kept);
        QCOMPARE(kept->target.records, std::int64_t(62));
        QCOMPARE(kept->target.quality.count(BadDataKind::InvalidJson), std::int64_t(1));
        QCOMPARE(kept->references.size(), std::size_t(1));
        QCOMPARE(kept->references[0].records, std::int64_t(60));
    }
};

QTEST_MAIN(TestProjectWizard)
#include "test_project_wizard.moc"
