// `teft demo`: the whole TEFT pipeline on the built-in demo corpus and foundation model.
#include "app/cli/Cli.h"

#include "core/demo/DemoPipeline.h"
#include "core/util/Runtime.h"

namespace teft::cli {
namespace {

int runDemoCmd(Invocation& inv)
{
    // The demo model's operations are tiny: one intra-op thread is as fast as two and does not
    // collapse when the cores are shared (OpenMP spin-waits). --threads overrides.
    if (!inv.has("threads"))
        configureThreads(1);
    DemoSettings s;
    s.target = inv.get("target");
    s.rounds = static_cast<int>(inv.getInt("rounds"));
    s.miners = static_cast<int>(inv.getInt("miners"));
    s.innerSteps = inv.getInt("steps");
    s.lr = inv.getDouble("lr");
    s.badLr = inv.getDouble("bad-lr");
    s.badMiner = inv.flag("no-bad-miner") ? -1 : s.miners - 1;
    s.expertsPerLayer = static_cast<int>(inv.getInt("experts-per-layer"));
    s.model.steps = inv.getInt("pretrain-steps");
    s.fullFineTune = !inv.flag("no-full-ft");
    s.fresh = inv.flag("fresh");
    if (inv.has("work-dir"))
        s.workDir = inv.get("work-dir");
    if (inv.flag("tiny"))
        s.makeTiny();
    const auto r = runDemo(s, inv.control);
    if (inv.json()) {
        auto out = r.json;
        out["table"] = r.table; // the text report, for tools (scripts/readme-demo.py)
        inv.printJson(out);
    } else
        inv.printText(r.table);
    return 0;
}

} // namespace

TEFT_COMMAND({"demo",
              "Run the whole TEFT pipeline on the built-in demo corpus and model",
              "Builds the demo corpus and pretrains the demo foundation model (cached in the data directory), "
              "identifies the experts of the target domain, trains miners on disjoint shards (the last one bad on "
              "purpose), validates and aggregates for several rounds, merges Φ into a full checkpoint, fine-tunes "
              "all parameters on the same data for comparison, and prints in-domain and out-of-domain losses, "
              "bytes per submission and each submission's fate. Ctrl-C leaves a resumable state: run it again.",
              {},
              {{"target", "DOMAIN", "target domain: arithmetic, code, records, dna, prose or logs", "code"},
               {"rounds", "N", "validator rounds", "2"},
               {"miners", "N", "miners per round", "3"},
               {"steps", "H", "inner steps per miner per round", "20"},
               {"lr", "LR", "miner (and full fine-tuning) learning rate", "1e-3"},
               {"bad-lr", "LR", "learning rate of the bad miner", "30"},
               {"no-bad-miner", "", "all miners honest"},
               {"experts-per-layer", "K", "experts selected per MoE layer", "1"},
               {"pretrain-steps", "N", "pretraining steps of the demo model (changes the cached model)", "500"},
               {"no-full-ft", "", "skip the full fine-tuning baseline"},
               {"fresh", "", "start the pipeline from scratch (the cached model is kept)"},
               {"work-dir", "DIR", "work folder (default: <data-dir>/demo/run-<hash>)", ""},
               {"tiny", "", "a very small model and few steps (tests)"}},
              runDemoCmd});

} // namespace teft::cli
