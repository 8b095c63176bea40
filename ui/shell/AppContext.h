#pragma once

#include <QObject>
#include <QString>
#include <QTimer>
#include <cstdint>
#include <memory>
#include <optional>

namespace teft {
class JobStore;
}

namespace teft::ui {

// What the pages share: the job store (opened on the GUI thread; workers open their own), the
// current project, and a change signal. storeChanged() fires when anything — this process or a
// `teft` command running elsewhere — wrote to the store (PRAGMA data_version is polled).
class AppContext : public QObject {
    Q_OBJECT
public:
    explicit AppContext(std::unique_ptr<JobStore> store, QObject* parent = nullptr);
    ~AppContext() override;

    JobStore* store() const { return m_store.get(); }
    std::optional<std::int64_t> currentProject() const { return m_project; }
    void setCurrentProject(std::optional<std::int64_t> id);
    // A short message for the user (a save, a failure, a finished job): the main window shows it
    // in its status bar and the log.
    void notify(const QString& message) { Q_EMIT notification(message); }

public Q_SLOTS:
    void pollStore();

Q_SIGNALS:
    void storeChanged();
    void currentProjectChanged();
    void notification(const QString& message);

private:
    std::unique_ptr<JobStore> m_store;
    std::optional<std::int64_t> m_project;
    QTimer m_poll;
    std::int64_t m_lastVersion = -1;
    bool m_pollFailing = false;
};

} // namespace teft::ui
