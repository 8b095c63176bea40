#include "ui/engine/NetworkController.h"

#include "core/data/TokenDataset.h"
#include "core/net/AwsConfig.h"
#include "core/net/Network.h"
#include "core/net/ObjectStore.h"
#include "core/project/Project.h"
#include "core/project/Train.h"
#include "core/store/JobStore.h"
#include "core/teft/MinerKey.h"
#include "core/util/Error.h"
#include "ui/engine/BackgroundTask.h"
#include "ui/shell/AppContext.h"
#include "ui/shell/Confirm.h"
#include "ui/shell/LocalTime.h"

#include <QSettings>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <map>
#include <utility>

namespace teft::ui {

namespace fs = std::filesystem;

struct NetworkController::Session {
    std::unique_ptr<net::ObjectStore> store;
    std::unique_ptr<net::Network> network;
    std::string description;
    // Rounds before the latest that have their result: what the history shows of them no longer
    // changes, so a refresh reads only the latest round (and rounds not seen closed yet). Used by
    // one task at a time, like the store.
    std::map<std::int64_t, net::RoundView> closedRounds;
};

struct NetworkController::Snapshot {
    std::shared_ptr<Session> session;
    std::shared_ptr<const net::NetworkDefinition> definition;
    std::optional<net::RoundView> round;
    std::vector<net::RoundView> history;
};

namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

net::ObjectStoreOptions storeOptions(const NetworkPage::StoreForm& form)
{
    net::ObjectStoreOptions o;
    o.endpoint = form.endpoint.toStdString();
    o.region = form.region.toStdString();
    o.profile = form.profile.toStdString();
    return o;
}

bool isS3(const QString& url) { return url.startsWith(QLatin1String("s3://"), Qt::CaseInsensitive); }

QString stateText(net::EntryState s)
{
    switch (s) {
    case net::EntryState::Committed: return NetworkController::tr("committed");
    case net::EntryState::Uploaded: return NetworkController::tr("uploaded");
    case net::EntryState::Verified: return NetworkController::tr("verified");
    case net::EntryState::Scored: return NetworkController::tr("scored");
    case net::EntryState::Accepted: return NetworkController::tr("accepted");
    case net::EntryState::Refused: return NetworkController::tr("refused");
    case net::EntryState::Invalid: return NetworkController::tr("invalid");
    }
    return qs(net::entryStateName(s));
}

double numberIn(const nlohmann::json& j, std::initializer_list<const char*> keys)
{
    if (!j.is_object())
        return -1;
    for (const char* k : keys) {
        const auto it = j.find(k);
        if (it != j.end() && it->is_number())
            return it->get<double>();
    }
    for (const char* nested : {"report", "headline", "summary"}) {
        const auto it = j.find(nested);
        if (it != j.end() && it->is_object()) {
            const double v = numberIn(*it, keys);
            if (v >= 0)
                return v;
        }
    }
    return -1;
}

std::string stringIn(const nlohmann::json& j, std::initializer_list<const char*> keys)
{
    if (!j.is_object())
        return {};
    for (const char* k : keys) {
        const auto it = j.find(k);
        if (it != j.end() && it->is_string())
            return it->get<std::string>();
    }
    return {};
}

NetworkPage::Definition definitionOf(const net::NetworkDefinition& d)
{
    NetworkPage::Definition v;
    v.name = qs(d.name);
    v.validatorKey = qs(d.validatorKey);
    v.selectedExperts = d.selection.count();
    v.layers = static_cast<int>(d.selection.layers().size());
    const auto& r = d.rules;
    QStringList rules;
    rules << NetworkController::tr("Rounds last %1.").arg(durationText(r.roundSeconds));
    QStringList encodings;
    for (const auto& e : r.encodings)
        encodings << qs(e);
    rules << NetworkController::tr("Encodings: %1; Δ norm at most %2× the base's.")
                 .arg(encodings.join(QStringLiteral(", ")))
                 .arg(r.maxRelativeNorm);
    rules << NetworkController::tr("Scoring: %1 batches of %2 rows, confidence %3; aggregation %4.")
                 .arg(r.evalBatches)
                 .arg(r.evalBatchSize)
                 .arg(r.confidence)
                 .arg(qs(toString(r.aggregation.policy)));
    rules << (r.openToAllMiners ? NetworkController::tr("Open to every miner.")
                                : NetworkController::tr("Only %n listed miner(s) may commit.", nullptr,
                                                        static_cast<int>(r.miners.size())));
    v.rules = rules.join(QLatin1Char('\n'));
    v.heldOut = d.heldOut.is_null() ? NetworkController::tr("Held-out data: the validator's own (private).")
                                    : NetworkController::tr("Held-out data: published with the network.");
    return v;
}

NetworkPage::Round roundOf(const net::RoundView& v)
{
    NetworkPage::Round r;
    r.round = v.round;
    r.deadline = qs(v.opening.deadline);
    r.secondsToDeadline = v.secondsToDeadline;
    r.sealed = v.seal.has_value();
    r.hasResult = v.resultObject.has_value();
    r.phi = qs(v.opening.phi);
    return r;
}

std::vector<NetworkPage::Slot> slotsOf(const net::RoundView& v)
{
    std::vector<NetworkPage::Slot> rows;
    for (const auto& e : v.entries) {
        NetworkPage::Slot s;
        s.slot = e.slot;
        s.key = qs(e.signer);
        if (e.commitment) {
            s.minerId = qs(e.commitment->minerId);
            s.bytes = static_cast<qint64>(e.commitment->bytes);
        }
        s.state = qs(net::entryStateName(e.state));
        s.stateText = stateText(e.state);
        if (!e.code.empty() || !e.message.empty())
            s.reason = e.code.empty()      ? qs(e.message)
                       : e.message.empty() ? qs(e.code)
                                           : NetworkController::tr("%1: %2").arg(qs(e.code), qs(e.message));
        rows.push_back(std::move(s));
    }
    return rows;
}

NetworkPage::HistoryRow historyOf(const net::RoundView& v)
{
    NetworkPage::HistoryRow h;
    h.round = v.round;
    h.phi = qs(v.opening.phi);
    h.entries = static_cast<int>(v.entries.size());
    if (v.resultObject) {
        h.nextPhi = qs(stringIn(v.result, {"next_phi", "phi_next", "new_phi", "phi"}));
        h.baselineLoss = numberIn(v.result, {"baseline_loss"});
        h.newLoss = numberIn(v.result, {"new_loss"});
        h.accepted = 0;
        for (const auto& e : v.entries)
            if (e.state == net::EntryState::Accepted)
                ++h.accepted;
    }
    return h;
}

} // namespace

NetworkController::Snapshot NetworkController::readSnapshot(std::shared_ptr<Session> session, JobControl& control)
{
    Snapshot snapshot;
    snapshot.session = session;
    snapshot.definition = std::make_shared<net::NetworkDefinition>(session->network->definition());
    const auto latest = session->network->latestRound(&control);
    if (!latest)
        return snapshot;
    snapshot.round = session->network->round(*latest, &control);
    for (std::int64_t t = 0; t < *latest; ++t) {
        const auto cached = session->closedRounds.find(t);
        if (cached != session->closedRounds.end()) {
            snapshot.history.push_back(cached->second);
            continue;
        }
        try {
            auto v = session->network->round(t, &control);
            if (v.resultObject)
                session->closedRounds.emplace(t, v);
            snapshot.history.push_back(std::move(v));
        } catch (const net::ProtocolError& e) {
            spdlog::warn("network: round {} is left out of the history: {}", t, e.what());
        }
    }
    snapshot.history.push_back(*snapshot.round);
    return snapshot;
}

NetworkController::NetworkController(NetworkPage* page, AppContext* context, QObject* parent)
    : QObject(parent), m_page(page), m_context(context), m_task(new BackgroundTask(this)),
      m_loadTask(new BackgroundTask(this))
{
    connect(page, &NetworkPage::connectRequested, this, &NetworkController::connectStore);
    connect(page, &NetworkPage::refreshRequested, this, &NetworkController::refresh);
    connect(page, &NetworkPage::pullRequested, this, &NetworkController::pull);
    connect(page, &NetworkPage::submitRequested, this, &NetworkController::submit);
    connect(page, &NetworkPage::openRoundRequested, this, &NetworkController::openRound);
    connect(page, &NetworkPage::closeRoundRequested, this, &NetworkController::closeRound);
    connect(page, &NetworkPage::verifyRequested, this, &NetworkController::verify);
    connect(page, &NetworkPage::cancelRequested, m_task, &BackgroundTask::cancel);

    connect(m_task, &BackgroundTask::started, this, [this] {
        if (m_page)
            m_page->showStarted(m_stepName);
    });
    connect(m_task, &BackgroundTask::progress, this, [this](qint64 done, qint64 total, const QString& stage) {
        if (m_page)
            m_page->showProgress(done, total, stage);
    });
    connect(m_task, &BackgroundTask::failed, this, [this](const QString& message, ErrorKind kind) {
        if (m_context)
            m_context->notify(tr("%1 failed: %2").arg(m_stepName, message));
        if (m_page)
            m_page->showFinished(NetworkPage::Outcome::Failed, message, kind);
    });
    connect(m_task, &BackgroundTask::cancelled, this, [this] {
        if (m_page)
            m_page->showFinished(NetworkPage::Outcome::Cancelled);
    });
    connect(m_task, &BackgroundTask::finished, this, [this] {
        // The round changed (or the failure may say why): read it again.
        refresh();
    });

    connect(m_loadTask, &BackgroundTask::failed, this, [this](const QString& message, ErrorKind) {
        const bool connecting = m_connecting;
        m_connecting = false;
        if (m_page) {
            if (connecting)
                m_page->showConnectFailed(message);
            else
                m_page->showRefreshFailed(message);
        }
        if (connecting) {
            m_session.reset();
            m_definition.reset();
            updateValidator();
        }
        Q_EMIT loaded(false);
    });
    connect(m_loadTask, &BackgroundTask::finished, this, [this] {
        if (auto next = std::exchange(m_pending, {}))
            next();
    });
    connect(m_loadTask, &BackgroundTask::cancelled, this, [this] {
        if (m_connecting && m_page)
            m_page->showConnectFailed(tr("cancelled"));
        m_connecting = false;
    });

    if (m_page)
        m_page->setStoreForm(rememberedStore());
    if (m_context)
        connect(m_context, &AppContext::currentProjectChanged, this, &NetworkController::onProjectChanged);
    onProjectChanged();
}

NetworkController::~NetworkController()
{
    // The workers hold the session (shared), the page is guarded: stop them before members go.
    m_task->cancelAndWait();
    m_loadTask->cancelAndWait();
}

QString NetworkController::credentialsText(const NetworkPage::StoreForm& form)
{
    if (!isS3(form.url))
        return tr("none needed (a shared folder: the file system's permissions apply)");
    const auto aws = net::resolveAwsSettings(storeOptions(form));
    const QString id = qs(aws.credentials.accessKeyId);
    return tr("%1, access key %2… (region %3, endpoint %4)")
        .arg(qs(aws.credentials.source), id.left(4), qs(aws.region), qs(aws.endpoint));
}

void NetworkController::connectStore(const NetworkPage::StoreForm& form)
{
    if (m_task->isRunning())
        return;
    if (form.url.trimmed().isEmpty()) {
        if (m_page)
            m_page->showConnectFailed(tr("enter the store's URL (s3://bucket/prefix or file:///path)."));
        return;
    }
    if (m_loadTask->isRunning()) {
        // Never wait on the GUI thread for a request in flight: connect once the refresh stopped.
        m_loadTask->cancel();
        m_pending = [this, form] { connectStore(form); };
        return;
    }
    rememberStore(form);
    m_connecting = true;
    if (m_page) {
        m_page->showConnecting();
        m_page->setCredentialsText(tr("looking…"));
    }
    // Credentials first, on the GUI thread (two small files at most): shown even when the
    // connection then fails.
    try {
        if (m_page)
            m_page->setCredentialsText(credentialsText(form));
    } catch (const std::exception& e) {
        m_connecting = false;
        if (m_page) {
            m_page->setCredentialsText(tr("none found"));
            m_page->showConnectFailed(qs(e.what()));
        }
        m_session.reset();
        m_definition.reset();
        updateValidator();
        Q_EMIT loaded(false);
        return;
    }
    const std::string url = form.url.trimmed().toStdString();
    const auto options = storeOptions(form);
    m_loadTask->start([this, url, options](JobControl& control) -> BackgroundTask::Continuation {
        auto session = std::make_shared<Session>();
        session->store = net::openObjectStore(url, options);
        session->description = session->store->describe();
        session->network = std::make_unique<net::Network>(*session->store, &control);
        auto snapshot = std::make_shared<Snapshot>(readSnapshot(session, control));
        return [this, snapshot] {
            m_connecting = false;
            m_session = snapshot->session;
            if (m_page)
                m_page->showConnected(qs(m_session->description));
            show(*snapshot);
        };
    });
}

void NetworkController::refresh()
{
    if (!m_session || m_task->isRunning() || m_loadTask->isRunning())
        return;
    startLoad(m_session, false);
}

void NetworkController::startLoad(std::shared_ptr<Session> session, bool connecting)
{
    m_connecting = connecting;
    m_loadTask->start([this, session](JobControl& control) -> BackgroundTask::Continuation {
        auto snapshot = std::make_shared<Snapshot>(readSnapshot(session, control));
        return [this, snapshot] {
            if (m_session == snapshot->session) // not replaced by a connect meanwhile
                show(*snapshot);
        };
    });
}

void NetworkController::show(const Snapshot& snapshot)
{
    m_definition = snapshot.definition;
    m_round = snapshot.round ? std::optional<qint64>(snapshot.round->round) : std::nullopt;
    m_secondsToDeadline = snapshot.round ? snapshot.round->secondsToDeadline : 0;
    if (m_page) {
        m_page->setDefinition(definitionOf(*snapshot.definition));
        if (snapshot.round)
            m_page->setRound(roundOf(*snapshot.round), slotsOf(*snapshot.round));
        else
            m_page->setRound(std::nullopt, {});
        std::vector<NetworkPage::HistoryRow> rows;
        for (const auto& v : snapshot.history)
            rows.push_back(historyOf(v));
        m_page->setHistory(rows);
    }
    updateValidator();
    Q_EMIT loaded(true);
}

void NetworkController::updateValidator()
{
    if (!m_page)
        return;
    if (!m_definition) {
        m_page->setValidatorAllowed(false, tr("Connect to a network first"));
        return;
    }
    const QString want = qs(m_definition->validatorKey);
    try {
        const fs::path dir = MinerKey::defaultKeyDir();
        if (!MinerKey::exists(dir)) {
            m_page->setValidatorAllowed(false, tr("Only the network's validator (key %1…) can do this; this machine "
                                                  "has no key in %2")
                                                   .arg(want.left(12), qs(dir.string())));
            return;
        }
        const QString mine = qs(MinerKey::load(dir).publicKeyHex());
        if (mine.compare(want, Qt::CaseInsensitive) != 0) {
            m_page->setValidatorAllowed(false, tr("Only the network's validator (key %1…) can do this; this "
                                                  "machine's key is %2…")
                                                   .arg(want.left(12), mine.left(12)));
            return;
        }
        m_page->setValidatorAllowed(true);
    } catch (const std::exception& e) {
        m_page->setValidatorAllowed(false, tr("This machine's key cannot be read: %1").arg(qs(e.what())));
    }
}

bool NetworkController::startStep(const QString& what, std::function<std::function<void()>(JobControl&)> work)
{
    if (!m_session || m_task->isRunning())
        return false;
    if (m_loadTask->isRunning()) {
        // The step uses the store alone: it starts when the refresh has stopped (never waited
        // for on the GUI thread: an S3 request in flight may take a while to give up).
        m_loadTask->cancel();
        m_pending = [this, what, work = std::move(work)]() mutable { startStep(what, std::move(work)); };
        if (m_page)
            m_page->showStarted(what);
        return true;
    }
    m_stepName = what;
    return m_task->start(
        [work = std::move(work)](JobControl& control) -> BackgroundTask::Continuation { return work(control); });
}

void NetworkController::pull()
{
    if (!m_session)
        return;
    if (!m_project) {
        if (m_page)
            m_page->showFinished(NetworkPage::Outcome::Failed, m_projectError);
        return;
    }
    const auto session = m_session;
    const fs::path dir = m_project->workDir() / "network";
    const auto projectId = m_project->id;
    startStep(tr("Pulling Φ(t)"), [this, session, dir, projectId](JobControl& control) -> std::function<void()> {
        const auto r = net::pullRound(*session->network, dir, &control);
        return [this, r, projectId] {
            const QString path = qs(r.phiFile.string());
            const QString text =
                r.phiFile.empty()
                    ? tr("Round %1 trains from the base model's experts: nothing to download.").arg(r.round)
                    : tr("Φ(t) of round %1 saved to %2.").arg(r.round).arg(path);
            if (m_page) {
                m_page->setDetails(text);
                m_page->showFinished(NetworkPage::Outcome::Succeeded, text);
            }
            if (m_context)
                m_context->notify(text);
            // Φ(t) is for the project it was pulled into: after a switch the Train page keeps its own.
            if (m_project && m_project->id == projectId)
                Q_EMIT phiPulled(r.round, path);
            Q_EMIT stepFinished(true);
        };
    });
}

void NetworkController::submit(const QString& submissionDir)
{
    if (!m_session || submissionDir.isEmpty())
        return;
    const auto session = m_session;
    const fs::path dir(submissionDir.toStdString());
    startStep(tr("Publishing the submission"), [this, session, dir](JobControl& control) -> std::function<void()> {
        const MinerKey key = MinerKey::loadOrCreate();
        const auto r = net::submitToRound(*session->network, dir, key, {}, &control);
        return [this, r] {
            const QString text = tr("Committed in slot %1 of round %2 and uploaded %3 to %4.")
                                     .arg(r.slot)
                                     .arg(r.round)
                                     .arg(NetworkPage::bytesText(static_cast<qint64>(r.bytes)), qs(r.uploadPrefix));
            if (m_page) {
                m_page->setDetails(text);
                m_page->showFinished(NetworkPage::Outcome::Succeeded, text);
            }
            if (m_context)
                m_context->notify(text);
            Q_EMIT stepFinished(true);
        };
    });
}

void NetworkController::openRound()
{
    if (!m_session || !m_project)
        return;
    const auto session = m_session;
    net::OpenRoundSettings settings;
    settings.modelDir = m_project->modelDir;
    settings.stateDir = m_project->validatorStateDir();
    startStep(tr("Opening a round"), [this, session, settings](JobControl& control) -> std::function<void()> {
        const MinerKey key = MinerKey::load(MinerKey::defaultKeyDir());
        const auto opening = net::openRound(*session->network, settings, key, &control);
        return [this, opening] {
            const QString text =
                tr("Round %1 opened; commitments until %2.").arg(opening.round).arg(localDateTime(opening.deadline));
            if (m_page) {
                m_page->setDetails(text);
                m_page->showFinished(NetworkPage::Outcome::Succeeded, text);
            }
            if (m_context)
                m_context->notify(text);
            Q_EMIT stepFinished(true);
        };
    });
}

void NetworkController::closeRound()
{
    if (!m_session || !m_project || !m_definition || !m_round)
        return;
    bool force = false;
    if (m_secondsToDeadline > 0) {
        if (!confirmAction(m_page, tr("Close the round early?"),
                           tr("The deadline of round %1 has not passed (%2). Closing now seals the commitments "
                              "made so far; later ones are refused as late.")
                               .arg(*m_round)
                               .arg(NetworkPage::countdownText(static_cast<qint64>(m_secondsToDeadline))),
                           tr("Close now")))
            return;
        force = true;
    }
    const auto session = m_session;
    net::CloseRoundSettings settings;
    settings.modelDir = m_project->modelDir;
    settings.stateDir = m_project->validatorStateDir();
    settings.device = m_project->device;
    settings.force = force;
    settings.projectId = m_project->id;
    if (m_definition->heldOut.is_null()) // the validator scores on the project's own held-out rows
        settings.privateHeldOut = datasetRecordJson(m_project->target, m_project->packing);
    startStep(tr("Closing round %1").arg(*m_round),
              [this, session, settings](JobControl& control) -> std::function<void()> {
                  const MinerKey key = MinerKey::load(MinerKey::defaultKeyDir());
                  const auto r = net::closeRound(*session->network, settings, key, control);
                  return [this, r] {
                      int accepted = 0;
                      for (const auto& e : r.view.entries)
                          accepted += e.state == net::EntryState::Accepted ? 1 : 0;
                      const QString text = tr("Round %1 closed: %2 of %3 submissions accepted; result %4 published.")
                                               .arg(r.view.round)
                                               .arg(accepted)
                                               .arg(r.view.entries.size())
                                               .arg(qs(r.resultSha256).left(12));
                      if (m_page) {
                          m_page->setDetails(text + QLatin1Char('\n') + qs(r.report.dump(2)));
                          m_page->showFinished(NetworkPage::Outcome::Succeeded, text);
                      }
                      if (m_context)
                          m_context->notify(text);
                      Q_EMIT stepFinished(true);
                  };
              });
}

void NetworkController::verify(qint64 round)
{
    if (!m_session || !m_definition)
        return;
    const auto session = m_session;
    net::VerifyRoundSettings settings;
    if (m_project) { // recompute the scores with the project's model
        settings.modelDir = m_project->modelDir;
        settings.workDir = m_project->workDir() / "network" / "verify";
        settings.device = m_project->device;
        if (m_definition->heldOut.is_null())
            settings.heldOut = datasetRecordJson(m_project->target, m_project->packing);
    }
    startStep(tr("Verifying round %1").arg(round),
              [this, session, settings, round](JobControl& control) -> std::function<void()> {
                  const auto r = net::verifyRound(*session->network, round, settings, control);
                  return [this, r] {
                      QStringList checks, failures;
                      for (const auto& c : r.checks)
                          checks << qs(c);
                      for (const auto& f : r.failures)
                          failures << qs(f);
                      const QString text =
                          r.ok ? tr("Round %1 verified (%2 checks%3).")
                                     .arg(r.round)
                                     .arg(checks.size())
                                     .arg(r.recomputed ? tr(", scores recomputed") : QString())
                               : tr("Round %1 failed verification: %2").arg(r.round).arg(failures.value(0));
                      if (m_page) {
                          m_page->showVerifyReport(r.round, r.ok, checks, failures);
                          m_page->showFinished(NetworkPage::Outcome::Succeeded, text);
                      }
                      if (m_context)
                          m_context->notify(text);
                      Q_EMIT stepFinished(r.ok);
                  };
              });
}

void NetworkController::onProjectChanged()
{
    m_project.reset();
    m_projectError = tr("Open or create a project first: Φ(t), the validator's state and the model are the "
                        "project's");
    const auto id = m_context ? m_context->currentProject() : std::nullopt;
    if (id && m_context->store()) {
        try {
            m_project = std::make_shared<Project>(Project::load(*m_context->store(), *id));
        } catch (const std::exception& e) {
            m_projectError = tr("The project cannot be used: %1").arg(qs(e.what()));
        }
    }
    if (!m_page)
        return;
    m_page->setProjectAvailable(m_project != nullptr, m_projectError);
    QString submission;
    if (m_project) {
        try {
            for (const auto& run : minerRuns(*m_context->store(), *m_project)) {
                if (run.state != JobStore::JobState::Succeeded)
                    continue;
                const fs::path dir = run.settings.submissionDir.empty() ? run.outDir / "submission"
                                                                        : run.settings.submissionDir;
                std::error_code ec;
                if (fs::exists(dir / "manifest.json", ec)) {
                    submission = qs(dir.string());
                    break;
                }
            }
        } catch (const std::exception&) {
            // no default: the dialog starts in the project's folder
        }
        if (submission.isEmpty())
            submission = qs(m_project->minerRunsDir().string());
    }
    m_page->setDefaultSubmission(submission);
    if (!m_session && !m_connecting)
        m_page->setStoreForm(rememberedStore());
}

void NetworkController::rememberStore(const NetworkPage::StoreForm& form)
{
    QSettings s;
    s.setValue(QStringLiteral("network/url"), form.url);
    s.setValue(QStringLiteral("network/endpoint"), form.endpoint);
    s.setValue(QStringLiteral("network/region"), form.region);
    s.setValue(QStringLiteral("network/profile"), form.profile);
    if (!m_project || !m_context || !m_context->store())
        return;
    try {
        Project::updateSettings(*m_context->store(), m_project->id,
                                {{"network",
                                  {{"url", form.url.toStdString()},
                                   {"endpoint", form.endpoint.toStdString()},
                                   {"region", form.region.toStdString()},
                                   {"profile", form.profile.toStdString()}}}});
    } catch (const std::exception& e) {
        if (m_context)
            m_context->notify(tr("The store's address was not saved in the project: %1").arg(qs(e.what())));
    }
}

NetworkPage::StoreForm NetworkController::rememberedStore() const
{
    NetworkPage::StoreForm f;
    if (m_project && m_context && m_context->store()) {
        try {
            const auto p = m_context->store()->project(m_project->id);
            const auto settings = p ? nlohmann::json::parse(p->settings) : nlohmann::json();
            const auto it = settings.is_object() ? settings.find("network") : settings.end();
            if (it != settings.end() && it->is_object()) {
                f.url = qs(it->value("url", std::string()));
                f.endpoint = qs(it->value("endpoint", std::string()));
                f.region = qs(it->value("region", std::string()));
                f.profile = qs(it->value("profile", std::string()));
                return f;
            }
        } catch (const std::exception&) {
            // malformed settings: the application's last store below
        }
    }
    QSettings s;
    f.url = s.value(QStringLiteral("network/url")).toString();
    f.endpoint = s.value(QStringLiteral("network/endpoint")).toString();
    f.region = s.value(QStringLiteral("network/region")).toString();
    f.profile = s.value(QStringLiteral("network/profile")).toString();
    return f;
}

} // namespace teft::ui
