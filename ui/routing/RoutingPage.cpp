#include "ui/routing/RoutingPage.h"

#include "core/util/Error.h"
#include "ui/routing/HeatmapLegend.h"
#include "ui/routing/PolicyPanel.h"
#include "ui/routing/RoutingHeatmap.h"
#include "ui/routing/RoutingHeatmapModel.h"
#include "ui/routing/SelectionDocument.h"
#include "ui/routing/SelectionSummaryModel.h"

#include <QAction>
#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardItemModel>
#include <QTableView>
#include <QMenu>
#include <QToolBar>
#include <QToolButton>
#include <QUndoStack>
#include <QVBoxLayout>
#include <algorithm>
#include <limits>

namespace teft::ui {

RoutingPage::RoutingPage(QWidget* parent) : QWidget(parent)
{
    m_document = new SelectionDocument(this);
    m_model = new RoutingHeatmapModel(this);
    m_model->setSelectionDocument(m_document);
    m_summaryModel = new SelectionSummaryModel(m_document, this);

    m_title = new QLabel;
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    m_title->setFont(titleFont);

    m_metric = new QComboBox;
    for (RoutingMetric m : {RoutingMetric::TokenShare, RoutingMetric::GateScore, RoutingMetric::ContrastDifference,
                            RoutingMetric::ContrastLogRatio})
        m_metric->addItem(RoutingHeatmapModel::metricName(m), static_cast<int>(m));
    m_metric->setToolTip(tr("What the colours show. The contrast metrics compare the target data with a "
                            "reference dataset: experts hot on the target only stand out."));

    m_heatmap = new RoutingHeatmap;
    m_heatmap->setModel(m_model);
    m_legend = new HeatmapLegend(m_model);
    m_policy = new PolicyPanel(m_model, m_document);

    // Two rows, so that every action stays visible at 1280 px in every language: the project's
    // data (identify, save, files), then the view and the edits.
    auto* toolbar = new QToolBar;
    m_projectBar = toolbar;
    toolbar->setObjectName("routingProjectBar");
    toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_identify = toolbar->addAction(tr("Run identification"), this, &RoutingPage::requestIdentify);
    m_identify->setEnabled(false);
    // Identification's token budget beside it, saved with the project (RoutingController).
    m_tokens = new QSpinBox;
    m_tokens->setObjectName("identifyTokens");
    m_tokens->setRange(1, std::numeric_limits<int>::max());
    m_tokens->setGroupSeparatorShown(true);
    m_tokens->setKeyboardTracking(false);
    m_tokens->setToolTip(tr("Tokens of the target (and of each reference) identification runs through the model. "
                            "More tokens give steadier statistics and take longer."));
    m_tokensUse = new QLabel;
    m_tokensUse->setTextFormat(Qt::PlainText);
    toolbar->addWidget(m_tokens);
    toolbar->addWidget(m_tokensUse);
    setIdentifyTokens(0, 0, 1);
    m_save = toolbar->addAction(tr("Save to project"), this, &RoutingPage::requestSave);
    m_save->setShortcut(QKeySequence::Save);
    addAction(m_save);
    setIdentifyEnabled(false);
    updateSaveAction();
    toolbar->addSeparator();
    // The file actions in one menu button: the row keeps room for the token budget.
    auto* files = new QMenu(tr("Files"), this);
    files->setToolTipsVisible(true);
    QAction* openStats = files->addAction(tr("Open statistics…"), this, &RoutingPage::openStatistics);
    openStats->setToolTip(tr("Open routing statistics written by expert identification"));
    files->addAction(tr("Open reference…"), this, &RoutingPage::openReference)
        ->setToolTip(tr("Routing statistics of general text, for the contrast metrics"));
    files->addSeparator();
    files->addAction(tr("Import selection…"), this, &RoutingPage::importSelection)
        ->setToolTip(tr("Read a selection file (TEFT, Connito expert assignment or ESFT expert config)"));
    files->addAction(tr("Export selection…"), this, &RoutingPage::exportSelection)
        ->setToolTip(tr("Write the selection as a TEFT, Connito or ESFT file"));
    auto* filesButton = new QToolButton;
    filesButton->setObjectName("routingFilesButton");
    filesButton->setText(tr("Files"));
    filesButton->setToolTip(tr("Open statistics, import or export a selection"));
    filesButton->setMenu(files);
    filesButton->setPopupMode(QToolButton::InstantPopup);
    filesButton->setToolButtonStyle(Qt::ToolButtonTextOnly);
    toolbar->addWidget(filesButton);

    auto* viewBar = new QToolBar;
    m_viewBar = viewBar;
    viewBar->setObjectName("routingViewBar");
    viewBar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    viewBar->addWidget(new QLabel(tr("Metric:") + QLatin1Char(' ')));
    viewBar->addWidget(m_metric);
    m_contrast = new QComboBox;
    m_contrast->setObjectName("contrastReference");
    m_contrast->setToolTip(tr("The reference data the contrast metrics compare the target with (saved with the "
                              "project)"));
    viewBar->addWidget(new QLabel(QLatin1Char(' ') + tr("Contrast with:") + QLatin1Char(' ')));
    viewBar->addWidget(m_contrast);
    setContrastChoices({}, 0);
    viewBar->addSeparator();
    QAction* zoomOut = viewBar->addAction(tr("Zoom out"), m_heatmap, &RoutingHeatmap::zoomOut);
    zoomOut->setShortcut(QKeySequence::ZoomOut);
    QAction* zoomIn = viewBar->addAction(tr("Zoom in"), m_heatmap, &RoutingHeatmap::zoomIn);
    zoomIn->setShortcut(QKeySequence::ZoomIn);
    viewBar->addAction(tr("Fit"), m_heatmap, &RoutingHeatmap::zoomToFit)->setToolTip(tr("Fit all cells in the view"));
    viewBar->addSeparator();
    // Fixed labels (the stack's own actions put the whole command text on the button); the
    // command text goes into the tooltip.
    QUndoStack* stack = m_document->undoStack();
    m_undo = new QAction(tr("Undo"), this);
    m_undo->setShortcut(QKeySequence::Undo);
    m_undo->setEnabled(false);
    connect(m_undo, &QAction::triggered, stack, &QUndoStack::undo);
    connect(stack, &QUndoStack::canUndoChanged, m_undo, &QAction::setEnabled);
    connect(stack, &QUndoStack::undoTextChanged, m_undo,
            [this](const QString& text) { m_undo->setToolTip(tr("Undo: %1").arg(text)); });
    m_redo = new QAction(tr("Redo"), this);
    m_redo->setShortcut(QKeySequence::Redo);
    m_redo->setEnabled(false);
    connect(m_redo, &QAction::triggered, stack, &QUndoStack::redo);
    connect(stack, &QUndoStack::canRedoChanged, m_redo, &QAction::setEnabled);
    connect(stack, &QUndoStack::redoTextChanged, m_redo,
            [this](const QString& text) { m_redo->setToolTip(tr("Redo: %1").arg(text)); });
    viewBar->addAction(m_undo);
    viewBar->addAction(m_redo);
    viewBar->addAction(tr("Clear"), m_document, &SelectionDocument::clear)->setToolTip(tr("Deselect every expert"));
    // Undo/redo keyboard shortcuts work anywhere on the page.
    addAction(m_undo);
    addAction(m_redo);
    addAction(zoomIn);
    addAction(zoomOut);

    m_hover = new QLabel;
    m_hover->setTextFormat(Qt::PlainText);

    auto* left = new QWidget;
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(m_heatmap, 1);
    leftLayout->addWidget(m_legend);
    leftLayout->addWidget(m_hover);

    auto* policyBox = new QGroupBox(tr("Automatic selection"));
    auto* policyLayout = new QVBoxLayout(policyBox);
    policyLayout->addWidget(m_policy);

    auto* summaryBox = new QGroupBox(tr("Selection"));
    auto* summaryForm = new QFormLayout;
    m_totalExperts = new QLabel;
    m_totalParams = new QLabel;
    m_totalBytes = new QLabel;
    m_totalBytes->setToolTip(tr("The bytes a miner's submission carries each round: the update of the selected experts "
                                "in the default bf16 encoding (f32 doubles it, int8 about halves it; `teft encodings` "
                                "shows each)"));
    m_share = new QLabel;
    summaryForm->addRow(tr("Experts selected:"), m_totalExperts);
    summaryForm->addRow(tr("Trainable parameters:"), m_totalParams);
    summaryForm->addRow(tr("Bytes per submission:"), m_totalBytes);
    summaryForm->addRow(tr("Share of the model:"), m_share);
    m_summaryView = new QTableView;
    m_summaryView->setModel(m_summaryModel);
    m_summaryView->verticalHeader()->hide();
    m_summaryView->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_summaryView->horizontalHeader()->setStretchLastSection(true);
    m_summaryView->verticalHeader()->setDefaultSectionSize(m_summaryView->fontMetrics().height() + 4);
    m_summaryView->setSelectionMode(QAbstractItemView::NoSelection);
    auto* summaryLayout = new QVBoxLayout(summaryBox);
    summaryLayout->addLayout(summaryForm);
    summaryLayout->addWidget(m_summaryView, 1);

    auto* right = new QWidget;
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(policyBox);
    rightLayout->addWidget(summaryBox, 1);

    auto* splitter = new QSplitter;
    splitter->addWidget(left);
    splitter->addWidget(right);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({900, 400});
    right->setMinimumWidth(360);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addWidget(toolbar);
    layout->addWidget(viewBar);
    m_stripLayout = new QVBoxLayout;
    m_stripLayout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(m_stripLayout);
    layout->addWidget(splitter, 1);

    connect(m_metric, qOverload<int>(&QComboBox::currentIndexChanged), this, [this](int i) {
        const auto metric = static_cast<RoutingMetric>(m_metric->itemData(i).toInt());
        try {
            m_model->setMetric(metric);
        } catch (const Error& e) {
            showError(tr("Metric not available"), QString::fromStdString(e.what()));
        }
        updateMetricChoices();
    });
    connect(m_document, &SelectionDocument::changed, this, &RoutingPage::updateSummary);
    connect(m_tokens, qOverload<int>(&QSpinBox::valueChanged), this, [this](int value) {
        updateTokenUse();
        Q_EMIT identifyTokensChanged(value);
    });
    connect(m_contrast, qOverload<int>(&QComboBox::currentIndexChanged), this, [this](int index) {
        if (index >= 0 && m_contrast->isEnabled())
            Q_EMIT contrastChoiceChanged(m_contrast->itemData(index).toInt());
    });
    connect(m_heatmap, &RoutingHeatmap::hoveredCellChanged, this, [this](int row, int expert) {
        if (row < 0) {
            m_hover->clear();
            return;
        }
        m_hover->setText(tr("Layer %1, expert %2: %3 = %4")
                             .arg(m_model->headerData(row, Qt::Vertical).toString())
                             .arg(expert)
                             .arg(RoutingHeatmapModel::metricName(m_model->metric()))
                             .arg(QLocale().toString(m_model->value(row, expert), 'g', 6)));
    });
    setEmptyHint(tr("No routing statistics yet. Open or create a project, then run identification."));
    updateMetricChoices();
    updateSummary();
}

void RoutingPage::setEmptyHint(const QString& hint)
{
    m_emptyHint = hint;
    if (!m_hasRouting)
        m_title->setText(hint);
}

void RoutingPage::clearRouting()
{
    m_paramsPerExpert = 0;
    m_bytesPerExpert = 0;
    m_modelTotalBytes = 0;
    m_document->setLayout(MoeLayout{});
    m_document->setCostModel(0, 0, 0);
    m_policy->setBytesPerExpert(0);
    m_policy->showSavedSelection(nullptr);
    m_model->clearReference();
    m_model->setStats(RoutingStats{});
    m_hasRouting = false;
    m_title->setText(m_emptyHint);
    m_hover->clear();
    updateSaveAction();
    updateMetricChoices();
    updateSummary();
}

void RoutingPage::showSavedSelection(const ExpertSelection& selection)
{
    m_document->replaceSelection(selection, tr("Open the saved selection"));
    m_policy->showSavedSelection(&selection);
}

void RoutingPage::setIdentifyTokens(std::int64_t tokens, std::int64_t available, std::int64_t tokensPerBatch)
{
    m_tokensAvailable = std::max<std::int64_t>(available, 0);
    m_tokensPerBatch = std::max<std::int64_t>(tokensPerBatch, 1);
    constexpr std::int64_t most = std::numeric_limits<int>::max();
    const QSignalBlocker block(m_tokens);
    m_tokens->setRange(1, static_cast<int>(m_tokensAvailable > 0 ? std::min(m_tokensAvailable, most) : most));
    m_tokens->setSingleStep(static_cast<int>(std::min(m_tokensPerBatch, most)));
    m_tokens->setValue(static_cast<int>(std::clamp<std::int64_t>(tokens, 1, most)));
    m_tokens->setEnabled(tokens > 0);
    updateTokenUse();
}

std::int64_t RoutingPage::identifyTokens() const { return m_tokens->value(); }

void RoutingPage::updateTokenUse()
{
    if (!m_tokens->isEnabled()) { // no project
        m_tokensUse->clear();
        return;
    }
    // Whole batches of rows are read, never more than the target has.
    const std::int64_t batches = (m_tokens->value() + m_tokensPerBatch - 1) / m_tokensPerBatch;
    std::int64_t used = batches * m_tokensPerBatch;
    const QLocale locale;
    if (m_tokensAvailable > 0) {
        used = std::min(used, m_tokensAvailable);
        m_tokensUse->setText(QLatin1Char(' ') + tr("uses %1 of %2 tokens")
                                                    .arg(locale.toString(static_cast<qlonglong>(used)),
                                                         locale.toString(static_cast<qlonglong>(m_tokensAvailable))));
        m_tokensUse->setToolTip(tr("Of the tokens in the target's training rows (its held-out part is not read)"));
    } else {
        m_tokensUse->setText(QLatin1Char(' ') + tr("uses %1 tokens (the target's total is counted by the next "
                                                   "identification)")
                                                    .arg(locale.toString(static_cast<qlonglong>(used))));
        m_tokensUse->setToolTip({});
    }
}

void RoutingPage::setContrastChoices(const QStringList& references, int current)
{
    const QSignalBlocker block(m_contrast);
    m_contrast->clear();
    if (references.isEmpty()) {
        m_contrast->addItem(tr("no reference data"), 0);
        m_contrast->setEnabled(false);
        return;
    }
    m_contrast->addItem(references.size() == 1 ? references.front()
                                               : tr("all %n references", nullptr, int(references.size())),
                        0);
    if (references.size() > 1)
        for (int k = 0; k < references.size(); ++k)
            m_contrast->addItem(references[k], k + 1);
    m_contrast->setEnabled(true);
    const int index = m_contrast->findData(current);
    m_contrast->setCurrentIndex(index >= 0 ? index : 0);
}

int RoutingPage::contrastChoice() const { return m_contrast->currentData().toInt(); }

void RoutingPage::setReference(const RoutingStats* reference)
{
    if (reference)
        m_model->setReference(*reference);
    else
        m_model->clearReference();
    updateMetricChoices();
}

void RoutingPage::setIdentifyEnabled(bool enabled, const QString& reason)
{
    m_identify->setEnabled(enabled);
    m_identify->setToolTip(enabled || reason.isEmpty()
                               ? tr("Run the project's model over its target data (and reference data) and record "
                                    "which experts the tokens are routed to")
                               : reason);
}

bool RoutingPage::isIdentifyEnabled() const { return m_identify->isEnabled(); }

void RoutingPage::setSaveEnabled(bool enabled)
{
    m_saveAllowed = enabled;
    updateSaveAction();
}

bool RoutingPage::isSaveEnabled() const { return m_save->isEnabled(); }

void RoutingPage::updateSaveAction()
{
    m_save->setEnabled(m_saveAllowed && m_hasRouting);
    m_save->setToolTip(!m_saveAllowed ? tr("Open or create a project to save a selection to it")
                       : !m_hasRouting
                           ? tr("Run identification first: there is no selection to save yet")
                           : tr("Save this selection as the project's target expert set (training uses it)"));
}

void RoutingPage::requestIdentify()
{
    if (m_identify->isEnabled())
        Q_EMIT identifyRequested();
}

void RoutingPage::requestSave()
{
    if (m_save->isEnabled())
        Q_EMIT saveRequested();
}

void RoutingPage::setRouting(const MoeLayout& layout, const RoutingStats& target, const RoutingStats* reference,
                             std::int64_t paramsPerExpert, std::int64_t bytesPerExpert, std::int64_t modelTotalBytes)
{
    m_paramsPerExpert = paramsPerExpert;
    m_bytesPerExpert = bytesPerExpert;
    m_modelTotalBytes = modelTotalBytes;
    m_document->setLayout(layout);
    m_document->setCostModel(paramsPerExpert, bytesPerExpert, modelTotalBytes);
    m_policy->setBytesPerExpert(bytesPerExpert);
    m_model->setStats(target);
    if (reference)
        m_model->setReference(*reference);
    else
        m_model->clearReference();
    m_title->setText(tr("Routing of %1 MoE layers × %2 experts (top-%3) over “%4”, %5 tokens")
                         .arg(target.rows())
                         .arg(target.numExperts())
                         .arg(target.topK())
                         .arg(QString::fromStdString(target.dataset))
                         .arg(QLocale().toString(static_cast<qlonglong>(target.tokens()))));
    m_hasRouting = true;
    updateSaveAction();
    updateMetricChoices();
    m_heatmap->zoomToFit();
    updateSummary();
}

void RoutingPage::updateMetricChoices()
{
    auto* items = qobject_cast<QStandardItemModel*>(m_metric->model());
    for (int i = 0; i < m_metric->count(); ++i) {
        const auto metric = static_cast<RoutingMetric>(m_metric->itemData(i).toInt());
        if (items)
            items->item(i)->setEnabled(!needsReference(metric) || m_model->hasReference());
        if (metric == m_model->metric() && m_metric->currentIndex() != i) {
            const QSignalBlocker block(m_metric);
            m_metric->setCurrentIndex(i);
        }
    }
}

void RoutingPage::updateSummary()
{
    const SelectionCost cost = m_document->cost();
    m_totalExperts->setText(
        tr("%1 (%2 of %3 layers)").arg(cost.experts).arg(cost.expertsPerLayer.size()).arg(m_document->rows()));
    if (m_paramsPerExpert > 0) {
        m_totalParams->setText(QLocale().toString(static_cast<qlonglong>(cost.trainableParameters)));
        m_totalBytes->setText(QLocale().formattedDataSize(cost.submissionBytes));
    } else {
        m_totalParams->setText(tr("unknown (no model)"));
        m_totalBytes->setText(tr("unknown (no model)"));
    }
    m_share->setText(m_modelTotalBytes > 0 ? QLocale().toString(cost.shareOfModel * 100.0, 'f', 2) + QLatin1String(" %")
                                           : tr("unknown (no model)"));
}

void RoutingPage::showError(const QString& title, const QString& message)
{
    QMessageBox::warning(this, title, message);
}

void RoutingPage::addStatusWidget(QWidget* widget) { m_stripLayout->addWidget(widget); }

void RoutingPage::openStatistics()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open routing statistics"), {},
                                                      tr("Routing statistics (*.json);;All files (*)"));
    if (path.isEmpty())
        return;
    try {
        const RoutingStats stats = RoutingStats::load(path.toStdString());
        MoeLayout layout;
        layout.moeLayers = stats.moeLayers();
        layout.numLayers = layout.moeLayers.empty() ? 0 : layout.moeLayers.back() + 1;
        layout.numExperts = stats.numExperts();
        layout.topK = stats.topK();
        layout.fingerprint = stats.modelFingerprint;
        // Keep the sizes only when the statistics are of the same model.
        const bool sameModel = layout.fingerprint == m_document->layout().fingerprint;
        setRouting(layout, stats, nullptr, sameModel ? m_paramsPerExpert : 0, sameModel ? m_bytesPerExpert : 0,
                   sameModel ? m_modelTotalBytes : 0);
        Q_EMIT notice(tr("Opened the routing statistics %1.").arg(path));
    } catch (const Error& e) {
        showError(tr("Cannot open routing statistics"),
                  tr("%1\n\nChoose a file written by expert identification (teft identify).")
                      .arg(QString::fromStdString(e.what())));
    }
}

void RoutingPage::openReference()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open reference statistics"), {},
                                                      tr("Routing statistics (*.json);;All files (*)"));
    if (path.isEmpty())
        return;
    try {
        m_model->setReference(RoutingStats::load(path.toStdString()));
        updateMetricChoices();
        Q_EMIT notice(tr("Opened the reference statistics %1.").arg(path));
    } catch (const Error& e) {
        showError(tr("Cannot use these reference statistics"),
                  tr("%1\n\nThe reference must be identified with the same model on general text.")
                      .arg(QString::fromStdString(e.what())));
    }
}

void RoutingPage::importSelection()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Import expert selection"), {},
                                                      tr("Selection files (*.json);;All files (*)"));
    if (path.isEmpty())
        return;
    try {
        m_document->importFile(path);
        Q_EMIT notice(tr("Imported the selection %1.").arg(path));
    } catch (const Error& e) {
        showError(tr("Cannot import the selection"), QString::fromStdString(e.what()));
    }
}

void RoutingPage::exportSelection()
{
    const QString teftFilter = tr("TEFT selection (*.json)");
    const QString connitoFilter = tr("Connito expert assignment (*.json)");
    const QString esftFilter = tr("ESFT expert config (*.json)");
    QString chosen;
    QString path = QFileDialog::getSaveFileName(this, tr("Export expert selection"), tr("selection.json"),
                                                teftFilter + QLatin1String(";;") + connitoFilter + QLatin1String(";;") +
                                                    esftFilter,
                                                &chosen);
    if (path.isEmpty())
        return;
    if (!path.endsWith(QLatin1String(".json"), Qt::CaseInsensitive))
        path += QLatin1String(".json");
    const auto format = chosen == connitoFilter ? SelectionDocument::FileFormat::Connito
                        : chosen == esftFilter  ? SelectionDocument::FileFormat::Esft
                                                : SelectionDocument::FileFormat::Teft;
    try {
        m_document->exportFile(path, format);
        Q_EMIT notice(tr("Exported the selection to %1.").arg(path));
    } catch (const Error& e) {
        showError(tr("Cannot export the selection"),
                  tr("%1\n\nChoose a folder you can write to.").arg(QString::fromStdString(e.what())));
    } catch (const std::exception& e) {
        showError(tr("Cannot export the selection"), QString::fromStdString(e.what()));
    }
}

} // namespace teft::ui
