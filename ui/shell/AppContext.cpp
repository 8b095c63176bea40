#include "ui/shell/AppContext.h"

#include "core/store/JobStore.h"

#include <spdlog/spdlog.h>

namespace teft::ui {

AppContext::AppContext(std::unique_ptr<JobStore> store, QObject* parent) : QObject(parent), m_store(std::move(store))
{
    m_poll.setInterval(1000);
    connect(&m_poll, &QTimer::timeout, this, &AppContext::pollStore);
    if (m_store) {
        try {
            m_lastVersion = m_store->dataVersion();
        } catch (const std::exception& e) {
            spdlog::error("the job store cannot be read: {}", e.what());
        }
        m_poll.start();
    }
}

AppContext::~AppContext() = default;

void AppContext::setCurrentProject(std::optional<std::int64_t> id)
{
    if (id == m_project)
        return;
    m_project = id;
    if (m_store && id) {
        try {
            m_store->touchProject(*id);
        } catch (const std::exception& e) {
            spdlog::warn("the job store cannot record the project as recently used: {}", e.what());
        }
    }
    Q_EMIT currentProjectChanged();
}

void AppContext::pollStore()
{
    if (!m_store)
        return;
    std::int64_t v = 0;
    try {
        // The store reopens a lost connection itself; what still fails here (a full disk, the
        // file moved away) is reported once, and polling goes on: it may come back.
        v = m_store->dataVersion();
    } catch (const std::exception& e) {
        if (!m_pollFailing)
            spdlog::error("the job store cannot be read: {}", e.what());
        m_pollFailing = true;
        return;
    }
    if (m_pollFailing)
        spdlog::info("the job store can be read again");
    m_pollFailing = false;
    if (v != m_lastVersion) {
        m_lastVersion = v;
        Q_EMIT storeChanged();
    }
}

} // namespace teft::ui
