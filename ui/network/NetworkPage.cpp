#include "ui/network/NetworkPage.h"

#include "ui/engine/StageNames.h"
#include "ui/shell/ErrorAdvice.h"
#include "ui/shell/LocalTime.h"

#include <QFileDialog>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

#include <cmath>

namespace teft::ui {

namespace {

QString shortHash(const QString& hex, int n = 12) { return hex.size() > n ? hex.left(n) + QStringLiteral("…") : hex; }

QTableWidgetItem* item(const QString& text, const QString& tip = {})
{
    auto* it = new QTableWidgetItem(text);
    it->setFlags(Qt::ItemIsSelectable | Qt::ItemIsEnabled);
    if (!tip.isEmpty())
        it->setToolTip(tip);
    return it;
}

QTableWidgetItem* numberItem(const QString& text, const QString& tip = {})
{
    auto* it = item(text, tip);
    it->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return it;
}

void setAction(QPushButton* button, bool enabled, const QString& why, const QString& what)
{
    button->setEnabled(enabled);
    button->setToolTip(enabled || why.isEmpty() ? what : why);
}

} // namespace

NetworkPage::NetworkPage(QWidget* parent) : QWidget(parent)
{
    // Connection.
    m_url = new QLineEdit;
    m_url->setPlaceholderText(tr("s3://bucket/prefix or file:///shared/folder"));
    m_endpoint = new QLineEdit;
    m_endpoint->setPlaceholderText(tr("default: environment, profile or AWS"));
    m_region = new QLineEdit;
    m_region->setPlaceholderText(tr("default: environment, profile or us-east-1"));
    m_profile = new QLineEdit;
    m_profile->setPlaceholderText(tr("default: AWS_PROFILE or “default”"));
    m_connect = new QPushButton(tr("C&onnect"));
    m_connect->setToolTip(tr("Open the store and read the network's definition and rounds"));
    m_connection = new QLabel(tr("Not connected."));
    m_connection->setWordWrap(true);
    m_connection->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_credentials = new QLabel;
    m_credentials->setWordWrap(true);
    m_credentials->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* connectBox = new QGroupBox(tr("Store"));
    auto* grid = new QGridLayout(connectBox);
    grid->addWidget(new QLabel(tr("Store URL:")), 0, 0);
    grid->addWidget(m_url, 0, 1, 1, 5);
    grid->addWidget(m_connect, 0, 6);
    grid->addWidget(new QLabel(tr("Endpoint:")), 1, 0);
    grid->addWidget(m_endpoint, 1, 1);
    grid->addWidget(new QLabel(tr("Region:")), 1, 2);
    grid->addWidget(m_region, 1, 3);
    grid->addWidget(new QLabel(tr("Profile:")), 1, 4);
    grid->addWidget(m_profile, 1, 5);
    grid->addWidget(new QLabel(tr("Credentials:")), 2, 0);
    grid->addWidget(m_credentials, 2, 1, 1, 6);
    grid->addWidget(m_connection, 3, 0, 1, 7);
    grid->setColumnStretch(1, 3);
    grid->setColumnStretch(3, 1);
    grid->setColumnStretch(5, 1);

    // Definition, actions and history (left).
    m_definition = new QLabel(tr("Connect to a store to see its network."));
    m_definition->setWordWrap(true);
    m_definition->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_definition->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    auto* defBox = new QGroupBox(tr("Network"));
    auto* defLayout = new QVBoxLayout(defBox);
    defLayout->addWidget(m_definition);

    m_pull = new QPushButton(tr("&Pull Φ(t)"));
    m_submit = new QPushButton(tr("P&ublish submission…"));
    m_openRound = new QPushButton(tr("Open &round"));
    m_closeRound = new QPushButton(tr("C&lose round && publish"));
    m_verify = new QPushButton(tr("&Verify round"));
    auto* actionsBox = new QGroupBox(tr("Actions"));
    auto* actions = new QGridLayout(actionsBox);
    actions->addWidget(new QLabel(tr("Miner:")), 0, 0);
    actions->addWidget(m_pull, 0, 1);
    actions->addWidget(m_submit, 0, 2);
    actions->addWidget(new QLabel(tr("Validator:")), 1, 0);
    actions->addWidget(m_openRound, 1, 1);
    actions->addWidget(m_closeRound, 1, 2);
    actions->addWidget(new QLabel(tr("Anyone:")), 2, 0);
    actions->addWidget(m_verify, 2, 1);

    m_history = new QTableWidget(0, 5);
    m_history->setHorizontalHeaderLabels(
        {tr("Round"), tr("Φ(t)"), tr("Φ(t+1)"), tr("Baseline → new loss"), tr("Accepted")});
    m_history->verticalHeader()->hide();
    m_history->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_history->horizontalHeader()->setStretchLastSection(true);
    m_history->setSelectionBehavior(QAbstractItemView::SelectRows);
    auto* historyBox = new QGroupBox(tr("Round history"));
    auto* historyLayout = new QVBoxLayout(historyBox);
    historyLayout->addWidget(m_history);

    auto* left = new QWidget;
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(defBox);
    leftLayout->addWidget(actionsBox);
    leftLayout->addWidget(historyBox, 1);

    // The current round (right).
    m_roundLabel = new QLabel(tr("No round"));
    QFont big = m_roundLabel->font();
    big.setBold(true);
    m_roundLabel->setFont(big);
    m_deadline = new QLabel;
    m_countdown = new QLabel;
    m_countdown->setFont(big);
    m_refresh = new QPushButton(tr("Re&fresh"));
    m_refresh->setToolTip(tr("Read the round again (also every 15 seconds while this page is shown)"));
    m_slots = new QTableWidget(0, SlotColumnCount);
    m_slots->setHorizontalHeaderLabels({tr("Slot"), tr("Miner"), tr("Key"), tr("Bytes"), tr("State"), tr("Reason")});
    m_slots->verticalHeader()->hide();
    m_slots->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_slots->horizontalHeader()->setSectionResizeMode(SlotColumnReason, QHeaderView::Stretch);
    m_slots->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_slots->setWordWrap(false);
    auto* roundBox = new QGroupBox(tr("Current round"));
    auto* roundLayout = new QVBoxLayout(roundBox);
    auto* roundHead = new QHBoxLayout;
    roundHead->addWidget(m_roundLabel);
    roundHead->addSpacing(12);
    roundHead->addWidget(m_deadline);
    roundHead->addStretch(1);
    roundHead->addWidget(m_countdown);
    roundHead->addSpacing(12);
    roundHead->addWidget(m_refresh);
    roundLayout->addLayout(roundHead);
    roundLayout->addWidget(m_slots, 1);

    auto* split = new QSplitter(Qt::Horizontal);
    split->addWidget(left);
    split->addWidget(roundBox);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    split->setChildrenCollapsible(false);

    // Progress of the running step, its result.
    m_progressLabel = new QLabel;
    m_progress = new QProgressBar;
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progress->setTextVisible(false);
    m_cancel = new QPushButton(tr("&Cancel"));
    m_cancel->setEnabled(false);
    m_status = new QLabel;
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_details = new QPlainTextEdit;
    m_details->setReadOnly(true);
    m_details->setMaximumBlockCount(2000);
    m_details->setPlaceholderText(tr("Results of pull, publish, close and verify appear here."));
    m_details->setMaximumHeight(110);
    auto* progressRow = new QHBoxLayout;
    progressRow->addWidget(m_progressLabel);
    progressRow->addWidget(m_progress, 1);
    progressRow->addWidget(m_cancel);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(connectBox);
    layout->addWidget(split, 1);
    layout->addLayout(progressRow);
    layout->addWidget(m_status);
    layout->addWidget(m_details);

    m_countdownTimer = new QTimer(this);
    m_countdownTimer->setInterval(1000);
    connect(m_countdownTimer, &QTimer::timeout, this, &NetworkPage::updateCountdown);
    m_autoRefresh = new QTimer(this);
    m_autoRefresh->setInterval(15000);
    connect(m_autoRefresh, &QTimer::timeout, this, [this] {
        if (m_connected && !m_connecting && !m_busy)
            Q_EMIT refreshRequested();
    });

    connect(m_connect, &QPushButton::clicked, this, &NetworkPage::requestConnect);
    connect(m_url, &QLineEdit::returnPressed, this, &NetworkPage::requestConnect);
    connect(m_refresh, &QPushButton::clicked, this, &NetworkPage::requestRefresh);
    connect(m_pull, &QPushButton::clicked, this, &NetworkPage::requestPull);
    connect(m_submit, &QPushButton::clicked, this, &NetworkPage::chooseSubmission);
    connect(m_openRound, &QPushButton::clicked, this, &NetworkPage::requestOpenRound);
    connect(m_closeRound, &QPushButton::clicked, this, &NetworkPage::requestCloseRound);
    connect(m_verify, &QPushButton::clicked, this, &NetworkPage::requestVerify);
    connect(m_cancel, &QPushButton::clicked, this, &NetworkPage::requestCancel);

    setValidatorAllowed(false, tr("Connect to a network first"));
    updateActions();
}

void NetworkPage::setStoreForm(const StoreForm& form)
{
    m_url->setText(form.url);
    m_endpoint->setText(form.endpoint);
    m_region->setText(form.region);
    m_profile->setText(form.profile);
}

NetworkPage::StoreForm NetworkPage::storeForm() const
{
    StoreForm f;
    f.url = m_url->text().trimmed();
    f.endpoint = m_endpoint->text().trimmed();
    f.region = m_region->text().trimmed();
    f.profile = m_profile->text().trimmed();
    return f;
}

void NetworkPage::setCredentialsText(const QString& text) { m_credentials->setText(text); }

void NetworkPage::showConnecting()
{
    m_connecting = true;
    m_connection->setText(tr("Connecting to %1…").arg(m_url->text().trimmed()));
    m_connection->setStyleSheet(QString());
    updateActions();
}

void NetworkPage::showConnected(const QString& description)
{
    m_connecting = false;
    m_connected = true;
    m_connection->setText(tr("Connected to %1.").arg(description));
    m_connection->setStyleSheet(QString());
    if (isVisible())
        m_autoRefresh->start();
    updateActions();
}

void NetworkPage::showConnectFailed(const QString& message)
{
    m_connecting = false;
    m_connected = false;
    m_autoRefresh->stop();
    m_connection->setText(tr("Could not connect: %1").arg(message));
    m_connection->setStyleSheet(QStringLiteral("color: #c0392b;"));
    setDefinition(std::nullopt);
    setRound(std::nullopt, {});
    setHistory({});
    updateActions();
}

void NetworkPage::setDefinition(const std::optional<Definition>& d)
{
    m_hasDefinition = d.has_value();
    if (!d) {
        m_definition->setText(tr("Connect to a store to see its network."));
        updateActions();
        return;
    }
    QString text = QStringLiteral("<b>%1</b><br>").arg(d->name.toHtmlEscaped());
    text += tr("Validator key: <code>%1</code>").arg(shortHash(d->validatorKey, 16).toHtmlEscaped()) +
            QStringLiteral("<br>");
    text += tr("Selection: %1 in %2")
                .arg(tr("%n expert(s)", nullptr, d->selectedExperts), tr("%n layer(s)", nullptr, d->layers)) +
            QStringLiteral("<br>");
    text += d->heldOut.toHtmlEscaped() + QStringLiteral("<br>");
    text += d->rules.toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>"));
    m_definition->setText(text);
    m_definition->setToolTip(tr("Validator key: %1").arg(d->validatorKey));
    updateActions();
}

void NetworkPage::setRound(const std::optional<Round>& round, const std::vector<Slot>& slots)
{
    m_slots->setRowCount(0);
    if (!round) {
        m_round.reset();
        m_roundHasResult = false;
        m_deadlineUtc = QDateTime();
        m_roundLabel->setText(m_connected ? tr("No round opened yet") : tr("No round"));
        m_deadline->clear();
        m_countdown->clear();
        m_countdownTimer->stop();
        updateActions();
        return;
    }
    m_round = round->round;
    m_roundHasResult = round->hasResult;
    m_roundLabel->setText(tr("Round %1").arg(round->round));
    m_deadlineUtc = QDateTime::currentDateTimeUtc().addMSecs(static_cast<qint64>(round->secondsToDeadline * 1000.0));
    QString deadline = tr("deadline %1").arg(localDateTime(round->deadline.toStdString()));
    if (round->hasResult)
        deadline += tr(" · closed, result published");
    else if (round->sealed)
        deadline += tr(" · sealed, being scored");
    m_deadline->setText(deadline);
    m_deadline->setToolTip(round->phi.isEmpty() ? tr("Φ(t): the base model's experts")
                                                : tr("Φ(t): %1").arg(round->phi));
    updateCountdown();
    m_countdownTimer->start();

    m_slots->setRowCount(static_cast<int>(slots.size()));
    for (int r = 0; r < static_cast<int>(slots.size()); ++r) {
        const Slot& s = slots[static_cast<std::size_t>(r)];
        m_slots->setItem(r, SlotColumnSlot, numberItem(QString::number(s.slot)));
        m_slots->setItem(r, SlotColumnMiner, item(s.minerId));
        m_slots->setItem(r, SlotColumnKey, item(shortHash(s.key, 10), s.key));
        m_slots->setItem(r, SlotColumnBytes,
                         numberItem(s.bytes < 0 ? tr("—") : bytesText(s.bytes),
                                    s.bytes < 0 ? QString() : tr("%1 bytes").arg(QLocale().toString(s.bytes))));
        auto* state = item(s.stateText.isEmpty() ? s.state : s.stateText, s.reason);
        state->setData(Qt::UserRole, s.state);
        if (s.state == QLatin1String("refused") || s.state == QLatin1String("invalid"))
            state->setForeground(QColor(0xc0, 0x39, 0x2b));
        else if (s.state == QLatin1String("accepted"))
            state->setForeground(QColor(0x27, 0xae, 0x60));
        m_slots->setItem(r, SlotColumnState, state);
        m_slots->setItem(r, SlotColumnReason, item(s.reason, s.reason));
    }
    updateActions();
}

void NetworkPage::setHistory(const std::vector<HistoryRow>& rows)
{
    m_history->setRowCount(static_cast<int>(rows.size()));
    const QLocale locale;
    for (int r = 0; r < static_cast<int>(rows.size()); ++r) {
        const HistoryRow& h = rows[static_cast<std::size_t>(r)];
        m_history->setItem(r, 0, numberItem(QString::number(h.round)));
        m_history->setItem(r, 1, item(h.phi.isEmpty() ? tr("base") : shortHash(h.phi, 10), h.phi));
        m_history->setItem(r, 2, item(h.nextPhi.isEmpty() ? tr("—") : shortHash(h.nextPhi, 10), h.nextPhi));
        QString loss = tr("—");
        if (h.baselineLoss >= 0 && h.newLoss >= 0)
            loss = tr("%1 → %2").arg(locale.toString(h.baselineLoss, 'f', 4), locale.toString(h.newLoss, 'f', 4));
        else if (h.accepted < 0)
            loss = tr("open");
        m_history->setItem(r, 3, item(loss));
        m_history->setItem(r, 4,
                           numberItem(h.accepted < 0 ? tr("— of %1").arg(h.entries)
                                                     : tr("%1 of %2").arg(h.accepted).arg(h.entries)));
    }
}

void NetworkPage::showRefreshFailed(const QString& message)
{
    m_status->setText(tr("Refresh failed: %1").arg(message));
}

void NetworkPage::setValidatorAllowed(bool allowed, const QString& reason)
{
    m_validatorAllowed = allowed;
    m_validatorReason = reason;
    updateActions();
}

void NetworkPage::setProjectAvailable(bool available, const QString& reason)
{
    m_projectAvailable = available;
    m_projectReason = reason;
    updateActions();
}

void NetworkPage::updateActions()
{
    const bool ready = m_connected && !m_connecting && !m_busy;
    const QString notConnected = tr("Connect to a network first");
    const QString busy = tr("Another step is running");
    auto why = [&](const QString& more) -> QString {
        if (!m_connected || m_connecting)
            return notConnected;
        if (m_busy)
            return busy;
        return more;
    };
    m_connect->setEnabled(!m_connecting && !m_busy);
    m_refresh->setEnabled(m_connected && !m_connecting);
    m_url->setEnabled(!m_connecting && !m_busy);

    const bool hasRound = m_round.has_value();
    const bool openRound = hasRound && !m_roundHasResult;
    const QString noRound = tr("No round is open in this network yet");
    const QString closed = tr("Round %1 is closed; wait for the next round").arg(m_round.value_or(0));

    {
        const bool ok = ready && hasRound && m_projectAvailable;
        setAction(m_pull, ok, why(!hasRound ? noRound : m_projectReason),
                  tr("Download the current round's Φ(t) into the project, to train on"));
    }
    {
        const bool ok = ready && openRound;
        setAction(m_submit, ok, why(!hasRound ? noRound : closed),
                  tr("Commit to a submission in the next free slot of this round and upload it"));
    }
    {
        const bool ok = ready && m_validatorAllowed && m_projectAvailable && (!hasRound || m_roundHasResult);
        const QString reason = !m_validatorAllowed ? m_validatorReason
                               : !m_projectAvailable
                                   ? m_projectReason
                                   : tr("Round %1 is still open: close it first").arg(m_round.value_or(0));
        setAction(m_openRound, ok, why(reason),
                  tr("Open the next round on the current Φ, signed with this machine's key"));
    }
    {
        const bool ok = ready && m_validatorAllowed && m_projectAvailable && openRound;
        const QString reason = !m_validatorAllowed   ? m_validatorReason
                               : !m_projectAvailable ? m_projectReason
                               : !hasRound           ? noRound
                                                     : closed;
        setAction(m_closeRound, ok, why(reason),
                  tr("Seal the commitments, score the revealed submissions with the project's model and held-out "
                     "data, publish Φ(t+1) and the signed result"));
    }
    {
        const bool ok = ready && hasRound && m_roundHasResult;
        setAction(m_verify, ok, why(!hasRound ? noRound : tr("Round %1 has no result yet").arg(m_round.value_or(0))),
                  tr("Check the round's signatures, hashes, seed, slots and states (and recompute the scores with "
                     "the project's model)"));
    }
}

void NetworkPage::requestConnect()
{
    if (m_connecting || m_busy)
        return;
    const StoreForm form = storeForm();
    if (form.url.isEmpty()) {
        showConnectFailed(tr("enter the store's URL (s3://bucket/prefix or file:///path)."));
        return;
    }
    Q_EMIT connectRequested(form);
}

void NetworkPage::requestRefresh()
{
    if (m_connected && !m_connecting)
        Q_EMIT refreshRequested();
}

void NetworkPage::requestPull()
{
    if (m_pull->isEnabled())
        Q_EMIT pullRequested();
}

void NetworkPage::chooseSubmission()
{
    if (!m_submit->isEnabled())
        return;
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Submission folder to publish"),
                                                          m_defaultSubmission);
    if (!dir.isEmpty())
        requestSubmit(dir);
}

void NetworkPage::requestSubmit(const QString& dir)
{
    if (!m_submit->isEnabled())
        return;
    if (dir.trimmed().isEmpty()) {
        m_status->setText(tr("Choose a submission folder first."));
        return;
    }
    Q_EMIT submitRequested(dir.trimmed());
}

void NetworkPage::requestOpenRound()
{
    if (m_openRound->isEnabled())
        Q_EMIT openRoundRequested();
}

void NetworkPage::requestCloseRound()
{
    if (m_closeRound->isEnabled())
        Q_EMIT closeRoundRequested();
}

void NetworkPage::requestVerify()
{
    if (m_verify->isEnabled() && m_round)
        Q_EMIT verifyRequested(*m_round);
}

void NetworkPage::requestCancel()
{
    if (m_busy)
        Q_EMIT cancelRequested();
}

void NetworkPage::showStarted(const QString& what)
{
    m_busy = true;
    m_cancel->setEnabled(true);
    m_progress->setRange(0, 0);
    m_progressLabel->setText(what);
    m_status->setText(tr("%1…").arg(what));
    updateActions();
}

void NetworkPage::showProgress(qint64 done, qint64 total, const QString& stage)
{
    if (!m_busy)
        return;
    if (total > 0) {
        // QProgressBar holds ints: bytes are scaled down.
        const double scale = total > 1'000'000'000 ? 1024.0 : 1.0;
        m_progress->setRange(0, static_cast<int>(double(total) / scale));
        m_progress->setValue(static_cast<int>(double(std::min(done, total)) / scale));
        m_progress->setTextVisible(true);
    } else {
        m_progress->setRange(0, 0);
    }
    const QString name = stageName(stage);
    const bool bytes = stage == QLatin1String("uploading") || stage == QLatin1String("downloading");
    if (total > 0)
        m_progressLabel->setText(bytes ? tr("%1: %2 of %3").arg(name, bytesText(done), bytesText(total))
                                       : tr("%1: %2 of %3").arg(name).arg(done).arg(total));
    else
        m_progressLabel->setText(name);
}

void NetworkPage::showFinished(Outcome outcome, const QString& message, ErrorKind kind)
{
    m_busy = false;
    m_cancel->setEnabled(false);
    m_progress->setRange(0, 1);
    m_progress->setValue(outcome == Outcome::Succeeded ? 1 : 0);
    m_progress->setTextVisible(false);
    switch (outcome) {
    case Outcome::Succeeded:
        m_progressLabel->setText(tr("Done."));
        m_status->setText(message);
        break;
    case Outcome::Cancelled:
        m_progressLabel->setText(tr("Cancelled."));
        m_status->setText(tr("Cancelled; a later try resumes the transfer."));
        break;
    case Outcome::Failed:
        m_progressLabel->setText(tr("Failed."));
        m_status->setText(tr("Failed: %1").arg(message));
        showFailure(this, tr("Network step failed"), message, kind,
                    tr("Check the store's address, the credentials and that the round is in the state this step "
                       "needs."));
        break;
    }
    updateActions();
}

void NetworkPage::setDetails(const QString& text) { m_details->setPlainText(text); }

void NetworkPage::showVerifyReport(qint64 round, bool ok, const QStringList& checks, const QStringList& failures)
{
    QString text =
        ok ? tr("Round %1 verified: %n check(s) passed.", nullptr, static_cast<int>(checks.size())).arg(round)
           : tr("Round %1 did NOT verify: %n failure(s).", nullptr, static_cast<int>(failures.size())).arg(round);
    text += QLatin1Char('\n');
    for (const QString& f : failures)
        text += tr("✗ %1").arg(f) + QLatin1Char('\n');
    for (const QString& c : checks)
        text += tr("✓ %1").arg(c) + QLatin1Char('\n');
    m_details->setPlainText(text.trimmed());
}

QString NetworkPage::countdownText(qint64 secondsLeft)
{
    if (secondsLeft <= 0)
        return tr("deadline passed");
    const qint64 d = secondsLeft / 86400;
    const qint64 h = (secondsLeft % 86400) / 3600;
    const qint64 m = (secondsLeft % 3600) / 60;
    const qint64 s = secondsLeft % 60;
    auto two = [](qint64 v) { return QStringLiteral("%1").arg(v, 2, 10, QLatin1Char('0')); };
    if (d > 0)
        return tr("%1 d %2:%3:%4 left").arg(d).arg(h).arg(two(m), two(s));
    if (h > 0)
        return tr("%1:%2:%3 left").arg(h).arg(two(m), two(s));
    return tr("%1:%2 left").arg(m).arg(two(s));
}

QString NetworkPage::bytesText(qint64 bytes)
{
    return QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeIecFormat);
}

void NetworkPage::updateCountdown()
{
    if (!m_deadlineUtc.isValid()) {
        m_countdown->clear();
        return;
    }
    if (m_roundHasResult) {
        m_countdown->setText(tr("closed"));
        return;
    }
    const qint64 left = QDateTime::currentDateTimeUtc().secsTo(m_deadlineUtc);
    m_countdown->setText(countdownText(left));
    m_countdown->setStyleSheet(left <= 0 ? QStringLiteral("color: #c0392b;") : QString());
}

void NetworkPage::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (m_connected)
        m_autoRefresh->start();
}

void NetworkPage::hideEvent(QHideEvent* event)
{
    QWidget::hideEvent(event);
    m_autoRefresh->stop();
}

} // namespace teft::ui
