#include "ui/jobs/JobsPage.h"

#include "core/store/JobStore.h"
#include "core/util/Error.h"
#include "ui/jobs/JobProgressDelegate.h"
#include "ui/jobs/JobsTableModel.h"
#include "ui/shell/AppContext.h"

#include <QDesktopServices>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QTableView>
#include <QUrl>
#include <QVBoxLayout>
#include <filesystem>

namespace teft::ui {

JobsPage::JobsPage(AppContext* context, QWidget* parent) : QWidget(parent), m_context(context)
{
    m_model = new JobsTableModel(this);
    m_table = new QTableView;
    m_table->setModel(m_model);
    m_table->setItemDelegateForColumn(JobsTableModel::ProgressColumn, new JobProgressDelegate(m_table));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(JobsTableModel::ProgressColumn, QHeaderView::Fixed);
    m_table->horizontalHeader()->resizeSection(JobsTableModel::ProgressColumn, 140);
    m_table->horizontalHeader()->setStretchLastSection(true);

    m_open = new QPushButton(tr("&Open output folder"));
    m_resume = new QPushButton(tr("&Resume"));
    m_resume->setToolTip(tr("Continue an interrupted, cancelled or out-of-memory training job from its last "
                            "checkpoint"));
    m_clone = new QPushButton(tr("&Clone settings"));
    m_clone->setToolTip(tr("Start a new job of the same kind with the same settings"));
    auto* refresh = new QPushButton(tr("Re&fresh"));
    m_status = new QLabel;
    m_status->setObjectName("jobsStatus");
    m_status->setWordWrap(true);

    auto* title = new QLabel(tr("Jobs of this machine, from the desktop application and from the teft command line"));
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_open);
    buttons->addWidget(m_resume);
    buttons->addWidget(m_clone);
    buttons->addStretch(1);
    buttons->addWidget(refresh);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(title);
    layout->addWidget(m_table, 1);
    layout->addLayout(buttons);
    layout->addWidget(m_status);

    connect(refresh, &QPushButton::clicked, this, &JobsPage::reload);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &JobsPage::updateButtons);
    connect(m_model, &QAbstractItemModel::dataChanged, this, &JobsPage::updateButtons);
    connect(m_model, &QAbstractItemModel::modelReset, this, &JobsPage::updateButtons);
    connect(m_open, &QPushButton::clicked, this, &JobsPage::openOutputFolder);
    connect(m_resume, &QPushButton::clicked, this, [this] {
        if (const JobStore::Job* j = m_model->jobAt(currentRow()))
            Q_EMIT resumeRequested(j->id);
    });
    connect(m_clone, &QPushButton::clicked, this, [this] {
        if (const JobStore::Job* j = m_model->jobAt(currentRow()))
            Q_EMIT cloneRequested(QString::fromStdString(j->kind), QString::fromStdString(j->config), j->id);
    });
    if (m_context)
        connect(m_context, &AppContext::storeChanged, this, &JobsPage::reload);
    reload();
}

int JobsPage::currentRow() const
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    return rows.isEmpty() ? -1 : rows.front().row();
}

bool JobsPage::openOutputFolder()
{
    const JobStore::Job* j = m_model->jobAt(currentRow());
    if (!j || j->outputDir.empty())
        return false;
    const QString dir = QString::fromStdString(j->outputDir);
    QString problem;
    std::error_code ec;
    if (!std::filesystem::is_directory(j->outputDir, ec))
        problem = tr("The output folder of job %1 does not exist (any more): %2").arg(j->id).arg(dir);
    else if (!QDesktopServices::openUrl(QUrl::fromLocalFile(dir)))
        problem = tr("No application could open the folder %1. Open it with your file manager.").arg(dir);
    if (problem.isEmpty()) {
        m_status->clear();
        return true;
    }
    m_status->setText(problem);
    if (m_context)
        m_context->notify(problem);
    auto* box = new QMessageBox(QMessageBox::Warning, tr("Cannot open the output folder"), problem, QMessageBox::Ok,
                                this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
    return false;
}

QString JobsPage::statusText() const { return m_status->text(); }

void JobsPage::reload()
{
    if (!m_context || !m_context->store())
        return;
    const qlonglong selectedId = currentRow() >= 0
                                     ? m_model->index(currentRow(), 0).data(JobsTableModel::JobIdRole).toLongLong()
                                     : -1;
    std::vector<JobStore::Job> jobs;
    QHash<qint64, QString> names;
    try {
        jobs = m_context->store()->jobs();
        for (const auto& p : m_context->store()->recentProjects(1000))
            names.insert(p.id, QString::fromStdString(p.name));
    } catch (const std::exception& e) {
        m_status->setText(tr("The job store cannot be read: %1").arg(QString::fromUtf8(e.what())));
        return;
    }
    // Jobs that ended since the last look (here or in a `teft` command) are announced.
    QHash<qint64, int> states;
    for (const auto& j : jobs) {
        states.insert(j.id, static_cast<int>(j.state));
        const auto before = m_lastStates.constFind(j.id);
        const bool wasActive = before != m_lastStates.cend() &&
                               (before.value() == static_cast<int>(JobStore::JobState::Running) ||
                                before.value() == static_cast<int>(JobStore::JobState::Paused) ||
                                before.value() == static_cast<int>(JobStore::JobState::Queued));
        const bool ended = j.state == JobStore::JobState::Succeeded || j.state == JobStore::JobState::Failed ||
                           j.state == JobStore::JobState::Cancelled || j.state == JobStore::JobState::Interrupted;
        if (m_loaded && m_context && wasActive && ended)
            m_context->notify(tr("Job %1 (%2) %3.")
                                  .arg(j.id)
                                  .arg(QString::fromStdString(j.kind), JobsTableModel::stateName(j.state)));
    }
    m_lastStates = std::move(states);
    m_loaded = true;
    m_model->setProjectNames(std::move(names));
    m_model->setJobs(std::move(jobs));
    // Keep the same job selected across a reset.
    if (selectedId >= 0 && currentRow() < 0) {
        for (int r = 0; r < m_model->rowCount(); ++r)
            if (m_model->index(r, 0).data(JobsTableModel::JobIdRole).toLongLong() == selectedId)
                m_table->selectRow(r);
    }
    updateButtons();
}

void JobsPage::updateButtons()
{
    const JobStore::Job* j = m_model->jobAt(currentRow());
    m_open->setEnabled(j && !j->outputDir.empty());
    // A killed job, or a training run cancelled (cancelling leaves its checkpoint) or stopped by
    // running out of memory (its last checkpoint is kept).
    const bool resumable = j && (j->state == JobStore::JobState::Interrupted ||
                                 (j->state == JobStore::JobState::Cancelled && j->kind == "train") ||
                                 (j->state == JobStore::JobState::Failed && j->kind == "train" &&
                                  j->errorKind == errorKindName(ErrorKind::OutOfMemory)));
    // A job that a later one already continued (resumed, or run again) is not offered again.
    const JobStore::Job* next = m_model->continuedBy(currentRow());
    m_resume->setEnabled(resumable && !next);
    m_resume->setToolTip(next ? tr("Job %1 already continued this job: resume that one if it stopped").arg(next->id)
                              : tr("Continue an interrupted, cancelled or out-of-memory training job from its last "
                                   "checkpoint"));
    m_clone->setEnabled(j != nullptr);
}

} // namespace teft::ui
