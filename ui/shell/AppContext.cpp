#include "ui/shell/AppContext.h"

#include "core/store/JobStore.h"

namespace teft::ui {

AppContext::AppContext(std::unique_ptr<JobStore> store, QObject* parent) : QObject(parent), m_store(std::move(store))
{
    m_poll.setInterval(1000);
    connect(&m_poll, &QTimer::timeout, this, &AppContext::pollStore);
    if (m_store) {
        m_lastVersion = m_store->dataVersion();
        m_poll.start();
    }
}

AppContext::~AppContext() = default;

void AppContext::setCurrentProject(std::optional<std::int64_t> id)
{
    if (id == m_project)
        return;
    m_project = id;
    if (m_store && id)
        m_store->touchProject(*id);
    Q_EMIT currentProjectChanged();
}

void AppContext::pollStore()
{
    if (!m_store)
        return;
    const auto v = m_store->dataVersion();
    if (v != m_lastVersion) {
        m_lastVersion = v;
        Q_EMIT storeChanged();
    }
}

} // namespace teft::ui
