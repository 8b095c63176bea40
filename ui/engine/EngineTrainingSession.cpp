#include "ui/engine/EngineTrainingSession.h"

#include "core/project/Train.h"
#include "core/util/Error.h"
#include "core/util/ErrorKind.h"

#include <cmath>
#include <limits>

namespace teft::ui {

namespace {

torch::ScalarType precisionDtype(const QString& precision)
{
    // The engine computes in bf16 or fp32 (the Train page offers only those); anything else, such
    // as "fp16" from settings saved by an older version, is bf16.
    if (precision == QLatin1String("fp32"))
        return torch::kFloat;
    return torch::kBFloat16;
}

QString precisionName(torch::ScalarType t)
{
    if (t == torch::kFloat)
        return QStringLiteral("fp32");
    return QStringLiteral("bf16");
}

} // namespace

EngineTrainingSession::EngineTrainingSession(Project project, ExpertSelection selection, QObject* parent)
    : ThreadedTrainingSession(parent), m_project(std::move(project)), m_selection(std::move(selection))
{
}

EngineTrainingSession::EngineTrainingSession(MinerSettings settings, QObject* parent)
    : ThreadedTrainingSession(parent), m_fixed(true), m_settings(std::move(settings))
{
}

EngineTrainingSession::~EngineTrainingSession() { stopAndJoin(); }

MinerForm EngineTrainingSession::minerForm(const TrainingSettings& form)
{
    MinerForm f;
    f.device = form.device.toStdString();
    f.computeDtype = precisionDtype(form.precision);
    f.innerSteps = form.innerSteps;
    f.learningRate = form.learningRate;
    f.batchSize = form.batchSize;
    f.sequenceLength = form.sequenceLength;
    f.checkpointInterval = form.checkpointInterval;
    f.maskedRouting = form.maskedRouting;
    f.validationInterval = form.validationInterval;
    f.recompute = form.recompute;
    f.offload = form.offload;
    f.encoding = parseDeltaEncoding(form.encoding.toStdString());
    f.shardIndex = form.shardIndex;
    f.shardCount = form.shardCount;
    f.runName = form.runName.trimmed().toStdString();
    if (form.networkRound) {
        f.round = *form.networkRound;
        f.phiFile = std::filesystem::path(form.phiFile.toStdString());
    }
    return f;
}

MinerSettings EngineTrainingSession::minerSettings(const Project& project, const ExpertSelection& selection,
                                                   const TrainingSettings& form)
{
    return minerSettingsFor(project, selection, minerForm(form));
}

TrainingSettings EngineTrainingSession::formSettings(const MinerSettings& s)
{
    const MinerForm f = minerFormOf(s);
    TrainingSettings t;
    t.device = QString::fromStdString(f.device);
    t.innerSteps = static_cast<int>(f.innerSteps);
    t.learningRate = f.learningRate;
    t.batchSize = f.batchSize;
    t.sequenceLength = static_cast<int>(f.sequenceLength);
    t.precision = precisionName(f.computeDtype);
    t.checkpointInterval = static_cast<int>(f.checkpointInterval);
    t.maskedRouting = f.maskedRouting;
    t.validationInterval = static_cast<int>(f.validationInterval);
    t.recompute = f.recompute;
    t.offload = f.offload;
    t.encoding = QString::fromLatin1(deltaEncodingName(f.encoding));
    t.shardIndex = f.shardIndex;
    t.shardCount = f.shardCount;
    t.runName = QString::fromStdString(f.runName);
    return t;
}

void EngineTrainingSession::start(const TrainingSettings& form)
{
    if (state() == State::Running || state() == State::Paused)
        return;
    if (!m_fixed) {
        try {
            m_settings = minerSettings(*m_project, m_selection, form);
        } catch (const std::exception& e) {
            failNow(QString::fromUtf8(e.what()), errorKindOf(e));
            return;
        }
    }
    // Steps arrive through runMiner's callback; the control's progress gives the stages.
    launch([this](JobControl& control) { return run(control); });
}

TrainingResult EngineTrainingSession::run(JobControl& control)
{
    // Checks, tokenizing and the run are core's (stages through the control's progress).
    const MinerResult r = trainMiner(m_settings, control, [this](const MinerStep& step) {
        if (step.stepsThisRun == 1 && std::isfinite(step.validationLossBefore)) {
            // The held-out loss of Φ(t) (before any step): the validation curve's first point.
            TrainingMetrics before;
            before.step = 0;
            before.totalSteps = step.totalSteps;
            before.loss = before.learningRate = before.tokensPerSecond = std::numeric_limits<double>::quiet_NaN();
            before.validationLoss = step.validationLossBefore;
            postStep(before);
        }
        TrainingMetrics m;
        m.step = step.report.step;
        m.totalSteps = step.totalSteps;
        m.loss = step.report.loss;
        m.learningRate = step.report.lr;
        m.tokensPerSecond = step.tokensPerSecond;
        m.validationLoss = step.validationLoss;
        m.elapsedSeconds = step.elapsedSeconds;
        m.stepsThisRun = step.stepsThisRun;
        m.activeSeconds = step.activeSeconds;
        postStep(m);
    });
    TrainingResult result;
    result.submissionPath = QString::fromStdString(r.submissionDir.string());
    result.submissionBytes = static_cast<std::int64_t>(r.submissionBytes);
    result.steps = r.training.steps;
    result.finalLoss = r.training.lastLoss;
    result.validationLossBefore = r.validationLossBefore;
    result.validationLossAfter = r.validationLossAfter;
    return result;
}

} // namespace teft::ui
