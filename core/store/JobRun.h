#pragma once

// The one place that turns how a job's work ended into the job record's final state:
//
//   JobRecord rec("merge", cfg.dump(), outDir.string(), projectId);
//   return recordJob(rec, [&] { ...; return result; });
//
// body returned      → rec.succeed(), its value is returned;
// body threw Cancelled (Ctrl-C, a Cancel button) → rec.cancelled() ("cancelled by the user"), rethrown;
// body threw another std::exception → rec.fail(what(), errorKindOf(it)), rethrown.
// Without it a Cancelled escaping a JobRecord's scope is recorded as "failed" by the destructor.

#include "core/store/JobRecord.h"
#include "core/util/Error.h"
#include "core/util/ErrorKind.h"

#include <exception>
#include <type_traits>
#include <utility>

namespace teft {

template <class F>
auto recordJob(JobRecord& rec, F&& body) -> decltype(std::forward<F>(body)())
{
    using Result = decltype(std::forward<F>(body)());
    try {
        if constexpr (std::is_void_v<Result>) {
            std::forward<F>(body)();
            rec.succeed();
        } else {
            Result result = std::forward<F>(body)();
            rec.succeed();
            return result;
        }
    } catch (const Cancelled&) {
        rec.cancelled();
        throw;
    } catch (const std::exception& e) {
        rec.fail(e.what(), errorKindOf(e));
        throw;
    }
}

} // namespace teft
