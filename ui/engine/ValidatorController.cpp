#include "ui/engine/ValidatorController.h"

#include "core/data/TokenDataset.h"
#include "core/store/JobStore.h"
#include "core/teft/KnownMiners.h"
#include "core/teft/MinerKey.h"
#include "core/teft/Submission.h"
#include "core/teft/SubmissionVerifier.h"
#include "core/train/ValidatorJob.h"
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"
#include "core/util/Paths.h"
#include "ui/engine/BackgroundTask.h"
#include "ui/engine/TaskProgressBar.h"
#include "ui/shell/AppContext.h"
#include "ui/validator/AggregationPreview.h"
#include "ui/validator/SubmissionTableModel.h"
#include "ui/validator/ValidatorPage.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QMessageBox>
#include <QSpinBox>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

namespace teft::ui {

namespace {

// The miners this validator trusts: the list `teft keys trust` keeps, plus this installation's
// own miner key (submissions trained here, validated here, need no trust step). Written next
// to the validator state and used for this round; the user's list is never modified.
std::filesystem::path trustedMinersFile(const std::filesystem::path& userList, const std::filesystem::path& stateDir)
{
    KnownMiners known = KnownMiners::load(userList);
    const auto keyDir = MinerKey::defaultKeyDir();
    if (MinerKey::exists(keyDir)) {
        try {
            auto own = MinerKey::load(keyDir).publicKey();
            if (!known.findByKey(own.publicKeyHex)) {
                if (known.findById(own.minerId))
                    own.minerId += "-local"; // the id is taken by another key in the user's list
                known.add(own);
            }
        } catch (const std::exception& e) {
            spdlog::warn("validator: this installation's miner key is not trusted: {}", e.what());
        }
    }
    std::filesystem::create_directories(stateDir);
    const auto file = stateDir / "trusted_miners.json";
    known.save(file);
    return file;
}

} // namespace

namespace fs = std::filesystem;

namespace {

// The review table's rows from the engine's scored round, one per submission folder.
std::vector<SubmissionReview> reviewRows(const ScoredRound& scored)
{
    std::vector<SubmissionReview> rows;
    std::map<std::string, int> seen;
    for (const auto& v : scored.verdicts)
        ++seen[v.minerId.empty() ? v.dir.filename().string() : v.minerId];
    for (std::size_t i = 0; i < scored.verdicts.size(); ++i) {
        const auto& v = scored.verdicts[i];
        const auto& j = scored.row(i);
        SubmissionReview r;
        const std::string folder = v.dir.filename().string();
        const std::string miner = v.minerId.empty() ? folder : v.minerId;
        // The chart has one category per row: a miner with two folders is told apart by folder.
        r.miner = QString::fromStdString(seen[miner] > 1 && miner != folder ? miner + " (" + folder + ")" : miner);
        r.path = QString::fromStdString(v.dir.string());
        r.verified = v.accepted;
        r.reasonCode = QString::fromStdString(v.code);
        r.reasonMessage = QString::fromStdString(v.message);
        if (v.accepted) {
            r.baseLoss = scored.baselineLoss;
            r.newLoss = j.contains("loss") && j["loss"].is_number() ? j["loss"].get<double>()
                                                                   : std::numeric_limits<double>::quiet_NaN();
            r.score = j.value("score", 0.0);
            r.rank = j.value("rank", 0);
            r.weight = j.value("weight", 0.0);
            r.accepted = r.weight > 0;
            const std::string fate = j.value("fate", "");
            if (fate == "timed_out" || fate == "eval_failed") {
                r.reasonCode = QString::fromStdString(fate);
                r.reasonMessage = QString::fromStdString(j.value("eval_error", ""));
            }
        }
        rows.push_back(std::move(r));
    }
    return rows;
}

} // namespace

ValidatorController::ValidatorController(ValidatorPage* page, AppContext* context, QObject* parent)
    : QObject(parent), m_page(page), m_context(context)
{
    m_task = new BackgroundTask(this);
    m_bar = new TaskProgressBar(m_task, page);
    page->addStatusWidget(m_bar);
    connect(page, &ValidatorPage::submissionsFolderRequested, this, &ValidatorController::scoreFolder);
    connect(m_task, &BackgroundTask::started, this, [this] {
        if (m_page)
            m_page->setBusy(true);
    });
    connect(m_task, &BackgroundTask::finished, this, [this] {
        if (m_page)
            m_page->setBusy(false);
    });
    connect(m_task, &BackgroundTask::failed, this,
            [this](const QString& message) { showError(m_failureTitle, message); });
    if (m_context) {
        connect(m_context, &AppContext::currentProjectChanged, this, &ValidatorController::onProjectChanged);
        if (m_context->currentProject())
            onProjectChanged();
    }
}

ValidatorController::~ValidatorController() = default;

fs::path ValidatorController::stateDir() const
{
    if (!m_projectId)
        return {};
    ProjectSetup p;
    p.id = *m_projectId;
    return p.workDir() / "validator";
}

void ValidatorController::onProjectChanged()
{
    m_task->cancel();
    m_scored.reset();
    m_heldOut.reset();
    m_projectId = m_context ? m_context->currentProject() : std::nullopt;
    if (!m_page)
        return;
    if (m_projectId) {
        if (!m_outerStepConnection)
            m_outerStepConnection = connect(m_page, &ValidatorPage::outerStepRequested, this,
                                            [this](int, const std::vector<std::pair<QString, double>>&) { applyOuterStep(); });
        m_page->setSubmissionsFolderAvailable(true);
        std::int64_t round = 0;
        try {
            round = ValidatorState::load(stateDir()).round;
        } catch (const std::exception& e) {
            spdlog::warn("{}", e.what());
        }
        m_page->setRound(static_cast<int>(round), {});
        refreshHistory();
    } else {
        disconnect(m_outerStepConnection);
        m_outerStepConnection = {};
        m_page->setSubmissionsFolderAvailable(false);
        m_page->setRoundHistory({});
        m_page->loadDemo();
    }
}

void ValidatorController::scoreFolder(const QString& dir)
{
    if (!m_page || !m_context || !m_context->store() || m_task->isRunning())
        return;
    const QString title = tr("Cannot score the submissions");
    if (!m_projectId) {
        showError(title, tr("Open a project first."));
        return;
    }
    const auto projectId = *m_projectId;
    ProjectSetup project;
    std::vector<ExpertSelection> selections; // the newest first
    try {
        project = ProjectSetup::load(*m_context->store(), projectId);
        selections = projectSelections(*m_context->store(), projectId);
    } catch (const std::exception& e) {
        showError(title, QString::fromUtf8(e.what()));
        return;
    }
    if (selections.empty()) {
        showError(title, tr("This project has no expert selection: save an expert selection on the Experts page first."));
        return;
    }
    const fs::path folder = dir.toStdString();
    if (dir.isEmpty() || !fs::is_directory(folder)) {
        showError(title, tr("%1 is not a folder.").arg(dir));
        return;
    }

    ValidatorSettings s;
    s.modelDir = project.modelDir;
    s.device = project.device;
    s.stateDir = project.workDir() / "validator";
    s.submissionsDir = folder;
    s.knownMinersFile = dataDir() / "known_miners.json"; // the list `teft keys trust` keeps
    s.projectId = projectId;
    // The engine's plan follows the rule the page shows (the page recomputes it on a change).
    const auto rule = static_cast<AggregationPreview::Rule>(m_page->ruleBox()->currentData().toInt());
    s.aggregation.policy = rule == AggregationPreview::Rule::Proportional ? AggregationSettings::Policy::Proportional
                                                                          : AggregationSettings::Policy::TopK;
    s.aggregation.topK = m_page->kBox()->value();
    s.eval.batches = m_page->evalBatchesBox()->value();
    s.eval.batchSize = m_page->evalBatchSizeBox()->value();
    s.outer.lr = m_page->outerLrBox()->value();
    s.outer.momentum = m_page->momentumBox()->value();

    m_scored.reset();
    m_heldOut.reset();
    m_page->setRound(m_page->round(), {}); // no stale rows while (or after failing) to score
    m_failureTitle = tr("Scoring failed");
    m_task->start([this, project, s, selections, projectId](JobControl& control) mutable -> BackgroundTask::Continuation {
        const auto dirs = SubmissionVerifier::listSubmissions(s.submissionsDir);
        if (dirs.empty())
            throw Error("No submissions in " + s.submissionsDir.string() +
                        ": a submission is a folder holding manifest.json and experts.safetensors");
        // The selection the submissions were made for, when the project has it; else the newest
        // (the verifier then names the mismatch per submission).
        std::set<std::string> hashes;
        for (const auto& d : dirs) {
            try {
                hashes.insert(Submission::open(d)->manifest().selectionHash);
            } catch (const std::exception&) {
                // refused with its reason by the verifier
            }
        }
        s.selection = selections.front();
        for (const auto& sel : selections)
            if (hashes.count(sel.hash())) {
                s.selection = sel;
                break;
            }
        s.knownMinersFile = trustedMinersFile(s.knownMinersFile, s.stateDir);
        control.report(0, 0, "tokenizing");
        auto data = std::make_shared<const TokenDataset>(loadProjectDataset(project, project.target, control));
        auto scored = std::make_shared<ScoredRound>(scoreRound(s, *data, control));
        auto rows = reviewRows(*scored);
        return [this, projectId, scored, data, rows = std::move(rows)]() mutable {
            if (m_projectId != projectId || !m_page)
                return; // the project changed meanwhile
            m_scored = scored;
            m_heldOut = data;
            m_page->setRound(static_cast<int>(scored->round), std::move(rows));
            Q_EMIT roundScored(static_cast<int>(scored->round));
        };
    });
}

void ValidatorController::applyOuterStep()
{
    if (!m_page || !m_scored || !m_heldOut || m_task->isRunning())
        return;
    // The page's weights by submission folder (overrides included), in the engine's order.
    std::map<std::string, double> byPath;
    for (const SubmissionReview& r : m_page->model()->submissions())
        if (r.accepted && r.weight > 0)
            byPath[r.path.toStdString()] = r.weight;
    std::vector<double> weights(m_scored->scored.size(), 0.0);
    for (std::size_t k = 0; k < m_scored->scored.size(); ++k) {
        const auto it = byPath.find(m_scored->verdicts[m_scored->scored[k]].dir.string());
        if (it != byPath.end()) {
            weights[k] = it->second;
            byPath.erase(it);
        }
    }
    if (!byPath.empty()) {
        showError(tr("Outer step failed"),
                  tr("%1 is not a verified submission of this round.").arg(QString::fromStdString(byPath.begin()->first)));
        return;
    }
    m_failureTitle = tr("Outer step failed");
    const auto projectId = *m_projectId;
    auto scored = m_scored;
    auto data = m_heldOut;
    m_task->start([this, projectId, scored, data, weights](JobControl& control) -> BackgroundTask::Continuation {
        const auto result = applyRound(*scored, *data, control, weights);
        const int round = static_cast<int>(result.round);
        return [this, projectId, round] {
            if (m_projectId == projectId && m_page) {
                m_scored.reset();
                m_heldOut.reset();
                m_page->setRound(round + 1, {});
                refreshHistory();
            }
            Q_EMIT roundApplied(round);
        };
    });
}

std::vector<std::pair<int, double>> ValidatorController::roundHistory(const fs::path& stateDir)
{
    struct Round {
        int number;
        double baseline;
        double loss;
    };
    std::vector<Round> rounds;
    std::error_code ec;
    if (stateDir.empty() || !fs::is_directory(stateDir, ec))
        return {};
    for (const auto& entry : fs::directory_iterator(stateDir, ec)) {
        const auto report = entry.path() / "report.json";
        if (entry.path().filename().string().rfind("round-", 0) != 0 || !fs::exists(report))
            continue;
        try {
            const auto j = nlohmann::json::parse(readFile(report));
            if (j.value("format", "") != "teft-round-report")
                continue;
            rounds.push_back({j.at("round").get<int>(), j.at("baseline_loss").get<double>(), j.at("new_loss").get<double>()});
        } catch (const std::exception& e) {
            spdlog::warn("round report {} skipped: {}", report.string(), e.what());
        }
    }
    std::sort(rounds.begin(), rounds.end(), [](const Round& a, const Round& b) { return a.number < b.number; });
    std::vector<std::pair<int, double>> history;
    for (const auto& r : rounds) {
        if (history.empty() && std::isfinite(r.baseline))
            history.emplace_back(r.number, r.baseline); // Φ(t) before the first step shown
        if (std::isfinite(r.loss))
            history.emplace_back(r.number + 1, r.loss);
    }
    return history;
}

void ValidatorController::refreshHistory()
{
    if (m_page)
        m_page->setRoundHistory(roundHistory(stateDir()));
}

void ValidatorController::showError(const QString& title, const QString& message)
{
    Q_EMIT errorShown(message);
    if (!m_page)
        return;
    auto* box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Ok, m_page);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

} // namespace teft::ui
