#pragma once

#include "core/data/DatasetReader.h"
#include "core/util/Progress.h"

#include <string>
#include <vector>

namespace teft {

// SHA-256 over the content of a dataset: for each file in order, its name, format and size,
// then every byte (streamed through a 1 MiB buffer). The folder a dataset lives in does not
// matter; renaming, reordering, editing or re-typing a file does. Sizes and mtimes alone are
// not trusted: an edit that keeps the size within the mtime resolution (or a copy with
// preserved mtimes but other content) would otherwise serve stale tokens. Reports progress as
// "hashing" and honours cancellation.
std::string datasetContentHash(const std::vector<DatasetFile>& files, JobControl& control);

} // namespace teft
