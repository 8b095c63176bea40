#pragma once

// Helpers shared by the test executables.

#include <QString>
#include <filesystem>
#include <string>
#include <vector>

namespace teft::test {

// This test executable's scratch directory: <build>/tests/work/<executable name>
// ($TEFT_TEST_WORK_ROOT/<executable name> when set).
std::filesystem::path workDir();

// A fresh, empty directory for this test (under the build tree), removed at the next run.
std::filesystem::path freshDir(const std::string& name);

// The source tree (for fixtures).
std::filesystem::path sourceDir();

// The project's Python environment (scripts/python-env.sh): torch, transformers, tokenizers,
// safetensors, the independent references. $TEFT_PYTHON overrides the configured one.
std::string python();

// Real test files from outside the repository: $TEFT_TESTDATA_DIR, else <source>/../shared/testdata
// (e.g. testDataDir() / "qwen3" / "tokenizer.json").
std::filesystem::path testDataDir();

// The tokenizers the reference tests compare against, by name -> folder: always the byte-level BPE
// tokenizers that tests/reference/make_tokenizers.py trains with Hugging Face `tokenizers` in the
// Qwen3 and DeepSeek-V3 layouts ("qwen3_style", "deepseek_v3_style", built into `work`), and the
// real "qwen3" and "deepseek_v3" from testDataDir() where the shared test data is present
// (`missing` then names what is absent). Throws with the script's output if the build fails.
struct ReferenceTokenizers {
    std::vector<std::pair<std::string, std::filesystem::path>> folders;
    std::string missing; // empty when the real tokenizers are there
    bool has(const std::string& name) const;
    std::filesystem::path folder(const std::string& name) const;
};
ReferenceTokenizers referenceTokenizers(const std::filesystem::path& work);

// Runs tests/reference/tokenizer_cases.py for every tokenizer of `tokenizers` (one call per folder
// holding them), writing <name>.jsonl into `out`. Throws with the script's output on failure.
void writeTokenizerCases(const ReferenceTokenizers& tokenizers, const std::filesystem::path& out, int count,
                         bool withTransformers);

// Runs a program, capturing stdout and stderr; returns its exit code (-1 if it could not start
// or timed out).
struct ProcessResult {
    int exitCode = -1;
    std::string out;
    std::string err;
};
ProcessResult runProcess(const std::string& program, const std::vector<std::string>& args, int timeoutMs = 600000,
                         const std::vector<std::pair<std::string, std::string>>& env = {});

// A TCP port that is free on this machine now (the kernel's pick), e.g. for a rendezvous.
int freeTcpPort();

} // namespace teft::test
