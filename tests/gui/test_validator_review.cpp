// Validator review: the submissions model (sorting, overrides, aggregation weights), the s_i
// chart, the outer step and the validation-loss-per-round chart.
#include "support/TestSupport.h"

#include "ui/sample/SamplePages.h"
#include "ui/validator/AggregationPreview.h"
#include "ui/validator/SubmissionTableModel.h"
#include "ui/validator/ValidatorPage.h"

#include <QAbstractItemModelTester>
#include <QBarSet>
#include <QChart>
#include <QComboBox>
#include <QItemSelectionModel>
#include <QLineSeries>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QStackedBarSeries>
#include <QTableView>
#include <QTest>

using namespace teft;
using namespace teft::ui;

namespace {

SubmissionReview row(const char* miner, double base, double fresh, bool verified = true)
{
    SubmissionReview r;
    r.miner = QString::fromLatin1(miner);
    r.verified = verified;
    r.reasonCode = verified ? QStringLiteral("accepted") : QStringLiteral("bad_signature");
    r.baseLoss = base;
    r.newLoss = fresh;
    r.score = std::max(0.0, base - fresh);
    return r;
}

std::vector<SubmissionReview> sample()
{
    return {row("a", 2.0, 1.90), row("b", 2.0, 1.70), row("c", 2.0, 2.10), row("d", 2.0, 1.95),
            row("e", 2.0, 1.50, false)};
}

int rowOf(const SubmissionTableModel& m, const QString& miner)
{
    for (int i = 0; i < m.rowCount(); ++i)
        if (m.submissions()[static_cast<std::size_t>(i)].miner == miner)
            return i;
    return -1;
}

} // namespace

class TestValidatorReview : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void modelTester()
    {
        SubmissionTableModel model;
        QSortFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        proxy.setSortRole(SubmissionTableModel::SortRole);
        QAbstractItemModelTester t1(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester t2(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSubmissions(sample());
        proxy.sort(SubmissionTableModel::ScoreColumn, Qt::DescendingOrder);
        model.setOverride(0, SubmissionReview::Override::Reject);
        model.setSubmissions({});
        model.setSubmissions(sample());
    }

    void topKRanksAndWeighs()
    {
        SubmissionTableModel model;
        AggregationPreview a;
        a.rule = AggregationPreview::Rule::TopK;
        a.k = 2;
        model.setAggregation(a);
        model.setSubmissions(sample());
        const auto& rows = model.submissions();
        // s: a 0.10, b 0.30, c 0 (ReLU), d 0.05; e refused.
        QCOMPARE(rows[1].rank, 1);
        QCOMPARE(rows[0].rank, 2);
        QCOMPARE(rows[3].rank, 3);
        QCOMPARE(rows[2].rank, 0);
        QCOMPARE(rows[4].rank, 0);
        QVERIFY(rows[0].accepted && rows[1].accepted && !rows[2].accepted && !rows[3].accepted && !rows[4].accepted);
        QCOMPARE(rows[0].weight, 0.5);
        QCOMPARE(rows[1].weight, 0.5);
    }

    void proportionalWeightsAndOverrides()
    {
        SubmissionTableModel model;
        AggregationPreview a;
        a.rule = AggregationPreview::Rule::Proportional;
        model.setAggregation(a);
        model.setSubmissions(sample());
        const auto& rows = model.submissions();
        const double total = 0.10 + 0.30 + 0.05;
        QVERIFY(std::abs(rows[0].weight - 0.10 / total) < 1e-12);
        QVERIFY(std::abs(rows[1].weight - 0.30 / total) < 1e-12);
        QVERIFY(std::abs(rows[3].weight - 0.05 / total) < 1e-12);
        QCOMPARE(rows[2].weight, 0.0);

        // Rejecting b through the checkbox re-normalises the others.
        const QModelIndex bAccepted = model.index(1, SubmissionTableModel::AcceptedColumn);
        QVERIFY(model.flags(bAccepted) & Qt::ItemIsUserCheckable);
        QVERIFY(model.setData(bAccepted, Qt::Unchecked, Qt::CheckStateRole));
        QVERIFY(!rows[1].accepted);
        QVERIFY(rows[1].override == SubmissionReview::Override::Reject);
        QVERIFY(std::abs(rows[0].weight - 0.10 / 0.15) < 1e-12);
        QVERIFY(std::abs(rows[3].weight - 0.05 / 0.15) < 1e-12);
        QCOMPARE(model.data(bAccepted).toString(), QStringLiteral("no (override)"));
        // A refused submission cannot be forced in.
        const QModelIndex eAccepted = model.index(4, SubmissionTableModel::AcceptedColumn);
        QVERIFY(!(model.flags(eAccepted) & Qt::ItemIsUserCheckable));
        QVERIFY(!model.setData(eAccepted, Qt::Checked, Qt::CheckStateRole));
        QVERIFY(!rows[4].accepted);
    }

    void proxySortsNumerically()
    {
        SubmissionTableModel model;
        model.setSubmissions({row("m1", 10.0, 9.0), row("m2", 10.0, 2.0), row("m3", 10.0, 9.9)});
        QSortFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        proxy.setSortRole(SubmissionTableModel::SortRole);
        proxy.sort(SubmissionTableModel::ScoreColumn, Qt::DescendingOrder);
        // 8.0 > 1.0 > 0.1 (as text "8", "1", "0.1" would sort differently from "10"-style values)
        QCOMPARE(proxy.index(0, 0).data().toString(), QStringLiteral("m2"));
        QCOMPARE(proxy.index(1, 0).data().toString(), QStringLiteral("m1"));
        QCOMPARE(proxy.index(2, 0).data().toString(), QStringLiteral("m3"));
    }

    void pageOverridesChartAndOuterStep()
    {
        ValidatorPage page;
        page.resize(1280, 800);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        page.setSubmissionsFolderAvailable(true); // an engine answers the outer step
        page.ruleBox()->setCurrentIndex(0);
        page.kBox()->setValue(1);
        page.setRoundHistory({{0, 2.5}});
        page.setRound(1, sample());
        SubmissionTableModel* model = page.model();

        // The chart has one category per miner; s_i lies in the accepted or the other set.
        auto* series = qobject_cast<QStackedBarSeries*>(page.scoreChart()->series().value(0));
        QVERIFY(series);
        QCOMPARE(series->count(), 2);
        QCOMPARE(series->barSets()[0]->count(), 5);
        QCOMPARE(series->barSets()[0]->at(1), model->submissions()[1].score); // b accepted
        QCOMPARE(series->barSets()[1]->at(0), 2.0 - 1.90);                    // a not (k = 1)

        // Select miner "d" in the (sorted) table and accept it by override.
        const int d = rowOf(*model, QStringLiteral("d"));
        const QModelIndex proxyIndex = page.proxy()->mapFromSource(model->index(d, 0));
        page.table()->selectionModel()->select(proxyIndex,
                                               QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        page.acceptSelected();
        QVERIFY(model->submissions()[static_cast<std::size_t>(d)].accepted);
        QCOMPARE(model->submissions()[static_cast<std::size_t>(d)].weight, 0.5);
        series = qobject_cast<QStackedBarSeries*>(page.scoreChart()->series().value(0));
        QCOMPARE(series->barSets()[0]->at(d), model->submissions()[static_cast<std::size_t>(d)].score);

        // The outer step reports the weights of the accepted miners.
        std::vector<std::pair<QString, double>> got;
        int gotRound = -1;
        connect(&page, &ValidatorPage::outerStepRequested, this,
                [&](int round, const std::vector<std::pair<QString, double>>& w) {
                    gotRound = round;
                    got = w;
                });
        QTest::mouseClick(page.outerStepButton(), Qt::LeftButton);
        QCOMPARE(gotRound, 1);
        QCOMPARE(got.size(), std::size_t(2));
        QCOMPARE(got[0].first, QStringLiteral("b"));
        QCOMPARE(got[1].first, QStringLiteral("d"));
        QCOMPARE(got[0].second + got[1].second, 1.0);
    }

    void emptyPageAndRoundSettings()
    {
        // A fresh page has no rows and no outer step: it says to open a project first.
        ValidatorPage page;
        QCOMPARE(page.model()->rowCount(), 0);
        QCOMPARE(page.roundSeries()->count(), 0);
        QVERIFY(!page.outerStepButton()->isEnabled());
        QVERIFY(page.outerStepButton()->toolTip().contains(QLatin1String("Open or create a project")));
        page.setSubmissionsFolderAvailable(true);
        QVERIFY(page.outerStepButton()->toolTip().contains(QLatin1String("Score a folder")));

        // What the engine is given is what the controls show.
        page.ruleBox()->setCurrentIndex(1);
        page.kBox()->setValue(5);
        page.evalBatchesBox()->setValue(3);
        page.evalBatchSizeBox()->setValue(16);
        page.outerLrBox()->setValue(0.25);
        page.momentumBox()->setValue(0.5);
        const ValidatorPage::RoundSettings r = page.roundSettings();
        QCOMPARE(r.rule, AggregationPreview::Rule::Proportional);
        QCOMPARE(r.k, 5);
        QCOMPARE(r.evalBatches, 3);
        QCOMPARE(r.evalBatchSize, 16);
        QCOMPARE(r.outerLr, 0.25);
        QCOMPARE(r.momentum, 0.5);
    }

    void screenshot()
    {
        ValidatorPage page;
        page.resize(1280, 800);
        showSampleRound(page);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QCOMPARE(page.model()->rowCount(), 7);
        const auto dir = test::freshDir("screenshots");
        QVERIFY(page.grab().save(QString::fromStdString((dir / "validator.png").string())));
    }
};

QTEST_MAIN(TestValidatorReview)
#include "test_validator_review.moc"
