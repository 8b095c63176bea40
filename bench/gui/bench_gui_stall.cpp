// The longest GUI-thread stall while training runs: the miner dashboard (shown, offscreen)
// watches the threaded demo session; a 1 ms timer on the GUI thread records the gaps between
// its ticks. Goal: no stall above 50 ms.
//
//   QT_QPA_PLATFORM=offscreen build/bench/bench_gui_stall [steps]
#include "ui/miner/DemoTrainingSession.h"
#include "ui/miner/MinerDashboard.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QTimer>
#include <algorithm>
#include <cstdio>
#include <vector>

using namespace teft::ui;

int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const int steps = argc > 1 ? std::max(10, std::atoi(argv[1])) : 2000;

    for (int stepMs : {0, 1, 5}) {
        MinerDashboard dash;
        DemoTrainingSession* session = nullptr;
        dash.setSessionFactory([&](QObject* parent) {
            session = new DemoTrainingSession(parent);
            session->setStepDuration(stepMs);
            return session;
        });
        TrainingSettings s;
        s.innerSteps = steps;
        s.validationInterval = 10;
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
        while (session->state() == TrainingSession::State::Running)
            QApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
        QApplication::processEvents();
        tick.stop();
        std::sort(gaps.begin(), gaps.end());
        const double worst = gaps.empty() ? 0 : gaps.back();
        const double p99 = gaps.empty() ? 0 : gaps[gaps.size() * 99 / 100];
        std::printf("step %d ms: %d steps in %.0f ms, chart redraws %d, GUI gaps: p99 %.2f ms, worst %.2f ms\n", stepMs,
                    steps, wall.nsecsElapsed() / 1e6, dash.chartUpdates(), p99, worst);
    }
    return 0;
}
