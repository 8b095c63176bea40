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
#include <QPushButton>
#include <QTableView>
#include <QUrl>
#include <QVBoxLayout>

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

    connect(refresh, &QPushButton::clicked, this, &JobsPage::reload);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &JobsPage::updateButtons);
    connect(m_model, &QAbstractItemModel::dataChanged, this, &JobsPage::updateButtons);
    connect(m_model, &QAbstractItemModel::modelReset, this, &JobsPage::updateButtons);
    connect(m_open, &QPushButton::clicked, this, [this] {
        if (const JobStore::Job* j = m_model->jobAt(currentRow()); j && !j->outputDir.empty())
            QDesktopServices::openUrl(QUrl::fromLocalFile(QString::fromStdString(j->outputDir)));
    });
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

void JobsPage::reload()
{
    if (!m_context || !m_context->store())
        return;
    const qlonglong selectedId = currentRow() >= 0
                                     ? m_model->index(currentRow(), 0).data(JobsTableModel::JobIdRole).toLongLong()
                                     : -1;
    m_model->setJobs(m_context->store()->jobs());
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
    m_resume->setEnabled(j && (j->state == JobStore::JobState::Interrupted ||
                               (j->state == JobStore::JobState::Cancelled && j->kind == "train") ||
                               (j->state == JobStore::JobState::Failed && j->kind == "train" &&
                                j->errorKind == errorKindName(ErrorKind::OutOfMemory))));
    m_clone->setEnabled(j != nullptr);
}

} // namespace teft::ui
