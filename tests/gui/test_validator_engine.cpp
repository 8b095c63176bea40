// The Validate page on the real engine: with a project open, a folder of submissions is
// verified and scored on a worker thread and fills the review table exactly as the engine's
// own round does; an override changes who is aggregated; the outer step writes the validator
// state, records the round and extends the per-round chart; errors are shown, never thrown;
// closing the project brings the demo back.
#include "gui/EngineFixture.h"

#include "core/project/Train.h"
#include "core/train/ModelIdentity.h"
#include "core/train/ValidatorJob.h"
#include "core/util/AtomicFile.h"
#include "ui/engine/BackgroundTask.h"
#include "ui/engine/TaskProgressBar.h"
#include "ui/engine/ValidatorController.h"
#include "ui/shell/AppContext.h"
#include "ui/shell/Confirm.h"
#include "ui/validator/SubmissionTableModel.h"
#include "ui/validator/ValidatorPage.h"

#include <QComboBox>
#include <QLineSeries>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QGroupBox>
#include <QLabel>
#include <QTableWidget>
#include <QTest>
#include <cmath>

using namespace teft;
using namespace teft::ui;
namespace fs = std::filesystem;

namespace {
constexpr int kEngineTimeoutMs = 600000; // a guard against a hang, not a timing assertion

const SubmissionReview* rowOf(const ValidatorPage& page, const QString& miner)
{
    for (const auto& r : page.model()->submissions())
        if (r.miner == miner)
            return &r;
    return nullptr;
}
} // namespace

class TestValidatorEngine : public QObject {
    Q_OBJECT

    std::unique_ptr<test::EngineFixture> m_world;
    std::unique_ptr<AppContext> m_context;
    std::unique_ptr<ValidatorPage> m_page;
    std::unique_ptr<ValidatorController> m_controller;

    // Waits for the controller's task to end; false when it failed.
    bool waitForTask(QSignalSpy& finished, int count, QSignalSpy& errors)
    {
        if (!QTest::qWaitFor([&] { return finished.count() >= count; }, kEngineTimeoutMs))
            return false;
        return errors.isEmpty();
    }

private Q_SLOTS:
    void initTestCase()
    {
        // The outer step asks first (ui/shell/Confirm.h): answer yes.
        setConfirmHandler([](QWidget*, const QString&, const QString&) { return true; });
        m_world = std::make_unique<test::EngineFixture>(false);
        m_context = std::make_unique<AppContext>(JobStore::open(JobStore::defaultPath()));
        m_page = std::make_unique<ValidatorPage>();
        m_controller = std::make_unique<ValidatorController>(m_page.get(), m_context.get(), nullptr);
        m_page->resize(1280, 800);
        m_page->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_page.get()));
    }

    void withoutAProjectThePageSaysWhatToDo()
    {
        QVERIFY(!m_page->openFolderButton()->isVisible());
        QCOMPARE(m_page->model()->rowCount(), 0); // no example rows
        QVERIFY(m_controller->stateDir().empty());
        QVERIFY(!m_page->outerStepButton()->isEnabled());
        QVERIFY2(m_page->outerStepButton()->toolTip().contains(QLatin1String("Open or create a project")),
                 qPrintable(m_page->outerStepButton()->toolTip()));
    }

    // The "Submissions" list (issue 14): the project's two trained runs are listed and ticked, a
    // third submission is imported from elsewhere (nothing copied), a folder of submissions adds
    // each one in it and Remove forgets imports without deleting them; unticking one and
    // pressing Score selected scores exactly the ticked ones.
    void submissionsListShowsRunsAndImportsAndScoresTheTickedOnes()
    {
        m_context->setCurrentProject(m_world->projectId);
        QVERIFY(m_page->candidateBox()->isVisible());
        QCOMPARE(m_page->candidateTable()->rowCount(), 0);
        QVERIFY(m_page->candidateHint()->isVisible()); // no runs, no imports: what to do
        QVERIFY(m_page->candidateHint()->text().contains(QLatin1String("Train a run on the Train page")));
        QVERIFY(!m_page->scoreSelectedButton()->isEnabled());

        // Two runs of the project, as the Train page starts them.
        const Project project = Project::load(*m_context->store(), m_world->projectId);
        for (const auto& [name, shard] : {std::pair{"run 1", 0}, {"run 2", 1}}) {
            MinerForm form;
            form.device = "cpu";
            form.computeDtype = torch::kFloat;
            form.innerSteps = 3;
            form.batchSize = 2;
            form.sequenceLength = 24;
            form.learningRate = 5e-3;
            form.checkpointInterval = 0;
            form.validationInterval = 0;
            form.shardIndex = shard;
            form.shardCount = 2;
            form.runName = name;
            JobControl control;
            trainMiner(minerSettingsFor(project, m_world->selection, form), control);
        }
        m_context->pollStore(); // the store changed: the list follows
        QCOMPARE(m_page->candidateTable()->rowCount(), 2);
        QVERIFY(!m_page->candidateHint()->isVisible());
        const QString run1 = QString::fromStdString((project.minerRunsDir() / "run 1" / "submission").string());
        const QString run2 = QString::fromStdString((project.minerRunsDir() / "run 2" / "submission").string());
        QCOMPARE(m_page->checkedCandidates(), (QStringList{run2, run1})); // finished runs: ticked, newest first
        for (const auto& c : m_page->candidates()) {
            QVERIFY(!c.imported && c.exists);
            QCOMPARE(c.state, QStringLiteral("finished"));
            QCOMPARE(c.round, 0);
        }

        // A third submission from elsewhere: listed where it lies, ticked.
        const QString alpha = QString::fromStdString((m_world->subs / "alpha").string());
        Q_EMIT m_page->importSubmissionsRequested({alpha});
        QCOMPARE(m_page->candidateTable()->rowCount(), 3);
        QVERIFY(m_page->candidates().back().imported);
        QCOMPARE(m_page->candidates().back().path, alpha);
        QVERIFY(m_page->checkedCandidates().contains(alpha));
        QVERIFY(!fs::exists(project.validatorStateDir() / "alpha"));

        // A folder of submissions adds each one in it; Remove forgets them, deleting nothing.
        const auto extra = test::freshDir("extra-subs");
        fs::copy(m_world->subs / "beta", extra / "beta-copy", fs::copy_options::recursive);
        fs::copy(m_world->subs / "wild", extra / "wild-copy", fs::copy_options::recursive);
        Q_EMIT m_page->importFolderRequested(QString::fromStdString(extra.string()));
        QCOMPARE(m_page->candidateTable()->rowCount(), 5);
        m_page->candidateTable()->clearSelection();
        m_page->candidateTable()->setSelectionMode(QAbstractItemView::MultiSelection);
        m_page->candidateTable()->selectRow(3);
        m_page->candidateTable()->selectRow(4);
        QVERIFY(m_page->removeImportButton()->isEnabled());
        QTest::mouseClick(m_page->removeImportButton(), Qt::LeftButton);
        QCOMPARE(m_page->candidateTable()->rowCount(), 3);
        QVERIFY(fs::exists(extra / "beta-copy" / "manifest.json") && fs::exists(extra / "wild-copy"));
        // A run's row cannot be removed.
        m_page->candidateTable()->clearSelection();
        m_page->candidateTable()->selectRow(0);
        QVERIFY(!m_page->removeImportButton()->isEnabled());

        // The page shown again (or any refresh) keeps the user's ticks.
        m_page->setCandidateChecked(run2, false);
        m_page->hide();
        m_page->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_page.get()));
        QCOMPARE(m_page->candidateTable()->rowCount(), 3);
        QCOMPARE(m_page->checkedCandidates(), (QStringList{run1, alpha}));

        const auto shots = test::freshDir("screenshots-candidates");
        const QString png = QString::fromStdString((shots / "validator-candidates.png").string());
        QVERIFY(m_page->grab().save(png));
        qInfo("validator submissions list: %s", qPrintable(png));

        m_page->evalBatchesBox()->setValue(13);
        m_page->evalBatchSizeBox()->setValue(2);
        QSignalSpy finished(m_controller->task(), &BackgroundTask::finished);
        QSignalSpy errors(m_controller.get(), &ValidatorController::errorShown);
        QVERIFY(m_page->scoreSelectedButton()->isEnabled());
        QTest::mouseClick(m_page->scoreSelectedButton(), Qt::LeftButton);
        QVERIFY(m_page->isBusy());
        QVERIFY2(waitForTask(finished, 1, errors), qPrintable(errors.value(0).value(0).toString()));
        QStringList scored;
        for (const auto& r : m_page->model()->submissions()) {
            scored << r.path;
            QVERIFY2(r.verified, qPrintable(r.path + QStringLiteral(": ") + r.reasonMessage));
        }
        scored.sort();
        QStringList ticked{run1, alpha};
        ticked.sort();
        QCOMPARE(scored, ticked);
        QVERIFY(!fs::exists(m_controller->stateDir() / "state.json"));        // scoring writes nothing
        m_page->evalBatchesBox()->setValue(ValidatorSettings{}.eval.batches); // as the next test expects
        m_page->evalBatchSizeBox()->setValue(ValidatorSettings{}.eval.batchSize);

        // Another project: another list (its imports are its own).
        const auto other = m_context->store()->createProject("other", m_world->modelDir.string(), "{}");
        m_context->setCurrentProject(other);
        QCOMPARE(m_page->candidateTable()->rowCount(), 0);
        QVERIFY(m_page->candidateHint()->isVisible());
        m_context->setCurrentProject(std::nullopt); // the next test opens the project afresh
        QVERIFY(!m_page->candidateBox()->isVisible());
    }

    void scoresAFolderLikeTheEngine()
    {
        m_context->setCurrentProject(m_world->projectId);
        QVERIFY(m_page->openFolderButton()->isVisible());
        QCOMPARE(m_page->model()->rowCount(), 0);
        QCOMPARE(m_page->round(), 0);
        m_page->ruleBox()->setCurrentIndex(0); // top-k
        m_page->kBox()->setValue(2);
        // Round settings other than the defaults: they must reach the engine.
        QVERIFY(m_page->evalBatchesBox()->isVisible());
        QCOMPARE(m_page->evalBatchesBox()->value(), ValidatorSettings{}.eval.batches); // the engine's default
        // 13 batches of 2 rows: the 26 rows of the fixture's scoring half, none repeated (the
        // standard errors need distinct batches).
        m_page->evalBatchesBox()->setValue(13);
        m_page->evalBatchSizeBox()->setValue(2);
        m_page->outerLrBox()->setValue(0.5);
        m_page->momentumBox()->setValue(0.8);

        QSignalSpy finished(m_controller->task(), &BackgroundTask::finished);
        QSignalSpy errors(m_controller.get(), &ValidatorController::errorShown);
        QSignalSpy scored(m_controller.get(), &ValidatorController::roundScored);
        Q_EMIT m_page->submissionsFolderRequested(QString::fromStdString(m_world->subs.string()));
        QVERIFY(m_page->isBusy()); // the page never waits for the engine
        QVERIFY(!m_page->outerStepButton()->isEnabled());
        QVERIFY2(waitForTask(finished, 1, errors), qPrintable(errors.value(0).value(0).toString()));
        QCOMPARE(scored.count(), 1);
        QVERIFY(!m_page->isBusy());
        QVERIFY(m_controller->hasScoredRound());
        QCOMPARE(m_page->model()->rowCount(), 4);

        // The same round by the engine alone (runValidator on a scratch state folder).
        ValidatorSettings s;
        s.modelDir = m_world->modelDir;
        s.selection = m_world->selection;
        s.stateDir = test::freshDir("reference-state");
        s.submissionsDir = m_world->subs;
        s.knownMinersFile = dataDir() / "known_miners.json";
        s.aggregation.topK = 2;
        s.eval.batches = 13;
        s.eval.batchSize = 2;
        s.outer.lr = 0.5;
        s.outer.momentum = 0.8;
        auto project = Project::load(*m_context->store(), m_world->projectId);
        JobControl control;
        const auto data = project.loadDataset(project.target, control);
        const auto reference = runValidator(s, data, control);
        const auto& subs = reference.report["submissions"];
        QCOMPARE(int(subs.size()), 4);
        for (const auto& j : subs) {
            const SubmissionReview* r = nullptr;
            for (const auto& row : m_page->model()->submissions())
                if (row.path.toStdString() == j["dir"].get<std::string>())
                    r = &row;
            QVERIFY2(r, j.dump().c_str());
            QVERIFY(r->miner.startsWith(QString::fromStdString(j["miner"].get<std::string>())));
            QCOMPARE(r->verified, j["verdict"] == "accepted");
            QCOMPARE(r->reasonCode.toStdString(), j["verdict"].get<std::string>());
            if (r->verified) {
                QCOMPARE(r->baseLoss, reference.baselineLoss);
                QCOMPARE(r->newLoss, j["loss"].get<double>());
                QCOMPARE(r->score, j["score"].get<double>());
                if (r->score > 0) // the page ranks only the submissions that improved the loss
                    QCOMPARE(r->rank, j["rank"].get<int>());
                QCOMPARE(r->weight, j["weight"].get<double>());
                QVERIFY(std::isfinite(r->score) && std::isfinite(r->newLoss));
                // s_i ± its error over the tokens it rests on, and the ties within noise.
                QCOMPARE(r->gain, j["gain"].get<double>());
                QCOMPARE(r->stdError, j["std_error"].get<double>());
                QCOMPARE(r->lowerBound, j["lower_bound"].get<double>());
                QCOMPARE(r->tokens, j["tokens"].get<std::int64_t>());
                QCOMPARE(r->significant, j["significant"].get<bool>());
                QCOMPARE(r->tiedWith.size(), qsizetype(j["tied_with"].size()));
                QCOMPARE(j["batches"].get<int>(), 13);
                const int row = int(r - m_page->model()->submissions().data());
                const QString shown = m_page->model()->index(row, SubmissionTableModel::ScoreColumn).data().toString();
                QVERIFY2(shown.contains(QStringLiteral(" ± ")), qPrintable(shown));
                QCOMPARE(m_page->model()->index(row, SubmissionTableModel::TokensColumn).data().toString(),
                         QLocale().toString(static_cast<qlonglong>(r->tokens)));
            } else {
                QVERIFY(!r->reasonMessage.isEmpty());
            }
        }
        const auto* alpha = rowOf(*m_page, QStringLiteral("alpha"));
        const auto* beta = rowOf(*m_page, QStringLiteral("beta"));
        const auto* wild = rowOf(*m_page, QStringLiteral("wild"));
        const auto* evil = rowOf(*m_page, QStringLiteral("alpha (evil)"));
        QVERIFY(alpha && beta && wild && evil);
        QVERIFY(alpha->verified && beta->verified && wild->verified);
        QVERIFY(!evil->verified && !evil->accepted);
        QVERIFY(alpha->score > 0 && beta->score > 0);
        QVERIFY(alpha->significant && beta->significant); // honest updates: gains beyond noise
        QCOMPARE(wild->score, 0.0);
        QVERIFY(wild->gain < 0 && !wild->significant);
        QVERIFY(!wild->accepted);
        QVERIFY(alpha->accepted && beta->accepted);
        QVERIFY(m_page->outerStepButton()->isEnabled());
        QVERIFY(!fs::exists(m_controller->stateDir() / "state.json")); // scoring writes nothing

        // The review as it looks (for the eye; the path is printed).
        const auto shots = test::freshDir("screenshots");
        const QString png = QString::fromStdString((shots / "validator-review.png").string());
        QVERIFY(m_page->grab().save(png));
        qInfo("validator review: %s", qPrintable(png));

        // The engine's default evaluation size (16 × 8 rows) needs more rows than this fixture's
        // scoring half holds: the rows repeat, which the round says (its standard errors would be
        // too small), and which the 13 × 2 above avoids.
        s.eval = ValidatorSettings{}.eval;
        s.stateDir = test::freshDir("reference-default-state");
        const auto byDefault = scoreRound(s, data, control);
        const auto scoringRows = data.heldOutPart(TokenDataset::HeldOutPart::Scoring).numHeldOut();
        QCOMPARE(byDefault.evalRowsRepeat, std::int64_t(s.eval.batches) * s.eval.batchSize > scoringRows);
        QVERIFY(byDefault.evalRowsRepeat);
    }

    void overrideThenOuterStep()
    {
        QVERIFY(m_controller->hasScoredRound());
        // Reject the lower-ranked of alpha and beta: the other one gets all the weight.
        const auto& rows = m_page->model()->submissions();
        int rejected = -1, kept = -1;
        for (int i = 0; i < int(rows.size()); ++i) {
            if (rows[std::size_t(i)].rank == 2)
                rejected = i;
            if (rows[std::size_t(i)].rank == 1)
                kept = i;
        }
        QVERIFY(rejected >= 0 && kept >= 0);
        m_page->model()->setOverride(rejected, SubmissionReview::Override::Reject);
        QCOMPARE(rows[std::size_t(kept)].weight, 1.0);
        QCOMPARE(rows[std::size_t(rejected)].weight, 0.0);
        const std::string keptDir = rows[std::size_t(kept)].path.toStdString();
        const std::string rejectedDir = rows[std::size_t(rejected)].path.toStdString();

        QSignalSpy finished(m_controller->task(), &BackgroundTask::finished);
        QSignalSpy errors(m_controller.get(), &ValidatorController::errorShown);
        QSignalSpy applied(m_controller.get(), &ValidatorController::roundApplied);
        QTest::mouseClick(m_page->outerStepButton(), Qt::LeftButton);
        QVERIFY(m_page->isBusy());
        QVERIFY2(waitForTask(finished, 1, errors), qPrintable(errors.value(0).value(0).toString()));
        QCOMPARE(applied.count(), 1);
        QCOMPARE(applied.at(0).at(0).toInt(), 0);

        const auto stateDir = m_controller->stateDir();
        const auto state = ValidatorState::load(stateDir);
        QCOMPARE(state.round, std::int64_t(1));
        QVERIFY(fs::exists(state.phi));
        QVERIFY(!loadTensorFile(state.phi).empty());
        const auto report = nlohmann::json::parse(readFile(stateDir / "round-0" / "report.json"));
        QVERIFY(report["updated"].get<bool>());
        QCOMPARE(report["settings"]["eval_batches"].get<int>(), 13);
        QCOMPARE(report["settings"]["eval_batch_size"].get<int>(), 2);
        QVERIFY(!report["eval_rows_repeat"].get<bool>());
        QCOMPARE(report["settings"]["outer"]["lr"].get<double>(), 0.5);
        QCOMPARE(report["settings"]["outer"]["momentum"].get<double>(), 0.8);
        for (const auto& j : report["submissions"]) {
            if (j["dir"] == keptDir) {
                QCOMPARE(j["weight"].get<double>(), 1.0);
                QCOMPARE(j["fate"].get<std::string>(), std::string("merged"));
            }
            if (j["dir"] == rejectedDir) {
                QCOMPARE(j["weight"].get<double>(), 0.0);
                QCOMPARE(j["fate"].get<std::string>(), std::string("overridden"));
            }
        }
        QCOMPARE(report["weights_overridden"].get<bool>(), true);

        // Recorded in the job store under the project, submissions included.
        const auto rounds = m_context->store()->rounds(m_world->projectId);
        QCOMPARE(int(rounds.size()), 1);
        QCOMPARE(rounds[0].number, 0);
        QCOMPARE(int(m_context->store()->submissions(rounds[0].id).size()), 4);

        // The page moved on to round 1, and the chart has Φ(0) and Φ(1).
        QCOMPARE(m_page->round(), 1);
        QCOMPARE(m_page->model()->rowCount(), 0);
        QVERIFY(!m_controller->hasScoredRound());
        QCOMPARE(m_page->roundSeries()->count(), 2);
        QCOMPARE(m_page->roundSeries()->at(1).x(), 1.0);
        QCOMPARE(m_page->roundSeries()->at(1).y(), report["new_loss"].get<double>());
        QCOMPARE(ValidatorController::roundHistory(stateDir).size(), std::size_t(2));
    }

    void errorsAreShownNotThrown()
    {
        QSignalSpy errors(m_controller.get(), &ValidatorController::errorShown);
        // Not a folder: refused at once.
        Q_EMIT m_page->submissionsFolderRequested(QStringLiteral("/no/such/folder"));
        QCOMPARE(errors.count(), 1);
        QVERIFY(m_page->findChild<QMessageBox*>());
        QVERIFY(!m_page->isBusy());

        // An empty folder: the engine finds no submission.
        QSignalSpy finished(m_controller->task(), &BackgroundTask::finished);
        const auto empty = test::freshDir("empty-subs");
        Q_EMIT m_page->submissionsFolderRequested(QString::fromStdString(empty.string()));
        QVERIFY(QTest::qWaitFor([&] { return finished.count() >= 1; }, kEngineTimeoutMs));
        QCOMPARE(errors.count(), 2);
        QVERIFY2(errors.at(1).at(0).toString().contains(QLatin1String("No submissions")),
                 qPrintable(errors.at(1).at(0).toString()));

        // The round-0 submissions against the round-1 state: all refused, nothing to aggregate.
        Q_EMIT m_page->submissionsFolderRequested(QString::fromStdString(m_world->subs.string()));
        QVERIFY(QTest::qWaitFor([&] { return finished.count() >= 2; }, kEngineTimeoutMs));
        QCOMPARE(errors.count(), 2);
        QCOMPARE(m_page->round(), 1);
        QCOMPARE(m_page->model()->rowCount(), 4);
        for (const auto& r : m_page->model()->submissions())
            QVERIFY(!r.verified && !r.accepted);
        QVERIFY(!m_page->outerStepButton()->isEnabled());

        // A project without an expert selection.
        const auto bare = m_context->store()->createProject("bare", m_world->modelDir.string(), "{}");
        for (const auto& d : m_context->store()->datasets(m_world->projectId))
            m_context->store()->addDataset(bare, d.role, d.spec);
        m_context->setCurrentProject(bare);
        QCOMPARE(m_page->round(), 0);
        QCOMPARE(m_page->roundSeries()->count(), 0);
        Q_EMIT m_page->submissionsFolderRequested(QString::fromStdString(m_world->subs.string()));
        QCOMPARE(errors.count(), 3);
        QVERIFY(errors.at(2).at(0).toString().contains(QLatin1String("Experts page")));
    }

    void closingTheProjectEmptiesThePage()
    {
        m_context->setCurrentProject(std::nullopt);
        QVERIFY(!m_page->openFolderButton()->isVisible());
        QCOMPARE(m_page->model()->rowCount(), 0);
        QCOMPARE(m_page->roundSeries()->count(), 0);
        // Rows put on the page without a project: the outer step stays off and nothing pretends
        // to step (no fake round).
        SubmissionReview r;
        r.miner = QStringLiteral("m1");
        r.path = QStringLiteral("/nowhere/m1");
        r.verified = true;
        r.reasonCode = QStringLiteral("accepted");
        r.baseLoss = 2.0;
        r.newLoss = 1.9;
        r.score = 0.1;
        m_page->setRound(4, {r});
        QVERIFY(m_page->model()->submissions().front().accepted);
        QVERIFY(!m_page->outerStepButton()->isEnabled());
        QSignalSpy asked(m_page.get(), &ValidatorPage::outerStepRequested);
        m_page->runOuterStep();
        QCOMPARE(asked.count(), 0);
        QCOMPARE(m_page->round(), 4);
    }

    void cleanupTestCase()
    {
        m_controller.reset();
        m_page.reset();
        m_context.reset();
    }
};

QTEST_MAIN(TestValidatorEngine)
#include "test_validator_engine.moc"
