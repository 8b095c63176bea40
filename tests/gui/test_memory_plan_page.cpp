// The memory plan and out-of-memory recovery in the desktop app: the Train page lists the
// devices with their memory ("auto" first), shows the plan of the form's settings and follows
// its changes, refuses Start with the plan's message when the run does not fit; a run that ran
// out of memory offers Resume (the failure box and the page's button) which starts the same run
// again; the Jobs view offers Resume for a training job that failed out of memory; the wizard's
// device page lists the devices with their free memory.
#include "support/TestSupport.h"

#include "core/model/CheckpointGenerator.h"
#include "core/store/JobStore.h"
#include "core/train/MemoryPlan.h"
#include "ui/jobs/JobsPage.h"
#include "ui/jobs/JobsTableModel.h"
#include "ui/miner/MinerDashboard.h"
#include "ui/shell/AppContext.h"
#include "ui/wizard/DevicePage.h"

#include <QComboBox>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>
#include <QTableView>
#include <QTest>

using namespace teft;
using namespace teft::ui;
namespace fs = std::filesystem;

namespace {

class FakeSession : public TrainingSession {
public:
    using TrainingSession::TrainingSession;
    void start(const TrainingSettings&) override
    {
        ++starts;
        setState(State::Running);
    }
    void pause() override { setState(State::Paused); }
    void resume() override { setState(State::Running); }
    void cancel() override { setState(State::Cancelled); }
    void emitFailed(const QString& message, ErrorKind kind)
    {
        setState(State::Failed);
        Q_EMIT failed(message, kind);
    }
    int starts = 0;
};

fs::path tinyModel()
{
    static const fs::path dir = [] {
        const auto d = test::freshDir("plan-model");
        GenerateOptions go;
        go.arch = "qwen3_moe";
        go.preset = "tiny";
        generateCheckpoint(d, go);
        return d;
    }();
    return dir;
}

// The real planner on the tiny model, with the form's settings and a memory limit.
MinerDashboard::PlanProvider planner(std::int64_t limit)
{
    const auto cfg = ModelConfig::load(tinyModel());
    return [cfg, limit](const TrainingSettings& form) -> std::optional<MemoryPlan> {
        MemoryPlanInput in;
        in.config = cfg;
        in.selection = {{0, {1, 4}}, {2, {6}}};
        in.mode = form.maskedRouting ? ExpertMode::Masked : ExpertMode::Full;
        in.batchSize = form.batchSize;
        in.seqLen = form.sequenceLength;
        in.device = form.device.toStdString();
        in.memoryLimit = limit;
        return planMemory(in);
    };
}

std::int64_t totalFor(int batch, int seq)
{
    TrainingSettings s;
    s.device = QStringLiteral("cpu");
    s.batchSize = batch;
    s.sequenceLength = seq;
    return planner(0)(s)->totalBytes();
}

} // namespace

class TestMemoryPlanPage : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void devicesAreListedWithTheirMemory()
    {
        MinerDashboard dash;
        QComboBox* devices = dash.deviceBox();
        QVERIFY(devices->count() >= 2);
        QCOMPARE(devices->itemData(0).toString(), QStringLiteral("auto"));
        const int cpu = devices->findData(QStringLiteral("cpu"));
        QVERIFY(cpu > 0);
        QVERIFY2(devices->itemText(cpu).contains(QLatin1String("free of")), qPrintable(devices->itemText(cpu)));
        for (int i = 0; i < devices->count(); ++i)
            if (devices->itemData(i).toString().startsWith(QLatin1String("cuda:")))
                QVERIFY(devices->itemText(i).contains(QLatin1String("free of")));

        DevicePage page;
        QCOMPARE(page.device(), QStringLiteral("auto"));
        QVERIFY(page.descriptionLabel()->text().contains(QLatin1String("cpu: ")));
        QVERIFY(page.descriptionLabel()->text().contains(QLatin1String("free of")));
        page.cpuButton()->setChecked(true);
        QCOMPARE(page.device(), QStringLiteral("cpu"));
        if (page.gpuButton()->isEnabled()) {
            page.gpuButton()->setChecked(true);
            QVERIFY(page.device().startsWith(QLatin1String("cuda:")));
            QVERIFY(page.gpuChoice()->currentText().contains(QLatin1String("free of")));
        }
    }

    void planFollowsTheFormAndRefusesStart()
    {
        // A limit between what batch 1 and batch 32 need (sequence 256).
        const auto small = totalFor(1, 256), large = totalFor(32, 256);
        QVERIFY(large > small);
        const auto limit = (small + large) / 2;
        MinerDashboard dash;
        int made = 0;
        dash.setSessionFactory([&](QObject* parent) -> TrainingSession* {
            ++made;
            return new FakeSession(parent);
        });
        TrainingSettings s;
        s.device = QStringLiteral("cpu");
        s.batchSize = 1;
        s.sequenceLength = 256;
        s.learningRate = 1e-4;
        dash.setSettings(s);
        dash.setPlanProvider(planner(limit));
        dash.resize(1200, 760);
        dash.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dash));
        QVERIFY(dash.plan() && dash.plan()->fits());
        QVERIFY(dash.planLabel()->isVisible());
        QVERIFY2(dash.planLabel()->text().contains(QLatin1String("fits")), qPrintable(dash.planLabel()->text()));
        QVERIFY(dash.planLabel()->text().contains(QLatin1String("weights")));
        QVERIFY(dash.planLabel()->text().contains(QLatin1String("activations")));

        // A bigger batch: the plan follows, Start is refused with the plan's message.
        s.batchSize = 32;
        dash.setSettings(s);
        QVERIFY(dash.plan() && !dash.plan()->fits());
        QVERIFY(dash.planLabel()->text().contains(QLatin1String("does not fit")));
        QVERIFY(dash.planLabel()->text().contains(QLatin1String("To fit:")));
        const auto shots = test::freshDir("plan-screenshots");
        QVERIFY(dash.grab().save(QString::fromStdString((shots / "train-plan-refused.png").string())));
        QTest::mouseClick(dash.startButton(), Qt::LeftButton);
        QCOMPARE(made, 0);
        auto* box = dash.findChild<QMessageBox*>(QStringLiteral("memoryPlanRefusedBox"));
        QVERIFY(box);
        QVERIFY2(box->text().contains(QLatin1String("needs about")), qPrintable(box->text()));
        QVERIFY(box->text().contains(QLatin1String("memory limit")));
        QVERIFY(dash.statusLabel()->text().startsWith(QLatin1String("Not started")));
        box->close();

        // A batch that fits: Start goes ahead.
        s.batchSize = 1;
        dash.setSettings(s);
        QVERIFY(dash.plan()->fits());
        QTest::mouseClick(dash.startButton(), Qt::LeftButton);
        QCOMPARE(made, 1);
        QVERIFY(dash.session());
        QVERIFY(dash.grab().save(QString::fromStdString((shots / "train-plan-fits.png").string())));
    }

    void outOfMemoryOffersResume()
    {
        MinerDashboard dash;
        FakeSession* fake = nullptr;
        dash.setSessionFactory([&](QObject* parent) { return fake = new FakeSession(parent); });
        dash.show();
        QTest::mouseClick(dash.startButton(), Qt::LeftButton);
        QVERIFY(fake);
        QCOMPARE(fake->starts, 1);

        // A plain failure: nothing to resume.
        fake->emitFailed(QStringLiteral("broken"), ErrorKind::General);
        QVERIFY(!dash.resumeButton()->isEnabled());
        auto* box = dash.findChild<QMessageBox*>(QStringLiteral("trainingFailedBox"));
        QVERIFY(box);
        QVERIFY(!box->findChild<QPushButton*>(QStringLiteral("resumeAfterFailureButton")));
        box->close();
        QTRY_VERIFY(!dash.findChild<QMessageBox*>(QStringLiteral("trainingFailedBox")));

        // Out of memory: the message with its advice, Resume in the box and on the page.
        FakeSession* first = fake;
        QTest::mouseClick(dash.startButton(), Qt::LeftButton); // Start makes a new session
        QVERIFY(fake != first);
        QCOMPARE(fake->starts, 1);
        const QString message = QStringLiteral("Out of memory on cpu at inner step 3 of 4 (std::bad_alloc). The job "
                                               "stopped; its last checkpoint (step 2) is kept");
        fake->emitFailed(message, ErrorKind::OutOfMemory);
        box = dash.findChild<QMessageBox*>(QStringLiteral("trainingFailedBox"));
        QVERIFY(box);
        QCOMPARE(box->text(), message);
        QVERIFY(box->informativeText().contains(QLatin1String("batch size")));
        auto* resumeInBox = box->findChild<QPushButton*>(QStringLiteral("resumeAfterFailureButton"));
        QVERIFY(resumeInBox);
        QVERIFY(dash.resumeButton()->isEnabled());
        QTest::mouseClick(resumeInBox, Qt::LeftButton);
        QCOMPARE(fake->starts, 2); // the same session, started again: its checkpoint continues
        QCOMPARE(dash.session(), static_cast<TrainingSession*>(fake));
        QVERIFY(!dash.resumeButton()->isEnabled()); // running again

        // The page's own Resume button does the same.
        fake->emitFailed(message, ErrorKind::OutOfMemory);
        QVERIFY(dash.resumeButton()->isEnabled());
        QTest::mouseClick(dash.resumeButton(), Qt::LeftButton);
        QCOMPARE(fake->starts, 3);
    }

    void jobsViewResumesAnOutOfMemoryJob()
    {
        const auto dir = test::freshDir("plan-jobs");
        AppContext context(JobStore::open(dir / "teft.db"));
        JobsPage page(&context);
        page.show();
        auto cli = JobStore::open(dir / "teft.db");
        const auto failed = cli->startJob("train", "{}", (dir / "out").string());
        cli->setJobState(failed, JobStore::JobState::Failed, "broken");
        QTRY_COMPARE_WITH_TIMEOUT(page.model()->rowCount(), 1, 10000);
        page.table()->selectRow(0);
        QTRY_VERIFY_WITH_TIMEOUT(page.model()->jobAt(0) && page.model()->jobAt(0)->state == JobStore::JobState::Failed,
                                 10000);
        QVERIFY(!page.resumeButton()->isEnabled());
        cli->setJobState(failed, JobStore::JobState::Failed, "Out of memory", errorKindName(ErrorKind::OutOfMemory));
        QTRY_VERIFY_WITH_TIMEOUT(page.resumeButton()->isEnabled(), 10000);
    }
};

QTEST_MAIN(TestMemoryPlanPage)
#include "test_memory_plan_page.moc"
