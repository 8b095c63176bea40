#include "ui/shell/LogDock.h"

#include "ui/shell/LogSink.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>
#include <spdlog/common.h>

namespace teft::ui {

LogDock::LogDock(QWidget* parent) : QDockWidget(tr("Log"), parent)
{
    setObjectName("logDock");
    auto* body = new QWidget(this);
    auto* layout = new QVBoxLayout(body);
    layout->setContentsMargins(4, 4, 4, 4);
    auto* bar = new QHBoxLayout();
    bar->addWidget(new QLabel(tr("Show:"), body));
    m_level = new QComboBox(body);
    m_level->addItem(tr("Debug and above"), int(spdlog::level::debug));
    m_level->addItem(tr("Info and above"), int(spdlog::level::info));
    m_level->addItem(tr("Warnings and errors"), int(spdlog::level::warn));
    m_level->setCurrentIndex(1);
    bar->addWidget(m_level);
    bar->addStretch();
    auto* clearButton = new QPushButton(tr("Clear"), body);
    bar->addWidget(clearButton);
    layout->addLayout(bar);
    m_view = new QPlainTextEdit(body);
    m_view->setReadOnly(true);
    m_view->setMaximumBlockCount(5000);
    m_view->setLineWrapMode(QPlainTextEdit::NoWrap);
    QFont mono("Monospace");
    mono.setStyleHint(QFont::TypeWriter);
    m_view->setFont(mono);
    layout->addWidget(m_view);
    setWidget(body);
    connect(clearButton, &QPushButton::clicked, this, &LogDock::clear);
    connect(LogBridge::instance(), &LogBridge::message, this, &LogDock::append);
}

int LogDock::lineCount() const { return m_view->document()->blockCount() - (m_view->toPlainText().isEmpty() ? 1 : 0); }

void LogDock::append(int level, const QString& time, const QString& text)
{
    if (level < m_level->currentData().toInt())
        return;
    static const char* names[] = {"trace", "debug", "info", "warning", "error", "critical", "off"};
    const QString name = QString::fromLatin1(names[std::clamp(level, 0, 6)]);
    m_view->appendPlainText(QStringLiteral("%1 %2 %3").arg(time, name.leftJustified(7), text));
}

void LogDock::clear() { m_view->clear(); }

} // namespace teft::ui
