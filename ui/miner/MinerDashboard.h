#pragma once

#include "core/train/MemoryPlan.h"
#include "ui/miner/TrainingMetrics.h"
#include "ui/miner/TrainingRun.h"
#include "ui/miner/TrainingSession.h"
#include "ui/miner/TrainingSettings.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QVector>
#include <QWidget>
#include <functional>
#include <optional>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSlider;
class QSpinBox;
class QTabWidget;
class QTimer;
class QTreeWidget;

namespace teft::ui {

class LiveChart;

// Configure and watch local training: the project's runs (each named, with its own folder and
// submission: start a new one or continue a stopped one; tick runs to overlay their loss curves),
// a settings form, live charts (training loss with EMA smoothing, validation loss, learning
// rate, tokens/s), progress with ETA, start / pause / resume / cancel. Metrics from the session
// are buffered and drawn at most every 100 ms, so a fast trainer never floods the GUI thread.
// Elapsed time and the ETA leave pauses out and survive a resume (they come from the session's
// own steps and active time, TrainingMetrics::stepsThisRun / activeSeconds).
class MinerDashboard : public QWidget {
    Q_OBJECT
public:
    using SessionFactory = std::function<TrainingSession*(QObject* parent)>;
    // The memory plan of the form's settings (core/train/MemoryPlan.h); nullopt when there is
    // nothing to plan (no project or selection); an exception's message is shown instead.
    using PlanProvider = std::function<std::optional<MemoryPlan>(const TrainingSettings& settings)>;
    static constexpr int RepaintIntervalMs = 100;

    explicit MinerDashboard(QWidget* parent = nullptr);

    // Who makes a session when Start is pressed (none: Start asks for a project first).
    void setSessionFactory(SessionFactory factory) { m_factory = std::move(factory); }
    // Who plans the memory of a run: shown under the form, and Start refuses a run that does not
    // fit. None: no plan is shown and nothing is refused.
    void setPlanProvider(PlanProvider provider);
    // Recomputes the plan of the current settings (the form's changes do it by themselves).
    void updatePlan();
    const std::optional<MemoryPlan>& plan() const { return m_plan; }
    TrainingSession* session() const { return m_session; }

    TrainingSettings settings() const;
    // Fills the form (an empty runName leaves the name field as it is).
    void setSettings(const TrainingSettings& settings);
    // Smoothing weight in [0, 0.99]: ema = w · ema + (1 − w) · loss.
    double smoothing() const;

    // Chart redraws so far (each one drew everything buffered since the previous one).
    int chartUpdates() const { return m_chartUpdates; }
    LiveChart* lossChart() const { return m_lossChart; }
    LiveChart* validationChart() const { return m_validationChart; }
    LiveChart* learningRateChart() const { return m_lrChart; }
    LiveChart* throughputChart() const { return m_throughputChart; }
    QSlider* smoothingSlider() const { return m_smoothing; }
    QPushButton* startButton() const { return m_start; }
    QPushButton* pauseButton() const { return m_pause; }
    QPushButton* resumeButton() const { return m_resume; }
    QPushButton* cancelButton() const { return m_cancel; }
    QProgressBar* progressBar() const { return m_progress; }
    QLabel* statusLabel() const { return m_status; }
    QLabel* resultLabel() const { return m_result; }
    QLabel* planLabel() const { return m_planLabel; }
    QComboBox* deviceBox() const { return m_device; }
    QLabel* etaLabel() const { return m_eta; }
    QPushButton* continueRunButton() const { return m_continueRun; }
    QPushButton* publishRunButton() const { return m_publishRun; }
    QTreeWidget* runsView() const { return m_runsView; }
    LiveChart* compareLossChart() const { return m_compareLoss; }
    LiveChart* compareValidationChart() const { return m_compareValidation; }
    QTabWidget* chartTabs() const { return m_tabs; }

    // The project's runs (newest first) and the name a new run gets unless the user types
    // another. The selection and the ticks of runs still listed are kept.
    void setRuns(const QVector<TrainingRun>& runs, const QString& nextRunName);
    const QVector<TrainingRun>& runs() const { return m_runs; }
    // Selects a listed run: its settings fill the form (under a new run's name), its recorded
    // curves the charts. False when no run has that name.
    bool selectRun(const QString& name);
    QString selectedRun() const;
    // Ticks (or unticks) a run for the comparison charts.
    void setCompared(const QString& name, bool compared);
    QStringList comparedRuns() const;
    // The round the next run trains for (the project's validator state): shown under the form.
    void setRound(std::int64_t round);
    // The Network page pulled Φ(t) of a network round (`phiFile` empty: the round trains from the
    // base model's experts): the next runs train on it for that round (settings().networkRound,
    // phiFile), shown as "Network round N: Φ <short hash>" with a button back to the project's own
    // round. Kept until cleared, replaced by another pull or the project changes (resetForProject).
    void setNetworkPhi(qint64 round, const QString& phiFile);
    void clearNetworkPhi();
    std::optional<qint64> networkRound() const { return m_networkRound; }
    QString networkPhiFile() const { return m_networkPhi; }
    QLabel* roundLabel() const { return m_round; }
    QPushButton* clearNetworkPhiButton() const { return m_clearNetwork; }

    // Back to an empty page for another project (or none): an active run is stopped (its
    // checkpoint is kept: continue it from its project's run list), the charts, progress, ETA,
    // result and runs are cleared; the form keeps its values until the controller sets them.
    void resetForProject();

    // What to change after a failure of this kind (out of memory, non-finite loss, missing
    // device...): ui/shell/ErrorAdvice, with the dashboard's own line for a General failure.
    static QString adviceFor(ErrorKind kind);

    // The line under the progress bar (what to do next, what a controller is doing).
    void setStatus(const QString& text);
    // Draws the steps of a run that is not attached (a recorded run, the screenshots' sample),
    // replacing the charts; starts nothing and shows no ETA.
    void showMetrics(const QVector<TrainingMetrics>& steps);

    // Starts a session made elsewhere (a resumed job) with the form showing its settings; the
    // dashboard takes ownership. Ignored while a run is active.
    void startSession(TrainingSession* session, const TrainingSettings& settings);

Q_SIGNALS:
    // Continue was pressed for this run (stopped before its last step).
    void continueRunRequested(const teft::ui::TrainingRun& run);
    // "Publish to round…" was pressed for a finished run: its submission folder goes to the
    // Network page.
    void publishRunRequested(const QString& submissionPath);
    // Start was refused before a session was made (the memory plan does not fit): the controller
    // records it as a failed job, as the engine records the refusals it makes.
    void startRefused(const QString& message, const teft::ui::TrainingSettings& settings);

public Q_SLOTS:
    // Starts a new run with the form's settings and name.
    void start();
    void flush(); // draws the buffered metrics now

protected:
    // Shown again: the free memory and the saved selection may have changed.
    void showEvent(QShowEvent* event) override;

private:
    void attach(TrainingSession* session);
    void launch(TrainingSession* session, const TrainingSettings& settings);
    void onStep(const TrainingMetrics& metrics);
    void onFinished(const TrainingResult& result);
    void onFailed(const QString& message, ErrorKind kind);
    void onStateChanged(TrainingSession::State state);
    // After an out-of-memory failure: the same run again, from its last checkpoint.
    void resumeAfterFailure();
    bool canResumeAfterFailure() const;
    void recomputeEma();
    void updateButtons();
    bool isActive() const;
    void clearCharts();
    void onRunSelected();
    void updateComparison();
    const TrainingRun* runNamed(const QString& name) const;
    void showRound();

    SessionFactory m_factory;
    PlanProvider m_planProvider;
    std::optional<MemoryPlan> m_plan;
    QString m_planError;
    ErrorKind m_lastFailure = ErrorKind::General;
    QPointer<TrainingSession> m_session;
    QVector<TrainingMetrics> m_pending;
    QVector<QPointF> m_rawLoss; // all raw losses, for re-smoothing
    double m_ema = 0.0;
    bool m_emaStarted = false;
    int m_chartUpdates = 0;
    QTimer* m_flushTimer;
    TrainingMetrics m_last;

    QComboBox* m_device;
    QSpinBox* m_innerSteps;
    QLineEdit* m_learningRate;
    QSpinBox* m_batch;
    QSpinBox* m_sequence;
    QComboBox* m_precision;
    QComboBox* m_encoding;
    QSpinBox* m_checkpoint;
    QSpinBox* m_validation;
    QComboBox* m_routing;
    QCheckBox* m_recompute;
    QCheckBox* m_offload;
    QSlider* m_smoothing;
    QLabel* m_smoothingValue;
    LiveChart* m_lossChart;
    LiveChart* m_validationChart;
    LiveChart* m_lrChart;
    LiveChart* m_throughputChart;
    QProgressBar* m_progress;
    QLabel* m_eta;
    QLabel* m_status;
    QLabel* m_result;
    QLabel* m_planLabel;
    QPushButton* m_start;
    QPushButton* m_pause;
    QPushButton* m_resume;
    QPushButton* m_cancel;
    QList<QWidget*> m_formWidgets;

    QVector<TrainingRun> m_runs;
    QString m_nextRunName;
    QTreeWidget* m_runsView;
    QPushButton* m_continueRun;
    QPushButton* m_publishRun;
    QLineEdit* m_runName;
    QSpinBox* m_shardIndex;
    QSpinBox* m_shardCount;
    QLabel* m_round;
    QPushButton* m_clearNetwork;
    QString m_projectRound;               // the round label's text without a network round
    std::optional<qint64> m_networkRound; // setNetworkPhi
    QString m_networkPhi;
    QTabWidget* m_tabs;
    LiveChart* m_compareLoss;
    LiveChart* m_compareValidation;
};

} // namespace teft::ui
