// The miner dashboard: charts follow the session's steps (coalesced), EMA smoothing, buttons,
// failures, and a real run of the threaded demo session.
#include "support/TestSupport.h"

#include "support/gui/SimulatedTrainingSession.h"
#include "ui/miner/LiveChart.h"
#include "ui/miner/MinerDashboard.h"
#include "ui/shell/ErrorAdvice.h"

#include <QComboBox>
#include <QLabel>
#include <QLineSeries>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSet>
#include <QSet>
#include <QSlider>
#include <QTest>
#include <cmath>

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
    }
};

QTEST_MAIN(TestMinerDashboard)
#include "test_miner_dashboard.moc"
