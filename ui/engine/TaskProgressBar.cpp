#include "ui/engine/TaskProgressBar.h"

#include "ui/engine/BackgroundTask.h"
#include "ui/engine/StageNames.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>

namespace teft::ui {

TaskProgressBar::TaskProgressBar(BackgroundTask* task, QWidget* parent) : QWidget(parent), m_task(task)
{
    m_label = new QLabel(this);
    m_bar = new QProgressBar(this);
    m_bar->setTextVisible(true);
    m_cancel = new QPushButton(tr("Cancel"), this);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_label);
    layout->addWidget(m_bar, 1);
    layout->addWidget(m_cancel);
    setVisible(false);

    connect(m_cancel, &QPushButton::clicked, this, [this] {
        m_task->cancel();
        m_cancel->setEnabled(false);
        m_label->setText(tr("Cancelling…"));
    });
    connect(task, &BackgroundTask::started, this, [this] {
        m_bar->setRange(0, 0);
        m_bar->setVisible(true);
        m_cancel->setVisible(true);
        m_cancel->setEnabled(true);
        m_label->setText(tr("Starting…"));
        setVisible(true);
    });
    connect(task, &BackgroundTask::progress, this, [this](qint64 done, qint64 total, const QString& stage) {
        m_label->setText(stageName(stage));
        if (total > 0) {
            // QProgressBar holds ints: scale large counts (bytes) down.
            const double scale = total > 1'000'000'000 ? 1000.0 : 1.0;
            m_bar->setRange(0, static_cast<int>(double(total) / scale));
            m_bar->setValue(static_cast<int>(double(std::min(done, total)) / scale));
        } else {
            m_bar->setRange(0, 0);
        }
    });
    auto ended = [this](const QString& text) {
        m_bar->setVisible(false);
        m_cancel->setVisible(false);
        m_label->setText(text);
    };
    connect(task, &BackgroundTask::succeeded, this, [ended] { ended(tr("Done.")); });
    connect(task, &BackgroundTask::cancelled, this, [ended] { ended(tr("Cancelled.")); });
    connect(task, &BackgroundTask::failed, this, [ended](const QString&) { ended(tr("Failed.")); });
}

} // namespace teft::ui
