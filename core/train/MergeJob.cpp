#include "core/train/MergeJob.h"

#include "core/data/TokenDataset.h"
#include "core/io/CheckpointFiles.h"
#include "core/io/SafetensorsDtype.h"
#include "core/model/MoeModel.h"
#include "core/store/JobRun.h"
#include "core/train/MinerJob.h"
#include "core/train/ModelIdentity.h"
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"
#include "core/util/Hash.h"
#include "core/util/Progress.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <memory>
#include <unistd.h>

namespace teft {

namespace fs = std::filesystem;

nlohmann::json MergeResult::toJson() const
{
    nlohmann::json l = nlohmann::json::array();
    for (const auto& d : losses)
        l.push_back({{"dataset", d.name}, {"loss_before", d.before}, {"loss_after", d.after}});
    return {{"out", outDir.string()},
            {"tensors", verification.tensors},
            {"merged_tensors", verification.mergedTensors},
            {"identical_tensors", verification.identicalTensors},
            {"verified", verification.ok()},
            {"problems", verification.problems},
            {"losses", l},
            {"bytes_written", bytesWritten},
            {"bytes_kept", bytesKept},
            {"job_id", jobId}};
}

at::Tensor phiInDtype(const at::Tensor& phi, c10::ScalarType dtype)
{
    return phi.detach().to(at::kCPU).to(at::kFloat).to(dtype).contiguous();
}

namespace {

// The losses a merge reports come from the held-out rows no validator scored on.
TokenDataset reportRows(const TokenDataset& data) { return data.heldOutPart(TokenDataset::HeldOutPart::Report); }

std::string shapeText(const std::vector<std::int64_t>& shape)
{
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i)
        s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

// One Φ tensor's place in a checkpoint tensor: `bytes` (Φ in the tensor's dtype) at byte
// `offset` of the tensor's data.
struct PhiPiece {
    std::uint64_t offset = 0;
    std::string phiName;
    at::Tensor bytes;
    std::uint64_t size() const { return static_cast<std::uint64_t>(bytes.numel()) * bytes.element_size(); }
};

// Where Φ goes in a checkpoint: per checkpoint tensor, the pieces of it Φ replaces, by offset.
// Φ's names are per expert; a fused checkpoint holds them as slices of [E, 2I, H] gate_up and
// [E, H, I] down tensors (expert e's gate rows, then its up rows).
using MergePlan = std::map<std::string, std::vector<PhiPiece>>;

MergePlan planMerge(const CheckpointFiles& ckpt, const ModelConfig& config, const TensorMap& phi,
                    const std::string& source)
{
    MergePlan plan;
    for (const auto& [name, t] : phi) {
        int layer = 0, expert = 0, part = 0;
        if (!config.parseExpertTensorName(name, layer, expert, part))
            throw FormatError("Φ file " + source + " holds '" + name + "', which is not an expert tensor of " +
                              ckpt.dir().string());
        if (!t.defined() || !t.is_floating_point())
            throw Error("Tensor '" + name + "' of " + source + " must be a floating-point tensor");
        if (!torch::isfinite(t).all().item<bool>())
            throw NonFiniteError("Tensor '" + name + "' of " + source + " holds NaN or Inf values; refused");
        std::string target = name;
        std::vector<std::int64_t> expected;
        std::uint64_t elementOffset = 0;
        if (ckpt.contains(name)) {
            expected = ckpt.info(name).shape;
        } else if (config.hasFusedLayout() &&
                   ckpt.contains(part < 2 ? config.fusedGateUpName(layer) : config.fusedDownName(layer))) {
            target = part < 2 ? config.fusedGateUpName(layer) : config.fusedDownName(layer);
            const auto& shape = ckpt.info(target).shape;
            if (shape.size() != 3 || shape[0] != config.numExperts || (part < 2 && shape[1] % 2 != 0))
                throw FormatError("Fused expert tensor '" + target + "' in " + ckpt.dir().string() + " has shape " +
                                  shapeText(shape) + ", not [" + std::to_string(config.numExperts) +
                                  (part < 2 ? ", 2I, H]" : ", H, I]"));
            const std::int64_t rows = part < 2 ? shape[1] / 2 : shape[1];
            expected = {rows, shape[2]};
            elementOffset = static_cast<std::uint64_t>(expert) * static_cast<std::uint64_t>(shape[1] * shape[2]) +
                            (part == 1 ? static_cast<std::uint64_t>(rows * shape[2]) : 0);
        } else {
            throw FormatError(source + ": tensor '" + name + "' is not an expert tensor held by the model in " +
                              ckpt.dir().string());
        }
        const auto& info = ckpt.info(target);
        if (t.sizes().vec() != expected)
            throw FormatError("Tensor '" + name + "' of " + source + " must have shape " + shapeText(expected) +
                              ", got " + shapeText(t.sizes().vec()));
        const auto dtype = torchDtypeFor(info.dtype);
        if (!dtype)
            throw FormatError("Tensor '" + target + "' in " + ckpt.dir().string() + " has dtype " + info.dtype +
                              ", which cannot hold Φ");
        PhiPiece p;
        p.phiName = name;
        p.bytes = phiInDtype(t, *dtype);
        p.offset = elementOffset * static_cast<std::uint64_t>(p.bytes.element_size());
        plan[target].push_back(std::move(p));
    }
    for (auto& [name, pieces] : plan)
        std::sort(pieces.begin(), pieces.end(),
                  [](const PhiPiece& a, const PhiPiece& b) { return a.offset < b.offset; });
    return plan;
}

// Where a tensor's data starts in its file.
std::uint64_t dataOffset(const SafetensorsFile& file, const TensorInfo& info)
{
    return 8 + file.headerSize() + info.begin;
}

// Reads byte ranges of one file with pread (no mapping: what is read does not stay resident).
class RangeReader {
public:
    explicit RangeReader(fs::path path) : m_path(std::move(path))
    {
        m_fd = ::open(m_path.c_str(), O_RDONLY | O_CLOEXEC);
        if (m_fd < 0) {
            const int err = errno;
            throw Error("Cannot open " + m_path.string() + ": " + std::strerror(err));
        }
        ::posix_fadvise(m_fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    }
    ~RangeReader() { ::close(m_fd); }
    RangeReader(const RangeReader&) = delete;
    RangeReader& operator=(const RangeReader&) = delete;

    void read(std::uint64_t offset, char* out, std::size_t size) const
    {
        std::size_t got = 0;
        while (got < size) {
            const ssize_t r = ::pread(m_fd, out + got, size - got, static_cast<off_t>(offset + got));
            if (r < 0 && errno == EINTR)
                continue;
            if (r < 0) {
                const int err = errno;
                throw StorageError("Cannot read " + m_path.string() + ": " + std::strerror(err));
            }
            if (r == 0)
                throw FormatError("Cannot read " + m_path.string() + ": the file ends before byte " +
                                  std::to_string(offset + size));
            got += static_cast<std::size_t>(r);
        }
    }

private:
    fs::path m_path;
    int m_fd = -1;
};

// One reader per file, opened on first use.
class Readers {
public:
    const RangeReader& of(const SafetensorsFile& file)
    {
        auto& r = m_readers[file.path()];
        if (!r)
            r = std::make_unique<RangeReader>(file.path());
        return *r;
    }

private:
    std::map<fs::path, std::unique_ptr<RangeReader>> m_readers;
};

// The identity of a merge's inputs: a later run with the same key may keep the shards an
// interrupted run completed.
std::string mergeResumeKey(const MergeSettings& s, const CheckpointFiles& base, std::uint64_t shardBytes)
{
    std::string text = "teft-merge-1\n" + sha256File(s.phiFile) + "\n" + std::to_string(shardBytes) + "\n";
    for (const auto& f : base.files()) {
        std::error_code ec;
        const auto mtime = fs::last_write_time(f->path(), ec).time_since_epoch().count();
        text += fs::absolute(f->path()).string() + " " + std::to_string(f->fileSize()) + " " + std::to_string(mtime) +
                "\n";
    }
    return sha256Hex(text);
}

std::unique_ptr<MoeModel> loadForEval(const fs::path& dir, const MergeSettings& s, JobControl& control)
{
    MoeModelOptions opt;
    opt.device = s.device;
    opt.computeDtype = torch::kFloat;
    return MoeModel::load(dir, opt, &control);
}

} // namespace

MergeVerification verifyMerged(const fs::path& baseDir, const fs::path& mergedDir, const TensorMap& phi,
                               JobControl* control, std::size_t chunkBytes)
{
    MergeVerification v;
    const auto base = CheckpointFiles::open(baseDir);
    const auto merged = CheckpointFiles::open(mergedDir);
    const auto config = ModelConfig::load(baseDir);
    const MergePlan plan = planMerge(base, config, phi, "Φ");
    chunkBytes = std::max<std::size_t>(chunkBytes, 1);
    const auto a = std::unique_ptr<char[]>(new char[chunkBytes]);
    const auto b = std::unique_ptr<char[]>(new char[chunkBytes]);
    Readers readers;
    const std::uint64_t total = merged.totalBytes();
    std::uint64_t checked = 0;

    // Equal bytes over [offset, offset + size) of tensor `name`'s data in both checkpoints.
    auto sameAsBase = [&](const std::string& name, std::uint64_t offset, std::uint64_t size) {
        const auto &bf = base.fileOf(name), &mf = merged.fileOf(name);
        const auto &br = readers.of(bf), &mr = readers.of(mf);
        const std::uint64_t bo = dataOffset(bf, bf.info(name)) + offset, mo = dataOffset(mf, mf.info(name)) + offset;
        bool same = true;
        for (std::uint64_t done = 0; done < size && same;) {
            if (control)
                control->checkpoint();
            const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(size - done, chunkBytes));
            br.read(bo + done, a.get(), n);
            mr.read(mo + done, b.get(), n);
            same = std::memcmp(a.get(), b.get(), n) == 0;
            done += n;
        }
        return same;
    };
    auto sameAsPhi = [&](const std::string& name, const PhiPiece& p) {
        const auto& mf = merged.fileOf(name);
        const auto& mr = readers.of(mf);
        const std::uint64_t mo = dataOffset(mf, mf.info(name)) + p.offset, size = p.size();
        const char* expect = static_cast<const char*>(p.bytes.data_ptr());
        bool same = true;
        for (std::uint64_t done = 0; done < size && same;) {
            const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(size - done, chunkBytes));
            mr.read(mo + done, b.get(), n);
            same = std::memcmp(expect + done, b.get(), n) == 0;
            done += n;
        }
        return same;
    };

    for (const auto& name : merged.names()) {
        ++v.tensors;
        if (!base.contains(name)) {
            v.problems.push_back("merged tensor '" + name + "' is not in the base model");
            continue;
        }
        const auto& bi = base.info(name);
        const auto& mi = merged.info(name);
        if (bi.dtype != mi.dtype || bi.shape != mi.shape) {
            v.problems.push_back("tensor '" + name + "' changed dtype or shape");
            continue;
        }
        const auto it = plan.find(name);
        if (it == plan.end()) {
            if (sameAsBase(name, 0, bi.byteSize()))
                ++v.identicalTensors;
            else
                v.problems.push_back("tensor '" + name + "' is not byte-identical to the base");
        } else {
            std::uint64_t pos = 0;
            std::string problem;
            for (const auto& p : it->second) {
                if (problem.empty() && !sameAsBase(name, pos, p.offset - pos))
                    problem = "fused expert tensor '" + name + "' is not byte-identical to the base outside Φ";
                if (problem.empty() && !sameAsPhi(name, p))
                    problem = p.phiName == name ? "merged expert tensor '" + name + "' differs from Φ"
                                                : "fused expert tensor '" + name + "' holds another value than Φ's '" +
                                                      p.phiName + "'";
                pos = p.offset + p.size();
            }
            if (problem.empty() && !sameAsBase(name, pos, bi.byteSize() - pos))
                problem = "fused expert tensor '" + name + "' is not byte-identical to the base outside Φ";
            if (problem.empty())
                ++v.mergedTensors;
            else
                v.problems.push_back(problem);
        }
        checked += mi.byteSize();
        if (control)
            control->report(static_cast<std::int64_t>(checked), static_cast<std::int64_t>(total), "verifying");
    }
    for (const auto& name : base.names())
        if (!merged.contains(name))
            v.problems.push_back("tensor '" + name + "' of the base is missing from the merged checkpoint");
    return v;
}

MergeResult runMerge(const MergeSettings& s, const std::vector<std::pair<std::string, const TokenDataset*>>& datasets,
                     JobControl& control)
{
    nlohmann::json cfg{{"model", s.modelDir.string()}, {"phi", s.phiFile.string()}, {"out", s.outDir.string()}};
    JobRecord rec("merge", cfg.dump(), s.outDir.string(), s.projectId);
    MergeResult result;
    result.jobId = rec.id();
    result.outDir = s.outDir;
    return recordJob(rec, [&] {
        if (fs::exists(s.outDir) && fs::equivalent(s.outDir, s.modelDir))
            throw UsageError("The merge output folder must differ from the base model folder " + s.modelDir.string());
        const TensorMap phi = loadTensorFile(s.phiFile);
        const auto config = ModelConfig::load(s.modelDir);
        const auto base = CheckpointFiles::open(s.modelDir);
        const MergePlan plan = planMerge(base, config, phi, "Φ file " + s.phiFile.string());

        // Before: the base model as the engine maps it.
        if (!datasets.empty()) {
            auto model = loadForEval(s.modelDir, s, control);
            for (const auto& [name, data] : datasets)
                result.losses.push_back({name, evaluateLoss(*model, reportRows(*data), s.eval, control).loss, 0});
        }

        // Write: every tensor of the base, in its order and dtype; Φ's pieces in place of the
        // experts they replace, every other byte copied from the base files.
        std::uint64_t shard = s.maxShardBytes;
        if (shard == 0) {
            shard = base.sharded() ? 0 : base.totalBytes() + 1;
            for (const auto& f : base.files())
                shard = std::max<std::uint64_t>(shard, f->dataSize());
        }
        std::vector<StreamedTensor> tensors;
        tensors.reserve(base.names().size());
        for (const auto& name : base.names()) {
            const auto& info = base.info(name);
            const SafetensorsFile* file = &base.fileOf(name);
            const auto it = plan.find(name);
            const std::vector<PhiPiece>* pieces = it == plan.end() ? nullptr : &it->second;
            tensors.push_back({{name, info.dtype, info.shape}, [file, &info, pieces](SafetensorsStreamWriter& w) {
                                   const std::uint64_t start = dataOffset(*file, info);
                                   std::uint64_t pos = 0;
                                   if (pieces)
                                       for (const auto& p : *pieces) {
                                           w.copyFrom(file->path(), start + pos, p.offset - pos);
                                           w.writeTensor(p.bytes);
                                           pos = p.offset + p.size();
                                       }
                                   w.copyFrom(file->path(), start + pos, info.byteSize() - pos);
                               }});
        }
        CheckpointWriteOptions wo;
        wo.chunkBytes = s.chunkBytes;
        wo.resumeKey = mergeResumeKey(s, base, shard);
        const auto written = writeCheckpointStreamed(s.outDir, tensors, shard, &control, wo);
        result.bytesWritten = written.dataBytes - written.keptBytes;
        result.bytesKept = written.keptBytes;
        result.largestBuffer = written.largestBuffer;
        for (const char* f : {"config.json", "tokenizer.json", "tokenizer_config.json", "generation_config.json",
                              "special_tokens_map.json", "vocab.json", "merges.txt", "tokenizer.model"}) {
            if (fs::exists(s.modelDir / f))
                writeFileAtomically(s.outDir / f, readFile(s.modelDir / f));
        }

        // Check the files as written.
        result.verification = verifyMerged(s.modelDir, s.outDir, phi, &control, s.chunkBytes);

        // After: the checkpoint as written, loaded by the model engine.
        if (!datasets.empty() && result.verification.ok()) {
            auto merged = loadForEval(s.outDir, s, control);
            for (const auto& [name, pieces] : plan)
                for (const auto& p : pieces) {
                    const auto held = merged->tensor(p.phiName).to(torch::kCPU);
                    if (!torch::equal(held, p.bytes.to(held.scalar_type())))
                        result.verification.problems.push_back("reloaded expert tensor '" + p.phiName +
                                                               "' differs from Φ");
                }
            for (std::size_t i = 0; i < datasets.size(); ++i)
                result.losses[i].after = evaluateLoss(*merged, reportRows(*datasets[i].second), s.eval, control).loss;
        }
        if (!result.verification.ok())
            throw Error("The merged checkpoint in " + s.outDir.string() +
                        " failed verification: " + result.verification.problems.front());
        if (auto* store = rec.store()) {
            try {
                JobStore::Merge m;
                m.jobId = rec.id();
                m.projectId = s.projectId;
                m.outputPath = s.outDir.string();
                m.report = result.toJson().dump();
                store->addMerge(m);
            } catch (const std::exception& e) {
                spdlog::warn("merge not recorded in the job store: {}", e.what());
            }
        }
        return result;
    });
}

} // namespace teft
