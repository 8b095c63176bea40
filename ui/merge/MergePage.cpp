#include "ui/merge/MergePage.h"

#include "core/util/Error.h"
#include "core/util/Paths.h"
#include "ui/engine/StageNames.h"
#include "ui/merge/MergeComparisonModel.h"

#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QMetaObject>
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
    m_status = new QLabel(tr("Choose where to write the merged checkpoint."));
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
    auto* heading = new QLabel(tr("Losses before and after the merge: in-domain should fall, out-of-domain stay flat."));
    heading->setWordWrap(true);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addLayout(buttons);
    layout->addWidget(m_status);
    layout->addWidget(heading);
    layout->addWidget(m_table, 1);

    connect(browse, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Folder for the merged checkpoint"), m_output->text());
        if (!dir.isEmpty())
            m_output->setText(dir);
    });
    connect(m_mergeButton, &QPushButton::clicked, this, &MergePage::startMerge);
    connect(m_cancelButton, &QPushButton::clicked, this, &MergePage::cancelMerge);
    updateMergeButton();
}

MergePage::~MergePage()
{
    if (m_control)
        m_control->requestCancel();
    join();
}

void MergePage::join()
{
    if (m_thread.joinable())
        m_thread.join();
}

void MergePage::loadDemo()
{
    // Illustrative numbers only (no merge runs without a project); the status line says so.
    m_model->setRows({{tr("code (held-out)"), true, 1.912, 1.912 * 0.93},
                      {tr("records (held-out)"), true, 2.304, 2.304 * 0.93},
                      {tr("prose (general)"), false, 2.851, 2.851 * 1.002},
                      {tr("logs (general)"), false, 2.127, 2.127 * 1.002}});
    m_output->setText(QString::fromStdString((dataDir() / "merged" / "demo").string()));
    setMergeFunction({});
    m_status->setText(tr("Example results. Open a project to merge its trained experts into the base model."));
}

void MergePage::setMergeFunction(MergeFunction fn)
{
    m_merge = std::move(fn);
    updateMergeButton();
}

void MergePage::updateMergeButton()
{
    m_mergeButton->setEnabled(m_merge && !m_running);
    m_mergeButton->setToolTip(m_merge ? tr("Write Φ back into the base model at the selected experts, in the base model's own layout")
                                      : tr("Open a project to merge its trained experts into the base model"));
}

void MergePage::startMerge()
{
    if (m_running)
        return;
    const QString out = m_output->text().trimmed();
    if (out.isEmpty() || !m_merge) {
        m_status->setText(out.isEmpty() ? tr("Choose an output folder first.")
                                        : tr("Open a project to merge its trained experts into the base model."));
        return;
    }
    join();
    m_control = std::make_unique<JobControl>();
    m_control->setProgressCallback([this](const JobControl::Progress& p) {
        const QString stage = QString::fromStdString(p.stage);
        QMetaObject::invokeMethod(this, [this, p, stage] { onProgress(p.done, p.total, stage); }, Qt::QueuedConnection);
    });
    m_running = true;
    m_mergeButton->setEnabled(false);
    m_cancelButton->setEnabled(true);
    m_progress->setRange(0, 0);
    m_status->setText(tr("Merging into %1…").arg(out));
    MergeFunction fn = m_merge;
    m_thread = std::thread([this, fn, out] {
        std::vector<MergeComparisonModel::Row> rows;
        QString error;
        bool cancelled = false;
        try {
            rows = fn(out, *m_control);
        } catch (const Cancelled&) {
            cancelled = true;
        } catch (const std::exception& e) {
            error = QString::fromUtf8(e.what());
        }
        QMetaObject::invokeMethod(this, [this, rows, error, cancelled] { onDone(rows, error, cancelled); },
                                  Qt::QueuedConnection);
    });
}

void MergePage::cancelMerge()
{
    if (m_running && m_control)
        m_control->requestCancel();
}

void MergePage::onProgress(qint64 done, qint64 total, const QString& stage)
{
    if (!m_running)
        return;
    m_progress->setRange(0, static_cast<int>(std::max<qint64>(total, 1)));
    m_progress->setValue(static_cast<int>(done));
    m_status->setText(tr("%1: %2 of %3").arg(stageName(stage)).arg(done).arg(total));
}

void MergePage::onDone(const std::vector<MergeComparisonModel::Row>& rows, const QString& error, bool cancelled)
{
    join();
    m_running = false;
    updateMergeButton();
    m_cancelButton->setEnabled(false);
    m_progress->setRange(0, 1);
    m_progress->setValue(cancelled || !error.isEmpty() ? 0 : 1);
    if (cancelled) {
        m_status->setText(tr("Cancelled; nothing was written."));
    } else if (!error.isEmpty()) {
        m_status->setText(tr("Failed: %1").arg(error));
        auto* box = new QMessageBox(QMessageBox::Warning, tr("Merge failed"), error, QMessageBox::Ok, this);
        box->setInformativeText(tr("Check that the output folder is writable and has room for the whole model."));
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
    } else {
        m_model->setRows(rows);
        m_status->setText(tr("Merged checkpoint written to %1.").arg(m_output->text()));
    }
    Q_EMIT mergeFinished(!cancelled && error.isEmpty());
}

} // namespace teft::ui
