// Repaint time of the routing heatmap at 61 MoE layers × 256 experts (DeepSeek-V3's shape),
// offscreen. Goal: a repaint within 10 ms.
//
//   QT_QPA_PLATFORM=offscreen build/bench/bench_heatmap [repeats]
//
// Reports, for three zoom levels, the median and worst time of a full viewport repaint with
// the cached cell image, the time of a repaint that must rebuild that image (metric switch),
// and of a click-toggle + repaint.
#include "ui/sample/SampleRouting.h"
#include "ui/routing/RoutingHeatmap.h"
#include "ui/routing/RoutingHeatmapModel.h"
#include "ui/routing/SelectionDocument.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QPixmap>
#include <algorithm>
#include <cstdio>
#include <vector>

using namespace teft;
using namespace teft::ui;

namespace {

struct Stats {
    double median = 0;
    double worst = 0;
};

template <typename F>
Stats timeIt(int repeats, F&& f)
{
    std::vector<double> ms;
    ms.reserve(static_cast<std::size_t>(repeats));
    for (int i = 0; i < repeats; ++i) {
        QElapsedTimer t;
        t.start();
        f(i);
        ms.push_back(t.nsecsElapsed() / 1e6);
    }
    std::sort(ms.begin(), ms.end());
    return {ms[ms.size() / 2], ms.back()};
}

} // namespace

int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const int repeats = argc > 1 ? std::max(5, std::atoi(argv[1])) : 200;

    QElapsedTimer setup;
    setup.start();
    const SampleRouting demo = makeSampleRouting(61, 256, 8, 300, 11);
    SelectionDocument doc;
    doc.setLayout(demo.layout);
    RoutingHeatmapModel model;
    model.setSelectionDocument(&doc);
    model.setStats(demo.target);
    model.setReference(demo.reference);
    std::printf("heatmap %d x %d cells (data generated in %.0f ms)\n", model.rowCount(), model.columnCount(),
                setup.nsecsElapsed() / 1e6);

    // A realistic selection: 8 experts per layer.
    QVector<QPoint> cells;
    for (int r = 0; r < 61; ++r)
        for (int k = 0; k < 8; ++k)
            cells.push_back(QPoint((r * 37 + k * 29) % 256, r));
    doc.setCells(cells, true);

    RoutingHeatmap map;
    map.setModel(&model);
    map.resize(1600, 1000);
    map.show();
    QApplication::processEvents();
    QPixmap target(map.viewport()->size());

    std::printf("%-10s %-12s %10s %10s\n", "cell px", "case", "median ms", "worst ms");
    for (int cell : {3, 6, 16}) {
        map.setCellSize(cell);
        QApplication::processEvents();
        map.viewport()->render(&target); // warm-up (builds the image once)
        const Stats cached = timeIt(repeats, [&](int) { map.viewport()->render(&target); });
        std::printf("%-10d %-12s %10.3f %10.3f\n", cell, "repaint", cached.median, cached.worst);
        const Stats rebuild = timeIt(std::max(5, repeats / 10), [&](int i) {
            model.setMetric(i % 2 ? RoutingMetric::TokenShare : RoutingMetric::GateScore);
            map.viewport()->render(&target);
        });
        std::printf("%-10d %-12s %10.3f %10.3f\n", cell, "recolour", rebuild.median, rebuild.worst);
        const Stats toggle = timeIt(repeats, [&](int i) {
            doc.toggle(i % 61, (i * 7) % 256);
            map.viewport()->render(&target);
        });
        std::printf("%-10d %-12s %10.3f %10.3f\n", cell, "toggle", toggle.median, toggle.worst);
    }
    std::printf("colour image rebuilds: %d\n", map.imageRebuilds());
    return 0;
}
