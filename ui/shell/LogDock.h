#pragma once

#include <QDockWidget>

class QPlainTextEdit;
class QComboBox;

namespace teft::ui {

// The log dock: engine and GUI messages, filterable by level, capped in length; warnings and
// errors highlighted; it follows new lines unless the user scrolled up.
class LogDock : public QDockWidget {
    Q_OBJECT
public:
    explicit LogDock(QWidget* parent = nullptr);
    int lineCount() const;
    QPlainTextEdit* view() const { return m_view; }
    // Whether new lines scroll the view to the end: on until the user scrolls up, on again when
    // they scroll back to the end.
    bool isFollowing() const { return m_follow; }

public Q_SLOTS:
    void append(int level, const QString& time, const QString& text);
    void clear();

private:
    QPlainTextEdit* m_view = nullptr;
    QComboBox* m_level = nullptr;
    bool m_follow = true;
    bool m_appending = false;
};

} // namespace teft::ui
