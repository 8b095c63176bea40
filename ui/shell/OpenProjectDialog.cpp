#include "ui/shell/OpenProjectDialog.h"

#include "core/store/JobStore.h"
#include "ui/shell/LocalTime.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>
#include <spdlog/spdlog.h>

namespace teft::ui {

OpenProjectDialog::OpenProjectDialog(JobStore* store, QWidget* parent) : QDialog(parent)
{
    setObjectName("openProjectDialog");
    setWindowTitle(tr("Open Project"));
    m_list = new QListWidget;
    m_list->setObjectName("projectList");
    m_empty = new QLabel(tr("The job store has no projects yet. Create one with File → New Project…, or open "
                            "the built-in demo on the start page."));
    m_empty->setWordWrap(true);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Open | QDialogButtonBox::Cancel);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("Projects of this machine, most recently used first:")));
    layout->addWidget(m_list, 1);
    layout->addWidget(m_empty);
    layout->addWidget(m_buttons);
    resize(640, 400);

    if (store) {
        try {
            for (const auto& p : store->recentProjects(1000)) {
                auto* item = new QListWidgetItem(tr("%1 — %2 (last used %3)")
                                                     .arg(QString::fromStdString(p.name),
                                                          QString::fromStdString(p.modelPath),
                                                          localDateTime(p.updatedAt)),
                                                 m_list);
                item->setData(Qt::UserRole, static_cast<qlonglong>(p.id));
                item->setToolTip(QString::fromStdString(p.modelPath));
            }
        } catch (const std::exception& e) {
            m_empty->setText(tr("The job store cannot be read: %1").arg(QString::fromUtf8(e.what())));
            spdlog::error("Open Project: {}", e.what());
        }
    }
    m_empty->setVisible(m_list->count() == 0);
    if (m_list->count() > 0)
        m_list->setCurrentRow(0);
    QPushButton* open = m_buttons->button(QDialogButtonBox::Open);
    open->setEnabled(m_list->currentItem() != nullptr);
    connect(m_list, &QListWidget::currentItemChanged, this,
            [open](QListWidgetItem* current) { open->setEnabled(current != nullptr); });
    connect(m_list, &QListWidget::itemActivated, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::accepted, this, [this] {
        if (m_list->currentItem())
            accept();
    });
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

std::optional<qint64> OpenProjectDialog::selectedProject() const
{
    if (!m_list->currentItem())
        return std::nullopt;
    return m_list->currentItem()->data(Qt::UserRole).toLongLong();
}

int OpenProjectDialog::projectCount() const { return m_list->count(); }

} // namespace teft::ui
