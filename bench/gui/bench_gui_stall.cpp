// The longest GUI-thread stall while training runs: the miner dashboard (shown, offscreen)
// watches a training session; a 1 ms timer on the GUI thread records the gaps between its
// ticks. Goal: no stall above 50 ms. Two kinds of session:
//  - the real engine (EngineTrainingSession: tokenizing, model load, runMiner with held-out
//    loss every 10 steps) on a generated qwen3_moe "small" checkpoint and the demo corpus,
//    torch on every core, competing with the GUI thread for the CPU;
//  - a simulated trainer at 0, 1 and 5 ms per step, which floods the dashboard with steps far
//    faster than any real trainer (the coalescing's worst case).
//
//   QT_QPA_PLATFORM=offscreen build/bench/bench_gui_stall [simulated steps] [engine steps]
#include "core/demo/DemoCorpus.h"
#include "core/model/CheckpointGenerator.h"
#include "core/train/ModelIdentity.h"
#include "core/util/Paths.h"
#include "core/util/Runtime.h"
#include "ui/engine/EngineTrainingSession.h"
#include "support/gui/SimulatedTrainingSession.h"
#include "ui/miner/MinerDashboard.h"

#include <QLabel>
#include <QTemporaryDir>
#include <functional>

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>
#include <algorithm>
#include <cstdio>
#include <vector>

using namespace teft::ui;

namespace {

// Runs the dashboard with sessions from `factory` to the end; prints the GUI-thread gaps.
void measure(const char* label, int steps, const MinerDashboard::SessionFactory& factory, TrainingSettings s)
{
    MinerDashboard dash;
    TrainingSession* session = nullptr;
    dash.setSessionFactory([&](QObject* parent) { return session = factory(parent); });
    s.innerSteps = steps;
    dash.setSettings(s);
    dash.resize(1280, 800);
    dash.show();
    QApplication::processEvents();

    std::vector<double> gaps;
    QElapsedTimer clock;
    clock.start();
    qint64 last = clock.nsecsElapsed();
    QTimer tick;
    tick.setTimerType(Qt::PreciseTimer);
    tick.setInterval(1);
    QObject::connect(&tick, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        gaps.push_back((now - last) / 1e6);
        last = now;
    });
    tick.start();
    dash.start();
    QElapsedTimer wall;
    wall.start();
    // A real event loop, as in the application (processEvents() loops treat timers differently).
    QEventLoop loop;
    QObject::connect(session, &TrainingSession::stateChanged, &loop, [&](TrainingSession::State st) {
        if (st != TrainingSession::State::Running)
            loop.quit();
    });
    if (session->state() == TrainingSession::State::Running)
        loop.exec();
    tick.stop();
    if (session->state() != TrainingSession::State::Finished)
        std::printf("%s: the run ended in state %d: %s\n", label, static_cast<int>(session->state()),
                    dash.statusLabel()->text().toUtf8().constData());
    std::sort(gaps.begin(), gaps.end());
    const double worst = gaps.empty() ? 0 : gaps.back();
    const double p99 = gaps.empty() ? 0 : gaps[gaps.size() * 99 / 100];
    std::printf("%s: %d steps in %.0f ms, chart redraws %d, GUI gaps: p99 %.2f ms, worst %.2f ms\n", label, steps,
                wall.nsecsElapsed() / 1e6, dash.chartUpdates(), p99, worst);
}

} // namespace

int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const int steps = argc > 1 ? std::max(10, std::atoi(argv[1])) : 2000;
    const int engineSteps = argc > 2 ? std::max(2, std::atoi(argv[2])) : 60;

    // The real engine.
    {
        teft::configureThreads(0);
        QTemporaryDir tmp;
        const std::filesystem::path root = tmp.path().toStdString();
        teft::setDataDir(root / "data");
        teft::GenerateOptions go;
        go.arch = "qwen3_moe";
        go.preset = "small";
        teft::generateCheckpoint(root / "model", go);
        teft::JobControl control;
        teft::DemoCorpusOptions co;
        co.mbPerDomain = 0.2;
        co.domains = {"code"};
        const auto files = teft::writeDemoCorpus(root / "corpus", co, control);
        teft::Project project;
        project.id = 1;
        project.modelDir = root / "model";
        project.target.paths = {files.front().path};
        project.packing.seqLen = 128;
        project.packing.heldOutFraction = 0.05;
        teft::ExpertSelection selection(teft::modelFingerprint(project.modelDir));
        selection.setLayer(0, {0, 1});
        selection.setLayer(1, {2, 3});
        TrainingSettings s;
        s.batchSize = 8;
        s.sequenceLength = 128;
        s.learningRate = 1e-3;
        s.validationInterval = 10;
        s.checkpointInterval = 20;
        measure(
            "engine (qwen3_moe small, bf16)", engineSteps,
            [&](QObject* parent) { return new EngineTrainingSession(project, selection, parent); }, s);
    }

    for (int stepMs : {0, 1, 5}) {
        TrainingSettings s;
        s.validationInterval = 10;
        const std::string label = "simulated, " + std::to_string(stepMs) + " ms per step";
        measure(
            label.c_str(), steps,
            [stepMs](QObject* parent) {
                auto* session = new SimulatedTrainingSession(parent);
                session->setStepDuration(stepMs);
                return session;
            },
            s);
    }
    return 0;
}
