#include "ui/sample/SamplePages.h"

#include "core/util/Paths.h"
#include "ui/merge/MergePage.h"
#include "ui/miner/MinerDashboard.h"
#include "ui/routing/PolicyPanel.h"
#include "ui/routing/RoutingPage.h"
#include "ui/sample/SampleRouting.h"
#include "ui/shell/MainWindow.h"
#include "ui/validator/ValidatorPage.h"

#include <cmath>
#include <limits>
#include <random>

namespace teft::ui {

void showSampleRouting(RoutingPage& page)
{
    const SampleRouting sample = makeSampleRouting();
    page.setRouting(sample.layout, sample.target, &sample.reference, sample.paramsPerExpert, sample.bytesPerExpert,
                    sample.modelTotalBytes);
    page.policyPanel()->apply(); // a top-k selection to edit
}

void showSampleTraining(MinerDashboard& page)
{
    TrainingSettings s;
    s.innerSteps = 200;
    page.setSettings(s);
    QVector<TrainingMetrics> steps;
    double loss = 3.2;
    for (int i = 1; i <= 120; ++i) {
        TrainingMetrics m;
        m.step = i;
        m.totalSteps = s.innerSteps;
        loss = 1.9 + (loss - 1.9) * 0.97;
        m.loss = loss + 0.06 * std::sin(i * 1.7) + 0.03 * std::cos(i * 0.37);
        m.learningRate = i <= 20 ? s.learningRate * i / 20.0
                                 : s.learningRate * 0.5 * (1.0 + std::cos(M_PI * (i - 20) / 180.0));
        m.tokensPerSecond = 2000 + 150 * std::sin(i * 0.2);
        m.elapsedSeconds = 1.3 * i;
        if (i % 10 == 0)
            m.validationLoss = loss + 0.05;
        steps.push_back(m);
    }
    page.showMetrics(steps);
    page.setStatus(QObject::tr("Step 120 of 200: loss %1").arg(loss, 0, 'f', 3));
}

void showSampleRound(ValidatorPage& page)
{
    const std::vector<std::pair<int, double>> history{{0, 2.412}, {1, 2.381}, {2, 2.362}};
    page.setRoundHistory(history);
    const int round = history.back().first + 1;
    std::mt19937 rng(static_cast<unsigned>(round * 7919));
    std::normal_distribution<double> noise(0.0, 1.0);
    const double base = history.back().second;
    const char* names[] = {"aurora", "basalt", "cirrus", "delta", "ember", "fjord", "gale"};
    std::vector<SubmissionReview> rows;
    for (int i = 0; i < 7; ++i) {
        SubmissionReview r;
        r.miner = QString::fromLatin1(names[i]);
        r.path = QStringLiteral("round-%1/%2").arg(round).arg(r.miner);
        r.verified = true;
        r.reasonCode = QStringLiteral("accepted");
        r.baseLoss = base;
        r.newLoss = base - 0.012 - 0.008 * noise(rng); // most miners help a little, some do not
        // s_i ± its standard error over 16 batches of 8 rows of 128 tokens (127 targets each);
        // it scores only when its one-sided 95 % bound (t_0.95,15 = 1.753) is above 0.
        r.gain = r.baseLoss - r.newLoss;
        r.stdError = 0.004 + 0.001 * std::abs(noise(rng));
        r.lowerBound = r.gain - 1.753 * r.stdError;
        r.tokens = 16 * 8 * 127;
        r.significant = r.lowerBound > 0;
        r.score = r.significant ? std::max(0.0, r.gain) : 0.0;
        rows.push_back(r);
    }
    const double nan = std::numeric_limits<double>::quiet_NaN();
    rows[4].verified = false;
    rows[4].reasonCode = QStringLiteral("bad_signature");
    rows[4].reasonMessage = QObject::tr("The signature of ember does not verify with its registered key.");
    rows[4].newLoss = nan;
    rows[4].score = 0.0;
    rows[4].gain = nan;
    rows[4].tokens = 0;
    rows[6].verified = false;
    rows[6].reasonCode = QStringLiteral("non_finite");
    rows[6].reasonMessage = QObject::tr("delta.safetensors holds NaN values in layers.3.experts.12.down_proj.");
    rows[6].newLoss = nan;
    rows[6].score = 0.0;
    rows[6].gain = nan;
    rows[6].tokens = 0;
    page.setRound(round, std::move(rows));
}

void showSampleMerge(MergePage& page)
{
    page.setRows({{QObject::tr("code-review.jsonl (target, held-out)"), true, 1.912, 1.912 * 0.93},
                  {QObject::tr("general-web.jsonl (reference, held-out)"), false, 2.851, 2.851 * 1.002}});
    const QString out = QString::fromStdString((dataDir() / "projects" / "1" / "merged").string());
    page.setOutputDir(out);
    page.setStatus(QObject::tr("Merged checkpoint written to %1.").arg(out));
}

void showSampleData(MainWindow& window)
{
    for (const auto& page : window.pages()) {
        if (auto* routing = qobject_cast<RoutingPage*>(page.widget))
            showSampleRouting(*routing);
        else if (auto* miner = qobject_cast<MinerDashboard*>(page.widget))
            showSampleTraining(*miner);
        else if (auto* validator = qobject_cast<ValidatorPage*>(page.widget))
            showSampleRound(*validator);
        else if (auto* merge = qobject_cast<MergePage*>(page.widget))
            showSampleMerge(*merge);
    }
}

} // namespace teft::ui
