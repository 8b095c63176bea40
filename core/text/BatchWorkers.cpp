#include "core/text/BatchWorkers.h"

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace teft::text {
namespace {

class Workers {
public:
    ~Workers()
    {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_stopping = true;
        }
        m_wake.notify_all();
        for (auto& t : m_threads)
            t.join();
    }

    void run(int threads, const std::function<void()>& body)
    {
        std::unique_lock<std::mutex> batch(m_batch, std::try_to_lock);
        if (!batch.owns_lock()) {
            runOnTemporaryThreads(threads, body);
            return;
        }
        const int helpers = threads - 1;
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            while (static_cast<int>(m_threads.size()) < helpers) {
                const int index = static_cast<int>(m_threads.size());
                m_threads.emplace_back([this, index] { loop(index); });
            }
            m_job = &body;
            m_needed = helpers;
            m_remaining = helpers;
            ++m_generation;
        }
        m_wake.notify_all();
        body();
        std::unique_lock<std::mutex> lock(m_mutex);
        m_done.wait(lock, [this] { return m_remaining == 0; });
        m_job = nullptr;
    }

private:
    static void runOnTemporaryThreads(int threads, const std::function<void()>& body)
    {
        std::vector<std::thread> pool;
        for (int t = 1; t < threads; ++t)
            pool.emplace_back(body);
        body();
        for (auto& t : pool)
            t.join();
    }

    void loop(int index)
    {
        uint64_t seen = 0;
        std::unique_lock<std::mutex> lock(m_mutex);
        for (;;) {
            m_wake.wait(lock, [&] { return m_stopping || m_generation != seen; });
            if (m_stopping)
                return;
            seen = m_generation;
            if (index >= m_needed)
                continue;
            const std::function<void()>* job = m_job;
            lock.unlock();
            (*job)();
            lock.lock();
            if (--m_remaining == 0)
                m_done.notify_all();
        }
    }

    std::mutex m_batch; // held for a whole batch
    std::mutex m_mutex;
    std::condition_variable m_wake, m_done;
    std::vector<std::thread> m_threads;
    const std::function<void()>* m_job = nullptr;
    uint64_t m_generation = 0;
    int m_needed = 0, m_remaining = 0;
    bool m_stopping = false;
};

} // namespace

void runOnWorkers(int threads, const std::function<void()>& body)
{
    if (threads <= 1) {
        body();
        return;
    }
    static Workers workers;
    workers.run(threads, body);
}

} // namespace teft::text
