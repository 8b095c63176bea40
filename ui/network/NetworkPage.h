#pragma once

#include "core/util/Error.h"

#include <QDateTime>
#include <QString>
#include <QStringList>
#include <QWidget>
#include <optional>
#include <vector>

class QGroupBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTableWidget;
class QTimer;

namespace teft::ui {

// The TEFT network (docs/protocol.md, "Round protocol"): connect to a store, see the network's
// definition, the current round with its deadline and every commitment slot, the round history,
// and act on the round (pull Φ(t), publish a submission, and for the validator open, close and
// verify rounds). The page only asks (the *Requested signals) and shows what it is given: the
// store and the protocol are driven by ui/engine/NetworkController on worker threads.
class NetworkPage : public QWidget {
    Q_OBJECT
public:
    enum class Outcome { Succeeded, Failed, Cancelled };

    // Where the network is: the store's URL and, for S3, the endpoint, region and profile (empty:
    // looked up the way AWS tools do). Never credentials.
    struct StoreForm {
        QString url;
        QString endpoint;
        QString region;
        QString profile;
    };
    struct Definition {
        QString name;
        QString validatorKey; // public key hex
        int selectedExperts = 0;
        int layers = 0;
        QString rules;   // one line per rule
        QString heldOut; // public held-out data, or that the validator scores privately
    };
    struct Slot {
        qint64 slot = 0;
        QString minerId;
        QString key;       // public key hex (shown short)
        qint64 bytes = -1; // encoded bytes committed; -1 unknown
        QString state;     // "committed", "uploaded", "verified", "scored", "accepted", "refused", "invalid"
        QString stateText; // the state for people (translated); empty: `state`
        QString reason;    // why refused / invalid ("code: sentence")
    };
    struct Round {
        qint64 round = 0;
        QString deadline;             // ISO 8601 UTC as published
        double secondsToDeadline = 0; // at the time it was read; negative once passed
        bool sealed = false;
        bool hasResult = false;
        QString phi; // SHA-256 of Φ(t), empty for the base model's experts
    };
    struct HistoryRow {
        qint64 round = 0;
        QString phi;              // Φ(t)
        QString nextPhi;          // Φ(t+1) from the result; empty while open
        double baselineLoss = -1; // < 0: unknown
        double newLoss = -1;
        int accepted = -1; // -1: no result yet
        int entries = 0;
    };

    explicit NetworkPage(QWidget* parent = nullptr);

    void setStoreForm(const StoreForm& form);
    StoreForm storeForm() const;
    // Where the credentials come from ("profile dev in ~/.aws/credentials, key AKIA…"), or why
    // none were found; never the secret.
    void setCredentialsText(const QString& text);

    // Connection: started, connected to `description` (the store), or failed with `message`.
    void showConnecting();
    void showConnected(const QString& description);
    void showConnectFailed(const QString& message);
    bool isConnected() const { return m_connected; }

    void setDefinition(const std::optional<Definition>& definition);
    // The current round and its slots; nullopt: no round opened yet.
    void setRound(const std::optional<Round>& round, const std::vector<Slot>& slots);
    void setHistory(const std::vector<HistoryRow>& rows);
    // A refresh failed: the message is shown, the last data stays.
    void showRefreshFailed(const QString& message);

    // Whether this machine may act as the network's validator (open, close, verify with its
    // key); `reason` becomes the tooltip of the validator's actions when not.
    void setValidatorAllowed(bool allowed, const QString& reason = {});
    // Whether the project-bound actions can run (pull into the project, close with its model);
    // `reason` when not.
    void setProjectAvailable(bool available, const QString& reason = {});
    // The submission Publish offers first (the latest finished run's).
    void setDefaultSubmission(const QString& dir) { m_defaultSubmission = dir; }
    QString defaultSubmission() const { return m_defaultSubmission; }

    // A transfer or protocol step (pull, submit, open, close, verify) started, progressed, ended.
    void showStarted(const QString& what);
    void showProgress(qint64 done, qint64 total, const QString& stage);
    void showFinished(Outcome outcome, const QString& message = {}, ErrorKind kind = ErrorKind::General);
    bool isBusy() const { return m_busy; }
    // The result of the last step for the record: Φ(t)'s path after a pull, the verification's
    // checks and failures, the submission's slot.
    void setDetails(const QString& text);
    void showVerifyReport(qint64 round, bool ok, const QStringList& checks, const QStringList& failures);

    // "12:34 left", "1:02:03 left", "2 d 3:04:05 left", or "deadline passed".
    static QString countdownText(qint64 secondsLeft);
    // "1.5 MiB" and the like.
    static QString bytesText(qint64 bytes);

    QLineEdit* urlEdit() const { return m_url; }
    QLineEdit* endpointEdit() const { return m_endpoint; }
    QLineEdit* regionEdit() const { return m_region; }
    QLineEdit* profileEdit() const { return m_profile; }
    QPushButton* connectButton() const { return m_connect; }
    QPushButton* refreshButton() const { return m_refresh; }
    QPushButton* pullButton() const { return m_pull; }
    QPushButton* submitButton() const { return m_submit; }
    QPushButton* openRoundButton() const { return m_openRound; }
    QPushButton* closeRoundButton() const { return m_closeRound; }
    QPushButton* verifyButton() const { return m_verify; }
    QPushButton* cancelButton() const { return m_cancel; }
    QProgressBar* progressBar() const { return m_progress; }
    QLabel* connectionLabel() const { return m_connection; }
    QLabel* credentialsLabel() const { return m_credentials; }
    QLabel* definitionLabel() const { return m_definition; }
    QLabel* roundLabel() const { return m_roundLabel; }
    QLabel* countdownLabel() const { return m_countdown; }
    QLabel* statusLabel() const { return m_status; }
    QTableWidget* slotTable() const { return m_slots; }
    QTableWidget* historyTable() const { return m_history; }
    QPlainTextEdit* detailsView() const { return m_details; }
    std::optional<qint64> currentRound() const { return m_round; }

    enum SlotColumn {
        SlotColumnSlot,
        SlotColumnMiner,
        SlotColumnKey,
        SlotColumnBytes,
        SlotColumnState,
        SlotColumnReason,
        SlotColumnCount
    };

public Q_SLOTS:
    void requestConnect();
    void requestRefresh();
    void requestPull();
    // Asks for a folder (starting at the default submission), then submitRequested.
    void chooseSubmission();
    void requestSubmit(const QString& dir);
    void requestOpenRound();
    void requestCloseRound();
    void requestVerify();
    void requestCancel();
    // Recomputes the countdown from the deadline and the clock (the timer calls it every second).
    void updateCountdown();

Q_SIGNALS:
    void connectRequested(const teft::ui::NetworkPage::StoreForm& form);
    void refreshRequested();
    void pullRequested();
    void submitRequested(const QString& dir);
    void openRoundRequested();
    void closeRoundRequested();
    void verifyRequested(qint64 round);
    void cancelRequested();

protected:
    void showEvent(QShowEvent* event) override;
    void hideEvent(QHideEvent* event) override;

private:
    void updateActions();

    QLineEdit* m_url;
    QLineEdit* m_endpoint;
    QLineEdit* m_region;
    QLineEdit* m_profile;
    QPushButton* m_connect;
    QLabel* m_connection;
    QLabel* m_credentials;
    QLabel* m_definition;
    QLabel* m_roundLabel;
    QLabel* m_deadline;
    QLabel* m_countdown;
    QPushButton* m_refresh;
    QTableWidget* m_slots;
    QTableWidget* m_history;
    QPushButton* m_pull;
    QPushButton* m_submit;
    QPushButton* m_openRound;
    QPushButton* m_closeRound;
    QPushButton* m_verify;
    QLabel* m_progressLabel;
    QProgressBar* m_progress;
    QPushButton* m_cancel;
    QLabel* m_status;
    QPlainTextEdit* m_details;
    QTimer* m_countdownTimer;
    QTimer* m_autoRefresh;

    bool m_connected = false;
    bool m_connecting = false;
    bool m_busy = false;
    bool m_validatorAllowed = false;
    QString m_validatorReason;
    bool m_projectAvailable = false;
    QString m_projectReason;
    bool m_hasDefinition = false;
    std::optional<qint64> m_round;
    bool m_roundHasResult = false;
    QDateTime m_deadlineUtc; // this machine's clock
    QString m_defaultSubmission;
};

} // namespace teft::ui
