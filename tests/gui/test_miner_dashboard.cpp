// The miner dashboard: charts follow the session's steps (coalesced), EMA smoothing, buttons,
// failures, and a real run of the threaded demo session.
#include "support/TestSupport.h"

#include "support/gui/SimulatedTrainingSession.h"
#include "ui/miner/LiveChart.h"
#include "ui/miner/MinerDashboard.h"
#include "ui/shell/ErrorAdvice.h"

#include <QComboBox>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QGraphicsTextItem>
#include <QRegularExpression>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QSignalSpy>
#include <QTreeWidget>
#include <QLineSeries>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSet>
#include <QTabWidget>
#include <QSlider>
#include <QTest>
#include <cmath>
#include <limits>

using namespace teft;
using namespace teft::ui;

namespace {

// A session the test drives by hand.
class FakeSession : public TrainingSession {
public:
    using TrainingSession::TrainingSession;
    void start(const TrainingSettings& s) override
    {
        started = s;
        setState(State::Running);
    }
    void pause() override { setState(State::Paused); }
    void resume() override { setState(State::Running); }
    void cancel() override { setState(State::Cancelled); }
    void emitStep(const TrainingMetrics& m) { Q_EMIT step(m); }
    void emitFailed(const QString& message, ErrorKind kind)
    {
        setState(State::Failed);
        Q_EMIT failed(message, kind);
    }
    void emitFinished(const TrainingResult& r)
    {
        setState(State::Finished);
        Q_EMIT finished(r);
    }
    TrainingSettings started;
};

TrainingMetrics metricsAt(int step, int total)
{
    TrainingMetrics m;
    m.step = step;
    m.totalSteps = total;
    m.loss = 3.0 / (1.0 + step) + 0.1 * ((step * 7) % 5); // deterministic wiggle
    m.learningRate = 1e-5 * step;
    m.tokensPerSecond = 1000.0 + step;
    m.elapsedSeconds = 0.5 * step;
    if (step % 5 == 0)
        m.validationLoss = 2.0 - 0.01 * step;
    return m;
}

} // namespace

class TestMinerDashboard : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void chartsFollowStepsInCoalescedRepaints()
    {
        MinerDashboard dash;
        FakeSession* fake = nullptr;
        dash.setSessionFactory([&](QObject* parent) { return fake = new FakeSession(parent); });
        TrainingSettings s;
        s.innerSteps = 50;
        s.learningRate = 3e-4;
        s.batchSize = 8;
        s.maskedRouting = false;
        dash.setSettings(s);
        dash.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dash));
        QTest::mouseClick(dash.startButton(), Qt::LeftButton);
        QVERIFY(fake);
        QCOMPARE(fake->started.innerSteps, 50);
        QCOMPARE(fake->started.learningRate, 3e-4);
        QCOMPARE(fake->started.batchSize, 8);
        QVERIFY(!fake->started.maskedRouting);
        QVERIFY(!dash.startButton()->isEnabled());
        QVERIFY(dash.pauseButton()->isEnabled());

        // 40 steps arrive in one burst: nothing drawn yet, then one repaint draws them all.
        const int before = dash.chartUpdates();
        for (int i = 1; i <= 40; ++i)
            fake->emitStep(metricsAt(i, 50));
        QCOMPARE(dash.lossChart()->series(0)->count(), 0);
        QTRY_COMPARE(dash.lossChart()->series(0)->count(), 40);
        QCOMPARE(dash.chartUpdates(), before + 1);
        QCOMPARE(dash.validationChart()->series(0)->count(), 8); // steps 5, 10, ..., 40
        QCOMPARE(dash.learningRateChart()->series(0)->count(), 40);
        QCOMPARE(dash.throughputChart()->series(0)->count(), 40);
        QCOMPARE(dash.lossChart()->series(0)->at(9).y(), metricsAt(10, 50).loss);
        QCOMPARE(dash.validationChart()->series(0)->at(1), QPointF(10, metricsAt(10, 50).validationLoss));
        QCOMPARE(dash.progressBar()->value(), 40);
        QCOMPARE(dash.progressBar()->maximum(), 50);

        // The smoothed series is the EMA with the slider's weight, recomputed when it moves.
        for (int value : {80, 30, 0}) {
            dash.smoothingSlider()->setValue(value);
            const double w = value / 100.0;
            double ema = metricsAt(1, 50).loss;
            for (int i = 1; i <= 40; ++i) {
                if (i > 1)
                    ema = w * ema + (1.0 - w) * metricsAt(i, 50).loss;
                QVERIFY(std::abs(dash.lossChart()->series(1)->at(i - 1).y() - ema) < 1e-12);
            }
        }

        // Pause / resume / cancel reach the session and the buttons follow its state.
        QTest::mouseClick(dash.pauseButton(), Qt::LeftButton);
        QVERIFY(fake->state() == TrainingSession::State::Paused);
        QVERIFY(dash.resumeButton()->isEnabled());
        QVERIFY(!dash.pauseButton()->isEnabled());
        QTest::mouseClick(dash.resumeButton(), Qt::LeftButton);
        QVERIFY(fake->state() == TrainingSession::State::Running);
        QTest::mouseClick(dash.cancelButton(), Qt::LeftButton);
        QVERIFY(fake->state() == TrainingSession::State::Cancelled);
        QVERIFY(dash.startButton()->isEnabled());
        QVERIFY(!dash.cancelButton()->isEnabled());
    }

    // Every precision the page offers is one the engine computes in (bf16, fp32): fp16 was
    // offered and always refused. Settings saved with "fp16" come back as an offered choice.
    void offersOnlyPrecisionsTheEngineRuns()
    {
        MinerDashboard dash;
        QSet<QString> offered;
        for (auto* combo : dash.findChildren<QComboBox*>())
            for (int i = 0; i < combo->count(); ++i)
                if (QStringList{"bf16", "fp16", "fp32", "f16", "half"}.contains(combo->itemData(i).toString()))
                    offered.insert(combo->itemData(i).toString());
        QCOMPARE(offered, (QSet<QString>{"bf16", "fp32"}));
        TrainingSettings s;
        s.precision = QStringLiteral("fp16");
        dash.setSettings(s);
        QVERIFY(offered.contains(dash.settings().precision));
    }

    // The update encoding is part of the form: shown, kept, and passed to the session.
    void encodingIsAFormSetting()
    {
        MinerDashboard dash;
        FakeSession* fake = nullptr;
        dash.setSessionFactory([&](QObject* parent) { return fake = new FakeSession(parent); });
        QCOMPARE(dash.settings().encoding, QStringLiteral("bf16")); // the default, as `teft train`
        TrainingSettings s;
        s.encoding = QStringLiteral("int8");
        dash.setSettings(s);
        QCOMPARE(dash.settings().encoding, QStringLiteral("int8"));
        s.encoding = QStringLiteral("f32");
        dash.setSettings(s);
        QCOMPARE(dash.settings().encoding, QStringLiteral("f32"));
        dash.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dash));
        QTest::mouseClick(dash.startButton(), Qt::LeftButton);
        QVERIFY(fake);
        QCOMPARE(fake->started.encoding, QStringLiteral("f32"));
    }

    void failureShowsMessageAndAdvice()
    {
        MinerDashboard dash;
        FakeSession* fake = nullptr;
        dash.setSessionFactory([&](QObject* parent) { return fake = new FakeSession(parent); });
        dash.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dash));
        dash.start();
        QVERIFY(fake);
        fake->emitFailed(QStringLiteral("CUDA out of memory while allocating 2.00 GiB"), ErrorKind::OutOfMemory);
        auto* box = dash.findChild<QMessageBox*>(QStringLiteral("trainingFailedBox"));
        QVERIFY(box);
        QVERIFY(box->text().contains(QLatin1String("out of memory")));
        QVERIFY2(box->informativeText().contains(QLatin1String("batch size")), qPrintable(box->informativeText()));
        QVERIFY(dash.startButton()->isEnabled());
        box->close();
        QTRY_VERIFY(!dash.findChild<QMessageBox*>(QStringLiteral("trainingFailedBox")));

        // The advice follows the kind, not the wording: a message that mentions "information",
        // "device" and "NaN" but is a plain failure gets the general advice, not the NaN one.
        dash.start();
        fake->emitFailed(QStringLiteral("no information about the device, NaN"), ErrorKind::General);
        box = dash.findChild<QMessageBox*>(QStringLiteral("trainingFailedBox"));
        QVERIFY(box);
        QVERIFY2(!box->informativeText().contains(QLatin1String("learning rate")), qPrintable(box->informativeText()));
        QVERIFY2(!box->informativeText().contains(QLatin1String("GPU driver")), qPrintable(box->informativeText()));
        QVERIFY2(box->informativeText().contains(QLatin1String("checkpoint is kept")),
                 qPrintable(box->informativeText()));
        box->close();

        // One piece of advice per kind, each its own.
        QVERIFY(MinerDashboard::adviceFor(ErrorKind::NonFinite).contains(QLatin1String("learning rate")));
        QVERIFY(MinerDashboard::adviceFor(ErrorKind::DeviceUnavailable).contains(QLatin1String("CPU")));
        QVERIFY(MinerDashboard::adviceFor(ErrorKind::Storage).contains(QLatin1String("disk space")));
        QVERIFY(MinerDashboard::adviceFor(ErrorKind::OutOfMemory).contains(QLatin1String("batch size")));
        QVERIFY(MinerDashboard::adviceFor(ErrorKind::Cancelled).isEmpty());
        QSet<QString> advice;
        for (ErrorKind k : {ErrorKind::General, ErrorKind::BadInput, ErrorKind::Usage, ErrorKind::OutOfMemory,
                            ErrorKind::NonFinite, ErrorKind::DeviceUnavailable, ErrorKind::Network, ErrorKind::Storage})
            advice.insert(MinerDashboard::adviceFor(k));
        QCOMPARE(advice.size(), 8);
        // Other pages use the same advice, with their own line for a general failure.
        QCOMPARE(errorAdvice(ErrorKind::Storage), MinerDashboard::adviceFor(ErrorKind::Storage));
        QCOMPARE(errorAdvice(ErrorKind::General, QStringLiteral("own line")), QStringLiteral("own line"));
        QVERIFY(!errorAdvice(ErrorKind::General).isEmpty());
    }

    void finishedShowsTheSubmission()
    {
        MinerDashboard dash;
        FakeSession* fake = nullptr;
        dash.setSessionFactory([&](QObject* parent) { return fake = new FakeSession(parent); });
        dash.start();
        TrainingResult r;
        r.submissionPath = QStringLiteral("/tmp/round-3/miner.safetensors");
        r.submissionBytes = 3 * 1024 * 1024;
        r.steps = 20;
        fake->emitFinished(r);
        QVERIFY(dash.resultLabel()->text().contains(QLatin1String("/tmp/round-3/miner.safetensors")));
        QVERIFY(dash.resultLabel()->text().contains(QLatin1String("3.00 MiB")));
    }

    // A fresh page shows no numbers of any run: no progress, no ETA, no curves, no result.
    void aFreshPageShowsNoExampleNumbers()
    {
        MinerDashboard dash;
        QCOMPARE(dash.progressBar()->value(), 0);
        QVERIFY(dash.etaLabel()->text().isEmpty());
        QVERIFY(dash.resultLabel()->text().isEmpty());
        for (LiveChart* c : {dash.lossChart(), dash.validationChart(), dash.learningRateChart(), dash.throughputChart(),
                             dash.compareLossChart(), dash.compareValidationChart()})
            for (int i = 0; i < c->seriesCount(); ++i)
                QCOMPARE(c->series(i)->count(), 0);
        QCOMPARE(dash.runsView()->topLevelItemCount(), 0);
        QVERIFY(!dash.continueRunButton()->isEnabled());
        QVERIFY(dash.statusLabel()->text().contains(QLatin1String("project")));
    }

    // The ETA comes from this session's own steps and active time (the engine leaves pauses
    // out): a run resumed at step 79 of 100 whose steps take 3 s has about 21 × 3 s left, not
    // "0:05" from a counter that starts at 79; the elapsed time is the engine's, pauses left out.
    void etaAndElapsedComeFromTheSessionsActiveTime()
    {
        MinerDashboard dash;
        FakeSession* fake = nullptr;
        dash.setSessionFactory([&](QObject* parent) { return fake = new FakeSession(parent); });
        dash.start();
        QVERIFY(fake);
        auto resumedStep = [](int k) {
            TrainingMetrics m;
            m.step = 79 + k;
            m.totalSteps = 100;
            m.loss = 2.0;
            m.learningRate = 1e-5;
            m.tokensPerSecond = 500;
            m.stepsThisRun = k;
            m.activeSeconds = 3.0 * k;           // 3 s a step
            m.elapsedSeconds = 1000.0 + 3.0 * k; // the job's earlier sessions, pauses left out
            return m;
        };
        fake->emitStep(resumedStep(1));
        dash.flush();
        // 20 steps left × 3 s = 1:00; elapsed 1003 s = 16:43.
        QVERIFY2(dash.etaLabel()->text().contains(QLatin1String("1:00 left")), qPrintable(dash.etaLabel()->text()));
        QVERIFY2(dash.etaLabel()->text().contains(QLatin1String("16:43")), qPrintable(dash.etaLabel()->text()));
        // A pause between steps 2 and 3: the engine's active and elapsed time leave it out, so
        // the ETA does not jump.
        fake->emitStep(resumedStep(2));
        QTest::mouseClick(dash.pauseButton(), Qt::LeftButton);
        QTest::mouseClick(dash.resumeButton(), Qt::LeftButton);
        fake->emitStep(resumedStep(3));
        dash.flush();
        QVERIFY2(dash.etaLabel()->text().contains(QLatin1String("0:54 left")), qPrintable(dash.etaLabel()->text()));
        QVERIFY2(dash.etaLabel()->text().contains(QLatin1String("16:49")), qPrintable(dash.etaLabel()->text()));
        QCOMPARE(dash.progressBar()->value(), 82);
        // A recorded run (no session time) has no ETA.
        QVector<TrainingMetrics> recorded{metricsAt(1, 10), metricsAt(2, 10)};
        dash.showMetrics(recorded);
        QVERIFY(dash.etaLabel()->text().isEmpty());
    }

    // Tokens/s, learning rate and losses cannot be negative: no axis pads below 0.
    void axesOfNonNegativeQuantitiesStayAtOrAboveZero()
    {
        MinerDashboard dash;
        QVector<TrainingMetrics> steps;
        for (int i = 1; i <= 20; ++i) {
            TrainingMetrics m;
            m.step = i;
            m.totalSteps = 20;
            m.loss = i == 1 ? 0.01 : 3.0;              // near 0 and far from it
            m.learningRate = i == 1 ? 0.0 : 1e-4;      // warm-up from 0
            m.tokensPerSecond = i == 2 ? 1.0 : 1052.0; // the step after a pause
            m.validationLoss = i % 5 == 0 ? 0.02 * i : std::numeric_limits<double>::quiet_NaN();
            steps.push_back(m);
        }
        dash.showMetrics(steps);
        for (LiveChart* c :
             {dash.lossChart(), dash.validationChart(), dash.learningRateChart(), dash.throughputChart()}) {
            QVERIFY2(c->yMinimum() >= 0.0, qPrintable(QString::number(c->yMinimum())));
            QVERIFY(c->yMaximum() > c->yMinimum());
        }
        QVERIFY(dash.throughputChart()->yMaximum() >= 1052.0);
    }

    // The charts' numbers are in the widget's locale: German axis labels and tooltips read "1,5",
    // not "1.5" (QValueAxis formats with printf unless the chart localises).
    void chartNumbersFollowTheLocale()
    {
        LiveChart chart(QStringLiteral("Loss"), QStringLiteral("loss"));
        chart.setLocale(QLocale(QLocale::German, QLocale::Germany));
        const int series = chart.addSeries(QStringLiteral("loss"), Qt::blue);
        chart.appendPoints(series, {{1, 1.25}, {2, 1.5}, {3, 1.75}, {1200, 1.6}});
        chart.resize(1280, 400);
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        const auto shots = test::freshDir("chart-locale");
        QVERIFY(chart.grab().save(QString::fromStdString((shots / "chart-de.png").string())));
        QStringList labels;
        for (QGraphicsItem* item : chart.scene()->items()) {
            if (auto* text = dynamic_cast<QGraphicsTextItem*>(item))
                labels << text->toPlainText();
            else if (auto* simple = dynamic_cast<QGraphicsSimpleTextItem*>(item))
                labels << simple->text();
        }
        const QRegularExpression decimal(QStringLiteral("^-?\\d+([.,])\\d+$"));
        int commas = 0;
        for (const QString& label : std::as_const(labels)) {
            const auto m = decimal.match(label);
            if (!m.hasMatch())
                continue;
            QVERIFY2(m.captured(1) == QLatin1String(","), qPrintable(labels.join(QLatin1Char('|'))));
            ++commas;
        }
        QVERIFY2(commas >= 2, qPrintable(labels.join(QLatin1Char('|'))));
        // The step axis has its numbers too (0 … 1500 here), whole ones without digit grouping
        // (no "1.000").
        QVERIFY2(labels.contains(QStringLiteral("0")) && labels.contains(QStringLiteral("1000")),
                 qPrintable(labels.join(QLatin1Char('|'))));
        for (const QString& label : std::as_const(labels))
            QVERIFY2(!label.isEmpty(), qPrintable(labels.join(QLatin1Char('|'))));
        QCOMPARE(chart.pointText(series, 2.1), QStringLiteral("loss at step 2: 1,5"));
        QCOMPARE(chart.pointText(series, 1000), QStringLiteral("loss at step 1200: 1,6"));
        // Back in English: the same chart follows.
        chart.setLocale(QLocale(QLocale::English, QLocale::UnitedStates));
        QCOMPARE(chart.pointText(series, 2.1), QStringLiteral("loss at step 2: 1.5"));
    }

    // The finished summary is the held-out loss before and after, not the last noisy batch.
    void finishedSummaryShowsTheHeldOutLossBeforeAndAfter()
    {
        MinerDashboard dash;
        FakeSession* fake = nullptr;
        dash.setSessionFactory([&](QObject* parent) { return fake = new FakeSession(parent); });
        dash.start();
        TrainingResult r;
        r.steps = 20;
        r.finalLoss = 1.2345;
        r.validationLossBefore = 2.5;
        r.validationLossAfter = 2.125;
        fake->emitFinished(r);
        const QString text = dash.statusLabel()->text();
        QVERIFY2(text.contains(QLocale().toString(2.5, 'f', 4)) && text.contains(QLocale().toString(2.125, 'f', 4)),
                 qPrintable(text));
        QVERIFY2(!text.contains(QLocale().toString(1.2345, 'f', 4)), qPrintable(text));
        // Not measured: said so, with what to change.
        dash.start();
        TrainingResult unmeasured;
        unmeasured.steps = 5;
        unmeasured.finalLoss = 1.2345;
        fake->emitFinished(unmeasured);
        QVERIFY2(dash.statusLabel()->text().contains(QLatin1String("not measured")),
                 qPrintable(dash.statusLabel()->text()));
    }

    // Every start keeps the form as typed (a new run's name aside, which the run list advances).
    void theFormKeepsItsValuesAcrossStarts()
    {
        MinerDashboard dash;
        FakeSession* fake = nullptr;
        dash.setSessionFactory([&](QObject* parent) { return fake = new FakeSession(parent); });
        TrainingSettings s;
        s.innerSteps = 37;
        s.learningRate = 2e-4;
        s.batchSize = 3;
        s.shardIndex = 2;
        s.shardCount = 4;
        s.validationInterval = 7;
        s.runName = QStringLiteral("sweep a");
        dash.setSettings(s);
        auto* lr = dash.findChild<QLineEdit*>(QStringLiteral("learningRateEdit"));
        QVERIFY(lr);
        lr->setText(QStringLiteral("2e-4")); // as typed
        for (int round = 0; round < 2; ++round) {
            dash.start();
            QVERIFY(fake);
            QCOMPARE(fake->started.innerSteps, 37);
            QCOMPARE(fake->started.learningRate, 2e-4);
            QCOMPARE(fake->started.shardIndex, 2);
            QCOMPARE(fake->started.shardCount, 4);
            QCOMPARE(fake->started.validationInterval, 7);
            TrainingResult r;
            r.steps = 37;
            fake->emitFinished(r);
            QCOMPARE(lr->text(), QStringLiteral("2e-4"));
            QCOMPARE(dash.settings().batchSize, 3);
        }
    }

    // The run manager: selecting a run restores its settings (under a new run's name) and
    // curves; ticked runs are overlaid; Continue is offered only for a run stopped early.
    void runsRestoreSettingsAndOverlayCurves()
    {
        MinerDashboard dash;
        auto run = [](const QString& name, double lr, int shard, bool stopped) {
            TrainingRun r;
            r.name = name;
            r.stateText = stopped ? QStringLiteral("stopped") : QStringLiteral("finished");
            r.round = 2;
            r.shardIndex = shard;
            r.shardCount = 3;
            r.totalSteps = 10;
            r.stepsDone = stopped ? 4 : 10;
            r.canContinue = stopped;
            r.settings.innerSteps = 10;
            r.settings.learningRate = lr;
            r.settings.shardIndex = shard;
            r.settings.shardCount = 3;
            r.settings.runName = name;
            for (int i = 1; i <= r.stepsDone; ++i) {
                TrainingMetrics m = metricsAt(i, 10);
                m.loss += lr * 1000;
                r.metrics.push_back(m);
            }
            return r;
        };
        dash.setRuns({run(QStringLiteral("run 2"), 3e-4, 1, true), run(QStringLiteral("run 1"), 1e-4, 0, false)},
                     QStringLiteral("run 3"));
        QCOMPARE(dash.runsView()->topLevelItemCount(), 2);
        QCOMPARE(dash.settings().runName, QStringLiteral("run 3")); // a new run never takes a listed name
        QVERIFY(dash.runsView()->topLevelItem(0)->text(3).contains(QLatin1String("1")));

        QVERIFY(dash.selectRun(QStringLiteral("run 1")));
        QCOMPARE(dash.settings().learningRate, 1e-4);
        QCOMPARE(dash.settings().shardIndex, 0);
        QCOMPARE(dash.settings().shardCount, 3);
        QCOMPARE(dash.settings().runName, QStringLiteral("run 3"));
        QCOMPARE(dash.lossChart()->series(0)->count(), 10);
        QVERIFY(!dash.continueRunButton()->isEnabled()); // finished
        QVERIFY(dash.selectRun(QStringLiteral("run 2")));
        QCOMPARE(dash.settings().learningRate, 3e-4);
        QCOMPARE(dash.settings().shardIndex, 1);
        QCOMPARE(dash.lossChart()->series(0)->count(), 4);
        QVERIFY(dash.continueRunButton()->isEnabled());
        QSignalSpy continued(&dash, &MinerDashboard::continueRunRequested);
        dash.continueRunButton()->click();
        QCOMPARE(continued.count(), 1);
        QCOMPARE(continued.at(0).at(0).value<TrainingRun>().name, QStringLiteral("run 2"));

        dash.setCompared(QStringLiteral("run 1"), true);
        dash.setCompared(QStringLiteral("run 2"), true);
        QCOMPARE(dash.compareLossChart()->seriesCount(), 2);
        QCOMPARE(dash.compareLossChart()->series(0)->name(), QStringLiteral("run 2"));
        QCOMPARE(dash.compareLossChart()->series(0)->count(), 4);
        QCOMPARE(dash.compareLossChart()->series(1)->count(), 10);
        QCOMPARE(dash.compareValidationChart()->series(1)->count(), 2); // steps 5 and 10
        QVERIFY(dash.compareLossChart()->series(0)->at(0).y() != dash.compareLossChart()->series(1)->at(0).y());
        // The ticks survive a refresh of the list; unticking removes the curve.
        dash.setRuns(dash.runs(), QStringLiteral("run 3"));
        QCOMPARE(dash.comparedRuns(), (QStringList{QStringLiteral("run 2"), QStringLiteral("run 1")}));
        dash.setCompared(QStringLiteral("run 2"), false);
        QCOMPARE(dash.compareLossChart()->seriesCount(), 1);
        QCOMPARE(dash.compareLossChart()->series(0)->name(), QStringLiteral("run 1"));
    }

    // Another project: nothing of the previous one stays, and its active run is stopped.
    void resetForProjectClearsThePageAndStopsTheRun()
    {
        MinerDashboard dash;
        FakeSession* fake = nullptr;
        dash.setSessionFactory([&](QObject* parent) { return fake = new FakeSession(parent); });
        dash.start();
        for (int i = 1; i <= 5; ++i) {
            TrainingMetrics m = metricsAt(i, 50);
            m.stepsThisRun = i;
            m.activeSeconds = i;
            fake->emitStep(m);
        }
        dash.flush();
        QVERIFY(!dash.etaLabel()->text().isEmpty());
        QPointer<FakeSession> old = fake;
        dash.resetForProject();
        QVERIFY(!dash.session());
        QVERIFY(!old || old->state() == TrainingSession::State::Cancelled);
        QCOMPARE(dash.progressBar()->value(), 0);
        QVERIFY(dash.etaLabel()->text().isEmpty());
        QVERIFY(dash.resultLabel()->text().isEmpty());
        QCOMPARE(dash.lossChart()->series(0)->count(), 0);
        QCOMPARE(dash.runsView()->topLevelItemCount(), 0);
        QVERIFY(dash.startButton()->isEnabled());
    }

    void demoSessionRunsOnAWorkerThread()
    {
        MinerDashboard dash;
        SimulatedTrainingSession* demo = nullptr;
        dash.setSessionFactory([&](QObject* parent) {
            demo = new SimulatedTrainingSession(parent);
            demo->setStepDuration(2);
            return demo;
        });
        TrainingSettings s;
        s.innerSteps = 30;
        s.validationInterval = 10;
        dash.setSettings(s);
        dash.start();
        QTRY_VERIFY_WITH_TIMEOUT(demo->state() == TrainingSession::State::Finished, 20000);
        QTRY_COMPARE(dash.lossChart()->series(0)->count(), 30);
        QVERIFY(dash.resultLabel()->text().contains(QLatin1String("safetensors")));

        // Pause holds the worker at a checkpoint; cancel from pause stops it.
        dash.setSettings([] {
            TrainingSettings t;
            t.innerSteps = 100000;
            return t;
        }());
        dash.start();
        QTRY_VERIFY(dash.lossChart()->series(0)->count() > 0);
        dash.pauseButton()->click();
        QVERIFY(demo->state() == TrainingSession::State::Paused);
        dash.cancelButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(demo->state() == TrainingSession::State::Cancelled, 20000);
        QVERIFY(dash.statusLabel()->text().contains(QLatin1String("Cancelled")));

        // A failure raised on the worker reaches the dialog.
        dash.setSessionFactory([&](QObject* parent) {
            demo = new SimulatedTrainingSession(parent);
            demo->setStepDuration(1);
            demo->failAtStep(3, QStringLiteral("Out of memory on cpu"));
            return demo;
        });
        dash.start();
        QTRY_VERIFY_WITH_TIMEOUT(demo->state() == TrainingSession::State::Failed, 20000);
        QVERIFY(dash.findChild<QMessageBox*>(QStringLiteral("trainingFailedBox")));
    }

    void screenshot()
    {
        MinerDashboard dash;
        FakeSession* fake = nullptr;
        dash.setSessionFactory([&](QObject* parent) { return fake = new FakeSession(parent); });
        dash.resize(1280, 800);
        dash.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dash));
        TrainingSettings s;
        s.innerSteps = 200;
        dash.setSettings(s);
        dash.start();
        double loss = 3.2;
        for (int i = 1; i <= 120; ++i) {
            TrainingMetrics m;
            m.step = i;
            m.totalSteps = 200;
            loss = 1.9 + (loss - 1.9) * 0.97;
            m.loss = loss + 0.06 * std::sin(i * 1.7) + 0.03 * std::cos(i * 0.37);
            m.learningRate = i <= 20 ? 1e-5 * i / 20.0 : 1e-5 * 0.5 * (1.0 + std::cos(M_PI * i / 200.0));
            m.tokensPerSecond = 2000 + 150 * std::sin(i * 0.2);
            m.elapsedSeconds = 1.3 * i;
            if (i % 10 == 0)
                m.validationLoss = loss + 0.05;
            fake->emitStep(m);
        }
        dash.flush();
        const auto dir = test::freshDir("screenshots");
        QVERIFY(dash.grab().save(QString::fromStdString((dir / "miner.png").string())));

        // The run manager with three runs of a project, two of them compared.
        fake->cancel();
        QVector<TrainingRun> runs;
        for (int r = 0; r < 3; ++r) {
            TrainingRun run;
            run.name = QStringLiteral("run %1").arg(3 - r);
            run.stateText = r == 0 ? QStringLiteral("stopped") : QStringLiteral("finished");
            run.round = 1;
            run.shardIndex = 2 - r;
            run.shardCount = 3;
            run.totalSteps = 200;
            run.stepsDone = r == 0 ? 90 : 200;
            run.canContinue = r == 0;
            run.settings.innerSteps = 200;
            run.settings.learningRate = 1e-5 * (r + 1);
            run.settings.shardIndex = run.shardIndex;
            run.settings.shardCount = run.shardCount;
            double l = 3.2;
            for (int i = 1; i <= run.stepsDone; ++i) {
                TrainingMetrics m;
                m.step = i;
                m.totalSteps = 200;
                l = (1.7 + 0.15 * r) + (l - (1.7 + 0.15 * r)) * 0.97;
                m.loss = l + 0.06 * std::sin(i * 1.7 + r);
                m.learningRate = run.settings.learningRate;
                m.tokensPerSecond = 2000;
                if (i % 20 == 0)
                    m.validationLoss = l + 0.05;
                run.metrics.push_back(m);
            }
            runs.push_back(run);
        }
        dash.setRuns(runs, QStringLiteral("run 4"));
        dash.selectRun(QStringLiteral("run 3"));
        dash.setCompared(QStringLiteral("run 1"), true);
        dash.setCompared(QStringLiteral("run 2"), true);
        QVERIFY(dash.grab().save(QString::fromStdString((dir / "miner-runs.png").string())));
        dash.chartTabs()->setCurrentIndex(1);
        QVERIFY(dash.grab().save(QString::fromStdString((dir / "miner-compare.png").string())));
        qInfo("screenshots in %s", dir.string().c_str());
    }
};

QTEST_MAIN(TestMinerDashboard)
#include "test_miner_dashboard.moc"
