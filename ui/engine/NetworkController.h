#pragma once

#include "core/util/Progress.h"
#include "ui/network/NetworkPage.h"

#include <QObject>
#include <QPointer>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

namespace teft {
struct Project;
namespace net {
class Network;
class ObjectStore;
struct NetworkDefinition;
} // namespace net
} // namespace teft

namespace teft::ui {

class AppContext;
class BackgroundTask;

// Drives the Network page with the round protocol (core/net/Network.h): connects to a store
// (S3 or a shared folder) and reads the network, the current round and the history on one
// BackgroundTask (loadTask: connect, refresh), and runs the steps on another (task: pull Φ(t),
// submit, open, close and verify a round), with progress and cancel on the page. A refresh never
// runs beside a step: a step waits for a running refresh to stop, and no refresh starts while a
// step runs (the page refreshes after each step).
//
// Where things go: Φ(t) into <project>/network/, the validator's state is the project's
// (validatorStateDir()), downloads for a close into <stateDir>/network. The store's URL,
// endpoint, region and profile are remembered in the project's settings ("network") and in
// QSettings ("network/*"); credentials never: they come from the environment or the AWS profile
// each time, and the page shows only their source and the access key's first characters.
// The validator's actions are offered when this machine's key (MinerKey::defaultKeyDir()) is
// the network's validator key.
class NetworkController : public QObject {
    Q_OBJECT
public:
    NetworkController(NetworkPage* page, AppContext* context, QObject* parent = nullptr);
    ~NetworkController() override;

    BackgroundTask* task() const { return m_task; }
    BackgroundTask* loadTask() const { return m_loadTask; }
    bool isConnected() const { return m_session != nullptr; }

    // "profile dev in ~/.aws/credentials, access key AKIA…" for an s3:// URL with these
    // settings, "none needed" for a folder; throws the lookup's ObjectStoreError.
    static QString credentialsText(const NetworkPage::StoreForm& form);

public Q_SLOTS:
    void connectStore(const teft::ui::NetworkPage::StoreForm& form);
    void refresh();
    void pull();
    void submit(const QString& submissionDir);
    void openRound();
    // Asks first when the deadline has not passed (the round is then closed early).
    void closeRound();
    void verify(qint64 round);

Q_SIGNALS:
    // A connect or refresh filled the page (ok) or failed.
    void loaded(bool ok);
    // Φ(t) of `round` was saved at `path` (the Train page can train on it).
    void phiPulled(qint64 round, const QString& path);
    // A step ended (after its refresh was asked for).
    void stepFinished(bool ok);

private:
    struct Session;
    struct Snapshot;

    void onProjectChanged();
    static Snapshot readSnapshot(std::shared_ptr<Session> session, JobControl& control);
    void startLoad(std::shared_ptr<Session> session, bool connecting);
    void show(const Snapshot& snapshot);
    bool startStep(const QString& what, std::function<std::function<void()>(JobControl&)> work);
    void rememberStore(const NetworkPage::StoreForm& form);
    NetworkPage::StoreForm rememberedStore() const;
    void updateValidator();

    QPointer<NetworkPage> m_page;
    AppContext* m_context;
    BackgroundTask* m_task;
    BackgroundTask* m_loadTask;
    std::shared_ptr<Session> m_session;
    std::shared_ptr<const net::NetworkDefinition> m_definition;
    std::shared_ptr<const Project> m_project;
    QString m_projectError;
    std::optional<qint64> m_round;
    double m_secondsToDeadline = 0;
    bool m_connecting = false;
    QString m_stepName;
    std::function<void()> m_pending; // a connect or step waiting for a cancelled refresh to stop
};

} // namespace teft::ui
