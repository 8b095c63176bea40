#include "app/cli/Cli.h"

#include "core/util/Log.h"
#include "core/util/Paths.h"
#include "core/util/Runtime.h"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <unistd.h>

namespace teft::cli {

namespace {

JobControl* g_control = nullptr;
std::atomic<int> g_interrupts{0};

extern "C" void onInterrupt(int)
{
    // First Ctrl-C: ask the job to stop at its next checkpoint (it leaves a resumable state).
    // Second: leave now.
    if (g_interrupts.fetch_add(1) >= 1)
        _exit(130);
    if (g_control)
        g_control->requestCancel();
}

std::string formatOptions(const std::vector<Option>& options)
{
    std::ostringstream out;
    for (const auto& o : options) {
        std::string left = "  --" + o.name + (o.valueName.empty() ? "" : " " + o.valueName);
        out << left;
        if (left.size() < 28)
            out << std::string(28 - left.size(), ' ');
        else
            out << "\n" << std::string(28, ' ');
        out << o.help;
        if (!o.defaultValue.empty())
            out << " (default: " << o.defaultValue << ")";
        if (o.required)
            out << " [required]";
        out << "\n";
    }
    return out.str();
}

const Option* findOption(const Command& c, const std::string& name)
{
    for (const auto& o : c.options)
        if (o.name == name)
            return &o;
    for (const auto& o : globalOptions())
        if (o.name == name)
            return &o;
    return nullptr;
}

bool isTerminal() { return ::isatty(STDERR_FILENO) == 1; }

// This process's rank in a data-parallel job (core/dist/Distributed.h), 0 outside one.
int distributedRank()
{
    const char* world = std::getenv("WORLD_SIZE");
    const char* rank = std::getenv("RANK");
    if (!world || !rank || std::atoi(world) <= 1)
        return 0;
    return std::max(0, std::atoi(rank));
}

// The ranks other than 0 of a data-parallel job log to their own file.
std::string logFileName()
{
    const int rank = distributedRank();
    return rank > 0 ? "teft.rank" + std::to_string(rank) + ".log" : "teft.log";
}

// "teft" or, in a rank of a data-parallel job, "teft (rank 1)": each rank's errors say whose they are.
std::string programName()
{
    const char* world = std::getenv("WORLD_SIZE");
    return world && std::atoi(world) > 1 ? "teft (rank " + std::to_string(distributedRank()) + ")" : "teft";
}

} // namespace

const std::vector<Option>& globalOptions()
{
    static const std::vector<Option> options = {
        {"help", "", "Show this help and exit"},
        {"json", "", "Machine-readable JSON output on stdout"},
        {"data-dir", "DIR", "Data directory (job store, logs, keys, caches)",
         "$TEFT_DATA_DIR or $XDG_DATA_HOME/teft-studio"},
        {"threads", "N", "Torch intra-op threads (0 = all cores)", "0"},
        {"quiet", "", "No progress output on stderr"},
        {"verbose", "", "Debug messages on stderr"},
    };
    return options;
}

std::string Invocation::get(const std::string& name) const
{
    auto it = values.find(name);
    if (it != values.end() && !it->second.empty())
        return it->second.back();
    const Option* o = findOption(command, name);
    return o ? o->defaultValue : std::string();
}

std::vector<std::string> Invocation::all(const std::string& name) const
{
    auto it = values.find(name);
    return it == values.end() ? std::vector<std::string>{} : it->second;
}

std::string Invocation::require(const std::string& name) const
{
    auto it = values.find(name);
    if (it == values.end() || it->second.empty() || it->second.back().empty())
        throw UsageError("missing required option --" + name);
    return it->second.back();
}

long long Invocation::getInt(const std::string& name) const
{
    const std::string v = get(name);
    try {
        std::size_t used = 0;
        const long long x = std::stoll(v, &used);
        if (used != v.size())
            throw std::invalid_argument(v);
        return x;
    } catch (const std::exception&) {
        throw UsageError("--" + name + " expects an integer, got '" + v + "'");
    }
}

double Invocation::getDouble(const std::string& name) const
{
    const std::string v = get(name);
    try {
        std::size_t used = 0;
        const double x = std::stod(v, &used);
        if (used != v.size())
            throw std::invalid_argument(v);
        return x;
    } catch (const std::exception&) {
        throw UsageError("--" + name + " expects a number, got '" + v + "'");
    }
}

std::string Invocation::arg(std::size_t i) const
{
    if (i >= positional.size()) {
        const std::string name = i < command.positionals.size() ? command.positionals[i]
                                                                : "argument " + std::to_string(i + 1);
        throw UsageError("missing " + name + " (see teft " + command.path + " --help)");
    }
    return positional[i];
}

void Invocation::progress(const JobControl::Progress& p) const
{
    if (flag("quiet"))
        return;
    std::ostringstream line;
    line << p.stage;
    if (p.total > 0)
        line << " " << p.done << "/" << p.total << " (" << (100 * p.done / std::max<long long>(1, p.total)) << "%)";
    else if (p.done > 0)
        line << " " << p.done;
    if (!p.message.empty())
        line << "  " << p.message;
    if (isTerminal())
        std::fprintf(stderr, "\r\033[K%s", line.str().c_str());
    else
        std::fprintf(stderr, "%s\n", line.str().c_str());
    if (isTerminal() && p.total > 0 && p.done >= p.total)
        std::fprintf(stderr, "\n");
    std::fflush(stderr);
}

void Invocation::printJson(const nlohmann::json& doc) const { std::cout << doc.dump(2) << std::endl; }

void Invocation::printText(const std::string& text) const
{
    if (!json())
        std::cout << text << std::flush;
}

Registry& Registry::instance()
{
    static Registry registry;
    return registry;
}

void Registry::add(Command command) { m_commands.push_back(std::move(command)); }

const Command* Registry::find(const std::vector<std::string>& words, std::size_t& consumed) const
{
    const Command* best = nullptr;
    std::size_t bestLen = 0;
    for (const auto& c : m_commands) {
        std::istringstream ss(c.path);
        std::vector<std::string> parts;
        for (std::string w; ss >> w;)
            parts.push_back(w);
        if (parts.size() > words.size() || parts.size() <= bestLen)
            continue;
        if (std::equal(parts.begin(), parts.end(), words.begin())) {
            best = &c;
            bestLen = parts.size();
        }
    }
    consumed = bestLen;
    return best;
}

std::vector<const Command*> Registry::commands() const
{
    std::vector<const Command*> out;
    for (const auto& c : m_commands)
        out.push_back(&c);
    std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->path < b->path; });
    return out;
}

std::vector<const Command*> Registry::group(const std::string& prefix) const
{
    std::vector<const Command*> out;
    for (const auto* c : commands())
        if (c->path.rfind(prefix + " ", 0) == 0)
            out.push_back(c);
    return out;
}

std::string helpText(const Command& c)
{
    std::ostringstream out;
    out << "Usage: teft " << c.path;
    for (const auto& p : c.positionals)
        out << " " << p;
    out << " [options]\n\n" << (c.description.empty() ? c.summary : c.description) << "\n";
    if (!c.options.empty())
        out << "\nOptions:\n" << formatOptions(c.options);
    out << "\nGlobal options:\n" << formatOptions(globalOptions());
    return out.str();
}

std::string mainHelpText()
{
    std::ostringstream out;
    out << "teft " << TEFT_VERSION
        << " - Targeted Expert Fine-Tuning for Mixture-of-Experts models\n\n"
           "Usage: teft COMMAND [options]\n\nCommands:\n";
    for (const auto* c : Registry::instance().commands()) {
        std::string left = "  " + c->path;
        out << left << std::string(left.size() < 24 ? 24 - left.size() : 1, ' ') << c->summary << "\n";
    }
    out << "\nGlobal options:\n"
        << formatOptions(globalOptions())
        << "  --version                 Print the version and exit\n"
           "\nRun 'teft COMMAND --help' for a command's options.\n"
           "Exit codes: 0 success, 1 runtime error, 2 usage error, 130 cancelled.\n";
    return out.str();
}

namespace {

int parseAndRun(int argc, char** argv)
{
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty()) {
        std::cerr << mainHelpText();
        return 2;
    }
    if (args[0] == "--version" || args[0] == "version") {
        std::cout << "teft " << TEFT_VERSION << "\n";
        return 0;
    }
    if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        std::cout << mainHelpText();
        return 0;
    }

    std::vector<std::string> words;
    for (const auto& a : args) {
        if (a.rfind("-", 0) == 0)
            break;
        words.push_back(a);
    }
    std::size_t consumed = 0;
    const Command* cmd = Registry::instance().find(words, consumed);
    if (!cmd) {
        // "teft model" alone, or "teft model --help": list the group.
        const std::string prefix = words.empty() ? std::string() : words[0];
        auto members = prefix.empty() ? std::vector<const Command*>{} : Registry::instance().group(prefix);
        if (!members.empty()) {
            std::ostringstream out;
            out << "Usage: teft " << prefix << " SUBCOMMAND [options]\n\nSubcommands:\n";
            for (const auto* c : members)
                out << "  " << c->path << std::string(c->path.size() < 24 ? 24 - c->path.size() : 1, ' ') << c->summary
                    << "\n";
            const bool askedHelp = std::find(args.begin(), args.end(), "--help") != args.end();
            (askedHelp ? std::cout : std::cerr) << out.str();
            return askedHelp ? 0 : 2;
        }
        throw UsageError("unknown command '" + (words.empty() ? args[0] : words[0]) +
                         "' (run 'teft --help' for the list)");
    }

    JobControl control;
    Invocation inv(*cmd, control);
    inv.args = args;
    for (std::size_t i = consumed; i < args.size(); ++i) {
        std::string a = args[i];
        // A one-letter option may also be spelled with a single dash: "-n 5".
        if (a.size() == 2 && a[0] == '-' && std::isalpha(static_cast<unsigned char>(a[1])) &&
            findOption(*cmd, a.substr(1)))
            a = "-" + a;
        if (a == "-h")
            inv.values["help"].push_back("");
        else if (a.rfind("--", 0) == 0 && a.size() > 2) {
            std::string name = a.substr(2);
            std::string value;
            bool inlineValue = false;
            if (auto eq = name.find('='); eq != std::string::npos) {
                value = name.substr(eq + 1);
                name = name.substr(0, eq);
                inlineValue = true;
            }
            const Option* o = findOption(*cmd, name);
            if (!o)
                throw UsageError("unknown option --" + name + " for 'teft " + cmd->path + "'");
            if (o->valueName.empty()) {
                if (inlineValue)
                    throw UsageError("option --" + name + " takes no value");
            } else if (!inlineValue) {
                if (i + 1 >= args.size())
                    throw UsageError("option --" + name + " needs a value (" + o->valueName + ")");
                value = args[++i];
            }
            auto& slot = inv.values[name];
            if (!slot.empty() && !o->repeatable && !o->valueName.empty())
                throw UsageError("option --" + name + " given twice");
            slot.push_back(value);
        } else if (a.rfind("-", 0) == 0 && a.size() > 1 && !std::isdigit(static_cast<unsigned char>(a[1])))
            throw UsageError("unknown option " + a + " (options are spelled --name)");
        else
            inv.positional.push_back(a);
    }
    if (inv.flag("help")) {
        std::cout << helpText(*cmd);
        return 0;
    }
    const bool variadic = !cmd->positionals.empty() && cmd->positionals.back().find("...") != std::string::npos;
    if (!variadic && inv.positional.size() > cmd->positionals.size())
        throw UsageError("unexpected argument '" + inv.positional[cmd->positionals.size()] + "' for 'teft " +
                         cmd->path + "'");
    for (const auto& o : cmd->options)
        if (o.required && !inv.has(o.name))
            throw UsageError("missing required option --" + o.name + " for 'teft " + cmd->path + "'");

    if (inv.has("data-dir"))
        setDataDir(inv.get("data-dir"));
    log::init(logDir(), true, inv.flag("verbose") ? spdlog::level::debug : spdlog::level::warn, logFileName());
    configureThreads(static_cast<int>(inv.getInt("threads")));
    control.setProgressCallback([&inv](const JobControl::Progress& p) { inv.progress(p); });

    g_control = &control;
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
    const int rc = cmd->run(inv);
    g_control = nullptr;
    return rc;
}

} // namespace

int runMain(int argc, char** argv)
{
    try {
        return parseAndRun(argc, argv);
    } catch (const UsageError& e) {
        std::cerr << programName() << ": usage error: " << e.what() << "\n";
        return 2;
    } catch (const Cancelled&) {
        std::cerr << "\n" << programName() << ": cancelled; the job's state was saved and it can be resumed\n";
        return 130;
    } catch (const Error& e) {
        spdlog::default_logger()->flush();
        std::cerr << programName() << ": error: " << e.what() << "\n";
        return 1;
    } catch (const c10::Error& e) {
        std::cerr << programName() << ": error in the tensor engine: " << e.what_without_backtrace() << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << programName() << ": error: " << e.what() << "\n";
        return 1;
    }
}

} // namespace teft::cli
