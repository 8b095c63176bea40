#include "ui/engine/EngineTrainingSession.h"

#include "core/text/Tokenizer.h"
#include "core/train/ModelIdentity.h"
#include "core/train/ValidatorJob.h"
#include "core/util/Error.h"
#include "core/util/Hash.h"

#include <nlohmann/json.hpp>

namespace teft::ui {

namespace {

torch::ScalarType precisionDtype(const QString& precision)
{
    if (precision == QLatin1String("fp32"))
        return torch::kFloat;
    if (precision == QLatin1String("fp16"))
        return torch::kHalf;
    return torch::kBFloat16;
}

QString precisionName(torch::ScalarType t)
{
    if (t == torch::kFloat)
        return QStringLiteral("fp32");
    if (t == torch::kHalf)
        return QStringLiteral("fp16");
    return QStringLiteral("bf16");
}

} // namespace

EngineTrainingSession::EngineTrainingSession(ProjectSetup project, ExpertSelection selection, QObject* parent)
    : ThreadedTrainingSession(parent), m_project(std::move(project)), m_selection(std::move(selection))
{
}

EngineTrainingSession::EngineTrainingSession(MinerSettings settings, QObject* parent)
    : ThreadedTrainingSession(parent), m_fixed(true), m_settings(std::move(settings))
{
}

EngineTrainingSession::~EngineTrainingSession()
{
    stopAndJoin();
}

MinerSettings EngineTrainingSession::minerSettings(const ProjectSetup& project, const ExpertSelection& selection,
                                                   const TrainingSettings& form)
{
    MinerSettings s;
    s.modelDir = project.modelDir;
    s.selection = selection;
    s.mode = form.maskedRouting ? ExpertMode::Masked : ExpertMode::Full;
    s.device = form.device.toStdString();
    s.computeDtype = precisionDtype(form.precision);
    s.train.innerSteps = form.innerSteps;
    s.train.batchSize = form.batchSize;
    s.train.lr = form.learningRate;
    s.train.warmupSteps = form.innerSteps / 10;
    s.train.checkpointEvery = form.checkpointInterval;
    s.validateEvery = form.validationInterval;
    // A miner of round t trains from Φ(t): the project's validator state, when it has one.
    const ValidatorState state = ValidatorState::load(project.workDir() / "validator");
    s.phiFile = state.phi;
    s.round = state.round;
    PackingOptions packing = project.packing;
    packing.seqLen = form.sequenceLength;
    s.dataset = datasetRecordJson(project.target, packing);
    s.projectId = project.id;
    s.dataLabel = project.target.paths.empty() ? std::string("data") : project.target.paths.front().filename().string();
    // Everything that shapes the run names its folder: the same settings resume the same run.
    const std::string key = s.toJson().dump();
    s.outDir = project.workDir() / "miner" / ("run-" + sha256Hex(key).substr(0, 12));
    return s;
}

TrainingSettings EngineTrainingSession::formSettings(const MinerSettings& s)
{
    TrainingSettings f;
    f.device = QString::fromStdString(s.device);
    f.innerSteps = static_cast<int>(s.train.innerSteps);
    f.learningRate = s.train.lr;
    f.batchSize = s.train.batchSize;
    f.sequenceLength = s.dataset.is_object() ? static_cast<int>(s.dataset.value("seq_len", std::int64_t{128})) : 128;
    f.precision = precisionName(s.computeDtype);
    f.checkpointInterval = static_cast<int>(s.train.checkpointEvery);
    f.maskedRouting = s.mode == ExpertMode::Masked;
    f.validationInterval = static_cast<int>(s.validateEvery);
    return f;
}

void EngineTrainingSession::start(const TrainingSettings& form)
{
    if (state() == State::Running || state() == State::Paused)
        return;
    if (!m_fixed) {
        try {
            m_settings = minerSettings(*m_project, m_selection, form);
        } catch (const std::exception& e) {
            failNow(QString::fromUtf8(e.what()));
            return;
        }
    }
    // Only stage changes: steps arrive through runMiner's callback.
    launch([this](JobControl& control) { return run(control); },
           [this, last = std::string()](const JobControl::Progress& p) mutable {
               if (p.stage != last) {
                   last = p.stage;
                   postStage(QString::fromStdString(p.stage));
               }
           });
}

TrainingResult EngineTrainingSession::run(JobControl& control)
{
    DatasetSpec spec;
    PackingOptions packing;
    datasetRecordFromJson(m_settings.dataset, spec, packing);
    for (const auto& path : spec.paths)
        if (!std::filesystem::exists(path))
            throw Error("Dataset path " + path.string() + " does not exist (moved or deleted?)");
    const std::string& selected = m_settings.selection.modelFingerprint();
    if (!selected.empty()) {
        postStage(QStringLiteral("fingerprinting"));
        const std::string actual = modelFingerprint(m_settings.modelDir);
        if (actual != selected)
            throw Error("The expert selection was made for another model (fingerprint " + selected.substr(0, 12) +
                        ", this model " + actual.substr(0, 12) +
                        "): run identification on this model and save a new selection");
    }
    postStage(QStringLiteral("tokenizing"));
    const auto tokenizer = Tokenizer::fromFile(m_settings.modelDir);
    const TokenDataset data = TokenDataset::build(spec, tokenizer, packing, control);
    if (data.numTrain() < 1)
        throw Error("The dataset has no training rows of " + std::to_string(packing.seqLen) +
                    " tokens: use a shorter sequence length or more data");
    postStage(QStringLiteral("loading"));
    const MinerResult r = runMiner(m_settings, data, control, [this](const MinerStep& step) {
        TrainingMetrics m;
        m.step = step.report.step;
        m.totalSteps = step.totalSteps;
        m.loss = step.report.loss;
        m.learningRate = step.report.lr;
        m.tokensPerSecond = step.tokensPerSecond;
        m.validationLoss = step.validationLoss;
        m.elapsedSeconds = step.elapsedSeconds;
        postStep(m);
    });
    TrainingResult result;
    result.submissionPath = QString::fromStdString(r.submissionDir.string());
    result.submissionBytes = static_cast<std::int64_t>(r.submissionBytes);
    result.steps = r.training.steps;
    result.finalLoss = r.training.lastLoss;
    return result;
}

} // namespace teft::ui
