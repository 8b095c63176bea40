#include "support/TestSupport.h"

#include <QProcess>
#include <QProcessEnvironment>
#include <QStringList>
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
