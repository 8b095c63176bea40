#include "app/cli/Launcher.h"

#include <arpa/inet.h>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <netinet/in.h>
#include <optional>
#include <sstream>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace teft::cli {

namespace {

// Options only the launcher reads: the ranks' command lines leave them out.
const char* const kLauncherOnly[] = {"nproc-per-node", "nnodes", "node-rank", "master-addr", "master-port"};

std::atomic<int> g_interrupts{0};
std::atomic<int> g_terminations{0};

extern "C" void onLauncherSignal(int signal)
{
    if (signal == SIGINT)
        g_interrupts.fetch_add(1);
    else
        g_terminations.fetch_add(1);
}

int positiveInt(const Invocation& inv, const std::string& name, int min)
{
    const long long v = inv.getInt(name);
    if (v < min || v > 100000)
        throw UsageError("--" + name + " must be at least " + std::to_string(min) + ", got " + std::to_string(v));
    return static_cast<int>(v);
}

// A TCP port that is free now on every interface (the kernel's pick).
int freePort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        throw Error(std::string("Could not open a socket to find a free port: ") + std::strerror(errno));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        const std::string why = std::strerror(errno);
        ::close(fd);
        throw Error("Could not find a free port for the rendezvous (" + why + "): pass --master-port");
    }
    ::close(fd);
    return ntohs(addr.sin_port);
}

// The command line without the launcher's own options.
std::vector<std::string> rankArguments(const std::vector<std::string>& args)
{
    std::vector<std::string> out;
    for (std::size_t i = 0; i < args.size(); ++i) {
        bool skip = false;
        for (const char* name : kLauncherOnly) {
            const std::string flag = std::string("--") + name;
            if (args[i] == flag) {
                ++i; // and its value
                skip = true;
            } else if (args[i].rfind(flag + "=", 0) == 0) {
                skip = true;
            }
            if (skip)
                break;
        }
        if (!skip)
            out.push_back(args[i]);
    }
    return out;
}

std::string describeStatus(int status)
{
    if (WIFEXITED(status))
        return "exited with code " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) {
        const int sig = WTERMSIG(status);
        const char* name = ::strsignal(sig);
        return "was killed by signal " + std::to_string(sig) + (name ? std::string(" (") + name + ")" : std::string());
    }
    return "ended with status " + std::to_string(status);
}

struct RankProcess {
    int rank = 0;
    pid_t pid = -1;
    bool running = true;
    int status = 0;
};

} // namespace

std::vector<Option> launcherOptions()
{
    return {{"nproc-per-node", "N",
             "data parallel: start N ranks on this machine, each training on its share of every batch (with CUDA, "
             "the rank with local index k on cuda:k)",
             "1"},
            {"nnodes", "M", "data parallel over M machines, each starting --nproc-per-node ranks", "1"},
            {"node-rank", "K", "this machine's index (0..M-1) among the --nnodes machines", "0"},
            {"master-addr", "HOST", "where rank 0 hosts the rendezvous (default: $MASTER_ADDR, else 127.0.0.1)", ""},
            {"master-port", "PORT",
             "the rendezvous port (default: $MASTER_PORT, else a free port on one machine, 29500 on several)", ""},
            {"dist-backend", "NAME",
             "data parallel: gloo (every collective on the host; CUDA gradients go through host memory) or nccl "
             "(the gradients of CUDA ranks reduced on the GPUs)",
             "gloo"},
            {"dist-timeout", "S",
             "data parallel: seconds a rank waits for the others (the rendezvous, each collective) before it stops "
             "with an error",
             "600"}};
}

bool wantsLauncher(const Invocation& inv)
{
    const bool asked = inv.has("nproc-per-node") || inv.has("nnodes");
    if (!asked)
        return false;
    if (std::getenv("WORLD_SIZE"))
        throw UsageError("This process was started as a rank of a data-parallel job (WORLD_SIZE is set): leave out "
                         "--nproc-per-node and --nnodes, the launcher that set WORLD_SIZE starts the ranks");
    return positiveInt(inv, "nproc-per-node", 1) * positiveInt(inv, "nnodes", 1) > 1;
}

int launchRanks(const Invocation& inv)
{
    const int perNode = positiveInt(inv, "nproc-per-node", 1);
    const int nodes = positiveInt(inv, "nnodes", 1);
    const int nodeRank = static_cast<int>(inv.getInt("node-rank"));
    if (nodeRank < 0 || nodeRank >= nodes)
        throw UsageError("--node-rank must be in 0.." + std::to_string(nodes - 1) + ", got " +
                         std::to_string(nodeRank));
    const int world = perNode * nodes;
    std::string addr = inv.get("master-addr");
    if (addr.empty())
        addr = std::getenv("MASTER_ADDR") && *std::getenv("MASTER_ADDR") ? std::getenv("MASTER_ADDR") : "";
    if (addr.empty()) {
        if (nodes > 1)
            throw UsageError("--nnodes " + std::to_string(nodes) +
                             " needs --master-addr (or MASTER_ADDR): the address of the machine with --node-rank 0");
        addr = "127.0.0.1";
    }
    int port = 0;
    if (inv.has("master-port"))
        port = static_cast<int>(inv.getInt("master-port"));
    else if (const char* p = std::getenv("MASTER_PORT"); p && *p)
        port = std::atoi(p);
    else
        port = nodes > 1 ? 29500 : freePort();
    if (port < 1 || port > 65535)
        throw UsageError("The rendezvous port must be in 1..65535, got " + std::to_string(port));

    char exe[4096];
    const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        throw Error(std::string("Could not find this program to start its ranks: ") + std::strerror(errno));
    exe[n] = '\0';
    const auto args = rankArguments(inv.args);

    // Everything the children need is built before fork(): after it, only async-signal-safe calls.
    std::vector<std::string> baseEnv;
    for (char** e = environ; *e; ++e) {
        const std::string kv = *e;
        const std::string key = kv.substr(0, kv.find('='));
        if (key != "RANK" && key != "WORLD_SIZE" && key != "LOCAL_RANK" && key != "LOCAL_WORLD_SIZE" &&
            key != "MASTER_ADDR" && key != "MASTER_PORT" && key != "GROUP_RANK")
            baseEnv.push_back(kv);
    }
    std::vector<const char*> argv{exe};
    for (const auto& a : args)
        argv.push_back(a.c_str());
    argv.push_back(nullptr);

    std::signal(SIGINT, onLauncherSignal);
    std::signal(SIGTERM, onLauncherSignal);
    const pid_t launcher = ::getpid();
    std::vector<RankProcess> ranks;
    for (int local = 0; local < perNode; ++local) {
        const int rank = nodeRank * perNode + local;
        std::vector<std::string> env = baseEnv;
        env.push_back("RANK=" + std::to_string(rank));
        env.push_back("WORLD_SIZE=" + std::to_string(world));
        env.push_back("LOCAL_RANK=" + std::to_string(local));
        env.push_back("LOCAL_WORLD_SIZE=" + std::to_string(perNode));
        env.push_back("GROUP_RANK=" + std::to_string(nodeRank));
        env.push_back("MASTER_ADDR=" + addr);
        env.push_back("MASTER_PORT=" + std::to_string(port));
        std::vector<const char*> envp;
        for (const auto& kv : env)
            envp.push_back(kv.c_str());
        envp.push_back(nullptr);
        std::cout.flush();
        std::cerr.flush();
        const pid_t pid = ::fork();
        if (pid < 0) {
            for (const auto& r : ranks)
                ::kill(r.pid, SIGKILL);
            throw Error(std::string("Could not start rank ") + std::to_string(rank) + ": " + std::strerror(errno));
        }
        if (pid == 0) {
            // The rank: its own process group (terminal signals reach the launcher, which passes
            // them on once), default signal handling, and SIGTERM when the launcher dies.
            ::setpgid(0, 0);
            std::signal(SIGINT, SIG_DFL);
            std::signal(SIGTERM, SIG_DFL);
            ::prctl(PR_SET_PDEATHSIG, SIGTERM);
            if (::getppid() != launcher)
                ::_exit(1);
            ::execve(exe, const_cast<char* const*>(argv.data()), const_cast<char* const*>(envp.data()));
            ::_exit(127);
        }
        ranks.push_back({rank, pid});
    }
    if (!inv.flag("quiet")) {
        std::ostringstream line;
        line << "teft: started " << perNode << " rank" << (perNode == 1 ? "" : "s") << " of " << world
             << " on this machine (";
        for (std::size_t i = 0; i < ranks.size(); ++i)
            line << (i ? ", " : "") << "rank " << ranks[i].rank << " pid " << ranks[i].pid;
        line << "), rendezvous at " << addr << ":" << port << "\n";
        std::cerr << line.str() << std::flush;
    }

    using Clock = std::chrono::steady_clock;
    std::optional<RankProcess> firstFailure;
    // When the ranks still running after a failure get SIGTERM, then SIGKILL (max(): not due).
    Clock::time_point termAt = Clock::time_point::max(), killAt = Clock::time_point::max();
    int interruptsSent = 0, terminationsSent = 0;
    auto signalRunning = [&](int sig) {
        for (const auto& r : ranks)
            if (r.running)
                ::kill(r.pid, sig);
    };
    for (;;) {
        int status = 0;
        const pid_t pid = ::waitpid(-1, &status, WNOHANG);
        if (pid > 0) {
            for (auto& r : ranks) {
                if (r.pid != pid)
                    continue;
                r.running = false;
                r.status = status;
                const bool ok = WIFEXITED(status) && (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 130);
                if (!ok && !firstFailure) {
                    firstFailure = r;
                    std::cerr << "teft: rank " << r.rank << " (pid " << r.pid << ") " << describeStatus(status)
                              << "; the other ranks stop too\n"
                              << std::flush;
                    // They notice within seconds; give them time to save a checkpoint first.
                    termAt = Clock::now() + std::chrono::seconds(60);
                }
            }
            continue;
        }
        bool anyRunning = false;
        for (const auto& r : ranks)
            anyRunning = anyRunning || r.running;
        if (!anyRunning)
            break;
        for (; interruptsSent < g_interrupts.load(); ++interruptsSent)
            signalRunning(SIGINT);
        for (; terminationsSent < g_terminations.load(); ++terminationsSent)
            signalRunning(SIGTERM);
        const auto now = Clock::now();
        if (now >= termAt) {
            std::cerr << "teft: stopping the ranks still running\n" << std::flush;
            signalRunning(SIGTERM);
            termAt = Clock::time_point::max();
            killAt = now + std::chrono::seconds(15);
        }
        if (now >= killAt) {
            signalRunning(SIGKILL);
            killAt = Clock::time_point::max();
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    if (firstFailure) {
        std::cerr << "teft: error: the data-parallel job failed: rank " << firstFailure->rank << " (pid "
                  << firstFailure->pid << ") " << describeStatus(firstFailure->status)
                  << " first. Run the same command again to resume from the last checkpoint.\n";
        return 1;
    }
    for (const auto& r : ranks)
        if (WEXITSTATUS(r.status) == 130)
            return 130;
    return 0;
}

} // namespace teft::cli
