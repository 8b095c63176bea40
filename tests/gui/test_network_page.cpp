// The Network page with its controller on a real network: a shared-folder store (file://) in a
// temporary folder, a network made with the engine's own calls (initNetwork + openRound on a tiny
// generated model) holding a committed and uploaded submission. The page is driven through its
// widgets: connect, the round's slots and countdown, publishing a submission, a store whose
// validator is another key, and connections that fail.
#include "support/TestSupport.h"

#include "core/data/DatasetSpec.h"
#include "core/demo/DemoCorpus.h"
#include "core/model/CheckpointGenerator.h"
#include "core/net/Network.h"
#include "core/net/ObjectStore.h"
#include "core/teft/ExpertSelection.h"
#include "core/teft/MinerKey.h"
#include "core/store/JobStore.h"
#include "core/teft/Submission.h"
#include "core/util/Paths.h"
#include "core/util/Runtime.h"
#include "core/project/Project.h"
#include "core/train/ValidatorJob.h"
#include "ui/PageFactory.h"
#include "ui/engine/BackgroundTask.h"
#include "ui/engine/EngineTrainingSession.h"
#include "ui/engine/NetworkController.h"
#include "ui/miner/MinerDashboard.h"
#include "ui/network/NetworkPage.h"
#include "ui/validator/ValidatorPage.h"
#include "ui/shell/AppContext.h"
#include "ui/shell/Confirm.h"
#include "ui/shell/MainWindow.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTest>

#include <fstream>
#include <torch/torch.h>

using namespace teft;
using namespace teft::ui;
namespace fs = std::filesystem;

namespace {

constexpr int kWaitMs = 120000; // a wait for the worker, not a time limit on what is tested

QString fileUrl(const fs::path& dir) { return QStringLiteral("file://") + QString::fromStdString(dir.string()); }

// A signed submission for round 0 of `def` (the manifest is what the protocol checks on submit).
fs::path makeSubmission(const fs::path& dir, const net::NetworkDefinition& def, const MinerKey& key)
{
    SubmissionManifest m;
    m.baseFingerprint = def.baseFingerprint;
    m.selectionHash = def.selection.hash();
    m.round = 0;
    m.innerSteps = 1;
    m.tokensSeen = 16;
    m.dataShard = "0/1";
    TensorMap deltas;
    deltas["model.layers.0.mlp.experts.1.down_proj.weight"] = torch::full({4, 8}, 0.01f);
    writeSubmission(dir, m, deltas, &key);
    return dir;
}

QString cell(const QTableWidget* t, int row, int col)
{
    return t->item(row, col) ? t->item(row, col)->text() : QString();
}

} // namespace

class TestNetworkPage : public QObject {
    Q_OBJECT

    fs::path m_root;
    fs::path m_model;
    fs::path m_store;      // round 0 open, alpha's submission committed and uploaded
    fs::path m_otherStore; // a network whose validator is another key, no round yet
    fs::path m_ownSubmission;
    ExpertSelection m_selection;

    // Connects `page` (through its widgets) and waits for the controller to fill it.
    static bool connectPage(NetworkPage& page, NetworkController& controller, const QString& url)
    {
        QSignalSpy loaded(&controller, &NetworkController::loaded);
        page.urlEdit()->setText(url);
        QTest::mouseClick(page.connectButton(), Qt::LeftButton);
        if (loaded.isEmpty() && !loaded.wait(kWaitMs))
            return false;
        return loaded.at(0).at(0).toBool();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("teft-test"));
        QCoreApplication::setApplicationName(QStringLiteral("test_network_page"));
        QSettings().clear(); // the last store remembered by an earlier run
        configureThreads(1);
        m_root = test::freshDir("network");
        setDataDir(m_root / "data");
        m_model = m_root / "model";
        GenerateOptions go;
        go.arch = "qwen3_moe";
        go.preset = "tiny";
        go.seed = 5;
        generateCheckpoint(m_model, go);
        m_selection.setLayer(0, {1, 4});

        // This machine's key (MinerKey::defaultKeyDir()) is the validator of the first network.
        const MinerKey validator = MinerKey::loadOrCreate();
        m_store = m_root / "store";
        fs::create_directories(m_store);
        auto store = net::openObjectStore("file://" + m_store.string());
        net::NetworkInit init;
        init.name = "gui-test-net";
        init.modelDir = m_model;
        init.selection = m_selection;
        const auto def = net::initNetwork(*store, init, validator);
        net::Network network(*store);
        net::OpenRoundSettings open;
        open.modelDir = m_model;
        open.stateDir = m_root / "validator-state";
        net::openRound(network, open, validator);
        const MinerKey alpha = MinerKey::loadOrCreate(m_root / "keys" / "alpha", "alpha");
        net::submitToRound(network, makeSubmission(m_root / "subs" / "alpha", def, alpha), alpha);
        m_ownSubmission = makeSubmission(m_root / "subs" / "own", def, validator);

        // Another network, validated by another key.
        m_otherStore = m_root / "other-store";
        fs::create_directories(m_otherStore);
        auto other = net::openObjectStore("file://" + m_otherStore.string());
        init.name = "someone-elses-net";
        net::initNetwork(*other, init, MinerKey::generate("stranger"));
    }

    void countdownAndSizes()
    {
        QCOMPARE(NetworkPage::countdownText(754), QStringLiteral("12:34 left"));
        QCOMPARE(NetworkPage::countdownText(3723), QStringLiteral("1:02:03 left"));
        QCOMPARE(NetworkPage::countdownText(0), QStringLiteral("deadline passed"));
        QCOMPARE(NetworkPage::countdownText(-5), QStringLiteral("deadline passed"));
        QVERIFY(NetworkPage::bytesText(3 * 1024 * 1024).contains(QLatin1String("MiB")));
    }

    void emptyPageSaysWhatToDo()
    {
        NetworkPage page;
        QVERIFY(!page.isConnected());
        for (QPushButton* b : {page.pullButton(), page.submitButton(), page.openRoundButton(), page.closeRoundButton(),
                               page.verifyButton()}) {
            QVERIFY(!b->isEnabled());
            QVERIFY2(b->toolTip().contains(QLatin1String("Connect to a network")), qPrintable(b->toolTip()));
        }
        QCOMPARE(page.slotTable()->rowCount(), 0);
    }

    void connectShowsRoundSlotsAndCountdown()
    {
        NetworkPage page;
        NetworkController controller(&page, nullptr);
        page.resize(1280, 800);
        QVERIFY(connectPage(page, controller, fileUrl(m_store)));
        QVERIFY(page.isConnected());
        QVERIFY2(page.connectionLabel()->text().contains(QLatin1String("Connected")),
                 qPrintable(page.connectionLabel()->text()));
        QVERIFY(page.credentialsLabel()->text().contains(QLatin1String("none needed")));
        QVERIFY(page.definitionLabel()->text().contains(QLatin1String("gui-test-net")));
        QVERIFY(page.definitionLabel()->text().contains(QLatin1String("2 expert")));

        QCOMPARE(page.currentRound(), std::optional<qint64>(0));
        QCOMPARE(page.roundLabel()->text(), QStringLiteral("Round 0"));
        // Opened with the network's rule (an hour): counting down, not passed.
        QVERIFY2(page.countdownLabel()->text().endsWith(QLatin1String(" left")),
                 qPrintable(page.countdownLabel()->text()));

        const QTableWidget* slots = page.slotTable();
        QCOMPARE(slots->rowCount(), 1);
        QCOMPARE(cell(slots, 0, NetworkPage::SlotColumnSlot), QStringLiteral("0"));
        QCOMPARE(cell(slots, 0, NetworkPage::SlotColumnMiner), QStringLiteral("alpha"));
        const QString alphaKey = QString::fromStdString(MinerKey::load(m_root / "keys" / "alpha").publicKeyHex());
        QVERIFY(alphaKey.startsWith(cell(slots, 0, NetworkPage::SlotColumnKey).chopped(1)));
        QCOMPARE(slots->item(0, NetworkPage::SlotColumnKey)->toolTip(), alphaKey);
        QCOMPARE(cell(slots, 0, NetworkPage::SlotColumnState), QStringLiteral("uploaded"));
        QVERIFY(!cell(slots, 0, NetworkPage::SlotColumnBytes).isEmpty());
        QCOMPARE(page.historyTable()->rowCount(), 1);

        // This machine holds the validator's key, but without a project its actions say why not.
        QVERIFY(page.submitButton()->isEnabled());
        QVERIFY(!page.closeRoundButton()->isEnabled());
        QVERIFY2(page.closeRoundButton()->toolTip().contains(QLatin1String("project")),
                 qPrintable(page.closeRoundButton()->toolTip()));
        QVERIFY(!page.openRoundButton()->isEnabled());
        QVERIFY(!page.verifyButton()->isEnabled()); // no result yet
        QVERIFY(!page.pullButton()->isEnabled());   // Φ(t) goes into a project

        const QString shot = QString::fromStdString((test::workDir() / "network-page.png").string());
        QVERIFY(page.grab().save(shot));
        qInfo("screenshot: %s", qPrintable(shot));

        // The store is remembered (the application's settings, no project open): a new page offers it.
        NetworkPage again;
        NetworkController againController(&again, nullptr);
        QCOMPARE(again.urlEdit()->text(), fileUrl(m_store));
        QVERIFY(!again.isConnected());
    }

    void publishSubmissionFillsTheNextSlot()
    {
        NetworkPage page;
        NetworkController controller(&page, nullptr);
        QVERIFY(connectPage(page, controller, fileUrl(m_store)));
        QSignalSpy step(&controller, &NetworkController::stepFinished);
        QSignalSpy loaded(&controller, &NetworkController::loaded);
        // A refresh is running: the step waits for it to stop, then runs.
        QTest::mouseClick(page.refreshButton(), Qt::LeftButton);
        QVERIFY(controller.loadTask()->isRunning());
        page.requestSubmit(QString::fromStdString(m_ownSubmission.string()));
        QVERIFY(page.isBusy());
        QVERIFY(!page.submitButton()->isEnabled());
        QVERIFY(step.wait(kWaitMs));
        QVERIFY(step.at(0).at(0).toBool());
        QVERIFY2(page.statusLabel()->text().contains(QLatin1String("slot 1 of round 0")),
                 qPrintable(page.statusLabel()->text()));
        QVERIFY(!page.isBusy());
        // The page reads the round again after the step.
        QVERIFY(loaded.wait(kWaitMs));
        QCOMPARE(page.slotTable()->rowCount(), 2);
        QCOMPARE(cell(page.slotTable(), 1, NetworkPage::SlotColumnSlot), QStringLiteral("1"));
        QCOMPARE(cell(page.slotTable(), 1, NetworkPage::SlotColumnState), QStringLiteral("uploaded"));

        // A second commitment by the same key is refused, and the page says so.
        QSignalSpy failed(controller.task(), &BackgroundTask::failed);
        page.requestSubmit(QString::fromStdString((m_root / "subs" / "alpha").string()));
        QVERIFY(failed.wait(kWaitMs));
        QVERIFY2(page.statusLabel()->text().startsWith(QLatin1String("Failed:")),
                 qPrintable(page.statusLabel()->text()));
    }

    void anotherValidatorsNetworkDisablesValidatorActions()
    {
        NetworkPage page;
        NetworkController controller(&page, nullptr);
        QVERIFY(connectPage(page, controller, fileUrl(m_otherStore)));
        QVERIFY(page.definitionLabel()->text().contains(QLatin1String("someone-elses-net")));
        QVERIFY(!page.currentRound());
        QCOMPARE(page.roundLabel()->text(), QStringLiteral("No round opened yet"));
        QCOMPARE(page.slotTable()->rowCount(), 0);
        QVERIFY(!page.openRoundButton()->isEnabled());
        QVERIFY2(page.openRoundButton()->toolTip().contains(QLatin1String("Only the network's validator")),
                 qPrintable(page.openRoundButton()->toolTip()));
        QVERIFY(!page.submitButton()->isEnabled());
        QVERIFY(page.submitButton()->toolTip().contains(QLatin1String("No round")));
    }

    // The validator's loop with a project: open round 0 on the project's validator state, a
    // miner commits, pull Φ(t), close the round early (it asks first) with the project's model
    // and held-out data, verify the result.
    void validatorRoundWithAProject()
    {
        const fs::path storeDir = m_root / "project-store";
        fs::create_directories(storeDir);
        auto store = net::openObjectStore("file://" + storeDir.string());
        net::NetworkInit init;
        init.name = "project-net";
        init.modelDir = m_model;
        init.selection = m_selection;
        const auto def = net::initNetwork(*store, init, MinerKey::loadOrCreate());

        JobControl control;
        DemoCorpusOptions co;
        co.mbPerDomain = 0.03;
        co.domains = {"code"};
        const auto files = writeDemoCorpus(m_root / "corpus", co, control);
        DatasetSpec target;
        for (const auto& f : files)
            target.paths.push_back(f.path);
        AppContext context(JobStore::open(JobStore::defaultPath()));
        const auto id = context.store()->createProject("net", m_model.string(),
                                                       R"({"seq_len": 24, "held_out_fraction": 0.1, "device": "cpu"})");
        context.store()->addDataset(id, "target", toJson(target).dump());
        context.setCurrentProject(id);

        NetworkPage page;
        NetworkController controller(&page, &context);
        page.resize(1280, 800);
        QVERIFY(connectPage(page, controller, fileUrl(storeDir)));
        QVERIFY(!page.currentRound());
        // The store's address is remembered in the project's settings.
        const auto record = context.store()->project(id);
        QVERIFY(record);
        QVERIFY2(QString::fromStdString(record->settings).contains(QLatin1String("project-store")),
                 record->settings.c_str());
        QVERIFY2(page.openRoundButton()->isEnabled(), qPrintable(page.openRoundButton()->toolTip()));
        QVERIFY(!page.closeRoundButton()->isEnabled());

        QSignalSpy step(&controller, &NetworkController::stepFinished);
        QSignalSpy loaded(&controller, &NetworkController::loaded);
        QTest::mouseClick(page.openRoundButton(), Qt::LeftButton);
        QVERIFY(step.wait(kWaitMs));
        QVERIFY(loaded.wait(kWaitMs));
        QCOMPARE(page.currentRound(), std::optional<qint64>(0));
        QVERIFY(!page.openRoundButton()->isEnabled());
        QVERIFY(page.closeRoundButton()->isEnabled());

        // A miner commits (elsewhere); Refresh shows it.
        {
            net::Network network(*store);
            const MinerKey beta = MinerKey::loadOrCreate(m_root / "keys" / "beta", "beta");
            net::submitToRound(network, makeSubmission(m_root / "subs" / "beta", def, beta), beta);
        }
        loaded.clear();
        QTest::mouseClick(page.refreshButton(), Qt::LeftButton);
        QVERIFY(loaded.wait(kWaitMs));
        QCOMPARE(page.slotTable()->rowCount(), 1);
        QCOMPARE(cell(page.slotTable(), 0, NetworkPage::SlotColumnMiner), QStringLiteral("beta"));

        // Pull: round 0 trains from the base model's experts.
        QSignalSpy pulled(&controller, &NetworkController::phiPulled);
        step.clear();
        QTest::mouseClick(page.pullButton(), Qt::LeftButton);
        QVERIFY(step.wait(kWaitMs));
        QCOMPARE(pulled.count(), 1);
        QCOMPARE(pulled.at(0).at(0).toLongLong(), 0);
        QVERIFY(page.detailsView()->toPlainText().contains(QLatin1String("base model's experts")));
        QVERIFY(loaded.wait(kWaitMs));

        // Close early: the page asks first; declining does nothing.
        int asked = 0;
        const auto previous = setConfirmHandler([&asked](QWidget*, const QString&, const QString&) {
            ++asked;
            return false;
        });
        QTest::mouseClick(page.closeRoundButton(), Qt::LeftButton);
        QCOMPARE(asked, 1);
        QVERIFY(!page.isBusy());
        setConfirmHandler([&asked](QWidget*, const QString&, const QString&) {
            ++asked;
            return true;
        });
        step.clear();
        loaded.clear();
        QTest::mouseClick(page.closeRoundButton(), Qt::LeftButton);
        setConfirmHandler(previous);
        QCOMPARE(asked, 2);
        QVERIFY(page.isBusy());
        QVERIFY(step.wait(kWaitMs));
        QVERIFY2(step.at(0).at(0).toBool(), qPrintable(page.statusLabel()->text()));
        QVERIFY(page.statusLabel()->text().contains(QLatin1String("Round 0 closed")));
        QVERIFY(loaded.wait(kWaitMs));
        QCOMPARE(page.countdownLabel()->text(), QStringLiteral("closed"));
        // beta's delta names no tensor of the model: refused, with the verifier's reason.
        QCOMPARE(cell(page.slotTable(), 0, NetworkPage::SlotColumnState), QStringLiteral("refused"));
        QVERIFY(!cell(page.slotTable(), 0, NetworkPage::SlotColumnReason).isEmpty());
        QCOMPARE(page.historyTable()->rowCount(), 1);
        QVERIFY2(cell(page.historyTable(), 0, 3).contains(QStringLiteral("→")),
                 qPrintable(cell(page.historyTable(), 0, 3)));
        QCOMPARE(cell(page.historyTable(), 0, 4), QStringLiteral("0 of 1"));
        QVERIFY(page.openRoundButton()->isEnabled()); // the next round
        QVERIFY(!page.submitButton()->isEnabled());

        // Verify the published round.
        QVERIFY(page.verifyButton()->isEnabled());
        step.clear();
        QTest::mouseClick(page.verifyButton(), Qt::LeftButton);
        QVERIFY(step.wait(kWaitMs));
        QVERIFY2(step.at(0).at(0).toBool(), qPrintable(page.detailsView()->toPlainText()));
        QVERIFY(page.detailsView()->toPlainText().startsWith(QLatin1String("Round 0 verified")));
        const QString shot = QString::fromStdString((test::workDir() / "network-page-closed.png").string());
        QVERIFY(page.grab().save(shot));
        QVERIFY(loaded.wait(kWaitMs)); // the refresh after the step ends before the page goes

        // Pull again: round 0's result published Φ(1). The Train page (connected as PageFactory
        // connects it) trains the next run on that file, for round 1.
        MinerDashboard dash;
        connect(&controller, &NetworkController::phiPulled, &dash, &MinerDashboard::setNetworkPhi);
        pulled.clear();
        step.clear();
        loaded.clear();
        QTest::mouseClick(page.pullButton(), Qt::LeftButton);
        QVERIFY(step.wait(kWaitMs));
        QVERIFY2(step.at(0).at(0).toBool(), qPrintable(page.detailsView()->toPlainText()));
        QCOMPARE(pulled.count(), 1);
        QCOMPARE(pulled.at(0).at(0).toLongLong(), 1);
        const QString phi = pulled.at(0).at(1).toString();
        QVERIFY2(fs::is_regular_file(phi.toStdString()), qPrintable(phi));
        QCOMPARE(dash.networkRound(), std::optional<qint64>(1));
        QCOMPARE(dash.networkPhiFile(), phi);
        QCOMPARE(dash.settings().networkRound, std::optional<qint64>(1));
        QCOMPARE(dash.settings().phiFile, phi);
        const QString hash = QFileInfo(phi).completeBaseName().mid(4, 12); // phi-<sha256>
        QCOMPARE(dash.roundLabel()->text(), QStringLiteral("Network round 1: Φ ") + hash);
        QVERIFY(dash.clearNetworkPhiButton()->isVisibleTo(&dash));
        const Project project = Project::load(*context.store(), id);
        const MinerSettings onPulled = EngineTrainingSession::minerSettings(project, m_selection, dash.settings());
        QCOMPARE(onPulled.phiFile, fs::path(phi.toStdString()));
        QCOMPARE(onPulled.round, std::int64_t(1));
        // The project's own round: closing round 0 applied it to the project's validator state.
        const ValidatorState state = ValidatorState::load(project.validatorStateDir());
        dash.setRound(state.round);
        dash.resize(1280, 900);
        const QString trainShot = QString::fromStdString((test::workDir() / "train-page-network-round.png").string());
        QVERIFY(dash.grab().save(trainShot));
        // Back to the project's own round: its validator state's Φ and round.
        QTest::mouseClick(dash.clearNetworkPhiButton(), Qt::LeftButton);
        QVERIFY(!dash.networkRound());
        QVERIFY(dash.settings().phiFile.isEmpty());
        QVERIFY(!EngineTrainingSession::minerForm(dash.settings()).round);
        QCOMPARE(dash.roundLabel()->text(), QString::number(state.round));
        QVERIFY(!dash.clearNetworkPhiButton()->isVisibleTo(&dash));
        const MinerSettings own = EngineTrainingSession::minerSettings(project, m_selection, dash.settings());
        QCOMPARE(own.phiFile, state.phi);
        QCOMPARE(own.round, state.round);
        QVERIFY(own.phiFile != onPulled.phiFile);
        QVERIFY(loaded.wait(kWaitMs));

        // Round 1 opens: the history keeps round 0's row (read once, then kept: a closed round's
        // headline no longer changes) and adds round 1's, across refreshes.
        step.clear();
        loaded.clear();
        QVERIFY2(page.openRoundButton()->isEnabled(), qPrintable(page.openRoundButton()->toolTip()));
        QTest::mouseClick(page.openRoundButton(), Qt::LeftButton);
        QVERIFY(step.wait(kWaitMs));
        QVERIFY2(step.at(0).at(0).toBool(), qPrintable(page.statusLabel()->text()));
        QVERIFY(loaded.wait(kWaitMs));
        QCOMPARE(page.currentRound(), std::optional<qint64>(1));
        for (int refresh = 0; refresh < 2; ++refresh) {
            QCOMPARE(page.historyTable()->rowCount(), 2);
            QCOMPARE(cell(page.historyTable(), 0, 0), QStringLiteral("0"));
            QCOMPARE(cell(page.historyTable(), 0, 4), QStringLiteral("0 of 1"));
            QCOMPARE(cell(page.historyTable(), 1, 0), QStringLiteral("1"));
            if (refresh == 0) {
                loaded.clear();
                QTest::mouseClick(page.refreshButton(), Qt::LeftButton);
                QVERIFY(loaded.wait(kWaitMs));
            }
        }
    }

    // The main window's pages: a pull on the Network page reaches the Train page's form, and a
    // project switch forgets it (the pulled Φ(t) is the project's).
    void pulledPhiReachesTheTrainPageOfItsProject()
    {
        AppContext context(JobStore::open(JobStore::defaultPath()));
        const std::string settings = R"({"seq_len": 24, "held_out_fraction": 0.1, "device": "cpu"})";
        const auto first = context.store()->createProject("pull-a", m_model.string(), settings);
        const auto second = context.store()->createProject("pull-b", m_model.string(), settings);
        DatasetSpec target;
        target.paths = {m_root / "pull-target.txt"};
        {
            std::ofstream(target.paths.front()) << "def add(a, b):\n    return a + b\n";
        }
        for (const auto project : {first, second})
            context.store()->addDataset(project, "target", toJson(target).dump());
        context.setCurrentProject(first);
        MainWindow w(&context);
        installPages(w);
        auto* page = w.findChild<NetworkPage*>();
        auto* controller = w.findChild<NetworkController*>();
        auto* dash = w.findChild<MinerDashboard*>();
        QVERIFY(page && controller && dash);
        QVERIFY(!dash->networkRound());
        QVERIFY(!EngineTrainingSession::minerForm(dash->settings()).round);

        QVERIFY(connectPage(*page, *controller, fileUrl(m_store)));
        QSignalSpy step(controller, &NetworkController::stepFinished);
        QSignalSpy loaded(controller, &NetworkController::loaded);
        QVERIFY2(page->pullButton()->isEnabled(), qPrintable(page->pullButton()->toolTip()));
        QTest::mouseClick(page->pullButton(), Qt::LeftButton);
        QVERIFY(step.wait(kWaitMs));
        QVERIFY2(step.at(0).at(0).toBool(), qPrintable(page->detailsView()->toPlainText()));
        QVERIFY(loaded.wait(kWaitMs));
        // Round 0 trains from the base model's experts: the form carries the round, no file.
        QCOMPARE(dash->networkRound(), std::optional<qint64>(0));
        QVERIFY(dash->networkPhiFile().isEmpty());
        QVERIFY2(dash->roundLabel()->text().startsWith(QLatin1String("Network round 0")),
                 qPrintable(dash->roundLabel()->text()));
        const MinerForm form = EngineTrainingSession::minerForm(dash->settings());
        QCOMPARE(form.round, std::optional<std::int64_t>(0));
        QVERIFY(form.phiFile.empty());

        // The Validate page's hook: closing the network round goes to the Network page, which
        // says what is missing (this machine's key is not the network's validator key).
        auto* validate = w.findChild<ValidatorPage*>();
        QVERIFY(validate);
        w.showPage("validator");
        bool askedToClose = false;
        const auto previousConfirm = setConfirmHandler([&askedToClose](QWidget*, const QString&, const QString&) {
            askedToClose = true;
            return false; // before the deadline the page asks first: decline here
        });
        QTest::mouseClick(validate->closeNetworkRoundButton(), Qt::LeftButton);
        setConfirmHandler(previousConfirm);
        QCOMPARE(w.currentPageId(), QStringLiteral("network"));
        QCOMPARE(askedToClose, page->closeRoundButton()->isEnabled());
        if (!page->closeRoundButton()->isEnabled())
            QVERIFY2(page->statusLabel()->text().contains(QLatin1String("Close round")),
                     qPrintable(page->statusLabel()->text()));

        // Another project trains for its own round.
        context.setCurrentProject(second);
        QVERIFY(!dash->networkRound());
        QVERIFY(!dash->clearNetworkPhiButton()->isVisibleTo(dash));
        QVERIFY(!EngineTrainingSession::minerForm(dash->settings()).round);
        if (controller->task()->isRunning()) // a refresh started by the switch ends before the window goes
            QVERIFY(QSignalSpy(controller->task(), &BackgroundTask::finished).wait(kWaitMs));

        // A pull that finishes after a switch back does not pin its Φ on the other project: its
        // result reaches the GUI thread only after the switch below.
        context.setCurrentProject(first);
        if (controller->task()->isRunning())
            QVERIFY(QSignalSpy(controller->task(), &BackgroundTask::finished).wait(kWaitMs));
        QSignalSpy pulled(controller, &NetworkController::phiPulled);
        QSignalSpy finished(controller, &NetworkController::stepFinished);
        QVERIFY2(page->pullButton()->isEnabled(), qPrintable(page->pullButton()->toolTip()));
        QTest::mouseClick(page->pullButton(), Qt::LeftButton);
        context.setCurrentProject(second);
        QVERIFY(finished.wait(kWaitMs));
        QCOMPARE(pulled.count(), 0);
        QVERIFY(!dash->networkRound());
        if (controller->task()->isRunning())
            QVERIFY(QSignalSpy(controller->task(), &BackgroundTask::finished).wait(kWaitMs));
    }

    // The Train page's hook: a finished run with a submission asks for it to be published.
    void trainPageOffersAFinishedRunsSubmission()
    {
        MinerDashboard dash;
        QVERIFY(!dash.publishRunButton()->isEnabled());
        TrainingRun stopped;
        stopped.name = QStringLiteral("run 1");
        stopped.canContinue = true;
        TrainingRun done;
        done.name = QStringLiteral("run 2");
        done.submissionPath = QStringLiteral("/tmp/run-2/submission");
        dash.setRuns({done, stopped}, QStringLiteral("run 3"));
        QVERIFY(dash.selectRun(QStringLiteral("run 1")));
        QVERIFY(!dash.publishRunButton()->isEnabled());
        QVERIFY(dash.selectRun(QStringLiteral("run 2")));
        QVERIFY(dash.publishRunButton()->isEnabled());
        QSignalSpy asked(&dash, &MinerDashboard::publishRunRequested);
        QTest::mouseClick(dash.publishRunButton(), Qt::LeftButton);
        QCOMPARE(asked.count(), 1);
        QCOMPARE(asked.at(0).at(0).toString(), QStringLiteral("/tmp/run-2/submission"));
    }

    // S3 credentials: the page names their source and the access key's first characters, never
    // the secret; none found is a connection error that says where it looked.
    void credentialsShowTheirSourceNotTheSecret()
    {
        const fs::path aws = m_root / "aws";
        fs::create_directories(aws);
        {
            std::ofstream(aws / "credentials") << "[other]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = x\n";
        }
        {
            std::ofstream(aws / "config") << "";
        }
        qputenv("AWS_SHARED_CREDENTIALS_FILE", QByteArray::fromStdString((aws / "credentials").string()));
        qputenv("AWS_CONFIG_FILE", QByteArray::fromStdString((aws / "config").string()));
        qputenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE12345");
        qputenv("AWS_SECRET_ACCESS_KEY", "verysecretvalue");
        NetworkPage::StoreForm form;
        form.url = QStringLiteral("s3://bucket/net");
        form.endpoint = QStringLiteral("http://127.0.0.1:9");
        const QString text = NetworkController::credentialsText(form);
        QVERIFY2(text.contains(QLatin1String("environment")), qPrintable(text));
        QVERIFY(text.contains(QStringLiteral("AKIA…")));
        QVERIFY(!text.contains(QLatin1String("AKIAEXAMPLE12345")));
        QVERIFY(!text.contains(QLatin1String("verysecret")));

        qunsetenv("AWS_ACCESS_KEY_ID");
        qunsetenv("AWS_SECRET_ACCESS_KEY");
        NetworkPage page;
        NetworkController controller(&page, nullptr);
        page.endpointEdit()->setText(form.endpoint);
        page.profileEdit()->setText(QStringLiteral("nosuchprofile"));
        QVERIFY(!connectPage(page, controller, form.url));
        QCOMPARE(page.credentialsLabel()->text(), QStringLiteral("none found"));
        QVERIFY2(page.connectionLabel()->text().contains(QLatin1String("nosuchprofile")),
                 qPrintable(page.connectionLabel()->text()));
        QVERIFY(!page.isConnected());
        qunsetenv("AWS_SHARED_CREDENTIALS_FILE");
        qunsetenv("AWS_CONFIG_FILE");
    }

    void badStoresShowTheError()
    {
        NetworkPage page;
        NetworkController controller(&page, nullptr);
        // No URL: refused before anything runs.
        page.urlEdit()->clear();
        QTest::mouseClick(page.connectButton(), Qt::LeftButton);
        QVERIFY(page.connectionLabel()->text().contains(QLatin1String("enter the store's URL")));

        // A scheme that is no store.
        QVERIFY(!connectPage(page, controller, QStringLiteral("ftp://example.com/x")));
        QVERIFY(!page.isConnected());
        QVERIFY2(page.connectionLabel()->text().startsWith(QLatin1String("Could not connect:")),
                 qPrintable(page.connectionLabel()->text()));

        // A folder with no network in it (after a good connection: the old data goes).
        QVERIFY(connectPage(page, controller, fileUrl(m_store)));
        QCOMPARE(page.slotTable()->rowCount() > 0, true);
        const fs::path empty = test::freshDir("empty-store");
        QVERIFY(!connectPage(page, controller, fileUrl(empty)));
        QVERIFY(!page.isConnected());
        QVERIFY2(page.connectionLabel()->text().contains(QLatin1String("network.json")),
                 qPrintable(page.connectionLabel()->text()));
        QCOMPARE(page.slotTable()->rowCount(), 0);
        QVERIFY(!page.submitButton()->isEnabled());
        const QString shot = QString::fromStdString((test::workDir() / "network-page-error.png").string());
        page.resize(1280, 800);
        QVERIFY(page.grab().save(shot));
    }
};

QTEST_MAIN(TestNetworkPage)
#include "test_network_page.moc"
