#include "ui/shell/StartPage.h"

#include "core/store/JobStore.h"
#include "ui/shell/AppContext.h"
#include "ui/shell/LocalTime.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace teft::ui {

StartPage::StartPage(AppContext* context, QWidget* parent) : QWidget(parent), m_context(context)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(32, 24, 32, 24);
    auto* title = new QLabel(tr("<h1>TEFT Studio</h1>"), this);
    layout->addWidget(title);
    auto* intro = new QLabel(
        tr("Adapt a Mixture-of-Experts model to a new domain by training only the experts its tokens are routed "
           "to. 1. Load a model and a dataset. 2. See the routing and choose the experts. 3. Train them as a "
           "miner, or score miners' submissions as a validator. 4. Merge the result into a full checkpoint."),
        this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    auto* buttons = new QHBoxLayout();
    auto* newButton = new QPushButton(tr("New Project…"), this);
    newButton->setObjectName("newProjectButton");
    auto* demoButton = new QPushButton(tr("Open the Built-in Demo"), this);
    demoButton->setObjectName("demoButton");
    buttons->addWidget(newButton);
    buttons->addWidget(demoButton);
    buttons->addStretch();
    layout->addLayout(buttons);
    m_layout = layout;
    m_statusIndex = layout->count();
    connect(newButton, &QPushButton::clicked, this, &StartPage::newProjectRequested);
    connect(demoButton, &QPushButton::clicked, this, &StartPage::demoRequested);

    layout->addSpacing(16);
    layout->addWidget(new QLabel(tr("<h3>Recent projects</h3>"), this));
    m_recent = new QListWidget(this);
    m_recent->setObjectName("recentProjects");
    layout->addWidget(m_recent, 1);
    m_empty = new QLabel(tr("No projects yet. Create one, or open the built-in demo."), this);
    layout->addWidget(m_empty);
    connect(m_recent, &QListWidget::itemActivated, this,
            [this](QListWidgetItem* item) { Q_EMIT projectActivated(item->data(Qt::UserRole).toLongLong()); });
    connect(m_context, &AppContext::storeChanged, this, &StartPage::refresh);
    refresh();
}

void StartPage::addStatusWidget(QWidget* widget) { m_layout->insertWidget(m_statusIndex++, widget); }

int StartPage::recentCount() const { return m_recent->count(); }

void StartPage::refresh()
{
    m_recent->clear();
    if (auto* store = m_context->store()) {
        for (const auto& p : store->recentProjects(20)) {
            auto* item =
                new QListWidgetItem(tr("%1 — %2 (last used %3)")
                                        .arg(QString::fromStdString(p.name), QString::fromStdString(p.modelPath),
                                             localDateTime(p.updatedAt)),
                                    m_recent);
            item->setData(Qt::UserRole, static_cast<qlonglong>(p.id));
        }
    }
    m_empty->setVisible(m_recent->count() == 0);
}

} // namespace teft::ui
