// The merge page: the merge runs on a worker thread with progress, can be cancelled, reports
// errors, and fills the before/after comparison.
#include "support/TestSupport.h"

#include "core/util/Error.h"
#include "ui/merge/MergeComparisonModel.h"
#include "ui/merge/MergePage.h"

#include <QAbstractItemModelTester>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <atomic>
#include <thread>

using namespace teft;
using namespace teft::ui;

class TestMergePage : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void mergeFillsTheComparison()
    {
        MergePage page;
        QAbstractItemModelTester tester(page.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(!page.mergeButton()->isEnabled()); // no merge function yet
        page.model()->setRows({{QStringLiteral("target"), true, 2.0, std::numeric_limits<double>::quiet_NaN()},
                               {QStringLiteral("general"), false, 3.0, std::numeric_limits<double>::quiet_NaN()}});
        QString gotDir;
        std::thread::id worker;
        page.setMergeFunction([&](const QString& dir, JobControl& control) {
            gotDir = dir;
            worker = std::this_thread::get_id();
            control.report(1, 2, "writing");
            control.report(2, 2, "writing");
            return std::vector<MergeComparisonModel::Row>{{QStringLiteral("target"), true, 2.0, 1.5},
                                                          {QStringLiteral("general"), false, 3.0, 3.03}};
        });
        page.outputEdit()->setText(QStringLiteral("/tmp/merged-out"));
        QSignalSpy done(&page, &MergePage::mergeFinished);
        QTest::mouseClick(page.mergeButton(), Qt::LeftButton);
        QVERIFY(page.isRunning());
        QVERIFY(!page.mergeButton()->isEnabled());
        QTRY_COMPARE(done.count(), 1);
        QVERIFY(done.at(0).at(0).toBool());
        QCOMPARE(gotDir, QStringLiteral("/tmp/merged-out"));
        QVERIFY(worker != std::this_thread::get_id());
        QCOMPARE(page.model()->rows()[0].after, 1.5);
        QCOMPARE(page.model()->rows()[1].after, 3.03);
        // Change in percent against the loss before.
        QCOMPARE(page.model()->index(0, MergeComparisonModel::ChangeColumn).data().toString(), QStringLiteral("-25.00 %"));
        QCOMPARE(page.model()->index(1, MergeComparisonModel::ChangeColumn).data().toString(), QStringLiteral("+1.00 %"));
        QVERIFY(page.mergeButton()->isEnabled());
    }

    void cancelAndFailure()
    {
        MergePage page;
        page.model()->setRows({{QStringLiteral("target"), true, 2.0, std::numeric_limits<double>::quiet_NaN()}});
        std::atomic<bool> entered{false};
        page.setMergeFunction([&](const QString&, JobControl& control) {
            entered = true;
            for (;;) {
                control.checkpoint();
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
            return std::vector<MergeComparisonModel::Row>{};
        });
        page.outputEdit()->setText(QStringLiteral("/tmp/x"));
        QSignalSpy done(&page, &MergePage::mergeFinished);
        page.startMerge();
        QTRY_VERIFY(entered.load());
        QTest::mouseClick(page.cancelButton(), Qt::LeftButton);
        QTRY_COMPARE(done.count(), 1);
        QVERIFY(!done.at(0).at(0).toBool());
        QVERIFY(page.statusLabel()->text().contains(QLatin1String("Cancelled")));
        QVERIFY(std::isnan(page.model()->rows()[0].after));

        page.setMergeFunction([](const QString&, JobControl&) -> std::vector<MergeComparisonModel::Row> {
            throw Error("No space left on /tmp/x (needs 12.9 GiB)");
        });
        page.startMerge();
        QTRY_COMPARE(done.count(), 2);
        QVERIFY(page.statusLabel()->text().contains(QLatin1String("No space left")));
        QVERIFY(page.findChild<QMessageBox*>());
        QCOMPARE(page.model()->rowCount(), 1); // a failure keeps the rows

        // No output folder: refused before starting.
        page.outputEdit()->clear();
        page.startMerge();
        QVERIFY(!page.isRunning());
    }

    void demoAndScreenshot()
    {
        // The demo shows example rows but has no merge: nothing pretends to merge without a project.
        MergePage page;
        page.loadDemo();
        page.resize(1100, 600);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QVERIFY(!page.hasMergeFunction());
        QVERIFY(!page.mergeButton()->isEnabled());
        QVERIFY(page.mergeButton()->toolTip().contains(QLatin1String("Open a project")));
        QSignalSpy done(&page, &MergePage::mergeFinished);
        page.startMerge();
        QVERIFY(!page.isRunning());
        QCOMPARE(done.count(), 0);
        QVERIFY(page.model()->rowCount() > 0);
        for (const auto& r : page.model()->rows())
            QVERIFY(r.inDomain ? r.after < r.before : r.after >= r.before);
        const auto shots = test::freshDir("screenshots");
        QVERIFY(page.grab().save(QString::fromStdString((shots / "merge.png").string())));
    }
};

QTEST_MAIN(TestMergePage)
#include "test_merge_page.moc"
