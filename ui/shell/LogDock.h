#pragma once

#include <QDockWidget>

class QPlainTextEdit;
class QComboBox;

namespace teft::ui {

// The log dock: engine and GUI messages, filterable by level, capped in length.
class LogDock : public QDockWidget {
    Q_OBJECT
public:
    explicit LogDock(QWidget* parent = nullptr);
    int lineCount() const;

public Q_SLOTS:
    void append(int level, const QString& time, const QString& text);
    void clear();

private:
    QPlainTextEdit* m_view = nullptr;
    QComboBox* m_level = nullptr;
};

} // namespace teft::ui
