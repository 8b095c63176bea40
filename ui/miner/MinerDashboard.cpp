#include "ui/miner/MinerDashboard.h"

#include "core/util/Runtime.h"
#include "ui/engine/StageNames.h"
#include "ui/miner/LiveChart.h"
#include "ui/shell/DeviceChoices.h"
#include "ui/shell/ErrorAdvice.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleValidator>
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
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>
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

    auto* formBox = new QGroupBox(tr("Training"));
    auto* form = new QFormLayout(formBox);
    form->addRow(tr("Device:"), m_device);
    form->addRow(tr("Inner steps (H):"), m_innerSteps);
    form->addRow(tr("Learning rate:"), m_learningRate);
    form->addRow(tr("Batch size:"), m_batch);
    form->addRow(tr("Sequence length:"), m_sequence);
    form->addRow(tr("Precision:"), m_precision);
    form->addRow(tr("Checkpoint every:"), m_checkpoint);
    form->addRow(tr("Validate every:"), m_validation);
    form->addRow(tr("Routing:"), m_routing);
    form->addRow(tr("Memory:"), m_recompute);
    form->addRow(QString(), m_offload);
    m_formWidgets = {m_device,     m_innerSteps, m_learningRate, m_batch,     m_sequence, m_precision,
                     m_checkpoint, m_validation, m_routing,      m_recompute, m_offload};

    m_start = new QPushButton(tr("&Start"));
    m_pause = new QPushButton(tr("&Pause"));
    m_resume = new QPushButton(tr("&Resume"));
    m_cancel = new QPushButton(tr("&Cancel"));
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_start);
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
    auto* right = new QVBoxLayout;
    right->addLayout(smoothingRow);
    right->addLayout(charts, 1);

    auto* layout = new QHBoxLayout(this);
    layout->addLayout(left, 0);
    layout->addLayout(right, 1);

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
    });
    m_smoothingValue->setText(QLocale().toString(smoothing(), 'f', 2));

    setSettings(TrainingSettings());
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

void MinerDashboard::showMetrics(const QVector<TrainingMetrics>& steps)
{
    m_rawLoss.clear();
    m_emaStarted = false;
    m_pending.clear();
    for (LiveChart* c : {m_lossChart, m_validationChart, m_lrChart, m_throughputChart})
        c->clearAll();
    m_pending = steps;
    flush();
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
    s.checkpointInterval = m_checkpoint->value();
    s.validationInterval = m_validation->value();
    s.maskedRouting = m_routing->currentData().toBool();
    s.recompute = m_recompute->isChecked();
    s.offload = m_offload->isChecked();
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
    m_checkpoint->setValue(s.checkpointInterval);
    m_validation->setValue(s.validationInterval);
    m_routing->setCurrentIndex(m_routing->findData(s.maskedRouting));
    m_recompute->setChecked(s.recompute);
    m_offload->setChecked(s.offload);
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
        return;
    }
    TrainingSession* session = m_factory(this);
    if (!session) // the factory said why
        return;
    startSession(session, settings());
}

void MinerDashboard::startSession(TrainingSession* session, const TrainingSettings& s)
{
    if (m_session && (m_session->state() == TrainingSession::State::Running ||
                      m_session->state() == TrainingSession::State::Paused)) {
        session->deleteLater();
        return;
    }
    setSettings(s);
    m_pending.clear();
    m_rawLoss.clear();
    m_emaStarted = false;
    m_last = TrainingMetrics();
    for (LiveChart* c : {m_lossChart, m_validationChart, m_lrChart, m_throughputChart})
        c->clearAll();
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
        if (std::isfinite(m.loss)) { // a skipped (non-finite) step has no loss to draw
            loss.push_back({x, m.loss});
            m_rawLoss.push_back({x, m.loss});
            m_ema = m_emaStarted ? w * m_ema + (1.0 - w) * m.loss : m.loss;
            m_emaStarted = true;
            smooth.push_back({x, m_ema});
        }
        if (std::isfinite(m.validationLoss))
            validation.push_back({x, m.validationLoss});
        lr.push_back({x, m.learningRate});
        tps.push_back({x, m.tokensPerSecond});
    }
    m_last = m_pending.back();
    m_pending.clear();
    m_lossChart->appendPoints(0, loss);
    m_lossChart->appendPoints(1, smooth);
    m_validationChart->appendPoints(0, validation);
    m_lrChart->appendPoints(0, lr);
    m_throughputChart->appendPoints(0, tps);
    ++m_chartUpdates;

    m_progress->setRange(0, static_cast<int>(m_last.totalSteps));
    m_progress->setValue(static_cast<int>(m_last.step));
    const double perStep = m_last.step > 0 ? m_last.elapsedSeconds / double(m_last.step) : 0.0;
    m_eta->setText(tr("Elapsed %1, about %2 left")
                       .arg(formatDuration(m_last.elapsedSeconds))
                       .arg(formatDuration(perStep * double(m_last.totalSteps - m_last.step))));
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
    m_status->setText(tr("Finished after %1 steps, final loss %2.")
                          .arg(result.steps)
                          .arg(QLocale().toString(result.finalLoss, 'f', 4)));
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
    m_pending.clear();
    m_rawLoss.clear();
    m_emaStarted = false;
    for (LiveChart* c : {m_lossChart, m_validationChart, m_lrChart, m_throughputChart})
        c->clearAll();
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

void MinerDashboard::updateButtons()
{
    const auto state = m_session ? m_session->state() : TrainingSession::State::Idle;
    const bool active = state == TrainingSession::State::Running || state == TrainingSession::State::Paused;
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
