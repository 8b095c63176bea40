#pragma once

#include "core/data/DatasetReader.h"
#include "core/util/Progress.h"

#include <filesystem>
#include <string>
#include <vector>

namespace teft {

// SHA-256 of a dataset's content: over each file in order, its name, format, size and the
// SHA-256 of all its bytes (streamed through a 1 MiB buffer). The folder a dataset lives in
// does not matter; renaming, reordering, editing or re-typing a file does. Reports progress as
// "hashing" and honours cancellation.
//
// Re-hashing many GB on every run would cost minutes, so per-file digests may be remembered in
// `memoFile` (JSON, written atomically), keyed by absolute path and trusted only while the
// file's device, inode, size, mtime AND ctime are all unchanged. Size + mtime alone are not
// trusted: mtime can be set back by any program (touch -r, tar, cp -p) after an edit of the
// same size. ctime cannot be set by user programs: every write, truncate, rename onto the
// path (new inode) or mtime change moves it. A digest is also not remembered when the file
// changed less than 1 s before hashing began (a later edit within the kernel's timestamp
// granularity could leave every stamp equal: git's "racy" case). With an empty memoFile every
// byte is hashed on every call.
std::string datasetContentHash(const std::vector<DatasetFile>& files, JobControl& control,
                               const std::filesystem::path& memoFile = {});

// SHA-256 hex of one file's bytes, with progress reported from `done` of `total`.
std::string fileContentHash(const std::filesystem::path& file, JobControl& control, std::int64_t& done,
                            std::int64_t total);

} // namespace teft
