#include "ui/shell/GuideDialog.h"

#include <QDialogButtonBox>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace teft::ui {

GuideDialog::GuideDialog(QWidget* parent) : QDialog(parent)
{
    setObjectName("guideDialog");
    setWindowTitle(tr("TEFT Studio Guide"));
    m_browser = new QTextBrowser;
    m_browser->setOpenExternalLinks(false);
    m_browser->setHtml(guideHtml());
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_browser, 1);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::close);
    resize(720, 620);
}

QString GuideDialog::guideHtml()
{
    QString html =
        QStringLiteral("<h2>%1</h2><p>%2</p><ol>")
            .arg(tr("The loop of a project"),
                 tr("TEFT adapts a Mixture-of-Experts model to a domain by training only the experts that the domain's "
                    "tokens are routed to. A project holds the model, the target data (and optionally reference data) "
                    "and "
                    "everything the steps below produce. Every page works on the open project; the status bar names "
                    "it."));
    const QString steps[] = {
        tr("<b>Open a project.</b> File → New Project… chooses the model folder, the target dataset, any number "
           "of reference datasets (other domains the model must not forget) and the device; File → Open Project… "
           "or File → Recent Projects opens an existing one; the start page also opens the built-in demo."),
        tr("<b>Experts: run identification.</b> “Run identification” passes the target (and reference) data "
           "through the frozen model and records which experts the tokens are routed to. The heatmap shows one "
           "row per MoE layer and one column per expert."),
        tr("<b>Experts: choose the experts.</b> Pick a metric (the contrast metrics need reference data), apply "
           "a policy (top-k per layer, top-p, a global budget) or click and drag on the heatmap. The summary shows "
           "the trainable parameters and the size of a submission. Undo and Redo step through every change."),
        tr("<b>Save to project</b> (Ctrl+S). Training and validation use the project's saved selection. A "
           "selection made for another model (other layers or experts) is refused."),
        tr("<b>Train.</b> “Start new run” trains the saved experts on the target data (or one shard of it) "
           "under the run's name, in its own folder, with live loss charts. “Continue run” resumes a stopped run "
           "from its checkpoint (so does Resume on the Jobs page). Tick runs to overlay their curves on “Compare "
           "runs”."),
        tr("<b>Validate.</b> The Submissions list shows the project's runs and the submissions you added from "
           "elsewhere (“Add submission…”; nothing is copied). “Score selected” verifies and scores the ticked ones "
           "against the project's current weights. Check the ranking, accept or reject submissions, then “Run "
           "outer step” applies the round; it cannot be undone."),
        tr("<b>Merge.</b> Writes the trained experts back into a full checkpoint and compares the held-out "
           "losses before and after: in-domain should fall, out-of-domain stay flat."),
        tr("<b>Jobs.</b> Every job of this machine, including those of the teft command line: its state, "
           "duration and output folder. Interrupted training resumes here."),
    };
    for (const QString& step : steps)
        html += QStringLiteral("<li><p>%1</p></li>").arg(step);
    html += QStringLiteral("</ol><h3>%1</h3><p>%2</p>")
                .arg(tr("Feedback"), tr("Saves, failures and finished jobs appear in the status bar and in the log "
                                        "(View → Log, Ctrl+L), where warnings and errors are highlighted. Quitting "
                                        "while work runs asks first."));
    return html;
}

} // namespace teft::ui
