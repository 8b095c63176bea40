#include "core/data/DatasetFingerprint.h"

#include "core/util/Error.h"
#include "core/util/Hash.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace teft {

std::string datasetContentHash(const std::vector<DatasetFile>& files, JobControl& control)
{
    std::int64_t total = 0;
    for (const auto& f : files)
        total += f.size;
    Sha256 all;
    std::vector<char> buf(1 << 20);
    std::int64_t done = 0;
    for (const auto& f : files) {
        const std::string header = f.path.filename().string() + '\0' + toString(f.format) + '\0' +
                                   std::to_string(f.size) + '\0';
        all.update(header);
        std::unique_ptr<std::FILE, int (*)(std::FILE*)> in(std::fopen(f.path.c_str(), "rb"), &std::fclose);
        if (!in)
            throw Error("Cannot open " + f.path.string() + " to hash it: " + std::strerror(errno));
        std::int64_t bytes = 0;
        for (;;) {
            const std::size_t n = std::fread(buf.data(), 1, buf.size(), in.get());
            if (n == 0)
                break;
            all.update(buf.data(), n);
            bytes += static_cast<std::int64_t>(n);
            done += static_cast<std::int64_t>(n);
            control.checkpoint();
            control.report(done, total, "hashing");
        }
        if (std::ferror(in.get()))
            throw Error("Cannot read " + f.path.string() + ": " + std::strerror(errno));
        if (bytes != f.size)
            throw Error("Dataset file " + f.path.string() + " changed while it was being read");
    }
    return all.hex();
}

} // namespace teft
