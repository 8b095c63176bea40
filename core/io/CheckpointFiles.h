#pragma once

#include "core/io/SafetensorsFile.h"
#include "core/io/SafetensorsWriter.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace teft {

class JobControl;

// The weights of a Hugging Face model folder: either one `model.safetensors` or
// `model.safetensors.index.json` plus the shards its weight_map names. Opening maps and
// validates every file; a weight_map entry that names a missing shard or a tensor its shard
// lacks, a shard name that leaves the folder, and a tensor stored in two shards are
// teft::FormatErrors naming the file and the tensor. When both layouts are present the single
// file wins (as in transformers).
class CheckpointFiles {
public:
    static constexpr const char* kSingleFile = "model.safetensors";
    static constexpr const char* kIndexFile = "model.safetensors.index.json";

    static CheckpointFiles open(const std::filesystem::path& dir);

    const std::filesystem::path& dir() const { return m_dir; }
    bool sharded() const { return m_sharded; }
    // All tensor names, in file order (shard by shard).
    const std::vector<std::string>& names() const { return m_names; }
    bool contains(const std::string& name) const { return m_location.count(name) > 0; }
    // FormatError naming the folder and the tensor when absent.
    const TensorInfo& info(const std::string& name) const;
    // Zero-copy, read-only (see SafetensorsFile::tensor).
    at::Tensor tensor(const std::string& name) const;
    const SafetensorsFile& fileOf(const std::string& name) const;
    const std::vector<std::shared_ptr<const SafetensorsFile>>& files() const { return m_files; }
    // Bytes of tensor data over all files.
    std::uint64_t totalBytes() const { return m_totalBytes; }

private:
    void addFile(std::shared_ptr<const SafetensorsFile> file);

    std::filesystem::path m_dir;
    bool m_sharded = false;
    std::vector<std::shared_ptr<const SafetensorsFile>> m_files;
    std::vector<std::string> m_names;
    std::unordered_map<std::string, std::size_t> m_location; // name -> index into m_files
    std::uint64_t m_totalBytes = 0;
};

// "model-00002-of-00005.safetensors"
std::string shardFileName(int index, int count);

// Writes a model folder's weights: one `model.safetensors` when all tensors fit in
// maxShardBytes, otherwise `model-0000k-of-0000n.safetensors` shards (filled in order, a new
// shard when the next tensor would overflow the current one; a tensor larger than the limit
// gets a shard of its own) and `model.safetensors.index.json` with metadata.total_size. Every
// file is written atomically, the index last; weight files of the other layout left in the
// folder by an earlier write are removed afterwards so that readers cannot pick them up.
void writeCheckpoint(const std::filesystem::path& dir, const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                     std::uint64_t maxShardBytes, JobControl* control = nullptr);

// One tensor for writeCheckpointStreamed: its header entry, and a function that writes exactly
// entry.byteSize() bytes of data into the shard's writer (write, writeTensor, copyFrom).
struct StreamedTensor {
    SafetensorsEntry entry;
    std::function<void(SafetensorsStreamWriter&)> write;
};

struct CheckpointWriteOptions {
    std::size_t chunkBytes = SafetensorsStreamWriter::kDefaultChunkBytes; // largest copy buffer
    // Non-empty: the write can be resumed. Completed shards are recorded under this key in
    // <dir>/.teft-write-progress.json; a later call with the same key keeps the shards an
    // interrupted call completed (same header, same size) and writes only the others. The record
    // is removed once the checkpoint is complete.
    std::string resumeKey;
};

struct CheckpointWriteReport {
    std::vector<std::string> files; // weight files of the checkpoint, in order
    std::uint64_t dataBytes = 0;    // tensor data of the whole checkpoint
    std::uint64_t keptBytes = 0;    // data of shards kept from an interrupted write (resumeKey)
    std::size_t largestBuffer = 0;  // the largest copy buffer allocated
};

// writeCheckpoint for tensors whose data is produced while writing (copied from other files,
// converted one by one): the same files, byte for byte, as writeCheckpoint with the same tensors
// (same shard plan, names, header and data order), with memory for one chunk instead of the
// model. Every shard is written under a temporary name and renamed once complete; before the
// first shard of a sharded checkpoint the folder's index (and a single model.safetensors) are
// removed so that an interrupted write never leaves a folder that loads as a mix of two
// checkpoints; temporary files that killed writers left behind are removed. Cancellation
// (control->checkpoint(), called between chunks) and errors (a full disk: teft::StorageError
// naming the file) leave no partial file.
CheckpointWriteReport writeCheckpointStreamed(const std::filesystem::path& dir,
                                              const std::vector<StreamedTensor>& tensors, std::uint64_t maxShardBytes,
                                              JobControl* control = nullptr,
                                              const CheckpointWriteOptions& options = {});

// The name of the resume record writeCheckpointStreamed keeps in the folder while it writes.
inline constexpr const char* kCheckpointProgressFile = ".teft-write-progress.json";

} // namespace teft
