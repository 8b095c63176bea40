#pragma once

#include "core/project/Project.h"

#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace teft {
struct ScoredRound;
class TokenDataset;
} // namespace teft

namespace teft::ui {

class AppContext;
class BackgroundTask;
class TaskProgressBar;
class ValidatorPage;

// Runs the validator engine for the Validate page while a project is open (without one the
// page shows what to do first): the page's "Submissions" list shows the project's miner runs'
// submissions and the imported ones (refreshed on a project switch, a store change such as a
// finished training job, and when the page is shown); "Score selected" scores exactly the ticked
// ones, "Open submissions folder…" a whole folder. Scoring verifies and scores the folder against the
// project's current Φ (core scoreRound) and fills the review table; "Run outer step" applies
// the round with the weights the page shows, overrides included (core applyRound), which
// writes <project>/validator/ and records the round in the job store; the per-round chart
// follows the state folder's round reports. Both phases run on a BackgroundTask (progress and
// Cancel in the page); errors are shown in a message box. The page stays engine-free.
class ValidatorController : public QObject {
    Q_OBJECT
public:
    ValidatorController(ValidatorPage* page, AppContext* context, QObject* parent = nullptr);
    ~ValidatorController() override;

    BackgroundTask* task() const { return m_task; }
    TaskProgressBar* progressBar() const { return m_bar; }
    bool hasScoredRound() const { return static_cast<bool>(m_scored); }
    // <project>/validator, or empty without a project.
    std::filesystem::path stateDir() const;

    // Validation loss of Φ(t) per round t, from the state folder's round-<n>/report.json files:
    // the first round's baseline, then the loss after each outer step.
    static std::vector<std::pair<int, double>> roundHistory(const std::filesystem::path& stateDir);

public Q_SLOTS:
    void scoreFolder(const QString& dir);
    // Scores exactly these submission folders (the page's ticked candidates).
    void scoreSubmissions(const QStringList& paths);
    // The page's "Submissions" list from the project's runs and imports (core projectSubmissions).
    void refreshCandidates();
    // Imports submission folders / each submission in a folder into the project's list (nothing
    // is copied); forgets imports (nothing is deleted). Errors are shown.
    void importSubmissions(const QStringList& paths);
    void importFolder(const QString& dir);
    void removeImports(const QStringList& paths);
    // The outer step with the page's current weights (overrides respected).
    void applyOuterStep();

Q_SIGNALS:
    void roundScored(int round);
    void roundApplied(int round);
    // A failure was shown to the user (also emitted when the message box cannot be shown).
    void errorShown(const QString& message);

private:
    void onProjectChanged();
    // `advice` (ui/shell/ErrorAdvice.h), when given, becomes the box's informative text.
    void showError(const QString& title, const QString& message, const QString& advice = {});
    void refreshHistory();
    void fillCandidates(bool keepChecks);
    void startScoring(const std::filesystem::path& folder, const std::vector<std::filesystem::path>& list);

    QPointer<ValidatorPage> m_page;
    AppContext* m_context;
    BackgroundTask* m_task;
    TaskProgressBar* m_bar;
    std::optional<std::int64_t> m_projectId;
    std::shared_ptr<ScoredRound> m_scored;
    std::shared_ptr<const TokenDataset> m_heldOut;
    QString m_failureTitle;
};

} // namespace teft::ui
