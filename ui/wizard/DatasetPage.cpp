#include "ui/wizard/DatasetPage.h"

#include "core/data/DataQualityReport.h"
#include "core/data/DatasetReader.h"
#include "core/demo/DemoCorpus.h"
#include "core/text/Tokenizer.h"
#include "core/util/Paths.h"
#include "core/util/Progress.h"
#include "ui/wizard/DatasetPreviewModel.h"

#include <QApplication>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>
#include <optional>

namespace teft::ui {

DatasetPage::DatasetPage(QWidget* parent) : QWizardPage(parent)
{
    setTitle(tr("Target data"));
    setSubTitle(
        tr("The text the experts should get better at: JSON Lines, CSV/TSV or plain text files, or folders of them."));

    m_paths = new QListWidget;
    m_paths->setMaximumHeight(90);
    auto* addFiles = new QPushButton(tr("Add &files…"));
    auto* addFolder = new QPushButton(tr("Add f&older…"));
    auto* remove = new QPushButton(tr("&Remove"));
    auto* demo = new QPushButton(tr("Use &demo data"));
    demo->setToolTip(tr("Write a small generated corpus (source code) into the data directory"));
    auto* buttons = new QVBoxLayout;
    buttons->addWidget(addFiles);
    buttons->addWidget(addFolder);
    buttons->addWidget(remove);
    buttons->addWidget(demo);
    buttons->addStretch(1);
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

    auto* form = new QFormLayout;
    form->addRow(tr("Files:"), pathsRow);
    form->addRow(tr("Format:"), m_format);
    form->addRow(tr("Text field:"), m_field);
    form->addRow(tr("Held-out fraction:"), m_heldOut);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_status);

    registerField(QStringLiteral("heldOut"), m_heldOut, "value", "valueChanged");

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
            options.domains = {"code"};
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
    connect(m_field, &QLineEdit::editingFinished, this, &DatasetPage::refreshPreview);
}

void DatasetPage::initializePage() { refreshPreview(); }

bool DatasetPage::isComplete() const { return m_preview->rowCount() > 0; }

void DatasetPage::addPath(const QString& path)
{
    if (m_paths->findItems(path, Qt::MatchExactly).isEmpty())
        m_paths->addItem(path);
    refreshPreview();
}

DatasetSpec DatasetPage::spec() const
{
    DatasetSpec s;
    for (int i = 0; i < m_paths->count(); ++i)
        s.paths.emplace_back(m_paths->item(i)->text().toStdString());
    s.format = static_cast<DataFormat>(m_format->currentData().toInt());
    const std::string field = m_field->text().trimmed().toStdString();
    if (s.format == DataFormat::Csv || s.format == DataFormat::Tsv)
        s.column = field;
    else
        s.field = field;
    return s;
}

void DatasetPage::refreshPreview()
{
    std::vector<DatasetPreviewModel::Row> rows;
    if (m_paths->count() == 0) {
        m_preview->setRows({});
        m_status->setText(tr("Add files or a folder to see the first records."));
        Q_EMIT completeChanged();
        return;
    }
    try {
        const DatasetSpec s = spec();
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
        const std::vector<DatasetFile> files = resolveDatasetFiles(s);
        QStringList notes;
        notes << tr("%n file(s)", nullptr, static_cast<int>(files.size()));
        if (!files.empty())
            notes << tr("read as %1").arg(QString::fromStdString(toString(files.front().format)));
        if (records.empty())
            notes << tr("no usable record: check the format and the text field");
        const QString quality = QString::fromStdString(report.summary());
        if (!quality.isEmpty())
            notes << quality;
        if (!tokenizerNote.isEmpty())
            notes << tokenizerNote;
        m_status->setText(notes.join(QStringLiteral("; ")));
    } catch (const std::exception& e) {
        m_status->setText(QString::fromUtf8(e.what()));
    }
    m_preview->setRows(std::move(rows));
    Q_EMIT completeChanged();
}

} // namespace teft::ui
