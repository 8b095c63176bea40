#include "support/TestSupport.h"

#include <QProcess>
#include <QProcessEnvironment>
#include <QStringList>
#include <algorithm>
#include <stdexcept>
#include <arpa/inet.h>
#include <cerrno>
#include <cstdlib>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace teft::test {
namespace fs = std::filesystem;

fs::path workDir()
{
    // <build>/tests/work/<test executable name>; $TEFT_TEST_WORK_ROOT instead of <build>/tests/work
    // where the build tree is not there (scripts/gpu-check.sh runs packed tests on another machine).
    const char* env = std::getenv("TEFT_TEST_WORK_ROOT");
    return fs::path(env && *env ? env : TEFT_TEST_WORK_ROOT) / program_invocation_short_name;
}

fs::path freshDir(const std::string& name)
{
    const fs::path dir = workDir() / name;
    std::error_code ec;
    fs::remove_all(dir, ec);
    fs::create_directories(dir);
    return dir;
}

fs::path sourceDir() { return fs::path(TEFT_SOURCE_DIR); }

std::string python()
{
    const char* env = std::getenv("TEFT_PYTHON");
    return env && *env ? std::string(env) : std::string(TEFT_PYTHON_EXE);
}

fs::path testDataDir()
{
    const char* env = std::getenv("TEFT_TESTDATA_DIR");
    return env && *env ? fs::path(env) : sourceDir().parent_path() / "shared" / "testdata";
}

namespace {

const char* const kRealTokenizers[] = {"qwen3", "deepseek_v3"};
const char* const kBuiltTokenizers[] = {"qwen3_style", "deepseek_v3_style"};

void runReferenceScript(const std::string& script, const std::vector<std::string>& args)
{
    std::vector<std::string> all{(sourceDir() / "tests" / "reference" / script).string()};
    all.insert(all.end(), args.begin(), args.end());
    const auto r = runProcess(python(), all, 600000);
    if (r.exitCode != 0)
        throw std::runtime_error(script + " failed (exit " + std::to_string(r.exitCode) + ") with " + python() +
                                 ": run scripts/python-env.sh to create the Python environment (or set "
                                 "TEFT_PYTHON).\n" +
                                 r.err);
}

} // namespace

bool ReferenceTokenizers::has(const std::string& name) const
{
    for (const auto& [n, dir] : folders)
        if (n == name)
            return true;
    return false;
}

fs::path ReferenceTokenizers::folder(const std::string& name) const
{
    for (const auto& [n, dir] : folders)
        if (n == name)
            return dir;
    throw std::runtime_error("no reference tokenizer '" + name + "'");
}

ReferenceTokenizers referenceTokenizers(const fs::path& work)
{
    ReferenceTokenizers t;
    runReferenceScript("make_tokenizers.py", {"--out", work.string()});
    for (const char* n : kBuiltTokenizers)
        t.folders.emplace_back(n, work / n);
    for (const char* n : kRealTokenizers) {
        const fs::path dir = testDataDir() / n;
        if (fs::exists(dir / "tokenizer.json"))
            t.folders.emplace_back(n, dir);
        else
            t.missing += (t.missing.empty() ? "" : ", ") + (dir / "tokenizer.json").string();
    }
    if (!t.missing.empty())
        t.missing += " absent (the shared test data; set TEFT_TESTDATA_DIR to the folder that holds qwen3/ and "
                     "deepseek_v3/)";
    return t;
}

void writeTokenizerCases(const ReferenceTokenizers& tokenizers, const fs::path& out, int count, bool withTransformers)
{
    // One call per parent folder: the script takes --testdata DIR --names a,b.
    std::vector<std::pair<fs::path, std::string>> groups;
    for (const auto& [name, dir] : tokenizers.folders) {
        auto it = std::find_if(groups.begin(), groups.end(),
                               [&](const auto& g) { return g.first == dir.parent_path(); });
        if (it == groups.end())
            groups.emplace_back(dir.parent_path(), name);
        else
            it->second += "," + name;
    }
    for (const auto& [parent, names] : groups) {
        std::vector<std::string> args{"--out",   out.string(), "--testdata", parent.string(),
                                      "--names", names,        "--count",    std::to_string(count)};
        if (!withTransformers)
            args.push_back("--no-transformers");
        runReferenceScript("tokenizer_cases.py", args);
    }
}

ProcessResult runProcess(const std::string& program, const std::vector<std::string>& args, int timeoutMs,
                         const std::vector<std::pair<std::string, std::string>>& env)
{
    QProcess p;
    QStringList list;
    for (const auto& a : args)
        list << QString::fromStdString(a);
    auto e = QProcessEnvironment::systemEnvironment();
    for (const auto& [k, v] : env)
        e.insert(QString::fromStdString(k), QString::fromStdString(v));
    p.setProcessEnvironment(e);
    p.start(QString::fromStdString(program), list);
    ProcessResult r;
    if (!p.waitForStarted(30000))
        return r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.out = p.readAllStandardOutput().toStdString();
    r.err = p.readAllStandardError().toStdString();
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    return r;
}

int freeTcpPort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
    socklen_t len = sizeof addr;
    int port = -1;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
        port = ntohs(addr.sin_port);
    ::close(fd);
    return port;
}

} // namespace teft::test
