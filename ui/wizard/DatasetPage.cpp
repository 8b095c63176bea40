#include "ui/wizard/DatasetPage.h"

#include "core/data/DataQualityReport.h"
#include "core/data/DatasetReader.h"
#include "core/demo/DemoCorpus.h"
#include "core/project/Project.h"
#include "core/text/Tokenizer.h"
#include "core/util/Paths.h"
#include "core/util/Progress.h"
#include "ui/engine/BackgroundTask.h"
#include "ui/engine/TaskProgressBar.h"
#include "ui/wizard/DatasetPreviewModel.h"

#include <QApplication>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QPushButton>
#include <QSignalBlocker>
#include <QTableView>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>

namespace teft::ui {

namespace {

// "2 invalid JSON, 1 empty (first at a.jsonl:2: …)": what a dataset's bad records were.
QString problemText(const DataQualityReport& quality)
{
    QStringList kinds;
    for (int k = 0; k < kBadDataKinds; ++k) {
        const auto kind = static_cast<BadDataKind>(k);
        if (const auto n = quality.count(kind))
            kinds << QStringLiteral("%1 %2").arg(QLocale().toString(static_cast<qlonglong>(n)),
                                                 QString::fromStdString(toString(kind)));
    }
    const QString skipped =
        quality.total() == 1
            ? DatasetPage::tr("1 record skipped")
            : DatasetPage::tr("%1 records skipped").arg(QLocale().toString(static_cast<qlonglong>(quality.total())));
    QString text = skipped + QStringLiteral(": ") + kinds.join(QStringLiteral(", "));
    if (!quality.examples().empty()) {
        const BadRecord& first = quality.examples().front();
        text += DatasetPage::tr(" (first at %1: %2)")
                    .arg(QFileInfo(QString::fromStdString(first.file)).fileName() + QLatin1Char(':') +
                             QString::number(first.line),
                         QString::fromStdString(first.detail));
    }
    return text;
}

} // namespace

DatasetPage::DatasetPage(QWidget* parent) : QWizardPage(parent)
{
    setTitle(tr("Data"));
    setSubTitle(tr("The target data the experts should get better at, and reference data (general text) to compare "
                   "with: JSON Lines, CSV/TSV or plain text files, or folders of them."));
    m_entries.resize(1);
    m_summaries.resize(1);
    m_previewNotes.resize(1);

    m_summary = new QTableWidget(0, SummaryColumns);
    m_summary->setHorizontalHeaderLabels({tr("Dataset"), tr("Files"), tr("Records"), tr("Tokens"), tr("Problems")});
    m_summary->verticalHeader()->hide();
    m_summary->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_summary->setSelectionMode(QAbstractItemView::SingleSelection);
    m_summary->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_summary->setWordWrap(false);
    for (int c = NameColumn; c < ProblemsColumn; ++c)
        m_summary->horizontalHeader()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    m_summary->horizontalHeader()->setSectionResizeMode(ProblemsColumn, QHeaderView::Stretch);
    m_summary->verticalHeader()->setDefaultSectionSize(m_summary->fontMetrics().height() + 6);
    m_summary->setMaximumHeight(m_summary->verticalHeader()->defaultSectionSize() * 5 +
                                m_summary->horizontalHeader()->sizeHint().height() + 4);
    m_addReference = new QPushButton(tr("Add &reference"));
    m_addReference->setToolTip(tr("Add a reference dataset: general text the contrast metrics compare the target "
                                  "with; a merge reports its loss as out-of-domain"));
    m_removeReference = new QPushButton(tr("Remove re&ference"));
    auto* datasetButtons = new QVBoxLayout;
    datasetButtons->addWidget(m_addReference);
    datasetButtons->addWidget(m_removeReference);
    datasetButtons->addStretch(1);
    auto* datasetsRow = new QHBoxLayout;
    datasetsRow->addWidget(m_summary, 1);
    datasetsRow->addLayout(datasetButtons);

    m_paths = new QListWidget;
    m_paths->setMaximumHeight(72);
    auto* addFiles = new QPushButton(tr("Add &files…"));
    auto* addFolder = new QPushButton(tr("Add f&older…"));
    auto* remove = new QPushButton(tr("Re&move"));
    auto* demo = new QPushButton(tr("Use &demo data"));
    demo->setToolTip(tr("Write a small generated corpus into the data directory (source code for the target, "
                        "prose for a reference)"));
    auto* buttons = new QGridLayout;
    buttons->addWidget(addFiles, 0, 0);
    buttons->addWidget(addFolder, 0, 1);
    buttons->addWidget(remove, 1, 0);
    buttons->addWidget(demo, 1, 1);
    auto* pathsRow = new QHBoxLayout;
    pathsRow->addWidget(m_paths, 1);
    pathsRow->addLayout(buttons);

    m_format = new QComboBox;
    m_format->addItem(tr("Detect"), static_cast<int>(DataFormat::Auto));
    m_format->addItem(tr("JSON Lines"), static_cast<int>(DataFormat::Jsonl));
    m_format->addItem(tr("Plain text"), static_cast<int>(DataFormat::Text));
    m_format->addItem(tr("CSV"), static_cast<int>(DataFormat::Csv));
    m_format->addItem(tr("TSV"), static_cast<int>(DataFormat::Tsv));
    m_field = new QLineEdit;
    m_field->setPlaceholderText(tr("text (or chat “messages”)"));
    m_field->setToolTip(tr("JSON Lines: the field with the text (nested with dots). CSV/TSV: the column name."));
    auto* formatRow = new QHBoxLayout;
    formatRow->addWidget(m_format);
    formatRow->addSpacing(12);
    formatRow->addWidget(new QLabel(tr("Text field:")));
    formatRow->addWidget(m_field, 1);

    m_editor = new QGroupBox;
    auto* editorForm = new QFormLayout(m_editor);
    editorForm->addRow(tr("Files:"), pathsRow);
    editorForm->addRow(tr("Format:"), formatRow);

    m_heldOut = new QDoubleSpinBox;
    m_heldOut->setRange(0.01, 0.5);
    m_heldOut->setSingleStep(0.01);
    m_heldOut->setValue(0.05);
    m_heldOut->setToolTip(tr("Share of the documents kept aside for validation (proof of loss)"));

    m_preview = new DatasetPreviewModel(this);
    m_table = new QTableView;
    m_table->setModel(m_preview);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(DatasetPreviewModel::TextColumn, QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(DatasetPreviewModel::SourceColumn, QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(DatasetPreviewModel::TokensColumn, QHeaderView::ResizeToContents);
    m_table->setWordWrap(false);
    m_status = new QLabel;
    m_status->setWordWrap(true);

    m_countTask = new BackgroundTask(this);
    auto* strip = new TaskProgressBar(m_countTask, this);

    auto* heldOutRow = new QFormLayout;
    heldOutRow->addRow(tr("Held-out fraction:"), m_heldOut);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(datasetsRow);
    layout->addWidget(strip);
    layout->addWidget(m_editor);
    layout->addLayout(heldOutRow);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_status);

    registerField(QStringLiteral("heldOut"), m_heldOut, "value", "valueChanged");

    connect(m_summary, &QTableWidget::currentCellChanged, this, [this](int row) {
        if (row >= 0 && row != m_current)
            setCurrentDataset(row);
    });
    connect(m_addReference, &QPushButton::clicked, this, [this] { addReference(); });
    connect(m_removeReference, &QPushButton::clicked, this, [this] {
        if (m_current > 0)
            removeReference(m_current);
    });
    connect(addFiles, &QPushButton::clicked, this, [this] {
        const QStringList files = QFileDialog::getOpenFileNames(
            this, tr("Add data files"), {}, tr("Data (*.jsonl *.ndjson *.json *.txt *.md *.csv *.tsv);;All files (*)"));
        for (const QString& f : files)
            addPath(f);
    });
    connect(addFolder, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Add a data folder"));
        if (!dir.isEmpty())
            addPath(dir);
    });
    connect(remove, &QPushButton::clicked, this, [this] {
        qDeleteAll(m_paths->selectedItems());
        refreshPreview();
    });
    connect(demo, &QPushButton::clicked, this, [this] {
        const auto dir = dataDir() / "demo-corpus";
        QApplication::setOverrideCursor(Qt::WaitCursor);
        try {
            DemoCorpusOptions options;
            options.domains = {m_current == 0 ? "code" : "prose"};
            options.mbPerDomain = 0.05;
            JobControl control;
            const auto files = writeDemoCorpus(dir, options, control);
            QApplication::restoreOverrideCursor();
            for (const auto& f : files)
                addPath(QString::fromStdString(f.path.string()));
        } catch (const std::exception& e) {
            QApplication::restoreOverrideCursor();
            m_status->setText(QString::fromUtf8(e.what()));
        }
    });
    connect(m_format, qOverload<int>(&QComboBox::currentIndexChanged), this, &DatasetPage::refreshPreview);
    connect(m_field, &QLineEdit::editingFinished, this, [this] {
        if (m_field->text() != m_entries[static_cast<std::size_t>(m_current)].field)
            refreshPreview();
    });
    connect(m_heldOut, qOverload<double>(&QDoubleSpinBox::valueChanged), this, &DatasetPage::recount);
    connect(m_countTask, &BackgroundTask::cancelled, this, [this] {
        if (!m_recountPending) {
            m_countNote = tr("the count was stopped: change the data or press Back and Next to count again");
            updateSummaryTable();
        }
    });
    connect(m_countTask, &BackgroundTask::failed, this, [this](const QString& message) {
        m_countNote = tr("not counted: %1").arg(message);
        updateSummaryTable();
    });
    connect(m_countTask, &BackgroundTask::finished, this, [this] {
        if (m_recountPending) {
            m_recountPending = false;
            recount();
        }
    });
    loadCurrent();
    updateSummaryTable();
}

void DatasetPage::initializePage() { refreshPreview(); }

bool DatasetPage::isComplete() const
{
    for (std::size_t i = 0; i < m_entries.size(); ++i) {
        if (!m_entries[i].usable)
            return false;
        if (m_summaries[i] && !m_summaries[i]->error.empty())
            return false;
    }
    return true;
}

DatasetSpec DatasetPage::specOf(const Entry& entry)
{
    DatasetSpec s;
    for (const QString& p : entry.paths)
        s.paths.emplace_back(p.toStdString());
    static const DataFormat formats[] = {DataFormat::Auto, DataFormat::Jsonl, DataFormat::Text, DataFormat::Csv,
                                         DataFormat::Tsv};
    s.format = formats[std::clamp(entry.format, 0, 4)];
    const std::string field = entry.field.trimmed().toStdString();
    if (s.format == DataFormat::Csv || s.format == DataFormat::Tsv)
        s.column = field;
    else
        s.field = field;
    return s;
}

DatasetSpec DatasetPage::specAt(int index) const
{
    if (index < 0 || index >= datasetCount())
        return {};
    Entry e = m_entries[static_cast<std::size_t>(index)];
    if (index == m_current) { // the editor may be ahead of the entry
        e.paths.clear();
        for (int i = 0; i < m_paths->count(); ++i)
            e.paths << m_paths->item(i)->text();
        e.format = m_format->currentIndex();
        e.field = m_field->text();
    }
    return specOf(e);
}

std::vector<DatasetSpec> DatasetPage::referenceSpecs() const
{
    std::vector<DatasetSpec> out;
    for (int i = 1; i < datasetCount(); ++i)
        out.push_back(specAt(i));
    return out;
}

void DatasetPage::addPath(const QString& path)
{
    if (m_paths->findItems(path, Qt::MatchExactly).isEmpty())
        m_paths->addItem(path);
    refreshPreview();
}

int DatasetPage::addReference()
{
    storeCurrent();
    m_entries.emplace_back();
    m_summaries.emplace_back();
    m_previewNotes.emplace_back();
    setCurrentDataset(datasetCount() - 1);
    Q_EMIT completeChanged(); // an empty reference is not usable yet
    return m_current;
}

void DatasetPage::removeReference(int index)
{
    if (index < 1 || index >= datasetCount())
        return;
    storeCurrent();
    m_entries.erase(m_entries.begin() + index);
    m_summaries.erase(m_summaries.begin() + index);
    m_previewNotes.erase(m_previewNotes.begin() + index);
    if (m_current == index)
        m_current = index - 1;
    else if (m_current > index)
        --m_current;
    loadCurrent();
    previewCurrent();
    recount();
}

void DatasetPage::setCurrentDataset(int index)
{
    if (index < 0 || index >= datasetCount())
        return;
    storeCurrent();
    m_current = index;
    loadCurrent();
    previewCurrent();
    updateSummaryTable();
}

void DatasetPage::storeCurrent()
{
    Entry& e = m_entries[static_cast<std::size_t>(m_current)];
    e.paths.clear();
    for (int i = 0; i < m_paths->count(); ++i)
        e.paths << m_paths->item(i)->text();
    e.format = m_format->currentIndex();
    e.field = m_field->text();
}

void DatasetPage::loadCurrent()
{
    const Entry& e = m_entries[static_cast<std::size_t>(m_current)];
    const QSignalBlocker blockFormat(m_format);
    const QSignalBlocker blockField(m_field);
    m_paths->clear();
    m_paths->addItems(e.paths);
    m_format->setCurrentIndex(e.format);
    m_field->setText(e.field);
    m_editor->setTitle(m_current == 0 ? tr("Target data") : tr("Reference data %1").arg(m_current));
    m_removeReference->setEnabled(m_current > 0);
}

QString DatasetPage::datasetTitle(int index) const { return index == 0 ? tr("Target") : tr("Reference %1").arg(index); }

void DatasetPage::refreshPreview()
{
    storeCurrent();
    previewCurrent();
    recount();
}

void DatasetPage::previewCurrent()
{
    Entry& entry = m_entries[static_cast<std::size_t>(m_current)];
    QString& notesText = m_previewNotes[static_cast<std::size_t>(m_current)];
    std::vector<DatasetPreviewModel::Row> rows;
    entry.usable = false;
    if (entry.paths.isEmpty()) {
        m_preview->setRows({});
        notesText = tr("Add files or a folder to see the first records.");
        m_status->setText(notesText);
        updateSummaryTable();
        Q_EMIT completeChanged();
        return;
    }
    try {
        const DatasetSpec s = specOf(entry);
        DataQualityReport report;
        const std::vector<TextRecord> records = previewDataset(s, PreviewRecords, &report);
        std::optional<Tokenizer> tokenizer;
        QString tokenizerNote;
        const QString modelPath = field(QStringLiteral("modelPath")).toString();
        if (!modelPath.isEmpty()) {
            try {
                tokenizer = Tokenizer::fromFile(modelPath.toStdString());
            } catch (const std::exception& e) {
                tokenizerNote = tr("Token counts unavailable: %1").arg(QString::fromUtf8(e.what()));
            }
        }
        for (const TextRecord& r : records) {
            DatasetPreviewModel::Row row;
            row.source = QStringLiteral("%1:%2").arg(QFileInfo(QString::fromStdString(r.file)).fileName()).arg(r.line);
            row.text = QString::fromStdString(r.text);
            row.tokens = tokenizer ? static_cast<int>(tokenizer->encode(r.text).size()) : -1;
            rows.push_back(std::move(row));
        }
        entry.usable = !records.empty();
        const std::vector<DatasetFile> files = resolveDatasetFiles(s);
        QStringList notes;
        notes << tr("%n file(s)", nullptr, static_cast<int>(files.size()));
        if (!files.empty())
            notes << tr("read as %1").arg(QString::fromStdString(toString(files.front().format)));
        if (records.empty())
            notes << tr("no usable record: check the format and the text field");
        const QString quality = QString::fromStdString(report.summary()).trimmed();
        if (!quality.isEmpty())
            notes << tr("in the first records: %1").arg(quality);
        if (!tokenizerNote.isEmpty())
            notes << tokenizerNote;
        notesText = notes.join(QStringLiteral("; "));
    } catch (const std::exception& e) {
        notesText = QString::fromUtf8(e.what());
    }
    m_status->setText(notesText);
    m_preview->setRows(std::move(rows));
    updateSummaryTable();
    Q_EMIT completeChanged();
}

void DatasetPage::recount()
{
    storeCurrent();
    ++m_generation;
    m_countNote.clear();
    for (auto& s : m_summaries)
        s.reset();
    updateSummaryTable();
    Q_EMIT completeChanged();
    if (m_countTask->isRunning()) {
        m_recountPending = true; // started again when the running count has stopped
        m_countTask->cancel();
        return;
    }
    std::vector<std::optional<DatasetSpec>> specs;
    for (const Entry& e : m_entries)
        specs.push_back(e.paths.isEmpty() ? std::nullopt : std::optional<DatasetSpec>(specOf(e)));
    nlohmann::json settings{{"held_out_fraction", m_heldOut->value()}};
    const PackingOptions packing = Project::packingFromSettings(settings);
    const std::string modelPath = field(QStringLiteral("modelPath")).toString().toStdString();
    const std::uint64_t generation = m_generation;
    m_countTask->start(
        [this, specs, packing, modelPath, generation](JobControl& control) -> BackgroundTask::Continuation {
            // Counted as the project will read the data: the model's tokenizer and packing (so the
            // token cache is filled for its first step); records only without a usable model.
            std::optional<Tokenizer> tokenizer;
            if (!modelPath.empty()) {
                try {
                    tokenizer = Tokenizer::fromFile(modelPath);
                } catch (const std::exception&) {
                    // the preview says why the tokens are not counted
                }
            }
            auto results = std::make_shared<std::vector<std::optional<DatasetSummary>>>(specs.size());
            for (std::size_t i = 0; i < specs.size(); ++i) {
                control.checkpoint();
                if (specs[i])
                    (*results)[i] = summarizeDataset(*specs[i], tokenizer ? &*tokenizer : nullptr, packing, control);
            }
            return [this, results, generation] {
                if (generation != m_generation || results->size() != m_summaries.size())
                    return; // the data changed meanwhile: counted again
                m_summaries = std::move(*results);
                updateSummaryTable();
                Q_EMIT completeChanged();
            };
        });
}

bool DatasetPage::isCounted() const
{
    if (m_countTask->isRunning() || m_recountPending)
        return false;
    for (std::size_t i = 0; i < m_entries.size(); ++i)
        if (!m_entries[i].paths.isEmpty() && !m_summaries[i])
            return false;
    return true;
}

std::optional<ProjectDataSummary> DatasetPage::projectSummary() const
{
    if (!isCounted())
        return std::nullopt;
    for (const auto& s : m_summaries)
        if (!s)
            return std::nullopt;
    ProjectDataSummary out;
    out.target = *m_summaries.front();
    for (std::size_t i = 1; i < m_summaries.size(); ++i)
        out.references.push_back(*m_summaries[i]);
    return out;
}

void DatasetPage::updateSummaryTable()
{
    const QSignalBlocker block(m_summary);
    m_summary->setRowCount(datasetCount());
    const QLocale locale;
    const QColor problemColour(0xb0, 0x4a, 0x00);
    const QColor errorColour(0xc0, 0x10, 0x10);
    for (int i = 0; i < datasetCount(); ++i) {
        const Entry& e = m_entries[static_cast<std::size_t>(i)];
        const auto& summary = m_summaries[static_cast<std::size_t>(i)];
        QString files, records, tokens, problems, tip;
        QColor colour;
        files = QString::number(e.paths.size());
        if (e.paths.isEmpty()) {
            records = tokens = QStringLiteral("–");
            problems = tr("no files yet: add files or a folder");
            colour = errorColour;
        } else if (!summary) {
            records = tokens = m_countNote.isEmpty() ? tr("counting…") : tr("not counted");
            problems = m_countNote;
        } else {
            files = locale.toString(static_cast<qlonglong>(summary->files));
            records = locale.toString(static_cast<qlonglong>(summary->records));
            tokens = summary->tokenized ? locale.toString(static_cast<qlonglong>(summary->tokens)) : tr("–");
            if (!summary->tokenized)
                tip = tr("Not tokenized: the model's tokenizer could not be read");
            if (!summary->error.empty()) {
                problems = tr("cannot be used: %1").arg(QString::fromStdString(summary->error));
                if (summary->quality.total() > 0)
                    problems += QStringLiteral("; ") + problemText(summary->quality);
                colour = errorColour;
            } else if (summary->quality.total() > 0) {
                problems = problemText(summary->quality);
                colour = problemColour;
            } else {
                problems = tr("none");
            }
            const QString details = QString::fromStdString(summary->quality.summary()).trimmed();
            if (!details.isEmpty())
                tip = details;
        }
        const QString cells[SummaryColumns] = {datasetTitle(i), files, records, tokens, problems};
        for (int c = 0; c < SummaryColumns; ++c) {
            // Items are updated in place: this runs from the table's own currentCellChanged.
            QTableWidgetItem* item = m_summary->item(i, c);
            if (!item) {
                item = new QTableWidgetItem;
                m_summary->setItem(i, c, item);
            }
            item->setText(cells[c]);
            if (c == FilesColumn || c == RecordsColumn || c == TokensColumn)
                item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            if (c == ProblemsColumn) {
                item->setData(Qt::ForegroundRole, colour.isValid() ? QVariant(colour) : QVariant());
                item->setToolTip(tip.isEmpty() ? problems : problems + QStringLiteral("\n\n") + tip);
            }
            if (c == NameColumn) {
                QFont font = m_summary->font();
                font.setBold(i == m_current);
                item->setFont(font);
            }
        }
    }
    m_summary->setCurrentCell(m_current, NameColumn);
}

} // namespace teft::ui
