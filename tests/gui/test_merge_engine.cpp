// The Merge page on the real engine: without a project nothing pretends to merge; with one,
// the merge refuses until a validator round was applied, then writes a verified checkpoint
// of the project's current Φ and fills the comparison (target in-domain, reference
// out-of-domain) with the engine's losses before and after.
#include "gui/EngineFixture.h"

#include "core/train/ValidatorJob.h"
#include "ui/engine/BackgroundTask.h"
#include "ui/engine/MergeController.h"
#include "ui/merge/MergeComparisonModel.h"
#include "ui/merge/MergePage.h"
#include "ui/shell/AppContext.h"

#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <cmath>

using namespace teft;
using namespace teft::ui;
namespace fs = std::filesystem;

namespace {
constexpr int kEngineTimeoutMs = 600000; // a guard against a hang, not a timing assertion
}

class TestMergeEngine : public QObject {
    Q_OBJECT

    std::unique_ptr<test::EngineFixture> m_world;
    std::unique_ptr<AppContext> m_context;

private Q_SLOTS:
    void initTestCase()
    {
        m_world = std::make_unique<test::EngineFixture>(true);
        m_context = std::make_unique<AppContext>(JobStore::open(JobStore::defaultPath()));
    }

    void mergesTheValidatorsPhi()
    {
        MergePage page;
        MergeController controller(&page, m_context.get(), nullptr);
        // No project: no rows, no merge.
        QVERIFY(!page.isMergeAvailable());
        QVERIFY(!page.mergeButton()->isEnabled());
        QCOMPARE(page.model()->rowCount(), 0);

        m_context->setCurrentProject(m_world->projectId);
        QVERIFY(page.isMergeAvailable());
        QVERIFY(page.mergeButton()->isEnabled());
        const auto project = Project::load(*m_context->store(), m_world->projectId);
        QCOMPARE(page.outputDir().toStdString(), (project.workDir() / "merged").string());
        QCOMPARE(page.model()->rowCount(), 2);
        QVERIFY(page.model()->rows()[0].inDomain && !page.model()->rows()[1].inDomain);

        // Before any validator round: a clear error, nothing written.
        QSignalSpy done(&page, &MergePage::mergeFinished);
        QTest::mouseClick(page.mergeButton(), Qt::LeftButton);
        QVERIFY(QTest::qWaitFor([&] { return done.count() >= 1; }, kEngineTimeoutMs));
        QVERIFY(!done.at(0).at(0).toBool());
        QVERIFY2(page.statusLabel()->text().contains(QLatin1String("No validator round")),
                 qPrintable(page.statusLabel()->text()));
        QVERIFY(page.findChild<QMessageBox*>());
        QVERIFY(!fs::exists(project.workDir() / "merged"));

        // A validator round on the project's state folder (as the Validate page applies it).
        ValidatorSettings s;
        s.modelDir = m_world->modelDir;
        s.selection = m_world->selection;
        s.stateDir = project.workDir() / "validator";
        s.submissionsDir = m_world->subs;
        s.knownMinersFile = dataDir() / "known_miners.json";
        s.aggregation.topK = 2;
        JobControl control;
        const auto data = project.loadDataset(project.target, control);
        const auto round = runValidator(s, data, control);
        QVERIFY(round.updated);

        QTest::mouseClick(page.mergeButton(), Qt::LeftButton);
        QVERIFY(page.isRunning());
        QVERIFY(controller.task()->isRunning()); // on the controller's worker, never the GUI thread
        QVERIFY(QTest::qWaitFor([&] { return done.count() >= 2; }, kEngineTimeoutMs));
        QVERIFY2(done.at(1).at(0).toBool(), qPrintable(page.statusLabel()->text()));
        const auto out = project.workDir() / "merged";
        QVERIFY(fs::exists(out / "config.json"));
        bool safetensors = false;
        for (const auto& e : fs::directory_iterator(out))
            safetensors = safetensors || e.path().extension() == ".safetensors";
        QVERIFY(safetensors);

        const auto& rows = page.model()->rows();
        QCOMPARE(int(rows.size()), 2);
        QVERIFY(rows[0].inDomain);
        QVERIFY(rows[0].dataset.contains(QLatin1String("code")));
        QVERIFY(!rows[1].inDomain);
        QVERIFY(rows[1].dataset.contains(QLatin1String("prose")));
        for (const auto& r : rows)
            QVERIFY(std::isfinite(r.before) && std::isfinite(r.after));
        QVERIFY(rows[0].before != rows[0].after); // Φ changed the target's loss
        // Recorded under the project.
        QCOMPARE(int(m_context->store()->merges(m_world->projectId).size()), 1);

        // Closing the project: an empty page, no merge.
        m_context->setCurrentProject(std::nullopt);
        QVERIFY(!page.isMergeAvailable());
        QVERIFY(!page.mergeButton()->isEnabled());
        QCOMPARE(page.model()->rowCount(), 0);
    }

    void cleanupTestCase() { m_context.reset(); }
};

QTEST_MAIN(TestMergeEngine)
#include "test_merge_engine.moc"
