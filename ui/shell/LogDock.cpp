#include "ui/shell/LogDock.h"

#include "ui/shell/LogSink.h"

#include <QColor>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QTextBlock>
#include <QTextCharFormat>
#include <QTextCursor>
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
    // Following stops when the user scrolls away from the end and resumes at the end. Changes
    // made by appending (the range growing, the view kept at the end) do not count.
    QScrollBar* vbar = m_view->verticalScrollBar();
    connect(vbar, &QScrollBar::valueChanged, this, [this, vbar](int value) {
        if (!m_appending)
            m_follow = value >= vbar->maximum();
    });
    // The range also grows after an append (a horizontal bar appearing shortens the view).
    connect(vbar, &QScrollBar::rangeChanged, this, [this, vbar](int, int maximum) {
        if (m_follow)
            vbar->setValue(maximum);
    });
    connect(LogBridge::instance(), &LogBridge::message, this, &LogDock::append);
}

int LogDock::lineCount() const { return m_view->document()->blockCount() - (m_view->toPlainText().isEmpty() ? 1 : 0); }

void LogDock::append(int level, const QString& time, const QString& text)
{
    if (level < m_level->currentData().toInt())
        return;
    static const char* names[] = {"trace", "debug", "info", "warning", "error", "critical", "off"};
    const QString name = QString::fromLatin1(names[std::clamp(level, 0, 6)]);
    QTextCharFormat format;
    if (level >= spdlog::level::err) {
        format.setForeground(QColor(200, 30, 30));
        format.setFontWeight(QFont::Bold);
    } else if (level == spdlog::level::warn) {
        format.setForeground(QColor(190, 110, 0));
    } // other lines: the palette's text colour (it follows the theme)
    const bool follow = m_follow;
    m_appending = true;
    QScrollBar* vbar = m_view->verticalScrollBar();
    const int keepV = vbar->value();
    const int keepH = m_view->horizontalScrollBar()->value();
    QTextCursor cursor(m_view->document());
    cursor.movePosition(QTextCursor::End);
    if (!m_view->document()->isEmpty())
        cursor.insertBlock();
    cursor.insertText(QStringLiteral("%1 %2 %3").arg(time, name.leftJustified(7), text), format);
    if (follow) {
        // To the last line, and back to its start: a long line must not leave the view scrolled
        // sideways (nor, through the horizontal bar appearing, short of the end).
        m_view->horizontalScrollBar()->setValue(0);
        vbar->setValue(vbar->maximum());
    } else {
        vbar->setValue(std::min(keepV, vbar->maximum()));
        m_view->horizontalScrollBar()->setValue(keepH);
    }
    m_appending = false;
}

void LogDock::clear()
{
    m_view->clear();
    m_follow = true;
}

} // namespace teft::ui
