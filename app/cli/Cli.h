#pragma once

// The `teft` command line: a registry of subcommands, one file per command (cmd_*.cpp), each
// registering itself with TEFT_COMMAND. Parsing is strict: an unknown option, a missing value
// or a missing required argument is a usage error (exit code 2) that names it.

#include "core/util/Error.h"
#include "core/util/Progress.h"

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace teft::cli {

struct Option {
    std::string name;      // long name without dashes, e.g. "out"
    std::string valueName; // empty for a boolean flag, e.g. "DIR"
    std::string help;
    std::string defaultValue; // shown in --help; returned by get() when absent
    bool required = false;
    bool repeatable = false;
};

class Invocation;

struct Command {
    std::string path;                     // "model create"
    std::string summary;                  // one line for the command list
    std::string description;              // paragraph for --help
    std::vector<std::string> positionals; // names, e.g. {"DIR"}; a trailing "..." takes the rest
    std::vector<Option> options;
    std::function<int(Invocation&)> run;
};

// Options every command accepts.
const std::vector<Option>& globalOptions();

class Invocation {
public:
    const Command& command;
    std::map<std::string, std::vector<std::string>> values; // option -> values ("" for flags)
    std::vector<std::string> positional;
    std::vector<std::string> args; // the whole command line after the program name, as given
    JobControl& control;

    Invocation(const Command& c, JobControl& ctl) : command(c), control(ctl) {}

    bool has(const std::string& name) const { return values.count(name) > 0; }
    bool flag(const std::string& name) const { return has(name); }
    // Value of an option, or its declared default ("" when none).
    std::string get(const std::string& name) const;
    std::vector<std::string> all(const std::string& name) const;
    // A required value: usage error naming the option when missing.
    std::string require(const std::string& name) const;
    long long getInt(const std::string& name) const;
    double getDouble(const std::string& name) const;
    std::string arg(std::size_t i) const; // positional, usage error when missing
    bool json() const { return flag("json"); }

    // Progress on stderr (a single updating line on a terminal; suppressed with --quiet).
    void progress(const JobControl::Progress& p) const;
    // Print a JSON document (always) or text (only without --json) on stdout.
    void printJson(const nlohmann::json& doc) const;
    void printText(const std::string& text) const;
};

class Registry {
public:
    static Registry& instance();
    void add(Command command);
    const Command* find(const std::vector<std::string>& words, std::size_t& consumed) const;
    std::vector<const Command*> commands() const;
    // Commands whose path starts with the given words (for group help: "teft model").
    std::vector<const Command*> group(const std::string& prefix) const;

private:
    std::vector<Command> m_commands;
};

struct Registrar {
    explicit Registrar(Command c) { Registry::instance().add(std::move(c)); }
};

// Runs the whole command line; returns the process exit code (0 ok, 1 runtime error, 2 usage).
int runMain(int argc, char** argv);

std::string helpText(const Command& c);
std::string mainHelpText();

} // namespace teft::cli

#define TEFT_CLI_CONCAT2(a, b) a##b
#define TEFT_CLI_CONCAT(a, b) TEFT_CLI_CONCAT2(a, b)
#define TEFT_COMMAND(...)                                                                                              \
    static ::teft::cli::Registrar TEFT_CLI_CONCAT(teftCommandRegistrar_, __LINE__)(::teft::cli::Command __VA_ARGS__)
