// A project's data as a user has it, on the real engine: two reference datasets; the Experts
// page's token budget is shown ("uses N of M tokens"), saved with the project and reaches
// identification; the contrast reference is chosen on the page, saved and reloaded with the
// statistics of each reference; the Merge page has a before/after row for the target and for
// every reference domain.
#include "gui/EngineFixture.h"

#include "core/project/Datasets.h"
#include "core/train/ValidatorJob.h"
#include "core/util/AtomicFile.h"
#include "ui/engine/BackgroundTask.h"
#include "ui/engine/MergeController.h"
#include "ui/engine/RoutingController.h"
#include "ui/merge/MergeComparisonModel.h"
#include "ui/merge/MergePage.h"
#include "ui/routing/RoutingHeatmapModel.h"
#include "ui/routing/RoutingPage.h"
#include "ui/shell/AppContext.h"

#include <QComboBox>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTest>
#include <cmath>

using namespace teft;
using namespace teft::ui;
namespace fs = std::filesystem;

namespace {
constexpr int kEngineTimeoutMs = 600000; // a guard against a hang, not a timing assertion
}

class TestProjectData : public QObject {
    Q_OBJECT

    std::unique_ptr<test::EngineFixture> m_world;
    std::unique_ptr<AppContext> m_context;
    fs::path m_news;

private Q_SLOTS:
    void initTestCase()
    {
        m_world = std::make_unique<test::EngineFixture>(true);
        // A second reference domain, as the wizard adds it.
        m_news = m_world->root / "news.jsonl";
        std::string text;
        for (int i = 0; i < 200; ++i)
            text += "{\"text\": \"Market report " + std::to_string(i) +
                    ": the harbour authority said on Monday that shipping volumes rose by " + std::to_string(i % 17) +
                    " percent.\"}\n";
        writeFileAtomically(m_news, text);
        m_context = std::make_unique<AppContext>(JobStore::open(JobStore::defaultPath()));
        DatasetSpec news;
        news.paths = {m_news};
        m_context->store()->addDataset(m_world->projectId, "reference", toJson(news).dump());
    }

    void tokenBudgetAndContrastLiveWithTheProject()
    {
        auto* store = m_context->store();
        RoutingPage page;
        RoutingController controller(&page, m_context.get());
        QVERIFY(!page.contrastBox()->isEnabled()); // no project
        m_context->setCurrentProject(m_world->projectId);
        const auto project = Project::load(*store, m_world->projectId);
        QCOMPARE(project.references.size(), std::size_t(2));

        // Today's default (16 batches of 8 rows of 24 tokens); the target's total is not known yet.
        QCOMPARE(page.identifyTokens(), std::int64_t(16 * 8 * 24));
        QVERIFY2(page.identifyTokensLabel()->text().contains(QLocale().toString(16 * 8 * 24)),
                 qPrintable(page.identifyTokensLabel()->text()));
        // The contrast: all references together, or one of them.
        QCOMPARE(page.contrastBox()->count(), 3);
        QVERIFY(page.contrastBox()->isEnabled());
        QCOMPARE(page.contrastChoice(), 0);

        // A smaller budget, saved with the project at once.
        page.identifyTokensBox()->setValue(150);
        QCOMPARE(Project::load(*store, m_world->projectId).identifyTokens, std::int64_t(150));
        QCOMPARE(controller.project()->identifyTokens, std::int64_t(150));

        QSignalSpy failed(controller.task(), &BackgroundTask::failed);
        page.requestIdentify();
        QVERIFY(QTest::qWaitFor([&] { return !controller.task()->isRunning(); }, kEngineTimeoutMs));
        QCOMPARE(failed.count(), 0);
        // The budget reached identification: one batch of 8 rows of 24 tokens, for the target
        // and for each reference.
        QCOMPARE(page.model()->stats().tokens(), std::int64_t(8 * 24));
        QVERIFY(fs::exists(project.referenceStatsFile(1)));
        QVERIFY(fs::exists(project.referenceStatsFile(2)));
        QCOMPARE(RoutingStats::load(project.referenceStatsFile(2).string()).tokens(), std::int64_t(8 * 24));
        QVERIFY(page.model()->hasReference());
        QCOMPARE(page.model()->reference()->tokens(), std::int64_t(2 * 8 * 24)); // both references
        // Now the page knows the target's tokens: "uses 192 of M tokens".
        const auto data = ProjectDataSummary::load(project.dataSummaryFile());
        QVERIFY(data);
        QVERIFY(data->target.rowTokens > 8 * 24);
        const QString use = page.identifyTokensLabel()->text();
        QVERIFY2(use.contains(QLocale().toString(8 * 24)) &&
                     use.contains(QLocale().toString(static_cast<qlonglong>(data->target.rowTokens))),
                 qPrintable(use));
        QCOMPARE(page.identifyTokensBox()->maximum(), static_cast<int>(data->target.rowTokens));

        // The second reference alone for the contrast: saved, and its statistics shown.
        page.contrastBox()->setCurrentIndex(page.contrastBox()->findData(2));
        QCOMPARE(Project::load(*store, m_world->projectId).contrastReference, 2);
        QCOMPARE(page.model()->reference()->dataset, std::string("news.jsonl"));
        page.resize(1280, 800);
        QVERIFY(
            page.grab().save(QString::fromStdString((test::freshDir("screenshots-experts") / "experts.png").string())));

        // Reopening the project: the budget, the total and the contrast come back.
        RoutingPage reopened;
        RoutingController again(&reopened, m_context.get());
        QCOMPARE(reopened.identifyTokens(), std::int64_t(150));
        QCOMPARE(reopened.contrastChoice(), 2);
        QVERIFY(reopened.identifyTokensLabel()->text().contains(
            QLocale().toString(static_cast<qlonglong>(data->target.rowTokens))));
        QVERIFY(reopened.model()->hasReference());
        QCOMPARE(reopened.model()->reference()->dataset, std::string("news.jsonl"));
    }

    void mergeReportsEveryReferenceDomain()
    {
        MergePage page;
        MergeController controller(&page, m_context.get(), nullptr);
        m_context->setCurrentProject(std::nullopt);
        m_context->setCurrentProject(m_world->projectId);
        QCOMPARE(page.model()->rowCount(), 3);
        const auto& initial = page.model()->rows();
        QVERIFY(initial[0].inDomain && initial[0].dataset.contains(QLatin1String("code")));
        QVERIFY(!initial[1].inDomain && initial[1].dataset.contains(QLatin1String("prose")));
        QVERIFY(!initial[2].inDomain && initial[2].dataset.contains(QLatin1String("news.jsonl")));

        // A validator round on the project's state folder, then the merge from the page.
        const auto project = Project::load(*m_context->store(), m_world->projectId);
        ValidatorSettings s;
        s.modelDir = m_world->modelDir;
        s.selection = m_world->selection;
        s.stateDir = project.validatorStateDir();
        s.submissionsDir = m_world->subs;
        s.knownMinersFile = dataDir() / "known_miners.json";
        s.aggregation.topK = 2;
        JobControl control;
        const auto data = project.loadDataset(project.target, control);
        QVERIFY(runValidator(s, data, control).updated);

        QSignalSpy done(&page, &MergePage::mergeFinished);
        QTest::mouseClick(page.mergeButton(), Qt::LeftButton);
        QVERIFY(QTest::qWaitFor([&] { return done.count() >= 1; }, kEngineTimeoutMs));
        QVERIFY2(done.at(0).at(0).toBool(), qPrintable(page.statusLabel()->text()));
        const auto& rows = page.model()->rows();
        QCOMPARE(int(rows.size()), 3);
        QVERIFY(rows[0].inDomain);
        QVERIFY(!rows[1].inDomain && rows[1].dataset.contains(QLatin1String("prose")));
        QVERIFY(!rows[2].inDomain && rows[2].dataset.contains(QLatin1String("news.jsonl")));
        for (const auto& r : rows)
            QVERIFY(std::isfinite(r.before) && std::isfinite(r.after));
        page.resize(1280, 700);
        QVERIFY(page.grab().save(QString::fromStdString((test::freshDir("screenshots-merge") / "merge.png").string())));
    }

    void cleanupTestCase() { m_context.reset(); }
};

QTEST_MAIN(TestProjectData)
#include "test_project_data.moc"
