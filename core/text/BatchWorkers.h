#pragma once

// Long-lived worker threads for Tokenizer::encodeBatch. The word caches are per thread, so
// threads that outlive one batch keep them warm for the next one (fresh threads per call would
// start cold every time).

#include <functional>

namespace teft::text {

// Runs `body` on `threads` threads at once (the calling thread is one of them) and returns when
// all have finished. `body` must not throw. When another batch holds the workers, temporary
// threads are used instead, so concurrent and nested calls never wait on each other.
void runOnWorkers(int threads, const std::function<void()>& body);

} // namespace teft::text
