// The jobs view: jobs written to the store by another connection (as the `teft` CLI does)
// appear and update live; resume is offered for interrupted jobs; clone hands the settings on.
#include "support/TestSupport.h"

#include "core/store/JobStore.h"
#include "ui/jobs/JobsPage.h"
#include "ui/jobs/JobsTableModel.h"
#include "ui/shell/AppContext.h"

#include <QAbstractItemModelTester>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

using namespace teft;
using namespace teft::ui;

class TestJobsView : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void jobsAppearAndUpdateLive()
    {
        const auto dir = test::freshDir("jobs");
        AppContext context(JobStore::open(dir / "teft.db"));
        JobsPage page(&context);
        QAbstractItemModelTester tester(page.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        page.resize(1100, 500);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QCOMPARE(page.model()->rowCount(), 0);

        // Another connection, as the command line would write it.
        auto cli = JobStore::open(dir / "teft.db");
        const auto id = cli->startJob("train", R"({"inner_steps": 100, "lr": 1e-5})", (dir / "out").string());
        QTRY_COMPARE_WITH_TIMEOUT(page.model()->rowCount(), 1, 10000);
        QCOMPARE(page.model()->index(0, JobsTableModel::KindColumn).data().toString(), QStringLiteral("train"));
        QCOMPARE(page.model()->index(0, JobsTableModel::StateColumn).data().toString(), QStringLiteral("running"));

        page.table()->selectRow(0);
        QVERIFY(!page.resumeButton()->isEnabled());
        QVERIFY(page.cloneButton()->isEnabled());
        cli->setJobProgress(id, 0.42, "training");
        QTRY_COMPARE_WITH_TIMEOUT(
            page.model()->index(0, JobsTableModel::ProgressColumn).data(JobsTableModel::ProgressRole).toDouble(), 0.42,
            10000);
        QCOMPARE(page.model()->index(0, JobsTableModel::StageColumn).data().toString(), QStringLiteral("training"));
        QCOMPARE(page.table()->selectionModel()->selectedRows().size(), 1); // selection kept across refresh

        cli->setJobState(id, JobStore::JobState::Interrupted);
        QTRY_VERIFY_WITH_TIMEOUT(page.resumeButton()->isEnabled(), 10000);
        QSignalSpy resume(&page, &JobsPage::resumeRequested);
        QTest::mouseClick(page.resumeButton(), Qt::LeftButton);
        QCOMPARE(resume.count(), 1);
        QCOMPARE(resume.at(0).at(0).value<std::int64_t>(), id);

        QSignalSpy clone(&page, &JobsPage::cloneRequested);
        QTest::mouseClick(page.cloneButton(), Qt::LeftButton);
        QCOMPARE(clone.count(), 1);
        QCOMPARE(clone.at(0).at(0).toString(), QStringLiteral("train"));
        QVERIFY(clone.at(0).at(1).toString().contains(QLatin1String("inner_steps")));

        // A cancelled training run keeps its checkpoint: resumable; a cancelled identification is not.
        cli->setJobState(id, JobStore::JobState::Cancelled);
        QTRY_COMPARE_WITH_TIMEOUT(page.model()->index(0, JobsTableModel::StateColumn).data().toString(),
                                  QStringLiteral("cancelled"), 10000);
        QVERIFY(page.resumeButton()->isEnabled());
        const auto identify = cli->startJob("identify", "{}", std::string());
        QTRY_COMPARE_WITH_TIMEOUT(page.model()->rowCount(), 2, 10000);
        cli->setJobState(identify, JobStore::JobState::Cancelled);
        QTRY_VERIFY_WITH_TIMEOUT(page.model()->jobAt(0) &&
                                     page.model()->jobAt(0)->state == JobStore::JobState::Cancelled,
                                 10000);
        page.table()->selectRow(0); // newest first: the identification
        QCOMPARE(QString::fromStdString(page.model()->jobAt(0)->kind), QStringLiteral("identify"));
        QVERIFY(!page.resumeButton()->isEnabled());
        const auto shots = test::freshDir("screenshots");
        QVERIFY(page.grab().save(QString::fromStdString((shots / "jobs.png").string())));
    }
};

QTEST_MAIN(TestJobsView)
#include "test_jobs_view.moc"
