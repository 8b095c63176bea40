#pragma once

// `--nproc-per-node N`: the command starts itself N times on this machine as the ranks of a
// data-parallel job, as torchrun does, and watches them.
//
// Each rank gets the standard variables (RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE,
// MASTER_ADDR, MASTER_PORT; core/dist/Distributed.h) and the same command line without the
// launcher's options. The ranks run in their own process group: Ctrl-C and SIGTERM reach the
// launcher, which passes each on to every rank once (the first stops them after the step with a
// checkpoint, a second at once, as for a single process); a rank whose launcher dies gets
// SIGTERM. When a rank fails (an error, a signal), the others normally stop on their own within
// seconds (core/dist); those still running after a grace period are sent SIGTERM, then SIGKILL.
// The launcher says which rank failed first and how, and exits with 0 when every rank succeeded,
// 130 when the job was cancelled, 1 otherwise.

#include "app/cli/Cli.h"

#include <string>
#include <vector>

namespace teft::cli {

// The launcher's options, for the commands that can run data-parallel.
std::vector<Option> launcherOptions();

// Whether `inv` asks for the launcher (a --nproc-per-node or --nnodes above 1). UsageError when
// it does while a launcher already started this process (WORLD_SIZE is set).
bool wantsLauncher(const Invocation& inv);

// Starts and watches the ranks; returns the exit code for this process.
int launchRanks(const Invocation& inv);

} // namespace teft::cli
