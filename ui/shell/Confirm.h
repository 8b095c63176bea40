#pragma once

#include <QString>
#include <functional>

class QWidget;

namespace teft::ui {

// Yes/no questions before an action that loses work or overwrites results (quitting while a job
// runs, the outer step, a merge into an existing folder). By default a modal message box whose
// default button is Cancel; a handler installed with setConfirmHandler() answers instead (the
// GUI tests, which cannot click a modal dialog).
using ConfirmHandler = std::function<bool(QWidget* parent, const QString& title, const QString& text)>;

// True when the user accepts. `acceptLabel` names the action on the accept button ("Quit").
bool confirmAction(QWidget* parent, const QString& title, const QString& text, const QString& acceptLabel = {});
// Replaces the dialog; an empty handler restores it. Returns the previous handler.
ConfirmHandler setConfirmHandler(ConfirmHandler handler);

} // namespace teft::ui
