#include "ui/validator/ValidatorPage.h"

#include "ui/shell/Appearance.h"

#include "ui/validator/SubmissionTableModel.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QChartView>
#include <QComboBox>
#include <QFileDialog>
#include <QFontMetrics>
#include <QSet>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineSeries>
#include <QLocale>
#include <QPushButton>
#include <QScatterSeries>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedBarSeries>
#include <QTableView>
#include <QTableWidget>
#include <QValueAxis>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

namespace teft::ui {

ValidatorPage::ValidatorPage(QWidget* parent) : QWidget(parent)
{
    m_model = new SubmissionTableModel(this);
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(SubmissionTableModel::SortRole);

    m_title = new QLabel;
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);

    m_table = new QTableView;
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(SubmissionTableModel::RankColumn, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(SubmissionTableModel::VerificationColumn, QHeaderView::Stretch);

    m_rule = new QComboBox;
    m_rule->addItem(tr("Top-k, equal weights"), static_cast<int>(AggregationPreview::Rule::TopK));
    m_rule->addItem(tr("Proportional to s_i"), static_cast<int>(AggregationPreview::Rule::Proportional));
    m_k = new QSpinBox;
    m_k->setRange(1, 1000);
    m_k->setValue(2);
    m_k->setToolTip(tr("How many of the best-scoring submissions are averaged"));

    auto* accept = new QPushButton(tr("&Accept selected"));
    auto* reject = new QPushButton(tr("&Reject selected"));
    auto* clear = new QPushButton(tr("Clear overrides"));
    m_outerStep = new QPushButton(tr("Run &outer step"));
    m_outerStep->setToolTip(tr("Apply the weighted average of the accepted updates to Φ (SGD with Nesterov momentum)"));
    m_openFolder = new QPushButton(tr("Open submissions &folder…"));
    m_openFolder->setToolTip(tr("Verify and score every submission in a folder against the project's current Φ"));
    m_openFolder->setVisible(false);
    m_summary = new QLabel;
    m_summary->setWordWrap(true);

    // Two rows (the round, then the overrides), so that the page fits 1280 px in every language.
    m_reviewControls = new QWidget;
    auto* rows = new QVBoxLayout(m_reviewControls);
    rows->setContentsMargins(0, 0, 0, 0);
    auto* controls = new QHBoxLayout;
    controls->addWidget(m_openFolder);
    controls->addWidget(new QLabel(tr("Aggregation:")));
    controls->addWidget(m_rule);
    controls->addWidget(new QLabel(tr("k:")));
    controls->addWidget(m_k);
    controls->addStretch(1);
    controls->addWidget(m_outerStep);
    auto* overrides = new QHBoxLayout;
    overrides->addWidget(accept);
    overrides->addWidget(reject);
    overrides->addWidget(clear);
    overrides->addStretch(1);
    m_closeNetworkRound = new QPushButton(tr("Close &network round…"));
    m_closeNetworkRound->setToolTip(
        tr("Score the TEFT network's open round straight from its store, take the outer step and publish the "
           "signed result (on the Network page)"));
    overrides->addWidget(m_closeNetworkRound);
    rows->addLayout(controls);
    rows->addLayout(overrides);

    // How a round is scored and stepped (read by the engine controller when scoring starts).
    m_evalBatches = new QSpinBox;
    m_evalBatches->setRange(1, 100000);
    m_evalBatches->setValue(RoundSettings{}.evalBatches);
    m_evalBatches->setToolTip(
        tr("Held-out batches every submission is scored on (the same seeded batches for all); a score's "
           "standard error comes from their spread, so at least 2, and more narrow it"));
    m_evalBatchSize = new QSpinBox;
    m_evalBatchSize->setRange(1, 4096);
    m_evalBatchSize->setValue(8);
    m_outerLr = new QDoubleSpinBox;
    m_outerLr->setDecimals(3);
    m_outerLr->setRange(0.001, 10.0);
    m_outerLr->setSingleStep(0.1);
    m_outerLr->setValue(0.7);
    m_outerLr->setToolTip(tr("Outer learning rate of the Nesterov step (DiLoCo: 0.7)"));
    m_momentum = new QDoubleSpinBox;
    m_momentum->setDecimals(3);
    m_momentum->setRange(0.0, 0.999);
    m_momentum->setSingleStep(0.05);
    m_momentum->setValue(0.9);
    m_momentum->setToolTip(tr("Outer momentum, kept across rounds (DiLoCo: 0.9)"));
    m_roundSettings = new QWidget;
    auto* settingsRow = new QHBoxLayout(m_roundSettings);
    settingsRow->setContentsMargins(0, 0, 0, 0);
    settingsRow->addWidget(new QLabel(tr("Held-out batches:")));
    settingsRow->addWidget(m_evalBatches);
    settingsRow->addWidget(new QLabel(tr("× rows:")));
    settingsRow->addWidget(m_evalBatchSize);
    settingsRow->addSpacing(12);
    settingsRow->addWidget(new QLabel(tr("Outer learning rate:")));
    settingsRow->addWidget(m_outerLr);
    settingsRow->addWidget(new QLabel(tr("Momentum:")));
    settingsRow->addWidget(m_momentum);
    settingsRow->addStretch(1);
    m_roundSettings->setVisible(false); // with the engine only (setSubmissionsFolderAvailable)

    m_scoreChart = new QChart;
    m_scoreChart->setTitle(tr("Score s_i per miner"));
    m_scoreChart->setAnimationOptions(QChart::NoAnimation);
    m_scoreChart->legend()->setAlignment(Qt::AlignBottom);
    m_scoreView = new QChartView(m_scoreChart);
    m_scoreView->setRenderHint(QPainter::Antialiasing);
    m_scoreView->setMinimumHeight(200);
    m_scoreView->installEventFilter(this);
    // ...and whenever the chart lays its plot out again (a grab or a show before any resize).
    connect(m_scoreChart, &QChart::plotAreaChanged, this, [this] { refreshBarLabels(); });

    m_roundChart = new QChart;
    m_roundChart->setTitle(tr("Validation loss per round"));
    m_roundChart->setAnimationOptions(QChart::NoAnimation);
    m_roundChart->legend()->hide();
    m_roundSeries = new QLineSeries;
    m_roundSeries->setPointsVisible(true);
    m_roundChart->addSeries(m_roundSeries);
    m_roundX = new QValueAxis;
    m_roundX->setTitleText(tr("Round"));
    m_roundX->setLabelFormat(QStringLiteral("%.0f")); // "%d" is blank once localised
    m_roundY = new QValueAxis;
    m_roundY->setTitleText(tr("Loss"));
    m_roundY->setLabelFormat(QStringLiteral("%.4g"));
    m_roundChart->addAxis(m_roundX, Qt::AlignBottom);
    m_roundChart->addAxis(m_roundY, Qt::AlignLeft);
    followPalette(m_roundChart, palette());
    m_roundSeries->attachAxis(m_roundX);
    m_roundSeries->attachAxis(m_roundY);
    // Both charts' numbers in the user's locale (printf's "0.032" in German otherwise).
    m_scoreChart->setLocalizeNumbers(true);
    m_roundChart->setLocalizeNumbers(true);
    followLocale();
    auto* roundView = new QChartView(m_roundChart);
    roundView->setRenderHint(QPainter::Antialiasing);
    roundView->setMinimumHeight(200);

    auto* charts = new QHBoxLayout;
    charts->addWidget(m_scoreView, 3);
    charts->addWidget(roundView, 2);
    auto* chartsWidget = new QWidget;
    chartsWidget->setLayout(charts);
    charts->setContentsMargins(0, 0, 0, 0);

    // The submissions a round can score: the project's runs and the imported ones, ticked to score.
    m_candidateBox = new QGroupBox(tr("Submissions"));
    m_candidateHint = new QLabel(tr("Train a run on the Train page or add a submission."));
    m_candidateHint->setWordWrap(true);
    m_candidateTable = new QTableWidget(0, 5);
    m_candidateTable->setHorizontalHeaderLabels({tr("Submission"), tr("Source"), tr("State"), tr("Round"), tr("Path")});
    m_candidateTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_candidateTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_candidateTable->verticalHeader()->hide();
    m_candidateTable->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_candidateTable->horizontalHeader()->setSectionResizeMode(4, QHeaderView::Stretch);
    m_candidateTable->setMinimumHeight(50);
    m_candidateTable->setVisible(false);     // until there are candidates (setCandidates)
    m_candidateTable->setMaximumHeight(150); // the review below keeps the room
    m_addSubmission = new QPushButton(tr("Add &submission…"));
    m_addSubmission->setToolTip(tr("List a submission folder from anywhere with this project (nothing is copied)"));
    m_addFolder = new QPushButton(tr("Add folder of su&bmissions…"));
    m_addFolder->setToolTip(tr("List every submission inside a folder with this project (nothing is copied)"));
    m_removeImport = new QPushButton(tr("Re&move"));
    m_removeImport->setToolTip(tr("Remove the selected imported submissions from the list (no file is deleted)"));
    m_scoreSelected = new QPushButton(tr("S&core selected"));
    m_scoreSelected->setToolTip(tr("Verify and score the ticked submissions against the project's current Φ"));
    auto* candidateButtons = new QHBoxLayout;
    candidateButtons->addWidget(m_addSubmission);
    candidateButtons->addWidget(m_addFolder);
    candidateButtons->addWidget(m_removeImport);
    candidateButtons->addStretch(1);
    candidateButtons->addWidget(m_scoreSelected);
    auto* candidateLayout = new QVBoxLayout(m_candidateBox);
    candidateLayout->addWidget(m_candidateHint);
    candidateLayout->addWidget(m_candidateTable, 1);
    candidateLayout->addLayout(candidateButtons);
    m_candidateBox->setVisible(false); // with the engine only (setSubmissionsFolderAvailable)

    auto* splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(m_table);
    splitter->addWidget(chartsWidget);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 1);

    m_layout = new QVBoxLayout(this);
    m_layout->addWidget(m_candidateBox); // first: what a round scores
    m_layout->addWidget(m_title);
    m_layout->addWidget(m_reviewControls);
    m_layout->addWidget(m_roundSettings);
    m_layout->addWidget(m_summary);
    m_layout->addWidget(splitter, 1);

    connect(m_rule, qOverload<int>(&QComboBox::currentIndexChanged), this, &ValidatorPage::updateAggregation);
    connect(m_k, qOverload<int>(&QSpinBox::valueChanged), this, &ValidatorPage::updateAggregation);
    connect(accept, &QPushButton::clicked, this, &ValidatorPage::acceptSelected);
    connect(reject, &QPushButton::clicked, this, &ValidatorPage::rejectSelected);
    connect(clear, &QPushButton::clicked, this, &ValidatorPage::clearOverrides);
    connect(m_outerStep, &QPushButton::clicked, this, &ValidatorPage::runOuterStep);
    connect(m_closeNetworkRound, &QPushButton::clicked, this, &ValidatorPage::closeNetworkRoundRequested);
    connect(m_openFolder, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Folder of submissions"));
        if (!dir.isEmpty())
            Q_EMIT submissionsFolderRequested(dir);
    });
    connect(m_addSubmission, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Submission folder"));
        if (!dir.isEmpty())
            Q_EMIT importSubmissionsRequested({dir});
    });
    connect(m_addFolder, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Folder of submissions"));
        if (!dir.isEmpty())
            Q_EMIT importFolderRequested(dir);
    });
    connect(m_removeImport, &QPushButton::clicked, this, &ValidatorPage::removeSelectedImports);
    connect(m_scoreSelected, &QPushButton::clicked, this, &ValidatorPage::scoreChecked);
    connect(m_candidateTable, &QTableWidget::itemChanged, this, [this](QTableWidgetItem* item) {
        if (m_fillingCandidates || item->column() != 0)
            return;
        m_checked.insert(item->data(Qt::UserRole).toString(), item->checkState() == Qt::Checked);
        updateCandidateButtons();
    });
    connect(m_candidateTable, &QTableWidget::itemSelectionChanged, this, &ValidatorPage::updateCandidateButtons);
    connect(m_model, &SubmissionTableModel::aggregationChanged, this, [this] {
        updateScoreChart();
        updateSummary();
    });
    updateAggregation();
    setRoundHistory({});
    setRound(0, {});
    updateCandidateButtons();
}

void ValidatorPage::setRound(int round, std::vector<SubmissionReview> submissions)
{
    m_round = round;
    if (submissions.empty())
        m_title->setText(
            m_engineAvailable
                ? tr("Round %1: no submissions scored yet. Tick submissions above and press Score selected.").arg(round)
                : tr("No project open. Open or create a project, then open a folder of submissions "
                     "to score them."));
    else
        m_title->setText(tr("Round %1: %n submission(s)", nullptr, static_cast<int>(submissions.size())).arg(round));
    m_model->setSubmissions(std::move(submissions));
}

void ValidatorPage::setCandidates(const std::vector<Candidate>& candidates, bool keepChecks)
{
    if (!keepChecks)
        m_checked.clear();
    m_candidates = candidates;
    m_fillingCandidates = true;
    const QStringList selected = [this] {
        QStringList paths;
        for (const QModelIndex& i : m_candidateTable->selectionModel()->selectedRows())
            paths << m_candidateTable->item(i.row(), 0)->data(Qt::UserRole).toString();
        return paths;
    }();
    m_candidateTable->clearSelection();
    m_candidateTable->setRowCount(static_cast<int>(candidates.size()));
    int row = 0;
    for (const Candidate& c : candidates) {
        auto* name = new QTableWidgetItem(c.name);
        name->setData(Qt::UserRole, c.path);
        Qt::ItemFlags flags = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
        if (c.exists) {
            flags |= Qt::ItemIsUserCheckable;
            name->setCheckState(m_checked.value(c.path, c.checkedByDefault) ? Qt::Checked : Qt::Unchecked);
        } else {
            name->setCheckState(Qt::Unchecked);
        }
        name->setFlags(flags);
        QString state = c.imported ? QString() : c.state;
        if (!c.exists)
            state = c.imported ? tr("missing")
                               : (state.isEmpty() ? tr("no submission yet") : tr("%1, no submission yet").arg(state));
        const QString tip = !c.exists ? (c.imported ? tr("This folder no longer exists (moved or deleted?): remove "
                                                         "it from the list or put it back")
                                                    : tr("The run has not written its submission (yet)"))
                                      : QString();
        const QStringList cells = {c.imported ? tr("imported") : tr("own run"), state,
                                   c.round >= 0 ? QString::number(c.round) : QStringLiteral("–"), c.path};
        m_candidateTable->setItem(row, 0, name);
        for (int col = 1; col < 5; ++col) {
            auto* item = new QTableWidgetItem(cells[col - 1]);
            item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
            if (!tip.isEmpty())
                item->setToolTip(tip);
            if (!c.exists)
                item->setForeground(palette().color(QPalette::Disabled, QPalette::Text));
            m_candidateTable->setItem(row, col, item);
        }
        if (!tip.isEmpty())
            name->setToolTip(tip);
        if (!c.exists)
            name->setForeground(palette().color(QPalette::Disabled, QPalette::Text));
        if (selected.contains(c.path))
            m_candidateTable->selectRow(row);
        ++row;
    }
    m_fillingCandidates = false;
    m_candidateHint->setVisible(candidates.empty());
    m_candidateTable->setVisible(!candidates.empty()); // the empty list takes no room from the review
    updateCandidateButtons();
}

QStringList ValidatorPage::checkedCandidates() const
{
    QStringList paths;
    for (int row = 0; row < m_candidateTable->rowCount(); ++row) {
        const QTableWidgetItem* item = m_candidateTable->item(row, 0);
        if (item && item->checkState() == Qt::Checked && (item->flags() & Qt::ItemIsUserCheckable))
            paths << item->data(Qt::UserRole).toString();
    }
    return paths;
}

void ValidatorPage::setCandidateChecked(const QString& path, bool checked)
{
    for (int row = 0; row < m_candidateTable->rowCount(); ++row) {
        QTableWidgetItem* item = m_candidateTable->item(row, 0);
        if (item && item->data(Qt::UserRole).toString() == path && (item->flags() & Qt::ItemIsUserCheckable))
            item->setCheckState(checked ? Qt::Checked : Qt::Unchecked); // itemChanged records it
    }
}

void ValidatorPage::removeSelectedImports()
{
    QStringList paths;
    for (const QModelIndex& i : m_candidateTable->selectionModel()->selectedRows()) {
        const auto row = static_cast<std::size_t>(i.row());
        if (row < m_candidates.size() && m_candidates[row].imported)
            paths << m_candidates[row].path;
    }
    if (!paths.isEmpty() && !m_busy)
        Q_EMIT removeImportsRequested(paths);
}

void ValidatorPage::scoreChecked()
{
    const QStringList paths = checkedCandidates();
    if (!paths.isEmpty() && !m_busy && m_engineAvailable)
        Q_EMIT scoreSubmissionsRequested(paths);
}

void ValidatorPage::updateCandidateButtons()
{
    bool importSelected = false;
    for (const QModelIndex& i : m_candidateTable->selectionModel()->selectedRows()) {
        const auto row = static_cast<std::size_t>(i.row());
        importSelected |= row < m_candidates.size() && m_candidates[row].imported;
    }
    m_removeImport->setEnabled(importSelected && !m_busy);
    const int checked = static_cast<int>(checkedCandidates().size());
    m_scoreSelected->setEnabled(checked > 0 && !m_busy && m_engineAvailable);
    m_scoreSelected->setText(checked > 0 ? tr("S&core selected (%1)").arg(checked) : tr("S&core selected"));
}

void ValidatorPage::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (m_engineAvailable)
        Q_EMIT candidatesRefreshRequested();
}

void ValidatorPage::setSubmissionsFolderAvailable(bool available)
{
    m_engineAvailable = available;
    m_candidateBox->setVisible(available);
    m_openFolder->setVisible(available);
    updateCandidateButtons();
    m_roundSettings->setVisible(available);
    if (m_model->rowCount() == 0)
        setRound(m_round, {}); // the empty page's hint follows
    updateSummary();
}

ValidatorPage::RoundSettings ValidatorPage::roundSettings() const
{
    RoundSettings r;
    r.rule = static_cast<AggregationPreview::Rule>(m_rule->currentData().toInt());
    r.k = m_k->value();
    r.evalBatches = m_evalBatches->value();
    r.evalBatchSize = m_evalBatchSize->value();
    r.outerLr = m_outerLr->value();
    r.momentum = m_momentum->value();
    return r;
}

void ValidatorPage::addStatusWidget(QWidget* widget) { m_layout->insertWidget(m_layout->indexOf(m_summary), widget); }

void ValidatorPage::setBusy(bool busy)
{
    m_busy = busy;
    m_reviewControls->setEnabled(!busy);
    m_roundSettings->setEnabled(!busy);
    m_table->setEnabled(!busy);
    m_addSubmission->setEnabled(!busy);
    m_addFolder->setEnabled(!busy);
    updateCandidateButtons();
    updateSummary();
}

void ValidatorPage::setRoundHistory(const std::vector<std::pair<int, double>>& history)
{
    m_history = history;
    QList<QPointF> points;
    double lo = 1e300, hi = -1e300;
    int maxRound = 1;
    for (const auto& [r, loss] : history) {
        points.push_back({double(r), loss});
        lo = std::min(lo, loss);
        hi = std::max(hi, loss);
        maxRound = std::max(maxRound, r);
    }
    m_roundSeries->replace(points);
    m_roundX->setRange(0, maxRound);
    m_roundX->setTickCount(std::min(maxRound, 10) + 1);
    if (points.isEmpty()) {
        m_roundY->setRange(0, 1);
    } else {
        const double pad = std::max((hi - lo) * 0.1, 1e-3);
        m_roundY->setRange(lo - pad, hi + pad);
    }
}

void ValidatorPage::updateAggregation()
{
    AggregationPreview a;
    a.rule = static_cast<AggregationPreview::Rule>(m_rule->currentData().toInt());
    a.k = m_k->value();
    m_k->setEnabled(a.rule == AggregationPreview::Rule::TopK);
    m_model->setAggregation(a);
}

void ValidatorPage::updateScoreChart()
{
    // The axes are made once and kept: axes removed and added again leave their old labels
    // drawn over the new ones.
    if (!m_scoreX) {
        m_scoreX = new QBarCategoryAxis;
        // barLabels() cuts long names in the middle to the bar's width; Qt's own cut would keep
        // only their identical beginnings ("miner-5f6f…" under every bar).
        m_scoreX->setTruncateLabels(false);
        m_scoreY = new QValueAxis;
        m_scoreY->setTitleText(tr("s_i"));
        m_scoreY->setLabelFormat(QStringLiteral("%.3g")); // a precision: localised labels need one
        m_scoreChart->addAxis(m_scoreX, Qt::AlignBottom);
        m_scoreChart->addAxis(m_scoreY, Qt::AlignLeft);
    }
    m_scoreChart->removeAllSeries();
    auto* acceptedSet = new QBarSet(tr("Accepted"));
    acceptedSet->setColor(QColor(46, 139, 87));
    auto* otherSet = new QBarSet(tr("Not accepted"));
    otherSet->setColor(QColor(170, 170, 170));
    QStringList categories;
    double maxScore = 0.0;
    const QStringList labels = barLabels();
    int i = 0;
    for (const SubmissionReview& r : m_model->submissions()) {
        categories << labels.value(i++, r.miner);
        *acceptedSet << (r.accepted ? r.score : 0.0);
        *otherSet << (r.accepted ? 0.0 : r.score);
        maxScore = std::max(maxScore, r.score);
    }
    auto* series = new QStackedBarSeries;
    series->append(acceptedSet);
    series->append(otherSet);
    m_scoreChart->addSeries(series);
    m_scoreX->setCategories(categories);
    m_scoreY->setRange(0.0, maxScore > 0 ? maxScore * 1.1 : 1.0);
    series->attachAxis(m_scoreX);
    series->attachAxis(m_scoreY);
    followPalette(m_scoreChart, palette());
}

QStringList ValidatorPage::barLabels() const
{
    // The axis would cut long names at their end ("miner-…" for every bar): cut them in the
    // middle to the width of a bar instead, and number them when that is still ambiguous.
    const auto& subs = m_model->submissions();
    const int n = static_cast<int>(subs.size());
    QStringList labels;
    if (n == 0)
        return labels;
    // Measured in the axis's own font against the plot area the chart laid out (before the first
    // layout: the view's width less the value axis).
    const QFontMetrics metrics(m_scoreX ? m_scoreX->labelsFont() : m_scoreChart->font());
    const int plotArea = static_cast<int>(m_scoreChart->plotArea().width());
    const int plotWidth = plotArea > 50 ? plotArea : std::max(200, m_scoreView->width() - 80);
    const int perBar = std::max(metrics.horizontalAdvance(QStringLiteral("M…M")), plotWidth / n - 8);
    for (const SubmissionReview& r : subs)
        labels << metrics.elidedText(r.miner, Qt::ElideMiddle, perBar);
    if (QSet<QString>(labels.begin(), labels.end()).size() != labels.size()) {
        for (int i = 0; i < n; ++i)
            labels[i] = QStringLiteral("%1 %2").arg(i + 1).arg(
                metrics.elidedText(subs[static_cast<std::size_t>(i)].miner, Qt::ElideMiddle,
                                   std::max(0, perBar - metrics.horizontalAdvance(QStringLiteral("00 ")))));
    }
    return labels;
}

void ValidatorPage::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    refreshBarLabels();
}

bool ValidatorPage::eventFilter(QObject* watched, QEvent* event)
{
    // The chart view gets its final width after the page's own resize (splitters, the layout's
    // later passes): the labels follow the view, or they stay cut to the first, narrow width.
    if (watched == m_scoreView && event->type() == QEvent::Resize)
        refreshBarLabels();
    return QWidget::eventFilter(watched, event);
}

void ValidatorPage::refreshBarLabels()
{
    // The labels follow the chart's width. New labels lay the chart out again, which can move
    // the plot area: no recursion from that.
    if (m_scoreX && !m_refreshingLabels) {
        m_refreshingLabels = true;
        const QStringList labels = barLabels();
        if (labels.size() == m_scoreX->count() && labels != m_scoreX->categories())
            m_scoreX->setCategories(labels);
        m_refreshingLabels = false;
    }
}

void ValidatorPage::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::PaletteChange) {
        followPalette(m_scoreChart, palette());
        followPalette(m_roundChart, palette());
    }
    if (event->type() == QEvent::LocaleChange)
        followLocale();
    QWidget::changeEvent(event);
}

void ValidatorPage::followLocale()
{
    QLocale l = locale();
    l.setNumberOptions(l.numberOptions() | QLocale::OmitGroupSeparator);
    m_scoreChart->setLocale(l);
    m_roundChart->setLocale(l);
}

void ValidatorPage::updateSummary()
{
    int accepted = 0, refused = 0;
    for (const SubmissionReview& r : m_model->submissions()) {
        accepted += r.accepted ? 1 : 0;
        refused += r.verified ? 0 : 1;
    }
    m_summary->setText(tr("%1 accepted for aggregation, %2 refused by verification.").arg(accepted).arg(refused));
    m_outerStep->setEnabled(accepted > 0 && !m_busy && m_engineAvailable);
    m_outerStep->setToolTip(
        !m_engineAvailable ? tr("Open or create a project first: the outer step updates the project's Φ")
        : accepted == 0    ? tr("Score a folder of submissions first: the outer step needs accepted submissions")
                        : tr("Apply the weighted average of the accepted updates to Φ (SGD with Nesterov momentum)"));
}

std::vector<int> ValidatorPage::selectedSourceRows() const
{
    std::vector<int> rows;
    const QModelIndexList selected = m_table->selectionModel()->selectedRows();
    for (const QModelIndex& i : selected)
        rows.push_back(m_proxy->mapToSource(i).row());
    return rows;
}

void ValidatorPage::acceptSelected()
{
    for (int row : selectedSourceRows())
        m_model->setOverride(row, SubmissionReview::Override::Accept);
}

void ValidatorPage::rejectSelected()
{
    for (int row : selectedSourceRows())
        m_model->setOverride(row, SubmissionReview::Override::Reject);
}

void ValidatorPage::clearOverrides()
{
    for (int row = 0; row < m_model->rowCount(); ++row)
        m_model->setOverride(row, SubmissionReview::Override::None);
}

void ValidatorPage::runOuterStep()
{
    std::vector<std::pair<QString, double>> weights;
    for (const SubmissionReview& r : m_model->submissions())
        if (r.accepted)
            weights.emplace_back(r.miner, r.weight);
    if (weights.empty() || m_busy || !m_engineAvailable)
        return;
    Q_EMIT outerStepRequested(m_round, weights); // the engine answers with setRound / setRoundHistory
}

} // namespace teft::ui
