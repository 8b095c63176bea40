// HiDPI and dark palette: at a device pixel ratio of 2 (QT_SCALE_FACTOR, set before the
// application starts) every heatmap cell is painted in its own colour at its own place, in
// device pixels; in the dark theme the custom widgets and the charts draw from the dark
// palette (light text on dark backgrounds) and series keep their colours.
#include "ui/miner/LiveChart.h"
#include "ui/miner/MinerDashboard.h"
#include "ui/routing/RoutingHeatmap.h"
#include "ui/routing/RoutingHeatmapModel.h"
#include "ui/routing/RoutingPage.h"
#include "ui/sample/SamplePages.h"
#include "ui/shell/Appearance.h"
#include "ui/validator/ValidatorPage.h"

#include <QAbstractAxis>
#include <QApplication>
#include <QChart>
#include <QLineSeries>
#include <QTest>

using namespace teft::ui;

class TestAppearance : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void heatmapCellsAtDevicePixelRatioTwo()
    {
        RoutingPage page;
        showSampleRouting(page);
        page.resize(1280, 800);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        RoutingHeatmap* map = page.heatmap();
        QCOMPARE(map->devicePixelRatioF(), 2.0);
        const QPixmap shot = map->viewport()->grab();
        QCOMPARE(shot.devicePixelRatio(), 2.0);
        const QImage image = shot.toImage();
        const RoutingHeatmapModel* model = page.model();
        int checked = 0;
        for (int row = 0; row < model->rowCount(); row += 3) {
            for (int expert = 0; expert < model->columnCount(); expert += 7) {
                const QRect cell = map->cellRect(row, expert);
                if (cell.isEmpty() || !map->viewport()->rect().contains(cell) || model->isSelected(row, expert))
                    continue;                            // off screen, or with the selection overlay on top
                const QPoint centre = cell.center() * 2; // device pixels
                const QRgb expected = map->colourScale().colour(model->value(row, expert));
                QCOMPARE(QColor(image.pixel(centre)).name(), QColor(expected).name());
                ++checked;
            }
        }
        QVERIFY2(checked > 20, qPrintable(QString::number(checked)));
    }

    void darkThemeReachesWidgetsAndCharts()
    {
        auto* app = qobject_cast<QApplication*>(QCoreApplication::instance());
        MinerDashboard dash; // made in the light palette, switched while open
        showSampleTraining(dash);
        const QColor lossColour = dash.lossChart()->series(0)->pen().color();
        const QColor smoothColour = dash.lossChart()->series(1)->pen().color();
        applyTheme(*app, QStringLiteral("dark"));
        QVERIFY(isDark(QApplication::palette()));
        ValidatorPage validator;
        showSampleRound(validator);
        RoutingPage routing;
        showSampleRouting(routing);
        for (QWidget* w :
             {static_cast<QWidget*>(&dash), static_cast<QWidget*>(&validator), static_cast<QWidget*>(&routing)}) {
            w->resize(1280, 800);
            w->show();
            QVERIFY(QTest::qWaitForWindowExposed(w));
        }
        const QPalette pal = QApplication::palette();
        QChart* chart = dash.lossChart()->chart();
        QCOMPARE(chart->backgroundBrush().color(), pal.color(QPalette::Base));
        QVERIFY(chart->titleBrush().color().lightness() > 160);
        for (QAbstractAxis* axis : chart->axes())
            QVERIFY(axis->labelsColor().lightness() > 160);
        // The series keep their own colours (a chart theme would have replaced them).
        QCOMPARE(dash.lossChart()->series(0)->pen().color(), lossColour);
        QCOMPARE(dash.lossChart()->series(1)->pen().color(), smoothColour);
        QVERIFY(validator.scoreChart()->backgroundBrush().color().lightness() < 100);
        // The heatmap's background and labels come from the palette: the area outside the
        // cells is dark.
        const QImage heat = routing.heatmap()->viewport()->grab().toImage();
        const QColor corner(heat.pixel(heat.width() - 3, heat.height() - 3));
        QVERIFY2(corner.lightness() < 80, qPrintable(corner.name()));
        // Back to light: the charts follow again.
        applyTheme(*app, QStringLiteral("light"));
        QCoreApplication::processEvents();
        QVERIFY(dash.lossChart()->chart()->backgroundBrush().color().lightness() > 200);
    }
};

int main(int argc, char** argv)
{
    qputenv("QT_SCALE_FACTOR", "2");
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    TestAppearance test;
    return QTest::qExec(&test, argc, argv);
}

#include "test_appearance.moc"
