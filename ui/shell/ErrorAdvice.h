#pragma once

#include "core/util/Error.h"

#include <QString>

class QMessageBox;
class QWidget;

namespace teft::ui {

// What the user can do after a failure, chosen by the engine's ErrorKind (teft::errorKindOf(),
// carried by BackgroundTask::failed and TrainingSession::failed), never by the wording of the
// message: messages change and get translated, and a search for "inf" also finds "information".
// One or two sentences, for a dialog's informative text. `fallback` is the page's own advice for
// a General failure (e.g. the merge page's "check the output folder"); empty: a generic line.
// Empty for Cancelled, which is no failure.
QString errorAdvice(ErrorKind kind, const QString& fallback = {});

// Opens (non-modal, deleted on close) a warning box with `title`, the engine's `message` and the
// advice for `kind`; returns it so that a page can name it for its tests.
QMessageBox* showFailure(QWidget* parent, const QString& title, const QString& message, ErrorKind kind,
                         const QString& fallback = {});

} // namespace teft::ui
