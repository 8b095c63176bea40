// `teft system`: what this machine offers the engine (version, threads, devices, memory).
#include "app/cli/Cli.h"

#include "core/util/CudaBackend.h"
#include "core/util/Paths.h"
#include "core/util/Runtime.h"

#include <torch/torch.h>

namespace teft::cli {
namespace {

int runSystem(Invocation& inv)
{
    nlohmann::json doc;
    doc["version"] = TEFT_VERSION;
    doc["torch_version"] = TORCH_VERSION;
    doc["threads"] = intraOpThreads();
    doc["cuda_available"] = cudaAvailable();
    doc["cuda_backend"] = {{"loaded", cudaBackend().loaded},
                           {"libtorch_dir", cudaBackend().libtorchDir},
                           {"message", cudaBackend().message}};
    doc["data_dir"] = dataDir().string();
    nlohmann::json devices = nlohmann::json::array();
    std::vector<std::string> names{"cpu"};
    for (int i = 0; i < cudaDeviceCount(); ++i)
        names.push_back("cuda:" + std::to_string(i));
    std::string text = "teft " + std::string(TEFT_VERSION) + " (LibTorch " + TORCH_VERSION + ")\n" +
                       "data directory: " + dataDir().string() + "\n" + "CUDA: " + cudaBackend().message + "\n";
    for (const auto& n : names) {
        const DeviceInfo d = describeDevice(n);
        devices.push_back({{"name", d.name},
                           {"description", d.description},
                           {"memory_total", d.memoryTotal},
                           {"memory_free", d.memoryFree}});
        text += d.name + ": " + d.description + ", " + std::to_string(d.memoryFree >> 20) + " MiB free of " +
                std::to_string(d.memoryTotal >> 20) + " MiB\n";
    }
    doc["devices"] = devices;
    if (inv.json())
        inv.printJson(doc);
    else
        inv.printText(text);
    return 0;
}

} // namespace

TEFT_COMMAND({"system", "Show version, threads, devices and memory", "", {}, {}, runSystem});

} // namespace teft::cli
