#pragma once

#include <QDialog>

class QTextBrowser;

namespace teft::ui {

// Help → TEFT Studio Guide (F1): the loop of a project, step by step, in the application's
// language. Not modal: it stays open beside the window.
class GuideDialog : public QDialog {
    Q_OBJECT
public:
    explicit GuideDialog(QWidget* parent = nullptr);
    QTextBrowser* browser() const { return m_browser; }
    // The guide as HTML (also for tests).
    static QString guideHtml();

private:
    QTextBrowser* m_browser;
};

} // namespace teft::ui
