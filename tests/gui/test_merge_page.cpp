// The merge page: it asks for a merge (mergeRequested with the output folder, refused without
// one), shows progress, cancel, failures and the before/after comparison it is given. The merge
// itself runs in MergeController (tests/gui/test_merge_engine.cpp).
#include "support/TestSupport.h"

#include "ui/merge/MergeComparisonModel.h"
#include "ui/merge/MergePage.h"

#include <QAbstractItemModelTester>
#include <QLabel>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <cmath>
#include <limits>

using namespace teft;
using namespace teft::ui;

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}

class TestMergePage : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void emptyPageSaysWhatToDo()
    {
        MergePage page;
        QCOMPARE(page.model()->rowCount(), 0); // no example rows
        QVERIFY(!page.isMergeAvailable());
        QVERIFY(!page.mergeButton()->isEnabled());
        QVERIFY(page.mergeButton()->toolTip().contains(QLatin1String("Open or create a project")));
        QVERIFY(page.statusLabel()->text().contains(QLatin1String("Open or create a project")));
        QSignalSpy asked(&page, &MergePage::mergeRequested);
        page.setOutputDir(QStringLiteral("/tmp/out"));
        page.requestMerge();
        QCOMPARE(asked.count(), 0);
        QVERIFY(!page.isRunning());
    }

    void requestProgressAndComparison()
    {
        MergePage page;
        QAbstractItemModelTester tester(page.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        page.setRows({{QStringLiteral("target"), true, 2.0, kNaN}, {QStringLiteral("general"), false, 3.0, kNaN}});
        page.setMergeAvailable(true);
        QVERIFY(page.mergeButton()->isEnabled());
        QSignalSpy asked(&page, &MergePage::mergeRequested);

        // No output folder: refused before asking.
        page.setOutputDir(QString());
        QTest::mouseClick(page.mergeButton(), Qt::LeftButton);
        QCOMPARE(asked.count(), 0);
        QVERIFY(page.statusLabel()->text().contains(QLatin1String("output folder")));

        page.setOutputDir(QStringLiteral("  /tmp/merged-out "));
        QTest::mouseClick(page.mergeButton(), Qt::LeftButton);
        QCOMPARE(asked.count(), 1);
        QCOMPARE(asked.at(0).at(0).toString(), QStringLiteral("/tmp/merged-out"));

        // The controller's side: started, progress, done with rows.
        page.showStarted(QStringLiteral("/tmp/merged-out"));
        QVERIFY(page.isRunning());
        QVERIFY(!page.mergeButton()->isEnabled());
        QVERIFY(page.cancelButton()->isEnabled());
        page.showProgress(1, 4, QStringLiteral("writing"));
        QCOMPARE(page.progressBar()->maximum(), 4);
        QCOMPARE(page.progressBar()->value(), 1);
        QSignalSpy done(&page, &MergePage::mergeFinished);
        page.setRows({{QStringLiteral("target"), true, 2.0, 1.5}, {QStringLiteral("general"), false, 3.0, 3.03}});
        page.showFinished(MergePage::Outcome::Succeeded, QStringLiteral("/tmp/merged-out"));
        QCOMPARE(done.count(), 1);
        QVERIFY(done.at(0).at(0).toBool());
        QVERIFY(!page.isRunning());
        QVERIFY(page.mergeButton()->isEnabled());
        QVERIFY(page.statusLabel()->text().contains(QLatin1String("/tmp/merged-out")));
        // Change in percent against the loss before.
        QCOMPARE(page.model()->index(0, MergeComparisonModel::ChangeColumn).data().toString(),
                 QStringLiteral("-25.00 %"));
        QCOMPARE(page.model()->index(1, MergeComparisonModel::ChangeColumn).data().toString(),
                 QStringLiteral("+1.00 %"));
    }

    void cancelAndFailure()
    {
        MergePage page;
        page.setRows({{QStringLiteral("target"), true, 2.0, kNaN}});
        page.setMergeAvailable(true);
        page.setOutputDir(QStringLiteral("/tmp/x"));
        QSignalSpy cancel(&page, &MergePage::cancelRequested);
        QSignalSpy done(&page, &MergePage::mergeFinished);
        page.requestCancel();
        QCOMPARE(cancel.count(), 0); // nothing runs
        page.showStarted(page.outputDir());
        QTest::mouseClick(page.cancelButton(), Qt::LeftButton);
        QCOMPARE(cancel.count(), 1);
        page.showFinished(MergePage::Outcome::Cancelled);
        QCOMPARE(done.count(), 1);
        QVERIFY(!done.at(0).at(0).toBool());
        QVERIFY(page.statusLabel()->text().contains(QLatin1String("Cancelled")));
        QVERIFY(std::isnan(page.model()->rows()[0].after));

        page.showStarted(page.outputDir());
        page.showFinished(MergePage::Outcome::Failed, QStringLiteral("No space left on /tmp/x (needs 12.9 GiB)"));
        QCOMPARE(done.count(), 2);
        QVERIFY(page.statusLabel()->text().contains(QLatin1String("No space left")));
        QVERIFY(page.findChild<QMessageBox*>());
        QCOMPARE(page.model()->rowCount(), 1); // a failure keeps the rows
        QVERIFY(page.mergeButton()->isEnabled());
    }

    void screenshot()
    {
        MergePage page;
        page.setRows({{QStringLiteral("code (target, held-out)"), true, 1.9, 1.75},
                      {QStringLiteral("prose (reference, held-out)"), false, 2.85, 2.86}});
        page.setMergeAvailable(true);
        page.setOutputDir(QStringLiteral("/tmp/merged"));
        page.resize(1100, 600);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        const auto shots = test::freshDir("screenshots");
        QVERIFY(page.grab().save(QString::fromStdString((shots / "merge.png").string())));
    }
};

QTEST_MAIN(TestMergePage)
#include "test_merge_page.moc"
