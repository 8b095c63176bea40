#include "ui/engine/ValidatorController.h"

#include "core/data/TokenDataset.h"
#include "core/store/JobStore.h"
#include "core/project/Validate.h"
#include "core/teft/SubmissionVerifier.h"
#include "core/train/ValidatorJob.h"
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"
#include "core/util/Paths.h"
#include "ui/engine/BackgroundTask.h"
#include "ui/engine/TaskProgressBar.h"
#include "ui/shell/AppContext.h"
#include "ui/shell/Confirm.h"
#include "ui/shell/ErrorAdvice.h"
#include "ui/validator/AggregationPreview.h"
#include "ui/validator/SubmissionTableModel.h"
#include "ui/validator/ValidatorPage.h"

#include <QMessageBox>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

namespace teft::ui {

namespace fs = std::filesystem;

namespace {

// The review table's rows from the engine's scored round, one per submission folder.
std::vector<SubmissionReview> reviewRows(const ScoredRound& scored)
{
    // What names a submission's folder: a miner run's submission is <run folder>/submission, so
    // the run's name ("run 2") tells two runs of one miner apart, not "submission" twice.
    const auto folderLabel = [](const fs::path& dir) {
        return dir.filename() == "submission" && !dir.parent_path().filename().empty()
                   ? dir.parent_path().filename().string()
                   : dir.filename().string();
    };
    std::vector<SubmissionReview> rows;
    std::map<std::string, int> seen;
    for (const auto& v : scored.verdicts)
        ++seen[v.minerId.empty() ? folderLabel(v.dir) : v.minerId];
    for (std::size_t i = 0; i < scored.verdicts.size(); ++i) {
        const auto& v = scored.verdicts[i];
        const auto& j = scored.row(i);
        SubmissionReview r;
        const std::string folder = folderLabel(v.dir);
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
            const auto number = [&](const char* key) {
                return j.contains(key) && j[key].is_number() ? j[key].get<double>()
                                                             : std::numeric_limits<double>::quiet_NaN();
            };
            r.gain = number("gain");
            r.stdError = number("std_error");
            r.lowerBound = number("lower_bound");
            r.confidence = scored.settings.confidence;
            r.tokens = j.value("tokens", std::int64_t(0));
            r.significant = j.value("significant", false);
            for (const auto& t : j.value("tied_with", nlohmann::json::array()))
                r.tiedWith << QString::fromStdString(t.get<std::string>()); // the report's names: see below
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
    // Ties name submissions as the report does ("run 2/submission"): show the rows' labels.
    std::map<QString, QString> labelOf;
    for (std::size_t i = 0; i < rows.size(); ++i)
        labelOf[QString::fromStdString(scored.row(i).value("name", std::string()))] = rows[i].miner;
    for (auto& r : rows)
        for (QString& t : r.tiedWith)
            if (const auto it = labelOf.find(t); it != labelOf.end())
                t = it->second;
    return rows;
}

QString runStateText(JobStore::JobState state)
{
    switch (state) {
    case JobStore::JobState::Succeeded: return ValidatorController::tr("finished");
    case JobStore::JobState::Cancelled: return ValidatorController::tr("stopped");
    case JobStore::JobState::Failed: return ValidatorController::tr("failed");
    case JobStore::JobState::Interrupted: return ValidatorController::tr("interrupted");
    case JobStore::JobState::Running: return ValidatorController::tr("running");
    case JobStore::JobState::Paused: return ValidatorController::tr("paused");
    case JobStore::JobState::Queued: return ValidatorController::tr("queued");
    }
    return {};
}

} // namespace

ValidatorController::ValidatorController(ValidatorPage* page, AppContext* context, QObject* parent)
    : QObject(parent), m_page(page), m_context(context)
{
    m_task = new BackgroundTask(this);
    m_bar = new TaskProgressBar(m_task, page);
    page->addStatusWidget(m_bar);
    connect(page, &ValidatorPage::submissionsFolderRequested, this, &ValidatorController::scoreFolder);
    connect(page, &ValidatorPage::scoreSubmissionsRequested, this, &ValidatorController::scoreSubmissions);
    connect(page, &ValidatorPage::importSubmissionsRequested, this, &ValidatorController::importSubmissions);
    connect(page, &ValidatorPage::importFolderRequested, this, &ValidatorController::importFolder);
    connect(page, &ValidatorPage::removeImportsRequested, this, &ValidatorController::removeImports);
    connect(page, &ValidatorPage::candidatesRefreshRequested, this, &ValidatorController::refreshCandidates);
    connect(page, &ValidatorPage::outerStepRequested, this,
            [this](int, const std::vector<std::pair<QString, double>>&) { applyOuterStep(); });
    connect(m_task, &BackgroundTask::started, this, [this] {
        if (m_page)
            m_page->setBusy(true);
    });
    connect(m_task, &BackgroundTask::finished, this, [this] {
        if (m_page)
            m_page->setBusy(false);
    });
    connect(m_task, &BackgroundTask::failed, this,
            [this](const QString& message, ErrorKind kind) { showError(m_failureTitle, message, errorAdvice(kind)); });
    if (m_context) {
        connect(m_context, &AppContext::currentProjectChanged, this, &ValidatorController::onProjectChanged);
        // A training job that finishes (here or in a `teft` command elsewhere) writes to the store.
        connect(m_context, &AppContext::storeChanged, this, &ValidatorController::refreshCandidates);
        if (m_context->currentProject())
            onProjectChanged();
    }
}

ValidatorController::~ValidatorController() = default;

fs::path ValidatorController::stateDir() const
{
    if (!m_projectId)
        return {};
    Project p;
    p.id = *m_projectId;
    return p.validatorStateDir();
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
        m_page->setSubmissionsFolderAvailable(true);
        std::int64_t round = 0;
        try {
            round = ValidatorState::load(stateDir()).round;
        } catch (const std::exception& e) {
            spdlog::warn("{}", e.what());
        }
        m_page->setRound(static_cast<int>(round), {});
        refreshHistory();
        fillCandidates(false);
    } else {
        m_page->setSubmissionsFolderAvailable(false);
        m_page->setCandidates({}, false);
        m_page->setRound(0, {});
        m_page->setRoundHistory({});
    }
}

void ValidatorController::scoreFolder(const QString& dir)
{
    const fs::path folder = dir.toStdString();
    if (m_page && m_projectId && !m_task->isRunning() && (dir.isEmpty() || !fs::is_directory(folder))) {
        showError(tr("Cannot score the submissions"), tr("%1 is not a folder.").arg(dir));
        return;
    }
    startScoring(folder, {});
}

void ValidatorController::scoreSubmissions(const QStringList& paths)
{
    if (paths.isEmpty()) {
        if (m_page && m_projectId)
            showError(tr("Cannot score the submissions"), tr("No submission is ticked."));
        return;
    }
    std::vector<fs::path> list;
    for (const QString& p : paths)
        list.emplace_back(p.toStdString());
    startScoring({}, list);
}

void ValidatorController::startScoring(const fs::path& folder, const std::vector<fs::path>& list)
{
    if (!m_page || !m_context || !m_context->store() || m_task->isRunning())
        return;
    const QString title = tr("Cannot score the submissions");
    if (!m_projectId) {
        showError(title, tr("Open a project first."));
        return;
    }
    const auto projectId = *m_projectId;
    Project project;
    std::vector<ExpertSelection> selections; // the newest first
    try {
        project = Project::load(*m_context->store(), projectId);
        selections = Project::selections(*m_context->store(), projectId);
    } catch (const std::exception& e) {
        showError(title, QString::fromUtf8(e.what()));
        return;
    }
    if (selections.empty()) {
        showError(title,
                  tr("This project has no expert selection: save an expert selection on the Experts page first."));
        return;
    }

    // The engine's plan follows the rule the page shows (the page recomputes it on a change).
    const ValidatorPage::RoundSettings round = m_page->roundSettings();
    ValidatorForm form;
    form.aggregation.policy = round.rule == AggregationPreview::Rule::Proportional
                                  ? AggregationSettings::Policy::Proportional
                                  : AggregationSettings::Policy::TopK;
    form.aggregation.topK = round.k;
    form.eval.batches = round.evalBatches;
    form.eval.batchSize = round.evalBatchSize;
    form.outer.lr = round.outerLr;
    form.outer.momentum = round.momentum;
    ValidatorSettings s = validatorSettingsFor(project, folder, form);
    s.submissions = list;
    m_scored.reset();
    m_heldOut.reset();
    m_page->setRound(m_page->round(), {}); // no stale rows while (or after failing) to score
    m_failureTitle = tr("Scoring failed");
    m_task->start([this, project, s, selections, projectId](JobControl& control) -> BackgroundTask::Continuation {
        // Selection choice, trusted miners, tokenizing and scoring are core's.
        ProjectRound projectRound = scoreProjectRound(project, selections, s, control);
        auto scored = projectRound.scored;
        auto data = projectRound.heldOut;
        auto rows = reviewRows(*scored);
        return [this, projectId, scored, data, rows = std::move(rows)]() mutable {
            if (m_projectId != projectId || !m_page)
                return; // the project changed meanwhile
            m_scored = scored;
            m_heldOut = data;
            m_page->setRound(static_cast<int>(scored->round), std::move(rows));
            if (m_context)
                m_context->notify(tr("Round %1 scored: %n submission(s).", nullptr,
                                     static_cast<int>(scored->verdicts.size()))
                                      .arg(scored->round));
            Q_EMIT roundScored(static_cast<int>(scored->round));
        };
    });
}

void ValidatorController::applyOuterStep()
{
    if (!m_page || !m_projectId || !m_scored || !m_heldOut || m_task->isRunning())
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
        showError(tr("Outer step failed"), tr("%1 is not a verified submission of this round.")
                                               .arg(QString::fromStdString(byPath.begin()->first)));
        return;
    }
    const int accepted = static_cast<int>(std::count_if(weights.begin(), weights.end(), [](double w) { return w > 0; }));
    if (!confirmAction(m_page, tr("Run the outer step?"),
                       tr("The outer step applies the weighted average of %n accepted submission(s) to the project's "
                          "Φ and starts round %1. It cannot be undone, and this round's table is cleared.",
                          nullptr, accepted)
                           .arg(m_page->round() + 1),
                       tr("Run outer step")))
        return;
    m_failureTitle = tr("Outer step failed");
    const auto projectId = *m_projectId;
    auto scored = m_scored;
    auto data = m_heldOut;
    m_task->start([this, projectId, scored, data, weights](JobControl& control) -> BackgroundTask::Continuation {
        ProjectRound projectRound{scored, data};
        const auto result = applyProjectRound(projectRound, control, weights);
        const int round = static_cast<int>(result.round);
        return [this, projectId, round] {
            if (m_projectId == projectId && m_page) {
                m_scored.reset();
                m_heldOut.reset();
                m_page->setRound(round + 1, {});
                refreshHistory();
            }
            if (m_context)
                m_context->notify(tr("Outer step of round %1 applied to the project's Φ.").arg(round));
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
            rounds.push_back(
                {j.at("round").get<int>(), j.at("baseline_loss").get<double>(), j.at("new_loss").get<double>()});
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

void ValidatorController::refreshCandidates() { fillCandidates(true); }

void ValidatorController::fillCandidates(bool keepChecks)
{
    if (!m_page)
        return;
    if (!m_projectId || !m_context || !m_context->store()) {
        m_page->setCandidates({}, keepChecks);
        return;
    }
    std::vector<ValidatorPage::Candidate> rows;
    try {
        const Project project = Project::load(*m_context->store(), *m_projectId);
        std::optional<std::int64_t> current;
        try {
            current = ValidatorState::load(project.validatorStateDir()).round;
        } catch (const std::exception& e) {
            spdlog::warn("{}", e.what());
        }
        for (const SubmissionCandidate& c : projectSubmissions(*m_context->store(), project)) {
            ValidatorPage::Candidate r;
            r.imported = c.source == SubmissionCandidate::Source::Imported;
            r.name = QString::fromStdString(r.imported ? c.path.filename().string() : c.runName);
            if (!r.imported && c.path.filename() != "submission")
                r.name += QStringLiteral(" (%1)").arg(QString::fromStdString(c.path.filename().string()));
            r.state = r.imported ? QString() : runStateText(c.runState);
            r.path = QString::fromStdString(c.path.string());
            r.exists = c.exists;
            r.round = c.round ? static_cast<int>(*c.round) : -1;
            // A finished run's submission for this round, and every import, are ticked at first.
            const bool forThisRound = !c.round || !current || *c.round == *current;
            r.checkedByDefault = c.exists &&
                                 (r.imported || (c.runState == JobStore::JobState::Succeeded && forThisRound));
            rows.push_back(std::move(r));
        }
    } catch (const std::exception& e) {
        spdlog::warn("Validate page: the submissions cannot be listed: {}", e.what());
        if (m_context)
            m_context->notify(tr("The submissions cannot be listed: %1").arg(QString::fromUtf8(e.what())));
    }
    m_page->setCandidates(rows, keepChecks);
}

void ValidatorController::importSubmissions(const QStringList& paths)
{
    if (!m_projectId || !m_context || !m_context->store() || paths.isEmpty())
        return;
    try {
        std::vector<fs::path> list;
        for (const QString& p : paths)
            list.emplace_back(p.toStdString());
        teft::importSubmissions(Project::load(*m_context->store(), *m_projectId), list);
    } catch (const std::exception& e) {
        showError(tr("Cannot add the submission"), QString::fromUtf8(e.what()));
    }
    refreshCandidates();
}

void ValidatorController::importFolder(const QString& dir)
{
    if (!m_projectId || !m_context || !m_context->store())
        return;
    const QString title = tr("Cannot add the submissions");
    try {
        const auto dirs = SubmissionVerifier::listSubmissions(dir.toStdString());
        if (dirs.empty()) {
            showError(title, tr("%1 holds no submission folder (a submission is a folder holding manifest.json and "
                                "experts.safetensors).")
                                 .arg(dir));
            return;
        }
        teft::importSubmissions(Project::load(*m_context->store(), *m_projectId), dirs);
    } catch (const std::exception& e) {
        showError(title, QString::fromUtf8(e.what()));
    }
    refreshCandidates();
}

void ValidatorController::removeImports(const QStringList& paths)
{
    if (!m_projectId || !m_context || !m_context->store() || paths.isEmpty())
        return;
    try {
        std::vector<fs::path> list;
        for (const QString& p : paths)
            list.emplace_back(p.toStdString());
        removeImportedSubmissions(Project::load(*m_context->store(), *m_projectId), list);
    } catch (const std::exception& e) {
        showError(tr("Cannot remove the submission"), QString::fromUtf8(e.what()));
    }
    refreshCandidates();
}

void ValidatorController::showError(const QString& title, const QString& message, const QString& advice)
{
    Q_EMIT errorShown(message);
    if (m_context)
        m_context->notify(QStringLiteral("%1: %2").arg(title, message));
    if (!m_page)
        return;
    auto* box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Ok, m_page);
    if (!advice.isEmpty())
        box->setInformativeText(advice);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

} // namespace teft::ui
