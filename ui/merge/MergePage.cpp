#include "ui/merge/MergePage.h"

#include "ui/engine/StageNames.h"
#include "ui/merge/MergeComparisonModel.h"
#include "ui/shell/ErrorAdvice.h"

#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace teft::ui {

MergePage::MergePage(QWidget* parent) : QWidget(parent)
{
    m_model = new MergeComparisonModel(this);
    m_output = new QLineEdit;
    m_output->setPlaceholderText(tr("Folder for the merged checkpoint"));
    auto* browse = new QPushButton(tr("&Browse…"));
    m_mergeButton = new QPushButton(tr("&Merge"));
    m_cancelButton = new QPushButton(tr("&Cancel"));
    m_cancelButton->setEnabled(false);
    m_progress = new QProgressBar;
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_status = new QLabel;
    m_status->setWordWrap(true);
    m_table = new QTableView;
    m_table->setModel(m_model);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(MergeComparisonModel::DatasetColumn, QHeaderView::Stretch);

    auto* outRow = new QHBoxLayout;
    outRow->addWidget(m_output, 1);
    outRow->addWidget(browse);
    auto* form = new QFormLayout;
    form->addRow(tr("Output folder:"), outRow);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_mergeButton);
    buttons->addWidget(m_cancelButton);
    buttons->addWidget(m_progress, 1);
    auto* heading = new QLabel(
        tr("Losses before and after the merge: in-domain should fall, out-of-domain stay flat."));
    heading->setWordWrap(true);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addLayout(buttons);
    layout->addWidget(m_status);
    layout->addWidget(heading);
    layout->addWidget(m_table, 1);

    connect(browse, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Folder for the merged checkpoint"),
                                                              m_output->text());
        if (!dir.isEmpty())
            m_output->setText(dir);
    });
    connect(m_mergeButton, &QPushButton::clicked, this, &MergePage::requestMerge);
    connect(m_cancelButton, &QPushButton::clicked, this, &MergePage::requestCancel);
    setMergeAvailable(false, tr("Open or create a project, train its experts and apply a validator round first"));
    setStatus(tr("No project open. Open or create a project, train and validate a round, then merge its trained "
                 "experts into the base model here."));
}

void MergePage::setMergeAvailable(bool available, const QString& reason)
{
    m_available = available;
    m_unavailableReason = reason;
    updateMergeButton();
}

void MergePage::setOutputDir(const QString& dir) { m_output->setText(dir); }

QString MergePage::outputDir() const { return m_output->text().trimmed(); }

void MergePage::setRows(std::vector<MergeComparisonModel::Row> rows) { m_model->setRows(std::move(rows)); }

void MergePage::setStatus(const QString& text) { m_status->setText(text); }

void MergePage::updateMergeButton()
{
    m_mergeButton->setEnabled(m_available && !m_running);
    m_mergeButton->setToolTip(m_available ? tr("Write Φ back into the base model at the selected experts, in the base "
                                               "model's own layout")
                                          : m_unavailableReason);
}

void MergePage::requestMerge()
{
    if (m_running)
        return;
    if (!m_available) {
        setStatus(m_unavailableReason);
        return;
    }
    const QString out = outputDir();
    if (out.isEmpty()) {
        setStatus(tr("Choose an output folder first."));
        return;
    }
    Q_EMIT mergeRequested(out);
}

void MergePage::requestCancel()
{
    if (m_running)
        Q_EMIT cancelRequested();
}

void MergePage::showStarted(const QString& outputDir)
{
    m_running = true;
    updateMergeButton();
    m_cancelButton->setEnabled(true);
    m_progress->setRange(0, 0);
    setStatus(tr("Merging into %1…").arg(outputDir));
}

void MergePage::showProgress(qint64 done, qint64 total, const QString& stage)
{
    if (!m_running)
        return;
    m_progress->setRange(0, static_cast<int>(std::max<qint64>(total, 1)));
    m_progress->setValue(static_cast<int>(done));
    setStatus(tr("%1: %2 of %3").arg(stageName(stage)).arg(done).arg(total));
}

void MergePage::showFinished(Outcome outcome, const QString& message, ErrorKind kind)
{
    m_running = false;
    updateMergeButton();
    m_cancelButton->setEnabled(false);
    m_progress->setRange(0, 1);
    m_progress->setValue(outcome == Outcome::Succeeded ? 1 : 0);
    switch (outcome) {
    case Outcome::Cancelled: setStatus(tr("Cancelled; nothing was written.")); break;
    case Outcome::Failed: {
        setStatus(tr("Failed: %1").arg(message));
        auto* box = new QMessageBox(QMessageBox::Warning, tr("Merge failed"), message, QMessageBox::Ok, this);
        box->setInformativeText(
            errorAdvice(kind, tr("Check that the output folder is writable and has room for the whole model.")));
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
        break;
    }
    case Outcome::Succeeded: setStatus(tr("Merged checkpoint written to %1.").arg(message)); break;
    }
    Q_EMIT mergeFinished(outcome == Outcome::Succeeded);
}

} // namespace teft::ui
