#pragma once

// "file:///path": a shared or network folder as an object store. Objects are plain files under
// the root (key "a/b" is <root>/a/b); writes go to a hidden temporary name in the same folder and
// are renamed (or, for If-None-Match, hard-linked, which fails when the name is taken, so nothing
// is ever overwritten); reads go through the same .part / SHA-256 check as S3 downloads.

#include "core/net/ObjectStore.h"

#include <atomic>

namespace teft::net {

class FileStore : public ObjectStore {
public:
    FileStore(std::filesystem::path root, const ObjectStoreOptions& options);

    std::string describe() const override;
    std::string putFile(const std::string& key, const std::filesystem::path& file, const PutOptions& options,
                        JobControl* job) override;
    std::string putBytes(const std::string& key, std::string_view bytes, const PutOptions& options,
                         JobControl* job) override;
    void getFile(const std::string& key, const std::filesystem::path& file, const GetOptions& options,
                 JobControl* job) override;
    std::string getBytes(const std::string& key, const GetOptions& options, JobControl* job) override;
    std::optional<ObjectInfo> head(const std::string& key, JobControl* job) override;
    std::vector<ObjectInfo> list(const std::string& prefix, JobControl* job) override;
    TransferStats stats() const override;

private:
    // Writes the bytes `write(fd)` produces to a temporary file beside key's path, then publishes it.
    std::string publish(const std::string& key, const PutOptions& options, const std::function<void(int fd)>& write);
    std::filesystem::path pathOf(const std::string& key) const;

    std::filesystem::path m_root;
    std::atomic<std::uint64_t> m_bytesSent{0};
};

} // namespace teft::net
