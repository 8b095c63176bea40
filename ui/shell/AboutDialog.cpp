#include "ui/shell/AboutDialog.h"

#include "core/util/Runtime.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QVBoxLayout>
#include <torch/version.h>

namespace teft::ui {

AboutDialog::AboutDialog(QWidget* parent) : QDialog(parent)
{
    setObjectName("aboutDialog");
    setWindowTitle(tr("About TEFT Studio"));
    auto* icon = new QLabel(this);
    icon->setPixmap(QIcon(":/icons/teft-studio.svg").pixmap(96, 96));
    auto* text = new QLabel(this);
    text->setTextFormat(Qt::RichText);
    text->setWordWrap(true);
    text->setText(tr("<h2>TEFT Studio %1</h2>"
                     "<p>Targeted Expert Fine-Tuning for Mixture-of-Experts language models: find the experts "
                     "a domain is routed to, train only those, score miners' submissions by held-out loss, "
                     "and merge the result back into the full model.</p>"
                     "<p>Engine: LibTorch %2, Qt %3, %4 CPU threads.</p>")
                      .arg(QStringLiteral(TEFT_VERSION), QStringLiteral(TORCH_VERSION), QString::fromLatin1(qVersion()))
                      .arg(teft::intraOpThreads()));
    auto* row = new QHBoxLayout();
    row->addWidget(icon, 0, Qt::AlignTop);
    row->addWidget(text, 1);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(row);
    layout->addWidget(buttons);
    setMinimumWidth(460);
}

} // namespace teft::ui
