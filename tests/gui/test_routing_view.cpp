// The routing view: heatmap model, mouse toggling and dragging, undo/redo, policies, files.
#include "support/TestSupport.h"

#include "core/teft/SelectionPolicy.h"
#include "core/util/Error.h"
#include "ui/sample/SampleRouting.h"
#include "ui/routing/PolicyPanel.h"
#include "ui/routing/RoutingHeatmap.h"
#include "ui/routing/RoutingHeatmapModel.h"
#include "ui/routing/RoutingPage.h"
#include "ui/routing/SelectionDocument.h"
#include "ui/routing/SelectionSummaryModel.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QTest>
#include <QUndoStack>
#include <QWheelEvent>
#include <algorithm>
#include <fstream>
#include <numeric>

using namespace teft;
using namespace teft::ui;

namespace {

// Indices of the n largest values of one row, ties to the lower id (independent of the engine).
std::vector<int> topIndices(const std::vector<double>& row, int n)
{
    std::vector<int> ids(row.size());
    std::iota(ids.begin(), ids.end(), 0);
    std::stable_sort(ids.begin(), ids.end(), [&](int a, int b) { return row[a] > row[b]; });
    ids.resize(static_cast<std::size_t>(n));
    std::sort(ids.begin(), ids.end());
    return ids;
}

std::vector<double> tokenShareRow(const RoutingStats& s, int row)
{
    std::vector<double> v(static_cast<std::size_t>(s.numExperts()));
    const double denom = double(s.tokens(row)) * s.topK();
    for (int e = 0; e < s.numExperts(); ++e)
        v[static_cast<std::size_t>(e)] = s.count(row, e) / denom;
    return v;
}

void writeText(const std::string& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary);
    out << text;
}

} // namespace

class TestRoutingView : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<RoutingPage> makePage()
    {
        auto page = std::make_unique<RoutingPage>();
        const SampleRouting sample = makeSampleRouting();
        page->setRouting(sample.layout, sample.target, &sample.reference, sample.paramsPerExpert, sample.bytesPerExpert,
                         sample.modelTotalBytes);
        page->policyPanel()->liveBox()->setChecked(false); // policies only when a test asks
        page->resize(1280, 800);
        page->show();
        if (!QTest::qWaitForWindowExposed(page.get()))
            return nullptr;
        page->heatmap()->setCellSize(14);
        page->heatmap()->horizontalScrollBar()->setValue(0);
        page->heatmap()->verticalScrollBar()->setValue(0);
        return page;
    }

private Q_SLOTS:
    void emptyPageHasNothingToSave()
    {
        // No statistics: an empty heatmap, a hint, and no engine action without a controller.
        RoutingPage page;
        QVERIFY(!page.hasRouting());
        QCOMPARE(page.model()->rowCount(), 0);
        QVERIFY(!page.isIdentifyEnabled());
        QVERIFY(!page.isSaveEnabled());
        // A project (the controller allows saving) still has nothing to save before statistics.
        page.setSaveEnabled(true);
        page.setIdentifyEnabled(true);
        QVERIFY(page.isIdentifyEnabled());
        QVERIFY(!page.isSaveEnabled());
        QSignalSpy save(&page, &RoutingPage::saveRequested);
        QSignalSpy identify(&page, &RoutingPage::identifyRequested);
        page.requestSave();
        QCOMPARE(save.count(), 0);
        page.requestIdentify();
        QCOMPARE(identify.count(), 1);
        const SampleRouting sample = makeSampleRouting(3, 8, 2, 50);
        page.setRouting(sample.layout, sample.target, nullptr, sample.paramsPerExpert, sample.bytesPerExpert,
                        sample.modelTotalBytes);
        QVERIFY(page.hasRouting());
        QVERIFY(page.isSaveEnabled());
        page.requestSave();
        QCOMPARE(save.count(), 1);
        page.setIdentifyEnabled(false, QStringLiteral("busy"));
        page.requestIdentify();
        QCOMPARE(identify.count(), 1);
    }

    void modelTester()
    {
        const SampleRouting demo = makeSampleRouting(6, 16, 4, 300);
        SelectionDocument doc;
        doc.setLayout(demo.layout);
        RoutingHeatmapModel model;
        model.setSelectionDocument(&doc);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setStats(demo.target);
        model.setReference(demo.reference);
        model.setMetric(RoutingMetric::GateScore);
        model.setMetric(RoutingMetric::ContrastLogRatio);
        doc.toggle(2, 3);
        model.setStats(makeSampleRouting(3, 8, 2, 50).target); // another shape: reset

        SelectionSummaryModel summary(&doc);
        QAbstractItemModelTester summaryTester(&summary, QAbstractItemModelTester::FailureReportingMode::QtTest);
        doc.setCostModel(100, 200, 10000);
        doc.toggle(1, 1);
        doc.setLayout(makeSampleRouting(3, 8, 2, 50).layout);
        QCOMPARE(summary.rowCount(), 3);
    }

    void modelValuesAreTheChosenMetric()
    {
        const SampleRouting demo = makeSampleRouting(4, 12, 3, 200);
        RoutingHeatmapModel model;
        model.setStats(demo.target);
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(model.columnCount(), 12);
        for (int r = 0; r < 4; ++r) {
            const std::vector<double> share = tokenShareRow(demo.target, r);
            for (int e = 0; e < 12; ++e)
                QCOMPARE(model.index(r, e).data(RoutingHeatmapModel::ValueRole).toDouble(), share[e]);
        }
        // Gate score g / N.
        model.setMetric(RoutingMetric::GateScore);
        QCOMPARE(model.index(2, 5).data(RoutingHeatmapModel::ValueRole).toDouble(),
                 demo.target.gateMass(2, 5) / double(demo.target.tokens(2)));
        // Contrast needs a reference; with one it is target − reference token share.
        QVERIFY_THROWS_EXCEPTION(UsageError, model.setMetric(RoutingMetric::ContrastDifference));
        model.setReference(demo.reference);
        model.setMetric(RoutingMetric::ContrastDifference);
        const double expected = tokenShareRow(demo.target, 1)[7] - tokenShareRow(demo.reference, 1)[7];
        QVERIFY(std::abs(model.index(1, 7).data(RoutingHeatmapModel::ValueRole).toDouble() - expected) < 1e-12);
        QVERIFY(model.isSigned());
        // A reference of another shape is refused, naming both shapes.
        try {
            model.setReference(makeSampleRouting(3, 12, 3, 10).target);
            QFAIL("a reference of another shape was accepted");
        } catch (const UsageError& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(QLatin1String("3 MoE layers")), e.what());
        }
        // The tooltip shows exact numbers.
        const QString tip = model.index(1, 7).data(Qt::ToolTipRole).toString();
        QVERIFY2(tip.contains(QLatin1String("expert 7")), qPrintable(tip));
        QVERIFY2(tip.contains(QString::number(demo.target.count(1, 7), 'f', 0)), qPrintable(tip));
    }

    void clickTogglesCell()
    {
        auto page = makePage();
        QVERIFY(page);
        RoutingHeatmap* map = page->heatmap();
        SelectionDocument* doc = page->document();
        QSignalSpy changed(doc, &SelectionDocument::changed);
        const QRect cell = map->cellRect(3, 5);
        QVERIFY(map->viewport()->rect().contains(cell));
        QCOMPARE(map->cellAt(cell.center()), QPoint(5, 3));
        QTest::mouseClick(map->viewport(), Qt::LeftButton, {}, cell.center());
        QVERIFY(doc->isSelected(3, 5));
        QVERIFY(doc->selection().contains(doc->layerOfRow(3), 5));
        QCOMPARE(doc->selection().count(), 1);
        QCOMPARE(changed.count(), 1);
        QVERIFY(page->model()->index(3, 5).data(RoutingHeatmapModel::SelectedRole).toBool());
        QTest::mouseClick(map->viewport(), Qt::LeftButton, {}, cell.center());
        QVERIFY(!doc->isSelected(3, 5));
        QCOMPARE(doc->selection().count(), 0);
        QCOMPARE(doc->undoStack()->count(), 2);
        // A click on the labels toggles nothing.
        QTest::mouseClick(map->viewport(), Qt::LeftButton, {}, QPoint(2, 2));
        QCOMPARE(doc->undoStack()->count(), 2);
    }

    void dragSelectsAlongThePathInOneStep()
    {
        auto page = makePage();
        QVERIFY(page);
        RoutingHeatmap* map = page->heatmap();
        SelectionDocument* doc = page->document();
        QWidget* vp = map->viewport();
        QTest::mousePress(vp, Qt::LeftButton, {}, map->cellRect(2, 1).center());
        // A fast drag: one move event far away still covers every cell in between.
        QTest::mouseMove(vp, map->cellRect(2, 6).center());
        QCOMPARE(doc->selection().count(), 0); // nothing committed before release
        QTest::mouseRelease(vp, Qt::LeftButton, {}, map->cellRect(2, 6).center());
        QCOMPARE(doc->selection().count(), 6);
        for (int e = 1; e <= 6; ++e)
            QVERIFY(doc->isSelected(2, e));
        QCOMPARE(doc->undoStack()->count(), 1);

        // Dragging from a selected cell deselects along the path.
        QTest::mousePress(vp, Qt::LeftButton, {}, map->cellRect(2, 3).center());
        QTest::mouseMove(vp, map->cellRect(2, 4).center());
        QTest::mouseMove(vp, map->cellRect(3, 4).center());
        QTest::mouseRelease(vp, Qt::LeftButton, {}, map->cellRect(3, 4).center());
        QCOMPARE(doc->selection().count(), 4);
        QVERIFY(!doc->isSelected(2, 3));
        QVERIFY(!doc->isSelected(2, 4));
        QVERIFY(!doc->isSelected(3, 4));
        QVERIFY(doc->isSelected(2, 5));

        // Undo restores each drag exactly, redo re-applies it.
        doc->undoStack()->undo();
        QCOMPARE(doc->selection().count(), 6);
        QVERIFY(doc->isSelected(2, 3));
        QVERIFY(!doc->isSelected(3, 4));
        doc->undoStack()->undo();
        QCOMPARE(doc->selection().count(), 0);
        doc->undoStack()->redo();
        QCOMPARE(doc->selection().count(), 6);
        // Escape cancels a drag in progress.
        QTest::mousePress(vp, Qt::LeftButton, {}, map->cellRect(5, 1).center());
        QTest::mouseMove(vp, map->cellRect(5, 3).center());
        QTest::keyClick(map, Qt::Key_Escape);
        QTest::mouseRelease(vp, Qt::LeftButton, {}, map->cellRect(5, 3).center());
        QCOMPARE(doc->selection().count(), 6);
    }

    void undoRedoActionsFollowTheStack()
    {
        auto page = makePage();
        QVERIFY(page);
        SelectionDocument* doc = page->document();
        QVERIFY(!page->undoAction()->isEnabled());
        doc->toggle(0, 0);
        doc->toggle(1, 1);
        QVERIFY(page->undoAction()->isEnabled());
        page->undoAction()->trigger();
        QVERIFY(doc->isSelected(0, 0));
        QVERIFY(!doc->isSelected(1, 1));
        QVERIFY(page->redoAction()->isEnabled());
        page->redoAction()->trigger();
        QVERIFY(doc->isSelected(1, 1));
        doc->clear();
        QCOMPARE(doc->selection().count(), 0);
        page->undoAction()->trigger();
        QCOMPARE(doc->selection().count(), 2);
    }

    void topKSliderSelectsTheBestExpertsOfEveryLayer()
    {
        auto page = makePage();
        QVERIFY(page);
        PolicyPanel* panel = page->policyPanel();
        SelectionDocument* doc = page->document();
        const RoutingStats& stats = page->model()->stats();
        panel->liveBox()->setChecked(true);
        panel->kindBox()->setCurrentIndex(0); // top-k
        for (int k : {3, 5, 1}) {
            panel->topKSlider()->setValue(k);
            for (int r = 0; r < stats.rows(); ++r) {
                const std::vector<int> want = topIndices(tokenShareRow(stats, r), k);
                QCOMPARE(doc->selection().experts(doc->layerOfRow(r)), want);
            }
        }
        // The whole slider drag is one undo step back to the empty selection.
        QCOMPARE(doc->undoStack()->count(), 1);
        doc->undoStack()->undo();
        QCOMPARE(doc->selection().count(), 0);
    }

    void topPSliderFollowsTheCumulativeShareRule()
    {
        auto page = makePage();
        QVERIFY(page);
        PolicyPanel* panel = page->policyPanel();
        SelectionDocument* doc = page->document();
        const RoutingStats& stats = page->model()->stats();
        panel->liveBox()->setChecked(true);
        panel->kindBox()->setCurrentIndex(1); // top-p
        panel->topPSlider()->setValue(35);
        for (int r = 0; r < stats.rows(); ++r) {
            std::vector<double> share = tokenShareRow(stats, r);
            const double total = std::accumulate(share.begin(), share.end(), 0.0);
            std::vector<int> ids(share.size());
            std::iota(ids.begin(), ids.end(), 0);
            std::stable_sort(ids.begin(), ids.end(), [&](int a, int b) { return share[a] > share[b]; });
            std::vector<int> want;
            double cum = 0.0;
            for (int id : ids) {
                want.push_back(id);
                cum += share[id] / total;
                if (cum >= 0.35 - 1e-12)
                    break;
            }
            std::sort(want.begin(), want.end());
            QCOMPARE(doc->selection().experts(doc->layerOfRow(r)), want);
        }
    }

    void budgetSelectsTheGlobalBest()
    {
        auto page = makePage();
        QVERIFY(page);
        PolicyPanel* panel = page->policyPanel();
        SelectionDocument* doc = page->document();
        const RoutingStats& stats = page->model()->stats();
        panel->kindBox()->setCurrentIndex(2);
        panel->budgetExpertsBox()->setValue(10);
        QCOMPARE(doc->selection().count(), 0); // not live: nothing until Apply
        panel->apply();
        QCOMPARE(doc->selection().count(), 10);
        // Every chosen cell scores at least as much as every cell left out.
        double worstChosen = 1e9, bestLeft = -1e9;
        for (int r = 0; r < stats.rows(); ++r)
            for (int e = 0; e < stats.numExperts(); ++e) {
                const double v = tokenShareRow(stats, r)[e];
                if (doc->isSelected(r, e))
                    worstChosen = std::min(worstChosen, v);
                else
                    bestLeft = std::max(bestLeft, v);
            }
        QVERIFY(worstChosen >= bestLeft);
        // The cost summary follows: 10 experts of the demo's size.
        const SelectionCost cost = doc->cost();
        QCOMPARE(cost.trainableParameters, 10 * doc->paramsPerExpert());
        QCOMPARE(cost.submissionBytes, 10 * doc->bytesPerExpert());
    }

    void importAndExportSelectionFiles()
    {
        const auto dir = test::freshDir("selection_files");
        auto page = makePage();
        QVERIFY(page);
        SelectionDocument* doc = page->document();
        doc->setCells({QPoint(1, 0), QPoint(7, 0), QPoint(3, 4), QPoint(63, 15)}, true);
        const ExpertSelection before = doc->selection();
        for (auto format : {SelectionDocument::FileFormat::Teft, SelectionDocument::FileFormat::Connito,
                            SelectionDocument::FileFormat::Esft}) {
            const QString path = QString::fromStdString(
                (dir / ("sel" + std::to_string(int(format)) + ".json")).string());
            doc->exportFile(path, format);
            doc->clear();
            QCOMPARE(doc->selection().count(), 0);
            doc->importFile(path);
            QCOMPARE(doc->selection().layers(), before.layers());
            doc->undoStack()->undo(); // the import is one step
            QCOMPARE(doc->selection().count(), 0);
            doc->undoStack()->redo();
        }
        // An expert id beyond the model is refused, naming the file; the selection is kept.
        const std::string bad = (dir / "bad.json").string();
        writeText(bad, R"({"3": [[0, 64]]})");
        try {
            doc->importFile(QString::fromStdString(bad));
            QFAIL("an out-of-range expert was imported");
        } catch (const Error& e) {
            const QString msg = QString::fromUtf8(e.what());
            QVERIFY2(msg.contains(QLatin1String("bad.json")) && msg.contains(QLatin1String("64")), e.what());
        }
        QCOMPARE(doc->selection().layers(), before.layers());
        const std::string garbage = (dir / "garbage.json").string();
        writeText(garbage, "not json at all");
        QVERIFY_THROWS_EXCEPTION(Error, doc->importFile(QString::fromStdString(garbage)));
        QVERIFY_THROWS_EXCEPTION(Error, doc->importFile(QString::fromStdString((dir / "missing.json").string())));
    }

    void zoomKeepsTheCachedColours()
    {
        auto page = makePage();
        QVERIFY(page);
        RoutingHeatmap* map = page->heatmap();
        map->grab();
        const int rebuilds = map->imageRebuilds();
        const int scaled = map->scaledRebuilds();
        const int size = map->cellSize();
        QWheelEvent wheel(QPointF(200, 200), map->viewport()->mapToGlobal(QPointF(200, 200)), QPoint(), QPoint(0, 120),
                          Qt::NoButton, Qt::ControlModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(map->viewport(), &wheel);
        QVERIFY(map->cellSize() > size);
        map->zoomOut();
        map->zoomOut();
        QVERIFY(map->cellSize() < size);
        map->grab();
        QCOMPARE(map->imageRebuilds(), rebuilds); // zooming rescales, it does not recolour
        QVERIFY(map->scaledRebuilds() > scaled);
        const int scaledAfterZoom = map->scaledRebuilds();
        page->document()->toggle(0, 0);
        map->grab();
        map->grab();
        QCOMPARE(map->imageRebuilds(), rebuilds);         // nor does a selection change
        QCOMPARE(map->scaledRebuilds(), scaledAfterZoom); // and repaints reuse the zoomed image
        page->metricBox()->setCurrentIndex(1);            // gate score
        QVERIFY(page->model()->metric() == RoutingMetric::GateScore);
        map->grab();
        QCOMPARE(map->imageRebuilds(), rebuilds + 1);
    }

    void screenshot()
    {
        auto page = makePage();
        QVERIFY(page);
        page->policyPanel()->kindBox()->setCurrentIndex(1);
        page->policyPanel()->apply();
        page->heatmap()->zoomToFit();
        const auto dir = test::freshDir("screenshots");
        QVERIFY(page->grab().save(QString::fromStdString((dir / "routing.png").string())));
        page->metricBox()->setCurrentIndex(2);
        QVERIFY(page->grab().save(QString::fromStdString((dir / "routing_contrast.png").string())));
        // A dark palette: the heatmap's background, grid and labels follow it.
        QPalette dark;
        dark.setColor(QPalette::Window, QColor(45, 45, 48));
        dark.setColor(QPalette::WindowText, QColor(230, 230, 230));
        dark.setColor(QPalette::Base, QColor(30, 30, 30));
        dark.setColor(QPalette::Text, QColor(230, 230, 230));
        dark.setColor(QPalette::Button, QColor(60, 60, 64));
        dark.setColor(QPalette::ButtonText, QColor(230, 230, 230));
        page->setPalette(dark);
        page->metricBox()->setCurrentIndex(0);
        QVERIFY(page->grab().save(QString::fromStdString((dir / "routing_dark.png").string())));
    }
};

QTEST_MAIN(TestRoutingView)
#include "test_routing_view.moc"
