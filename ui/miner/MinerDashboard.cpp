#include "ui/miner/MinerDashboard.h"

#include "core/util/Runtime.h"
#include "ui/engine/StageNames.h"
#include "ui/miner/LiveChart.h"
#include "ui/shell/DeviceChoices.h"
#include "ui/shell/ErrorAdvice.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleValidator>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QLocale>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSlider>
#include <QHeaderView>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QTabWidget>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

namespace teft::ui {

namespace {
QString formatDuration(double seconds)
{
    const qint64 s = static_cast<qint64>(std::llround(std::max(0.0, seconds)));
    if (s >= 3600)
        return QStringLiteral("%1:%2:%3")
            .arg(s / 3600)
            .arg((s / 60) % 60, 2, 10, QLatin1Char('0'))
            .arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

// The comparison's colours, one per ticked run (repeating after eight).
QColor runColour(int i)
{
    static const QColor colours[] = {QColor(31, 100, 180), QColor(200, 80, 40),  QColor(90, 150, 60),
                                     QColor(130, 80, 170), QColor(190, 150, 20), QColor(20, 150, 150),
                                     QColor(170, 60, 120), QColor(100, 100, 100)};
    return colours[i % 8];
}

enum RunColumn { RunName, RunState, RunRound, RunShard, RunSteps };
} // namespace

MinerDashboard::MinerDashboard(QWidget* parent) : QWidget(parent)
{
    qRegisterMetaType<TrainingMetrics>();
    qRegisterMetaType<TrainingResult>();

    m_device = new QComboBox;
    for (const DeviceChoice& d : deviceChoices())
        m_device->addItem(d.label, d.id);
    m_device->setToolTip(tr("Where the job runs, with the memory free there now"));
    m_innerSteps = new QSpinBox;
    m_innerSteps->setRange(1, 1000000);
    m_innerSteps->setToolTip(tr("Inner steps H before the submission (DiLoCo uses 500)"));
    m_learningRate = new QLineEdit;
    m_learningRate->setObjectName(QStringLiteral("learningRateEdit"));
    auto* lrValidator = new QDoubleValidator(1e-9, 1.0, 10, m_learningRate);
    lrValidator->setNotation(QDoubleValidator::ScientificNotation);
    lrValidator->setLocale(QLocale::c());
    m_learningRate->setValidator(lrValidator);
    m_learningRate->setToolTip(tr("Inner AdamW learning rate, e.g. 1e-5 (Connito, ESFT) to 4e-4"));
    m_batch = new QSpinBox;
    m_batch->setRange(1, 4096);
    m_sequence = new QSpinBox;
    m_sequence->setRange(16, 131072);
    m_sequence->setSingleStep(128);
    m_precision = new QComboBox;
    m_precision->addItem(tr("bf16 mixed precision"), QStringLiteral("bf16"));
    // fp16 is not offered: the engine computes in bf16 or fp32 only (no loss scaling).
    m_precision->addItem(tr("fp32"), QStringLiteral("fp32"));
    m_encoding = new QComboBox;
    m_encoding->addItem(tr("bf16 (half of f32, error feedback)"), QStringLiteral("bf16"));
    m_encoding->addItem(tr("int8 with per-row scales (a quarter, error feedback)"), QStringLiteral("int8"));
    m_encoding->addItem(tr("f32 (exact, largest)"), QStringLiteral("f32"));
    m_encoding->setToolTip(tr("How the update travels to the validator. bf16 and int8 keep the rounding error and add it "
                              "to the next round's update, so nothing is lost over rounds."));
    m_checkpoint = new QSpinBox;
    m_checkpoint->setRange(0, 1000000);
    m_checkpoint->setSpecialValueText(tr("never"));
    m_checkpoint->setSuffix(tr(" steps"));
    m_validation = new QSpinBox;
    m_validation->setRange(0, 1000000);
    m_validation->setSpecialValueText(tr("never"));
    m_validation->setSuffix(tr(" steps"));
    m_validation->setToolTip(tr("Measure the loss on the held-out rows every this many steps (and after the last)"));
    m_routing = new QComboBox;
    m_routing->addItem(tr("Full (base routing, all experts computed)"), false);
    m_routing->addItem(tr("Masked (only selected experts, less memory)"), true);
    m_recompute = new QCheckBox(tr("Recompute activations in the backward pass"));
    m_recompute->setToolTip(tr("Keep only each layer's input and recompute the layer when its gradients are needed: "
                               "much less memory for long sequences, about one more forward pass of time, the same "
                               "results. A run stopped for memory resumes with it."));

    m_offload = new QCheckBox(tr("Offload frozen experts to host memory (GPU)"));
    m_offload->setToolTip(tr("Full routing on a model larger than the GPU: the frozen experts stay in host memory and "
                             "are copied to the GPU layer by layer while the previous layer computes. The same "
                             "results; no effect on the CPU."));

    m_runName = new QLineEdit;
    m_runName->setObjectName(QStringLiteral("runNameEdit"));
    m_runName->setMaxLength(64);
    m_runName->setToolTip(tr("A new run's name: it names the run's folder (its checkpoint and submission), so "
                             "each run has its own and never overwrites another's"));
    m_shardIndex = new QSpinBox;
    m_shardIndex->setObjectName(QStringLiteral("shardIndexBox"));
    m_shardIndex->setRange(0, 9999);
    m_shardCount = new QSpinBox;
    m_shardCount->setObjectName(QStringLiteral("shardCountBox"));
    m_shardCount->setRange(1, 10000);
    const QString shardTip = tr("Which part of the training rows this miner trains on: the rows are split into "
                                "“count” disjoint parts (row r goes to part r mod count) and this run takes part "
                                "“index” (0-based). Miners of one round take different parts.");
    m_shardIndex->setToolTip(shardTip);
    m_shardCount->setToolTip(shardTip);
    connect(m_shardCount, qOverload<int>(&QSpinBox::valueChanged), this,
            [this](int count) { m_shardIndex->setMaximum(count - 1); });
    auto* shardRow = new QHBoxLayout;
    shardRow->addWidget(m_shardIndex, 1);
    shardRow->addWidget(new QLabel(tr("of")));
    shardRow->addWidget(m_shardCount, 1);
    m_round = new QLabel;
    m_round->setObjectName(QStringLiteral("roundLabel"));
    m_round->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_projectRound = tr("none (no project)");
    m_clearNetwork = new QPushButton(tr("Use the project's round"));
    m_clearNetwork->setObjectName(QStringLiteral("clearNetworkPhiButton"));
    m_clearNetwork->setToolTip(tr("Forget the network round pulled on the Network page: the next run trains for the "
                                  "project's own round, from the experts its last validation kept"));
    connect(m_clearNetwork, &QPushButton::clicked, this, &MinerDashboard::clearNetworkPhi);
    auto* roundRow = new QHBoxLayout;
    roundRow->addWidget(m_round, 1);
    roundRow->addWidget(m_clearNetwork);
    showRound();

    auto* formBox = new QGroupBox(tr("Training"));
    auto* form = new QFormLayout(formBox);
    form->addRow(tr("Run name:"), m_runName);
    form->addRow(tr("Round:"), roundRow);
    form->addRow(tr("Data shard:"), shardRow);
    form->addRow(tr("Device:"), m_device);
    form->addRow(tr("Inner steps (H):"), m_innerSteps);
    form->addRow(tr("Learning rate:"), m_learningRate);
    form->addRow(tr("Batch size:"), m_batch);
    form->addRow(tr("Sequence length:"), m_sequence);
    form->addRow(tr("Precision:"), m_precision);
    form->addRow(tr("Update encoding:"), m_encoding);
    form->addRow(tr("Checkpoint every:"), m_checkpoint);
    form->addRow(tr("Validate every:"), m_validation);
    form->addRow(tr("Routing:"), m_routing);
    form->addRow(tr("Memory:"), m_recompute);
    form->addRow(QString(), m_offload);
    m_formWidgets = {m_runName, m_shardIndex, m_shardCount, m_device,      m_innerSteps, m_learningRate,
                     m_batch,   m_sequence,   m_precision,  m_encoding,    m_checkpoint, m_validation,
                     m_routing, m_recompute,  m_offload,    m_clearNetwork};

    // The run manager: the project's runs, newest first.
    m_runsView = new QTreeWidget;
    m_runsView->setObjectName(QStringLiteral("runsView"));
    m_runsView->setHeaderLabels({tr("Run"), tr("State"), tr("Round"), tr("Shard"), tr("Steps")});
    m_runsView->setRootIsDecorated(false);
    m_runsView->setUniformRowHeights(true);
    m_runsView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_runsView->setToolTip(tr("Select a run to see its curves and settings; tick runs to compare them"));
    m_runsView->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_runsView->header()->setStretchLastSection(false);
    m_runsView->setMinimumHeight(80);
    m_runsView->setMaximumHeight(120);
    m_continueRun = new QPushButton(tr("C&ontinue run"));
    m_continueRun->setObjectName(QStringLiteral("continueRunButton"));
    m_continueRun->setToolTip(tr("Continue the selected run from its last checkpoint, with its own settings, "
                                 "folder and submission"));
    m_publishRun = new QPushButton(tr("Publish to &round…"));
    m_publishRun->setObjectName(QStringLiteral("publishRunButton"));
    auto* runsBox = new QGroupBox(tr("Runs"));
    auto* runsLayout = new QVBoxLayout(runsBox);
    runsLayout->addWidget(m_runsView);
    auto* runActions = new QHBoxLayout;
    runActions->addStretch(1);
    runActions->addWidget(m_publishRun);
    runsLayout->addLayout(runActions);

    m_start = new QPushButton(tr("&Start new run"));
    m_start->setToolTip(tr("Start a new run with the settings above: its own folder and submission"));
    m_pause = new QPushButton(tr("&Pause"));
    m_resume = new QPushButton(tr("&Resume"));
    m_cancel = new QPushButton(tr("&Cancel"));
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_start);
    buttons->addWidget(m_continueRun);
    buttons->addWidget(m_pause);
    buttons->addWidget(m_resume);
    buttons->addWidget(m_cancel);

    m_progress = new QProgressBar;
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progress->setFormat(tr("%v / %m steps"));
    m_eta = new QLabel;
    m_status = new QLabel(tr("Open or create a project, select its experts on the Experts page, then press Start."));
    m_status->setWordWrap(true);
    m_result = new QLabel;
    m_result->setWordWrap(true);
    m_planLabel = new QLabel;
    m_planLabel->setObjectName(QStringLiteral("memoryPlanLabel"));
    m_planLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_planLabel->hide();
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* left = new QVBoxLayout;
    left->addWidget(runsBox);
    left->addWidget(formBox);
    left->addWidget(m_planLabel);
    left->addLayout(buttons);
    left->addWidget(m_progress);
    left->addWidget(m_eta);
    left->addWidget(m_status);
    left->addWidget(m_result);
    left->addStretch(1);

    m_lossChart = new LiveChart(tr("Training loss"), tr("Loss"));
    m_lossChart->addSeries(tr("Loss"), QColor(160, 190, 230), 1.0);
    m_lossChart->addSeries(tr("Smoothed"), QColor(31, 100, 180), 2.0);
    m_validationChart = new LiveChart(tr("Validation loss"), tr("Loss"));
    m_validationChart->addSeries(tr("Held-out loss"), QColor(200, 80, 40), 2.0);
    m_lrChart = new LiveChart(tr("Learning rate"), tr("Learning rate"));
    m_lrChart->addSeries(tr("Learning rate"), QColor(90, 150, 60), 2.0);
    m_lrChart->setLogScaleHint(true);
    m_throughputChart = new LiveChart(tr("Throughput"), tr("Tokens/s"));
    m_throughputChart->addSeries(tr("Tokens per second"), QColor(130, 80, 170), 1.5);
    for (LiveChart* c : {m_lossChart, m_validationChart, m_lrChart, m_throughputChart})
        c->setNonNegative(true);
    m_compareLoss = new LiveChart(tr("Training loss (smoothed)"), tr("Loss"));
    m_compareValidation = new LiveChart(tr("Held-out loss"), tr("Loss"));
    for (LiveChart* c : {m_compareLoss, m_compareValidation})
        c->setNonNegative(true);

    m_smoothing = new QSlider(Qt::Horizontal);
    m_smoothing->setRange(0, 99);
    m_smoothing->setValue(80);
    m_smoothing->setToolTip(tr("Exponential moving average of the training loss"));
    m_smoothingValue = new QLabel;
    auto* smoothingRow = new QHBoxLayout;
    smoothingRow->addWidget(new QLabel(tr("Smoothing:")));
    smoothingRow->addWidget(m_smoothing, 1);
    smoothingRow->addWidget(m_smoothingValue);

    auto* charts = new QGridLayout;
    charts->addWidget(m_lossChart, 0, 0);
    charts->addWidget(m_validationChart, 0, 1);
    charts->addWidget(m_lrChart, 1, 0);
    charts->addWidget(m_throughputChart, 1, 1);
    auto* live = new QWidget;
    auto* liveLayout = new QVBoxLayout(live);
    liveLayout->setContentsMargins(0, 0, 0, 0);
    liveLayout->addLayout(charts, 1);
    auto* compare = new QWidget;
    auto* compareLayout = new QVBoxLayout(compare);
    compareLayout->setContentsMargins(0, 0, 0, 0);
    auto* compareHint = new QLabel(tr("Tick runs in the Runs list to overlay their curves (the training loss "
                                      "with the smoothing above)."));
    compareHint->setWordWrap(true);
    compareLayout->addWidget(compareHint);
    compareLayout->addWidget(m_compareLoss, 1);
    compareLayout->addWidget(m_compareValidation, 1);
    m_tabs = new QTabWidget;
    m_tabs->addTab(live, tr("This run"));
    m_tabs->addTab(compare, tr("Compare runs"));
    auto* right = new QVBoxLayout;
    right->addLayout(smoothingRow);
    right->addWidget(m_tabs, 1);

    auto* layout = new QHBoxLayout(this);
    layout->addLayout(left, 0);
    layout->addLayout(right, 1);

    connect(m_runsView, &QTreeWidget::itemSelectionChanged, this, &MinerDashboard::onRunSelected);
    connect(m_runsView, &QTreeWidget::itemChanged, this, [this](QTreeWidgetItem*, int column) {
        if (column == RunName)
            updateComparison();
    });
    connect(m_publishRun, &QPushButton::clicked, this, [this] {
        const TrainingRun* run = runNamed(selectedRun());
        if (run && !run->submissionPath.isEmpty() && !run->canContinue && !isActive())
            Q_EMIT publishRunRequested(run->submissionPath);
    });
    connect(m_continueRun, &QPushButton::clicked, this, [this] {
        const TrainingRun* run = runNamed(selectedRun());
        if (run && run->canContinue && !isActive())
            Q_EMIT continueRunRequested(*run);
    });

    m_flushTimer = new QTimer(this);
    m_flushTimer->setSingleShot(true);
    m_flushTimer->setInterval(RepaintIntervalMs);
    connect(m_flushTimer, &QTimer::timeout, this, &MinerDashboard::flush);

    connect(m_start, &QPushButton::clicked, this, &MinerDashboard::start);
    connect(m_pause, &QPushButton::clicked, this, [this] {
        if (m_session)
            m_session->pause();
    });
    connect(m_resume, &QPushButton::clicked, this, [this] {
        if (canResumeAfterFailure())
            resumeAfterFailure();
        else if (m_session)
            m_session->resume();
    });
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        if (m_session)
            m_session->cancel();
    });
    connect(m_smoothing, &QSlider::valueChanged, this, [this] {
        m_smoothingValue->setText(QLocale().toString(smoothing(), 'f', 2));
        recomputeEma();
        updateComparison();
    });
    m_smoothingValue->setText(QLocale().toString(smoothing(), 'f', 2));

    setSettings(TrainingSettings());
    m_runName->setText(QStringLiteral("run 1")); // core's first run name (nextMinerRunName): not translated
    connect(m_innerSteps, qOverload<int>(&QSpinBox::valueChanged), this, [this](int steps) {
        if (!m_session || (m_session->state() != TrainingSession::State::Running &&
                           m_session->state() != TrainingSession::State::Paused)) {
            m_progress->setRange(0, steps);
            m_progress->setValue(0);
        }
    });
    m_progress->setRange(0, m_innerSteps->value());
    // The plan follows every setting that changes the memory a run needs.
    connect(m_device, qOverload<int>(&QComboBox::currentIndexChanged), this, &MinerDashboard::updatePlan);
    connect(m_batch, qOverload<int>(&QSpinBox::valueChanged), this, &MinerDashboard::updatePlan);
    connect(m_sequence, qOverload<int>(&QSpinBox::valueChanged), this, &MinerDashboard::updatePlan);
    connect(m_precision, qOverload<int>(&QComboBox::currentIndexChanged), this, &MinerDashboard::updatePlan);
    connect(m_routing, qOverload<int>(&QComboBox::currentIndexChanged), this, &MinerDashboard::updatePlan);
    connect(m_recompute, &QCheckBox::toggled, this, &MinerDashboard::updatePlan);
    connect(m_offload, &QCheckBox::toggled, this, &MinerDashboard::updatePlan);
    updateButtons();
}

void MinerDashboard::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    const bool active = m_session && (m_session->state() == TrainingSession::State::Running ||
                                      m_session->state() == TrainingSession::State::Paused);
    if (!active)
        updatePlan();
}

void MinerDashboard::setPlanProvider(PlanProvider provider)
{
    m_planProvider = std::move(provider);
    updatePlan();
}

void MinerDashboard::updatePlan()
{
    m_plan.reset();
    m_planError.clear();
    if (m_planProvider) {
        try {
            m_plan = m_planProvider(settings());
        } catch (const std::exception& e) {
            m_planError = QString::fromUtf8(e.what());
        }
    }
    if (!m_plan) {
        m_planLabel->setVisible(!m_planError.isEmpty());
        m_planLabel->setText(tr("Memory plan: %1").arg(m_planError));
        m_planLabel->setToolTip({});
        return;
    }
    const MemoryPlan& p = *m_plan;
    auto size = [](std::int64_t bytes) { return QLocale().formattedDataSize(bytes); };
    // Short lines (a wrapped label in the form's column is cut off): the whole plan is the tooltip.
    QString text = tr("Memory on %1: %2").arg(QString::fromStdString(p.device), size(p.totalBytes()));
    if (p.availableBytes > 0)
        text += QLatin1Char(' ') + (p.fits() ? tr("of %1 available: fits.").arg(size(p.availableBytes))
                                             : tr("of %1 available: does not fit.").arg(size(p.availableBytes)));
    text += QLatin1Char('\n') +
            tr("weights %1, trainable state %2").arg(size(p.weightBytes), size(p.trainableStateBytes())) +
            QLatin1Char('\n') + tr("activations %1, logits %2").arg(size(p.activationBytes), size(p.logitsBytes));
    if (!p.fits() && !p.suggestions.empty()) {
        // "masked routing (--mode masked; ...): 120 MiB (fits)" -> "masked routing: 120 MiB (fits)"
        const std::string& first = p.suggestions.front();
        const auto colon = first.rfind(": ");
        const std::string shortText = first.substr(0, first.find(" (")) +
                                      (colon == std::string::npos ? std::string() : first.substr(colon));
        text += QLatin1Char('\n') + tr("To fit: %1").arg(QString::fromStdString(shortText));
    }
    m_planLabel->setText(text);
    m_planLabel->setToolTip(QString::fromStdString(p.text()));
    QFont font = m_planLabel->font();
    font.setBold(!p.fits()); // a run that will be refused stands out
    m_planLabel->setFont(font);
    m_planLabel->show();
}

void MinerDashboard::setStatus(const QString& text) { m_status->setText(text); }

void MinerDashboard::clearCharts()
{
    m_pending.clear();
    m_rawLoss.clear();
    m_emaStarted = false;
    m_last = TrainingMetrics();
    for (LiveChart* c : {m_lossChart, m_validationChart, m_lrChart, m_throughputChart})
        c->clearAll();
}

void MinerDashboard::showMetrics(const QVector<TrainingMetrics>& steps)
{
    clearCharts();
    m_pending = steps;
    flush();
    m_eta->clear(); // a recorded run has no ETA
}

double MinerDashboard::smoothing() const { return m_smoothing->value() / 100.0; }

TrainingSettings MinerDashboard::settings() const
{
    TrainingSettings s;
    s.device = m_device->currentData().toString();
    s.innerSteps = m_innerSteps->value();
    s.learningRate = QLocale::c().toDouble(m_learningRate->text());
    s.batchSize = m_batch->value();
    s.sequenceLength = m_sequence->value();
    s.precision = m_precision->currentData().toString();
    s.encoding = m_encoding->currentData().toString();
    s.checkpointInterval = m_checkpoint->value();
    s.validationInterval = m_validation->value();
    s.maskedRouting = m_routing->currentData().toBool();
    s.recompute = m_recompute->isChecked();
    s.offload = m_offload->isChecked();
    s.shardIndex = m_shardIndex->value();
    s.shardCount = m_shardCount->value();
    s.runName = m_runName->text().trimmed();
    s.networkRound = m_networkRound;
    s.phiFile = m_networkRound ? m_networkPhi : QString();
    return s;
}

void MinerDashboard::setSettings(const TrainingSettings& s)
{
    const int device = m_device->findData(s.device);
    m_device->setCurrentIndex(device >= 0 ? device : 0);
    m_innerSteps->setValue(s.innerSteps);
    m_learningRate->setText(QString::number(s.learningRate, 'g', 6));
    m_batch->setValue(s.batchSize);
    m_sequence->setValue(s.sequenceLength);
    const int precision = m_precision->findData(s.precision);
    m_precision->setCurrentIndex(precision >= 0 ? precision : 0);
    const int encoding = m_encoding->findData(s.encoding);
    m_encoding->setCurrentIndex(encoding >= 0 ? encoding : 0);
    m_checkpoint->setValue(s.checkpointInterval);
    m_validation->setValue(s.validationInterval);
    m_routing->setCurrentIndex(m_routing->findData(s.maskedRouting));
    m_recompute->setChecked(s.recompute);
    m_offload->setChecked(s.offload);
    m_shardCount->setValue(std::max(1, s.shardCount));
    m_shardIndex->setValue(std::clamp(s.shardIndex, 0, m_shardCount->value() - 1));
    if (!s.runName.isEmpty())
        m_runName->setText(s.runName);
    if (s.networkRound) // settings without a network round keep the pulled one (clearNetworkPhi forgets it)
        setNetworkPhi(*s.networkRound, s.phiFile);
}

void MinerDashboard::attach(TrainingSession* session)
{
    if (m_session)
        m_session->deleteLater();
    m_session = session;
    connect(session, &TrainingSession::step, this, &MinerDashboard::onStep);
    connect(session, &TrainingSession::finished, this, &MinerDashboard::onFinished);
    connect(session, &TrainingSession::failed, this, &MinerDashboard::onFailed);
    connect(session, &TrainingSession::stateChanged, this, &MinerDashboard::onStateChanged);
    connect(session, &TrainingSession::stageChanged, this, [this](const QString& stage) {
        if (m_session && m_session->state() == TrainingSession::State::Running)
            m_status->setText(stageName(stage) + QStringLiteral("…"));
    });
}

void MinerDashboard::start()
{
    if (m_session &&
        (m_session->state() == TrainingSession::State::Running || m_session->state() == TrainingSession::State::Paused))
        return;
    if (!m_factory) {
        m_status->setText(tr("Open or create a project (and select its experts) to train."));
        return;
    }
    if (settings().runName.isEmpty()) {
        onFailed(tr("The run has no name: type one under Training (it names the run's folder)."), ErrorKind::Usage);
        return;
    }
    if (!(settings().learningRate > 0.0)) {
        onFailed(tr("The learning rate “%1” is not a positive number.").arg(m_learningRate->text()), ErrorKind::Usage);
        return;
    }
    // A run whose memory plan does not fit is refused before anything is loaded.
    updatePlan();
    if (m_plan && !m_plan->fits()) {
        const QString message = QString::fromStdString(m_plan->refusal());
        m_status->setText(tr("Not started: %1").arg(message));
        auto* box = new QMessageBox(QMessageBox::Warning, tr("Not enough memory"), message, QMessageBox::Ok, this);
        box->setInformativeText(tr("Change one of the settings above (the plan under the form follows them), or "
                                   "choose another device."));
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->setObjectName(QStringLiteral("memoryPlanRefusedBox"));
        box->open();
        Q_EMIT startRefused(message, settings());
        return;
    }
    TrainingSession* session = m_factory(this);
    if (!session) // the factory said why
        return;
    // The form keeps what the user typed (a "1e-4" is not rewritten as "0.0001").
    launch(session, settings());
}

void MinerDashboard::startSession(TrainingSession* session, const TrainingSettings& s)
{
    if (isActive()) {
        session->deleteLater();
        return;
    }
    setSettings(s);
    launch(session, s);
}

void MinerDashboard::launch(TrainingSession* session, const TrainingSettings& s)
{
    if (isActive()) {
        session->deleteLater();
        return;
    }
    clearCharts();
    m_tabs->setCurrentIndex(0);
    {
        const QSignalBlocker block(m_runsView); // the live run is shown, not a recorded one
        m_runsView->clearSelection();
    }
    m_progress->setRange(0, s.innerSteps);
    m_progress->setValue(0);
    m_eta->clear();
    m_result->clear();
    m_status->setText(tr("Starting…"));
    attach(session);
    m_session->start(s);
    updateButtons();
}

void MinerDashboard::onStep(const TrainingMetrics& metrics)
{
    m_pending.push_back(metrics);
    if (!m_flushTimer->isActive())
        m_flushTimer->start();
}

void MinerDashboard::flush()
{
    m_flushTimer->stop();
    if (m_pending.isEmpty())
        return;
    QList<QPointF> loss, smooth, validation, lr, tps;
    const double w = smoothing();
    for (const TrainingMetrics& m : std::as_const(m_pending)) {
        const double x = static_cast<double>(m.step);
        // The held-out loss before the first step comes alone (no step: no loss, rate, or tokens/s).
        const bool stepRow = std::isfinite(m.learningRate) || std::isfinite(m.loss);
        if (stepRow)
            m_last = m;
        else if (m_last.step == 0)
            m_last.totalSteps = m.totalSteps;
        if (std::isfinite(m.loss)) { // a skipped (non-finite) step has no loss to draw
            loss.push_back({x, m.loss});
            m_rawLoss.push_back({x, m.loss});
            m_ema = m_emaStarted ? w * m_ema + (1.0 - w) * m.loss : m.loss;
            m_emaStarted = true;
            smooth.push_back({x, m_ema});
        }
        if (std::isfinite(m.validationLoss))
            validation.push_back({x, m.validationLoss});
        if (std::isfinite(m.learningRate))
            lr.push_back({x, m.learningRate});
        if (std::isfinite(m.tokensPerSecond))
            tps.push_back({x, m.tokensPerSecond});
    }
    m_pending.clear();
    m_lossChart->appendPoints(0, loss);
    m_lossChart->appendPoints(1, smooth);
    m_validationChart->appendPoints(0, validation);
    m_lrChart->appendPoints(0, lr);
    m_throughputChart->appendPoints(0, tps);
    ++m_chartUpdates;

    if (m_last.step == 0)
        return;
    m_progress->setRange(0, static_cast<int>(m_last.totalSteps));
    m_progress->setValue(static_cast<int>(m_last.step));
    // The time per step of this session's own steps (a resumed run's step counter starts at its
    // checkpoint's step), pauses left out by the engine.
    if (m_last.stepsThisRun > 0 && m_last.activeSeconds > 0.0) {
        const double perStep = m_last.activeSeconds / double(m_last.stepsThisRun);
        const double left = perStep * double(std::max<std::int64_t>(0, m_last.totalSteps - m_last.step));
        m_eta->setText(m_last.step >= m_last.totalSteps
                           ? tr("Elapsed %1 (pauses left out)").arg(formatDuration(m_last.elapsedSeconds))
                           : tr("Elapsed %1 (pauses left out), about %2 left")
                                 .arg(formatDuration(m_last.elapsedSeconds))
                                 .arg(formatDuration(left)));
    } else {
        m_eta->clear();
    }
    m_status->setText(tr("Step %1 of %2: loss %3, %4 tokens/s")
                          .arg(m_last.step)
                          .arg(m_last.totalSteps)
                          .arg(QLocale().toString(m_last.loss, 'f', 4))
                          .arg(QLocale().toString(m_last.tokensPerSecond, 'f', 0)));
}

void MinerDashboard::recomputeEma()
{
    QList<QPointF> smooth;
    smooth.reserve(m_rawLoss.size());
    const double w = smoothing();
    bool started = false;
    double ema = 0.0;
    for (const QPointF& p : std::as_const(m_rawLoss)) {
        ema = started ? w * ema + (1.0 - w) * p.y() : p.y();
        started = true;
        smooth.push_back({p.x(), ema});
    }
    m_ema = ema;
    m_emaStarted = started;
    m_lossChart->replacePoints(1, smooth);
}

void MinerDashboard::onFinished(const TrainingResult& result)
{
    flush();
    // The held-out loss is the run's result; the last step's training loss is one noisy batch.
    if (std::isfinite(result.validationLossBefore) && std::isfinite(result.validationLossAfter))
        m_status->setText(
            tr("Finished after %1 steps: held-out loss %2 before, %3 after (%4).")
                .arg(result.steps)
                .arg(QLocale().toString(result.validationLossBefore, 'f', 4))
                .arg(QLocale().toString(result.validationLossAfter, 'f', 4))
                .arg((result.validationLossAfter <= result.validationLossBefore ? QStringLiteral("−")
                                                                                : QStringLiteral("+")) +
                     QLocale().toString(std::abs(result.validationLossAfter - result.validationLossBefore), 'f', 4)));
    else
        m_status->setText(tr("Finished after %1 steps. The held-out loss was not measured (set “Validate every” "
                             "to measure it; the dataset needs held-out rows).")
                              .arg(result.steps));
    m_result->setText(
        tr("Submission: %1 (%2)").arg(result.submissionPath, QLocale().formattedDataSize(result.submissionBytes)));
    updateButtons();
}

QString MinerDashboard::adviceFor(ErrorKind kind)
{
    return errorAdvice(kind, tr("Check the settings and the log for details, then start again; the last "
                                "checkpoint is kept."));
}

void MinerDashboard::onFailed(const QString& message, ErrorKind kind)
{
    flush();
    m_lastFailure = kind;
    m_status->setText(tr("Failed: %1").arg(message));
    auto* box = new QMessageBox(QMessageBox::Warning, tr("Training failed"), message, QMessageBox::Ok, this);
    box->setInformativeText(adviceFor(kind));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setObjectName(QStringLiteral("trainingFailedBox"));
    if (canResumeAfterFailure()) {
        // Out of memory: the run's checkpoint is kept; the same run continues from it.
        QPushButton* resume = box->addButton(tr("&Resume"), QMessageBox::AcceptRole);
        resume->setObjectName(QStringLiteral("resumeAfterFailureButton"));
        connect(resume, &QPushButton::clicked, this, &MinerDashboard::resumeAfterFailure);
        box->setEscapeButton(QMessageBox::Ok); // closing the box is OK, not Resume
    }
    box->open();
    updateButtons();
}

bool MinerDashboard::canResumeAfterFailure() const
{
    return m_session && m_session->state() == TrainingSession::State::Failed && m_lastFailure == ErrorKind::OutOfMemory;
}

void MinerDashboard::resumeAfterFailure()
{
    if (!canResumeAfterFailure())
        return;
    m_lastFailure = ErrorKind::General;
    // The steps come again from the checkpoint's: the charts start over.
    clearCharts();
    m_result->clear();
    m_status->setText(tr("Resuming from the last checkpoint…"));
    m_session->start(settings());
    updateButtons();
}

void MinerDashboard::onStateChanged(TrainingSession::State state)
{
    switch (state) {
    case TrainingSession::State::Paused: m_status->setText(tr("Paused.")); break;
    case TrainingSession::State::Cancelled:
        flush();
        m_status->setText(tr("Cancelled at step %1.").arg(m_last.step));
        break;
    default: break;
    }
    updateButtons();
}

bool MinerDashboard::isActive() const
{
    return m_session && (m_session->state() == TrainingSession::State::Running ||
                         m_session->state() == TrainingSession::State::Paused);
}

const TrainingRun* MinerDashboard::runNamed(const QString& name) const
{
    for (const TrainingRun& r : m_runs)
        if (r.name == name)
            return &r;
    return nullptr;
}

void MinerDashboard::setRuns(const QVector<TrainingRun>& runs, const QString& nextRunName)
{
    const QString selected = selectedRun();
    const QStringList compared = comparedRuns();
    m_runs = runs;
    m_nextRunName = nextRunName;
    {
        const QSignalBlocker block(m_runsView);
        m_runsView->clear();
        for (const TrainingRun& r : std::as_const(m_runs)) {
            auto* item = new QTreeWidgetItem(m_runsView);
            item->setText(RunName, r.name);
            item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
            item->setCheckState(RunName, compared.contains(r.name) ? Qt::Checked : Qt::Unchecked);
            item->setText(RunState, r.stateText);
            item->setText(RunRound, QString::number(r.round));
            item->setText(RunShard, tr("%1 of %2").arg(r.shardIndex).arg(r.shardCount));
            item->setText(RunSteps, tr("%1 / %2").arg(r.stepsDone).arg(r.totalSteps));
            item->setToolTip(RunName, r.submissionPath.isEmpty() ? tr("No submission yet")
                                                                 : tr("Submission: %1").arg(r.submissionPath));
            if (r.name == selected)
                item->setSelected(true);
        }
    }
    // A new run never takes a listed run's name.
    const QString typed = m_runName->text().trimmed();
    if (!isActive() && (typed.isEmpty() || runNamed(typed)))
        m_runName->setText(nextRunName);
    updateComparison();
    updateButtons();
}

QString MinerDashboard::selectedRun() const
{
    const auto items = m_runsView->selectedItems();
    return items.isEmpty() ? QString() : items.front()->text(RunName);
}

bool MinerDashboard::selectRun(const QString& name)
{
    for (int i = 0; i < m_runsView->topLevelItemCount(); ++i) {
        QTreeWidgetItem* item = m_runsView->topLevelItem(i);
        if (item->text(RunName) == name) {
            m_runsView->setCurrentItem(item);
            item->setSelected(true);
            return true;
        }
    }
    return false;
}

void MinerDashboard::setCompared(const QString& name, bool compared)
{
    for (int i = 0; i < m_runsView->topLevelItemCount(); ++i) {
        QTreeWidgetItem* item = m_runsView->topLevelItem(i);
        if (item->text(RunName) == name)
            item->setCheckState(RunName, compared ? Qt::Checked : Qt::Unchecked); // itemChanged redraws
    }
}

QStringList MinerDashboard::comparedRuns() const
{
    QStringList names;
    for (int i = 0; i < m_runsView->topLevelItemCount(); ++i)
        if (m_runsView->topLevelItem(i)->checkState(RunName) == Qt::Checked)
            names.push_back(m_runsView->topLevelItem(i)->text(RunName));
    return names;
}

void MinerDashboard::setRound(std::int64_t round)
{
    m_projectRound = QString::number(round);
    showRound();
}

void MinerDashboard::setNetworkPhi(qint64 round, const QString& phiFile)
{
    m_networkRound = round;
    m_networkPhi = phiFile;
    showRound();
    updatePlan();
}

void MinerDashboard::clearNetworkPhi()
{
    if (!m_networkRound)
        return;
    m_networkRound.reset();
    m_networkPhi.clear();
    showRound();
    updatePlan();
}

void MinerDashboard::showRound()
{
    m_clearNetwork->setVisible(m_networkRound.has_value());
    if (!m_networkRound) {
        m_round->setText(m_projectRound);
        m_round->setToolTip(tr("A miner trains for the project's current round, from the experts its last "
                               "validation kept (round 0: the base model's)"));
        return;
    }
    if (m_networkPhi.isEmpty()) {
        m_round->setText(tr("Network round %1: the base model's experts").arg(*m_networkRound));
        m_round->setToolTip(tr("Pulled on the Network page: this round trains from the base model's experts"));
        return;
    }
    // Pulled files are named phi-<sha256>.safetensors: the hash's first 12 digits name Φ(t).
    QString name = QFileInfo(m_networkPhi).completeBaseName();
    if (name.startsWith(QLatin1String("phi-")))
        name = name.mid(4, 12);
    m_round->setText(tr("Network round %1: Φ %2").arg(*m_networkRound).arg(name));
    m_round->setToolTip(tr("Pulled on the Network page: the next run trains from %1 for round %2")
                            .arg(QDir::toNativeSeparators(m_networkPhi))
                            .arg(*m_networkRound));
}

void MinerDashboard::onRunSelected()
{
    updateButtons();
    const TrainingRun* run = runNamed(selectedRun());
    if (!run || isActive())
        return; // a live run's charts stay
    // Its settings, under a new run's name (Start makes a new run from them; Continue continues it).
    TrainingSettings s = run->settings;
    s.runName = m_nextRunName.isEmpty() ? m_runName->text() : m_nextRunName;
    setSettings(s);
    showMetrics(run->metrics);
    m_progress->setRange(0, static_cast<int>(std::max<std::int64_t>(1, run->totalSteps)));
    m_progress->setValue(static_cast<int>(std::min(run->stepsDone, run->totalSteps)));
    m_status->setText(
        tr("Run “%1”: %2, round %3, shard %4 of %5, %6 of %7 steps.")
            .arg(run->name, run->stateText)
            .arg(run->round)
            .arg(run->shardIndex)
            .arg(run->shardCount)
            .arg(run->stepsDone)
            .arg(run->totalSteps) +
        (run->canContinue ? QLatin1Char(' ') + tr("Continue run resumes it from its checkpoint.") : QString()));
    m_result->setText(run->submissionPath.isEmpty() ? QString() : tr("Submission: %1").arg(run->submissionPath));
}

void MinerDashboard::updateComparison()
{
    const QStringList names = comparedRuns();
    m_compareLoss->removeAllSeries();
    m_compareValidation->removeAllSeries();
    const double w = smoothing();
    int colour = 0;
    for (const QString& name : names) {
        const TrainingRun* run = runNamed(name);
        if (!run)
            continue;
        QList<QPointF> smooth, validation;
        double ema = 0.0;
        bool started = false;
        for (const TrainingMetrics& m : run->metrics) {
            if (std::isfinite(m.loss)) {
                ema = started ? w * ema + (1.0 - w) * m.loss : m.loss;
                started = true;
                smooth.push_back({double(m.step), ema});
            }
            if (std::isfinite(m.validationLoss))
                validation.push_back({double(m.step), m.validationLoss});
        }
        const QColor c = runColour(colour++);
        m_compareLoss->appendPoints(m_compareLoss->addSeries(name, c, 2.0), smooth);
        m_compareValidation->appendPoints(m_compareValidation->addSeries(name, c, 2.0), validation);
    }
}

void MinerDashboard::resetForProject()
{
    if (m_session) {
        // Its signals no longer reach the page; it ends by itself (a cancel keeps its checkpoint).
        TrainingSession* old = m_session;
        disconnect(old, nullptr, this, nullptr);
        m_session = nullptr;
        const auto ended = [](TrainingSession::State s) {
            return s != TrainingSession::State::Running && s != TrainingSession::State::Paused;
        };
        if (ended(old->state())) {
            old->deleteLater();
        } else {
            connect(old, &TrainingSession::stateChanged, old, [old, ended](TrainingSession::State s) {
                if (ended(s))
                    old->deleteLater();
            });
            old->cancel();
        }
    }
    m_flushTimer->stop();
    clearCharts();
    m_lastFailure = ErrorKind::General;
    m_progress->setRange(0, m_innerSteps->value());
    m_progress->setValue(0);
    m_eta->clear();
    m_result->clear();
    m_projectRound = tr("none (no project)");
    m_networkRound.reset(); // a pulled Φ(t) is the project's: another project trains on its own
    m_networkPhi.clear();
    showRound();
    setRuns({}, QString());
    m_tabs->setCurrentIndex(0);
    updateButtons();
}

void MinerDashboard::updateButtons()
{
    const auto state = m_session ? m_session->state() : TrainingSession::State::Idle;
    const bool active = state == TrainingSession::State::Running || state == TrainingSession::State::Paused;
    const TrainingRun* run = runNamed(selectedRun());
    m_continueRun->setEnabled(!active && run && run->canContinue);
    const bool publishable = !active && run && !run->canContinue && !run->submissionPath.isEmpty();
    m_publishRun->setEnabled(publishable);
    m_publishRun->setToolTip(publishable ? tr("Commit this run's submission to the network's current round (Network "
                                              "page)")
                                         : tr("Select a finished run that wrote a submission"));
    m_start->setEnabled(!active);
    m_pause->setEnabled(state == TrainingSession::State::Running);
    m_resume->setEnabled(state == TrainingSession::State::Paused || canResumeAfterFailure());
    m_resume->setToolTip(canResumeAfterFailure() ? tr("Continue the run that ran out of memory from its last "
                                                      "checkpoint")
                                                 : QString());
    m_cancel->setEnabled(active);
    for (QWidget* w : std::as_const(m_formWidgets))
        w->setEnabled(!active);
}

} // namespace teft::ui
